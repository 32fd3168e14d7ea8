package syntax

import (
	"os"
	"strings"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	for _, rel := range []string{"kql-corpus/defender-hunting.jsonl", "kql-conformance/cases.jsonl"} {
		for _, q := range loadQueries(f, rel) {
			f.Add(q.Query)
		}
	}
	if data, err := os.ReadFile("testdata/errors.kql"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f.Add(errorMarker.ReplaceAllString(line, ""))
		}
	}
}

// FuzzParse: the parser never panics, and every diagnostic lies inside
// the text.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, q string) {
		s, errs := Parse(q)
		if s == nil {
			t.Fatal("Parse returned a nil script")
		}
		for _, d := range errs {
			if d.From < 0 || int(d.From) > len(q) || d.To < d.From || int(d.To) > len(q)+1 {
				t.Fatalf("diagnostic %v out of range for %d bytes", d, len(q))
			}
			if d.Code == CodeInternal {
				t.Fatalf("internal parser error: %s", d.Message)
			}
			_ = d.Format(NewSource(q))
		}
	})
}

// FuzzLex: the scanner terminates and its tokens tile the text in order.
func FuzzLex(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, q string) {
		items := scanAll(q)
		last := Pos(0)
		for _, it := range items {
			if it.pos < last || it.end < it.pos || int(it.end) > len(q) {
				t.Fatalf("token %v at %d..%d out of order (previous end %d, len %d)", it.tok, it.pos, it.end, last, len(q))
			}
			last = it.end
		}
		if items[len(items)-1].tok != EOF {
			t.Fatal("no EOF token")
		}
	})
}
