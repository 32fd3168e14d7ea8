package syntax

import "github.com/goshawk-sec/goshawk/kql/types"

// Node is any node of the syntax tree. Every node knows the source span it
// covers: Pos is its first byte, End the byte just after it.
type Node interface {
	Pos() Pos
	End() Pos
}

// Expr is a scalar or tabular expression. KQL's grammar mixes the two (a
// name may be a column or a table, a call may return either); the binder
// decides which.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a query statement: let, set, declare, or a query expression.
type Stmt interface {
	Node
	stmtNode()
}

// Operator is one tabular operator after a pipe (where, summarize, …).
type Operator interface {
	Node
	// Name is the operator's canonical keyword ("where", "mv-expand", …).
	Name() string
	opNode()
}

// ---------------------------------------------------------------------------
// Script and statements

// Script is a whole query text: statements separated by semicolons.
type Script struct {
	Stmts []Stmt
	EOF   Pos
}

func (s *Script) Pos() Pos {
	if len(s.Stmts) > 0 {
		return s.Stmts[0].Pos()
	}
	return s.EOF
}
func (s *Script) End() Pos { return s.EOF }

// LetStmt binds a name: `let x = expr;`, `let f = (a:int) { … };`,
// `let T = view () { … };`.
type LetStmt struct {
	Let   Pos
	Name  *Ident
	Value Expr // scalar or tabular expression, or *FuncLit
}

// SetStmt is `set name [= value];` (a query option).
type SetStmt struct {
	Set   Pos
	Name  *Ident
	Value Expr // may be nil
	Semi  Pos
}

// DeclareStmt is `declare query_parameters(name:type [= default], …);`.
type DeclareStmt struct {
	Declare Pos
	Params  []*Param
	Rparen  Pos
}

// PatternStmt is `declare pattern name [= (params) [[path:type]] { rules }]`.
// Params and Path are nil for a bare declaration; Rend is the byte after
// the statement.
type PatternStmt struct {
	Declare Pos
	Name    *Ident
	Params  []*Param
	Path    *Param         // the optional `[name:type]` path parameter
	Rules   []*PatternRule // the rules in braces
	Rend    Pos
}

// PatternRule is one rule of a pattern declaration:
// `("arg", …)[.["path"]] = { body }`. Args and Path are string literals.
type PatternRule struct {
	Lparen Pos
	Args   []Expr
	Path   Expr   // nil when the rule has no path argument
	Body   []Stmt // let statements followed by one ExprStmt, as in FuncLit
	Rbrace Pos
}

// Pos returns the rule's opening parenthesis.
func (r *PatternRule) Pos() Pos { return r.Lparen }

// End returns the byte after the rule's closing brace.
func (r *PatternRule) End() Pos { return r.Rbrace + 1 }

// AliasStmt is `alias database name = cluster(…).database(…)`.
type AliasStmt struct {
	Alias Pos
	Name  *Ident
	Value Expr
}

// RestrictStmt is `restrict access to (T1, T2*, …)`.
type RestrictStmt struct {
	Restrict Pos
	Entities []Expr
	Rparen   Pos
}

// ExprStmt is a query: a tabular (or scalar) expression whose result is
// returned.
type ExprStmt struct {
	X Expr
}

func (s *LetStmt) Pos() Pos     { return s.Let }
func (s *LetStmt) End() Pos     { return s.Value.End() }
func (s *SetStmt) Pos() Pos     { return s.Set }
func (s *SetStmt) End() Pos     { return s.Semi }
func (s *DeclareStmt) Pos() Pos { return s.Declare }
func (s *DeclareStmt) End() Pos { return s.Rparen + 1 }
func (s *PatternStmt) Pos() Pos { return s.Declare }
func (s *PatternStmt) End() Pos { return s.Rend }
func (s *ExprStmt) Pos() Pos    { return s.X.Pos() }
func (s *ExprStmt) End() Pos    { return s.X.End() }
func (s *AliasStmt) Pos() Pos   { return s.Alias }
func (s *AliasStmt) End() Pos   { return s.Value.End() }
func (s *RestrictStmt) Pos() Pos {
	return s.Restrict
}
func (s *RestrictStmt) End() Pos { return s.Rparen + 1 }

func (*LetStmt) stmtNode()      {}
func (*SetStmt) stmtNode()      {}
func (*DeclareStmt) stmtNode()  {}
func (*PatternStmt) stmtNode()  {}
func (*ExprStmt) stmtNode()     {}
func (*AliasStmt) stmtNode()    {}
func (*RestrictStmt) stmtNode() {}

// ---------------------------------------------------------------------------
// Scalar and shared expressions

// Ident is a name: `Foo`, `['Foo Bar']`, `$left`, `$right`.
type Ident struct {
	NamePos Pos
	Name    string // the name without brackets or quotes
	EndPos  Pos
	Quoted  bool // written as ['…'] or ["…"]
}

// LitKind tells which literal form a Literal was written in.
type LitKind uint8

// Literal forms.
const (
	LitBool LitKind = iota + 1
	LitInt
	LitLong
	LitReal
	LitDecimal
	LitString
	LitDateTime
	LitTimeSpan
	LitGUID
	LitDynamic
	LitNull // typed null: int(null), string(null) is not allowed, …
)

// Literal is a constant. Value holds the parsed value:
//
//	bool        bool
//	int, long   int64
//	real        float64
//	decimal     string (the digits as written)
//	string      string (unescaped; adjacent literals concatenated)
//	datetime    time.Time (UTC), or nil for datetime(null); a time of day
//	            without a date (datetime("8:00 AM"), which Kusto reads as
//	            that time today) is on 0001-01-01; datetime() is parsed as
//	            the call now()
//	timespan    time.Duration (100 ns ticks are truncated to ns; Kusto's
//	            resolution is 100 ns, Go's 1 ns)
//	guid        string (canonical lower-case form)
//	dynamic     any: nil, bool, int64, float64, string, []any,
//	            map[string]any (a JSON-compatible tree)
//
// Type is the Kusto type of the literal; for LitNull, Value is nil and Type
// is the null's type (types.Null for a bare `null`).
type Literal struct {
	ValuePos Pos
	EndPos   Pos
	Kind     LitKind
	Type     types.Type
	Value    any
	Raw      string // the source text
	// ValueText is the text inside dynamic(…), for printing.
	ValueText string
}

// UnaryExpr is `-x`, `+x` or `not x` written as a prefix (rare; `not(x)` is a
// call).
type UnaryExpr struct {
	OpPos Pos
	Op    string // "-", "+"
	X     Expr
}

// BinaryExpr is `x op y`. Op is the canonical lower-case spelling:
// arithmetic (+ - * / %), comparison (== != <> < > <= >= =~ !~), logical
// (and or), and the string operators (has, !has, has_cs, !has_cs, hasprefix,
// !hasprefix, hasprefix_cs, …, contains, !contains, contains_cs, notcontains,
// notcontainscs, startswith, endswith, …, like, notlike, like_cs,
// notlike_cs, matches regex, and `:`, search's term match). Kusto's
// aliases are folded: containscs is contains_cs, likecs like_cs and
// notlikecs notlike_cs.
type BinaryExpr struct {
	X     Expr
	OpPos Pos
	Op    string
	Y     Expr
}

// InExpr is `x in (a, b)`, `x !in (T | project c)`, `x in~ (…)`,
// `x has_any (…)`, `x has_all (…)`. List holds the elements; when the right
// side is a single tabular expression it is the only element.
type InExpr struct {
	X      Expr
	OpPos  Pos
	Op     string // in, !in, in~, !in~, has_any, has_all
	Lparen Pos
	List   []Expr
	Rparen Pos
}

// BetweenExpr is `x between (lo .. hi)` or `x !between (lo .. hi)`.
type BetweenExpr struct {
	X      Expr
	OpPos  Pos
	Not    bool
	Lo, Hi Expr
	Rparen Pos
}

// CallExpr is a function call `f(a, b)`. It also covers calls of tabular
// functions, `materialize(T)`, `toscalar(T)` and `view` invocations. Recv
// is the expression before the dot of a dotted call such as
// `cluster("c").database("d")` (Fun is `database`); it is nil for a plain
// call.
type CallExpr struct {
	Recv   Expr
	Fun    *Ident
	Lparen Pos
	// Args may contain *StarExpr and *NamedExpr (name = value arguments).
	// typeof(t) has one *TypeExpr argument; the schema form
	// typeof(a:t, *) has *ColumnPattern and *StarExpr arguments.
	Args   []Expr
	Rparen Pos
}

// StarExpr is `*` used as an argument (`count(*)`, `arg_max(x, *)`) or as a
// column wildcard.
type StarExpr struct {
	Star Pos
}

// ParenExpr is `(x)`. In tabular position it holds a sub-query.
type ParenExpr struct {
	Lparen Pos
	X      Expr
	Rparen Pos
}

// ListExpr is a parenthesized list `(a, b)` where a tuple is allowed, such as
// the right side of `in`, or the names of a multi-assignment. It also holds
// the unparenthesized value list of a list-valued property such as render's
// `ycolumns=a, b`; Lparen and Rparen are NoPos then.
type ListExpr struct {
	Lparen Pos
	Elems  []Expr
	Rparen Pos
}

// IndexExpr is `x[i]` (array index, bag key, or `T[i]` is not KQL).
type IndexExpr struct {
	X      Expr
	Lbrack Pos
	Index  Expr
	Rbrack Pos
}

// SelectorExpr is `x.name` (dynamic property, `$left.col`, `db.Table`).
type SelectorExpr struct {
	X   Expr
	Sel *Ident
}

// NamedExpr is `name = value` or `(a, b) = value` in extend, project,
// summarize and the like, and `name = value` as a named argument.
type NamedExpr struct {
	Names  []*Ident // one name, or several for a tuple assignment
	Lparen Pos      // of the name tuple, or NoPos
	Assign Pos
	Value  Expr
}

// BadExpr stands for an expression that could not be parsed; a diagnostic
// covers it. From..To is the text it replaces (empty when the expression is
// missing).
type BadExpr struct {
	From, To Pos
}

// TypeExpr is a type name used as a value: `typeof(int)`, the target of
// `to typeof(long)`, a column declaration's type.
type TypeExpr struct {
	TypePos Pos
	Type    types.Type
	Raw     string
	EndPos  Pos
}

// ColumnDecl is `name:type` in datatable, parse, parse-kv, externaldata and
// tabular parameter schemas.
type ColumnDecl struct {
	Name *Ident
	Type *TypeExpr
}

// Param is a function or query parameter: `name:type [= default]`. A
// tabular parameter has Tabular set and Columns its declared schema (nil
// for `(*)`).
type Param struct {
	Name    *Ident
	Type    *TypeExpr // scalar parameter type; nil for tabular
	Tabular bool
	Columns []*ColumnDecl
	Default Expr
}

// FuncLit is a user-defined function body: `(params) { stmts; expr }`,
// optionally introduced by `view`.
type FuncLit struct {
	View   bool
	Lparen Pos
	Params []*Param
	Lbrace Pos
	Body   []Stmt // let statements followed by one ExprStmt
	Rbrace Pos
}

// ---------------------------------------------------------------------------
// Tabular expressions

// PipeExpr is `Source | Op`. A pipeline `T | where … | project …` is a
// left-leaning chain of PipeExprs. Bar is NoPos when no pipe was written:
// the first operator of a contextual sub-query, whose Source is a
// *ContextualSource (`mv-apply … on (summarize …)`), and a query that starts
// with `evaluate`.
type PipeExpr struct {
	Source Expr
	Bar    Pos
	Op     Operator
}

// OpParam is an operator parameter written `name=value`, such as
// `kind=leftouter`, `hint.strategy=shuffle`, `withsource=T`,
// `bagexpansion=array`, and a property of a `with (…)` clause. Name holds
// the dotted name as one identifier ("hint.strategy").
type OpParam struct {
	Name *Ident
	// Value is an *Ident for a bare word and a *Literal for a constant
	// (signed numbers included); a list-valued render property
	// (`ycolumns=a, b`) has a *ListExpr without parentheses.
	Value Expr
}

// DataTableExpr is `datatable [params] (c1:t1, …) [v1, v2, …]`.
type DataTableExpr struct {
	Keyword Pos
	Params  []*OpParam
	Columns []*ColumnDecl
	Values  []Expr
	Rbrack  Pos
}

// ExternalDataExpr is `externaldata(c:t, …) [ "url", … ] with (…)`.
type ExternalDataExpr struct {
	Keyword Pos
	Params  []*OpParam
	Columns []*ColumnDecl
	URIs    []Expr
	With    []*OpParam
	EndPos  Pos
}

// PrintExpr is the `print` source: `print a = 1, f(x)`.
type PrintExpr struct {
	Keyword Pos
	Exprs   []Expr
}

// RangeExpr is the `range x from a to b step s` source.
type RangeExpr struct {
	Keyword        Pos
	Name           *Ident
	From, To, Step Expr
}

// UnionExpr is `union [params] T1, T2, …` as a source (also used for the
// `| union` operator, with the pipe's source as first table).
type UnionExpr struct {
	Keyword Pos
	Params  []*OpParam
	Tables  []Expr // names may contain wildcards (*Ident with '*' in Name)
	EndPos  Pos
}

// SearchExpr is `search [kind=…] [in (T1, …)] predicate`, as a source or
// after a pipe.
type SearchExpr struct {
	Keyword Pos
	Params  []*OpParam
	Tables  []Expr
	Pred    Expr
}

// FindExpr is `find [withsource=…] [in (…)] where pred [project …]`.
// Project elements are *Ident, *ColumnPattern (`name:type`) or a
// `pack_all()` call.
type FindExpr struct {
	Keyword Pos
	Params  []*OpParam
	Tables  []Expr
	Pred    Expr
	Project []Expr // nil when absent; may hold `pack_all()`
	// ProjectSmart is set for `project-smart` (Project is nil then).
	ProjectSmart bool
	// ProjectAway holds the columns of a trailing `project-away` clause
	// (*Ident, *ColumnPattern or *StarExpr); nil when absent.
	ProjectAway []Expr
	EndPos      Pos
}

// A query that starts with `evaluate plugin(…)` is a *PipeExpr whose Source
// is a *ContextualSource and whose Bar is NoPos.

func (x *Ident) Pos() Pos       { return x.NamePos }
func (x *Ident) End() Pos       { return x.EndPos }
func (x *Literal) Pos() Pos     { return x.ValuePos }
func (x *Literal) End() Pos     { return x.EndPos }
func (x *UnaryExpr) Pos() Pos   { return x.OpPos }
func (x *UnaryExpr) End() Pos   { return x.X.End() }
func (x *BinaryExpr) Pos() Pos  { return x.X.Pos() }
func (x *BinaryExpr) End() Pos  { return x.Y.End() }
func (x *InExpr) Pos() Pos      { return x.X.Pos() }
func (x *InExpr) End() Pos      { return x.Rparen + 1 }
func (x *BetweenExpr) Pos() Pos { return x.X.Pos() }
func (x *BetweenExpr) End() Pos { return x.Rparen + 1 }
func (x *CallExpr) Pos() Pos {
	if x.Recv != nil {
		return x.Recv.Pos()
	}
	return x.Fun.Pos()
}
func (x *CallExpr) End() Pos  { return x.Rparen + 1 }
func (x *StarExpr) Pos() Pos  { return x.Star }
func (x *StarExpr) End() Pos  { return x.Star + 1 }
func (x *ParenExpr) Pos() Pos { return x.Lparen }
func (x *ParenExpr) End() Pos { return x.Rparen + 1 }
func (x *ListExpr) Pos() Pos {
	if !x.Lparen.IsValid() && len(x.Elems) > 0 {
		return x.Elems[0].Pos()
	}
	return x.Lparen
}
func (x *ListExpr) End() Pos {
	if !x.Rparen.IsValid() && len(x.Elems) > 0 {
		return x.Elems[len(x.Elems)-1].End()
	}
	return x.Rparen + 1
}
func (x *IndexExpr) Pos() Pos    { return x.X.Pos() }
func (x *IndexExpr) End() Pos    { return x.Rbrack + 1 }
func (x *SelectorExpr) Pos() Pos { return x.X.Pos() }
func (x *SelectorExpr) End() Pos { return x.Sel.End() }
func (x *NamedExpr) Pos() Pos {
	if x.Lparen.IsValid() {
		return x.Lparen
	}
	return x.Names[0].Pos()
}
func (x *NamedExpr) End() Pos        { return x.Value.End() }
func (x *BadExpr) Pos() Pos          { return x.From }
func (x *BadExpr) End() Pos          { return x.To }
func (x *TypeExpr) Pos() Pos         { return x.TypePos }
func (x *TypeExpr) End() Pos         { return x.EndPos }
func (x *FuncLit) Pos() Pos          { return x.Lparen }
func (x *FuncLit) End() Pos          { return x.Rbrace + 1 }
func (x *PipeExpr) Pos() Pos         { return x.Source.Pos() }
func (x *PipeExpr) End() Pos         { return x.Op.End() }
func (x *DataTableExpr) Pos() Pos    { return x.Keyword }
func (x *DataTableExpr) End() Pos    { return x.Rbrack + 1 }
func (x *ExternalDataExpr) Pos() Pos { return x.Keyword }
func (x *ExternalDataExpr) End() Pos { return x.EndPos }
func (x *PrintExpr) Pos() Pos        { return x.Keyword }
func (x *PrintExpr) End() Pos        { return endOfList(x.Exprs, x.Keyword+5) }
func (x *RangeExpr) Pos() Pos        { return x.Keyword }
func (x *RangeExpr) End() Pos        { return x.Step.End() }
func (x *UnionExpr) Pos() Pos        { return x.Keyword }
func (x *UnionExpr) End() Pos        { return x.EndPos }
func (x *SearchExpr) Pos() Pos       { return x.Keyword }
func (x *SearchExpr) End() Pos       { return x.Pred.End() }
func (x *FindExpr) Pos() Pos         { return x.Keyword }
func (x *FindExpr) End() Pos         { return x.EndPos }

func (*Ident) exprNode()            {}
func (*Literal) exprNode()          {}
func (*UnaryExpr) exprNode()        {}
func (*BinaryExpr) exprNode()       {}
func (*InExpr) exprNode()           {}
func (*BetweenExpr) exprNode()      {}
func (*CallExpr) exprNode()         {}
func (*StarExpr) exprNode()         {}
func (*ParenExpr) exprNode()        {}
func (*ListExpr) exprNode()         {}
func (*IndexExpr) exprNode()        {}
func (*SelectorExpr) exprNode()     {}
func (*NamedExpr) exprNode()        {}
func (*BadExpr) exprNode()          {}
func (*TypeExpr) exprNode()         {}
func (*FuncLit) exprNode()          {}
func (*PipeExpr) exprNode()         {}
func (*DataTableExpr) exprNode()    {}
func (*ExternalDataExpr) exprNode() {}
func (*PrintExpr) exprNode()        {}
func (*RangeExpr) exprNode()        {}
func (*UnionExpr) exprNode()        {}
func (*SearchExpr) exprNode()       {}
func (*FindExpr) exprNode()         {}

func endOfList(xs []Expr, def Pos) Pos {
	if len(xs) == 0 {
		return def
	}
	return xs[len(xs)-1].End()
}
