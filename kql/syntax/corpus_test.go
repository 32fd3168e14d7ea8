package syntax

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/goshawk-sec/goshawk/internal/testenv"
)

type jsonQuery struct {
	ID       string `json:"id"`
	Query    string `json:"query"`
	ValidKQL *bool  `json:"valid_kql"`
}

func loadQueries(t testing.TB, rel string) []jsonQuery {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.SharedDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []jsonQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var q jsonQuery
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

// TestParseCorpus: every valid real-world hunting query parses; the
// invalid ones get a positioned error.
func TestParseCorpus(t *testing.T) {
	for _, q := range loadQueries(t, "kql-corpus/defender-hunting.jsonl") {
		_, errs := Parse(q.Query)
		src := NewSource(q.Query)
		if *q.ValidKQL && len(errs) > 0 {
			t.Errorf("%s: Parse = %s", q.ID, errs[0].Format(src))
		}
		if !*q.ValidKQL {
			if len(errs) == 0 {
				t.Errorf("%s: invalid query parsed without error", q.ID)
				continue
			}
			t.Logf("%s: %s", q.ID, errs[0].Format(src))
		}
	}
}

// TestParseConformance: every documented example parses.
func TestParseConformance(t *testing.T) {
	for _, q := range loadQueries(t, "kql-conformance/cases.jsonl") {
		if _, errs := Parse(q.Query); len(errs) > 0 {
			t.Errorf("%s: Parse = %s", q.ID, errs[0].Format(NewSource(q.Query)))
		}
	}
}
