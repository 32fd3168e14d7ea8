package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/workspace"
)

// incidentEnv serves a workspace's incidents with a token per role, named
// "ROLE-user".
type incidentEnv struct {
	t      *testing.T
	ws     *workspace.Workspace
	svc    *incidents.Service
	srv    *httptest.Server
	tokens map[auth.Role]string
	now    time.Time
}

func newIncidentEnv(t *testing.T) *incidentEnv {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir(), workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := incidents.New(ctx, ws, quiet)
	if err != nil {
		t.Fatal(err)
	}
	e := &incidentEnv{t: t, ws: ws, svc: svc, tokens: map[auth.Role]string{}, now: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	svc.SetClock(func() time.Time { return e.now })
	h, err := api.New(ws, api.DefaultConfig(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	h.MountIncidents(svc)
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	for _, r := range auth.Roles {
		secret, _, err := ws.CreateToken(ctx, r, string(r)+"-user")
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = secret
	}
	return e
}

// raise stores alerts as SecurityAlert rows and groups them.
func (e *incidentEnv) raise(rule incidents.Rule, as ...alerts.Alert) {
	e.t.Helper()
	ctx := context.Background()
	rows := make([]map[string]any, len(as))
	for i := range as {
		rows[i] = as[i].Row()
	}
	body, _ := json.Marshal(rows)
	bs, _, err := e.ws.Pipeline().Prepare(ctx, ingest.DefaultRuleID, "Custom-SecurityAlert", body, e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.ws.Pipeline().Commit(ctx, bs...); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.AddAlerts(ctx, rule, as); err != nil {
		e.t.Fatal(err)
	}
}

func testAlert(id, name, severity, host string, at time.Time) alerts.Alert {
	a := alerts.Alert{SystemAlertID: id, Name: name, Severity: severity, ProductName: "Azure Sentinel",
		TimeGenerated: at, StartTime: at.Add(-time.Minute), EndTime: at, Tactics: []string{"CredentialAccess"}}
	h := a.Entities.Add(alerts.TypeHost, map[string]any{"HostName": host})
	a.Entities.Add(alerts.TypeAccount, map[string]any{"Name": "alice", "NTDomain": "CORP", "Host": h})
	return a
}

// call makes a request with the role's token ("" for none) and returns
// the status and the decoded answer.
func (e *incidentEnv) call(method, path string, role auth.Role, body string) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, out
}

func errCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func numbers(out map[string]any) []float64 {
	var ns []float64
	vals, _ := out["value"].([]any)
	for _, v := range vals {
		m, _ := v.(map[string]any)
		n, _ := m["incidentNumber"].(float64)
		ns = append(ns, n)
	}
	return ns
}

func TestIncidentRoutes(t *testing.T) {
	e := newIncidentEnv(t)
	rule := incidents.Rule{ID: "rule-bf", Name: "Brute force", CreateIncident: true,
		Grouping: incidents.Grouping{Enabled: true, Lookback: time.Hour, Matching: incidents.AllEntities}}
	e.raise(rule, testAlert("a1", "Brute force on web-01", "Medium", "web-01", e.now.Add(-10*time.Minute)),
		testAlert("a2", "Brute force on web-01", "High", "web-01", e.now.Add(-5*time.Minute)),
		testAlert("a3", "Brute force on db-02", "Low", "db-02", e.now.Add(-4*time.Minute)))

	// Who may do what.
	for _, tc := range []struct {
		method, path string
		role         auth.Role
		body         string
		want         int
		code         string
	}{
		{"GET", "/v1/incidents", "", "", 401, "AuthorizationRequiredError"},
		{"GET", "/v1/incidents", auth.Ingestor, "", 403, "InsufficientAccessError"},
		{"GET", "/v1/incidents/1/alerts", auth.Ingestor, "", 403, "InsufficientAccessError"},
		{"PATCH", "/v1/incidents/1", auth.Reader, `{"status":"Active"}`, 403, "InsufficientAccessError"},
		{"POST", "/v1/incidents/1/update", auth.Reader, `{"status":"Active"}`, 403, "InsufficientAccessError"},
		{"POST", "/v1/incidents/1/comments", auth.Reader, `{"message":"x"}`, 403, "InsufficientAccessError"},
		{"PATCH", "/v1/incidents/1", "", `{"status":"Active"}`, 401, "AuthorizationRequiredError"},
		{"GET", "/v1/incidents/99", auth.Reader, "", 404, "NotFound"},
		{"GET", "/v1/incidents/99/entities", auth.Reader, "", 404, "NotFound"},
		{"PATCH", "/v1/incidents/99", auth.Responder, `{"status":"Active"}`, 404, "NotFound"},
		{"GET", "/v1/incidents/one", auth.Reader, "", 400, "BadArgumentError"},
		{"GET", "/v1/incidents/0", auth.Reader, "", 400, "BadArgumentError"},
		{"GET", "/v1/incidents?status=Open", auth.Reader, "", 400, "BadArgumentError"},
		{"GET", "/v1/incidents?from=yesterday", auth.Reader, "", 400, "BadArgumentError"},
		{"PATCH", "/v1/incidents/1", auth.Responder, `{"status":"Closed"}`, 400, "BadArgumentError"},
		{"PATCH", "/v1/incidents/1", auth.Responder, `{"status":"Closed","classification":"FalsePositive"}`, 400, "BadArgumentError"},
		{"PATCH", "/v1/incidents/1", auth.Responder, `{"state":"Active"}`, 400, "BadArgumentError"},
		{"POST", "/v1/incidents/1/comments", auth.Responder, `{"message":"  "}`, 400, "BadArgumentError"},
	} {
		status, out := e.call(tc.method, tc.path, tc.role, tc.body)
		if status != tc.want || errCode(out) != tc.code {
			t.Errorf("%s %s as %q %s: %d %v, want %d %s", tc.method, tc.path, tc.role, tc.body, status, out, tc.want, tc.code)
		}
	}
	// Nothing above changed incident 1.
	if status, out := e.call("GET", "/v1/incidents/1", auth.Reader, ""); status != 200 || out["status"] != "New" || out["modifiedBy"] != "rule/Brute force" {
		t.Fatalf("incident 1 after the refused requests: %d %v", status, out)
	}

	// Lists and filters.
	for query, want := range map[string][]float64{
		"":                                   {2, 1},
		"?status=New":                        {2, 1},
		"?severity=High":                     {1},
		"?severity=low&severity=High":        {2, 1},
		"?severity=Low,Medium":               {2},
		"?limit=1":                           {2},
		"?from=2026-05-04T10:00:00Z":         {2, 1},
		"?to=2026-05-04T10:00:00Z":           nil,
		"?status=Closed":                     nil,
		"?owner=nobody%40example.com":        nil,
		"?status=New&severity=Informational": nil,
	} {
		status, out := e.call("GET", "/v1/incidents"+query, auth.Reader, "")
		if got := numbers(out); status != 200 || !slices.Equal(got, want) {
			t.Errorf("GET /v1/incidents%s: %d %v, want incidents %v", query, status, got, want)
		}
		if vals, ok := out["value"].([]any); !ok || vals == nil {
			t.Errorf("GET /v1/incidents%s: value is %v, want an array", query, out["value"])
		}
	}

	// Triage as a responder: every change is the token's.
	e.now = e.now.Add(time.Minute)
	status, out := e.call("PATCH", "/v1/incidents/1", auth.Responder, `{"status":"Active","owner":"rob@example.com","addLabels":["brute-force"]}`)
	if status != 200 || out["status"] != "Active" || out["modifiedBy"] != "token/responder-user" {
		t.Fatalf("PATCH: %d %v", status, out)
	}
	if owner, _ := out["owner"].(map[string]any); owner["assignedTo"] != "rob@example.com" || owner["email"] != "rob@example.com" {
		t.Errorf("owner after assignment: %v", out["owner"])
	}
	if status, out := e.call("GET", "/v1/incidents?owner=ROB@example.com", auth.Reader, ""); status != 200 || !slices.Equal(numbers(out), []float64{1}) {
		t.Errorf("incidents owned by rob: %d %v", status, numbers(out))
	}
	status, out = e.call("POST", "/v1/incidents/1/comments", auth.Responder, `{"message":"blocked the source address"}`)
	if author, _ := out["author"].(map[string]any); status != 201 || out["message"] != "blocked the source address" || author["name"] != "token/responder-user" {
		t.Errorf("POST comments: %d %v", status, out)
	}
	status, out = e.call("POST", "/v1/incidents/1/update", auth.Owner, `{"status":"Closed","classification":"TruePositive","classificationComment":"confirmed"}`)
	if status != 200 || out["status"] != "Closed" || out["classificationReason"] != "SuspiciousActivity" || out["closedTimeUtc"] == nil || out["modifiedBy"] != "token/owner-user" {
		t.Errorf("closing: %d %v", status, out)
	}
	if status, out := e.call("GET", "/v1/incidents?status=Closed", auth.Reader, ""); status != 200 || !slices.Equal(numbers(out), []float64{1}) {
		t.Errorf("closed incidents: %d %v", status, numbers(out))
	}

	// Alerts and entities.
	status, out = e.call("GET", "/v1/incidents/1/alerts", auth.Reader, "")
	vals, _ := out["value"].([]any)
	if status != 200 || len(vals) != 2 {
		t.Fatalf("alerts: %d %v", status, out)
	}
	if first, _ := vals[0].(map[string]any); first["systemAlertId"] != "a1" || first["severity"] != "Medium" || first["alertName"] != "Brute force on web-01" {
		t.Errorf("first alert: %v", first)
	}
	status, out = e.call("GET", "/v1/incidents/1/entities", auth.Reader, "")
	vals, _ = out["value"].([]any)
	var names []string
	for _, v := range vals {
		m, _ := v.(map[string]any)
		names = append(names, m["type"].(string)+":"+m["name"].(string)+" "+strings.Join(toStrings(m["alertIds"]), ","))
	}
	if want := []string{"host:web-01 a1,a2", `account:CORP\alice a1,a2`}; status != 200 || !slices.Equal(names, want) {
		t.Errorf("entities: %d %q, want %q", status, names, want)
	}

	// The log names who did what.
	rs, err := e.ws.Query(context.Background(), `SecurityIncident | where IncidentNumber == 1 | sort by TimeGenerated asc | project ModifiedBy, Status, Comments`, query.Options{Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	var by []string
	for _, r := range rs.Primary().Records() {
		by = append(by, r["ModifiedBy"].(string)+" "+r["Status"].(string))
	}
	if want := []string{"rule/Brute force New", "token/responder-user Active", "token/responder-user Active", "token/owner-user Closed"}; !slices.Equal(by, want) {
		t.Errorf("SecurityIncident rows of incident 1: %q, want %q", by, want)
	}
	last := rs.Primary().Records()[3]["Comments"].(json.RawMessage)
	if !strings.Contains(string(last), `"token/responder-user"`) {
		t.Errorf("the comments of the last row: %s", last)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
