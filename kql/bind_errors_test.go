package kql_test

import (
	"bufio"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
)

var errorMarker = regexp.MustCompile(`/\*ERROR (KQL\d+)\*/`)

// TestBindErrors checks each line of testdata/bind_errors.kql: binding
// reports the expected code at the marked position.
func TestBindErrors(t *testing.T) {
	f, err := os.Open("testdata/bind_errors.kql")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cat := query.Catalog{C: schema.Default()}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "//") || strings.TrimSpace(line) == "" {
			continue
		}
		n++
		loc := errorMarker.FindStringSubmatchIndex(line)
		if loc == nil {
			t.Fatalf("no marker in %q", line)
		}
		code, pos := line[loc[2]:loc[3]], syntax.Pos(loc[0])
		clean := line[:loc[0]] + line[loc[1]:]
		_, err := kql.Check(clean, cat, kql.Options{})
		var ke *kql.Error
		if !errors.As(err, &ke) {
			t.Errorf("Check(%q) = %v, want %s at offset %d", clean, err, code, pos)
			continue
		}
		found := false
		for _, d := range ke.Diagnostics {
			if d.Code == code && d.From == pos {
				found = true
			}
		}
		if !found {
			t.Errorf("Check(%q): want %s at offset %d, got %s", clean, code, pos, ke.Format())
		}
	}
	if n < 15 {
		t.Fatalf("only %d cases", n)
	}
}
