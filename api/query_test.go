package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/workspace"
)

func TestParseTimespan(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in       string
		from, to time.Time
		err      string
	}{
		{in: "PT1H", from: now.Add(-time.Hour), to: now},
		{in: "P1D", from: now.Add(-24 * time.Hour), to: now},
		{in: "P1DT12H30M", from: now.Add(-(36*time.Hour + 30*time.Minute)), to: now},
		{in: "P2W", from: now.Add(-14 * 24 * time.Hour), to: now},
		{in: "PT0.5S", from: now.Add(-500 * time.Millisecond), to: now},
		{in: "2026-11-01T00:00:00Z/2026-11-02T00:00:00Z", from: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-01T00:00:00Z/PT6H", from: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)},
		{in: "P1D/2026-11-02T00:00:00+01:00", from: time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 1, 23, 0, 0, 0, time.UTC)},
		{in: "P1Y", err: "not an ISO 8601 duration"},
		{in: "P", err: "not an ISO 8601 duration"},
		{in: "PT", err: "not an ISO 8601 duration"},
		{in: "1h", err: "not an ISO 8601 duration"},
		{in: "PT0S", err: "not a positive duration"},
		{in: "2026-11-02T00:00:00Z/2026-11-01T00:00:00Z", err: "ends before it starts"},
		{in: "yesterday/today", err: "neither"},
	} {
		w, err := ParseTimespan(tc.in, now)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTimespan(%q) = %v, %v; want error containing %q", tc.in, w, err, tc.err)
			}
			continue
		}
		if err != nil || !w.From.Equal(tc.from) || !w.To.Equal(tc.to) {
			t.Errorf("ParseTimespan(%q) = %v, %v; want [%v, %v)", tc.in, w, err, tc.from, tc.to)
		}
	}
}

type queryEnv struct {
	ws     *workspace.Workspace
	srv    *httptest.Server
	tokens map[auth.Role]string
	now    time.Time
	log    *syncBuffer
}

func newQueryEnv(t *testing.T, cfg workspace.Config) *queryEnv {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &queryEnv{ws: ws, tokens: map[auth.Role]string{}, now: time.Now().UTC().Truncate(time.Second), log: &syncBuffer{}}
	for _, r := range auth.Roles {
		tok, _, err := ws.CreateToken(ctx, r, string(r))
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = tok
	}
	h, err := New(ws, DefaultConfig(), slog.New(slog.NewTextHandler(e.log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return e.now }
	e.srv = httptest.NewTLSServer(h)
	t.Cleanup(func() {
		e.srv.Close()
		ws.Close()
	})
	// Three rows, an hour apart, ending an hour ago.
	body := `[{"Computer":"a","TimeGenerated":"` + e.now.Add(-3*time.Hour).Format(time.RFC3339) + `"},
		{"Computer":"b","TimeGenerated":"` + e.now.Add(-2*time.Hour).Format(time.RFC3339) + `"},
		{"Computer":"c","TimeGenerated":"` + e.now.Add(-1*time.Hour).Format(time.RFC3339) + `"}]`
	if _, err := ws.Pipeline().Ingest(ctx, "dcr-default", "Custom-Syslog", []byte(body), e.now); err != nil {
		t.Fatal(err)
	}
	return e
}

// do sends a query request and decodes the JSON answer.
func (e *queryEnv) do(t *testing.T, method, token, wsID string, params map[string]string) (int, map[string]any) {
	t.Helper()
	u := e.srv.URL + "/v1/workspaces/" + wsID + "/query"
	var req *http.Request
	if method == "GET" {
		q := url.Values{}
		for k, v := range params {
			q.Set(k, v)
		}
		req, _ = http.NewRequest("GET", u+"?"+q.Encode(), nil)
	} else {
		b, _ := json.Marshal(params)
		req, _ = http.NewRequest("POST", u, strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, u, err)
	}
	return resp.StatusCode, out
}

func rowsOf(t *testing.T, out map[string]any) []any {
	t.Helper()
	tables, _ := out["tables"].([]any)
	if len(tables) == 0 {
		t.Fatalf("no tables in %v", out)
	}
	return tables[0].(map[string]any)["rows"].([]any)
}

func TestQueryAPI(t *testing.T) {
	e := newQueryEnv(t, workspace.DefaultConfig())
	id := e.ws.ID()
	reader := e.tokens[auth.Reader]
	for _, method := range []string{"GET", "POST"} {
		status, out := e.do(t, method, reader, id, map[string]string{"query": "Syslog | order by Computer asc | project Computer"})
		if status != 200 || len(rowsOf(t, out)) != 3 {
			t.Errorf("%s: status %d, %v", method, status, out)
		}
		// The timespan restricts every table by TimeGenerated.
		status, out = e.do(t, method, reader, id, map[string]string{"query": "Syslog | project Computer", "timespan": "PT150M"})
		if rows := rowsOf(t, out); status != 200 || len(rows) != 2 {
			t.Errorf("%s with timespan PT150M: status %d, rows %v; want b and c", method, status, rows)
		}
	}
	// The workspace id is compared case-insensitively, as a GUID.
	if status, _ := e.do(t, "GET", reader, strings.ToUpper(id), map[string]string{"query": "print 1"}); status != 200 {
		t.Errorf("upper-case workspace id: status %d", status)
	}
}

func TestQueryAPIErrors(t *testing.T) {
	e := newQueryEnv(t, workspace.DefaultConfig())
	id := e.ws.ID()
	reader := e.tokens[auth.Reader]
	inner := func(out map[string]any) map[string]any {
		errObj, _ := out["error"].(map[string]any)
		for errObj != nil {
			next, ok := errObj["innererror"].(map[string]any)
			if !ok {
				return errObj
			}
			errObj = next
		}
		return nil
	}
	for _, tc := range []struct {
		name, token, ws string
		params          map[string]string
		status          int
		code            string // the outer error code
		innermost       string // a substring of the innermost message
		line, pos       float64
	}{
		{"syntax error", reader, id, map[string]string{"query": "Syslog\n| where (Computer == 'a'"}, 400, "BadArgumentError", "", 2, 0},
		{"unknown column", reader, id, map[string]string{"query": "Syslog | where Nope == 1"}, 400, "BadArgumentError", "Nope", 1, 16},
		{"unknown table", reader, id, map[string]string{"query": "NoSuchTable | take 1"}, 400, "BadArgumentError", "NoSuchTable", 1, 1},
		{"empty query", reader, id, map[string]string{"query": " "}, 400, "BadArgumentError", "'query'", 0, 0},
		{"bad timespan", reader, id, map[string]string{"query": "print 1", "timespan": "P1Y"}, 400, "BadArgumentError", "ISO 8601", 0, 0},
		{"other workspace", reader, "00000000-0000-0000-0000-000000000000", map[string]string{"query": "print 1"}, 404, "WorkspaceNotFoundError", "was not found", 0, 0},
		{"no token", "", id, map[string]string{"query": "print 1"}, 401, "AuthorizationRequiredError", "no Authorization header", 0, 0},
		{"bad token", auth.Prefix + strings.Repeat("A", 43), id, map[string]string{"query": "print 1"}, 401, "AuthorizationRequiredError", "unknown or revoked", 0, 0},
		{"ingestor may not query", e.tokens[auth.Ingestor], id, map[string]string{"query": "print 1"}, 403, "InsufficientAccessError", "may not query", 0, 0},
	} {
		status, out := e.do(t, "POST", tc.token, tc.ws, tc.params)
		errObj, _ := out["error"].(map[string]any)
		if status != tc.status || errObj == nil || errObj["code"] != tc.code {
			t.Errorf("%s: status %d, %v; want %d %s", tc.name, status, out, tc.status, tc.code)
			continue
		}
		in := inner(out)
		if msg, _ := in["message"].(string); !strings.Contains(msg, tc.innermost) {
			t.Errorf("%s: innermost message %q does not mention %q", tc.name, msg, tc.innermost)
		}
		if tc.line > 0 && in["line"] != tc.line {
			t.Errorf("%s: line %v, want %v", tc.name, in["line"], tc.line)
		}
		if tc.pos > 0 && in["pos"] != tc.pos {
			t.Errorf("%s: pos %v, want %v", tc.name, in["pos"], tc.pos)
		}
	}
}

// TestQueryAPIPartialResult: a result over the row limit comes back
// truncated with Log Analytics' PartialError beside the tables.
func TestQueryAPIPartialResult(t *testing.T) {
	cfg := workspace.DefaultConfig()
	cfg.Query.MaxRows = 2
	e := newQueryEnv(t, cfg)
	status, out := e.do(t, "POST", e.tokens[auth.Reader], e.ws.ID(), map[string]string{"query": "Syslog"})
	errObj, _ := out["error"].(map[string]any)
	if status != 200 || len(rowsOf(t, out)) != 2 || errObj == nil || errObj["code"] != "PartialError" {
		t.Errorf("status %d, error %v, %d rows; want 200, PartialError, 2 rows", status, errObj, len(rowsOf(t, out)))
	}
}

// TestQueryAPICancel: a client that goes away cancels its query in DuckDB;
// the handler ends promptly instead of running the query to the end.
func TestQueryAPICancel(t *testing.T) {
	e := newQueryEnv(t, workspace.DefaultConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	body := `{"query":"range i from 1 to 3000000000 step 1 | summarize count() by i % 7919"}`
	req, _ := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/v1/workspaces/"+e.ws.ID()+"/query", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.tokens[auth.Reader])
	start := time.Now()
	if _, err := e.srv.Client().Do(req); err == nil {
		t.Fatal("the query finished within 300 ms; make it slower")
	}
	// The handler logs the cancellation once DuckDB has stopped. The
	// query would run for minutes; allow generous time on a loaded box.
	for !strings.Contains(e.log.String(), "query cancelled: client went away") {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("the query was not cancelled within 30 s; log:\n%s", e.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("cancelled after %v", time.Since(start))
}

// TestQueryHiddenColumns: ingestion_time() is the receive time ingestion
// recorded, not TimeGenerated; hidden columns answer by name but stay out
// of *.
func TestQueryHiddenColumns(t *testing.T) {
	e := newQueryEnv(t, workspace.DefaultConfig())
	id := e.ws.ID()
	reader := e.tokens[auth.Reader]
	status, out := e.do(t, "POST", reader, id, map[string]string{"query": "Syslog | where isnotempty(_ItemId) | order by Computer asc | project Computer, It = ingestion_time(), TimeGenerated, _ItemId"})
	rows := rowsOf(t, out)
	if status != 200 || len(rows) != 3 {
		t.Fatalf("status %d, %v", status, out)
	}
	want := e.now.Format(time.RFC3339)
	items := map[string]bool{}
	for _, r := range rows {
		r := r.([]any)
		if r[1] != want || r[2] == want {
			t.Errorf("row %v: ingestion_time() should be the receive time %s and differ from TimeGenerated", r, want)
		}
		items[r[3].(string)] = true
	}
	if len(items) != 3 {
		t.Errorf("_ItemId values are not distinct: %v", items)
	}
	_, out = e.do(t, "POST", reader, id, map[string]string{"query": "Syslog | take 1"})
	tables := out["tables"].([]any)
	for _, c := range tables[0].(map[string]any)["columns"].([]any) {
		if name := c.(map[string]any)["name"].(string); strings.HasPrefix(name, "_") && name != "_ResourceId" && name != "_SubscriptionId" {
			t.Errorf("take 1 returned hidden column %s", name)
		}
	}
}
