package semantic

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// union binds `union` (as a source when first is nil, or after a pipe).
func (b *binder) union(first plan.Node, params []*syntax.OpParam, tables []syntax.Expr, e *env, at syntax.Node) plan.Node {
	fuzzy := false
	if v, _, ok := paramValue(params, "isfuzzy"); ok && strings.EqualFold(v, "true") {
		fuzzy = true
	}
	inner := false
	if v, _, ok := paramValue(params, "kind"); ok && strings.EqualFold(v, "inner") {
		inner = true
	}
	srcCol, _, _ := paramValue(params, "withsource")
	var inputs []plan.Node
	var names []string
	if first != nil {
		inputs = append(inputs, first)
		names = append(names, "union_arg0")
	}
	for _, t := range tables {
		if id, ok := t.(*syntax.Ident); ok {
			if strings.Contains(id.Name, "*") {
				matched := 0
				for _, name := range e.tabularNames() {
					if matchName(id.Name, name) {
						if n := b.tableRef(&syntax.Ident{NamePos: id.NamePos, EndPos: id.EndPos, Name: name}, e); n != nil {
							inputs = append(inputs, n)
							names = append(names, name)
							matched++
						}
					}
				}
				all := b.cat.TableNames()
				sort.Strings(all)
				for _, name := range all {
					if matchName(id.Name, name) && e.lookup(name) == nil {
						cols, _ := b.cat.Table(name)
						inputs = append(inputs, b.scan(name, cols))
						names = append(names, name)
						matched++
					}
				}
				if matched == 0 && !fuzzy {
					b.errAt(id, CodeUnknownTable, "No table matches '%s'", id.Name)
				}
				continue
			}
			if fuzzy && e.lookup(id.Name) == nil {
				if _, ok := b.cat.Table(id.Name); !ok {
					continue
				}
			}
			n := b.tableRef(id, e)
			if n == nil {
				continue
			}
			inputs = append(inputs, n)
			names = append(names, id.Name)
			continue
		}
		mark := len(b.errs)
		n := b.tabular(t, e)
		if fuzzy && len(b.errs) > mark {
			// isfuzzy: an input that does not resolve is left out.
			b.errs = b.errs[:mark]
			continue
		}
		if n == nil {
			continue
		}
		inputs = append(inputs, n)
		if name := asName(t); name != "" {
			names = append(names, name)
		} else {
			names = append(names, fmt.Sprintf("union_arg%d", len(names)))
		}
	}
	if len(inputs) == 0 {
		if fuzzy {
			b.errAt(at, CodeUnknownTable, "union: none of the tables exist")
		}
		return nil
	}
	return unionOf(inputs, names, srcCol, inner)
}

// unionOf aligns the inputs' columns by name, as Kusto does: columns that
// share a name but not a type become name_type columns.
func unionOf(inputs []plan.Node, names []string, srcCol string, inner bool) plan.Node {
	typesOf := map[string][]types.Type{}
	var order []string
	count := map[string]int{}
	for _, in := range inputs {
		seen := map[string]bool{}
		for _, c := range in.Schema() {
			if _, ok := typesOf[c.Name]; !ok {
				order = append(order, c.Name)
			}
			if !containsType(typesOf[c.Name], c.Type) {
				typesOf[c.Name] = append(typesOf[c.Name], c.Type)
			}
			if !seen[c.Name] {
				count[c.Name]++
				seen[c.Name] = true
			}
		}
	}
	u := &plan.Union{Inputs: inputs, SourceColumn: srcCol, SourceNames: names}
	type outCol struct {
		name, src string
		t         types.Type
	}
	var outs []outCol
	for _, name := range order {
		if inner && count[name] != len(inputs) {
			continue
		}
		ts := typesOf[name]
		if len(ts) == 1 {
			outs = append(outs, outCol{name, name, ts[0]})
			continue
		}
		for _, t := range ts {
			outs = append(outs, outCol{name + "_" + t.String(), name, t})
		}
	}
	// SQL engines compare column names without regard to case: two
	// output columns that differ only in case (LogonId long, LogonID
	// string) would collide, so the later one takes its type as a suffix.
	seen := map[string]bool{}
	for i := range outs {
		key := strings.ToLower(outs[i].name)
		if seen[key] {
			outs[i].name += "_" + outs[i].t.String()
			key = strings.ToLower(outs[i].name)
		}
		seen[key] = true
	}
	for _, o := range outs {
		u.Columns = append(u.Columns, types.Column{Name: o.name, Type: o.t})
	}
	for _, in := range inputs {
		m := make([]string, len(outs))
		for j, o := range outs {
			for _, c := range in.Schema() {
				if c.Name == o.src && c.Type == o.t {
					m[j] = c.Name
				}
			}
		}
		u.Maps = append(u.Maps, m)
	}
	if srcCol != "" {
		u.Columns = append([]types.Column{{Name: srcCol, Type: types.String}}, u.Columns...)
	}
	return u
}

func containsType(ts []types.Type, t types.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// asName returns X when the sub-query ends with `| as X`: union names such
// rows by X in its withsource column.
func asName(x syntax.Expr) string {
	for {
		switch v := x.(type) {
		case *syntax.ParenExpr:
			x = v.X
			continue
		case *syntax.PipeExpr:
			if a, ok := v.Op.(*syntax.AsOp); ok {
				return a.Table.Name
			}
		}
		return ""
	}
}

// tabularNames lists, sorted, the let names in scope that denote tables
// or parameterless functions (views), for wildcards in union.
func (e *env) tabularNames() []string {
	seen := map[string]bool{}
	var out []string
	for s := e; s != nil; s = s.parent {
		for name, ent := range s.names {
			if seen[name] {
				continue
			}
			seen[name] = true
			if ent.tabular != nil || (ent.fn != nil && len(ent.fn.Params) == 0) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}
