package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

func (b *binder) makeSeries(in plan.Node, op *syntax.MakeSeriesOp, e *env) plan.Node {
	cols := in.Schema()
	r := &row{cols: cols}
	n := &plan.MakeSeries{Input: in}
	for i, k := range op.By {
		name, val := "", k
		if ne, ok := k.(*syntax.NamedExpr); ok {
			name, val = ne.Names[0].Name, ne.Value
		}
		if name == "" {
			name = keyName(val)
		}
		if name == "" {
			name = "Column" + itoa(i+1)
		}
		n.Keys = append(n.Keys, plan.NamedExpr{Name: name, Expr: b.expr(val, e, r)})
	}
	for _, a := range op.Aggs {
		name, val := "", a.X
		if ne, ok := a.X.(*syntax.NamedExpr); ok {
			name, val = ne.Names[0].Name, ne.Value
		}
		coll := &aggCollector{}
		v := b.expr(val, e, &row{cols: cols, aggs: coll})
		if len(coll.aggs) != 1 {
			b.errAt(val, CodeAggregateContext, "make-series expects one aggregation function per series")
			return nil
		}
		if ref, ok := v.(*plan.ColRef); !ok || ref.Name != coll.aggs[0].Name {
			b.errAt(val, CodeUnsupported, "make-series: expressions over aggregates are not supported; use one aggregate per series")
			return nil
		}
		if name == "" {
			name = defaultAggName(val)
		}
		agg := coll.aggs[0].Expr
		var def plan.Expr = &plan.Const{Value: defaultZero(agg.Type()), T: agg.Type()}
		if a.Default != nil {
			def = b.expr(a.Default, e, nil)
		}
		n.Aggs = append(n.Aggs, plan.NamedExpr{Name: name, Expr: agg})
		n.Defaults = append(n.Defaults, def)
	}
	n.Axis = b.expr(op.On, e, r)
	n.AxisName = columnName(op.On)
	if n.AxisName == "" {
		n.AxisName = "Column1"
	}
	if op.From != nil {
		n.From = b.expr(op.From, e, nil)
	}
	if op.To != nil {
		n.To = b.expr(op.To, e, nil)
	}
	if op.Step == nil {
		b.errAt(op, CodeBadArgument, "make-series needs a step")
		return nil
	}
	n.Step = b.expr(op.Step, e, nil)
	if k, _, ok := paramValue(op.Params, "kind"); ok && k == "nonempty" {
		n.NonEmpty = true
	}
	return n
}

// defaultZero is make-series' default for empty bins: 0 of the aggregate's
// type (Kusto's default).
func defaultZero(t types.Type) any {
	switch t {
	case types.Int, types.Long:
		return int64(0)
	case types.Real:
		return float64(0)
	case types.TimeSpan:
		return plan.Ticks(0)
	}
	return nil
}
