package semantic

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

func (b *binder) mvExpand(in plan.Node, params []*syntax.OpParam, items []*syntax.MvExpandItem, limit syntax.Expr, e *env) plan.Node {
	var pre []syntax.Expr
	var cols []plan.MvExpandColumn
	for _, it := range items {
		name := ""
		switch x := it.X.(type) {
		case *syntax.NamedExpr:
			name = x.Names[0].Name
			pre = append(pre, x)
		case *syntax.Ident:
			name = x.Name
			if !hasCol(in.Schema(), name) {
				if b.curOpen {
					pre = append(pre, &syntax.NamedExpr{Names: []*syntax.Ident{x}, Lparen: syntax.NoPos, Value: x})
					break
				}
				b.errAt(x, CodeUnknownName, "Failed to resolve scalar expression named '%s'", name)
				return nil
			}
		default:
			name = columnName(x)
			if c, ok := x.(*syntax.CallExpr); ok && len(c.Args) == 1 && name == "" {
				// mv-expand todynamic(RawEventData.Folders) is named
				// RawEventData_Folders.
				switch c.Fun.Name {
				case "todynamic", "parse_json", "parsejson", "tostring", "toobject":
					name = columnName(c.Args[0])
				}
			}
			if name == "" {
				name = "Column1"
			}
			pre = append(pre, &syntax.NamedExpr{Names: []*syntax.Ident{{NamePos: x.Pos(), EndPos: x.Pos(), Name: name}}, Lparen: syntax.NoPos, Value: x})
		}
		to := types.Dynamic
		if it.To != nil {
			to = it.To.Type
		}
		cols = append(cols, plan.MvExpandColumn{Name: name, To: to})
	}
	if len(pre) > 0 {
		in = b.extend(in, pre, e)
	}
	// Columns to expand must be dynamic; others are wrapped.
	var fix []plan.NamedExpr
	needFix := false
	for _, c := range in.Schema() {
		var x plan.Expr = &plan.ColRef{Name: c.Name, T: c.Type}
		for _, m := range cols {
			if m.Name == c.Name && c.Type != types.Dynamic {
				x = call("todynamic", types.Dynamic, x)
				needFix = true
			}
		}
		fix = append(fix, plan.NamedExpr{Name: c.Name, Expr: x})
	}
	if needFix {
		in = &plan.Project{Input: in, Exprs: fix}
	}
	n := &plan.MvExpand{Input: in, Columns: cols}
	if v, _, ok := paramValue(params, "bagexpansion"); ok && strings.EqualFold(v, "array") {
		n.BagArray = true
	}
	if v, _, ok := paramValue(params, "kind"); ok && strings.EqualFold(v, "array") {
		n.BagArray = true
	}
	if v, _, ok := paramValue(params, "with_itemindex"); ok {
		n.IndexName = v
	}
	if limit != nil {
		if c, ok := b.expr(limit, e, nil).(*plan.Const); ok {
			if v, ok := c.Value.(int64); ok {
				n.Limit = v
			}
		}
	}
	return n
}
