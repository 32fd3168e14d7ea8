package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// rowsNear lowers `evaluate rows_near(Condition, NumRows [, RowsAfter])`:
// the rows within NumRows before (RowsAfter after) a row that satisfies
// Condition. The input's rows are numbered in their order; a window over
// the neighbouring rows tells whether one of them matches.
func (b *binder) rowsNear(in plan.Node, op *syntax.EvaluateOp, e *env) plan.Node {
	args := op.Call.Args
	if len(args) < 2 || len(args) > 3 {
		b.errAt(op.Call, CodeArgCount, "rows_near(): expects a condition, the number of rows before and optionally after")
		return nil
	}
	r := &row{cols: in.Schema(), window: true, order: b.order[in]}
	cond := toBool(b.expr(args[0], e, r))
	before := b.expr(args[1], e, nil)
	after := before
	if len(args) == 3 {
		after = b.expr(args[2], e, nil)
	}
	for _, n := range []plan.Expr{before, after} {
		if _, ok := n.(*plan.Const); !ok {
			b.errAt(op.Call, CodeBadArgument, "rows_near(): the numbers of rows must be constants")
			return nil
		}
	}
	rn := &plan.ColRef{Name: "__rowsnear_rn", T: types.Long}
	flag := &plan.ColRef{Name: "__rowsnear_match", T: types.Bool}
	numbered := &plan.Project{Input: in, Exprs: append(passThrough(in.Schema()),
		plan.NamedExpr{Name: rn.Name, Expr: call("row_number", types.Long)},
		plan.NamedExpr{Name: flag.Name, Expr: call("coalesce", types.Bool, cond, &plan.Const{Value: false, T: types.Bool})})}
	// A row is kept when a matching row lies between RowsAfter rows before
	// it and NumRows rows after it.
	near := call("rows_near_any", types.Bool, flag, after, before)
	near.Over = []plan.SortKey{{Expr: rn}}
	nearCol := &plan.ColRef{Name: "__rowsnear_near", T: types.Bool}
	withNear := &plan.Project{Input: numbered, Exprs: append(passThrough(numbered.Schema()), plan.NamedExpr{Name: nearCol.Name, Expr: near})}
	f := &plan.Filter{Input: withNear, Pred: nearCol}
	s := &plan.Sort{Input: f, Keys: []plan.SortKey{{Expr: rn}}}
	return b.keepOrder(in, &plan.Project{Input: s, Exprs: passThrough(in.Schema())})
}
