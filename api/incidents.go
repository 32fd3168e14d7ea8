package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/incidents"
)

// MountIncidents serves the incidents: reading them needs the query
// permission, triage (updates and comments) the respond permission.
func (s *Server) MountIncidents(svc *incidents.Service) {
	s.incidents = svc
	s.mux.Handle("GET /v1/incidents", s.authed(auth.Query, s.handleListIncidents))
	s.mux.Handle("GET /v1/incidents/{number}", s.authed(auth.Query, s.handleGetIncident))
	s.mux.Handle("PATCH /v1/incidents/{number}", s.authed(auth.Respond, s.handleUpdateIncident))
	s.mux.Handle("POST /v1/incidents/{number}/update", s.authed(auth.Respond, s.handleUpdateIncident))
	s.mux.Handle("POST /v1/incidents/{number}/comments", s.authed(auth.Respond, s.handleCommentIncident))
	s.mux.Handle("GET /v1/incidents/{number}/alerts", s.authed(auth.Query, s.handleIncidentAlerts))
	s.mux.Handle("GET /v1/incidents/{number}/entities", s.authed(auth.Query, s.handleIncidentEntities))
}

// incidentError answers the incidents service's errors.
func (s *Server) incidentError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, incidents.ErrNotFound):
		writeError(w, http.StatusNotFound, "NotFound", err.Error(), nil)
	case errors.Is(err, incidents.ErrInvalid):
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
	case r.Context().Err() != nil:
		s.log.Info("request abandoned by the client", "remote", r.RemoteAddr, "path", r.URL.Path)
	default:
		s.log.Error("incident request failed", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error(), nil)
	}
}

// incidentNumber reads the {number} of the path.
func incidentNumber(w http.ResponseWriter, r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "the incident number must be a positive integer, not "+strconv.Quote(r.PathValue("number")), nil)
		return 0, false
	}
	return n, true
}

// handleListIncidents lists incidents: status and severity (repeated or
// comma-separated), owner, from and to (RFC 3339, on the creation time)
// and limit filter them.
func (s *Server) handleListIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := incidents.Filter{Statuses: q["status"], Severities: q["severity"], Owner: q.Get("owner")}
	var ok bool
	if f.From, ok = parseTime(w, r, "from"); !ok {
		return
	}
	if f.To, ok = parseTime(w, r, "to"); !ok {
		return
	}
	if f.Limit, ok = parseInt(w, r, "limit"); !ok {
		return
	}
	incs, err := s.incidents.List(r.Context(), f)
	if err != nil {
		s.incidentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": incs})
}

func (s *Server) handleGetIncident(w http.ResponseWriter, r *http.Request) {
	n, ok := incidentNumber(w, r)
	if !ok {
		return
	}
	inc, err := s.incidents.Get(r.Context(), n)
	if err != nil {
		s.incidentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, inc)
}

func (s *Server) handleUpdateIncident(w http.ResponseWriter, r *http.Request) {
	n, ok := incidentNumber(w, r)
	if !ok {
		return
	}
	var u incidents.Update
	if !decodeJSON(w, r, &u) {
		return
	}
	inc, err := s.incidents.Update(r.Context(), n, u, principalName(r))
	if err != nil {
		s.incidentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, inc)
}

// IncidentComment is the body of POST /v1/incidents/{number}/comments.
type IncidentComment struct {
	Message string `json:"message"`
}

func (s *Server) handleCommentIncident(w http.ResponseWriter, r *http.Request) {
	n, ok := incidentNumber(w, r)
	if !ok {
		return
	}
	var req IncidentComment
	if !decodeJSON(w, r, &req) {
		return
	}
	c, err := s.incidents.AddComment(r.Context(), n, req.Message, principalName(r))
	if err != nil {
		s.incidentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) handleIncidentAlerts(w http.ResponseWriter, r *http.Request) {
	n, ok := incidentNumber(w, r)
	if !ok {
		return
	}
	as, err := s.incidents.Alerts(r.Context(), n)
	if err != nil {
		s.incidentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": as})
}

func (s *Server) handleIncidentEntities(w http.ResponseWriter, r *http.Request) {
	n, ok := incidentNumber(w, r)
	if !ok {
		return
	}
	es, err := s.incidents.Entities(r.Context(), n)
	if err != nil {
		s.incidentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": es})
}
