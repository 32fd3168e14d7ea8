package api

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/edr"
)

func principalName(r *http.Request) string {
	if t, ok := Principal(r.Context()); ok {
		return "token/" + t.Name
	}
	return "unknown"
}

func (s *Server) handleCreateOnboarding(w http.ResponseWriter, r *http.Request) {
	var req edr.OnboardingRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	pkg, err := s.edr.CreateOnboarding(r.Context(), req, principalName(r))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, pkg)
}

func (s *Server) handleListOnboarding(w http.ResponseWriter, r *http.Request) {
	toks, err := s.edr.EnrollmentTokens(r.Context())
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": toks})
}

func (s *Server) handleRevokeOnboarding(w http.ResponseWriter, r *http.Request) {
	if err := s.edr.RevokeEnrollmentToken(r.Context(), r.PathValue("id"), principalName(r)); err != nil {
		s.edrError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// parseTime reads an RFC 3339 query parameter; empty is the zero time.
func parseTime(w http.ResponseWriter, r *http.Request, name string) (time.Time, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadArgumentError", name+" must be an RFC 3339 time: "+err.Error(), nil)
		return time.Time{}, false
	}
	return t, true
}

func parseInt(w http.ResponseWriter, r *http.Request, name string) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		writeError(w, http.StatusBadRequest, "BadArgumentError", name+" must be a non-negative number", nil)
		return 0, false
	}
	return n, true
}

func (s *Server) handleListDevices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := edr.DeviceFilter{Name: q.Get("name"), Health: q.Get("health"), OS: q.Get("os")}
	var ok bool
	if f.SeenAfter, ok = parseTime(w, r, "lastSeenAfter"); !ok {
		return
	}
	devs, err := s.edr.Devices(r.Context(), f)
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	if devs == nil {
		devs = []edr.Device{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": devs})
}

func (s *Server) handleGetDevice(w http.ResponseWriter, r *http.Request) {
	dev, err := s.edr.Device(r.Context(), r.PathValue("id"))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dev)
}

func (s *Server) handleTimeline(w http.ResponseWriter, r *http.Request) {
	var q edr.TimelineQuery
	var ok bool
	if q.From, ok = parseTime(w, r, "from"); !ok {
		return
	}
	if q.To, ok = parseTime(w, r, "to"); !ok {
		return
	}
	if q.Limit, ok = parseInt(w, r, "limit"); !ok {
		return
	}
	if q.Skip, ok = parseInt(w, r, "skip"); !ok {
		return
	}
	q.Type = r.URL.Query().Get("type")
	tl, err := s.edr.Timeline(r.Context(), r.PathValue("id"), q)
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tl)
}

func (s *Server) handleOffboardDevice(w http.ResponseWriter, r *http.Request) {
	dev, err := s.edr.Device(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.edr.Offboard(r.Context(), dev.ID, principalName(r))
	}
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleCreateAction(w http.ResponseWriter, r *http.Request) {
	var req edr.ActionRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	a, err := s.edr.CreateAction(r.Context(), r.PathValue("id"), req, principalName(r))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) handleDeviceActions(w http.ResponseWriter, r *http.Request) {
	as, err := s.edr.Actions(r.Context(), r.PathValue("id"))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": as})
}

func (s *Server) handleGetAction(w http.ResponseWriter, r *http.Request) {
	a, err := s.edr.Action(r.Context(), r.PathValue("id"))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) handleGetPackage(w http.ResponseWriter, r *http.Request) {
	f, err := s.edr.Package(r.Context(), r.PathValue("id"), principalName(r))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+r.PathValue("id")+`.package"`)
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, f)
}

// handleAudit lists the EDR audit trail, oldest first; ?target=device/ID
// keeps one target's entries.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	entries, err := s.edr.Audit(r.Context(), r.URL.Query().Get("target"))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	if entries == nil {
		entries = []edr.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": entries})
}

func (s *Server) handleListIndicators(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"value": s.edr.Indicators(r.Context())})
}

func (s *Server) handleCreateIndicator(w http.ResponseWriter, r *http.Request) {
	var in agentproto.Indicator
	if !decodeJSON(w, r, &in) {
		return
	}
	out, err := s.edr.CreateIndicator(r.Context(), in, principalName(r))
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleDeleteIndicator(w http.ResponseWriter, r *http.Request) {
	if err := s.edr.DeleteIndicator(r.Context(), r.PathValue("id"), principalName(r)); err != nil {
		s.edrError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
