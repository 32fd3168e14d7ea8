package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/content"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/hunting"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/rules"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/workspace"
)

// Error is an error the server answered with: the Azure "OneAPI" error
// object of every route, and the HTTP status. Inner errors are nested
// Errors with Status zero; query errors locate the problem in the
// innermost one.
type Error struct {
	// Status is the HTTP status code.
	Status  int
	Code    string
	Message string
	// Inner is the more specific error beneath this one, if any.
	Inner *Error
	// Line and Pos (the column, 1-based, in bytes) locate a query error,
	// and Snippet is the query text at fault.
	Line, Pos int
	Snippet   string

	// wait is the delay the server asked for before a retry (429, 503).
	wait time.Duration
}

// Innermost returns the most specific error in the chain.
func (e *Error) Innermost() *Error {
	cur := e
	for cur.Inner != nil {
		cur = cur.Inner
	}
	return cur
}

// Error returns the innermost message and, for a query error, where in
// the query it lies.
func (e *Error) Error() string {
	in := e.Innermost()
	msg := in.Message
	if msg == "" {
		msg = e.Message
	}
	if msg == "" {
		msg = fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	}
	if in.Line > 0 {
		if at := fmt.Sprintf(" at line %d, column %d", in.Line, in.Pos); !strings.HasSuffix(msg, at) {
			msg += at
		}
	}
	return msg
}

// Is lets errors.Is match the sentinels the workspace itself returns for
// the same failures: workspace.ErrNotFound for an unknown token, table or
// rule, ingest.ErrUnknownRule, ingest.ErrQueueFull, and
// auth.ErrUnauthenticated for a refused token.
func (e *Error) Is(target error) bool {
	switch target {
	case workspace.ErrNotFound, edr.ErrNotFound, connector.ErrNotFound, content.ErrNotFound, hunting.ErrNotFound,
		rules.ErrNotFound, incidents.ErrNotFound:
		return e.Status == http.StatusNotFound && e.Code == "NotFound"
	case incidents.ErrInvalid, hunting.ErrInvalid, edr.ErrInvalid:
		return e.Status == http.StatusBadRequest
	case ingest.ErrUnknownRule:
		return e.Code == "DataCollectionRuleNotFound"
	case ingest.ErrQueueFull:
		return e.Status == http.StatusTooManyRequests
	case auth.ErrUnauthenticated:
		return e.Status == http.StatusUnauthorized
	}
	return false
}

// wireError is the error object as sent.
type wireError struct {
	Code       string      `json:"code"`
	Message    string      `json:"message"`
	InnerError *wireError  `json:"innererror"`
	Details    []wireError `json:"details"`
	Line       int         `json:"line"`
	Pos        int         `json:"pos"`
	Token      string      `json:"token"`
}

func (w *wireError) toError(status int) *Error {
	e := &Error{Status: status, Code: w.Code, Message: w.Message, Line: w.Line, Pos: w.Pos, Snippet: w.Token}
	switch {
	case w.InnerError != nil:
		e.Inner = w.InnerError.toError(0)
	case len(w.Details) > 0:
		e.Inner = w.Details[0].toError(0)
	}
	return e
}

// fromResultError converts the error of a query answer as package result
// reads it.
func fromResultError(status int, ei *result.ErrorInfo) *Error {
	e := &Error{Status: status, Code: ei.Code, Message: ei.Message}
	switch {
	case ei.InnerError != nil:
		e.Inner = fromResultError(0, ei.InnerError)
	case len(ei.Details) > 0:
		e.Inner = fromResultError(0, &ei.Details[0])
	}
	return e
}

// readError turns a failed response into an *Error. A body that is not
// the API's error object (a proxy's page, say) is quoted briefly.
func readError(resp *http.Response) error {
	e := parseError(resp)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.wait = retryAfter(resp.Header)
	}
	return e
}

func parseError(resp *http.Response) *Error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error *wireError `json:"error"`
	}
	if json.Unmarshal(b, &body) == nil && body.Error != nil && (body.Error.Code != "" || body.Error.Message != "") {
		return body.Error.toError(resp.StatusCode)
	}
	text := strings.TrimSpace(string(bytes.ToValidUTF8(b, nil)))
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	if len(text) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	msg := fmt.Sprintf("%s %s: %d %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, http.StatusText(resp.StatusCode))
	if text != "" {
		msg += ": " + text
	}
	return &Error{Status: resp.StatusCode, Code: http.StatusText(resp.StatusCode), Message: msg}
}
