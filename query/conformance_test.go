package query_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/internal/conformance"
	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

var updateBaseline = flag.Bool("update-baseline", false, "rewrite testdata/conformance-baseline.txt with the cases that pass now")

// newMemoryEngine returns an engine over an empty in-memory workspace.
func newMemoryEngine(t testing.TB) *query.Engine {
	t.Helper()
	ctx := context.Background()
	cat := schema.Default()
	st, err := store.OpenMemory(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := query.DefaultConfig()
	cfg.Timeout = 20 * time.Second
	cfg.MemoryLimit = 2 << 30
	eng, err := query.New(ctx, st.DB(), cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestConformance runs the documented KQL examples. The set of passing
// cases is recorded in testdata/conformance-baseline.txt and may only grow.
func TestConformance(t *testing.T) {
	cases, err := conformance.Load(filepath.Join(testenv.SharedDir(t), "kql-conformance", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	// GOSHAWK_CONFORMANCE=regexp runs only the cases whose id matches and
	// logs each failure: the loop for working on one family of functions.
	filter := os.Getenv("GOSHAWK_CONFORMANCE")
	if filter != "" {
		re := regexp.MustCompile(filter)
		var sel []conformance.Case
		for _, c := range cases {
			if re.MatchString(c.ID) {
				sel = append(sel, c)
			}
		}
		cases = sel
	}
	eng := newMemoryEngine(t)
	rep := conformance.Run(context.Background(), cases, func(ctx context.Context, q string) (*result.Table, error) {
		set, err := eng.Run(ctx, q, query.Options{})
		if err != nil {
			return nil, err
		}
		return set.Tables[0], nil
	})
	kw, err := conformance.LoadKnownWrong("testdata/conformance-known-wrong.txt")
	if err != nil {
		t.Fatal(err)
	}
	rep = rep.WithKnownWrong(kw)
	t.Logf("conformance: %s", rep.Summary())
	if filter != "" {
		for _, o := range rep.Outcomes {
			if !o.Pass {
				t.Logf("FAIL %s [%s]: %s", o.ID, o.Stage, o.Err)
			}
		}
		return
	}
	if err := conformance.CheckBaseline(rep, "testdata/conformance-baseline.txt", *updateBaseline); err != nil {
		t.Error(err)
	}
}
