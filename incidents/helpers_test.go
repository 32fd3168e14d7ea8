package incidents_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/workspace"
)

// t0 is the test clock's start.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is a workspace with its incidents and a clock the test moves.
type env struct {
	t   *testing.T
	ws  *workspace.Workspace
	svc *incidents.Service

	mu  sync.Mutex
	now time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir(), workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	svc, err := incidents.New(ctx, ws, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ws: ws, svc: svc, now: t0}
	svc.SetClock(e.clock)
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// set moves the clock to t0+d.
func (e *env) set(d time.Duration) {
	e.mu.Lock()
	e.now = t0.Add(d)
	e.mu.Unlock()
}

// alertSpec describes a test alert.
type alertSpec struct {
	id       string
	name     string
	severity string
	at       time.Duration // raised at t0+at
	hosts    []string
	accounts []string
	ips      []string
	// osVersion is a host property that describes rather than identifies.
	osVersion string
	ext       map[string]string
	tactics   []string
	product   string
}

func (s alertSpec) alert() alerts.Alert {
	name := s.name
	if name == "" {
		name = "Suspicious sign-in"
	}
	sev := s.severity
	if sev == "" {
		sev = alerts.SeverityMedium
	}
	product := s.product
	if product == "" {
		product = "Azure Sentinel"
	}
	at := t0.Add(s.at)
	a := alerts.Alert{
		SystemAlertID: s.id, Name: name, Severity: sev, Description: name + " description",
		ProductName: product, ProviderName: "ASI Scheduled Alerts", VendorName: "Microsoft",
		Tactics: s.tactics, Techniques: []string{"T1078"},
		StartTime: at.Add(-5 * time.Minute), EndTime: at, TimeGenerated: at,
		ExtendedProperties: s.ext,
	}
	var host alerts.Ref
	for _, h := range s.hosts {
		host = a.Entities.Add(alerts.TypeHost, map[string]any{"HostName": h, "DnsDomain": "corp.example", "OSVersion": s.osVersion})
	}
	for _, acct := range s.accounts {
		a.Entities.Add(alerts.TypeAccount, map[string]any{"Name": acct, "NTDomain": "CORP", "Host": host})
	}
	for _, ip := range s.ips {
		a.Entities.Add(alerts.TypeIP, map[string]any{"Address": ip})
	}
	return a
}

// store writes alerts as SecurityAlert rows, as their producer does
// before it hands them to AddAlerts.
func (e *env) store(as ...alerts.Alert) {
	e.t.Helper()
	rows := make([]map[string]any, len(as))
	for i := range as {
		rows[i] = as[i].Row()
	}
	body, _ := json.Marshal(rows)
	ctx := context.Background()
	bs, _, err := e.ws.Pipeline().Prepare(ctx, ingest.DefaultRuleID, "Custom-SecurityAlert", body, e.clock())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.ws.Pipeline().Commit(ctx, bs...); err != nil {
		e.t.Fatal(err)
	}
}

// add stores alerts and groups them.
func (e *env) add(rule incidents.Rule, specs ...alertSpec) []incidents.Incident {
	e.t.Helper()
	as := make([]alerts.Alert, len(specs))
	for i, s := range specs {
		as[i] = s.alert()
	}
	e.store(as...)
	incs, err := e.svc.AddAlerts(context.Background(), rule, as)
	if err != nil {
		e.t.Fatalf("AddAlerts(%s): %v", rule.ID, err)
	}
	return incs
}

func (e *env) get(n int64) incidents.Incident {
	e.t.Helper()
	inc, err := e.svc.Get(context.Background(), n)
	if err != nil {
		e.t.Fatalf("Get(%d): %v", n, err)
	}
	return inc
}

func (e *env) query(q string) []map[string]any {
	e.t.Helper()
	rs, err := e.ws.Query(context.Background(), q, query.Options{Now: e.clock()})
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	t := rs.Primary()
	if t == nil {
		t = &result.Table{}
	}
	return t.Records()
}

func grouping(matching string, lookback time.Duration) incidents.Grouping {
	return incidents.Grouping{Enabled: true, Lookback: lookback, Matching: matching}
}
