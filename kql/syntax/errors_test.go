package syntax

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

var errorMarker = regexp.MustCompile(`/\*ERROR (KQL\d+)\*/`)

type wantErr struct {
	code string
	pos  Pos
}

// errorCases reads testdata/errors.kql: one query a line, with
// /*ERROR CODE*/ markers right before the tokens diagnostics must start at.
func errorCases(t testing.TB) (queries []string, wants [][]wantErr) {
	t.Helper()
	data, err := os.ReadFile("testdata/errors.kql")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "//") || strings.TrimSpace(line) == "" {
			continue
		}
		var ws []wantErr
		clean := line
		for {
			loc := errorMarker.FindStringSubmatchIndex(clean)
			if loc == nil {
				break
			}
			ws = append(ws, wantErr{code: clean[loc[2]:loc[3]], pos: Pos(loc[0])})
			clean = clean[:loc[0]] + clean[loc[1]:]
		}
		queries = append(queries, clean)
		wants = append(wants, ws)
	}
	return queries, wants
}

func describe(errs ErrorList) string {
	var parts []string
	for _, d := range errs {
		parts = append(parts, d.Error())
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// TestErrors checks that each bad query of testdata/errors.kql gets the
// expected code at each marked position, and that every diagnostic lies
// inside the text.
func TestErrors(t *testing.T) {
	queries, wants := errorCases(t)
	if len(queries) < 25 {
		t.Fatalf("only %d error cases", len(queries))
	}
	for i, q := range queries {
		_, errs := Parse(q)
		if len(wants[i]) == 0 {
			t.Errorf("%q: no /*ERROR*/ marker", q)
		}
		for _, w := range wants[i] {
			found := false
			for _, d := range errs {
				if d.Code == w.code && d.From == w.pos {
					found = true
				}
			}
			if !found {
				t.Errorf("Parse(%q): want %s at offset %d, got %s", q, w.code, w.pos, describe(errs))
			}
		}
		for _, d := range errs {
			if d.From < 0 || int(d.To) > len(q) || d.To < d.From {
				t.Errorf("Parse(%q): diagnostic %s spans %d..%d outside the text", q, d.Code, d.From, d.To)
			}
			if d.Code == CodeInternal {
				t.Errorf("Parse(%q): %s", q, d.Message)
			}
		}
	}
}

// TestAllErrorsReported: the parser recovers at '|' and ';' and reports
// the errors of every operator and statement.
func TestAllErrorsReported(t *testing.T) {
	q := "T | where x == ) | project a, , b;\nlet y = ;\nU | frobnicate | take"
	_, errs := Parse(q)
	if len(errs) != 5 {
		t.Fatalf("Parse(%q) reported %s, want 5 errors", q, describe(errs))
	}
	for i := 1; i < len(errs); i++ {
		if errs[i].From < errs[i-1].From {
			t.Errorf("Parse(%q): diagnostics not sorted by position: %s", q, describe(errs))
		}
	}
}

// TestTooDeep: hostile nesting is reported, not a stack overflow.
func TestTooDeep(t *testing.T) {
	for _, q := range []string{
		"print " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"print " + strings.Repeat("-", 5000) + "1",
		"print dynamic(" + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + ")",
		"T | where " + strings.Repeat("f(", 5000) + "1" + strings.Repeat(")", 5000),
		strings.Repeat("T | mv-apply x on (", 3000),
	} {
		_, errs := Parse(q)
		if len(errs) == 0 || errs[0].Code != CodeTooDeep && errs[len(errs)-1].Code != CodeTooDeep {
			found := false
			for _, d := range errs {
				found = found || d.Code == CodeTooDeep
			}
			if !found {
				t.Errorf("Parse(%.40q…): want %s, got %s", q, CodeTooDeep, describe(errs))
			}
		}
	}
}

// TestFormat: a diagnostic prints as line:col: CODE: message with the
// line and a caret under the span.
func TestFormat(t *testing.T) {
	q := "T\n| where x == )"
	_, errs := Parse(q)
	if len(errs) == 0 {
		t.Fatalf("Parse(%q): no error", q)
	}
	got := errs[0].Format(NewSource(q))
	want := "2:14: KQL1001: Unexpected token ')'\n  | where x == )\n               ^"
	if got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}
