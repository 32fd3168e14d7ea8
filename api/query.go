package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
)

// queryBody is the POST body of the query API.
type queryBody struct {
	Query      string   `json:"query"`
	Timespan   string   `json:"timespan,omitempty"`
	Workspaces []string `json:"workspaces,omitempty"`
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	wsID := r.PathValue("workspaceId")
	if !strings.EqualFold(wsID, s.ws.ID()) {
		writeError(w, http.StatusNotFound, "WorkspaceNotFoundError", fmt.Sprintf("Workspace %q was not found; this server holds workspace %s.", wsID, s.ws.ID()), nil)
		return
	}
	var body queryBody
	if r.Method == http.MethodGet {
		body.Query = r.URL.Query().Get("query")
		body.Timespan = r.URL.Query().Get("timespan")
	} else if !decodeJSON(w, r, &body) {
		return
	}
	if strings.TrimSpace(body.Query) == "" {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
			&apiError{Code: "QueryValidationError", Message: "Required parameter 'query' was missing or empty"})
		return
	}
	for _, other := range body.Workspaces {
		if !strings.EqualFold(other, s.ws.ID()) {
			writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
				&apiError{Code: "WorkspaceNotFoundError", Message: fmt.Sprintf("Additional workspace %q is not served here", other)})
			return
		}
	}
	now := s.now().UTC()
	opts := query.Options{Now: now}
	if body.Timespan != "" {
		win, err := ParseTimespan(body.Timespan, now)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
				&apiError{Code: "InvalidTimespanError", Message: err.Error()})
			return
		}
		opts.Window = win
	}
	prefer := parsePrefer(r.Header.Get("Prefer"))
	wait := s.cfg.MaxQueryWait
	if v, ok := prefer["wait"]; ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && time.Duration(n)*time.Second < wait {
			wait = time.Duration(n) * time.Second
		}
	}
	// The request's context ends when the client goes away, which
	// cancels the query in DuckDB.
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	start := time.Now()
	set, err := s.ws.Engine().Run(ctx, body.Query, opts)
	if err != nil {
		s.queryError(w, r, err, wait)
		return
	}
	tok, _ := Principal(r.Context())
	s.log.Info("query", "token", tok.Name, "rows", rowCount(set), "truncated", set.Truncated, "ms", time.Since(start).Milliseconds())
	elapsed := time.Since(start)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	bw := bufio.NewWriterSize(w, 64<<10)
	var out io.Writer = bw
	var sw *statsWriter
	if v, ok := prefer["include-statistics"]; ok && !strings.EqualFold(v, "false") {
		w.Header().Set("Preference-Applied", "include-statistics=true")
		sw = &statsWriter{w: bw}
		out = sw
	}
	if err := result.WriteJSON(out, set); err != nil {
		s.log.Error("write query result", "err", err)
		return
	}
	if sw != nil {
		if err := sw.finish(queryStatistics(set, elapsed)); err != nil {
			s.log.Error("write query statistics", "err", err)
			return
		}
	}
	_ = bw.Flush()
}

// queryStatistics is the "statistics" member Log Analytics adds to a
// result when asked with "Prefer: include-statistics=true": the execution
// time in seconds and the row count of each result table.
func queryStatistics(set *result.Set, elapsed time.Duration) []byte {
	type tableStats struct {
		TableRowCount int `json:"tableRowCount"`
	}
	var st struct {
		Query struct {
			ExecutionTime     float64      `json:"executionTime"`
			DatasetStatistics []tableStats `json:"datasetStatistics"`
		} `json:"query"`
	}
	st.Query.ExecutionTime = elapsed.Seconds()
	st.Query.DatasetStatistics = []tableStats{}
	for _, t := range set.Tables {
		if t != nil {
			st.Query.DatasetStatistics = append(st.Query.DatasetStatistics, tableStats{TableRowCount: len(t.Rows)})
		}
	}
	b, _ := json.Marshal(st)
	return b
}

// statsWriter passes a result's JSON through but holds back its last two
// bytes, the closing "}\n" result.WriteJSON ends with, so that finish can
// add the statistics member before them.
type statsWriter struct {
	w    io.Writer
	tail []byte
}

func (s *statsWriter) Write(p []byte) (int, error) {
	if len(p) >= 2 {
		if len(s.tail) > 0 {
			if _, err := s.w.Write(s.tail); err != nil {
				return 0, err
			}
		}
		if _, err := s.w.Write(p[:len(p)-2]); err != nil {
			return 0, err
		}
		s.tail = append(s.tail[:0], p[len(p)-2:]...)
		return len(p), nil
	}
	s.tail = append(s.tail, p...)
	if n := len(s.tail) - 2; n > 0 {
		if _, err := s.w.Write(s.tail[:n]); err != nil {
			return 0, err
		}
		s.tail = append(s.tail[:0], s.tail[n:]...)
	}
	return len(p), nil
}

// finish writes the statistics member and the closing brace.
func (s *statsWriter) finish(stats []byte) error {
	if string(s.tail) != "}\n" {
		return fmt.Errorf("the result JSON ends with %q, not a closing brace", s.tail)
	}
	b := make([]byte, 0, len(stats)+20)
	b = append(b, `,"statistics":`...)
	b = append(b, stats...)
	b = append(b, "}\n"...)
	_, err := s.w.Write(b)
	return err
}

func rowCount(set *result.Set) int {
	if t := set.Primary(); t != nil {
		return len(t.Rows)
	}
	return 0
}

// queryError answers a failed query in Log Analytics' shape: a 400
// BadArgumentError with the syntax or semantic error and its position
// inside, a 504 for a timeout, nothing when the client is gone.
func (s *Server) queryError(w http.ResponseWriter, r *http.Request, err error, wait time.Duration) {
	var ke *kql.Error
	switch {
	case errors.As(err, &ke):
		d := ke.First()
		inner := &apiError{Code: "SemanticError", Message: "A semantic error occurred."}
		if ke.Stage == kql.StageParse {
			inner = &apiError{Code: "SyntaxError", Message: "A recognition error occurred in the query."}
		}
		if d != nil {
			p := ke.Source.Position(d.From)
			tok := ""
			if int(d.To) <= len(ke.Source.Text) && d.To > d.From {
				tok = ke.Source.Text[d.From:d.To]
			}
			inner.InnerError = &apiError{Code: d.Code, Message: fmt.Sprintf("%s at line %d, column %d", d.Message, p.Line, p.Col), Line: p.Line, Pos: p.Col, Token: tok}
		}
		writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties", inner)
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusGatewayTimeout, "GatewayTimeout", fmt.Sprintf("The query did not finish within %s.", wait), nil)
	case r.Context().Err() != nil:
		// The client went away; the query was cancelled.
		s.log.Info("query cancelled: client went away", "remote", r.RemoteAddr)
	default:
		var ee *query.ExecError
		msg := err.Error()
		if errors.As(err, &ee) {
			msg = ee.Err.Error()
		}
		writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
			&apiError{Code: "QueryExecutionError", Message: msg})
	}
}

// parsePrefer reads a Prefer header ("wait=600, include-statistics=true").
func parsePrefer(h string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return out
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseDuration reads an ISO 8601 duration (PT1H, P1D, P1DT12H30M,
// P2W). Years and months are refused: their length varies.
func ParseDuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT1H or P7D", s)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var d float64
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		f, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, err)
		}
		d += f * float64(u)
	}
	if d <= 0 || d > float64(100*365*24*time.Hour) {
		return 0, fmt.Errorf("%q is not a positive duration of at most 100 years", s)
	}
	return time.Duration(d), nil
}

// ParseTimespan reads the query API's timespan: a duration ending now, or
// an interval start/end, start/duration or duration/end.
func ParseTimespan(s string, now time.Time) (*plan.TimeWindow, error) {
	s = strings.TrimSpace(s)
	first, second, isInterval := strings.Cut(s, "/")
	if !isInterval {
		d, err := ParseDuration(s)
		if err != nil {
			return nil, err
		}
		return &plan.TimeWindow{From: now.Add(-d), To: now}, nil
	}
	parseEnd := func(x string) (time.Time, bool) {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(x))
		if err != nil {
			if t, err = time.Parse("2006-01-02T15:04:05.999999999", strings.TrimSpace(x)); err != nil {
				if t, err = time.Parse("2006-01-02", strings.TrimSpace(x)); err != nil {
					return time.Time{}, false
				}
			}
		}
		return t.UTC(), true
	}
	var win plan.TimeWindow
	start, okStart := parseEnd(first)
	end, okEnd := parseEnd(second)
	switch {
	case okStart && okEnd:
		win = plan.TimeWindow{From: start, To: end}
	case okStart:
		d, err := ParseDuration(second)
		if err != nil {
			return nil, fmt.Errorf("timespan %q: %v", s, err)
		}
		win = plan.TimeWindow{From: start, To: start.Add(d)}
	case okEnd:
		d, err := ParseDuration(first)
		if err != nil {
			return nil, fmt.Errorf("timespan %q: %v", s, err)
		}
		win = plan.TimeWindow{From: end.Add(-d), To: end}
	default:
		return nil, fmt.Errorf("timespan %q is neither an ISO 8601 duration nor an interval start/end", s)
	}
	if !win.To.After(win.From) {
		return nil, fmt.Errorf("timespan %q ends before it starts", s)
	}
	return &win, nil
}
