package plan

import (
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// Node is a tabular operator. Schema is the ordered list of its output
// columns.
type Node interface {
	Schema() []types.Column
	node()
}

// Scan reads a stored table. Storage, when set, maps a column's KQL name
// to its name in the store where the two differ (a store whose column
// names are case-insensitive renames one of two names that differ only in
// case).
type Scan struct {
	Table   string
	Columns []types.Column
	Storage map[string]string
	// Window, when set, keeps only rows whose TimeGenerated lies in it: the
	// query API's timespan, which Log Analytics applies to every table.
	Window *TimeWindow
	// Hidden lists hidden columns (_ItemId, _TimeReceived, …) the query
	// names. They are read with the visible ones and pass through the
	// operators that keep every column (where, sort, take) up to the first
	// projection, but they are not part of Schema: like Kusto, * and the
	// result leave them out.
	Hidden []types.Column
}

// TimeWindow is a half-open interval [From, To) of a datetime column of
// every scanned table that has it: TimeGenerated, or Column (such as the
// hidden _TimeReceived, for windows of ingestion time). A zero bound is
// open.
type TimeWindow struct {
	From, To time.Time
	Column   string
}

// ColumnName is the column the window restricts.
func (w *TimeWindow) ColumnName() string {
	if w.Column == "" {
		return "TimeGenerated"
	}
	return w.Column
}

// Values is an inline table (datatable, print over no input). Rows hold
// constant or constant-foldable expressions, one per column.
type Values struct {
	Columns []types.Column
	Rows    [][]Expr
}

// Range is `range Name from From to To step Step`.
type Range struct {
	Name           string
	T              types.Type
	From, To, Step Expr
}

// Filter keeps the rows where Pred is true.
type Filter struct {
	Input Node
	Pred  Expr
}

// Project computes exactly the listed columns from each input row.
type Project struct {
	Input Node
	Exprs []NamedExpr
}

// Aggregate groups by Keys and computes Aggs (calls of aggregate functions)
// per group. With no keys it yields exactly one row.
type Aggregate struct {
	Input Node
	Keys  []NamedExpr
	Aggs  []NamedExpr
}

// SortKey orders by Expr.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

// Sort orders its input.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Limit keeps the first N rows of its input (in its order when it has one).
type Limit struct {
	Input Node
	N     Expr
}

// Distinct removes duplicate rows.
type Distinct struct {
	Input Node
}

// JoinKind is the kind of a join, in Kusto's vocabulary.
type JoinKind string

// Join kinds.
const (
	JoinInnerUnique JoinKind = "innerunique"
	JoinInner       JoinKind = "inner"
	JoinLeftOuter   JoinKind = "leftouter"
	JoinRightOuter  JoinKind = "rightouter"
	JoinFullOuter   JoinKind = "fullouter"
	JoinLeftAnti    JoinKind = "leftanti"
	JoinRightAnti   JoinKind = "rightanti"
	JoinLeftSemi    JoinKind = "leftsemi"
	JoinRightSemi   JoinKind = "rightsemi"
)

// JoinKey equates a left column with a right column.
type JoinKey struct {
	Left, Right string
}

// Join combines Left and Right on equal keys. Output lists, in order, the
// output columns: each is taken from the left (FromLeft) or right input
// column Source and named Name (Kusto renames clashing right columns with
// a numeric suffix).
type Join struct {
	Left, Right Node
	Kind        JoinKind
	Keys        []JoinKey
	Output      []JoinColumn
}

// JoinColumn is one output column of a join.
type JoinColumn struct {
	Name     string
	FromLeft bool
	Source   string
	T        types.Type
}

// Union concatenates its inputs aligning columns by name. Columns lists the
// output; for each input, Maps[i][j] names the input column feeding output
// column j, or "" for null. SourceColumn, when set, is the first output
// column and holds SourceNames[i] for rows of input i.
type Union struct {
	Inputs       []Node
	Columns      []types.Column
	Maps         [][]string
	SourceColumn string
	SourceNames  []string
}

// MvExpand expands arrays (or bags) held in dynamic columns into one row
// per element. Columns expanded together are zipped (the longest wins,
// shorter ones give null). Each expanded column keeps its name and takes
// type To (dynamic unless `to typeof(t)`).
type MvExpand struct {
	Input     Node
	Columns   []MvExpandColumn
	IndexName string // with_itemindex column, or ""
	BagArray  bool   // bagexpansion=array: bags expand to [key, value] pairs
	Limit     int64  // 0 = no limit
}

// MvExpandColumn names one expanded column.
type MvExpandColumn struct {
	Name string
	To   types.Type
}

// Window adds columns computed by window functions over the input in its
// current order (serialize, row_number(), prev(), next(), row_cumsum()).
// Exprs may reference functions whose Fn begins with "window:".
type Window struct {
	Input Node
	Exprs []NamedExpr // appended after the input columns
	// PartitionBy is used by partition-local windows (e.g. row_number with a
	// restart predicate is expressed differently); empty for whole-input.
	PartitionBy []Expr
	OrderBy     []SortKey
}

// CTERef reads the result of a named common table expression defined in
// the enclosing Query.
type CTERef struct {
	Name    string
	Columns []types.Column
}

// Query is a complete plan: named common table expressions (tabular lets,
// materialize) followed by the result.
type Query struct {
	CTEs []CTE
	Root Node
}

// CTE is one named sub-plan. Materialized asks the backend to compute it
// once.
type CTE struct {
	Name         string
	Plan         Node
	Materialized bool
}

// Schemas.

func (n *Scan) Schema() []types.Column   { return n.Columns }
func (n *Values) Schema() []types.Column { return n.Columns }
func (n *Range) Schema() []types.Column {
	return []types.Column{{Name: n.Name, Type: n.T}}
}
func (n *Filter) Schema() []types.Column { return n.Input.Schema() }
func (n *Project) Schema() []types.Column {
	return namedSchema(n.Exprs)
}
func (n *Aggregate) Schema() []types.Column {
	return append(namedSchema(n.Keys), namedSchema(n.Aggs)...)
}
func (n *Sort) Schema() []types.Column     { return n.Input.Schema() }
func (n *Limit) Schema() []types.Column    { return n.Input.Schema() }
func (n *Distinct) Schema() []types.Column { return n.Input.Schema() }
func (n *Join) Schema() []types.Column {
	cols := make([]types.Column, len(n.Output))
	for i, c := range n.Output {
		cols[i] = types.Column{Name: c.Name, Type: c.T}
	}
	return cols
}
func (n *Union) Schema() []types.Column { return n.Columns }
func (n *MvExpand) Schema() []types.Column {
	in := n.Input.Schema()
	out := make([]types.Column, 0, len(in)+1)
	for _, c := range in {
		for _, e := range n.Columns {
			if e.Name == c.Name {
				c.Type = e.To
			}
		}
		out = append(out, c)
	}
	if n.IndexName != "" {
		out = append(out, types.Column{Name: n.IndexName, Type: types.Long})
	}
	return out
}
func (n *Window) Schema() []types.Column {
	return append(append([]types.Column(nil), n.Input.Schema()...), namedSchema(n.Exprs)...)
}
func (n *CTERef) Schema() []types.Column { return n.Columns }

func namedSchema(xs []NamedExpr) []types.Column {
	cols := make([]types.Column, len(xs))
	for i, x := range xs {
		cols[i] = types.Column{Name: x.Name, Type: x.Expr.Type()}
	}
	return cols
}

func (*Scan) node()      {}
func (*Values) node()    {}
func (*Range) node()     {}
func (*Filter) node()    {}
func (*Project) node()   {}
func (*Aggregate) node() {}
func (*Sort) node()      {}
func (*Limit) node()     {}
func (*Distinct) node()  {}
func (*Join) node()      {}
func (*Union) node()     {}
func (*MvExpand) node()  {}
func (*Window) node()    {}
func (*CTERef) node()    {}

// MakeSeries builds one row per group with arrays of aggregate values over
// the bins of an axis: `make-series … on Axis from From to To step Step by
// Keys`. Bins are [From, To) in steps of Step; empty bins take Defaults.
// From and To may be nil, in which case they come from the data (the
// first and last bins holding rows).
type MakeSeries struct {
	Input    Node
	Keys     []NamedExpr
	Aggs     []NamedExpr // aggregate calls, one per series
	Defaults []Expr      // default per aggregate (typed constant)
	AxisName string
	Axis     Expr
	From, To Expr
	Step     Expr
	// NonEmpty (kind=nonempty) yields a row of defaults even when the
	// input has no rows.
	NonEmpty bool
}

// Schema of make-series: keys, one array per series, then the axis array.
func (n *MakeSeries) Schema() []types.Column {
	cols := namedSchema(n.Keys)
	for _, a := range n.Aggs {
		cols = append(cols, types.Column{Name: a.Name, Type: types.Dynamic})
	}
	return append(cols, types.Column{Name: n.AxisName, Type: types.Dynamic})
}

func (*MakeSeries) node() {}

// ExternalData reads rows from URLs at query time (externaldata). Backends
// execute it only when the deployment allows fetching URLs.
type ExternalData struct {
	Columns []types.Column
	URIs    []string
	Format  string
}

// Schema is the declared schema.
func (n *ExternalData) Schema() []types.Column { return n.Columns }

func (*ExternalData) node() {}
