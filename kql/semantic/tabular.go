package semantic

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// tabular binds a tabular expression. It returns nil after reporting an
// error that leaves no usable input.
func (b *binder) tabular(x syntax.Expr, e *env) plan.Node {
	switch x := x.(type) {
	case *syntax.ParenExpr:
		return b.tabular(x.X, e)
	case *syntax.Ident:
		return b.tableRef(x, e)
	case *syntax.PipeExpr:
		in := b.tabular(x.Source, e)
		if in == nil {
			return nil
		}
		return b.operator(in, x.Op, e)
	case *syntax.DataTableExpr:
		return b.datatable(x, e)
	case *syntax.PrintExpr:
		return b.print(x, e)
	case *syntax.RangeExpr:
		return b.rangeSource(x, e)
	case *syntax.UnionExpr:
		return b.union(nil, x.Params, x.Tables, e, x)
	case *syntax.ContextualSource:
		if ent := e.lookup("$contextual"); ent != nil && ent.tabular != nil {
			return ent.tabular
		}
		b.errAt(x, CodeBadArgument, "This operator needs an input table")
		return nil
	case *syntax.CallExpr:
		return b.tabularCall(x, e)
	case *syntax.SearchExpr:
		return b.searchSource(x, e)
	case *syntax.FindExpr:
		return b.find(x, e)
	case *syntax.SelectorExpr:
		// database("x").T or cluster("c").database("d").T: the workspace is
		// the only database.
		return b.tableRef(x.Sel, e)
	case *syntax.ExternalDataExpr:
		// The schema is declared, so the query binds; whether URLs may be
		// fetched is the backend's decision at execution.
		n := &plan.ExternalData{}
		for _, c := range x.Columns {
			n.Columns = append(n.Columns, types.Column{Name: c.Name.Name, Type: c.Type.Type})
		}
		for _, u := range x.URIs {
			if c, ok := b.expr(u, e, nil).(*plan.Const); ok {
				if s, ok := c.Value.(string); ok {
					n.URIs = append(n.URIs, s)
				}
			}
		}
		n.Format, _, _ = paramValue(x.With, "format")
		return n
	}
	b.errAt(x, CodeNotTabular, "The expression is not a tabular expression")
	return nil
}

func (b *binder) tableRef(x *syntax.Ident, e *env) plan.Node {
	if ent := e.lookup(x.Name); ent != nil {
		switch {
		case ent.tabular != nil:
			return ent.tabular
		case ent.fn != nil:
			return b.invokeTabular(x, ent, nil, e)
		}
		b.errAt(x, CodeNotTabular, "'%s' is a scalar value, not a table", x.Name)
		return nil
	}
	if cols, ok := b.cat.Table(x.Name); ok {
		return b.scan(x.Name, cols)
	}
	if strings.Contains(x.Name, "*") {
		return b.union(nil, nil, []syntax.Expr{x}, e, x)
	}
	b.errAt(x, CodeUnknownTable, "Failed to resolve table or column expression named '%s'", x.Name)
	return nil
}

func (b *binder) tabularCall(x *syntax.CallExpr, e *env) plan.Node {
	name := x.Fun.Name
	if ent := e.lookup(name); ent != nil && ent.fn != nil {
		return b.invokeTabular(x, ent, x.Args, e)
	}
	switch name {
	case "materialize":
		if len(x.Args) != 1 {
			b.errAt(x, CodeArgCount, "materialize(): expects 1 argument")
			return nil
		}
		n := b.tabular(x.Args[0], e)
		if n == nil {
			return nil
		}
		return b.addCTE("materialized", n, true)
	case "table":
		if len(x.Args) >= 1 {
			if l, ok := x.Args[0].(*syntax.Literal); ok {
				if s, ok := l.Value.(string); ok {
					return b.tableRef(&syntax.Ident{NamePos: l.ValuePos, EndPos: l.EndPos, Name: s}, e)
				}
			}
		}
		b.errAt(x, CodeBadArgument, "table(): expects a constant table name")
		return nil
	}
	b.errAt(x.Fun, CodeUnknownTable, "Failed to resolve tabular function named '%s'", name)
	return nil
}

func (b *binder) invokeTabular(at syntax.Node, ent *entity, argx []syntax.Expr, e *env) plan.Node {
	fe, last := b.enterFunc(at, ent, argx, e, nil)
	if fe == nil {
		return nil
	}
	defer func() { b.depth-- }()
	if !b.isTabular(last, fe) {
		b.errAt(at, CodeNotTabular, "The function does not return a table")
		return nil
	}
	return b.tabular(last, fe)
}

// operator binds one piped operator over in. Operators over an input
// whose schema is open (see binder.open) yield open schemas.
func (b *binder) operator(in plan.Node, op syntax.Operator, e *env) plan.Node {
	saved := b.curOpen
	b.curOpen = b.open[in]
	out := b.operator1(in, op, e)
	if out != nil && b.curOpen {
		b.open[out] = true
	}
	b.curOpen = saved
	return out
}

func (b *binder) operator1(in plan.Node, op syntax.Operator, e *env) plan.Node {
	switch op := op.(type) {
	case *syntax.WhereOp:
		r := &row{cols: in.Schema(), hidden: b.hiddenOf(in)}
		pred := b.expr(op.Pred, e, r)
		return b.keepOrder(in, &plan.Filter{Input: in, Pred: toBool(pred)})
	case *syntax.ExtendOp:
		return b.extend(in, op.Exprs, e)
	case *syntax.ProjectOp:
		return b.project(in, op.Exprs, e)
	case *syntax.ProjectAwayOp:
		return b.projectAway(in, op.Columns, false)
	case *syntax.ProjectKeepOp:
		return b.projectAway(in, op.Columns, true)
	case *syntax.ProjectRenameOp:
		return b.projectRename(in, op)
	case *syntax.ProjectReorderOp:
		return b.projectReorder(in, op)
	case *syntax.SummarizeOp:
		return b.summarize(in, op, e)
	case *syntax.SortOp:
		return b.sort(in, op.Keys, e)
	case *syntax.TopOp:
		s := b.sort(in, []*syntax.SortKey{op.Key}, e)
		if part := b.partitionRef(in); part != nil {
			return b.limitPerPartition(in, b.expr(op.N, e, nil), s.(*plan.Sort).Keys, part)
		}
		return b.keepOrder(s, &plan.Limit{Input: s, N: b.expr(op.N, e, nil)})
	case *syntax.TakeOp:
		if part := b.partitionRef(in); part != nil {
			return b.limitPerPartition(in, b.expr(op.N, e, nil), b.order[in], part)
		}
		return b.keepOrder(in, &plan.Limit{Input: in, N: b.expr(op.N, e, nil)})
	case *syntax.CountOp:
		agg := &plan.Aggregate{Input: in, Aggs: []plan.NamedExpr{{Name: "Count", Expr: call("count", types.Long)}}}
		if part := b.partitionRef(in); part != nil {
			agg.Keys = []plan.NamedExpr{{Name: part.Name, Expr: part}}
		}
		return agg
	case *syntax.EvaluateOp:
		return b.evaluate(in, op, e)
	case *syntax.MvApplyOp:
		return b.mvApply(in, op, e)
	case *syntax.DistinctOp:
		return b.distinct(in, op, e)
	case *syntax.JoinOp:
		return b.join(in, op, e)
	case *syntax.LookupOp:
		return b.lookup(in, op, e)
	case *syntax.UnionOp:
		return b.union(in, op.Params, op.Tables, e, op)
	case *syntax.MvExpandOp:
		return b.mvExpand(in, op.Params, op.Items, op.Limit, e)
	case *syntax.AsOp:
		ref := b.addCTE(op.Table.Name, in, false)
		e.define(op.Table.Name, &entity{tabular: ref})
		return ref
	case *syntax.GetSchemaOp:
		return getSchema(in)
	case *syntax.RenderOp:
		return in
	case *syntax.SerializeOp:
		if len(op.Exprs) == 0 {
			return in
		}
		return b.extend(in, op.Exprs, e)
	case *syntax.InvokeOp:
		return b.invoke(in, op, e)
	case *syntax.ParseOp:
		return b.parse(in, op, e)
	case *syntax.SampleOp:
		s := &plan.Sort{Input: in, Keys: []plan.SortKey{{Expr: call("rand", types.Real)}}}
		return &plan.Limit{Input: s, N: b.expr(op.N, e, nil)}
	case *syntax.MakeSeriesOp:
		return b.makeSeries(in, op, e)
	case *syntax.ParseKVOp:
		return b.parseKV(in, op, e)
	case *syntax.ProjectByNamesOp:
		return b.projectByNames(in, op, e)
	case *syntax.TopNestedOp:
		return b.topNested(in, op, e)
	case *syntax.SearchOp:
		return b.searchOp(in, op, e)
	case *syntax.PartitionOp:
		return b.partitionOp(in, op, e)
	case *syntax.TopHittersOp:
		return b.topHitters(in, op, e)
	case *syntax.SampleDistinctOp:
		return b.sampleDistinct(in, op, e)
	case *syntax.ConsumeOp:
		return &plan.Limit{Input: in, N: &plan.Const{Value: int64(0), T: types.Long}}
	}
	b.errAt(op, CodeUnsupported, "The '%s' operator is not supported yet", op.Name())
	return nil
}

// keepOrder records that out has the same row order as in.
func (b *binder) keepOrder(in, out plan.Node) plan.Node {
	if o, ok := b.order[in]; ok {
		b.order[out] = o
	}
	return out
}

func (b *binder) datatable(x *syntax.DataTableExpr, e *env) plan.Node {
	cols := make([]types.Column, len(x.Columns))
	for i, c := range x.Columns {
		cols[i] = types.Column{Name: c.Name.Name, Type: c.Type.Type}
	}
	if len(cols) == 0 {
		b.errAt(x, CodeBadArgument, "datatable needs at least one column")
		return nil
	}
	if len(x.Values)%len(cols) != 0 {
		b.errAt(x, CodeBadArgument, "datatable: %d values do not fill rows of %d columns", len(x.Values), len(cols))
		return nil
	}
	var rows [][]plan.Expr
	for i := 0; i < len(x.Values); i += len(cols) {
		rw := make([]plan.Expr, len(cols))
		for j := range cols {
			v := b.expr(x.Values[i+j], e, nil)
			rw[j] = castConst(v, cols[j].Type)
		}
		rows = append(rows, rw)
	}
	return &plan.Values{Columns: cols, Rows: rows}
}

// castConst converts a value to a column's declared type.
func castConst(v plan.Expr, t types.Type) plan.Expr {
	if v.Type() == t {
		return v
	}
	if c, ok := v.(*plan.Const); ok && c.Value == nil {
		return &plan.Const{T: t}
	}
	return call("cast:"+t.String(), t, v)
}

func (b *binder) print(x *syntax.PrintExpr, e *env) plan.Node {
	unit := &plan.Values{Rows: [][]plan.Expr{{}}}
	r := &row{overrides: map[string]plan.Expr{}}
	var out []plan.NamedExpr
	for i, ex := range x.Exprs {
		name := ""
		val := ex
		if n, ok := ex.(*syntax.NamedExpr); ok {
			name, val = n.Names[0].Name, n.Value
		}
		v := b.expr(val, e, r)
		if tn, tv, ok := tupleValues(val, v, nil); ok && name == "" {
			for j := range tv {
				out = setColumn(out, tn[j], tv[j])
				r.overrides[tn[j]] = tv[j]
			}
			continue
		}
		if name == "" {
			name = columnName(val)
		}
		if name == "" {
			name = fmt.Sprintf("print_%d", i)
		}
		out = setColumn(out, name, v)
		r.overrides[name] = v
	}
	return &plan.Project{Input: unit, Exprs: out}
}

func (b *binder) rangeSource(x *syntax.RangeExpr, e *env) plan.Node {
	from := b.expr(x.From, e, nil)
	to := b.expr(x.To, e, nil)
	step := b.expr(x.Step, e, nil)
	t := from.Type()
	if t == types.Int {
		t = types.Long
	}
	if t.IsNumeric() && to.Type() == types.Real {
		t = types.Real
	}
	return &plan.Range{Name: x.Name.Name, T: t, From: from, To: to, Step: step}
}

// setColumn replaces the column named name in xs, or appends it.
func setColumn(xs []plan.NamedExpr, name string, v plan.Expr) []plan.NamedExpr {
	for i := range xs {
		if xs[i].Name == name {
			xs[i].Expr = v
			return xs
		}
	}
	return append(xs, plan.NamedExpr{Name: name, Expr: v})
}

func passThrough(cols []types.Column) []plan.NamedExpr {
	out := make([]plan.NamedExpr, len(cols))
	for i, c := range cols {
		out[i] = plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}}
	}
	return out
}

// assignments binds `name = expr`, `(a, b) = expr` and unnamed expressions
// of extend/project, calling set for each produced column. Later
// expressions see columns defined by earlier ones.
func (b *binder) assignments(in plan.Node, exprs []syntax.Expr, e *env, window bool, set func(name string, v plan.Expr, at syntax.Node)) {
	r := &row{cols: in.Schema(), overrides: map[string]plan.Expr{}, window: window, order: b.order[in], hidden: b.hiddenOf(in)}
	n := 0
	for _, ex := range exprs {
		if ne, ok := ex.(*syntax.NamedExpr); ok {
			v := b.expr(ne.Value, e, r)
			if len(ne.Names) == 1 {
				set(ne.Names[0].Name, v, ne)
				r.overrides[ne.Names[0].Name] = v
				continue
			}
			if tn, tv, ok := tupleValues(ne.Value, v, ne.Names); ok {
				for i := range tv {
					set(tn[i], tv[i], ne)
					r.overrides[tn[i]] = tv[i]
				}
				continue
			}
			// Tuple assignment from a function returning several values is
			// only meaningful for aggregates; for scalars the first name
			// takes the value.
			for i, nm := range ne.Names {
				var vi plan.Expr = &plan.Const{T: types.Unknown}
				if i == 0 {
					vi = v
				}
				set(nm.Name, vi, ne)
				r.overrides[nm.Name] = vi
			}
			continue
		}
		v := b.expr(ex, e, r)
		if tn, tv, ok := tupleValues(ex, v, nil); ok {
			for i := range tv {
				set(tn[i], tv[i], ex)
				r.overrides[tn[i]] = tv[i]
			}
			continue
		}
		name := columnName(ex)
		if name == "" {
			n++
			name = fmt.Sprintf("Column%d", n)
			for hasCol(in.Schema(), name) {
				n++
				name = fmt.Sprintf("Column%d", n)
			}
		}
		set(name, v, ex)
		r.overrides[name] = v
	}
}

func hasCol(cols []types.Column, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (b *binder) extend(in plan.Node, exprs []syntax.Expr, e *env) plan.Node {
	out := passThrough(in.Schema())
	b.assignments(in, exprs, e, true, func(name string, v plan.Expr, _ syntax.Node) {
		out = setColumn(out, name, v)
	})
	return b.keepOrder(in, b.lowerWindows(in, &plan.Project{Input: in, Exprs: out}))
}

func (b *binder) project(in plan.Node, exprs []syntax.Expr, e *env) plan.Node {
	var out []plan.NamedExpr
	seen := map[string]bool{}
	b.assignments(in, exprs, e, true, func(name string, v plan.Expr, at syntax.Node) {
		if seen[name] {
			b.errAt(at, CodeDuplicateColumn, "A column named '%s' is already part of the output", name)
			return
		}
		seen[name] = true
		out = append(out, plan.NamedExpr{Name: name, Expr: v})
	})
	if part := b.partitionRef(in); part != nil && !seen[part.Name] {
		out = append(out, plan.NamedExpr{Name: part.Name, Expr: part})
	}
	return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
}

func matchName(pattern, name string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return pattern == name
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

func (b *binder) projectAway(in plan.Node, cols []*syntax.Ident, keep bool) plan.Node {
	var out []plan.NamedExpr
	for _, p := range cols {
		found := false
		for _, c := range in.Schema() {
			if matchName(p.Name, c.Name) {
				found = true
			}
		}
		if !found && !strings.Contains(p.Name, "*") {
			b.errAt(p, CodeUnknownName, "Failed to resolve column expression named '%s'", p.Name)
		}
	}
	for _, c := range in.Schema() {
		m := false
		for _, p := range cols {
			if matchName(p.Name, c.Name) {
				m = true
				break
			}
		}
		if m == keep || (b.partition != "" && c.Name == b.partition) {
			out = append(out, plan.NamedExpr{Name: c.Name, Expr: &plan.ColRef{Name: c.Name, T: c.Type}})
		}
	}
	return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
}

func (b *binder) projectRename(in plan.Node, op *syntax.ProjectRenameOp) plan.Node {
	out := passThrough(in.Schema())
	for _, ne := range op.Exprs {
		old, ok := ne.Value.(*syntax.Ident)
		if !ok {
			b.errAt(ne.Value, CodeBadArgument, "project-rename expects a column name")
			continue
		}
		found := false
		for i := range out {
			if out[i].Name == old.Name {
				out[i].Name = ne.Names[0].Name
				found = true
				break
			}
		}
		if !found {
			b.errAt(old, CodeUnknownName, "Failed to resolve column expression named '%s'", old.Name)
		}
	}
	return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
}

func (b *binder) projectReorder(in plan.Node, op *syntax.ProjectReorderOp) plan.Node {
	all := passThrough(in.Schema())
	used := make([]bool, len(all))
	var out []plan.NamedExpr
	for i, p := range op.Columns {
		var group []int
		for j, c := range all {
			if !used[j] && matchName(p.Name, c.Name) {
				group = append(group, j)
			}
		}
		order := ""
		if i < len(op.Order) {
			order = op.Order[i]
		}
		if strings.HasSuffix(order, "asc") || strings.HasSuffix(order, "desc") {
			sort.SliceStable(group, func(x, y int) bool {
				a, c := all[group[x]].Name, all[group[y]].Name
				if strings.HasSuffix(order, "desc") {
					return a > c
				}
				return a < c
			})
		}
		for _, j := range group {
			used[j] = true
			out = append(out, all[j])
		}
	}
	for j, c := range all {
		if !used[j] {
			out = append(out, c)
		}
	}
	return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
}

func (b *binder) sort(in plan.Node, keys []*syntax.SortKey, e *env) plan.Node {
	r := &row{cols: in.Schema(), hidden: b.hiddenOf(in)}
	var ks []plan.SortKey
	for _, k := range keys {
		ks = append(ks, plan.SortKey{Expr: b.expr(k.X, e, r), Desc: k.Desc, NullsFirst: k.NullsFirst})
	}
	s := &plan.Sort{Input: in, Keys: ks}
	b.order[s] = ks
	return s
}

func (b *binder) distinct(in plan.Node, op *syntax.DistinctOp, e *env) plan.Node {
	if len(op.Exprs) == 1 {
		if _, ok := op.Exprs[0].(*syntax.StarExpr); ok {
			return &plan.Distinct{Input: in}
		}
	}
	p := b.project(in, distinctNames(op.Exprs), e)
	return &plan.Distinct{Input: p}
}

// conversions are the functions distinct names after their column
// argument: `distinct tostring(SPN)` is a column SPN, as Sentinel's rules
// rely on.
var conversions = map[string]bool{"tostring": true, "toint": true, "tolong": true, "toreal": true, "todouble": true,
	"tobool": true, "toboolean": true, "todatetime": true, "totimespan": true, "toguid": true, "todynamic": true, "todecimal": true}

// distinctNames names distinct's unnamed expressions as Kusto does: like
// summarize's keys (bin(TimeGenerated, 2m) is TimeGenerated), and a
// conversion of a column after the column.
func distinctNames(xs []syntax.Expr) []syntax.Expr {
	out := make([]syntax.Expr, len(xs))
	for i, x := range xs {
		out[i] = x
		if _, named := x.(*syntax.NamedExpr); named || columnName(x) != "" {
			continue
		}
		name := keyName(x)
		if c, ok := x.(*syntax.CallExpr); ok && name == "" && len(c.Args) == 1 && conversions[c.Fun.Name] {
			name = columnName(c.Args[0])
		}
		if name != "" {
			out[i] = &syntax.NamedExpr{Names: []*syntax.Ident{{NamePos: x.Pos(), Name: name, EndPos: x.Pos()}}, Assign: x.Pos(), Value: x}
		}
	}
	return out
}

func getSchema(in plan.Node) plan.Node {
	cols := []types.Column{{Name: "ColumnName", Type: types.String}, {Name: "ColumnOrdinal", Type: types.Int}, {Name: "DataType", Type: types.String}, {Name: "ColumnType", Type: types.String}}
	var rows [][]plan.Expr
	for i, c := range in.Schema() {
		rows = append(rows, []plan.Expr{
			&plan.Const{Value: c.Name, T: types.String},
			&plan.Const{Value: int64(i), T: types.Int},
			&plan.Const{Value: dotnetType(c.Type), T: types.String},
			&plan.Const{Value: c.Type.String(), T: types.String},
		})
	}
	return &plan.Values{Columns: cols, Rows: rows}
}

func dotnetType(t types.Type) string {
	switch t {
	case types.Bool:
		return "System.Boolean"
	case types.Int:
		return "System.Int32"
	case types.Long:
		return "System.Int64"
	case types.Real:
		return "System.Double"
	case types.Decimal:
		return "System.Data.SqlTypes.SqlDecimal"
	case types.DateTime:
		return "System.DateTime"
	case types.TimeSpan:
		return "System.TimeSpan"
	case types.GUID:
		return "System.Guid"
	case types.Dynamic:
		return "System.Object"
	}
	return "System.String"
}

func (b *binder) invoke(in plan.Node, op *syntax.InvokeOp, e *env) plan.Node {
	ent := e.lookup(op.Call.Fun.Name)
	if ent == nil || ent.fn == nil {
		b.errAt(op.Call.Fun, CodeUnknownFunction, "Unknown function: '%s'", op.Call.Fun.Name)
		return nil
	}
	ce := e.child()
	ce.define("$invoke_input", &entity{tabular: in})
	args := append([]syntax.Expr{&syntax.Ident{NamePos: op.From, EndPos: op.From, Name: "$invoke_input"}}, op.Call.Args...)
	return b.invokeTabular(op.Call, ent, args, ce)
}

func (b *binder) scan(table string, cols []types.Column) *plan.Scan {
	n := &plan.Scan{Table: table, Columns: cols}
	if sn, ok := b.cat.(StorageNamer); ok {
		n.Storage = sn.StorageNames(table)
	}
	if hc, ok := b.cat.(HiddenColumner); ok {
		if hidden := hc.HiddenColumns(table); len(hidden) > 0 {
			b.hidden[n] = hidden
		}
	}
	if w := b.opts.Window; w != nil {
		all := cols
		if hc, ok := b.cat.(HiddenColumner); ok {
			all = append(append([]types.Column(nil), cols...), hc.HiddenColumns(table)...)
		}
		for _, c := range all {
			if c.Name == w.ColumnName() && c.Type == types.DateTime {
				n.Window = w
				break
			}
		}
	}
	return n
}

// hiddenOf returns a resolver of the hidden columns that reach the output
// of n: those of a scan below operators that keep every column. Naming
// one makes the scan read it.
func (b *binder) hiddenOf(n plan.Node) func(name string) (types.Column, bool) {
	for {
		switch x := n.(type) {
		case *plan.Filter:
			n = x.Input
			continue
		case *plan.Sort:
			n = x.Input
			continue
		case *plan.Limit:
			n = x.Input
			continue
		case *plan.Scan:
			avail := b.hidden[x]
			if len(avail) == 0 {
				return nil
			}
			return func(name string) (types.Column, bool) {
				for _, c := range avail {
					if c.Name != name {
						continue
					}
					for _, h := range x.Hidden {
						if h.Name == name {
							return c, true
						}
					}
					x.Hidden = append(x.Hidden, c)
					return c, true
				}
				return types.Column{}, false
			}
		}
		return nil
	}
}
