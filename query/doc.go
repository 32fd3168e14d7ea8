// Package query runs KQL against the workspace: it compiles the text with
// the kql package against the workspace's catalogue, executes the SQL on
// DuckDB under the configured limits, and returns a result.Set.
//
// Limits follow Kusto's defaults: results are truncated at 500,000 rows or
// 64 MB (whichever comes first) and flagged as truncated; each query has a
// timeout and is cancelled with its context.
package query
