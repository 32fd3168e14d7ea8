package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/content"
	"github.com/goshawk-sec/goshawk/hunting"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/rules"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/workspace"
)

// Config holds the API's limits.
type Config struct {
	// MaxBodyBytes bounds an ingestion request body as sent (1 MB, as
	// Azure's Logs Ingestion API).
	MaxBodyBytes int64
	// MaxDecodedBytes bounds a gzip body once decompressed.
	MaxDecodedBytes int64
	// MaxQueryWait caps the query timeout a client may ask for with
	// "Prefer: wait=N"; it is also the default.
	MaxQueryWait time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MaxBodyBytes: 1 << 20, MaxDecodedBytes: 64 << 20, MaxQueryWait: 10 * time.Minute}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.MaxBodyBytes <= 0 || c.MaxDecodedBytes < c.MaxBodyBytes {
		return errors.New("api: MaxBodyBytes must be positive and at most MaxDecodedBytes")
	}
	if c.MaxQueryWait <= 0 {
		return errors.New("api: MaxQueryWait must be positive")
	}
	return nil
}

// Server is the HTTP API of one workspace.
type Server struct {
	ws  *workspace.Workspace
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
	now func() time.Time
	edr *edr.Service // nil until MountEDR
	// incidents is set by MountIncidents.
	incidents *incidents.Service
	// connectors, content and hunting are set by MountContent.
	connectors *connector.Service
	content    *content.Service
	hunting    *hunting.Store
	rules      *rules.Service // set by MountRules
}

// New returns the API for ws.
func New(ws *workspace.Workspace, cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Server{ws: ws, cfg: cfg, log: log, mux: http.NewServeMux(), now: time.Now}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.mux.Handle("GET /v1/workspaces/{workspaceId}/query", s.authed(auth.Query, s.handleQuery))
	s.mux.Handle("POST /v1/workspaces/{workspaceId}/query", s.authed(auth.Query, s.handleQuery))
	s.mux.Handle("POST /dataCollectionRules/{ruleId}/streams/{stream}", s.authed(auth.Ingest, s.handleUpload))
	s.mux.Handle("GET /v1/workspace", s.authed(auth.Query, s.handleWorkspace))
	s.mux.Handle("GET /v1/tokens", s.authed(auth.ManageAccess, s.handleListTokens))
	s.mux.Handle("POST /v1/tokens", s.authed(auth.ManageAccess, s.handleCreateToken))
	s.mux.Handle("DELETE /v1/tokens/{id}", s.authed(auth.ManageAccess, s.handleRevokeToken))
	s.mux.Handle("GET /v1/tables", s.authed(auth.Query, s.handleListTables))
	s.mux.Handle("GET /v1/tables/{name}", s.authed(auth.Query, s.handleGetTable))
	s.mux.Handle("PUT /v1/tables/{name}", s.authed(auth.ManageContent, s.handlePutTable))
	s.mux.Handle("GET /v1/dataCollectionRules", s.authed(auth.Query, s.handleListRules))
	s.mux.Handle("GET /v1/dataCollectionRules/{id}", s.authed(auth.Query, s.handleGetRule))
	s.mux.Handle("PUT /v1/dataCollectionRules/{id}", s.authed(auth.ManageContent, s.handlePutRule))
	s.mux.Handle("DELETE /v1/dataCollectionRules/{id}", s.authed(auth.ManageContent, s.handleDeleteRule))
	s.mux.HandleFunc("POST /api/logs", s.handleDataCollector) // SharedKey signature, checked by the handler
	s.mux.Handle("GET /v1/workspace/sharedKeys", s.authed(auth.ManageAccess, s.handleSharedKeys))
}

// ServeHTTP serves the API, turning a panic in a handler into a 500 that
// is logged as the bug it is.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("internal error serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, http.StatusInternalServerError, "InternalServerError", "internal error; see the server log", nil)
		}
	}()
	s.mux.ServeHTTP(w, r)
}

type ctxKey struct{}

// Principal returns the token that authenticated r.
func Principal(ctx context.Context) (auth.Token, bool) {
	t, ok := ctx.Value(ctxKey{}).(auth.Token)
	return t, ok
}

// authed wraps h with bearer authentication and a permission check.
func (s *Server) authed(perm auth.Permission, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := s.authenticate(r)
		if err != nil {
			s.log.Warn("authentication failed", "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path, "reason", err.Error())
			w.Header().Set("WWW-Authenticate", `Bearer realm="goshawk", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "AuthorizationRequiredError", "Valid authentication was not provided: "+err.Error(), nil)
			return
		}
		if !tok.Role.Allows(perm) {
			s.log.Warn("permission denied", "remote", r.RemoteAddr, "token", tok.Name, "role", string(tok.Role), "needs", perm.String(), "path", r.URL.Path)
			writeError(w, http.StatusForbidden, "InsufficientAccessError", fmt.Sprintf("The token %q (role %s) may not %s.", tok.Name, tok.Role, perm), nil)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, tok)))
	})
}

// authenticate reads the bearer token. The reason it returns never
// includes the credential.
func (s *Server) authenticate(r *http.Request) (auth.Token, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return auth.Token{}, errors.New("no Authorization header")
	}
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return auth.Token{}, errors.New("the Authorization header is not a bearer token")
	}
	t, err := s.ws.Authenticate(strings.TrimSpace(cred))
	if err != nil {
		return auth.Token{}, errors.New("unknown or revoked token")
	}
	return t, nil
}

// apiError is the error object every route answers with, the OneAPI shape
// Azure Monitor uses.
type apiError struct {
	Code       string    `json:"code"`
	Message    string    `json:"message"`
	InnerError *apiError `json:"innererror,omitempty"`
	// Query errors locate the problem, as Log Analytics does.
	Line  int    `json:"line,omitempty"`
	Pos   int    `json:"pos,omitempty"`
	Token string `json:"token,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg string, inner *apiError) {
	writeJSON(w, status, map[string]any{"error": &apiError{Code: code, Message: msg, InnerError: inner}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// decodeJSON reads a small JSON request body (at most 1 MB) into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return decodeJSONLimit(w, r, v, 1)
}

// decodeJSONLimit reads a JSON request body of at most mb megabytes into
// v, answering the error itself when it cannot.
func decodeJSONLimit(w http.ResponseWriter, r *http.Request, v any, mb int64) bool {
	body := http.MaxBytesReader(w, r.Body, mb<<20)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", fmt.Sprintf("the request body exceeds %d MB", mb), nil)
			return false
		}
		writeError(w, http.StatusBadRequest, "BadArgumentError", "malformed JSON body: "+err.Error(), nil)
		return false
	}
	return true
}
