package syntax

// Span is embedded in operators: From is the operator keyword, To the byte
// after its last token.
type Span struct {
	From, To Pos
}

// Pos returns the start of the span.
func (s Span) Pos() Pos { return s.From }

// End returns the byte after the span.
func (s Span) End() Pos { return s.To }

// SortKey is one key of sort, top, order by: `x [asc|desc] [nulls first|last]`.
type SortKey struct {
	X          Expr
	Desc       bool // default for sort/top is desc; the parser fills it
	Explicit   bool // asc/desc was written
	NullsFirst bool // after the defaults are applied
	NullsSet   bool // nulls first/last was written
}

// WhereOp is `where pred` (also `filter`).
type WhereOp struct {
	Span
	Params []*OpParam
	Pred   Expr
}

// ExtendOp is `extend a = x, y`.
type ExtendOp struct {
	Span
	Exprs []Expr
}

// ProjectOp is `project a, b = x`.
type ProjectOp struct {
	Span
	Exprs []Expr
}

// ProjectAwayOp is `project-away a, b*`. Columns are *Ident, possibly with
// '*' wildcards in Name.
type ProjectAwayOp struct {
	Span
	Columns []*Ident
}

// ProjectKeepOp is `project-keep a, b*`.
type ProjectKeepOp struct {
	Span
	Columns []*Ident
}

// ProjectByNamesOp is `project-by-names "a", "b*", dynamic([…])`: columns
// chosen by name patterns computed at query time.
type ProjectByNamesOp struct {
	Span
	Exprs []Expr
}

func (*ProjectByNamesOp) Name() string { return "project-by-names" }
func (*ProjectByNamesOp) opNode()      {}

// ProjectRenameOp is `project-rename new = old, …`; each NamedExpr's Value is
// an *Ident.
type ProjectRenameOp struct {
	Span
	Exprs []*NamedExpr
}

// ProjectReorderOp is `project-reorder a, b* asc`.
type ProjectReorderOp struct {
	Span
	Columns []*Ident
	Order   []string // "", "asc", "desc", "granny-asc", "granny-desc" per column
}

// SummarizeOp is `summarize [hints] aggs [by keys]`.
type SummarizeOp struct {
	Span
	Params []*OpParam
	Aggs   []Expr
	By     []Expr
}

// SortOp is `sort by …` or `order by …`.
type SortOp struct {
	Span
	Keyword string // "sort" or "order"
	Params  []*OpParam
	Keys    []*SortKey
}

// TopOp is `top [hints] N by key [asc|desc] [nulls …]`.
type TopOp struct {
	Span
	Params []*OpParam
	N      Expr
	Key    *SortKey
}

// TakeOp is `take N` or `limit N`.
type TakeOp struct {
	Span
	Keyword string // "take" or "limit"
	N       Expr
}

// DistinctOp is `distinct a, b` or `distinct *`.
type DistinctOp struct {
	Span
	Params []*OpParam
	Exprs  []Expr
}

// CountOp is `count`.
type CountOp struct {
	Span
}

// JoinOp is `join [kind=…] [hints] (Right) on keys [where …]`. On holds
// column names (*Ident) or `$left.a == $right.b` comparisons.
type JoinOp struct {
	Span
	Params []*OpParam
	Right  Expr
	On     []Expr
	Where  Expr // `join … on … where` is rare; nil when absent
}

// LookupOp is `lookup [kind=leftouter|inner] (Right) on keys`.
type LookupOp struct {
	Span
	Params []*OpParam
	Right  Expr
	On     []Expr
}

// UnionOp is `| union [params] T2, …`.
type UnionOp struct {
	Span
	Params []*OpParam
	Tables []Expr
}

// MvExpandOp is `mv-expand [bagexpansion=…] [with_itemindex=i] a [to typeof(t)], … [limit n]`.
type MvExpandOp struct {
	Span
	Params []*OpParam
	Items  []*MvExpandItem
	Limit  Expr
}

// MvExpandItem is one expanded expression and its optional target type.
type MvExpandItem struct {
	X  Expr // column, or NamedExpr for `name = expr`
	To *TypeExpr
}

// MvApplyOp is `mv-apply [params] items [limit n] [id=…] on (subquery)`.
// The subquery's source is the per-row table; it is a pipeline whose first
// element is the *ContextualSource placeholder.
type MvApplyOp struct {
	Span
	Params []*OpParam
	Items  []*MvExpandItem
	Limit  Expr
	Sub    Expr
}

// ContextualSource stands for the implicit input of a sub-query in mv-apply,
// partition, fork and facet (`(where x > 1 | take 3)`).
type ContextualSource struct {
	At Pos
}

func (x *ContextualSource) Pos() Pos { return x.At }
func (x *ContextualSource) End() Pos { return x.At }
func (*ContextualSource) exprNode()  {}

// ParseOp is `parse [kind=regex|simple|relaxed] [flags=…] X with pattern`, and
// `parse-where` with Where set. Pattern elements are string *Literal, column
// declarations (*ColumnDecl wrapped in *ColumnPattern) and `*`.
type ParseOp struct {
	Span
	Where   bool
	Params  []*OpParam
	X       Expr
	Pattern []Expr
}

// ColumnPattern is a `name[:type]` element of a parse pattern.
type ColumnPattern struct {
	Name *Ident
	Type *TypeExpr // nil means string
}

func (x *ColumnPattern) Pos() Pos { return x.Name.Pos() }
func (x *ColumnPattern) End() Pos {
	if x.Type != nil {
		return x.Type.End()
	}
	return x.Name.End()
}
func (*ColumnPattern) exprNode() {}

// ParseKVOp is `parse-kv X as (c:t, …) with (pair_delimiter=…, …)`.
type ParseKVOp struct {
	Span
	X       Expr
	Columns []*ColumnDecl
	With    []*OpParam
}

// EvaluateOp is `evaluate [hints] plugin(args)`.
type EvaluateOp struct {
	Span
	Params []*OpParam
	Call   *CallExpr
	// Schema is the optional output schema `: (c:t, …)`.
	Schema []*ColumnDecl
}

// RenderOp is `render chart [with (props)]`. Legacy properties written
// without `with` (`render timechart kind=stacked`) are in With as well. A
// list-valued property (`ycolumns=a, b`) has a *ListExpr without
// parentheses as its Value.
type RenderOp struct {
	Span
	Chart *Ident
	With  []*OpParam
}

// MakeSeriesOp is `make-series [kind=nonempty] aggs on axis [from a] [to b]
// step s [by keys]` (also the `in range(a, b, s)` form).
type MakeSeriesOp struct {
	Span
	Params []*OpParam
	Aggs   []*MakeSeriesAgg
	On     Expr
	From   Expr
	To     Expr
	Step   Expr
	By     []Expr
}

// MakeSeriesAgg is one aggregation: `[name =] agg(x) [default = v]`.
type MakeSeriesAgg struct {
	X       Expr // call or NamedExpr of a call
	Default Expr
}

// AsOp is `as [hint.materialized=true] Name`.
type AsOp struct {
	Span
	Params []*OpParam
	Table  *Ident
}

// GetSchemaOp is `getschema`.
type GetSchemaOp struct {
	Span
}

// SerializeOp is `serialize [a = expr, …]`.
type SerializeOp struct {
	Span
	Exprs []Expr
}

// InvokeOp is `invoke f(args)`.
type InvokeOp struct {
	Span
	Call *CallExpr
}

// PartitionOp is `partition [hints] by Col (subquery)` or `{ … }`. For the
// parenthesized form Sub is a *ParenExpr holding a contextual pipeline; for
// the braced form Braced is set and Sub is the pipeline inside the braces.
type PartitionOp struct {
	Span
	Params []*OpParam
	By     *Ident
	Sub    Expr
	Braced bool
}

// TopNestedOp is `top-nested N of X [with others = v] by agg [asc|desc], …`.
type TopNestedOp struct {
	Span
	Levels []*TopNestedLevel
}

// TopNestedLevel is one `top-nested` clause.
type TopNestedLevel struct {
	N      Expr // nil for `top-nested of …` (all)
	Of     Expr
	Others Expr
	By     Expr
	Desc   bool
}

// TopHittersOp is `top-hitters N of X [by Y]`.
type TopHittersOp struct {
	Span
	N  Expr
	Of Expr
	By Expr
}

// SampleOp is `sample N`.
type SampleOp struct {
	Span
	N Expr
}

// SampleDistinctOp is `sample-distinct N of X`.
type SampleDistinctOp struct {
	Span
	N  Expr
	Of Expr
}

// FacetOp is `facet by a, b [with (subquery)]`. With is a *ParenExpr
// holding a contextual pipeline, the pipeline itself for the
// unparenthesized `with take 5`, or nil.
type FacetOp struct {
	Span
	By   []*Ident
	With Expr
}

// ForkOp is `fork (q1) (q2) …` with optional `name=(…)`. Each branch is a
// *ParenExpr holding a contextual pipeline, or a *NamedExpr whose Value is
// that *ParenExpr for a named branch.
type ForkOp struct {
	Span
	Branches []Expr
}

// ScanOp is `scan [with_match_id=…] [order by …] [partition by …]
// [declare (…)] with (step s: pred => a = x; …)`.
type ScanOp struct {
	Span
	Params      []*OpParam
	OrderBy     []*SortKey // nil when absent; sort defaults as for sort
	PartitionBy []Expr     // nil when absent
	Declare     []*Param
	Steps       []*ScanStep
}

// ScanStep is one `step name [optional] [output=all|last|none]: predicate
// [=> assignments];`.
type ScanStep struct {
	Name     *Ident
	Optional bool
	Output   string // "", "all", "last" or "none"
	Pred     Expr
	Assigns  []*NamedExpr
}

// SearchOp is `| search …`.
type SearchOp struct {
	Span
	Search *SearchExpr
}

// ConsumeOp is `consume [decodeblocks=…]`.
type ConsumeOp struct {
	Span
	Params []*OpParam
}

// MakeGraphOp is `make-graph a --> b with …` (parsed, not executed). Text is
// the operator's arguments as written, comments removed and each run of
// whitespace and comments turned into one space.
type MakeGraphOp struct {
	Span
	Text string
}

// GraphOp is any of the graph-* operators (graph-match, graph-merge,
// graph-to-table, graph-shortest-paths, graph-mark-components); parsed and
// reported by the binder as unsupported. Text holds the arguments as for
// MakeGraphOp.
type GraphOp struct {
	Span
	Keyword string
	Text    string
}

// ReduceOp is `reduce [kind=…] by X [with threshold=…, characters=…]`.
type ReduceOp struct {
	Span
	Params []*OpParam
	By     Expr
	With   []*OpParam
}

func (*WhereOp) Name() string          { return "where" }
func (*ExtendOp) Name() string         { return "extend" }
func (*ProjectOp) Name() string        { return "project" }
func (*ProjectAwayOp) Name() string    { return "project-away" }
func (*ProjectKeepOp) Name() string    { return "project-keep" }
func (*ProjectRenameOp) Name() string  { return "project-rename" }
func (*ProjectReorderOp) Name() string { return "project-reorder" }
func (*SummarizeOp) Name() string      { return "summarize" }
func (o *SortOp) Name() string         { return o.Keyword }
func (*TopOp) Name() string            { return "top" }
func (o *TakeOp) Name() string         { return o.Keyword }
func (*DistinctOp) Name() string       { return "distinct" }
func (*CountOp) Name() string          { return "count" }
func (*JoinOp) Name() string           { return "join" }
func (*LookupOp) Name() string         { return "lookup" }
func (*UnionOp) Name() string          { return "union" }
func (*MvExpandOp) Name() string       { return "mv-expand" }
func (*MvApplyOp) Name() string        { return "mv-apply" }
func (o *ParseOp) Name() string {
	if o.Where {
		return "parse-where"
	}
	return "parse"
}
func (*ParseKVOp) Name() string        { return "parse-kv" }
func (*EvaluateOp) Name() string       { return "evaluate" }
func (*RenderOp) Name() string         { return "render" }
func (*MakeSeriesOp) Name() string     { return "make-series" }
func (*AsOp) Name() string             { return "as" }
func (*GetSchemaOp) Name() string      { return "getschema" }
func (*SerializeOp) Name() string      { return "serialize" }
func (*InvokeOp) Name() string         { return "invoke" }
func (*PartitionOp) Name() string      { return "partition" }
func (*TopNestedOp) Name() string      { return "top-nested" }
func (*TopHittersOp) Name() string     { return "top-hitters" }
func (*SampleOp) Name() string         { return "sample" }
func (*SampleDistinctOp) Name() string { return "sample-distinct" }
func (*FacetOp) Name() string          { return "facet" }
func (*ForkOp) Name() string           { return "fork" }
func (*ScanOp) Name() string           { return "scan" }
func (*SearchOp) Name() string         { return "search" }
func (*ConsumeOp) Name() string        { return "consume" }
func (*MakeGraphOp) Name() string      { return "make-graph" }
func (o *GraphOp) Name() string        { return o.Keyword }
func (*ReduceOp) Name() string         { return "reduce" }

func (*WhereOp) opNode()          {}
func (*ExtendOp) opNode()         {}
func (*ProjectOp) opNode()        {}
func (*ProjectAwayOp) opNode()    {}
func (*ProjectKeepOp) opNode()    {}
func (*ProjectRenameOp) opNode()  {}
func (*ProjectReorderOp) opNode() {}
func (*SummarizeOp) opNode()      {}
func (*SortOp) opNode()           {}
func (*TopOp) opNode()            {}
func (*TakeOp) opNode()           {}
func (*DistinctOp) opNode()       {}
func (*CountOp) opNode()          {}
func (*JoinOp) opNode()           {}
func (*LookupOp) opNode()         {}
func (*UnionOp) opNode()          {}
func (*MvExpandOp) opNode()       {}
func (*MvApplyOp) opNode()        {}
func (*ParseOp) opNode()          {}
func (*ParseKVOp) opNode()        {}
func (*EvaluateOp) opNode()       {}
func (*RenderOp) opNode()         {}
func (*MakeSeriesOp) opNode()     {}
func (*AsOp) opNode()             {}
func (*GetSchemaOp) opNode()      {}
func (*SerializeOp) opNode()      {}
func (*InvokeOp) opNode()         {}
func (*PartitionOp) opNode()      {}
func (*TopNestedOp) opNode()      {}
func (*TopHittersOp) opNode()     {}
func (*SampleOp) opNode()         {}
func (*SampleDistinctOp) opNode() {}
func (*FacetOp) opNode()          {}
func (*ForkOp) opNode()           {}
func (*ScanOp) opNode()           {}
func (*SearchOp) opNode()         {}
func (*ConsumeOp) opNode()        {}
func (*MakeGraphOp) opNode()      {}
func (*GraphOp) opNode()          {}
func (*ReduceOp) opNode()         {}
