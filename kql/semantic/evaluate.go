package semantic

import (
	"sort"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Discover runs a small plan whose result is one string column and returns
// its values. The binder uses it where Kusto derives a schema from data
// (bag_unpack's keys, pivot's values). Nil means no data is available:
// such schemas are left open and unknown names resolve to dynamic.
type Discover func(q *plan.Query) ([]string, error)

func (b *binder) evaluate(in plan.Node, op *syntax.EvaluateOp, e *env) plan.Node {
	switch op.Call.Fun.Name {
	case "bag_unpack":
		return b.bagUnpack(in, op, e)
	case "pivot":
		return b.pivot(in, op, e)
	case "activity_counts_metrics":
		return b.activityCountsMetrics(in, op, e)
	case "active_users_count":
		return b.activeUsersCount(in, op, e)
	case "rows_near":
		return b.rowsNear(in, op, e)
	case "ipv4_lookup", "ipv6_lookup":
		return b.ipLookup(in, op, e, op.Call.Fun.Name == "ipv6_lookup")
	case "geo_polygon_lookup":
		return b.geoPolygonLookup(in, op, e)
	}
	b.errAt(op.Call.Fun, CodeUnsupported, "The '%s' plugin is not supported yet", op.Call.Fun.Name)
	return nil
}

// discover returns the distinct values of the single column of n, sorted,
// or ok=false when no data source is available.
func (b *binder) discover(at syntax.Node, n plan.Node) ([]string, bool) {
	if b.opts.Discover == nil {
		return nil, false
	}
	q := &plan.Query{CTEs: b.ctes, Root: &plan.Distinct{Input: n}}
	vals, err := b.opts.Discover(q)
	if err != nil {
		b.errAt(at, CodeBadArgument, "Could not determine the output schema from the data: %v", err)
		return nil, true
	}
	sort.Strings(vals)
	return vals, true
}

func (b *binder) bagUnpack(in plan.Node, op *syntax.EvaluateOp, e *env) plan.Node {
	args := op.Call.Args
	if len(args) < 1 {
		b.errAt(op.Call, CodeArgCount, "bag_unpack(): expects a dynamic column")
		return nil
	}
	r := &row{cols: in.Schema()}
	bag := b.expr(args[0], e, r)
	prefix := ""
	if len(args) >= 2 {
		if c, ok := b.expr(args[1], e, nil).(*plan.Const); ok {
			prefix, _ = c.Value.(string)
		}
	}
	colName := columnName(args[0])
	var out []plan.NamedExpr
	for _, c := range in.Schema() {
		if c.Name != colName {
			out = append(out, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
		}
	}
	if len(op.Schema) > 0 {
		// An explicit output schema: `evaluate bag_unpack(x) : (a:string, …)`.
		var cols []plan.NamedExpr
		for _, d := range op.Schema {
			name := d.Name.Name
			if hasNamed(out, name) {
				cols = append(cols, plan.NamedExpr{Name: name, Expr: lookupNamed(out, name)})
				continue
			}
			key := name
			if prefix != "" && len(name) > len(prefix) && name[:len(prefix)] == prefix {
				key = name[len(prefix):]
			}
			v := call("dyn_get", types.Dynamic, toDynamic(bag), &plan.Const{Value: key, T: types.String})
			cols = append(cols, plan.NamedExpr{Name: name, Expr: convertTo(v, d.Type.Type)})
		}
		return &plan.Project{Input: in, Exprs: cols}
	}
	keysPlan := &plan.Project{Input: in, Exprs: []plan.NamedExpr{{Name: "k", Expr: call("bag_keys", types.Dynamic, toDynamic(bag))}}}
	expanded := &plan.MvExpand{Input: keysPlan, Columns: []plan.MvExpandColumn{{Name: "k", To: types.String}}}
	keys, ok := b.discover(op, expanded)
	if !ok {
		p := &plan.Project{Input: in, Exprs: out}
		b.open[p] = true
		return p
	}
	for _, k := range keys {
		name := prefix + k
		v := call("dyn_get", types.Dynamic, toDynamic(bag), &plan.Const{Value: k, T: types.String})
		out = setColumn(out, name, v)
	}
	return &plan.Project{Input: in, Exprs: out}
}

func hasNamed(xs []plan.NamedExpr, name string) bool { return lookupNamed(xs, name) != nil }

func lookupNamed(xs []plan.NamedExpr, name string) plan.Expr {
	for _, x := range xs {
		if x.Name == name {
			return x.Expr
		}
	}
	return nil
}

// pivot turns the distinct values of a column into columns.
func (b *binder) pivot(in plan.Node, op *syntax.EvaluateOp, e *env) plan.Node {
	args := op.Call.Args
	if len(args) < 1 {
		b.errAt(op.Call, CodeArgCount, "pivot(): expects the pivot column")
		return nil
	}
	cols := in.Schema()
	r := &row{cols: cols}
	pivotCol := b.expr(args[0], e, r)
	pivotName := columnName(args[0])
	var aggCall *syntax.CallExpr
	var keyArgs []syntax.Expr
	if len(args) >= 2 {
		if c, ok := args[1].(*syntax.CallExpr); ok {
			if f, ok := LookupFunc(c.Fun.Name); ok && f.Kind == Aggregate {
				aggCall = c
			}
		}
		if aggCall == nil {
			keyArgs = args[1:]
		} else {
			keyArgs = args[2:]
		}
	}
	aggArg := ""
	if aggCall != nil && len(aggCall.Args) > 0 {
		aggArg = columnName(aggCall.Args[0])
	}
	var keys []plan.NamedExpr
	if len(keyArgs) > 0 {
		for _, k := range keyArgs {
			keys = append(keys, plan.NamedExpr{Name: columnName(k), Expr: b.expr(k, e, r)})
		}
	} else {
		for _, c := range cols {
			if c.Name != pivotName && c.Name != aggArg {
				keys = append(keys, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
			}
		}
	}
	valsPlan := &plan.Project{Input: in, Exprs: []plan.NamedExpr{{Name: "v", Expr: toStr(pivotCol)}}}
	vals, ok := b.discover(op, valsPlan)
	if !ok {
		n := &plan.Aggregate{Input: in, Keys: keys}
		b.open[n] = true
		return n
	}
	var aggs []plan.NamedExpr
	for _, v := range vals {
		match := call("==", types.Bool, toStr(pivotCol), &plan.Const{Value: v, T: types.String})
		var agg *plan.Call
		if aggCall == nil {
			agg = call("countif", types.Long, match)
		} else {
			f, _ := LookupFunc(aggCall.Fun.Name)
			aargs := b.args(aggCall.Args, e, r)
			name := f.Canonical()
			switch name {
			case "count":
				agg = call("countif", types.Long, match)
			case "sum", "avg", "min", "max", "dcount", "make_set", "make_list", "take_any":
				ifName := name + "if"
				if name == "make_set" || name == "make_list" {
					ifName = name + "_if"
				}
				agg = call(ifName, resultType(f, aargs), append(aargs[:1:1], match)...)
			default:
				b.errAt(aggCall, CodeUnsupported, "pivot: aggregation %s is not supported", name)
				return nil
			}
		}
		aggs = append(aggs, plan.NamedExpr{Name: v, Expr: agg})
	}
	return &plan.Aggregate{Input: in, Keys: keys, Aggs: aggs}
}
