package duckdb

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Statement is a generated query and the KQL schema of its result.
type Statement struct {
	SQL     string
	Columns []types.Column
}

// Generate turns a plan into one DuckDB statement. The statement's result
// columns are shaped for reading into Go: strings are never NULL; guid,
// decimal and dynamic values are returned as text (dynamic as JSON text).
func Generate(q *plan.Query) (st *Statement, err error) {
	defer func() {
		if r := recover(); r != nil {
			if ge, ok := r.(genError); ok {
				st, err = nil, ge
				return
			}
			st, err = nil, fmt.Errorf("internal SQL generator error: %v", r)
		}
	}()
	g := &gen{}
	var sb strings.Builder
	if len(q.CTEs) > 0 {
		sb.WriteString("WITH ")
		for i, c := range q.CTEs {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(Ident(c.Name))
			sb.WriteString(" AS ")
			if c.Materialized {
				sb.WriteString("MATERIALIZED ")
			}
			sb.WriteString("(")
			sb.WriteString(g.node(c.Plan))
			sb.WriteString(")\n")
		}
	}
	cols := q.Root.Schema()
	sb.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(outputExpr(Ident(c.Name), c.Type))
		sb.WriteString(" AS ")
		sb.WriteString(Ident(c.Name))
	}
	if len(cols) == 0 {
		sb.WriteString("NULL AS __empty")
	}
	sb.WriteString(" FROM (")
	sb.WriteString(g.node(q.Root))
	sb.WriteString(") AS ")
	sb.WriteString(g.alias())
	return &Statement{SQL: sb.String(), Columns: cols}, nil
}

// outputExpr shapes a result column for the client.
func outputExpr(x string, t types.Type) string {
	switch t {
	case types.String:
		return "coalesce(" + x + ", '')"
	case types.GUID, types.Decimal, types.Dynamic:
		return "CAST(" + x + " AS VARCHAR)"
	case types.Unknown, types.Null:
		return "NULL"
	}
	return x
}

type genError struct{ msg string }

func (e genError) Error() string { return e.msg }

func fail(format string, args ...any) {
	panic(genError{fmt.Sprintf(format, args...)})
}

type gen struct {
	n int
}

func (g *gen) alias() string {
	g.n++
	return "t" + strconv.Itoa(g.n)
}

// Ident quotes a SQL identifier.
func Ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Str quotes a SQL string literal.
func Str(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func (g *gen) from(n plan.Node) string {
	return "(" + g.node(n) + ") AS " + g.alias()
}

func (g *gen) node(n plan.Node) string {
	switch n := n.(type) {
	case *plan.Scan:
		cols := n.Columns
		if len(n.Hidden) > 0 {
			cols = append(append([]types.Column(nil), n.Columns...), n.Hidden...)
		}
		if len(n.Storage) == 0 {
			return "SELECT " + colList(cols) + " FROM " + Ident(n.Table) + scanWindow(n)
		}
		var parts []string
		for _, c := range cols {
			if st, ok := n.Storage[c.Name]; ok && st != c.Name {
				parts = append(parts, Ident(st)+" AS "+Ident(c.Name))
			} else {
				parts = append(parts, Ident(c.Name))
			}
		}
		return "SELECT " + strings.Join(parts, ", ") + " FROM " + Ident(n.Table) + scanWindow(n)
	case *plan.CTERef:
		return "SELECT * FROM " + Ident(n.Name)
	case *plan.Values:
		return g.values(n)
	case *plan.Range:
		return g.rangeNode(n)
	case *plan.Filter:
		if hasWindow(n.Pred) {
			// DuckDB filters on window functions with QUALIFY.
			return "SELECT * FROM " + g.from(n.Input) + " QUALIFY " + g.expr(n.Pred)
		}
		return "SELECT * FROM " + g.from(n.Input) + " WHERE " + g.expr(n.Pred)
	case *plan.Project:
		var parts []string
		for _, x := range n.Exprs {
			parts = append(parts, g.expr(x.Expr)+" AS "+Ident(x.Name))
		}
		if len(parts) == 0 {
			parts = []string{"NULL AS __empty"}
		}
		return "SELECT " + strings.Join(parts, ", ") + " FROM " + g.from(n.Input)
	case *plan.Aggregate:
		return g.aggregate(n)
	case *plan.Sort:
		return "SELECT * FROM " + g.from(n.Input) + " ORDER BY " + g.orderBy(n.Keys)
	case *plan.Limit:
		return "SELECT * FROM " + g.from(n.Input) + " LIMIT " + g.expr(n.N)
	case *plan.Distinct:
		return "SELECT DISTINCT * FROM " + g.from(n.Input)
	case *plan.Join:
		return g.join(n)
	case *plan.Union:
		return g.union(n)
	case *plan.MvExpand:
		return g.mvExpand(n)
	case *plan.ExternalData:
		fail("externaldata: this workspace does not fetch URLs at query time (%d URL(s) requested); load the data into a table with the ingestion API instead", len(n.URIs))
	case *plan.MakeSeries:
		return g.makeSeries(n)
	case *plan.CondJoin:
		return g.condJoin(n)
	case *plan.Window:
		var parts []string
		for _, x := range n.Exprs {
			parts = append(parts, g.expr(x.Expr)+" AS "+Ident(x.Name))
		}
		return "SELECT *, " + strings.Join(parts, ", ") + " FROM " + g.from(n.Input)
	}
	fail("sqlgen: unsupported plan node %T", n)
	return ""
}

func colList(cols []types.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = Ident(c.Name)
	}
	return strings.Join(parts, ", ")
}

func (g *gen) orderBy(keys []plan.SortKey) string {
	var parts []string
	for _, k := range keys {
		s := g.expr(k.Expr)
		if k.Desc {
			s += " DESC"
		} else {
			s += " ASC"
		}
		if k.NullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func (g *gen) values(n *plan.Values) string {
	if len(n.Columns) == 0 {
		if len(n.Rows) == 0 {
			return "SELECT 1 AS __unit WHERE false"
		}
		return "SELECT 1 AS __unit"
	}
	if len(n.Rows) == 0 {
		var parts []string
		for _, c := range n.Columns {
			parts = append(parts, "CAST(NULL AS "+SQLType(c.Type)+") AS "+Ident(c.Name))
		}
		return "SELECT " + strings.Join(parts, ", ") + " WHERE false"
	}
	var rows []string
	for _, r := range n.Rows {
		var vals []string
		for j, v := range r {
			vals = append(vals, g.castTo(v, n.Columns[j].Type))
		}
		rows = append(rows, "("+strings.Join(vals, ", ")+")")
	}
	return "SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS " + g.alias() + "(" + colList(n.Columns) + ")"
}

// castTo renders v converted to the storage type of t.
func (g *gen) castTo(v plan.Expr, t types.Type) string {
	if c, ok := v.(*plan.Call); ok && strings.HasPrefix(c.Fn, "cast:") {
		v = c.Args[0]
	}
	if v.Type() == t {
		return "CAST(" + g.expr(v) + " AS " + SQLType(t) + ")"
	}
	return "CAST(" + g.convert(v, t) + " AS " + SQLType(t) + ")"
}

func (g *gen) rangeNode(n *plan.Range) string {
	i := g.alias()
	from, to, step := g.expr(n.From), g.expr(n.To), g.expr(n.Step)
	switch n.T {
	case types.DateTime:
		count := fmt.Sprintf("CAST(floor((epoch_us(%s) - epoch_us(%s)) * 10 / (%s)) AS BIGINT) + 1", to, from, step)
		return fmt.Sprintf("SELECT %s + to_microseconds(CAST(%s.i * (%s) // 10 AS BIGINT)) AS %s FROM range(0, greatest(%s, 0)) AS %s(i)", from, i, step, Ident(n.Name), count, i)
	case types.TimeSpan, types.Long, types.Int:
		count := fmt.Sprintf("CAST(floor(((%s) - (%s)) / (%s)) AS BIGINT) + 1", to, from, step)
		return fmt.Sprintf("SELECT CAST((%s) + %s.i * (%s) AS BIGINT) AS %s FROM range(0, greatest(%s, 0)) AS %s(i)", from, i, step, Ident(n.Name), count, i)
	}
	count := fmt.Sprintf("CAST(floor(((%s) - (%s)) / (%s) + 1e-9) AS BIGINT) + 1", to, from, step)
	return fmt.Sprintf("SELECT CAST((%s) + %s.i * (%s) AS DOUBLE) AS %s FROM range(0, greatest(%s, 0)) AS %s(i)", from, i, step, Ident(n.Name), count, i)
}

func (g *gen) aggregate(n *plan.Aggregate) string {
	var parts []string
	for _, k := range n.Keys {
		parts = append(parts, g.expr(k.Expr)+" AS "+Ident(k.Name))
	}
	for _, a := range n.Aggs {
		parts = append(parts, g.aggExpr(a.Expr)+" AS "+Ident(a.Name))
	}
	if len(parts) == 0 {
		parts = []string{"count(*) AS __count"}
	}
	s := "SELECT " + strings.Join(parts, ", ") + " FROM " + g.from(n.Input)
	if len(n.Keys) > 0 {
		var idx []string
		for i := range n.Keys {
			idx = append(idx, strconv.Itoa(i+1))
		}
		s += " GROUP BY " + strings.Join(idx, ", ")
	}
	return s
}

func (g *gen) join(n *plan.Join) string {
	la, ra := g.alias(), g.alias()
	left := "(" + g.node(n.Left) + ")"
	right := "(" + g.node(n.Right) + ")"
	var on []string
	for _, k := range n.Keys {
		on = append(on, la+"."+Ident(k.Left)+" = "+ra+"."+Ident(k.Right))
	}
	cond := strings.Join(on, " AND ")
	if n.Kind == plan.JoinInnerUnique {
		var ks []string
		for _, k := range n.Keys {
			ks = append(ks, Ident(k.Left))
		}
		left = "(SELECT DISTINCT ON (" + strings.Join(ks, ", ") + ") * FROM " + left + " AS " + g.alias() + ")"
	}
	var cols []string
	for _, c := range n.Output {
		src := ra
		if c.FromLeft {
			src = la
		}
		cols = append(cols, src+"."+Ident(c.Source)+" AS "+Ident(c.Name))
	}
	var kw string
	switch n.Kind {
	case plan.JoinInnerUnique, plan.JoinInner:
		kw = "INNER JOIN"
	case plan.JoinLeftOuter:
		kw = "LEFT OUTER JOIN"
	case plan.JoinRightOuter:
		kw = "RIGHT OUTER JOIN"
	case plan.JoinFullOuter:
		kw = "FULL OUTER JOIN"
	case plan.JoinLeftSemi:
		kw = "SEMI JOIN"
	case plan.JoinLeftAnti:
		kw = "ANTI JOIN"
	case plan.JoinRightSemi, plan.JoinRightAnti:
		kw = "SEMI JOIN"
		if n.Kind == plan.JoinRightAnti {
			kw = "ANTI JOIN"
		}
		return "SELECT " + strings.Join(cols, ", ") + " FROM " + right + " AS " + ra + " " + kw + " " + left + " AS " + la + " ON " + cond
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + left + " AS " + la + " " + kw + " " + right + " AS " + ra + " ON " + cond
}

func (g *gen) union(n *plan.Union) string {
	var branches []string
	cols := n.Columns
	if n.SourceColumn != "" {
		cols = cols[1:]
	}
	for i, in := range n.Inputs {
		var parts []string
		if n.SourceColumn != "" {
			parts = append(parts, Str(n.SourceNames[i])+" AS "+Ident(n.SourceColumn))
		}
		for j, c := range cols {
			src := n.Maps[i][j]
			if src == "" {
				parts = append(parts, "CAST(NULL AS "+SQLType(c.Type)+") AS "+Ident(c.Name))
			} else {
				parts = append(parts, "CAST("+Ident(src)+" AS "+SQLType(c.Type)+") AS "+Ident(c.Name))
			}
		}
		if len(parts) == 0 {
			parts = []string{"NULL AS __empty"}
		}
		branches = append(branches, "SELECT "+strings.Join(parts, ", ")+" FROM "+g.from(in))
	}
	return strings.Join(branches, " UNION ALL ")
}

func (g *gen) mvExpand(n *plan.MvExpand) string {
	// Inner select: the other columns plus one unnest per expanded column;
	// DuckDB zips several unnests in one select list, padding with NULL,
	// which is Kusto's semantics.
	expanded := map[string]plan.MvExpandColumn{}
	for _, c := range n.Columns {
		expanded[c.Name] = c
	}
	in := n.Input.Schema()
	var inner []string
	for _, c := range in {
		if _, ok := expanded[c.Name]; ok {
			list := "kql_mv_list(" + Ident(c.Name) + ", " + strconv.FormatBool(n.BagArray) + ")"
			if n.Limit > 0 {
				list += "[1:" + strconv.FormatInt(n.Limit, 10) + "]"
			}
			inner = append(inner, "unnest("+list+") AS "+Ident(c.Name))
		} else {
			inner = append(inner, Ident(c.Name))
		}
	}
	if n.IndexName != "" {
		var lens []string
		for _, c := range n.Columns {
			lens = append(lens, "len(kql_mv_list("+Ident(c.Name)+", "+strconv.FormatBool(n.BagArray)+"))")
		}
		lenExpr := lens[0]
		if len(lens) > 1 {
			lenExpr = "greatest(" + strings.Join(lens, ", ") + ")"
		}
		if n.Limit > 0 {
			lenExpr = "least(" + lenExpr + ", " + strconv.FormatInt(n.Limit, 10) + ")"
		}
		inner = append(inner, "unnest(range(0, "+lenExpr+")) AS "+Ident(n.IndexName))
	}
	innerSQL := "SELECT " + strings.Join(inner, ", ") + " FROM " + g.from(n.Input)
	var outer []string
	for _, c := range n.Schema() {
		if e, ok := expanded[c.Name]; ok && e.To != types.Dynamic {
			outer = append(outer, g.convert(&plan.ColRef{Name: c.Name, T: types.Dynamic}, e.To)+" AS "+Ident(c.Name))
		} else {
			outer = append(outer, Ident(c.Name))
		}
	}
	return "SELECT " + strings.Join(outer, ", ") + " FROM (" + innerSQL + ") AS " + g.alias()
}

// literal renders a constant.
func (g *gen) literal(c *plan.Const) string {
	if c.Value == nil {
		if c.T == types.Unknown || c.T == types.Null {
			return "NULL"
		}
		return "CAST(NULL AS " + SQLType(c.T) + ")"
	}
	switch v := c.Value.(type) {
	case bool:
		if v {
			return "true"
		}
		return "false"
	case int64:
		s := strconv.FormatInt(v, 10)
		switch c.T {
		case types.Real:
			return "CAST(" + s + " AS DOUBLE)"
		case types.Int:
			return "CAST(" + s + " AS INTEGER)"
		case types.Decimal:
			return "CAST(" + s + " AS " + SQLType(types.Decimal) + ")"
		}
		// A plain integer literal: DuckDB widens it as its context needs
		// (and some functions, such as regexp_extract's group, require a
		// literal rather than a cast).
		return s
	case int:
		return strconv.Itoa(v)
	case float64:
		switch {
		case v != v:
			return "CAST('NaN' AS DOUBLE)"
		case v > 1.7976931348623157e308:
			return "CAST('Infinity' AS DOUBLE)"
		case v < -1.7976931348623157e308:
			return "CAST('-Infinity' AS DOUBLE)"
		}
		return "CAST(" + strconv.FormatFloat(v, 'g', -1, 64) + " AS DOUBLE)"
	case plan.Ticks:
		return "CAST(" + strconv.FormatInt(int64(v), 10) + " AS BIGINT)"
	case time.Time:
		return "TIMESTAMP " + Str(v.UTC().Format("2006-01-02 15:04:05.999999"))
	case string:
		switch c.T {
		case types.GUID:
			return "CAST(" + Str(v) + " AS UUID)"
		case types.Dynamic:
			return "CAST(" + Str(v) + " AS JSON)"
		case types.Decimal:
			return "CAST(" + Str(v) + " AS " + SQLType(types.Decimal) + ")"
		}
		return Str(v)
	}
	fail("sqlgen: unsupported constant %T", c.Value)
	return ""
}

// hasWindow reports whether e calls a window function.
func hasWindow(e plan.Expr) bool {
	c, ok := e.(*plan.Call)
	if !ok {
		return false
	}
	if _, ok := windowFuncs[c.Fn]; ok {
		return true
	}
	for _, a := range c.Args {
		if hasWindow(a) {
			return true
		}
	}
	return false
}

// scanWindow is the WHERE clause restricting a scan to its time window.
func scanWindow(n *plan.Scan) string {
	if n.Window == nil {
		return ""
	}
	col := n.Window.ColumnName()
	if st, ok := n.Storage[col]; ok {
		col = st
	}
	var conds []string
	if !n.Window.From.IsZero() {
		conds = append(conds, Ident(col)+" >= "+timestampLiteral(n.Window.From))
	}
	if !n.Window.To.IsZero() {
		conds = append(conds, Ident(col)+" < "+timestampLiteral(n.Window.To))
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func timestampLiteral(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05.999999") + "'"
}
