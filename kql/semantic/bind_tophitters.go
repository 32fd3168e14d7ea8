package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// topHitters lowers `top-hitters N of X [by Y]` to the N values of X
// with the most rows (approximate_count_X) or the largest sum of Y
// (approximate_sum_Y), in descending order. Goshawk's counts are exact.
func (b *binder) topHitters(in plan.Node, op *syntax.TopHittersOp, e *env) plan.Node {
	r := &row{cols: in.Schema()}
	x := b.expr(op.Of, e, r)
	name := columnName(op.Of)
	if name == "" {
		name = "Column1"
	}
	var agg plan.NamedExpr
	if op.By != nil {
		y := b.expr(op.By, e, r)
		yName := columnName(op.By)
		if yName == "" {
			yName = "Column2"
		}
		f, _ := LookupFunc("sum")
		agg = plan.NamedExpr{Name: "approximate_sum_" + yName, Expr: call("sum", resultType(f, []plan.Expr{y}), y)}
	} else {
		agg = plan.NamedExpr{Name: "approximate_count_" + name, Expr: call("count", types.Long)}
	}
	a := &plan.Aggregate{Input: in, Keys: []plan.NamedExpr{{Name: name, Expr: x}}, Aggs: []plan.NamedExpr{agg}}
	s := &plan.Sort{Input: a, Keys: []plan.SortKey{{Expr: &plan.ColRef{Name: agg.Name, T: agg.Expr.Type()}, Desc: true}}}
	l := &plan.Limit{Input: s, N: b.expr(op.N, e, nil)}
	b.order[l] = s.Keys
	return l
}

// sampleDistinct lowers `sample-distinct N of X` to N distinct values of
// X (which ones is unspecified).
func (b *binder) sampleDistinct(in plan.Node, op *syntax.SampleDistinctOp, e *env) plan.Node {
	x := b.expr(op.Of, e, &row{cols: in.Schema()})
	name := columnName(op.Of)
	if name == "" {
		name = "Column1"
	}
	d := &plan.Distinct{Input: &plan.Project{Input: in, Exprs: []plan.NamedExpr{{Name: name, Expr: x}}}}
	return &plan.Limit{Input: d, N: b.expr(op.N, e, nil)}
}
