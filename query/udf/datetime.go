package udf

import (
	"database/sql/driver"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/goshawk-sec/goshawk/kql/syntax"
)

func init() {
	add(Func{Name: "kql_todatetime", Args: []duckdb.Type{duckdb.TYPE_VARCHAR}, Result: duckdb.TYPE_TIMESTAMP, Fn: toDateTime})
}

// toDateTime parses the datetime text forms Kusto's todatetime accepts
// beyond ISO 8601 (which DuckDB's cast already reads): RFC 822/1123,
// US month/day/year, and the others syntax.ParseDateTime knows. It
// returns NULL for text that is not a datetime.
func toDateTime(args []driver.Value) (any, error) {
	s, _ := args[0].(string)
	t, ok := syntax.ParseDateTime(s)
	if !ok {
		return nil, nil
	}
	return t.UTC().Truncate(time.Microsecond), nil
}
