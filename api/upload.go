package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/goshawk-sec/goshawk/ingest"
)

// handleUpload is the Logs Ingestion API: a JSON array for a rule's
// stream, answered 204 once the rows are durable.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	received := s.now()
	ruleID, stream := r.PathValue("ruleId"), r.PathValue("stream")
	if v := r.URL.Query().Get("api-version"); v != "" && v != "2021-11-01-preview" && v != "2023-01-01" {
		writeError(w, http.StatusBadRequest, "InvalidApiVersion", fmt.Sprintf("api-version %q is not supported; use 2023-01-01", v), nil)
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	defer putBody(body)
	n, err := s.ws.Pipeline().Ingest(r.Context(), ruleID, stream, *body, received)
	if err != nil {
		s.ingestError(w, r, err)
		return
	}
	if tok, ok := Principal(r.Context()); ok {
		s.log.Debug("ingested", "token", tok.Name, "rule", ruleID, "stream", stream, "rows", n)
	}
	w.WriteHeader(http.StatusNoContent)
}

// readBody reads the request body within the configured limits,
// decompressing gzip. It answers the request itself on failure.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*[]byte, bool) {
	if r.ContentLength > s.cfg.MaxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "ContentLengthLimitExceeded",
			fmt.Sprintf("The request body is %d bytes; the limit is %d bytes.", r.ContentLength, s.cfg.MaxBodyBytes), nil)
		return nil, false
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	limit := s.cfg.MaxBodyBytes
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			s.bodyError(w, err, "the body is not valid gzip: ")
			return nil, false
		}
		defer zr.Close()
		src, limit = zr, s.cfg.MaxDecodedBytes
	default:
		writeError(w, http.StatusUnsupportedMediaType, "UnsupportedContentEncoding", fmt.Sprintf("Content-Encoding %q is not supported; send gzip or nothing", enc), nil)
		return nil, false
	}
	buf := getBody()
	bb := bytes.NewBuffer((*buf)[:0])
	_, err := bb.ReadFrom(&io.LimitedReader{R: src, N: limit + 1})
	b := bb.Bytes()
	if err != nil {
		*buf = b
		putBody(buf)
		s.bodyError(w, err, "reading the body: ")
		return nil, false
	}
	*buf = b
	if int64(len(b)) > limit {
		putBody(buf)
		writeError(w, http.StatusRequestEntityTooLarge, "ContentLengthLimitExceeded",
			fmt.Sprintf("The decompressed request body exceeds %d bytes.", limit), nil)
		return nil, false
	}
	return buf, true
}

func (s *Server) bodyError(w http.ResponseWriter, err error, prefix string) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeError(w, http.StatusRequestEntityTooLarge, "ContentLengthLimitExceeded",
			fmt.Sprintf("The request body exceeds the limit of %d bytes.", s.cfg.MaxBodyBytes), nil)
		return
	}
	writeError(w, http.StatusBadRequest, "InvalidContent", prefix+err.Error(), nil)
}

// ingestError maps a pipeline error to the Logs Ingestion API's answers.
func (s *Server) ingestError(w http.ResponseWriter, r *http.Request, err error) {
	var de *ingest.DataError
	switch {
	case errors.As(err, &de):
		writeError(w, http.StatusBadRequest, "InvalidContent", "The request content is invalid: "+de.Error(), nil)
	case errors.Is(err, ingest.ErrUnknownRule):
		writeError(w, http.StatusNotFound, "DataCollectionRuleNotFound", err.Error(), nil)
	case errors.Is(err, ingest.ErrUnknownStream):
		writeError(w, http.StatusBadRequest, "InvalidStream", err.Error(), nil)
	case errors.Is(err, ingest.ErrQueueFull):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "TooManyRequests", "The ingestion queue is full; retry after 1 second.", nil)
	case errors.Is(err, ingest.ErrClosed):
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The server is shutting down; retry on restart.", nil)
	case r.Context().Err() != nil:
		s.log.Info("ingestion request abandoned by the client", "remote", r.RemoteAddr)
	default:
		s.log.Error("ingestion failed", "err", err)
		writeError(w, http.StatusInternalServerError, "InternalServerError", "The rows could not be stored: "+err.Error(), nil)
	}
}
