package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

const lookupPrefix = "__lookup_"

// ipLookup lowers `evaluate ipv4_lookup(LookupTable, SourceIP, LookupNetwork
// [, ExtraKey…] [, return_unmatched])` (and ipv6_lookup) to a conditional
// join: each input row is paired with the lookup rows whose network
// contains its address and whose extra keys are equal. ipv4_lookup lists
// the input's columns first; ipv6_lookup lists the lookup table's first.
func (b *binder) ipLookup(in plan.Node, op *syntax.EvaluateOp, e *env, v6 bool) plan.Node {
	name := op.Call.Fun.Name
	var args []syntax.Expr
	unmatched := false
	for _, a := range op.Call.Args {
		if ne, ok := a.(*syntax.NamedExpr); ok && ne.Names[0].Name == "return_unmatched" {
			unmatched = b.constBool(ne.Value, e)
			continue
		}
		args = append(args, a)
	}
	if len(args) < 3 {
		b.errAt(op.Call, CodeArgCount, "%s(): expects a lookup table, the source address column and the lookup network column", name)
		return nil
	}
	if l, ok := args[len(args)-1].(*syntax.Literal); ok {
		if bv, ok := l.Value.(bool); ok {
			unmatched = bv
			args = args[:len(args)-1]
		}
	}
	right := b.tabular(args[0], e)
	if right == nil {
		return nil
	}
	leftCols, rightCols := in.Schema(), right.Schema()
	src := b.expr(args[1], e, &row{cols: leftCols})
	keyName := columnName(args[2])
	var keyT types.Type
	found := false
	for _, c := range rightCols {
		if c.Name == keyName {
			keyT, found = c.Type, true
		}
	}
	if !found {
		b.errAt(args[2], CodeUnknownName, "%s(): the lookup table has no column '%s'", name, keyName)
		return nil
	}
	renamed := make([]plan.NamedExpr, len(rightCols))
	for i, c := range rightCols {
		renamed[i] = plan.NamedExpr{Name: lookupPrefix + c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}}
	}
	fn := "ipv4_is_in_range"
	if v6 {
		fn = "ipv6_is_in_range"
	}
	pred := plan.Expr(call(fn, types.Bool, toStr(src), toStr(&plan.ColRef{Name: lookupPrefix + keyName, T: keyT})))
	extra := map[string]bool{}
	for _, k := range args[3:] {
		kn := columnName(k)
		var lt, rt types.Type
		lok, rok := false, false
		for _, c := range leftCols {
			if c.Name == kn {
				lt, lok = c.Type, true
			}
		}
		for _, c := range rightCols {
			if c.Name == kn {
				rt, rok = c.Type, true
			}
		}
		if !lok || !rok {
			b.errAt(k, CodeUnknownName, "%s(): extra key '%s' must be a column of both tables", name, kn)
			return nil
		}
		extra[kn] = true
		eq := call("==", types.Bool, &plan.ColRef{Name: kn, T: lt}, &plan.ColRef{Name: lookupPrefix + kn, T: rt})
		pred = call("and", types.Bool, pred, eq)
	}
	j := &plan.CondJoin{Left: in, Right: &plan.Project{Input: right, Exprs: renamed}, Pred: pred, LeftOuter: unmatched}
	var leftOut, rightOut []plan.NamedExpr
	for _, c := range leftCols {
		leftOut = append(leftOut, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
	}
	for _, c := range rightCols {
		if extra[c.Name] || hasCol(leftCols, c.Name) {
			continue
		}
		rightOut = append(rightOut, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: lookupPrefix + c.Name, T: c.Type}})
	}
	out := append(leftOut, rightOut...)
	if v6 {
		out = append(rightOut, leftOut...)
	}
	return &plan.Project{Input: j, Exprs: out}
}

// constBool evaluates a constant boolean argument (false otherwise).
func (b *binder) constBool(x syntax.Expr, e *env) bool {
	if c, ok := b.expr(x, e, nil).(*plan.Const); ok {
		v, _ := c.Value.(bool)
		return v
	}
	return false
}
