// Package syntax is the front end of Goshawk's KQL engine: tokens, lexer,
// syntax tree, recovering parser, printer and diagnostics.
//
// # Model
//
// A query text is a Script: statements (let, set, declare
// query_parameters, declare pattern, alias, restrict, and queries)
// separated by semicolons. A query is an expression; a pipeline
// `T | where … | project …` is a left-leaning chain of *PipeExpr whose
// Source is the table expression before the pipe and whose Op is one
// tabular Operator. Sources that are keywords (print, range, datatable,
// externaldata, union, search, find) have their own nodes; a query that
// starts with `evaluate`, and the sub-queries of mv-apply, partition, fork
// and facet that start with an operator, have a *ContextualSource standing
// for the implicit input.
//
// Scalar and tabular expressions share one Expr interface, as they do in
// KQL's grammar (a name may be a column, a variable or a table); the binder
// in kql/semantic decides which is which. The tree records no types and no
// resolved names: the binder keeps those in its own tables.
//
// Every node knows its span as byte offsets (Pos and End); Source turns an
// offset into a line and column. The parser fills the contract of each
// node as its doc comment states: literal values are decoded (Literal.Value
// holds Go values of fixed types per kind), operator spellings are
// canonical (BinaryExpr.Op), and defaults are applied (SortKey).
//
// # Lexing
//
// KQL's keywords are contextual, so the lexer makes every word an IDENT
// and the parser decides by position: `project count`, `extend kind = 1`
// and `where type == "x"` are all fine. Hyphenated operator names
// (project-away, mv-expand, …) lex as IDENT '-' IDENT and are joined by the
// parser when written without spaces. As in Kusto, a type keyword glued to
// a parenthesis is one literal token whose body runs to the next ')':
// datetime(2020-01-01 10:00), int(null), guid(…). Adjacent string literals
// are one literal.
//
// # Parsing
//
// Parse never panics and always returns a Script, partial when the text
// has errors, with every diagnostic found. The parser is recursive
// descent with Kusto's operator precedence (see parse_expr.go). After an
// error it resynchronizes at the next '|' or ';' at bracket depth 0, or at
// the closing bracket of the group it is in, so one query reports all its
// errors. Diagnostic codes are stable (codes.go); messages use Kusto's
// vocabulary ("Unexpected token ')'", "Expected: by").
//
// # Printing
//
// Print renders any node as KQL. For a parsed tree, Parse(Print(tree)) is
// the same tree up to positions and presentation (which names were
// bracket-quoted, how literals were spelled), and printing is idempotent.
// Literals keep their source text when it still denotes their value.
package syntax
