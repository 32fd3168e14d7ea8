package syntax

import "testing"

// TestPrintRoundTrip: printing a parsed query gives text that parses
// without errors and prints identically again.
func TestPrintRoundTrip(t *testing.T) {
	var qs []jsonQuery
	qs = append(qs, loadQueries(t, "kql-corpus/defender-hunting.jsonl")...)
	qs = append(qs, loadQueries(t, "kql-conformance/cases.jsonl")...)
	for _, q := range qs {
		if q.ValidKQL != nil && !*q.ValidKQL {
			continue
		}
		s1, errs := Parse(q.Query)
		if len(errs) > 0 {
			continue
		}
		p1 := Print(s1)
		s2, errs := Parse(p1)
		if len(errs) > 0 {
			t.Errorf("%s: printed text does not parse: %s\n%s", q.ID, errs[0].Format(NewSource(p1)), p1)
			continue
		}
		if p2 := Print(s2); p2 != p1 {
			t.Errorf("%s: Print(Parse(Print(q))) differs:\n%s\n----\n%s", q.ID, p1, p2)
		}
	}
}
