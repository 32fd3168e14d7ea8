package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// rowIDColumn numbers the input rows of mv-apply so that the sub-query can
// run per row.
const rowIDColumn = "__mvapply_row"

// mvApply lowers `mv-apply items on (subquery)`: each input row gets a row
// id, its arrays are expanded, and the sub-query runs over the expanded
// rows partitioned by that id (summarize groups by it, take and top keep N
// rows per id). The result joins each row's other columns back.
func (b *binder) mvApply(in plan.Node, op *syntax.MvApplyOp, e *env) plan.Node {
	numbered := &plan.Project{Input: in, Exprs: append(passThrough(in.Schema()), plan.NamedExpr{Name: rowIDColumn, Expr: call("row_number", types.Long)})}
	expanded := b.mvExpand(numbered, op.Params, op.Items, op.Limit, e)
	if expanded == nil {
		return nil
	}
	sub := e.child()
	sub.define("$contextual", &entity{tabular: expanded})
	saved := b.partition
	b.partition = rowIDColumn
	out := b.tabular(op.Sub, sub)
	b.partition = saved
	if out == nil {
		return nil
	}
	if !hasCol(out.Schema(), rowIDColumn) {
		b.errAt(op.Sub, CodeUnsupported, "mv-apply: this sub-query is not supported (it loses the row it applies to)")
		return nil
	}
	// Columns of the original row that the sub-query does not produce.
	expandedNames := map[string]bool{}
	for _, it := range expanded.(*plan.MvExpand).Columns {
		expandedNames[it.Name] = true
	}
	subCols := map[string]bool{}
	for _, c := range out.Schema() {
		subCols[c.Name] = true
	}
	j := &plan.Join{Left: numbered, Right: out, Kind: plan.JoinInner, Keys: []plan.JoinKey{{Left: rowIDColumn, Right: rowIDColumn}}}
	for _, c := range in.Schema() {
		if expandedNames[c.Name] || subCols[c.Name] {
			continue
		}
		j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, FromLeft: true, Source: c.Name, T: c.Type})
	}
	for _, c := range out.Schema() {
		if c.Name == rowIDColumn {
			continue
		}
		j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, Source: c.Name, T: c.Type})
	}
	return j
}

// partitionRef is the row-id column while binding an mv-apply sub-query,
// or nil.
func (b *binder) partitionRef(in plan.Node) *plan.ColRef {
	if b.partition == "" || !hasCol(in.Schema(), b.partition) {
		return nil
	}
	return &plan.ColRef{Name: b.partition, T: types.Long}
}

// limitPerPartition keeps the first n rows (in keys' order) of each
// mv-apply row.
func (b *binder) limitPerPartition(in plan.Node, n plan.Expr, keys []plan.SortKey, part *plan.ColRef) plan.Node {
	rn := call("row_number", types.Long)
	rn.Over = keys
	rn.PartitionBy = []plan.Expr{part}
	withRN := &plan.Project{Input: in, Exprs: append(passThrough(in.Schema()), plan.NamedExpr{Name: "__rn", Expr: rn})}
	f := &plan.Filter{Input: withRN, Pred: call("<=", types.Bool, &plan.ColRef{Name: "__rn", T: types.Long}, n)}
	return &plan.Project{Input: f, Exprs: passThrough(in.Schema())}
}
