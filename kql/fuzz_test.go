package kql_test

import (
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
)

// FuzzCompile runs parse, bind and SQL generation on arbitrary text: any
// outcome but a panic is acceptable.
func FuzzCompile(f *testing.F) {
	for _, q := range testenv.Corpus(f) {
		f.Add(q.Query)
	}
	f.Add("print x = 1 | extend y = x * 2 | summarize arg_max(y, *) by x")
	cat := query.Catalog{C: schema.Default()}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, q string) {
		_, err := kql.Compile(q, cat, kql.Options{Now: now})
		if err != nil && strings.Contains(err.Error(), "internal") {
			t.Fatalf("Compile(%q): %v", q, err)
		}
	})
}
