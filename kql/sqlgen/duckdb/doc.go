// Package duckdb generates DuckDB SQL from a bound KQL plan (kql/plan).
//
// Every plan node becomes one SELECT over its input as a sub-query; DuckDB's
// optimizer flattens the nesting. KQL semantics that SQL lacks are spelled
// out explicitly: case-insensitive string operators, whole-term `has`,
// strings that are never null, Kusto's bin() alignment, innerunique joins,
// and timespans held as 100 ns ticks (see SQLType).
//
// All DuckDB-specific SQL lives in this package.
package duckdb
