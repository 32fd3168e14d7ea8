package semantic

import (
	"fmt"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// aggPrefix is the prefix Kusto gives to the default name of an aggregate
// over column x (sum(x) → sum_x).
var aggPrefix = map[string]string{
	"count": "count", "countif": "countif", "dcount": "dcount", "dcountif": "dcountif",
	"sum": "sum", "sumif": "sumif", "avg": "avg", "avgif": "avgif", "min": "min", "max": "max",
	"minif": "minif", "maxif": "maxif", "stdev": "stdev", "stdevp": "stdevp", "variance": "variance",
	"variancep": "variance", "make_set": "set", "make_list": "list", "make_set_if": "set",
	"make_list_if": "list", "make_list_with_nulls": "list", "make_bag": "bag", "take_any": "any",
	"take_anyif": "any", "percentile": "percentile", "percentiles": "percentile",
	"binary_all_or": "binary_all_or", "binary_all_and": "binary_all_and", "count_distinct": "count_distinct",
}

func (b *binder) summarize(in plan.Node, op *syntax.SummarizeOp, e *env) plan.Node {
	cols := in.Schema()
	r := &row{cols: cols, hidden: b.hiddenOf(in)}
	var keys []plan.NamedExpr
	keyNames := map[string]bool{}
	for i, k := range op.By {
		name, val := "", k
		if ne, ok := k.(*syntax.NamedExpr); ok {
			name, val = ne.Names[0].Name, ne.Value
		}
		v := b.expr(val, e, r)
		if name == "" {
			name = keyName(val)
		}
		if name == "" {
			name = fmt.Sprintf("Column%d", i+1)
		}
		keys = append(keys, plan.NamedExpr{Name: name, Expr: v})
		keyNames[name] = true
	}

	if part := b.partitionRef(in); part != nil && !keyNames[part.Name] {
		keys = append([]plan.NamedExpr{{Name: part.Name, Expr: part}}, keys...)
		keyNames[part.Name] = true
	}
	var aggs []plan.NamedExpr // computed by the Aggregate node
	var final []plan.NamedExpr
	needProject := false
	used := map[string]bool{}
	for k := range keyNames {
		used[k] = true
	}
	unique := func(name string) string {
		n := name
		for i := 1; used[n]; i++ {
			n = fmt.Sprintf("%s%d", name, i)
		}
		used[n] = true
		return n
	}
	for _, a := range op.Aggs {
		var names []string
		val := a
		if ne, ok := a.(*syntax.NamedExpr); ok {
			for _, n := range ne.Names {
				names = append(names, n.Name)
			}
			val = ne.Value
		}
		// Multi-output aggregates: arg_max/arg_min/percentiles.
		if c, ok := val.(*syntax.CallExpr); ok {
			if f, ok := LookupFunc(c.Fun.Name); ok && f.Kind == Aggregate {
				switch f.Canonical() {
				case "arg_max", "arg_min":
					outs := b.argExtreme(f.Canonical(), c, cols, keyNames, names, e, r)
					for _, o := range outs {
						o.Name = unique(o.Name)
						aggs = append(aggs, o)
						final = append(final, plan.NamedExpr{Name: o.Name, Expr: &plan.ColRef{Name: o.Name, T: o.Expr.Type()}})
					}
					continue
				case "percentiles", "percentilesw":
					outs := b.percentiles(c, names, e, r)
					for _, o := range outs {
						o.Name = unique(o.Name)
						aggs = append(aggs, o)
						final = append(final, plan.NamedExpr{Name: o.Name, Expr: &plan.ColRef{Name: o.Name, T: o.Expr.Type()}})
					}
					continue
				}
			}
		}
		coll := &aggCollector{}
		ar := &row{cols: cols, aggs: coll, hidden: r.hidden}
		v := b.expr(val, e, ar)
		name := ""
		if len(names) > 0 {
			name = names[0]
		} else {
			name = defaultAggName(val)
		}
		if name == "" {
			name = "Column1"
		}
		name = unique(name)
		if ref, ok := v.(*plan.ColRef); ok && len(coll.aggs) == 1 && ref.Name == coll.aggs[0].Name {
			aggs = append(aggs, plan.NamedExpr{Name: name, Expr: coll.aggs[0].Expr})
			final = append(final, plan.NamedExpr{Name: name, Expr: &plan.ColRef{Name: name, T: v.Type()}})
			continue
		}
		if len(coll.aggs) == 0 {
			b.errAt(val, CodeAggregateContext, "summarize expects an aggregation function such as count() or sum()")
			continue
		}
		// A composite expression over aggregates: compute the aggregates
		// under private names and the expression in a projection.
		needProject = true
		rename := map[string]plan.Expr{}
		for _, ag := range coll.aggs {
			priv := fmt.Sprintf("__a%d_%s", len(aggs), ag.Name)
			aggs = append(aggs, plan.NamedExpr{Name: priv, Expr: ag.Expr})
			rename[ag.Name] = &plan.ColRef{Name: priv, T: ag.Expr.Type()}
		}
		final = append(final, plan.NamedExpr{Name: name, Expr: substitute(v, rename)})
	}
	node := &plan.Aggregate{Input: in, Keys: keys, Aggs: aggs}
	if !needProject {
		return node
	}
	out := passThrough(namedSchema(keys))
	out = append(out, final...)
	return &plan.Project{Input: node, Exprs: out}
}

func namedSchema(xs []plan.NamedExpr) []types.Column {
	cols := make([]types.Column, len(xs))
	for i, x := range xs {
		cols[i] = types.Column{Name: x.Name, Type: x.Expr.Type()}
	}
	return cols
}

// keyName is Kusto's default name for a summarize-by expression.
func keyName(x syntax.Expr) string {
	if n := columnName(x); n != "" {
		return n
	}
	if c, ok := x.(*syntax.CallExpr); ok && len(c.Args) > 0 {
		if ne, ok := c.Args[0].(*syntax.NamedExpr); ok {
			// bin(Window = Timestamp, 5m) names the key Window.
			return ne.Names[0].Name
		}
		switch c.Fun.Name {
		case "bin", "floor", "bin_at", "bin_auto":
			return columnName(c.Args[0])
		}
	}
	return ""
}

// defaultAggName is Kusto's default output name for an aggregate call.
func defaultAggName(x syntax.Expr) string {
	c, ok := x.(*syntax.CallExpr)
	if !ok {
		return ""
	}
	f, ok := LookupFunc(c.Fun.Name)
	if ok && f.Kind == Scalar && len(c.Args) > 0 {
		// tostring(make_set(x)) is named after its aggregate: set_x.
		return defaultAggName(c.Args[0])
	}
	if !ok || f.Kind != Aggregate {
		return ""
	}
	prefix, ok := aggPrefix[f.Canonical()]
	if !ok {
		prefix = f.Canonical()
	}
	switch f.Canonical() {
	case "count", "countif":
		if f.Canonical() == "count" && len(c.Args) == 1 && columnName(c.Args[0]) != "" {
			return prefix + "_" + columnName(c.Args[0])
		}
		return prefix + "_"
	case "covariance", "covariancep", "covarianceif", "covariancepif":
		if len(c.Args) >= 2 {
			return prefix + "_" + columnName(c.Args[0]) + "_" + columnName(c.Args[1])
		}
	case "percentile":
		if len(c.Args) == 2 {
			return prefix + "_" + columnName(c.Args[0]) + "_" + litText(c.Args[1])
		}
	}
	if len(c.Args) == 0 {
		return prefix + "_"
	}
	return prefix + "_" + columnName(c.Args[0])
}

func litText(x syntax.Expr) string {
	if l, ok := x.(*syntax.Literal); ok {
		return strings.ReplaceAll(l.Raw, ".", "_")
	}
	return ""
}

// argExtreme expands arg_max(x, cols…) / arg_min into one aggregate per
// output column.
func (b *binder) argExtreme(fn string, c *syntax.CallExpr, cols []types.Column, keys map[string]bool, names []string, e *env, r *row) []plan.NamedExpr {
	if len(c.Args) == 0 {
		b.errAt(c, CodeArgCount, "%s(): expects at least 1 argument", fn)
		return nil
	}
	by := b.expr(c.Args[0], e, r)
	extreme := "max"
	if fn == "arg_min" {
		extreme = "min"
	}
	var outs []plan.NamedExpr
	star := false
	for _, a := range c.Args[1:] {
		if _, ok := a.(*syntax.StarExpr); ok {
			star = true
		}
	}
	first := columnName(c.Args[0])
	if star && first != "" && !keys[first] {
		// arg_max(x, *): x keeps its name and leads the row's columns.
		outs = append(outs, plan.NamedExpr{Name: first, Expr: call(extreme, by.Type(), by)})
	}
	if !star || first == "" {
		// arg_max(Population, City): the maximized column keeps its name.
		name := first
		if first == "" {
			name = extreme + "_"
		}
		if len(names) > 0 {
			name = names[0]
		}
		outs = append(outs, plan.NamedExpr{Name: name, Expr: call(extreme, by.Type(), by)})
	}
	ni := 1
	for _, a := range c.Args[1:] {
		if _, ok := a.(*syntax.StarExpr); ok {
			for _, col := range cols {
				if keys[col.Name] || col.Name == first {
					continue
				}
				ref := &plan.ColRef{Name: col.Name, T: col.Type}
				outs = append(outs, plan.NamedExpr{Name: col.Name, Expr: call(fn, col.Type, ref, by)})
			}
			continue
		}
		val := a
		name := ""
		if ne, ok := a.(*syntax.NamedExpr); ok {
			name, val = ne.Names[0].Name, ne.Value
		}
		v := b.expr(val, e, r)
		if name == "" && ni < len(names) {
			name = names[ni]
		}
		if name == "" {
			name = columnName(val)
		}
		if name == "" {
			name = fmt.Sprintf("%s_%d", fn, ni)
		}
		ni++
		outs = append(outs, plan.NamedExpr{Name: name, Expr: call(fn, v.Type(), v, by)})
	}
	return outs
}

func (b *binder) percentiles(c *syntax.CallExpr, names []string, e *env, r *row) []plan.NamedExpr {
	if len(c.Args) < 2 {
		b.errAt(c, CodeArgCount, "percentiles(): expects at least 2 arguments")
		return nil
	}
	x := b.expr(c.Args[0], e, r)
	ps, fn, pre := c.Args[1:], "percentile", []plan.Expr{x}
	if c.Fun.Name == "percentilesw" { // weighted: (x, weight, p…)
		if len(c.Args) < 3 {
			b.errAt(c, CodeArgCount, "percentilesw(): expects at least 3 arguments")
			return nil
		}
		ps, fn, pre = c.Args[2:], "percentilew", []plan.Expr{x, b.expr(c.Args[1], e, r)}
	}
	var outs []plan.NamedExpr
	for i, p := range ps {
		name := "percentile_" + columnName(c.Args[0]) + "_" + litText(p)
		if i < len(names) {
			name = names[i]
		}
		args := append(append([]plan.Expr{}, pre...), b.expr(p, e, nil))
		outs = append(outs, plan.NamedExpr{Name: name, Expr: call(fn, x.Type(), args...)})
	}
	return outs
}

// substitute replaces column references by name.
func substitute(x plan.Expr, m map[string]plan.Expr) plan.Expr {
	switch x := x.(type) {
	case *plan.ColRef:
		if v, ok := m[x.Name]; ok {
			return v
		}
		return x
	case *plan.Call:
		args := make([]plan.Expr, len(x.Args))
		for i, a := range x.Args {
			args[i] = substitute(a, m)
		}
		return &plan.Call{Fn: x.Fn, Args: args, T: x.T}
	}
	return x
}
