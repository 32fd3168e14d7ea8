// Package transform runs the transformKql of data collection rules: the
// KQL query that Azure Monitor applies to incoming records before they are
// stored, written over a virtual table named source whose columns are the
// input stream's.
//
//	source | where Severity != "debug" | extend TimeGenerated = now()
//
// # Model
//
// An Engine owns an in-memory DuckDB database of its own with the KQL
// engine's SQL helpers and Go functions installed (query.New) and no
// table. Compile binds a transformation against a catalogue holding
// source alone, so no workspace table can be named. Apply takes one
// connection, creates the batch as a temporary table source there (a
// temporary table is private to its connection, and DuckDB resolves an
// unqualified name to it first), appends the rows with the appender,
// runs the compiled SQL, reads the rows back and drops the table.
// Concurrent Apply calls each have their own connection and table; a
// cancelled context interrupts the query.
//
// Values going in and out follow the store's Go conventions
// (store/doc.go): input is converted as store.Append converts it, and
// output is what ingestion writes — datetime as time.Time in UTC,
// timespan as time.Duration, int as int32, long as int64, guid and
// decimal as strings, dynamic as json.RawMessage, strings never nil.
//
// now() and ago() are bound to constants when a query is compiled. A
// transformation that uses them is compiled again for each batch, so that
// now() is the time the batch is transformed, as it is in Azure, not the
// time the rule was saved.
//
// # What transformations may use
//
// Azure Monitor applies a transformation to each record by itself
// ("Supported KQL features in Azure Monitor transformations",
// learn.microsoft.com/azure/azure-monitor/data-collection/data-collection-transformations-kql),
// and this package refuses, at Compile and with the position of the
// offending token, what that page leaves out (codes.go):
//
//   - Statements: let (scalar values, tabular expressions, and functions
//     with scalar parameters only) and the query; no set, declare, alias
//     or restrict.
//   - Data sources: source, print and datatable. union, search, find,
//     range, externaldata and table functions are refused; other tables
//     do not exist for a transformation.
//   - Operators: where, extend, project, project-away, project-rename and
//     parse, the last with at most 10 extracted columns, as in Azure.
//     Everything that combines, reorders, multiplies or drops records by
//     looking at others (summarize, sort, top, take, distinct, join,
//     lookup, union, mv-expand, evaluate, …) is refused.
//   - Functions: aggregations, window functions (row_number, prev, …),
//     toscalar, materialize and sub-queries inside expressions read
//     beyond the current record and are refused.
//   - columnifexists, Azure's spelling in transformations, is accepted as
//     column_ifexists.
//
// Scalar functions and operators are not limited to the page's list: the
// rules vendors publish for Sentinel use functions it omits (coalesce,
// unixtime_milliseconds_todatetime, …) and Azure accepts them, so every
// scalar function the KQL engine implements is allowed. The
// transformation-only functions parse_cef_dictionary and geo_location are
// not implemented.
//
// A query that does not read source (print x = 1) gives its rows once for
// each input record, since Azure runs it per record.
package transform
