package plan

import "github.com/goshawk-sec/goshawk/kql/types"

// CondJoin pairs the rows of Left and Right for which Pred holds (a
// non-equi join, e.g. an address within a network range). The input
// schemas must not share column names; Pred reads columns of both. With
// LeftOuter, left rows without a match are kept with nulls on the right.
// The output is the left columns followed by the right columns.
type CondJoin struct {
	Left, Right Node
	Pred        Expr
	LeftOuter   bool
}

// Schema of a conditional join: left columns, then right columns.
func (n *CondJoin) Schema() []types.Column {
	return append(append([]types.Column(nil), n.Left.Schema()...), n.Right.Schema()...)
}

func (*CondJoin) node() {}
