package duckdb

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// aggExpr renders an aggregate call of a summarize.
func (g *gen) aggExpr(e plan.Expr) string {
	c, ok := e.(*plan.Call)
	if !ok {
		return g.expr(e)
	}
	a := func(i int) string { return g.expr(c.Args[i]) }
	filter := func(cond string) string { return " FILTER (WHERE " + cond + ")" }
	switch c.Fn {
	case "count":
		return "count(*)"
	case "countif":
		return "count(*)" + filter(a(0))
	case "dcount", "count_distinct":
		return "count(DISTINCT " + a(0) + ")"
	case "dcountif":
		return "count(DISTINCT " + a(0) + ")" + filter(a(1))
	case "sum":
		return g.sumOf(c, a(0), "")
	case "sumif":
		return g.sumOf(c, a(0), filter(a(1)))
	case "avg":
		return "avg(" + a(0) + ")"
	case "avgif":
		return "avg(" + a(0) + ")" + filter(a(1))
	case "min", "max":
		return c.Fn + "(" + a(0) + ")"
	case "minif", "maxif":
		return strings.TrimSuffix(c.Fn, "if") + "(" + a(0) + ")" + filter(a(1))
	case "stdev":
		return "stddev_samp(" + a(0) + ")"
	case "stdevp":
		return "stddev_pop(" + a(0) + ")"
	case "variance":
		return "var_samp(" + a(0) + ")"
	case "variancep":
		return "var_pop(" + a(0) + ")"
	case "make_list", "make_list_with_nulls", "make_list_if":
		x := g.jsonArgs(c.Args[:1])[0]
		cond := a(0) + " IS NOT NULL"
		limitArg := 1
		if strings.HasSuffix(c.Fn, "_if") {
			cond = "(" + a(1) + ") AND " + cond
			limitArg = 2
		}
		if c.Fn == "make_list_with_nulls" {
			cond = "true"
		}
		list := "list(" + x + ")" + filter(cond)
		if strings.HasPrefix(c.Fn, "make_set") {
			list = "list(DISTINCT " + x + ")" + filter(cond)
		}
		if len(c.Args) > limitArg {
			list = "(" + list + ")[1:" + a(limitArg) + "]"
		}
		return "coalesce(to_json(" + list + "), CAST('[]' AS JSON))"
	case "make_bag":
		return "coalesce(json_merge_patch('{}', list_reduce(list(" + a(0) + ") FILTER (WHERE json_type(" + a(0) + ") = 'OBJECT'), (x, y) -> json_merge_patch(x, y))), CAST('{}' AS JSON))"
	case "take_any":
		return "any_value(" + a(0) + ")"
	case "take_anyif":
		return "any_value(" + a(0) + ")" + filter(a(1))
	case "arg_max", "arg_min":
		// Kusto still returns a row for a group whose keys are all null;
		// DuckDB skips null keys, so nulls sort below every value. Each
		// output column takes the value of the same row, null or not:
		// arg_max_null, where plain arg_max would skip rows whose value is
		// null and mix rows.
		return c.Fn + "_null(" + a(0) + ", " + nullsLowest(c.Args[1], a(1), c.Fn == "arg_min") + ")"
	case "percentile", "percentiles":
		return "quantile_disc(" + a(0) + ", (" + a(1) + ") / 100.0)"
	case "binary_all_or":
		return "bit_or(" + a(0) + ")"
	case "binary_all_and":
		return "bit_and(" + a(0) + ")"
	}
	if f, ok := aggFuncs[c.Fn]; ok {
		return f(g, c)
	}
	fail("sqlgen: aggregate %s is not supported on DuckDB yet", c.Fn)
	return ""
}

// aggFuncs holds aggregate translations added by function families in
// their own files (the common aggregates are in aggExpr's switch).
var aggFuncs = map[string]translator{}

func (g *gen) sumOf(c *plan.Call, x, filter string) string {
	switch c.T {
	case types.Long:
		return "CAST(sum(" + x + ")" + filter + " AS BIGINT)"
	case types.TimeSpan:
		return "CAST(sum(" + x + ")" + filter + " AS BIGINT)"
	}
	return "sum(" + x + ")" + filter
}

// nullsLowest maps a null key to the least (or, for arg_min, greatest)
// value of its type so that arg_max/arg_min consider every row.
func nullsLowest(e plan.Expr, x string, min bool) string {
	var lo, hi string
	switch e.Type() {
	case types.Int, types.Long, types.TimeSpan:
		lo, hi = "-9223372036854775807", "9223372036854775807"
	case types.Real, types.Decimal:
		lo, hi = "CAST('-Infinity' AS DOUBLE)", "CAST('Infinity' AS DOUBLE)"
	case types.DateTime:
		lo, hi = "CAST('-infinity' AS TIMESTAMP)", "CAST('infinity' AS TIMESTAMP)"
	default:
		return x
	}
	if min {
		return "coalesce(" + x + ", " + hi + ")"
	}
	return "coalesce(" + x + ", " + lo + ")"
}
