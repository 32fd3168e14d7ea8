package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/workspace"
)

// seedIncidents raises alerts in the workspace in dir and groups them
// into incidents by a rule grouping alerts of the same entities: two
// alerts about web-01 (incident 1) and one about db-02 (incident 2).
func seedIncidents(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, dir, workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	svc, err := incidents.New(ctx, ws, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var as []alerts.Alert
	for i, host := range []string{"web-01", "web-01", "db-02"} {
		at := now.Add(time.Duration(i-3) * time.Minute)
		a := alerts.Alert{SystemAlertID: "alert-" + string(rune('a'+i)), Name: "Brute force on " + host, Severity: []string{"Medium", "High", "Low"}[i],
			ProductName: "Azure Sentinel", TimeGenerated: at, StartTime: at.Add(-time.Minute), EndTime: at, Tactics: []string{"CredentialAccess"}}
		h := a.Entities.Add(alerts.TypeHost, map[string]any{"HostName": host})
		a.Entities.Add(alerts.TypeAccount, map[string]any{"Name": "alice", "NTDomain": "CORP", "Host": h})
		as = append(as, a)
	}
	rows := make([]map[string]any, len(as))
	for i := range as {
		rows[i] = as[i].Row()
	}
	body, _ := json.Marshal(rows)
	bs, _, err := ws.Pipeline().Prepare(ctx, ingest.DefaultRuleID, "Custom-SecurityAlert", body, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Pipeline().Commit(ctx, bs...); err != nil {
		t.Fatal(err)
	}
	rule := incidents.Rule{ID: "rule-bf", Name: "Brute force", CreateIncident: true,
		Grouping: incidents.Grouping{Enabled: true, Lookback: time.Hour, Matching: incidents.AllEntities}}
	if _, err := svc.AddAlerts(ctx, rule, as); err != nil {
		t.Fatal(err)
	}
}

// startIncidentServer serves dir with the incident routes over TLS and
// returns its URL and a stop function.
func startIncidentServer(t *testing.T, dir string) (string, func()) {
	t.Helper()
	ctx := context.Background()
	cfg := workspace.DefaultConfig()
	cfg.Command = "server"
	ws, err := workspace.Open(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := incidents.New(ctx, ws, quiet)
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.New(ws, api.DefaultConfig(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	h.MountIncidents(svc)
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + ln.Addr().String()
	if err := ws.SetURL(url); err != nil {
		t.Fatal(err)
	}
	svc.SetURL(url)
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{bundle.Server}}}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = srv.Shutdown(context.Background())
		<-done
		_ = ws.Close()
	}
	t.Cleanup(stop)
	return url, stop
}

// TestIncidentCommands: the incident commands through a server (with a
// responder's and a reader's token) and then on the directory print the
// same; changes are attributed to the token, or to cli/$USER.
func TestIncidentCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	responder := strings.TrimSpace(mustRun(t, nil, "token", "create", "--data", dir, "--role", "responder", "--name", "resp"))
	reader := strings.TrimSpace(mustRun(t, nil, "token", "create", "--data", dir, "--role", "reader", "--name", "viewer"))
	seedIncidents(t, dir)

	url, stop := startIncidentServer(t, dir)
	ca := filepath.Join(dir, pki.CACertFile)
	remote := func(token string, args ...string) []string {
		return append(args, "--server", url, "--token", token, "--ca", ca)
	}
	list := mustRun(t, nil, remote(reader, "incidents", "list")...)
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
		f := strings.Fields(line)
		rows = append(rows, strings.Join(append(f[:5:5], f[6:]...), " ")) // without the creation time
	}
	if want := []string{"2 Low New 1 - Brute force on db-02", "1 High New 2 - Brute force on web-01"}; strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("incidents list:\n%s\nwant the rows %q", list, want)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{remote(reader, "incidents", "update", "1", "--status", "Active"), `"viewer" (role reader) may not respond`},
		{remote(reader, "incidents", "comment", "1", "hello"), `may not respond`},
		{remote(responder, "incidents", "update", "1", "--status", "Closed"), "needs a classification"},
		{remote(responder, "incidents", "update", "2", "--status", "Closed", "--classification", "FalsePositive"), "needs a classification reason"},
		{remote(responder, "incidents", "show", "9"), "no incident 9"},
		{remote(responder, "incidents", "list", "--status", "Open"), `status "Open"`},
	} {
		if _, _, err := run(t, nil, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("goshawk %s = %v, want an error naming %q", strings.Join(tc.args[:4], " "), err, tc.want)
		}
	}

	took := mustRun(t, nil, remote(responder, "incidents", "update", "1", "--status", "Active", "--owner", "rob@example.com", "--add-label", "brute-force")...)
	for _, want := range []string{"Incident 1: Brute force on web-01", "status:     Active", "owner:      rob@example.com", "labels:     brute-force", "by token/resp"} {
		if !strings.Contains(took, want) {
			t.Errorf("incidents update lacks %q:\n%s", want, took)
		}
	}
	if out := mustRun(t, nil, remote(responder, "incidents", "comment", "1", "blocked the source address")...); !strings.Contains(out, "comment added to incident 1 by token/resp") {
		t.Errorf("incidents comment: %s", out)
	}
	closed := mustRun(t, nil, remote(responder, "incidents", "update", "2", "--status", "Closed", "--classification", "FalsePositive", "--reason", "InaccurateData", "--comment", "lab machine")...)
	if !strings.Contains(closed, "Closed (FalsePositive, InaccurateData)") || !strings.Contains(closed, "closing comment: lab machine") {
		t.Errorf("closing incident 2:\n%s", closed)
	}

	reads := [][]string{
		{"incidents", "list"},
		{"incidents", "list", "--status", "Active,New"},
		{"incidents", "list", "--severity", "low", "--status", "Closed"},
		{"incidents", "list", "--owner", "ROB@example.com"},
		{"incidents", "list", "--since", "1h"},
		{"incidents", "show", "1"},
		{"incidents", "show", "2"},
		{"incidents", "alerts", "1"},
	}
	remoteOut := map[int]string{}
	for i, args := range reads {
		remoteOut[i] = mustRun(t, nil, remote(reader, args...)...)
	}
	show := remoteOut[5]
	for _, want := range []string{
		"alerts (2):", "alert-a", "alert-b", "entities (2):", "host     web-01", `account  CORP\alice  alert-a, alert-b`,
		"comments (1):", "token/resp: blocked the source address", "url:        " + url + "/v1/incidents/1",
	} {
		if !strings.Contains(show, want) {
			t.Errorf("incidents show 1 lacks %q:\n%s", want, show)
		}
	}
	if !strings.Contains(remoteOut[1], "Brute force on web-01") || strings.Contains(remoteOut[1], "db-02") {
		t.Errorf("incidents list --status Active,New:\n%s", remoteOut[1])
	}
	stop()

	// The same reads on the directory print the same bytes.
	for i, args := range reads {
		if got := mustRun(t, nil, append(args, "--data", dir)...); got != remoteOut[i] {
			t.Errorf("goshawk %s --data:\n%s\nwant the --server output:\n%s", strings.Join(args, " "), got, remoteOut[i])
		}
	}
	// Changes on the directory are the local user's.
	env := map[string]string{"USER": "carol"}
	if out := mustRun(t, env, "incidents", "comment", "1", "checked the host", "--data", dir); !strings.Contains(out, "by cli/carol") {
		t.Errorf("local comment: %s", out)
	}
	if out := mustRun(t, env, "incidents", "update", "1", "--severity", "Low", "--unassign", "--remove-label", "brute-force", "--data", dir); !strings.Contains(out, "by cli/carol") ||
		!strings.Contains(out, "owner:      -") || !strings.Contains(out, "severity:   Low") {
		t.Errorf("local update:\n%s", out)
	}
	if out := mustRun(t, nil, "incidents", "show", "1", "--data", dir); !strings.Contains(out, "cli/carol: checked the host") {
		t.Errorf("incidents show after a local comment:\n%s", out)
	}
	for _, args := range [][]string{
		{"incidents", "show", "one", "--data", dir},
		{"incidents", "update", "1", "--data", dir},
		{"incidents", "update", "1", "--owner", "x", "--unassign", "--data", dir},
		{"incidents", "comment", "1", "--data", dir},
		{"incidents", "list", "--since", "1h", "--from", "2026-01-01T00:00:00Z", "--data", dir},
		{"incidents", "close", "1", "--data", dir},
	} {
		if _, _, err := run(t, nil, args...); !errors.Is(err, errUsage) {
			t.Errorf("goshawk %s = %v, want a usage error", strings.Join(args, " "), err)
		}
	}

	// The log says who did what.
	got := mustRun(t, nil, "query", "--data", dir, "--format", "csv",
		"SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | sort by IncidentNumber asc | project IncidentNumber, Status, Severity, ModifiedBy, Comments = array_length(Comments)")
	want := "IncidentNumber,Status,Severity,ModifiedBy,Comments\n1,Active,Low,cli/carol,2\n2,Closed,Low,token/resp,0\n"
	if strings.ReplaceAll(got, "\r\n", "\n") != want {
		t.Errorf("the incidents' latest SecurityIncident rows:\n%s\nwant:\n%s", got, want)
	}
}
