package rules

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/internal/testenv"
)

// TestImportedSentinelRuleOnSchedule: a rule file from the
// Azure-Sentinel repository, imported unchanged, runs on its schedule and
// raises the alert and incident its settings say, with the real incidents
// service — and nothing for the hour without a match.
func TestImportedSentinelRuleOnSchedule(t *testing.T) {
	path := filepath.Join(testenv.SharedDir(t), "sentinel-rules",
		"Solutions__Microsoft_Defender_XDR__Analytic_Rules__Defense_Evasion__DoppelpaymerStopService.yaml")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	ctx := context.Background()
	d := f.put(t, string(body))
	inc, err := incidents.New(ctx, f.ws, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	ev := func(host string, at time.Time, cmd string) map[string]any {
		return map[string]any{"TimeGenerated": at.Format(time.RFC3339Nano), "Timestamp": at.Format(time.RFC3339Nano),
			"DeviceName": host, "DeviceId": "d-" + host, "ActionType": "ProcessCreated", "FileName": "powershell.exe",
			"InitiatingProcessFileName": "psexesvc.exe", "ProcessCommandLine": cmd}
	}
	stop := `powershell -c "stop-service -name sql* ; stop-service msexchange*"`
	rows := []map[string]any{
		ev("db01.corp.example", t0.Add(-50*time.Minute), stop),
		ev("mail01.corp.example", t0.Add(-10*time.Minute), stop),
		ev("db01.corp.example", t0.Add(-5*time.Minute), "powershell -c get-service"), // no match
	}
	b, _ := json.Marshal(rows)
	if _, err := f.ws.Pipeline().Ingest(ctx, ingest.DefaultRuleID, "Custom-DeviceProcessEvents", b, time.Now()); err != nil {
		t.Fatal(err)
	}
	e := New(f.ws, f.store, incidents.ForRules{Service: inc}, Config{IngestionDelay: 5 * time.Minute}, nil)
	// At 10:05 the hourly window ending 10:00 is due (5 minutes of
	// ingestion delay): both matches. At 11:05 the window ending 11:00:
	// none.
	for _, at := range []time.Time{t0.Add(5 * time.Minute), t0.Add(65 * time.Minute)} {
		f.clock = at
		e.SetClock(func() time.Time { return f.clock })
		if err := e.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := f.rows(t, "SecurityAlert | project AlertName, AlertSeverity, Tactics, Techniques, Entities, StartTime, EndTime")
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1 (SingleAlert over both hosts)", len(got))
	}
	a := got[0]
	if a["AlertName"] != d.Name || a["AlertSeverity"] != "High" || a["Tactics"] != "Execution, DefenseEvasion" || a["Techniques"] != `["T1059","T1562"]` {
		t.Errorf("alert %v", a)
	}
	for _, want := range []string{`"HostName":"db01"`, `"HostName":"mail01"`, `"DnsDomain":"corp.example"`, `"FullName":"mail01.corp.example"`} {
		if !strings.Contains(a["Entities"].(string), want) {
			t.Errorf("entities %s lack %s", a["Entities"], want)
		}
	}
	list, err := inc.List(ctx, incidents.Filter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("incidents: %v, %v", list, err)
	}
	if list[0].Title != d.Name || list[0].Severity != "High" || list[0].Status != "New" || len(list[0].RelatedAnalyticRuleIDs) != 1 {
		t.Errorf("incident %+v", list[0])
	}
	health := f.rows(t, `SentinelHealth | where SentinelResourceName == "Doppelpaymer Stop Services" | summarize Runs = count(), Failures = countif(Status != "Success")`)
	if health[0]["Runs"] != int64(2) || health[0]["Failures"] != int64(0) {
		t.Errorf("health %v", health)
	}
	if d.Kind != analytics.Scheduled {
		t.Errorf("kind %s", d.Kind)
	}
}
