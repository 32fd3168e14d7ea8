package semantic

import (
	"fmt"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

func init() {
	window("row_rank_min", 1, 2, fixed(types.Long))
	window("row_window_session", 3, 4, argType(0))
}

// restartArg is the index of the optional restart predicate of each
// window function that has one.
var restartArg = map[string]int{
	"row_number":         1,
	"row_cumsum":         1,
	"row_rank_min":       1,
	"row_window_session": 3,
}

// windowLowering collects the helper columns that window functions with a
// restart predicate (and row_rank_min) need computed beforehand.
type windowLowering struct {
	order    []plan.SortKey
	level1   []plan.NamedExpr // restart flags, global row numbers
	level2   []plan.NamedExpr // segment ids (running count of restarts)
	rowNum   *plan.ColRef
	inCols   []types.Column
	nextName int
}

func (w *windowLowering) name(prefix string) string {
	w.nextName++
	for {
		n := fmt.Sprintf("__%s%d", prefix, w.nextName)
		if !hasCol(w.inCols, n) {
			return n
		}
		w.nextName++
	}
}

// lowerWindows rewrites the window calls of p that restart (row_cumsum(x,
// restart), row_number(start, restart), row_rank_min(x, restart),
// row_window_session(…, restart)) or need row numbers (row_rank_min).
// The input rows are numbered in their order, helper columns are computed
// in projections under p, and the calls are partitioned by a segment id,
// the running count of restarts, and ordered by the row number. The
// result is sorted back into the input's order. Without such calls it
// returns p unchanged.
func (b *binder) lowerWindows(in plan.Node, p *plan.Project) plan.Node {
	w := &windowLowering{inCols: in.Schema()}
	rn := w.name("rownum")
	w.rowNum = &plan.ColRef{Name: rn, T: types.Long}
	w.order = []plan.SortKey{{Expr: w.rowNum}}
	changed := false
	for i := range p.Exprs {
		p.Exprs[i].Expr = w.rewrite(p.Exprs[i].Expr, &changed)
	}
	if !changed {
		return p
	}
	// row_number() over the input as it comes (no ORDER BY) keeps ties
	// in their serialized order.
	level1 := append(passThrough(in.Schema()), plan.NamedExpr{Name: rn, Expr: call("row_number", types.Long)})
	var node plan.Node = &plan.Project{Input: in, Exprs: append(level1, w.level1...)}
	if len(w.level2) > 0 {
		node = &plan.Project{Input: node, Exprs: append(passThrough(node.Schema()), w.level2...)}
	}
	out := p.Exprs
	p.Input = node
	p.Exprs = setColumn(append([]plan.NamedExpr(nil), p.Exprs...), rn, w.rowNum)
	sorted := &plan.Sort{Input: p, Keys: w.order}
	return &plan.Project{Input: sorted, Exprs: passThrough(namedSchema(out))}
}

func (w *windowLowering) rewrite(x plan.Expr, changed *bool) plan.Expr {
	c, ok := x.(*plan.Call)
	if !ok {
		return x
	}
	for i, a := range c.Args {
		c.Args[i] = w.rewrite(a, changed)
	}
	f, ok := LookupFunc(c.Fn)
	if !ok || f.Kind != Window {
		return c
	}
	if k, ok := restartArg[c.Fn]; ok && len(c.Args) > k {
		restart := c.Args[k]
		flag := w.name("restart")
		w.level1 = append(w.level1, plan.NamedExpr{Name: flag, Expr: toBool(restart)})
		seg := w.name("segment")
		one := call("iff", types.Long, &plan.ColRef{Name: flag, T: types.Bool}, &plan.Const{Value: int64(1), T: types.Long}, &plan.Const{Value: int64(0), T: types.Long})
		sum := call("row_cumsum", types.Long, one)
		sum.Over = w.order
		w.level2 = append(w.level2, plan.NamedExpr{Name: seg, Expr: sum})
		c.Args = c.Args[:k]
		c.Over = w.order
		c.PartitionBy = append(c.PartitionBy, &plan.ColRef{Name: seg, T: types.Long})
		*changed = true
	}
	if c.Fn == "row_rank_min" && len(c.Args) == 1 {
		c.Args = append(c.Args, w.rowNum)
		c.Over = w.order
		*changed = true
	}
	return c
}
