package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/hunting"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/sampledata"
	"github.com/goshawk-sec/goshawk/workspace"
)

// BenchmarkScheduledRules evaluates each imported Sentinel sample rule
// (scheduled and NRT, as scheduled windows of their own period) once per
// iteration over a sample-data workspace, and reports how many rule
// evaluations one server does per minute. Give a big workspace with
// GOSHAWK_BENCH_WORKSPACE=DIR (goshawk sample-data --data DIR --rows
// 10000000); without it 200,000 rows are generated.
func BenchmarkScheduledRules(b *testing.B) {
	ctx := context.Background()
	dir := os.Getenv("GOSHAWK_BENCH_WORKSPACE")
	var now time.Time
	if dir == "" {
		dir = b.TempDir()
	}
	ws, err := workspace.Open(ctx, dir, workspace.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	if os.Getenv("GOSHAWK_BENCH_WORKSPACE") == "" {
		now = time.Now().UTC()
		if _, err := sampledata.Generate(ctx, ws.Store(), sampledata.Options{Rows: 200000, Now: now, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	} else {
		// The data's own end: the newest TimeGenerated.
		rs, err := ws.Query(ctx, "SecurityEvent | summarize max(TimeGenerated)", query.Options{})
		if err != nil {
			b.Fatal(err)
		}
		now, _ = rs.Primary().Rows[0][0].(time.Time)
	}
	st, err := OpenStore(ctx, ws.Store().DB())
	if err != nil {
		b.Fatal(err)
	}
	hunt, _ := hunting.Open(ctx, ws.Store().DB(), ws.Engine().Catalogue)
	im := &Importer{Store: st, Hunting: hunt, Checker: func() *analytics.Importer {
		return &analytics.Importer{Catalog: query.Catalog{C: ws.Engine().Catalogue()}}
	}}
	samples := filepath.Join(testenv.SharedDir(b), "sentinel-rules")
	ents, _ := os.ReadDir(samples)
	var files []File
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".yaml") {
			body, _ := os.ReadFile(filepath.Join(samples, e.Name()))
			files = append(files, File{Name: e.Name(), Content: body})
		}
	}
	im.Import(ctx, files, "bench")
	rs, _ := st.List(ctx)
	var defs []analytics.Definition
	for _, r := range rs {
		if r.Kind == analytics.Scheduled || r.Kind == analytics.NRT {
			d := r.Definition
			if d.Kind == analytics.NRT {
				d.Kind, d.QueryFrequency, d.QueryPeriod, d.TriggerOperator = analytics.Scheduled, time.Hour, time.Hour, analytics.GreaterThan
			}
			defs = append(defs, d)
		}
	}
	e := New(ws, st, nil, Config{}, nil)
	e.SetClock(func() time.Time { return now })
	per := map[string]time.Duration{}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for j := range defs {
			d := &defs[j]
			t0 := time.Now()
			res := e.evaluate(ctx, d, window{now.Add(-d.QueryPeriod), now}, State{})
			per[d.Name] += time.Since(t0)
			if res.err != nil {
				b.Fatalf("%s: %v", d.Name, res.err)
			}
		}
	}
	el := time.Since(start)
	evals := float64(b.N * len(defs))
	b.ReportMetric(evals/el.Minutes(), "rules/min")
	b.ReportMetric(float64(el.Milliseconds())/evals, "ms/rule")
	type row struct {
		name string
		d    time.Duration
	}
	var rows []row
	for n, d := range per {
		rows = append(rows, row{n, d / time.Duration(b.N)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].d > rows[j].d })
	for i, r := range rows {
		if i == 5 {
			break
		}
		b.Logf("slowest: %-60s %v", r.name, r.d.Round(time.Millisecond))
	}
}

// TestNRTLatency measures, with the real scheduling (NRT rules every
// minute, the engine ticking every 5 s as the server does), the time from
// a row's ingestion to its alert, over rows ingested every 7 s for three
// minutes. Set GOSHAWK_NRT_LATENCY=1 to run it; it prints p50 and p99.
func TestNRTLatency(t *testing.T) {
	if os.Getenv("GOSHAWK_NRT_LATENCY") == "" {
		t.Skip("set GOSHAWK_NRT_LATENCY=1 to measure NRT latency (3 minutes)")
	}
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.put(t, `id: 0f0e0d0c-0b0a-4908-8706-050403020199
name: Marker seen
description: A marker row.
severity: Low
query: |
  Syslog | where SyslogMessage startswith "latency-marker-" | project Computer, SyslogMessage
customDetails:
  Marker: SyslogMessage
eventGroupingSettings:
  aggregationKind: AlertPerResult
kind: NRT
`)
	e := New(f.ws, f.store, nil, DefaultConfig(), nil)
	go e.Run(ctx, 5*time.Second)
	sent := map[string]time.Time{}
	end := time.Now().Add(3 * time.Minute)
	for i := 0; time.Now().Before(end); i++ {
		m := fmt.Sprintf("latency-marker-%d", i)
		body, _ := json.Marshal([]map[string]any{{"Computer": "h", "SyslogMessage": m}})
		sent[m] = time.Now()
		if _, err := f.ws.Pipeline().Ingest(ctx, ingest.DefaultRuleID, "Custom-Syslog", body, time.Now()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(7 * time.Second)
	}
	seen := map[string]time.Duration{}
	for deadline := time.Now().Add(90 * time.Second); len(seen) < len(sent) && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		for _, r := range f.rows(t, `SecurityAlert | project TimeGenerated, d = tostring(parse_json(ExtendedProperties)["Custom Details"])`) {
			for m, at := range sent {
				if _, ok := seen[m]; !ok && strings.Contains(r["d"].(string), `"`+m+`"`) {
					seen[m] = r["TimeGenerated"].(time.Time).Sub(at)
				}
			}
		}
	}
	var lat []time.Duration
	for _, d := range seen {
		lat = append(lat, d)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) != len(sent) {
		t.Fatalf("%d of %d rows alerted", len(lat), len(sent))
	}
	t.Logf("NRT ingestion-to-alert latency over %d rows: p50 %v, p99 %v, max %v", len(lat),
		lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}
