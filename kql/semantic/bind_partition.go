package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// partitionIDColumn numbers the partitions of `partition by`.
const partitionIDColumn = "__partition_id"

// partitionOp lowers `T | partition by Col (subquery)`: the input's rows
// get the number of their partition, and the sub-query runs over them
// with that number as the partition (as mv-apply's sub-queries do:
// summarize groups by it, top and take keep rows per partition). The
// number is dropped from the result.
func (b *binder) partitionOp(in plan.Node, op *syntax.PartitionOp, e *env) plan.Node {
	if op.By == nil || op.Sub == nil {
		b.errAt(op, CodeBadArgument, "partition: expects 'by Column (subquery)'")
		return nil
	}
	var key *types.Column
	for _, c := range in.Schema() {
		if c.Name == op.By.Name {
			c := c
			key = &c
		}
	}
	if key == nil {
		b.errAt(op.By, CodeUnknownName, "Failed to resolve column expression named '%s'", op.By.Name)
		return nil
	}
	id := call("partition_id", types.Long, &plan.ColRef{Name: key.Name, T: key.Type})
	numbered := &plan.Project{Input: in, Exprs: append(passThrough(in.Schema()), plan.NamedExpr{Name: partitionIDColumn, Expr: id})}
	sub := e.child()
	sub.define("$contextual", &entity{tabular: numbered})
	saved := b.partition
	b.partition = partitionIDColumn
	out := b.tabular(op.Sub, sub)
	b.partition = saved
	if out == nil {
		return nil
	}
	var cols []plan.NamedExpr
	for _, c := range out.Schema() {
		if c.Name != partitionIDColumn {
			cols = append(cols, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
		}
	}
	return &plan.Project{Input: out, Exprs: cols}
}
