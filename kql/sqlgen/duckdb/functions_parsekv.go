package duckdb

import "github.com/goshawk-sec/goshawk/kql/plan"

// parse_kv is internal (the binder's lowering of parse-kv): the value of
// a key in a text, computed by the Go UDF kql_parse_kv.
func init() {
	register(scalarFuncs, map[string]translator{
		"parse_kv": func(g *gen, c *plan.Call) string {
			return "kql_parse_kv(" + strArg(g, c.Args[0]) + ", " + g.expr(c.Args[1]) + ", " + g.expr(c.Args[2]) + ")"
		},
	})
}
