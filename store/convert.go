package store

import (
	"database/sql/driver"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// Converter returns the function that turns a Go value of KQL type t, in
// the conventions the package documentation lists, into the value the
// DuckDB appender takes for a column of duckdb.SQLType(t): exactly what
// Append stores. It is for code that appends to DuckDB tables of its own
// (an ingestion transformation's input batch) with the store's rules.
func Converter(t types.Type) (func(v any) (driver.Value, error), error) {
	return converterFor(t)
}

// DriverValue converts one value as Converter's function for t does.
func DriverValue(t types.Type, v any) (driver.Value, error) {
	conv, err := converterFor(t)
	if err != nil {
		return nil, err
	}
	return conv(v)
}
