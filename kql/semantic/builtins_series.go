package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// The series_* functions over dynamic arrays of numbers.
func init() {
	const (
		R = types.Real
		D = types.Dynamic
	)
	v := -1
	for _, name := range SeriesUnary {
		scalar("series_"+name, 1, 1, fixed(D))
	}
	for _, name := range SeriesBinary {
		scalar("series_"+name, 2, 2, fixed(D))
	}
	scalar("series_fill_const", 2, 3, fixed(D))
	scalar("series_fill_forward", 1, 2, fixed(D))
	scalar("series_fill_backward", 1, 2, fixed(D))
	scalar("series_fill_linear", 1, 4, fixed(D))
	scalar("series_iir", 3, 3, fixed(D))
	scalar("series_seasonal", 1, 2, fixed(D))
	scalar("series_stats_dynamic", 1, 2, fixed(D))
	scalar("series_sum", 1, 1, fixed(R))
	scalar("series_product", 1, 1, fixed(R))
	scalar("series_pearson_correlation", 2, 2, fixed(R))
	scalar("series_outliers", 1, 5, fixed(D))
	scalar("series_magnitude", 1, 1, fixed(R))
	scalar("series_dot_product", 2, 2, fixed(R))
	scalar("series_cosine_similarity", 2, 2, fixed(R))
	// Functions returning several columns: the call's value is a bag of
	// the results, which tupleValues expands into columns.
	scalar("series_stats", 1, 2, fixed(D))
	scalar("series_periods_validate", 2, v, fixed(D))
	scalar("series_decompose", 1, 5, fixed(D))
	scalar("series_decompose_anomalies", 1, 7, fixed(D))
	scalar("series_fit_line", 1, 1, fixed(D))
}

// SeriesUnary and SeriesBinary name the element-wise series functions
// (without the series_ prefix); backends translate them generically.
var (
	SeriesUnary  = []string{"abs", "acos", "asin", "atan", "ceiling", "cos", "exp", "floor", "log", "sign", "sin", "sqrt", "tan"}
	SeriesBinary = []string{"add", "subtract", "multiply", "divide", "pow", "greater", "greater_equals", "less", "less_equals", "equals", "not_equals"}
)

type tupleField struct {
	name string
	t    types.Type
}

// tupleFuncs lists the fields of the functions that return several
// values, in Kusto's column order.
var tupleFuncs = map[string][]tupleField{
	"series_stats": {{"min", types.Real}, {"min_idx", types.Long}, {"max", types.Real}, {"max_idx", types.Long},
		{"avg", types.Real}, {"stdev", types.Real}, {"variance", types.Real}},
	"series_periods_validate":    {{"periods", types.Dynamic}, {"scores", types.Dynamic}},
	"series_decompose":           {{"baseline", types.Dynamic}, {"seasonal", types.Dynamic}, {"trend", types.Dynamic}, {"residual", types.Dynamic}},
	"series_decompose_anomalies": {{"ad_flag", types.Dynamic}, {"ad_score", types.Dynamic}, {"baseline", types.Dynamic}},
	"series_fit_line": {{"rsquare", types.Real}, {"slope", types.Real}, {"variance", types.Real}, {"rvariance", types.Real},
		{"interception", types.Real}, {"line_fit", types.Dynamic}},
}

// tupleValues expands a call of a function that returns several values
// (series_stats, series_decompose_anomalies, array_sort_asc of several
// arrays…) into named columns. names are the names the query gives (nil
// for an unnamed expression, which takes Kusto's generated names).
func tupleValues(x syntax.Expr, v plan.Expr, names []*syntax.Ident) ([]string, []plan.Expr, bool) {
	c, ok := v.(*plan.Call)
	if !ok {
		return nil, nil, false
	}
	sx, _ := unparen(x).(*syntax.CallExpr)
	argName := func(i int) string {
		if sx != nil && i < len(sx.Args) {
			return columnName(sx.Args[i])
		}
		return ""
	}
	var outNames []string
	var vals []plan.Expr
	if fields, ok := tupleFuncs[c.Fn]; ok {
		prefix := c.Fn + "_" + argName(0) + "_"
		for _, f := range fields {
			outNames = append(outNames, prefix+f.name)
			fv := plan.Expr(call("dyn_get", types.Dynamic, v, &plan.Const{Value: f.name, T: types.String}))
			if f.t != types.Dynamic {
				fv = convertTo(fv, f.t)
			}
			vals = append(vals, fv)
		}
	} else if c.Fn == "array_sort_asc" || c.Fn == "array_sort_desc" {
		n := len(c.Args)
		if n > 1 && c.Args[n-1].Type() == types.Bool {
			n--
		}
		if n < 2 {
			return nil, nil, false
		}
		for i := 0; i < n; i++ {
			outNames = append(outNames, argName(i)+"_sorted")
			vals = append(vals, call("dyn_index", types.Dynamic, v, &plan.Const{Value: int64(i), T: types.Long}))
		}
	} else {
		return nil, nil, false
	}
	if names != nil {
		if len(names) < len(vals) {
			vals = vals[:len(names)]
		}
		outNames = outNames[:len(vals)]
		for i := range vals {
			outNames[i] = names[i].Name
		}
	}
	return outNames, vals, true
}

func unparen(x syntax.Expr) syntax.Expr {
	for {
		p, ok := x.(*syntax.ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}
