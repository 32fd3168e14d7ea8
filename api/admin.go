package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/workspace"
)

func (s *Server) handleWorkspace(w http.ResponseWriter, r *http.Request) {
	info, err := s.ws.Info(r.Context())
	if err != nil {
		s.adminError(w, err)
		return
	}
	info.Dir = "" // the server's file layout is not the client's business
	writeJSON(w, http.StatusOK, info)
}

// CreateTokenRequest is the body of POST /v1/tokens.
type CreateTokenRequest struct {
	Role string `json:"role"`
	Name string `json:"name,omitempty"`
}

// CreatedToken is the answer: the secret, shown once.
type CreatedToken struct {
	auth.Token
	Secret string `json:"token"`
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	var req CreateTokenRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
		return
	}
	secret, tok, err := s.ws.CreateToken(r.Context(), role, req.Name)
	if err != nil {
		s.adminError(w, err)
		return
	}
	by, _ := Principal(r.Context())
	s.log.Info("token created", "by", by.Name, "token", tok.Name, "role", string(tok.Role))
	writeJSON(w, http.StatusCreated, CreatedToken{Token: tok, Secret: secret})
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := s.ws.Tokens(r.Context())
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": toks})
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	tok, err := s.ws.RevokeToken(r.Context(), r.PathValue("id"))
	if err != nil {
		s.adminError(w, err)
		return
	}
	by, _ := Principal(r.Context())
	s.log.Info("token revoked", "by", by.Name, "token", tok.Name)
	writeJSON(w, http.StatusOK, tok)
}

func (s *Server) handleListTables(w http.ResponseWriter, r *http.Request) {
	ts, err := s.ws.Tables(r.Context())
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": ts})
}

func (s *Server) handleGetTable(w http.ResponseWriter, r *http.Request) {
	t, err := s.ws.TableInfo(r.Context(), r.PathValue("name"))
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// handlePutTable creates or extends a custom table, or, for any table,
// sets its retention when only retentionInDays is given.
func (s *Server) handlePutTable(w http.ResponseWriter, r *http.Request) {
	var def workspace.TableDef
	if !decodeJSON(w, r, &def) {
		return
	}
	name := r.PathValue("name")
	if def.Name != "" && def.Name != name {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "the body names table "+def.Name+" but the path names "+name, nil)
		return
	}
	def.Name = name
	var err error
	var info workspace.TableInfo
	if len(def.Columns) == 0 && def.RetentionInDays > 0 {
		if err = s.ws.SetRetention(r.Context(), name, def.RetentionInDays); err == nil {
			info, err = s.ws.TableInfo(r.Context(), name)
		}
	} else {
		info, err = s.ws.CreateTable(r.Context(), def)
	}
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) handleListRules(w http.ResponseWriter, r *http.Request) {
	rs, err := s.ws.Rules(r.Context())
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": rs})
}

func (s *Server) handleGetRule(w http.ResponseWriter, r *http.Request) {
	rule, err := s.ws.Rule(r.Context(), r.PathValue("id"))
	if err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (s *Server) handlePutRule(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		s.bodyError(w, err, "reading the body: ")
		return
	}
	rule, err := ingest.ParseRule(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
		return
	}
	if rule.ID != "" && rule.ID != r.PathValue("id") {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "the body's immutableId differs from the path's", nil)
		return
	}
	rule.ID = r.PathValue("id")
	if err := s.ws.PutRule(r.Context(), rule); err != nil {
		s.adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (s *Server) handleDeleteRule(w http.ResponseWriter, r *http.Request) {
	if err := s.ws.DeleteRule(r.Context(), r.PathValue("id")); err != nil {
		s.adminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminError answers a failed administration call: 404 for what does not
// exist, 400 for everything the caller can fix.
func (s *Server) adminError(w http.ResponseWriter, err error) {
	if errors.Is(err, workspace.ErrNotFound) {
		writeError(w, http.StatusNotFound, "NotFound", err.Error(), nil)
		return
	}
	writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
}
