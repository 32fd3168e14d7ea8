// Package semantic binds a parsed KQL script: it resolves table, column,
// let and function names, computes every expression's Kusto type, checks
// operator and function arguments, and lowers KQL's operators onto the
// relational nodes of kql/plan. Problems are reported as positioned
// diagnostics with stable codes (see kql/syntax/codes.go); binding goes on
// after an error so that one pass reports them all.
//
// Function signatures live in one catalogue (functions.go) shared by every
// backend; a backend test fails when it lacks a translation for a declared
// function.
package semantic
