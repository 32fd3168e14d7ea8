package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/workspace"
)

// The HTTP Data Collector API: POST /api/logs?api-version=2016-04-01 with
// a Log-Type header, signed with the workspace's shared key. Its answers
// follow Azure's: 200 with an empty body on success, and errors as
// {"Error": code, "Message": text} — 400 for a bad request, 403
// InvalidAuthorization for a bad signature.

const (
	collectorAPIVersion = "2016-04-01"
	// collectorResource is the resource the signature covers.
	collectorResource = "/api/logs"
	// collectorMaxSkew bounds the distance between x-ms-date and the
	// server clock, so that a captured request cannot be replayed later.
	collectorMaxSkew = 15 * time.Minute
)

// collectorSchema serializes the changes Data Collector posts make to
// table schemas: a post that adds columns takes it exclusively; a post
// storing rows shares it, so that no table changes between reading its
// columns and storing rows laid out for them.
var collectorSchema sync.RWMutex

// collectorError is the Data Collector API's error body.
type collectorError struct {
	Error   string `json:"Error"`
	Message string `json:"Message"`
}

func writeCollectorError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, collectorError{Error: code, Message: msg})
}

// handleDataCollector stores a Data Collector API post in <Log-Type>_CL,
// creating the table and the columns the records need first, and answers
// 200 once the rows are durable.
func (s *Server) handleDataCollector(w http.ResponseWriter, r *http.Request) {
	received := s.now()
	switch v := r.URL.Query().Get("api-version"); v {
	case collectorAPIVersion:
	case "":
		writeCollectorError(w, http.StatusBadRequest, "MissingApiVersion", "The api-version query parameter is required; use "+collectorAPIVersion+".")
		return
	default:
		writeCollectorError(w, http.StatusBadRequest, "InvalidApiVersion", fmt.Sprintf("api-version %q is not supported; use %s.", v, collectorAPIVersion))
		return
	}
	if r.ContentLength < 0 {
		writeCollectorError(w, http.StatusLengthRequired, "MissingContentLength", "The Content-Length header is required: the signature covers it.")
		return
	}
	if err := checkSharedKey(r.Header, r.ContentLength, s.ws.ID(), s.ws.SharedKey(), received); err != nil {
		s.log.Warn("data collector authentication failed", "remote", r.RemoteAddr, "reason", err.Error())
		writeCollectorError(w, http.StatusForbidden, "InvalidAuthorization", "The request could not be authorized: "+err.Error()+".")
		return
	}
	logType := r.Header.Get("Log-Type")
	switch {
	case logType == "":
		writeCollectorError(w, http.StatusBadRequest, "MissingLogType", "The Log-Type header is required.")
		return
	case !ingest.ValidLogType(logType):
		writeCollectorError(w, http.StatusBadRequest, "InvalidLogType",
			fmt.Sprintf("The Log-Type may contain only letters, digits and underscores, at most %d of them.", ingest.CollectorMaxLogType))
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		writeCollectorError(w, http.StatusBadRequest, "MissingContentType", "The Content-Type header is required; use application/json.")
		return
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		writeCollectorError(w, http.StatusBadRequest, "UnsupportedContentType", fmt.Sprintf("Content-Type %q is not supported; use application/json.", ct))
		return
	}
	table := ingest.CollectorTable(logType)
	if t, ok := s.ws.Store().Table(table); ok && t.Source != schema.SourceCustom {
		writeCollectorError(w, http.StatusBadRequest, "InvalidLogType", fmt.Sprintf("Log-Type %s would write to the built-in table %s.", logType, table))
		return
	}
	body, ok := s.readCollectorBody(w, r)
	if !ok {
		return
	}
	defer putBody(body)
	opts := ingest.CollectorOptions{
		TimeField:  r.Header.Get("time-generated-field"),
		ResourceID: r.Header.Get("x-ms-AzureResourceId"),
		ReceivedAt: received,
	}
	n, err := s.storeCollected(r, table, *body, opts)
	if err != nil {
		s.collectorError(w, r, err)
		return
	}
	s.log.Debug("data collector post stored", "remote", r.RemoteAddr, "table", table, "rows", n)
	w.WriteHeader(http.StatusOK)
}

// storeCollected decodes a post, extends the table as the records need and
// stores them, all or nothing.
func (s *Server) storeCollected(r *http.Request, table string, body []byte, opts ingest.CollectorOptions) (int, error) {
	ctx := r.Context()
	st := s.ws.Store()
	t, _ := st.Table(table)
	batch, err := ingest.DecodeCollector(body, t, opts)
	if err != nil {
		return 0, err
	}
	if batch.Len() == 0 {
		return 0, nil
	}
	if len(batch.NewColumns) > 0 {
		collectorSchema.Lock()
		if cur, _ := st.Table(table); cur != t {
			// Another post changed the table meanwhile: plan again.
			batch, err = ingest.DecodeCollector(body, cur, opts)
		}
		if err == nil && len(batch.NewColumns) > 0 {
			def := workspace.TableDef{Name: table}
			for _, c := range batch.NewColumns {
				def.Columns = append(def.Columns, workspace.ColumnDef{Name: c.Name, Type: c.Type.String()})
			}
			if _, cerr := s.ws.CreateTable(ctx, def); cerr != nil {
				err = fmt.Errorf("add columns to %s: %w", table, cerr)
			} else {
				s.log.Info("data collector table extended", "table", table, "columns", len(def.Columns))
			}
		}
		collectorSchema.Unlock()
		if err != nil {
			return 0, err
		}
	}
	collectorSchema.RLock()
	defer collectorSchema.RUnlock()
	p := s.ws.Pipeline()
	stream := "Custom-" + table
	cols, err := p.Columns(ingest.DefaultRuleID, stream)
	if err != nil {
		return 0, err
	}
	rows, err := batch.Rows(cols)
	if err != nil {
		return 0, err
	}
	return p.IngestRows(ctx, ingest.DefaultRuleID, stream, rows, opts.ReceivedAt)
}

// collectorError answers a failed post.
func (s *Server) collectorError(w http.ResponseWriter, r *http.Request, err error) {
	var de *ingest.DataError
	switch {
	case errors.As(err, &de):
		writeCollectorError(w, http.StatusBadRequest, "InvalidDataFormat", "The records are invalid: "+de.Error())
	case errors.Is(err, ingest.ErrQueueFull):
		w.Header().Set("Retry-After", "1")
		writeCollectorError(w, http.StatusTooManyRequests, "TooManyRequests", "The ingestion queue is full; retry after 1 second.")
	case errors.Is(err, ingest.ErrClosed):
		w.Header().Set("Retry-After", "5")
		writeCollectorError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The server is shutting down; retry on restart.")
	case r.Context().Err() != nil:
		s.log.Info("data collector post abandoned by the client", "remote", r.RemoteAddr)
	default:
		s.log.Error("data collector post failed", "err", err)
		writeCollectorError(w, http.StatusInternalServerError, "UnspecifiedError", "The records could not be stored: "+err.Error())
	}
}

// readCollectorBody reads the body with readBody, under the Data Collector
// API's own size limit, and restates its errors in that API's shape.
func (s *Server) readCollectorBody(w http.ResponseWriter, r *http.Request) (*[]byte, bool) {
	lim := *s
	lim.cfg.MaxBodyBytes = ingest.CollectorMaxBody
	if lim.cfg.MaxDecodedBytes < ingest.CollectorMaxBody {
		lim.cfg.MaxDecodedBytes = ingest.CollectorMaxBody
	}
	capt := &capturedError{header: http.Header{}}
	body, ok := lim.readBody(capt, r)
	if ok {
		return body, true
	}
	var e struct {
		Error apiError `json:"error"`
	}
	_ = json.Unmarshal(capt.body.Bytes(), &e)
	if capt.status == 0 {
		capt.status = http.StatusBadRequest
	}
	writeCollectorError(w, capt.status, e.Error.Code, e.Error.Message)
	return nil, false
}

// capturedError records the error answer of a helper that writes one.
type capturedError struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *capturedError) Header() http.Header         { return c.header }
func (c *capturedError) WriteHeader(status int)      { c.status = status }
func (c *capturedError) Write(b []byte) (int, error) { return c.body.Write(b) }

// checkSharedKey verifies a Data Collector request's Authorization header,
// "SharedKey <WorkspaceID>:<Signature>", where the signature is the
// Base64 HMAC-SHA256, keyed with the workspace's shared key, of
//
//	POST\n<Content-Length>\napplication/json\nx-ms-date:<x-ms-date>\n/api/logs
//
// and x-ms-date (RFC 1123) is within 15 minutes of now. The error it
// returns states the reason without any secret.
func checkSharedKey(h http.Header, contentLength int64, workspaceID string, key []byte, now time.Time) error {
	authz := h.Get("Authorization")
	if authz == "" {
		return errors.New("the Authorization header is missing")
	}
	scheme, cred, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "SharedKey") {
		return errors.New("the Authorization header does not use the SharedKey scheme")
	}
	id, sig, ok := strings.Cut(strings.TrimSpace(cred), ":")
	if !ok || id == "" || sig == "" {
		return errors.New("the Authorization header does not read SharedKey <WorkspaceID>:<Signature>")
	}
	if !strings.EqualFold(id, workspaceID) {
		return errors.New("the Authorization header names another workspace")
	}
	date := h.Get("x-ms-date")
	if date == "" {
		return errors.New("the x-ms-date header is missing")
	}
	t, ok := parseRFC1123(date)
	if !ok {
		return errors.New("the x-ms-date header is not an RFC 1123 date such as Mon, 04 Apr 2016 08:00:00 GMT")
	}
	if d := now.Sub(t); d > collectorMaxSkew || d < -collectorMaxSkew {
		return fmt.Errorf("the x-ms-date header is %s off the server clock, more than %s", d.Abs().Round(time.Second), collectorMaxSkew)
	}
	given, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(given, collectorSignature(key, contentLength, date)) {
		return errors.New("an invalid signature was specified in the Authorization header")
	}
	return nil
}

// collectorSignature is the HMAC-SHA256 a Data Collector request carries.
func collectorSignature(key []byte, contentLength int64, date string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("POST\n" + strconv.FormatInt(contentLength, 10) + "\napplication/json\nx-ms-date:" + date + "\n" + collectorResource))
	return m.Sum(nil)
}

// parseRFC1123 reads an RFC 1123 date in GMT (or UTC, or with a numeric
// zone), with a one- or two-digit day.
func parseRFC1123(s string) (time.Time, bool) {
	for _, layout := range []string{http.TimeFormat, "Mon, 2 Jan 2006 15:04:05 GMT", "Mon, 02 Jan 2006 15:04:05 UTC", time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// SharedKeys is the answer of GET /v1/workspace/sharedKeys, the shape of
// Azure's workspace sharedKeys API.
type SharedKeys struct {
	PrimarySharedKey string `json:"primarySharedKey"`
}

// handleSharedKeys shows the key that signs Data Collector API requests.
func (s *Server) handleSharedKeys(w http.ResponseWriter, r *http.Request) {
	by, _ := Principal(r.Context())
	s.log.Info("shared key read", "by", by.Name, "remote", r.RemoteAddr)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, SharedKeys{PrimarySharedKey: base64.StdEncoding.EncodeToString(s.ws.SharedKey())})
}
