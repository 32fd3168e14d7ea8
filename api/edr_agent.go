package api

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/ingest"
)

// MountEDR serves the EDR backend: the agent protocol under /agent/v1/
// (enrollment with a token, everything else with the device's client
// certificate) and the device, action and indicator API under /v1/ (bearer
// tokens). The TLS configuration must request client certificates and
// verify them against the workspace CA (tls.VerifyClientCertIfGiven), so
// that r.TLS.VerifiedChains is what authenticates a device.
func (s *Server) MountEDR(svc *edr.Service) {
	s.edr = svc
	s.mux.HandleFunc("POST "+agentproto.PathEnroll, s.handleEnroll)
	s.mux.Handle("POST "+agentproto.PathHeartbeat, s.device(s.handleHeartbeat))
	s.mux.Handle("POST "+agentproto.PathInventory, s.device(s.handleInventory))
	s.mux.Handle("POST "+agentproto.PathEvents, s.device(s.handleEvents))
	s.mux.Handle("GET "+agentproto.PathCommands, s.device(s.handleCommands))
	s.mux.Handle("POST "+agentproto.PathCommandResult, s.device(s.handleCommandResult))
	s.mux.Handle("GET "+agentproto.PathIndicators, s.device(s.handleAgentIndicators))
	s.mux.Handle("PUT "+agentproto.PathUploads+"/{id}", s.device(s.handleAgentUpload))
	s.mux.Handle("POST "+agentproto.PathOffboard, s.device(s.handleAgentOffboard))
	s.mux.Handle("POST "+agentproto.PathRenew, s.device(s.handleRenew))

	s.mux.Handle("POST /v1/onboarding", s.authed(auth.ManageAccess, s.handleCreateOnboarding))
	s.mux.Handle("GET /v1/onboarding", s.authed(auth.ManageAccess, s.handleListOnboarding))
	s.mux.Handle("DELETE /v1/onboarding/{id}", s.authed(auth.ManageAccess, s.handleRevokeOnboarding))
	s.mux.Handle("GET /v1/devices", s.authed(auth.Query, s.handleListDevices))
	s.mux.Handle("GET /v1/devices/{id}", s.authed(auth.Query, s.handleGetDevice))
	s.mux.Handle("GET /v1/devices/{id}/timeline", s.authed(auth.Query, s.handleTimeline))
	s.mux.Handle("POST /v1/devices/{id}/offboard", s.authed(auth.ManageAccess, s.handleOffboardDevice))
	s.mux.Handle("POST /v1/devices/{id}/actions", s.authed(auth.Respond, s.handleCreateAction))
	s.mux.Handle("GET /v1/devices/{id}/actions", s.authed(auth.Query, s.handleDeviceActions))
	s.mux.Handle("GET /v1/actions/{id}", s.authed(auth.Query, s.handleGetAction))
	s.mux.Handle("GET /v1/actions/{id}/package", s.authed(auth.Respond, s.handleGetPackage))
	s.mux.Handle("GET /v1/audit", s.authed(auth.ManageAccess, s.handleAudit))
	s.mux.Handle("GET /v1/indicators", s.authed(auth.Query, s.handleListIndicators))
	s.mux.Handle("POST /v1/indicators", s.authed(auth.ManageContent, s.handleCreateIndicator))
	s.mux.Handle("DELETE /v1/indicators/{id}", s.authed(auth.ManageContent, s.handleDeleteIndicator))
}

type deviceKey struct{}

// device wraps h with client-certificate authentication: the certificate
// must have been verified against the workspace CA during the handshake
// and be the current certificate of a device that is not offboarded.
func (s *Server) device(h func(w http.ResponseWriter, r *http.Request, dev edr.Device)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
			s.log.Warn("agent request without a client certificate", "remote", r.RemoteAddr, "path", r.URL.Path)
			writeError(w, http.StatusUnauthorized, "AuthorizationRequiredError", "agent requests need the device's client certificate", nil)
			return
		}
		dev, err := s.edr.DeviceForCert(r.TLS.VerifiedChains[0][0])
		switch {
		case errors.Is(err, edr.ErrOffboarded):
			s.log.Warn("agent request from an offboarded device", "remote", r.RemoteAddr, "device", dev.ID, "path", r.URL.Path)
			writeError(w, http.StatusForbidden, "DeviceOffboarded", "the device is offboarded; onboard it again", nil)
			return
		case err != nil:
			s.log.Warn("agent request with an unknown certificate", "remote", r.RemoteAddr, "cn", r.TLS.VerifiedChains[0][0].Subject.CommonName, "path", r.URL.Path)
			writeError(w, http.StatusUnauthorized, "AuthorizationRequiredError", "the client certificate is not a current device certificate", nil)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, dev)), dev)
	})
}

// edrError answers a failed EDR call.
func (s *Server) edrError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, edr.ErrNotFound):
		writeError(w, http.StatusNotFound, "NotFound", err.Error(), nil)
	case errors.Is(err, edr.ErrInvalid):
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
	case errors.Is(err, edr.ErrBadToken):
		writeError(w, http.StatusUnauthorized, "InvalidEnrollmentToken", err.Error(), nil)
	case errors.Is(err, edr.ErrUnknownDevice):
		writeError(w, http.StatusUnauthorized, "AuthorizationRequiredError", err.Error(), nil)
	case errors.Is(err, edr.ErrNoCA):
		writeError(w, http.StatusServiceUnavailable, "EnrollmentUnavailable", err.Error(), nil)
	case errors.Is(err, edr.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", err.Error(), nil)
	case errors.Is(err, ingest.ErrQueueFull), errors.Is(err, ingest.ErrClosed):
		s.ingestError(w, r, err)
	case r.Context().Err() != nil:
		s.log.Info("agent request abandoned by the client", "remote", r.RemoteAddr, "path", r.URL.Path)
	default:
		s.log.Error("EDR request failed", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "InternalServerError", "internal error; see the server log", nil)
	}
}

// decodeAgent reads a JSON body of at most limit bytes (decompressing
// gzip) into v. Unknown fields are allowed: newer agents may send them.
func (s *Server) decodeAgent(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	var src io.Reader = http.MaxBytesReader(w, r.Body, limit)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadArgumentError", "the body is not valid gzip: "+err.Error(), nil)
			return false
		}
		defer zr.Close()
		src = io.LimitReader(zr, s.edr.Config().MaxEventBytes+1)
	default:
		writeError(w, http.StatusUnsupportedMediaType, "UnsupportedContentEncoding", fmt.Sprintf("Content-Encoding %q is not supported; send gzip or nothing", enc), nil)
		return false
	}
	data, err := io.ReadAll(src)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", fmt.Sprintf("the request body exceeds %d bytes", limit), nil)
			return false
		}
		writeError(w, http.StatusBadRequest, "BadArgumentError", "reading the body: "+err.Error(), nil)
		return false
	}
	if int64(len(data)) > s.edr.Config().MaxEventBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", fmt.Sprintf("the decompressed body exceeds %d bytes", s.edr.Config().MaxEventBytes), nil)
		return false
	}
	if err := json.Unmarshal(data, v); err != nil {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "malformed JSON body: "+err.Error(), nil)
		return false
	}
	return true
}

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		writeError(w, http.StatusUnauthorized, "InvalidEnrollmentToken", "enrollment needs the package's token as a bearer token", nil)
		return
	}
	var req agentproto.EnrollRequest
	if !s.decodeAgent(w, r, 1<<20, &req) {
		return
	}
	resp, err := s.edr.Enroll(r.Context(), strings.TrimSpace(token), req, r.RemoteAddr)
	if err != nil {
		s.log.Warn("enrollment refused", "remote", r.RemoteAddr, "hostname", req.Hostname, "reason", err.Error())
		s.edrError(w, r, err)
		return
	}
	s.log.Info("device enrolled", "device", resp.DeviceID, "hostname", req.Hostname, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleHeartbeat(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	var hb agentproto.Heartbeat
	if !s.decodeAgent(w, r, 1<<20, &hb) {
		return
	}
	resp, err := s.edr.Heartbeat(r.Context(), dev.ID, hb)
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleInventory(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	var inv agentproto.Inventory
	if !s.decodeAgent(w, r, 8<<20, &inv) {
		return
	}
	if err := s.edr.Inventory(r.Context(), dev.ID, inv); err != nil {
		s.edrError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	var b agentproto.EventBatch
	if !s.decodeAgent(w, r, s.edr.Config().MaxEventBytes, &b) {
		return
	}
	ack, err := s.edr.IngestEvents(r.Context(), dev, b)
	if err != nil {
		s.log.Warn("event batch refused", "device", dev.ID, "seq", b.Seq, "reason", err.Error())
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ack)
}

func (s *Server) handleCommands(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	cmds, err := s.edr.Commands(r.Context(), dev.ID, s.edr.Config().CommandWait)
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, agentproto.CommandList{Commands: cmds})
}

func (s *Server) handleCommandResult(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	var res agentproto.CommandResult
	if !s.decodeAgent(w, r, 1<<20, &res) {
		return
	}
	if err := s.edr.CommandResult(r.Context(), dev.ID, res); err != nil {
		s.edrError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAgentIndicators(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	writeJSON(w, http.StatusOK, s.edr.IndicatorSet(r.Context(), dev.ID))
}

func (s *Server) handleAgentUpload(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	limit := s.edr.Config().MaxUploadBytes
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", fmt.Sprintf("the upload is %d bytes; the limit is %d", r.ContentLength, limit), nil)
		return
	}
	if err := s.edr.Upload(r.Context(), dev.ID, r.PathValue("id"), r.Body); err != nil {
		s.edrError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAgentOffboard(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	if err := s.edr.Offboard(r.Context(), dev.ID, "device/"+dev.ID); err != nil {
		s.edrError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRenew(w http.ResponseWriter, r *http.Request, dev edr.Device) {
	var req agentproto.RenewRequest
	if !s.decodeAgent(w, r, 1<<20, &req) {
		return
	}
	resp, err := s.edr.Renew(r.Context(), dev.ID, r.TLS.VerifiedChains[0][0].SerialNumber.Text(16), req)
	if err != nil {
		s.edrError(w, r, err)
		return
	}
	s.log.Info("device certificate renewed", "device", dev.ID)
	writeJSON(w, http.StatusOK, resp)
}
