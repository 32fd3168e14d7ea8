package query_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/sampledata"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// TestCorpus binds and runs the real-world hunting queries whose tables
// are all catalogued, on a workspace of sample data. The ids that bind
// and run are recorded in testdata/corpus-{bind,run}-baseline.txt and may
// only grow.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a sample-data workspace")
	}
	ctx := context.Background()
	cat := schema.Default()
	st, err := store.OpenMemory(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	if _, err := sampledata.Generate(ctx, st, sampledata.Options{Rows: 5000, Now: now, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	cfg := query.DefaultConfig()
	cfg.Timeout = time.Minute
	eng, err := query.New(ctx, st.DB(), cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var eligible, bound, ran int
	var bindOK, runOK []string
	failures := map[string][]string{}
	for _, q := range testenv.Corpus(t) {
		if !q.ValidKQL || !allCatalogued(cat, q.Tables) {
			continue
		}
		eligible++
		c, err := eng.Compile(ctx, q.Query, query.Options{Now: now})
		var ke *kql.Error
		if err != nil && !(errors.As(err, &ke) && ke.Stage == kql.StageCompile) {
			failures["bind"] = append(failures["bind"], fmt.Sprintf("%s: %v", q.ID, err))
			continue
		}
		// Names and types resolved; SQL generation may still refuse (for
		// example externaldata, which this workspace does not fetch).
		bound++
		bindOK = append(bindOK, q.ID)
		if err != nil {
			failures["run"] = append(failures["run"], fmt.Sprintf("%s: %v", q.ID, err))
			continue
		}
		if _, err := eng.Exec(ctx, c); err != nil {
			failures["run"] = append(failures["run"], fmt.Sprintf("%s: %v", q.ID, firstLine(err.Error())))
			continue
		}
		ran++
		runOK = append(runOK, q.ID)
	}
	t.Logf("corpus: %d eligible, %d bind (%.1f%%), %d run (%.1f%%)", eligible, bound, pct(bound, eligible), ran, pct(ran, eligible))
	for stage, fs := range failures {
		for _, f := range fs {
			t.Logf("%s failure: %s", stage, f)
		}
	}
	checkIDBaseline(t, "testdata/corpus-bind-baseline.txt", bindOK)
	checkIDBaseline(t, "testdata/corpus-run-baseline.txt", runOK)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func allCatalogued(cat *schema.Catalogue, tables []string) bool {
	for _, t := range tables {
		if _, ok := cat.Table(t); !ok {
			return false
		}
	}
	return true
}

// checkIDBaseline fails when an id listed in path is missing from got,
// and rewrites the file with -update-baseline.
func checkIDBaseline(t *testing.T, path string, got []string) {
	t.Helper()
	sort.Strings(got)
	if *updateBaseline {
		if err := os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-baseline to create it)", err)
	}
	have := map[string]bool{}
	for _, id := range got {
		have[id] = true
	}
	for _, id := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if id != "" && !have[id] {
			t.Errorf("%s: %s passed before and fails now", path, id)
		}
	}
}
