package duckdb

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

func init() {
	register(scalarFuncs, map[string]translator{
		"around": func(g *gen, c *plan.Call) string {
			v, center, delta := c.Args[0], c.Args[1], c.Args[2]
			lo := &plan.Call{Fn: "-", Args: []plan.Expr{center, delta}, T: center.Type()}
			hi := &plan.Call{Fn: "+", Args: []plan.Expr{center, delta}, T: center.Type()}
			ge := &plan.Call{Fn: ">=", Args: []plan.Expr{v, lo}, T: types.Bool}
			le := &plan.Call{Fn: "<=", Args: []plan.Expr{v, hi}, T: types.Bool}
			return g.call(&plan.Call{Fn: "and", Args: []plan.Expr{ge, le}, T: types.Bool})
		},
		"assert": func(g *gen, c *plan.Call) string {
			return "(CASE WHEN coalesce(" + g.expr(c.Args[0]) + ", false) THEN true ELSE error('assert failed: ' || " + strArg(g, c.Args[1]) + ") END)"
		},
	})
}
