package duckdb

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Dynamic arrays, bags and sets. Most are computed by the Go UDF kql_dyn
// (query/udf/dynamic.go), which takes its arguments as JSON text.

// dynText renders e as JSON text for kql_dyn; a null becomes 'null'.
func (g *gen) dynText(e plan.Expr) string {
	var j string
	switch e.Type() {
	case types.Dynamic:
		j = g.expr(e)
	case types.String:
		j = "to_json(" + strArg(g, e) + ")"
	case types.Null, types.Unknown:
		return "'null'"
	default:
		j = g.convert(e, types.Dynamic)
	}
	return "coalesce(CAST(" + j + " AS VARCHAR), 'null')"
}

// kqlDyn renders a kql_dyn call of op over already rendered JSON texts.
func kqlDyn(op string, args ...string) string {
	return "kql_dyn(" + Str(op) + ", " + strings.Join(args, ", ") + ")"
}

// dynOp translates a function to kql_dyn(op, args…) with optional
// trailing arguments filled with 'null'; the result is cast to the
// call's type.
func dynOp(op string, nargs int, prefix ...string) translator {
	return func(g *gen, c *plan.Call) string {
		args := append([]string{}, prefix...)
		for _, a := range c.Args {
			args = append(args, g.dynText(a))
		}
		for len(args) < len(prefix)+nargs {
			args = append(args, "'null'")
		}
		return dynResult(kqlDyn(op, args...), c.T)
	}
}

// dynResult casts kql_dyn's text to the storage type of t.
func dynResult(x string, t types.Type) string {
	if t == types.Dynamic {
		return "CAST(" + x + " AS JSON)"
	}
	return "CAST(" + x + " AS " + SQLType(t) + ")"
}

func init() {
	register(scalarFuncs, map[string]translator{
		"array_iff":          dynOp("array_iff", 3),
		"array_index_of":     dynOp("array_index_of", 5),
		"array_reverse":      dynOp("array_reverse", 1),
		"array_rotate_left":  dynOp("array_rotate", 2),
		"array_rotate_right": negated("array_rotate", false),
		"array_shift_left":   dynOp("array_shift", 3),
		"array_shift_right":  negated("array_shift", true),
		"array_split":        dynOp("array_split", 2),
		"array_sort_asc":     arraySort(false),
		"array_sort_desc":    arraySort(true),
		"set_has_element":    dynOp("set_has_element", 2),
		"set_union":          dynOp("set_union", 0),
		"set_intersect":      dynOp("set_intersect", 0),
		"set_difference":     dynOp("set_difference", 0),
		"jaccard_index":      dynOp("jaccard_index", 2),
		"bag_remove_keys":    dynOp("bag_remove_keys", 2),
		"zip":                dynOp("zip", 0),
		"array_sum":          dynOp("array_sum", 1),
		"treepath":           dynOp("treepath", 1),
		// bag_drop_empty(flag, bag) is internal: the binder's lowering of
		// pack_all(ignore_null_empty).
		"bag_drop_empty": func(g *gen, c *plan.Call) string {
			bag := g.expr(c.Args[1])
			return "(CASE WHEN " + g.expr(c.Args[0]) + " THEN " + dynResult(kqlDyn("bag_drop_empty", "CAST("+bag+" AS VARCHAR)"), types.Dynamic) + " ELSE " + bag + " END)"
		},
	})
	aggFuncs["make_set"] = makeSet(false)
	aggFuncs["make_set_if"] = makeSet(true)
	aggFuncs["make_bag_if"] = func(g *gen, c *plan.Call) string {
		x, cond := g.expr(c.Args[0]), g.expr(c.Args[1])
		return "coalesce(json_merge_patch('{}', list_reduce(list(" + x + ") FILTER (WHERE json_type(" + x + ") = 'OBJECT' AND (" + cond + ")), (x, y) -> json_merge_patch(x, y))), CAST('{}' AS JSON))"
	}
}

// negated translates the right-hand variant of a rotate/shift: the count
// (second argument) is negated.
func negated(op string, fill bool) translator {
	return func(g *gen, c *plan.Call) string {
		args := []string{g.dynText(c.Args[0]), "coalesce(CAST(-(" + g.expr(c.Args[1]) + ") AS VARCHAR), 'null')"}
		if fill {
			if len(c.Args) > 2 {
				args = append(args, g.dynText(c.Args[2]))
			} else {
				args = append(args, "'null'")
			}
		}
		return dynResult(kqlDyn(op, args...), c.T)
	}
}

// arraySort: array_sort_asc(arr…[, nulls_last]). A trailing bool argument
// is nulls_last.
func arraySort(desc bool) translator {
	return func(g *gen, c *plan.Call) string {
		args := c.Args
		nullsLast := "'true'"
		if n := len(args); n > 1 && args[n-1].Type() == types.Bool {
			nullsLast = g.dynText(args[n-1])
			args = args[:n-1]
		}
		d := "'false'"
		if desc {
			d = "'true'"
		}
		parts := []string{d, nullsLast}
		for _, a := range args {
			parts = append(parts, g.dynText(a))
		}
		return dynResult(kqlDyn("array_sort", parts...), c.T)
	}
}

// makeSet: make_set(x[, max]) and make_set_if(x, pred[, max]): distinct
// values in order of first appearance; dynamic arrays contribute their
// elements.
func makeSet(withIf bool) translator {
	return func(g *gen, c *plan.Call) string {
		x := c.Args[0]
		var v string
		switch x.Type() {
		case types.Dynamic, types.String, types.Long, types.Int, types.Real, types.Bool:
			v = g.expr(x)
		default:
			v = g.convert(x, types.Dynamic)
		}
		cond := g.expr(x) + " IS NOT NULL"
		limitArg := 1
		if withIf {
			cond = "(" + g.expr(c.Args[1]) + ") AND " + cond
			limitArg = 2
		}
		limit := "'null'"
		if len(c.Args) > limitArg {
			limit = "CAST(" + g.expr(c.Args[limitArg]) + " AS VARCHAR)"
		}
		flatten := "'false'"
		if x.Type() == types.Dynamic {
			flatten = "'true'"
		}
		list := "coalesce(CAST(to_json(list(" + v + ") FILTER (WHERE " + cond + ")) AS VARCHAR), '[]')"
		return "CAST(" + kqlDyn("set_distinct", list, flatten, limit) + " AS JSON)"
	}
}
