package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/workspace"
)

// recordIncidents is the incident sink: it keeps what it was given.
type recordIncidents struct {
	mu    sync.Mutex
	calls map[string]int // rule id → alerts
}

func (r *recordIncidents) AddAlerts(ctx context.Context, def *analytics.Definition, as []alerts.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[def.ID] += len(as)
	return nil
}

type fixture struct {
	ws    *workspace.Workspace
	store *Store
	inc   *recordIncidents
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ws, err := workspace.Open(context.Background(), t.TempDir(), workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	st, err := OpenStore(context.Background(), ws.Store().DB())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{ws: ws, store: st, inc: &recordIncidents{}}
}

// engine is a new engine (as after a restart) on the fixture's clock.
func (f *fixture) engine(cfg Config) *Engine {
	e := New(f.ws, f.store, f.inc, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.SetClock(func() time.Time { return f.clock })
	return e
}

// syslog ingests Syslog rows generated at the given times (received now).
func (f *fixture) syslog(t *testing.T, host string, at ...time.Time) {
	t.Helper()
	var rows []map[string]any
	for i, ts := range at {
		rows = append(rows, map[string]any{"TimeGenerated": ts.Format(time.RFC3339Nano), "Computer": host,
			"HostName": host, "SyslogMessage": fmt.Sprintf("Failed password for root %d", i), "ProcessName": "sshd", "Facility": "auth", "SeverityLevel": "err"})
	}
	body, _ := json.Marshal(rows)
	if _, err := f.ws.Pipeline().Ingest(context.Background(), ingest.DefaultRuleID, "Custom-Syslog", body, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) rows(t *testing.T, kql string) []map[string]any {
	t.Helper()
	rs, err := f.ws.Query(context.Background(), kql, query.Options{})
	if err != nil {
		t.Fatalf("%s: %v", kql, err)
	}
	return rs.Primary().Records()
}

// put imports a rule from Sentinel YAML and stores it.
func (f *fixture) put(t *testing.T, yaml string) analytics.Definition {
	t.Helper()
	d, err := analytics.ParseYAML("rule.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if _, err := f.store.Put(context.Background(), d, "test"); err != nil {
		t.Fatal(err)
	}
	return d
}

const bruteForce = `id: 6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a01
name: SSH brute force on {{Computer}}
description: Repeated failed SSH passwords.
severity: Medium
queryFrequency: 5m
queryPeriod: 10m
triggerOperator: gt
triggerThreshold: 0
tactics:
  - CredentialAccess
relevantTechniques:
  - T1110.001
query: |
  Syslog
  | where ProcessName == "sshd" and SyslogMessage has "Failed password"
  | summarize Failures = count() by Computer
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: Computer
customDetails:
  Failures: Failures
alertDetailsOverride:
  alertDisplayNameFormat: SSH brute force on {{Computer}}
eventGroupingSettings:
  aggregationKind: AlertPerResult
kind: Scheduled
version: 1.0.0
`

func TestScheduledRuleWindows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t, strings.Replace(bruteForce, "name: SSH brute force on {{Computer}}", "name: SSH brute force", 1))
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	// web01 fails at 09:51 and 09:58; db01 at 10:03.
	f.syslog(t, "web01", t0.Add(-9*time.Minute), t0.Add(-2*time.Minute))
	f.syslog(t, "db01", t0.Add(3*time.Minute))

	// 10:02: the window ending 10:00 is due (2 minute delay); it covers
	// 09:50–10:00: web01.
	f.clock = t0.Add(2 * time.Minute)
	e := f.engine(Config{IngestionDelay: 2 * time.Minute})
	if err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got := f.rows(t, "SecurityAlert | project AlertName, EndTime, ExtendedProperties, Entities, Tactics, Techniques, SubTechniques, ProductName | sort by EndTime asc")
	if len(got) != 1 || got[0]["AlertName"] != "SSH brute force on web01" {
		t.Fatalf("after the first window: %v", got)
	}
	a := got[0]
	var ext map[string]string
	json.Unmarshal([]byte(a["ExtendedProperties"].(string)), &ext)
	if ext["Custom Details"] != `{"Failures":["2"]}` || ext["Query Period"] != "10m" || !strings.Contains(ext["Analytic Rule Ids"], "6b2d1a4e") {
		t.Errorf("ExtendedProperties %v", ext)
	}
	if !strings.Contains(a["Entities"].(string), `"HostName":"web01"`) || a["Tactics"] != "CredentialAccess" ||
		a["Techniques"] != `["T1110"]` || a["SubTechniques"] != `["T1110.001"]` || a["ProductName"] != ProductName {
		t.Errorf("alert %v", a)
	}
	// The same tick again, and a restarted engine: nothing new.
	if err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.engine(Config{IngestionDelay: 2 * time.Minute}).Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.rows(t, "SecurityAlert")); n != 1 {
		t.Fatalf("%d alerts after repeated ticks, want 1", n)
	}
	// 10:07: the window ending 10:05 (09:55–10:05) holds web01's second
	// failure and db01's.
	f.clock = t0.Add(7 * time.Minute)
	if err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got = f.rows(t, "SecurityAlert | where EndTime == datetime(2026-11-20 10:05) | project AlertName | sort by AlertName asc")
	if len(got) != 2 || got[0]["AlertName"] != "SSH brute force on db01" || got[1]["AlertName"] != "SSH brute force on web01" {
		t.Errorf("second window: %v", got)
	}
	// Two hours down, at most 3 windows caught up: 10:10 … 12:05 are due,
	// the last three run (no data in them: no alerts) and health says the
	// others were skipped.
	f.clock = t0.Add(2*time.Hour + 7*time.Minute)
	e = f.engine(Config{IngestionDelay: 2 * time.Minute, MaxCatchUp: 3})
	if err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	health := f.rows(t, `SentinelHealth | where SentinelResourceKind == "Scheduled" | extend End = todatetime(parse_json(ExtendedProperties).QueryEndTimeUTC) | sort by End asc | project End, Status, Issues = tostring(parse_json(ExtendedProperties).Issues)`)
	if len(health) != 2+3 {
		t.Fatalf("%d health rows, want 5: %v", len(health), health)
	}
	if end := health[2]["End"].(time.Time); !end.Equal(t0.Add(115*time.Minute)) || !strings.Contains(health[2]["Issues"].(string), "21 earlier windows") {
		t.Errorf("first caught-up run %v", health[2])
	}
	if f.inc.calls["6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a01"] != 3 {
		t.Errorf("incidents got %v alerts, want 3", f.inc.calls)
	}
	st, _ := f.store.State(ctx, "6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a01")
	if !st.Last.Equal(t0.Add(125 * time.Minute)) {
		t.Errorf("state %+v", st)
	}
}

func TestThresholdAggregationAndSuppression(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	raw := strings.NewReplacer(
		"id: 6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a01", "id: 6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a02",
		"  | summarize Failures = count() by Computer\n", "  | extend Failures = 1\n",
		"triggerThreshold: 0", "triggerThreshold: 2",
	).Replace(bruteForce)
	f.put(t, raw)
	// Two rows: not over the threshold.
	f.syslog(t, "a", t0.Add(-time.Minute), t0.Add(-2*time.Minute))
	f.clock = t0
	e := f.engine(Config{IngestionDelay: 0})
	e.Tick(ctx)
	if n := len(f.rows(t, "SecurityAlert")); n != 0 {
		t.Fatalf("%d alerts with 2 rows and threshold gt 2", n)
	}
	// 160 rows in the next window: 150 alerts, the last a summary.
	var at []time.Time
	for i := 0; i < 160; i++ {
		at = append(at, t0.Add(time.Duration(i)*time.Second))
	}
	f.syslog(t, "b", at...)
	f.clock = t0.Add(5 * time.Minute)
	e.Tick(ctx)
	got := f.rows(t, "SecurityAlert | summarize n = count(), summaries = countif(Description contains 'sums up 13 further results')")
	if got[0]["n"] != int64(150) || got[0]["summaries"] != int64(1) {
		t.Errorf("AlertPerResult over 160 rows: %v", got)
	}

	// The same as one alert, with suppression for 12 minutes: the next
	// two windows do not run.
	single := strings.NewReplacer("id: 6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a02", "id: 6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a03",
		"aggregationKind: AlertPerResult", "aggregationKind: SingleAlert",
		"kind: Scheduled", "suppressionEnabled: true\nsuppressionDuration: 12m\nkind: Scheduled").Replace(raw)
	f.put(t, single)
	f.store.SetEnabled(ctx, "6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a02", false, "test")
	f.clock = t0.Add(10 * time.Minute) // window ending 10:10 holds 10:05–10:02:40… (10:00–10:10 with period 10m)
	e.Tick(ctx)
	rule3 := `SecurityAlert | where ExtendedProperties has "6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a03"`
	if n := len(f.rows(t, rule3)); n != 1 {
		t.Fatalf("SingleAlert: %d alerts", n)
	}
	f.syslog(t, "c", t0.Add(11*time.Minute), t0.Add(12*time.Minute), t0.Add(13*time.Minute), t0.Add(17*time.Minute), t0.Add(18*time.Minute), t0.Add(19*time.Minute))
	for _, m := range []int{15, 20, 25} {
		f.clock = t0.Add(time.Duration(m) * time.Minute)
		e.Tick(ctx)
	}
	// 10:15 and 10:20 are suppressed (until 10:22); 10:25 runs.
	if n := len(f.rows(t, rule3)); n != 2 {
		t.Errorf("with suppression: %d alerts, want 2", n)
	}
	sup := f.rows(t, `SentinelHealth | where SentinelResourceId endswith "1a03" and Reason == "suppressed"`)
	if len(sup) != 2 {
		t.Errorf("%d suppressed runs in health, want 2", len(sup))
	}
}

// TestNRTRuleByIngestionTime: an NRT rule reads each row once, by
// ingestion time, however old its TimeGenerated.
func TestNRTRuleByIngestionTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	nrt := `id: 0f0e0d0c-0b0a-4908-8706-050403020101
name: Root SSH failure
description: A failed root password.
severity: High
query: |
  Syslog | where SyslogMessage has "Failed password for root"
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: Computer
kind: NRT
`
	f.put(t, nrt)
	e := f.engine(Config{NRTInterval: time.Nanosecond, Settle: time.Millisecond})
	f.clock = time.Now()
	e.Tick(ctx) // starts from the rule's creation
	// A row generated a day ago, ingested now.
	f.syslog(t, "late", time.Now().Add(-24*time.Hour))
	time.Sleep(20 * time.Millisecond)
	f.clock = time.Now()
	if err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	f.clock = time.Now()
	e.Tick(ctx)
	got := f.rows(t, "SecurityAlert | where ProviderName == 'Goshawk NRT Alerts'")
	if len(got) != 1 || !strings.Contains(got[0]["Entities"].(string), "late") {
		t.Fatalf("NRT alerts: %v", got)
	}
	// A row held in the pipeline (received, not committed) keeps the
	// window below it: it is read by the run after its commit.
	hold := f.ws.Pipeline().Hold(time.Now())
	time.Sleep(10 * time.Millisecond)
	f.clock = time.Now()
	e.Tick(ctx)
	hold.Release()
	f.syslog(t, "held", time.Now())
	time.Sleep(10 * time.Millisecond)
	f.clock = time.Now()
	e.Tick(ctx)
	if n := len(f.rows(t, "SecurityAlert | where ProviderName == 'Goshawk NRT Alerts'")); n != 2 {
		t.Errorf("%d NRT alerts, want 2", n)
	}
}

// TestBacktest: a backtest raises what the scheduler would have, writes
// nothing, and counts incidents by the rule's grouping.
func TestBacktest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	grouped := strings.Replace(bruteForce, "kind: Scheduled", `incidentConfiguration:
  createIncident: true
  groupingConfiguration:
    enabled: true
    reopenClosedIncident: false
    lookbackDuration: 1h
    matchingMethod: Selected
    groupByEntities:
      - Host
kind: Scheduled`, 1)
	d := f.put(t, grouped)
	f.syslog(t, "web01", t0.Add(-9*time.Minute), t0.Add(-2*time.Minute))
	f.syslog(t, "db01", t0.Add(3*time.Minute))
	e := f.engine(Config{})
	bt, err := e.Backtest(ctx, d.ID, t0, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// Windows ending 10:00, 10:05, 10:10: web01; web01 and db01; db01.
	if len(bt.Runs) != 3 || bt.Alerts != 4 {
		t.Fatalf("backtest: %d runs, %d alerts: %+v", len(bt.Runs), bt.Alerts, bt.Runs)
	}
	// Grouped by host within an hour: one incident per host.
	if bt.Incidents != 2 {
		t.Errorf("%d incidents, want 2 (one per host)", bt.Incidents)
	}
	if n := len(f.rows(t, "SecurityAlert")); n != 0 {
		t.Errorf("the backtest wrote %d alerts", n)
	}
	if _, err := e.Backtest(ctx, d.ID, t0, t0.Add(-time.Minute)); err == nil {
		t.Error("a backtest ending before it starts succeeded")
	}
}

// TestOverrides: the alert's name, description, severity, tactics and
// dynamic properties come from the row when the rule says so.
func TestOverrides(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	f.put(t, `id: 6b2d1a4e-2a7c-4c3f-9a51-0c5f8e7d1a09
name: Overridden
description: Base description.
severity: Low
queryFrequency: 5m
queryPeriod: 5m
triggerOperator: gt
triggerThreshold: 0
tactics:
  - Discovery
query: |
  Syslog
  | extend Sev = "High", Tac = "Impact,Persistence", Link = strcat("https://ticket.example/", Computer)
  | project Computer, Sev, Tac, Link
alertDetailsOverride:
  alertDisplayNameFormat: Host {{Computer}} needs a look
  alertDescriptionFormat: "{{Computer}} raised {{Sev}}"
  alertSeverityColumnName: Sev
  alertTacticsColumnName: Tac
  alertDynamicProperties:
    - alertProperty: AlertLink
      value: Link
eventGroupingSettings:
  aggregationKind: AlertPerResult
kind: Scheduled
`)
	f.syslog(t, "app7", t0.Add(-time.Minute))
	f.clock = t0
	f.engine(Config{}).Tick(ctx)
	got := f.rows(t, "SecurityAlert | project AlertName, Description, AlertSeverity, Tactics, AlertLink")
	want := map[string]any{"AlertName": "Host app7 needs a look", "Description": "app7 raised High", "AlertSeverity": "High",
		"Tactics": "Impact, Persistence", "AlertLink": "https://ticket.example/app7"}
	if len(got) != 1 {
		t.Fatalf("%d alerts", len(got))
	}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("%s = %v, want %v", k, got[0][k], v)
		}
	}
}
