package duckdb

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Window functions whose restart predicate the binder lowers to
// PartitionBy (see semantic.lowerWindows).
func init() {
	register(windowFuncs, map[string]translator{
		// row_rank_min(x, rownum): the first row number (within the
		// partition) holding the value x. The binder supplies rownum, the
		// row's number in the whole serialized input.
		"row_rank_min": func(g *gen, c *plan.Call) string {
			if len(c.Args) < 2 {
				fail("sqlgen: row_rank_min needs its row numbers")
			}
			var parts []string
			for _, p := range c.PartitionBy {
				parts = append(parts, g.expr(p))
			}
			seg := ""
			if len(parts) > 0 {
				seg = "PARTITION BY " + strings.Join(parts, ", ")
			}
			byValue := "PARTITION BY " + strings.Join(append(parts, g.expr(c.Args[0])), ", ")
			rn := g.expr(c.Args[1])
			return "(min(" + rn + ") OVER (" + byValue + ") - min(" + rn + ") OVER (" + seg + ") + 1)"
		},
		// row_window_session(x, maxFromFirst, maxBetweenNeighbors): folds
		// the values so far into (session start, previous value).
		"row_window_session": func(g *gen, c *plan.Call) string {
			x := g.expr(c.Args[0])
			isTime := c.Args[0].Type() == types.DateTime
			if isTime {
				x = "(epoch_us(" + x + ") * 10)"
			}
			first, nbr := g.expr(c.Args[1]), g.expr(c.Args[2])
			list := "list({'s': " + x + ", 'p': " + x + "}) OVER (" + g.over(c) + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
			fold := "list_reduce(" + list + ", (acc, v) -> CASE WHEN acc.p IS NULL OR v.p IS NULL OR v.p >= acc.s + (" + first + ") OR v.p >= acc.p + (" + nbr + ") THEN v ELSE {'s': acc.s, 'p': v.p} END).s"
			if isTime {
				return "make_timestamp(CAST((" + fold + ") // 10 AS BIGINT))"
			}
			return "(" + fold + ")"
		},
	})
}

// rows_near_any(flag, preceding, following) is internal (the lowering of
// the rows_near plugin): whether flag holds on a row of the frame.
func init() {
	register(windowFuncs, map[string]translator{
		"rows_near_any": func(g *gen, c *plan.Call) string {
			return "coalesce(bool_or(" + g.expr(c.Args[0]) + ") OVER (" + g.over(c) + " ROWS BETWEEN " + g.expr(c.Args[1]) + " PRECEDING AND " + g.expr(c.Args[2]) + " FOLLOWING), false)"
		},
	})
}

// partition_id(x) is internal (the lowering of `partition by`): the
// number of x's distinct value.
func init() {
	register(scalarFuncs, map[string]translator{
		"partition_id": func(g *gen, c *plan.Call) string {
			return "dense_rank() OVER (ORDER BY " + g.expr(c.Args[0]) + " NULLS LAST)"
		},
	})
}
