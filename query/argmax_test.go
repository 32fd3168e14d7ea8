package query_test

import (
	"context"
	"testing"

	"github.com/goshawk-sec/goshawk/query"
)

// TestArgMaxTakesOneRow: arg_max(t, *) returns every column of the row
// with the greatest t, nulls included, as Kusto does — not the last
// non-null value of each column (the state of a reopened incident must
// not keep its old ClosedTime).
func TestArgMaxTakesOneRow(t *testing.T) {
	eng := newMemoryEngine(t)
	rs, err := eng.Run(context.Background(), `datatable(k:string, t:datetime, n:long, s:string, c:datetime)
["a", datetime(2020-01-01), 1, "closed", datetime(2020-01-01),
 "a", datetime(2020-01-02), long(null), "reopened", datetime(null)]
| summarize arg_max(t, *) by k`, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	row := rs.Primary().Records()[0]
	if row["n"] != nil || row["s"] != "reopened" || row["c"] != nil {
		t.Errorf("arg_max row = %v, want n and c null, s reopened", row)
	}
}
