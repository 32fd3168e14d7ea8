package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// topNested lowers `top-nested [N] of X by Agg [asc|desc], …`. Level i
// summarizes the input by the Of values of levels 1..i, keeps the groups
// whose prefix survived level i-1 (a join on the prefix), and keeps the N
// best groups per prefix (row_number over the aggregate). The result has,
// per level, the Of column and the aggregate column.
func (b *binder) topNested(in plan.Node, op *syntax.TopNestedOp, e *env) plan.Node {
	var keys []syntax.Expr // the Of expressions so far, named
	var keyNames []string
	var kept plan.Node
	for i, lv := range op.Levels {
		if lv.Others != nil {
			b.errAt(lv.Others, CodeUnsupported, "top-nested: 'with others' is not supported yet")
			return nil
		}
		ofName := ""
		ofVal := lv.Of
		if ne, ok := lv.Of.(*syntax.NamedExpr); ok {
			ofName, ofVal = ne.Names[0].Name, ne.Value
		}
		if ofName == "" {
			ofName = columnName(ofVal)
		}
		if ofName == "" {
			ofName = "Column" + itoa(i+1)
		}
		aggName := ""
		aggVal := lv.By
		if ne, ok := lv.By.(*syntax.NamedExpr); ok {
			aggName, aggVal = ne.Names[0].Name, ne.Value
		}
		if aggName == "" {
			aggName = "aggregated_" + ofName
		}
		pos := lv.Of.Pos()
		keys = append(keys, &syntax.NamedExpr{Names: []*syntax.Ident{{NamePos: pos, EndPos: pos, Name: ofName}}, Value: ofVal})
		agg := &syntax.NamedExpr{Names: []*syntax.Ident{{NamePos: aggVal.Pos(), EndPos: aggVal.Pos(), Name: aggName}}, Value: aggVal}
		sum := b.summarize(in, &syntax.SummarizeOp{Aggs: []syntax.Expr{agg}, By: append([]syntax.Expr(nil), keys...)}, e)
		if sum == nil {
			return nil
		}
		prefix := keyNames
		keyNames = append(append([]string(nil), keyNames...), ofName)
		var level plan.Node = sum
		if kept != nil {
			j := &plan.Join{Left: kept, Right: sum, Kind: plan.JoinInner}
			for _, k := range prefix {
				j.Keys = append(j.Keys, plan.JoinKey{Left: k, Right: k})
			}
			for _, c := range kept.Schema() {
				j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, FromLeft: true, Source: c.Name, T: c.Type})
			}
			for _, c := range sum.Schema() {
				if c.Name == ofName || c.Name == aggName {
					j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, Source: c.Name, T: c.Type})
				}
			}
			level = j
		}
		if lv.N != nil {
			n := b.expr(lv.N, e, nil)
			var aggT types.Type
			for _, c := range level.Schema() {
				if c.Name == aggName {
					aggT = c.Type
				}
			}
			rn := call("row_number", types.Long)
			rn.Over = []plan.SortKey{{Expr: &plan.ColRef{Name: aggName, T: aggT}, Desc: lv.Desc, NullsFirst: false}}
			for _, k := range prefix {
				for _, c := range level.Schema() {
					if c.Name == k {
						rn.PartitionBy = append(rn.PartitionBy, &plan.ColRef{Name: k, T: c.Type})
					}
				}
			}
			rnName := "__topnested_rn"
			withRN := &plan.Project{Input: level, Exprs: append(passThrough(level.Schema()), plan.NamedExpr{Name: rnName, Expr: rn})}
			f := &plan.Filter{Input: withRN, Pred: call("<=", types.Bool, &plan.ColRef{Name: rnName, T: types.Long}, n)}
			level = &plan.Project{Input: f, Exprs: passThrough(level.Schema())}
		}
		kept = level
	}
	return kept
}
