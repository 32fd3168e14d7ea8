package semantic

import (
	"sort"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// searchSource binds `search [kind=…] [in (T, …)] Pred` as a source: the
// union (with a $table column) of the rows of each table matching Pred.
// Without `in`, every table is searched. A table whose columns do not
// resolve the predicate's names is left out.
func (b *binder) searchSource(x *syntax.SearchExpr, e *env) plan.Node {
	inputs, names := b.searchTables(x.Tables, e, x)
	cs := searchCaseSensitive(x.Params)
	var kept []plan.Node
	var keptNames []string
	var firstErrs syntax.ErrorList
	for i, in := range inputs {
		mark := len(b.errs)
		pred := b.searchPred(x.Pred, e, &row{cols: in.Schema()}, cs)
		if len(b.errs) > mark {
			if firstErrs == nil {
				firstErrs = append(syntax.ErrorList(nil), b.errs[mark:]...)
			}
			b.errs = b.errs[:mark]
			continue
		}
		kept = append(kept, &plan.Filter{Input: in, Pred: pred})
		keptNames = append(keptNames, names[i])
	}
	if len(kept) == 0 {
		if firstErrs != nil {
			b.errs = append(b.errs, firstErrs...)
		} else {
			b.errAt(x, CodeUnknownTable, "search: no table to search")
		}
		return nil
	}
	return unionOf(kept, keptNames, "$table", false)
}

// searchOp binds `T | search Pred`: the rows of T matching Pred.
func (b *binder) searchOp(in plan.Node, op *syntax.SearchOp, e *env) plan.Node {
	x := op.Search
	if len(x.Tables) > 0 {
		b.errAt(op, CodeBadArgument, "search: 'in (…)' is not allowed after a pipe")
		return nil
	}
	pred := b.searchPred(x.Pred, e, &row{cols: in.Schema()}, searchCaseSensitive(x.Params))
	return b.keepOrder(in, &plan.Filter{Input: in, Pred: pred})
}

func searchCaseSensitive(ps []*syntax.OpParam) bool {
	v, _, ok := paramValue(ps, "kind")
	return ok && strings.EqualFold(v, "case_sensitive")
}

// searchTables resolves the tables of search and find: the listed ones
// (wildcards match stored tables) or, without a list, every stored table.
func (b *binder) searchTables(tables []syntax.Expr, e *env, at syntax.Node) ([]plan.Node, []string) {
	var inputs []plan.Node
	var names []string
	addStored := func(pattern string) int {
		all := b.cat.TableNames()
		sort.Strings(all)
		n := 0
		for _, name := range all {
			if matchName(pattern, name) {
				cols, _ := b.cat.Table(name)
				inputs = append(inputs, &plan.Scan{Table: name, Columns: cols})
				names = append(names, name)
				n++
			}
		}
		return n
	}
	if len(tables) == 0 {
		addStored("*")
		return inputs, names
	}
	for _, t := range tables {
		if id, ok := t.(*syntax.Ident); ok && strings.Contains(id.Name, "*") {
			if addStored(id.Name) == 0 {
				b.errAt(id, CodeUnknownTable, "No table matches '%s'", id.Name)
			}
			continue
		}
		n := b.tabular(t, e)
		if n == nil {
			continue
		}
		name := asName(t)
		if id, ok := t.(*syntax.Ident); ok {
			name = id.Name
		}
		if name == "" {
			name = "union_arg" + itoa(len(names))
		}
		inputs = append(inputs, n)
		names = append(names, name)
	}
	return inputs, names
}

// searchPred binds a search predicate: a bare string literal matches any
// string (or dynamic) column term-wise ("*x*" contains, "x*" and "*x"
// prefix and suffix); other terms are ordinary boolean expressions.
func (b *binder) searchPred(x syntax.Expr, e *env, r *row, cs bool) plan.Expr {
	switch v := x.(type) {
	case *syntax.ParenExpr:
		return b.searchPred(v.X, e, r, cs)
	case *syntax.BinaryExpr:
		if v.Op == "and" || v.Op == "or" {
			return call(v.Op, types.Bool, b.searchPred(v.X, e, r, cs), b.searchPred(v.Y, e, r, cs))
		}
	case *syntax.CallExpr:
		if v.Fun.Name == "not" && len(v.Args) == 1 {
			return call("not", types.Bool, b.searchPred(v.Args[0], e, r, cs))
		}
	case *syntax.Literal:
		if s, ok := v.Value.(string); ok {
			return anyColumnMatches(r.cols, s, cs)
		}
	}
	return toBool(b.expr(x, e, r))
}

// anyColumnMatches tests a term match of s against the string and
// dynamic columns of the row. The columns are joined with a separator
// that is not a term character (U+001F), so one match over the joined
// text finds the term in any column without matching across columns.
func anyColumnMatches(cols []types.Column, s string, cs bool) plan.Expr {
	op := "has"
	term := s
	switch {
	case len(s) > 1 && strings.HasPrefix(s, "*") && strings.HasSuffix(s, "*"):
		op, term = "contains", s[1:len(s)-1]
	case strings.HasSuffix(s, "*"):
		op, term = "hasprefix", s[:len(s)-1]
	case strings.HasPrefix(s, "*"):
		op, term = "hassuffix", s[1:]
	}
	if cs {
		op += "_cs"
	}
	args := []plan.Expr{&plan.Const{Value: "\x1f", T: types.String}}
	for _, c := range cols {
		var col plan.Expr = &plan.ColRef{Name: c.Name, T: c.Type}
		switch c.Type {
		case types.String:
		case types.Dynamic:
			col = call("tostring", types.String, col)
		default:
			continue
		}
		args = append(args, col)
	}
	if len(args) == 1 {
		return &plan.Const{Value: false, T: types.Bool}
	}
	var text plan.Expr = args[1]
	if len(args) > 2 {
		text = call("strcat_delim", types.String, args...)
	}
	return call(op, types.Bool, text, &plan.Const{Value: term, T: types.String})
}

// find binds `find [withsource=C] [in (T, …)] where Pred [project c, …]`.
// Each table's matching rows are taken (tables whose columns do not
// resolve the predicate are left out) and united with a source column
// (source_ by default). With project, the output has the listed columns;
// without it, the columns common to every table and pack_, a bag of each
// row's other non-empty columns.
func (b *binder) find(x *syntax.FindExpr, e *env) plan.Node {
	srcCol, _, ok := paramValue(x.Params, "withsource")
	if !ok {
		srcCol = "source_"
	}
	inputs, names := b.searchTables(x.Tables, e, x)
	var kept []plan.Node
	var keptNames []string
	var firstErrs syntax.ErrorList
	for i, in := range inputs {
		mark := len(b.errs)
		pred := toBool(b.expr(x.Pred, e, &row{cols: in.Schema()}))
		if len(b.errs) > mark {
			if firstErrs == nil {
				firstErrs = append(syntax.ErrorList(nil), b.errs[mark:]...)
			}
			b.errs = b.errs[:mark]
			continue
		}
		kept = append(kept, &plan.Filter{Input: in, Pred: pred})
		keptNames = append(keptNames, names[i])
	}
	if len(kept) == 0 {
		if firstErrs != nil {
			b.errs = append(b.errs, firstErrs...)
		} else {
			b.errAt(x, CodeUnknownTable, "find: no table to search")
		}
		return nil
	}
	var projected []plan.Node
	if x.Project != nil {
		// project lists column names (and pack_all()); a table without a
		// listed column gives null for it.
		for _, in := range kept {
			var out []plan.NamedExpr
			for _, p := range x.Project {
				if c, ok := p.(*syntax.CallExpr); ok && c.Fun.Name == "pack_all" {
					out = append(out, plan.NamedExpr{Name: "pack_", Expr: b.expr(p, e, &row{cols: in.Schema()})})
					continue
				}
				id, ok := p.(*syntax.Ident)
				if !ok {
					b.errAt(p, CodeBadArgument, "find: project expects column names")
					return nil
				}
				for _, c := range in.Schema() {
					if c.Name == id.Name {
						out = append(out, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
					}
				}
			}
			projected = append(projected, &plan.Project{Input: in, Exprs: out})
		}
		return unionOf(projected, keptNames, srcCol, false)
	}
	common := map[string]types.Type{}
	for i, in := range kept {
		here := map[string]types.Type{}
		for _, c := range in.Schema() {
			if i == 0 {
				here[c.Name] = c.Type
			} else if t, ok := common[c.Name]; ok && t == c.Type {
				here[c.Name] = t
			}
		}
		common = here
	}
	for _, in := range kept {
		var out []plan.NamedExpr
		var packArgs []plan.Expr
		for _, c := range in.Schema() {
			ref := &plan.ColRef{Name: c.Name, T: c.Type}
			if _, ok := common[c.Name]; ok {
				out = append(out, plan.NamedExpr{Name: c.Name, Expr: ref})
				continue
			}
			packArgs = append(packArgs, &plan.Const{Value: c.Name, T: types.String}, ref)
		}
		out = append(out, plan.NamedExpr{Name: "pack_", Expr: call("bag_pack", types.Dynamic, packArgs...)})
		projected = append(projected, &plan.Project{Input: in, Exprs: out})
	}
	return unionOf(projected, keptNames, srcCol, false)
}
