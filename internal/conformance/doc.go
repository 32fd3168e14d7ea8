// Package conformance checks the KQL engine against the examples of the
// Kusto Query Language reference. The cases live in
// ../shared/kql-conformance/cases.jsonl, each a query with the result its
// documentation page shows; the README beside them defines how a result is
// compared, and this package implements that definition:
//
//   - Load reads the cases.
//   - Compare checks one result table against one case and describes the
//     first difference (which row and column, want and got).
//   - Run executes every case through a caller-supplied function, recovers
//     panics, and records each outcome with the stage that failed (parse,
//     bind, compile, exec, compare or panic).
//   - CheckBaseline keeps the set of passing cases in a file and fails when
//     a case that passed no longer does: the pass count only goes up.
//
// The engine is not imported: Run takes an exec function, so every backend
// (DuckDB now, ClickHouse later) is held to the same cases. Compilation
// errors are classified by their Stage field (kql.Error has one); anything
// else is an exec failure.
//
// # Comparison
//
// Cells are compared by the type of the actual result column, not as text,
// because the pages print values for people: 1,000 and True and
// 2017-08-01 00:00:00.0000000 stand for 1000, true and an instant. The
// rules, in the README's terms, with the decisions it leaves open:
//
//   - null: an empty cell, null or (null) matches nil; an empty cell also
//     matches an empty string (and an empty dynamic string).
//   - bool: case-insensitive true/false, or 1/0.
//   - int, long: exact integer equality after removing thousands
//     separators; decimal too when the page shows an integer.
//   - real (and dynamic numbers): equal within a relative 1e-9, or within
//     half a unit in the last digit the page shows when it shows a
//     fraction (32.667 matches 32.666666666666664), or within 1e-12 of
//     zero. NaN, Infinity and -Infinity (also written ∞ and -∞) match only
//     themselves.
//   - datetime: the page's 2017-08-01 00:00:00.0000000, 2017-08-01T00:00:00Z
//     and 2017-08-01 forms are read as UTC and compared at 100 ns.
//   - timespan: [-][d.]hh:mm:ss[.fffffff], compared as a signed duration.
//   - guid: case-insensitive.
//   - dynamic: both sides parsed as JSON; objects regardless of key order,
//     arrays in order, numbers numerically. A page cell that is not JSON, or
//     whose JSON differs, still matches a dynamic string scalar with the
//     same text (the page may print a scalar string without quotes).
//     Strings inside dynamic values compare exactly.
//   - string: exact, after trimming the actual value as the page was
//     trimmed.
//
// Column names must match in number and order, except that a name the
// case's notes list as "not in the query text" (a made-up name such as
// result for print_0) is compared by position only; such a pass is counted
// apart in the report.
//
// # Files
//
// The baseline (testdata/conformance-baseline.txt in the package that runs
// the suite) lists one passing case id per line, sorted. The known-wrong
// list beside it (conformance-known-wrong.txt) holds "id<TAB>reason" lines
// for cases whose documented output is wrong; they are left out of the
// pass rate and reported apart. Both accept blank lines and # comments.
package conformance
