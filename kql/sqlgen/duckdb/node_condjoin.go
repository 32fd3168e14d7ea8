package duckdb

import "github.com/goshawk-sec/goshawk/kql/plan"

// condJoin renders a join on an arbitrary predicate. The two inputs have
// distinct column names, so the predicate's bare column references are
// unambiguous.
func (g *gen) condJoin(n *plan.CondJoin) string {
	kw := " INNER JOIN "
	if n.LeftOuter {
		kw = " LEFT OUTER JOIN "
	}
	return "SELECT * FROM " + g.from(n.Left) + kw + g.from(n.Right) + " ON " + g.expr(n.Pred)
}
