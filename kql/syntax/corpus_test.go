package syntax

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/goshawk-sec/goshawk/internal/testenv"
)

// conformanceCase is one line of shared/kql-conformance/cases.jsonl (the
// fields the parser tests use).
type conformanceCase struct {
	ID    string `json:"id"`
	Query string `json:"query"`
}

// conformanceCases loads the documented examples.
func conformanceCases(t testing.TB) []conformanceCase {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.SharedDir(t), "kql-conformance", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sharedQuery is a query of either fixture.
type sharedQuery struct{ id, text string }

// sharedQueries returns the corpus and conformance queries.
func sharedQueries(t testing.TB) []sharedQuery {
	t.Helper()
	var qs []sharedQuery
	for _, q := range testenv.Corpus(t) {
		qs = append(qs, sharedQuery{q.ID, q.Query})
	}
	for _, c := range conformanceCases(t) {
		qs = append(qs, sharedQuery{c.ID, c.Query})
	}
	return qs
}

// TestParseCorpus: every valid real-world hunting query parses without a
// diagnostic; each invalid one gets at least one, with a position.
func TestParseCorpus(t *testing.T) {
	qs := testenv.Corpus(t)
	valid, invalid := 0, 0
	for _, q := range qs {
		s, errs := Parse(q.Query)
		src := NewSource(q.Query)
		if bad := spanErrors(s, len(q.Query)); len(bad) > 0 {
			t.Errorf("%s: nodes outside the text: %v", q.ID, bad)
		}
		if q.ValidKQL {
			valid++
			if len(errs) > 0 {
				t.Errorf("%s: Parse = %s", q.ID, errs[0].Format(src))
			}
			continue
		}
		invalid++
		if len(errs) == 0 {
			t.Errorf("%s: invalid query parsed without a diagnostic", q.ID)
			continue
		}
		for _, d := range errs {
			t.Logf("%s: %s", q.ID, d.Format(src))
		}
	}
	t.Logf("%d valid queries, %d invalid", valid, invalid)
}

// conformanceSkips lists conformance cases whose syntax the parser does not
// accept, with the reason. It is empty: every documented example parses.
var conformanceSkips = map[string]string{}

// TestParseConformance: every documented example parses without a
// diagnostic.
func TestParseConformance(t *testing.T) {
	qs := conformanceCases(t)
	for _, q := range qs {
		if why, ok := conformanceSkips[q.ID]; ok {
			t.Logf("%s: skipped: %s", q.ID, why)
			continue
		}
		s, errs := Parse(q.Query)
		if len(errs) > 0 {
			t.Errorf("%s: Parse = %s", q.ID, errs[0].Format(NewSource(q.Query)))
		}
		if bad := spanErrors(s, len(q.Query)); len(bad) > 0 {
			t.Errorf("%s: nodes outside the text: %v", q.ID, bad)
		}
	}
	t.Logf("%d conformance queries", len(qs))
}
