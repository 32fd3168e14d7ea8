package duckdb_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
)

var update = flag.Bool("update", false, "rewrite the SQL sections of testdata/golden/*.txt")

// TestGolden compiles the query of each testdata/golden/*.txt case and
// compares the generated SQL with the case's SQL section. A case file is
//
//	why: one line saying what the case guards
//	-- query --
//	KQL text
//	-- sql --
//	expected SQL
//
// Review golden diffs like code: run with -update, then read `git diff`.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	cat := query.Catalog{C: schema.Default()}
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		qi := strings.Index(text, "-- query --\n")
		si := strings.Index(text, "-- sql --\n")
		if !strings.HasPrefix(text, "why: ") || qi < 0 || si < qi {
			t.Fatalf("%s: want a 'why:' line, then '-- query --' and '-- sql --' sections", file)
		}
		q := text[qi+len("-- query --\n") : si]
		want := text[si+len("-- sql --\n"):]
		c, err := kql.Compile(q, cat, kql.Options{Now: now})
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		got := c.SQL + "\n"
		if *update {
			if err := os.WriteFile(file, []byte(text[:si]+"-- sql --\n"+got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got != want {
			t.Errorf("%s: SQL differs (run with -update and review the diff)\ngot:\n%s\nwant:\n%s", file, got, want)
		}
	}
}
