// Package plan is the relational form of a bound KQL query: a tree of
// tabular nodes (scan, filter, project, aggregate, join, …) whose scalar
// expressions are typed and fully resolved. The binder (kql/semantic)
// produces it by lowering KQL's operators onto this small set; each SQL
// generator (kql/sqlgen/…) turns it into its dialect. A plan knows nothing
// of KQL's syntax, of SQL, or of where tables are stored.
package plan
