package syntax

import "testing"

// roundTrip checks that q's printed form parses without errors to the same
// tree and prints identically again.
func roundTrip(t *testing.T, id, q string) {
	t.Helper()
	s1, errs := Parse(q)
	if len(errs) > 0 {
		return
	}
	p1 := Print(s1)
	s2, errs := Parse(p1)
	if len(errs) > 0 {
		t.Errorf("%s: Parse(Print(Parse(q))) = %s\nprinted:\n%s", id, errs[0].Format(NewSource(p1)), p1)
		return
	}
	if d := treeDiff(s1, s2); d != "" {
		t.Errorf("%s: Parse(Print(Parse(q))) differs from Parse(q) at %s\nprinted:\n%s", id, d, p1)
	}
	if p2 := Print(s2); p2 != p1 {
		t.Errorf("%s: Print(Parse(Print(Parse(q)))) differs:\n%s\n----\n%s", id, p1, p2)
	}
}

// TestPrintRoundTrip: printing a parsed query gives text that parses to
// the same tree and prints identically again, for every corpus and
// conformance query.
func TestPrintRoundTrip(t *testing.T) {
	for _, q := range sharedQueries(t) {
		roundTrip(t, q.id, q.text)
	}
}
