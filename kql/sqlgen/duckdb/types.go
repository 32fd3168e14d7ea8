package duckdb

import "github.com/goshawk-sec/goshawk/kql/types"

// SQLType returns the DuckDB column type that stores values of the Kusto
// type t. The mapping is the storage contract between the SQL generator and
// any store that holds tables it queries:
//
//	bool     BOOLEAN
//	int      INTEGER
//	long     BIGINT
//	real     DOUBLE
//	decimal  DECIMAL(38,18)
//	string   VARCHAR (never NULL in stored rows: empty string instead)
//	datetime TIMESTAMP (microsecond precision; Kusto has 100 ns ticks)
//	timespan BIGINT holding 100 ns ticks, as Kusto does
//	guid     UUID
//	dynamic  JSON
func SQLType(t types.Type) string {
	switch t {
	case types.Bool:
		return "BOOLEAN"
	case types.Int:
		return "INTEGER"
	case types.Long:
		return "BIGINT"
	case types.Real:
		return "DOUBLE"
	case types.Decimal:
		return "DECIMAL(38,18)"
	case types.DateTime:
		return "TIMESTAMP"
	case types.TimeSpan:
		return "BIGINT"
	case types.GUID:
		return "UUID"
	case types.Dynamic:
		return "JSON"
	}
	return "VARCHAR"
}
