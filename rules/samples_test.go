package rules

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/hunting"
	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/sampledata"
)

// TestSentinelSamplesImportAndRun: every sample of shared/sentinel-rules
// imports or is refused with the field at fault; every imported rule
// runs over a sample-data workspace without an error, as the scheduler
// and the backtest run it.
func TestSentinelSamplesImportAndRun(t *testing.T) {
	dir := filepath.Join(testenv.SharedDir(t), "sentinel-rules")
	f := newFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	if _, err := sampledata.Generate(ctx, f.ws.Store(), sampledata.Options{Rows: 3000, Now: now, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	hunt, err := hunting.Open(ctx, f.ws.Store().DB(), f.ws.Engine().Catalogue)
	if err != nil {
		t.Fatal(err)
	}
	im := &Importer{Store: f.store, Hunting: hunt, Checker: func() *analytics.Importer {
		return &analytics.Importer{Catalog: query.Catalog{C: f.ws.Engine().Catalogue()}}
	}}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Name: e.Name(), Content: b})
	}
	res := im.Import(ctx, files, "test")
	imported, refused := 0, 0
	for _, r := range res {
		if r.OK {
			imported++
			continue
		}
		refused++
		if len(analytics.Fields(r.Err)) == 0 {
			t.Errorf("%s refused without a field: %s", r.File, r.Error)
		}
	}
	if imported+refused != len(files) || imported == 0 {
		t.Fatalf("%d files: %d imported, %d refused", len(files), imported, refused)
	}
	t.Logf("%d sample files: %d imported, %d refused", len(files), imported, refused)

	e := f.engine(Config{})
	f.clock = now
	rs, _ := f.store.List(ctx)
	qs, _ := hunt.List(ctx)
	ran := 0
	var kinds []string
	for _, r := range rs {
		kinds = append(kinds, string(r.Kind))
		if r.Kind == analytics.MicrosoftSecurityIncidentCreation {
			continue
		}
		// The last day, as the scheduler would have run it.
		from := now.Add(-24 * time.Hour)
		if r.Kind == analytics.Scheduled && r.QueryFrequency > 24*time.Hour {
			from = now.Add(-r.QueryFrequency)
		}
		bt, err := e.Backtest(ctx, r.ID, from, now)
		if err != nil {
			t.Errorf("%s: backtest: %v", r.Name, err)
			continue
		}
		for _, run := range bt.Runs {
			if run.Error != "" {
				t.Errorf("%s: window ending %s: %s", r.Name, run.To, run.Error)
				break
			}
		}
		ran++
	}
	for _, q := range qs {
		if _, err := f.ws.Query(ctx, q.Query, query.Options{Now: now}); err != nil {
			t.Errorf("hunting query %s: %v", q.Name, err)
		}
	}
	sort.Strings(kinds)
	t.Logf("%d rules (%v) and %d hunting queries; %d rules backtested over the last day", len(rs), kinds, len(qs), ran)
}
