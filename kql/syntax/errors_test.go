package syntax

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

var errorMarker = regexp.MustCompile(`/\*ERROR (KQL\d+)\*/`)

// TestErrors checks, for each line of testdata/errors.kql, that the parser
// reports the expected code at the marked position (markers are removed
// before parsing, so positions refer to the clean text).
func TestErrors(t *testing.T) {
	f, err := os.Open("testdata/errors.kql")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "//") || strings.TrimSpace(line) == "" {
			continue
		}
		n++
		type want struct {
			code string
			pos  Pos
		}
		var wants []want
		clean := line
		for {
			loc := errorMarker.FindStringSubmatchIndex(clean)
			if loc == nil {
				break
			}
			wants = append(wants, want{code: clean[loc[2]:loc[3]], pos: Pos(loc[0])})
			clean = clean[:loc[0]] + clean[loc[1]:]
		}
		_, errs := Parse(clean)
		for _, w := range wants {
			found := false
			for _, d := range errs {
				if d.Code == w.code && d.From == w.pos {
					found = true
				}
			}
			if !found {
				t.Errorf("Parse(%q): want %s at offset %d, got %v", clean, w.code, w.pos, describe(errs))
			}
		}
	}
	if n < 25 {
		t.Fatalf("only %d error cases", n)
	}
}

func describe(errs ErrorList) string {
	var parts []string
	for _, d := range errs {
		parts = append(parts, d.Code+"@"+itoa(int(d.From))+" "+d.Message)
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TestAllErrorsReported: the parser recovers and reports errors in
// several operators and statements of one query.
func TestAllErrorsReported(t *testing.T) {
	q := "T | where x == ) | project a, , b;\nlet y = ;\nU | frobnicate"
	_, errs := Parse(q)
	if len(errs) < 3 {
		t.Fatalf("Parse(%q) reported %d errors, want at least 3: %v", q, len(errs), describe(errs))
	}
}
