package semantic

import (
	"fmt"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

func paramValue(ps []*syntax.OpParam, name string) (string, syntax.Node, bool) {
	for _, p := range ps {
		if strings.EqualFold(p.Name.Name, name) {
			switch v := p.Value.(type) {
			case *syntax.Ident:
				return v.Name, v, true
			case *syntax.Literal:
				return fmt.Sprint(v.Value), v, true
			}
			return "", p.Name, true
		}
	}
	return "", nil, false
}

var joinKinds = map[string]plan.JoinKind{
	"innerunique": plan.JoinInnerUnique, "inner": plan.JoinInner, "leftouter": plan.JoinLeftOuter,
	"rightouter": plan.JoinRightOuter, "fullouter": plan.JoinFullOuter, "leftanti": plan.JoinLeftAnti,
	"anti": plan.JoinLeftAnti, "leftantisemi": plan.JoinLeftAnti, "rightanti": plan.JoinRightAnti,
	"rightantisemi": plan.JoinRightAnti, "leftsemi": plan.JoinLeftSemi, "semi": plan.JoinLeftSemi,
	"rightsemi": plan.JoinRightSemi,
}

func (b *binder) joinKeys(left, right []types.Column, on []syntax.Expr) ([]plan.JoinKey, bool) {
	var keys []plan.JoinKey
	ok := true
	side := func(x syntax.Expr) (string, string) {
		if s, isSel := x.(*syntax.SelectorExpr); isSel {
			if id, isID := s.X.(*syntax.Ident); isID && (id.Name == "$left" || id.Name == "$right") {
				return id.Name, s.Sel.Name
			}
		}
		return "", ""
	}
	var visit func(x syntax.Expr)
	visit = func(x syntax.Expr) {
		switch x := x.(type) {
		case *syntax.Ident:
			keys = append(keys, plan.JoinKey{Left: x.Name, Right: x.Name})
			if !hasCol(left, x.Name) || !hasCol(right, x.Name) {
				b.errAt(x, CodeUnknownName, "join: column '%s' must exist on both sides of the join", x.Name)
				ok = false
			}
		case *syntax.BinaryExpr:
			if x.Op == "and" {
				visit(x.X)
				visit(x.Y)
				return
			}
			if x.Op != "==" {
				b.errAt(x, CodeBadArgument, "join: only equality (==) conditions are supported in 'on'")
				ok = false
				return
			}
			ls, ln := side(x.X)
			rs, rn := side(x.Y)
			if ls == "$right" && rs == "$left" {
				ls, ln, rs, rn = rs, rn, ls, ln
			}
			if ls != "$left" || rs != "$right" {
				b.errAt(x, CodeBadArgument, "join: expected $left.column == $right.column")
				ok = false
				return
			}
			if !hasCol(left, ln) {
				b.errAt(x.X, CodeUnknownName, "Failed to resolve column '%s' on the left side of the join", ln)
				ok = false
			}
			if !hasCol(right, rn) {
				b.errAt(x.Y, CodeUnknownName, "Failed to resolve column '%s' on the right side of the join", rn)
				ok = false
			}
			keys = append(keys, plan.JoinKey{Left: ln, Right: rn})
		case *syntax.ParenExpr:
			visit(x.X)
		default:
			b.errAt(x, CodeBadArgument, "join: unsupported 'on' condition")
			ok = false
		}
	}
	for _, x := range on {
		visit(x)
	}
	return keys, ok
}

func (b *binder) join(in plan.Node, op *syntax.JoinOp, e *env) plan.Node {
	kind := plan.JoinInnerUnique
	if k, at, ok := paramValue(op.Params, "kind"); ok {
		jk, known := joinKinds[strings.ToLower(k)]
		if !known {
			b.errAt(at, CodeBadArgument, "Unknown join kind '%s'", k)
			return nil
		}
		kind = jk
	}
	right := b.tabular(op.Right, e)
	if right == nil {
		return nil
	}
	lc, rc := in.Schema(), right.Schema()
	keys, ok := b.joinKeys(lc, rc, op.On)
	if !ok {
		return nil
	}
	if len(keys) == 0 {
		b.errAt(op, CodeBadArgument, "join: 'on' needs at least one key")
		return nil
	}
	j := &plan.Join{Left: in, Right: right, Kind: kind, Keys: keys}
	switch kind {
	case plan.JoinLeftAnti, plan.JoinLeftSemi:
		for _, c := range lc {
			j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, FromLeft: true, Source: c.Name, T: c.Type})
		}
		return j
	case plan.JoinRightAnti, plan.JoinRightSemi:
		for _, c := range rc {
			j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, Source: c.Name, T: c.Type})
		}
		return j
	}
	used := map[string]bool{}
	for _, c := range lc {
		j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, FromLeft: true, Source: c.Name, T: c.Type})
		used[c.Name] = true
	}
	for _, c := range rc {
		name := c.Name
		for i := 1; used[name]; i++ {
			name = fmt.Sprintf("%s%d", c.Name, i)
		}
		used[name] = true
		j.Output = append(j.Output, plan.JoinColumn{Name: name, Source: c.Name, T: c.Type})
	}
	return j
}

func (b *binder) lookup(in plan.Node, op *syntax.LookupOp, e *env) plan.Node {
	kind := plan.JoinLeftOuter
	if k, at, ok := paramValue(op.Params, "kind"); ok {
		switch strings.ToLower(k) {
		case "leftouter":
		case "inner":
			kind = plan.JoinInner
		default:
			b.errAt(at, CodeBadArgument, "lookup: kind must be leftouter or inner, not '%s'", k)
			return nil
		}
	}
	right := b.tabular(op.Right, e)
	if right == nil {
		return nil
	}
	lc, rc := in.Schema(), right.Schema()
	keys, ok := b.joinKeys(lc, rc, op.On)
	if !ok {
		return nil
	}
	isRightKey := map[string]bool{}
	for _, k := range keys {
		isRightKey[k.Right] = true
	}
	j := &plan.Join{Left: in, Right: right, Kind: kind, Keys: keys}
	used := map[string]bool{}
	for _, c := range lc {
		j.Output = append(j.Output, plan.JoinColumn{Name: c.Name, FromLeft: true, Source: c.Name, T: c.Type})
		used[c.Name] = true
	}
	for _, c := range rc {
		if isRightKey[c.Name] {
			continue
		}
		name := c.Name
		for i := 1; used[name]; i++ {
			name = fmt.Sprintf("%s%d", c.Name, i)
		}
		used[name] = true
		j.Output = append(j.Output, plan.JoinColumn{Name: name, Source: c.Name, T: c.Type})
	}
	return j
}
