package query_test

import (
	"context"
	"testing"

	"github.com/goshawk-sec/goshawk/query"
)

// TestDistinctNamesExpressions: distinct names a conversion of a column
// after the column and a bin after its column, as Kusto does (Sentinel's
// Kerberoast rule projects SPN and TimeGenerated after
// `distinct tostring(SPN), bin(TimeGenerated, 2m)`).
func TestDistinctNamesExpressions(t *testing.T) {
	eng := newMemoryEngine(t)
	rs, err := eng.Run(context.Background(), `datatable(SPN:dynamic, T:datetime)
[dynamic("a"), datetime(2020-01-01 00:00:30), dynamic("a"), datetime(2020-01-01 00:01:10), dynamic("b"), datetime(2020-01-01 00:03:00)]
| distinct tostring(SPN), bin(T, 2m)
| project SPN, T
| sort by SPN asc`, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := rs.Primary().Records()
	if len(rows) != 2 || rows[0]["SPN"] != "a" || rows[1]["SPN"] != "b" {
		t.Errorf("rows %v", rows)
	}
}
