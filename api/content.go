package api

import (
	"errors"
	"net/http"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/content"
	"github.com/goshawk-sec/goshawk/hunting"
)

// MountContent serves the connectors, the content hub, the saved hunting
// queries and the doctor.
func (s *Server) MountContent(conns *connector.Service, hub *content.Service, hunt *hunting.Store) {
	s.connectors, s.content, s.hunting = conns, hub, hunt
	s.mux.Handle("GET /v1/connectors", s.authed(auth.Query, s.handleListConnectors))
	s.mux.Handle("GET /v1/connectors/{id}", s.authed(auth.Query, s.handleGetConnector))
	s.mux.Handle("POST /v1/connectors/{id}/enable", s.authed(auth.ManageContent, s.handleSetConnector(true)))
	s.mux.Handle("POST /v1/connectors/{id}/disable", s.authed(auth.ManageContent, s.handleSetConnector(false)))
	s.mux.Handle("GET /v1/doctor", s.authed(auth.Query, s.handleDoctor))
	s.mux.Handle("GET /v1/content", s.authed(auth.Query, s.handleListContent))
	s.mux.Handle("GET /v1/content/{name}", s.authed(auth.Query, s.handleGetContent))
	s.mux.Handle("POST /v1/content/{name}/install", s.authed(auth.ManageContent, s.handleInstallContent(true)))
	s.mux.Handle("POST /v1/content/{name}/uninstall", s.authed(auth.ManageContent, s.handleInstallContent(false)))
	s.mux.Handle("GET /v1/hunting", s.authed(auth.Query, s.handleListHunting))
	s.mux.Handle("GET /v1/hunting/{id}", s.authed(auth.Query, s.handleGetHunting))
}

// contentError answers the errors of these services.
func (s *Server) contentError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, connector.ErrNotFound), errors.Is(err, content.ErrNotFound), errors.Is(err, hunting.ErrNotFound):
		writeError(w, http.StatusNotFound, "NotFound", err.Error(), nil)
	case errors.Is(err, hunting.ErrInvalid):
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
	case r.Context().Err() != nil:
		s.log.Info("request abandoned by the client", "remote", r.RemoteAddr, "path", r.URL.Path)
	default:
		s.log.Error("content request failed", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error(), nil)
	}
}

func (s *Server) handleListConnectors(w http.ResponseWriter, r *http.Request) {
	sts, err := s.connectors.List(r.Context())
	if err != nil {
		s.contentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": sts})
}

func (s *Server) handleGetConnector(w http.ResponseWriter, r *http.Request) {
	st, err := s.connectors.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		s.contentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// ConnectorChange is the body of enable and disable: the data types to
// change (none: all).
type ConnectorChange struct {
	DataTypes []string `json:"dataTypes,omitempty"`
}

func (s *Server) handleSetConnector(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req ConnectorChange
		if r.ContentLength != 0 && !decodeJSON(w, r, &req) {
			return
		}
		st, err := s.connectors.SetEnabled(r.Context(), r.PathValue("id"), req.DataTypes, on, principalName(r))
		if err != nil {
			s.contentError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
	}
}

func (s *Server) handleDoctor(w http.ResponseWriter, r *http.Request) {
	rep, err := s.connectors.Doctor(r.Context())
	if err != nil {
		s.contentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) handleListContent(w http.ResponseWriter, r *http.Request) {
	sts, err := s.content.List(r.Context())
	if err != nil {
		s.contentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": sts})
}

func (s *Server) handleGetContent(w http.ResponseWriter, r *http.Request) {
	st, err := s.content.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		s.contentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) handleInstallContent(install bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var st content.State
		var err error
		if install {
			st, err = s.content.Install(r.Context(), r.PathValue("name"), principalName(r))
		} else {
			st, err = s.content.Uninstall(r.Context(), r.PathValue("name"), principalName(r))
		}
		if err != nil {
			s.contentError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
	}
}

func (s *Server) handleListHunting(w http.ResponseWriter, r *http.Request) {
	qs, err := s.hunting.List(r.Context())
	if err != nil {
		s.contentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": qs})
}

func (s *Server) handleGetHunting(w http.ResponseWriter, r *http.Request) {
	q, err := s.hunting.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.contentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}
