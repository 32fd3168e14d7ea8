package semantic

import (
	"encoding/json"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// projectByNames lowers `project-by-names "a", "b*", dynamic([…]),
// column_names_of(T)` to a Project of the matching columns. The names are
// constants known when binding; names matching no column are ignored.
func (b *binder) projectByNames(in plan.Node, op *syntax.ProjectByNamesOp, e *env) plan.Node {
	var patterns []string
	for _, x := range op.Exprs {
		ps, ok := b.constNames(x, e)
		if !ok {
			b.errAt(x, CodeBadArgument, "project-by-names: expects constant column names (a string, a dynamic array of strings or column_names_of(T))")
			return nil
		}
		patterns = append(patterns, ps...)
	}
	cols := in.Schema()
	used := make([]bool, len(cols))
	var out []plan.NamedExpr
	for _, p := range patterns {
		for i, c := range cols {
			if !used[i] && matchName(p, c.Name) {
				used[i] = true
				out = append(out, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
			}
		}
	}
	return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
}

// constNames evaluates x to a list of names: a string constant, a dynamic
// array of strings, or column_names_of(T).
func (b *binder) constNames(x syntax.Expr, e *env) ([]string, bool) {
	if c, ok := x.(*syntax.CallExpr); ok && c.Fun.Name == "column_names_of" && len(c.Args) == 1 {
		n := b.tabular(c.Args[0], e)
		if n == nil {
			return nil, true
		}
		var names []string
		for _, col := range n.Schema() {
			names = append(names, col.Name)
		}
		return names, true
	}
	v := b.expr(x, e, nil)
	c, ok := v.(*plan.Const)
	if !ok {
		return nil, false
	}
	s, ok := c.Value.(string)
	if !ok {
		return nil, c.Value == nil
	}
	switch c.T {
	case types.String:
		return []string{s}, true
	case types.Dynamic:
		var raw any
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			return nil, false
		}
		switch r := raw.(type) {
		case string:
			return []string{r}, true
		case []any:
			var names []string
			for _, el := range r {
				if s, ok := el.(string); ok {
					names = append(names, s)
				}
			}
			return names, true
		}
	}
	return nil, false
}
