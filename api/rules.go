package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/rules"
)

// MountRules serves the analytics rules.
func (s *Server) MountRules(svc *rules.Service) {
	s.rules = svc
	s.mux.Handle("POST /v1/rules/import", s.authed(auth.ManageContent, s.handleImportRules))
	s.mux.Handle("GET /v1/rules", s.authed(auth.Query, s.handleListAnalyticsRules))
	s.mux.Handle("GET /v1/rules/{id}", s.authed(auth.Query, s.handleGetAnalyticsRule))
	s.mux.Handle("GET /v1/rules/{id}/export", s.authed(auth.Query, s.handleExportRule))
	s.mux.Handle("POST /v1/rules/{id}/enable", s.authed(auth.ManageContent, s.handleEnableRule(true)))
	s.mux.Handle("POST /v1/rules/{id}/disable", s.authed(auth.ManageContent, s.handleEnableRule(false)))
	s.mux.Handle("DELETE /v1/rules/{id}", s.authed(auth.ManageContent, s.handleDeleteAnalyticsRule))
	s.mux.Handle("POST /v1/rules/{id}/test", s.authed(auth.Query, s.handleTestRule))
}

// RuleImport is the body of POST /v1/rules/import.
type RuleImport struct {
	Files []rules.File `json:"files"`
}

// RuleTest is the body of POST /v1/rules/{id}/test.
type RuleTest struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func (s *Server) rulesError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, rules.ErrNotFound) {
		writeError(w, http.StatusNotFound, "NotFound", err.Error(), nil)
		return
	}
	if r.Context().Err() != nil {
		return
	}
	writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
}

func (s *Server) handleImportRules(w http.ResponseWriter, r *http.Request) {
	var req RuleImport
	if !decodeJSONLimit(w, r, &req, 16) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": s.rules.Import(r.Context(), req.Files, principalName(r))})
}

func (s *Server) handleListAnalyticsRules(w http.ResponseWriter, r *http.Request) {
	rs, err := s.rules.List(r.Context())
	if err != nil {
		s.rulesError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": rs})
}

func (s *Server) handleGetAnalyticsRule(w http.ResponseWriter, r *http.Request) {
	st, err := s.rules.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.rulesError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) handleExportRule(w http.ResponseWriter, r *http.Request) {
	b, err := s.rules.Export(r.Context(), r.PathValue("id"))
	if err != nil {
		s.rulesError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(b)
}

func (s *Server) handleEnableRule(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := s.rules.SetEnabled(r.Context(), r.PathValue("id"), on, principalName(r))
		if err != nil {
			s.rulesError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
	}
}

func (s *Server) handleDeleteAnalyticsRule(w http.ResponseWriter, r *http.Request) {
	if err := s.rules.Delete(r.Context(), r.PathValue("id")); err != nil {
		s.rulesError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleTestRule(w http.ResponseWriter, r *http.Request) {
	var req RuleTest
	if !decodeJSON(w, r, &req) {
		return
	}
	bt, err := s.rules.Test(r.Context(), r.PathValue("id"), req.From, req.To)
	if err != nil {
		s.rulesError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bt)
}
