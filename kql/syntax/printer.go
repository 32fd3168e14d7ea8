package syntax

import (
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// Print renders a node as KQL text. For a tree the parser built, the text
// parses back to the same tree, positions and spellings aside: literals
// keep their source text when it still denotes their value, and nothing
// else of the layout is kept. Statements are separated by ";" and a line
// break; a top-level pipeline puts each operator on its own line; nested
// pipelines stay on one line. A tree built by hand gets the parentheses its
// structure needs.
func Print(n Node) string {
	p := &printer{}
	p.node(n)
	return p.sb.String()
}

type printer struct {
	sb strings.Builder
	// inline counts the enclosing groups (parentheses, braces, argument
	// lists); pipelines inside them are printed on one line.
	inline int
}

func (p *printer) w(s string) { p.sb.WriteString(s) }

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case nil:
	case *Script:
		for i, st := range n.Stmts {
			if i > 0 {
				p.w(";\n")
			}
			p.stmt(st)
		}
	case Stmt:
		p.stmt(n)
	case Expr:
		p.expr(n, precPipe)
	case Operator:
		p.op(n)
	case *PatternRule:
		p.patternRule(n)
	}
}

// ---------------------------------------------------------------------------
// Statements

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		p.w("let ")
		p.name(s.Name)
		p.w(" = ")
		p.expr(s.Value, precPipe)
	case *SetStmt:
		p.w("set ")
		p.word(s.Name)
		if s.Value != nil {
			p.w(" = ")
			if id, ok := s.Value.(*Ident); ok {
				p.word(id)
			} else {
				p.expr(s.Value, precExpr)
			}
		}
	case *DeclareStmt:
		p.w("declare query_parameters")
		p.params(s.Params)
	case *PatternStmt:
		p.w("declare pattern ")
		p.name(s.Name)
		if s.Params != nil {
			p.w(" = ")
			p.params(s.Params)
			if s.Path != nil {
				p.w("[")
				p.param(s.Path)
				p.w("]")
			}
			p.w(" {")
			for _, r := range s.Rules {
				p.w(" ")
				p.patternRule(r)
			}
			p.w(" }")
		}
	case *AliasStmt:
		p.w("alias database ")
		p.name(s.Name)
		p.w(" = ")
		p.expr(s.Value, precExpr)
	case *RestrictStmt:
		p.w("restrict access to (")
		p.list(s.Entities, precPostfix)
		p.w(")")
	case *ExprStmt:
		p.expr(s.X, precPipe)
	}
}

func (p *printer) patternRule(r *PatternRule) {
	p.w("(")
	p.list(r.Args, precPostfix)
	p.w(")")
	if r.Path != nil {
		p.w(".[")
		p.expr(r.Path, precPostfix)
		p.w("]")
	}
	p.w(" = ")
	p.body(r.Body)
	p.w(";")
}

// body prints `{ stmt; …; stmt }`.
func (p *printer) body(stmts []Stmt) {
	p.inline++
	p.w("{ ")
	for i, st := range stmts {
		if i > 0 {
			p.w("; ")
		}
		p.stmt(st)
	}
	p.w(" }")
	p.inline--
}

func (p *printer) params(ps []*Param) {
	p.w("(")
	for i, prm := range ps {
		if i > 0 {
			p.w(", ")
		}
		p.param(prm)
	}
	p.w(")")
}

func (p *printer) param(prm *Param) {
	p.name(prm.Name)
	p.w(":")
	switch {
	case prm.Tabular && prm.Columns == nil:
		p.w("(*)")
	case prm.Tabular:
		p.w("(")
		p.columnDecls(prm.Columns)
		p.w(")")
	default:
		p.typeExpr(prm.Type)
	}
	if prm.Default != nil {
		p.w(" = ")
		p.expr(prm.Default, precExpr)
	}
}

func (p *printer) typeExpr(t *TypeExpr) {
	switch {
	case t == nil:
		p.w("unknown")
	case t.Raw != "":
		p.w(t.Raw)
	default:
		p.w(t.Type.String())
	}
}

func (p *printer) columnDecl(c *ColumnDecl) {
	p.name(c.Name)
	p.w(":")
	p.typeExpr(c.Type)
}

func (p *printer) columnDecls(cs []*ColumnDecl) {
	for i, c := range cs {
		if i > 0 {
			p.w(", ")
		}
		p.columnDecl(c)
	}
}

// ---------------------------------------------------------------------------
// Names

// reservedWords are the names that must be written ['quoted'] where the
// parser looks for a keyword: literals, statement and source keywords,
// operator words and the clause words of operators.
var reservedWords = map[string]bool{
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true, "null": true,
	"and": true, "or": true, "let": true, "set": true, "declare": true, "alias": true, "restrict": true,
	"print": true, "range": true, "union": true, "search": true, "find": true, "evaluate": true,
	"datatable": true, "externaldata": true, "external_data": true, "dynamic": true, "typeof": true, "view": true,
	"by": true, "on": true, "with": true, "of": true, "to": true, "from": true, "step": true, "limit": true,
	"default": true, "asc": true, "desc": true, "nulls": true, "first": true, "last": true, "where": true,
	"project": true, "in": true, "in~": true, "between": true, "has_any": true, "has_all": true,
	"matches": true, "others": true, "granny": true, "optional": true, "output": true, "as": true,
	"kind": true, "hint": true,
}

func init() {
	for w := range stringOps {
		reservedWords[w] = true
	}
	for w := range globalParams {
		reservedWords[w] = true
	}
}

// isPlainIdent reports whether s lexes as one identifier token.
func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	l := &lexer{src: s}
	it := l.next()
	return it.tok == IDENT && int(it.end) == len(s) && it.val == s && len(l.errs) == 0
}

// isPattern reports a wildcard name such as Device* or *.
func isPattern(s string) bool {
	if !strings.Contains(s, "*") {
		return false
	}
	for _, part := range strings.Split(s, "*") {
		if part != "" && !isPlainIdent(part) && strings.Trim(part, "0123456789") != "" {
			return false
		}
	}
	return true
}

// name prints a column, table or variable name, quoting it when it is no
// plain identifier or could be read as a keyword.
func (p *printer) name(id *Ident) {
	if id == nil {
		return
	}
	if !id.Quoted && (isPlainIdent(id.Name) && !reservedWords[id.Name] || isPattern(id.Name)) {
		p.w(id.Name)
		return
	}
	p.quotedName(id.Name)
}

// word prints a name where a bare word is expected (function names,
// parameter names and values, chart names, query options).
func (p *printer) word(id *Ident) {
	if id == nil {
		return
	}
	n := id.Name
	if !id.Quoted && (isPlainIdent(n) || isPattern(n) || isDotted(n)) {
		p.w(n)
		return
	}
	p.quotedName(n)
}

func isDotted(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, part := range parts {
		if !isPlainIdent(part) {
			return false
		}
	}
	return true
}

func (p *printer) quotedName(s string) {
	p.w("[")
	p.w(QuoteString(s))
	p.w("]")
}

// QuoteString returns s as a double-quoted KQL string literal, for code
// that builds queries from values (device ids, alert ids, names).
func QuoteString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// ---------------------------------------------------------------------------
// Expressions

// Precedence levels, loosest first.
const (
	precPipe    = iota // a pipeline or a tabular source keyword
	precExpr           // any scalar expression (or)
	precAnd            // and
	precEq             // == != <> in between
	precRel            // < > <= >=
	precAdd            // + -
	precMul            // * / %
	precStr            // string operators
	precUnary          // - +
	precPostfix        // calls, selectors, operands
)

func binaryPrec(op string) int {
	switch op {
	case "or":
		return precExpr
	case "and":
		return precAnd
	case "==", "!=", "<>":
		return precEq
	case "<", ">", "<=", ">=":
		return precRel
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	}
	return precStr
}

func exprPrec(x Expr) int {
	switch x := x.(type) {
	case *PipeExpr, *PrintExpr, *RangeExpr, *UnionExpr, *SearchExpr, *FindExpr, *FuncLit:
		return precPipe
	case *NamedExpr:
		return precPipe
	case *BinaryExpr:
		return binaryPrec(x.Op)
	case *InExpr, *BetweenExpr:
		return precEq
	case *UnaryExpr:
		return precUnary
	case *Literal:
		if l := x; l.Kind == LitLong || l.Kind == LitReal || l.Kind == LitTimeSpan {
			// A negative number prints with its sign.
			if s := literalText(l); strings.HasPrefix(s, "-") {
				return precUnary
			}
		}
	}
	return precPostfix
}

// opText maps a canonical operator to a spelling Kusto accepts.
func opText(op string) string {
	switch op {
	case "like_cs":
		return "likecs"
	case "notlike_cs":
		return "notlikecs"
	}
	return op
}

// expr prints x, in parentheses when it binds looser than min.
func (p *printer) expr(x Expr, min int) {
	if x == nil {
		return
	}
	if exprPrec(x) < min {
		p.inline++
		p.w("(")
		p.expr(x, precPipe)
		p.w(")")
		p.inline--
		return
	}
	switch x := x.(type) {
	case *Ident:
		p.name(x)
	case *Literal:
		p.w(literalText(x))
	case *BadExpr, *ContextualSource:
	case *UnaryExpr:
		p.w(x.Op)
		if _, isUnary := x.X.(*UnaryExpr); isUnary || exprPrec(x.X) == precUnary {
			p.w(" ")
		}
		p.expr(x.X, precUnary)
	case *BinaryExpr:
		prec := binaryPrec(x.Op)
		left, right := prec, prec+1
		if prec == precEq || prec == precRel || prec == precStr {
			left = prec + 1 // these do not chain
		}
		p.expr(x.X, left)
		p.w(" " + opText(x.Op) + " ")
		p.expr(x.Y, right)
	case *InExpr:
		p.expr(x.X, precRel)
		p.w(" " + x.Op + " (")
		p.inline++
		p.list(x.List, precPipe)
		p.inline--
		p.w(")")
	case *BetweenExpr:
		p.expr(x.X, precRel)
		if x.Not {
			p.w(" !between (")
		} else {
			p.w(" between (")
		}
		p.inline++
		p.expr(x.Lo, precExpr)
		p.w(" .. ")
		p.expr(x.Hi, precExpr)
		p.inline--
		p.w(")")
	case *CallExpr:
		p.call(x)
	case *StarExpr:
		p.w("*")
	case *ParenExpr:
		p.inline++
		p.w("(")
		p.expr(x.X, precPipe)
		p.w(")")
		p.inline--
	case *ListExpr:
		if x.Lparen.IsValid() {
			p.w("(")
		}
		p.list(x.Elems, precExpr)
		if x.Lparen.IsValid() {
			p.w(")")
		}
	case *IndexExpr:
		p.expr(x.X, precPostfix)
		p.w("[")
		p.inline++
		p.expr(x.Index, precExpr)
		p.inline--
		p.w("]")
	case *SelectorExpr:
		p.expr(x.X, precPostfix)
		p.dot(x.X)
		if x.Sel.Quoted || !isPlainIdent(x.Sel.Name) {
			p.quotedName(x.Sel.Name)
		} else {
			p.w(x.Sel.Name)
		}
	case *NamedExpr:
		p.namedExpr(x)
	case *TypeExpr:
		p.typeExpr(x)
	case *ColumnPattern:
		p.name(x.Name)
		if x.Type != nil {
			p.w(":")
			p.typeExpr(x.Type)
		}
	case *FuncLit:
		if x.View {
			p.w("view ")
		}
		p.params(x.Params)
		p.w(" ")
		p.body(x.Body)
	case *PipeExpr:
		p.pipe(x)
	case *DataTableExpr:
		p.w("datatable")
		p.opParams(x.Params)
		p.w("(")
		p.columnDecls(x.Columns)
		p.w(") [")
		p.inline++
		p.list(x.Values, precExpr)
		p.inline--
		p.w("]")
	case *ExternalDataExpr:
		p.w("externaldata")
		p.opParams(x.Params)
		p.w("(")
		p.columnDecls(x.Columns)
		p.w(") [")
		p.inline++
		p.list(x.URIs, precExpr)
		p.inline--
		p.w("]")
		if x.With != nil {
			p.w(" with ")
			p.propList(x.With)
		}
	case *PrintExpr:
		p.w("print ")
		p.list(x.Exprs, precExpr)
	case *RangeExpr:
		p.w("range ")
		p.name(x.Name)
		p.w(" from ")
		p.expr(x.From, precExpr)
		p.w(" to ")
		p.expr(x.To, precExpr)
		p.w(" step ")
		p.expr(x.Step, precExpr)
	case *UnionExpr:
		p.w("union")
		p.opParams(x.Params)
		p.w(" ")
		p.list(x.Tables, precPostfix)
	case *SearchExpr:
		p.search(x)
	case *FindExpr:
		p.find(x)
	}
}

// dot writes the '.' of a selector or dotted call; after a number it
// keeps a space so that `1 .x` does not lex as a real.
func (p *printer) dot(x Expr) {
	if _, ok := x.(*Literal); ok {
		p.w(" .")
		return
	}
	p.w(".")
}

func (p *printer) list(xs []Expr, min int) {
	for i, x := range xs {
		if i > 0 {
			p.w(", ")
		}
		if n, ok := x.(*NamedExpr); ok {
			p.namedExpr(n)
			continue
		}
		p.expr(x, min)
	}
}

func (p *printer) namedExpr(x *NamedExpr) {
	if len(x.Names) == 1 && !x.Lparen.IsValid() {
		p.name(x.Names[0])
	} else {
		p.w("(")
		for i, n := range x.Names {
			if i > 0 {
				p.w(", ")
			}
			p.name(n)
		}
		p.w(")")
	}
	p.w(" = ")
	p.expr(x.Value, precExpr)
}

// callNames are function names that need quoting in a call because the
// parser reads them as literal or source keywords.
var callNames = map[string]bool{
	"dynamic": true, "typeof": true, "datatable": true, "externaldata": true, "external_data": true,
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true, "null": true,
}

func (p *printer) call(x *CallExpr) {
	if x.Recv != nil {
		p.expr(x.Recv, precPostfix)
		p.dot(x.Recv)
	}
	if x.Fun != nil && (callNames[x.Fun.Name] && !(x.Fun.Name == "typeof" && !x.Fun.Quoted) || typedWords[x.Fun.Name]) {
		p.quotedName(x.Fun.Name)
	} else {
		p.word(x.Fun)
	}
	p.w("(")
	p.inline++
	for i, a := range x.Args {
		if i > 0 {
			p.w(", ")
		}
		switch a := a.(type) {
		case *NamedExpr:
			p.name(a.Names[0])
			p.w(" = ")
			p.expr(a.Value, precPipe)
		default:
			p.expr(a, precPipe)
		}
	}
	p.inline--
	p.w(")")
}

// pipe prints a pipeline; at the top level each operator goes on its own
// line.
func (p *printer) pipe(x *PipeExpr) {
	if _, ok := x.Source.(*ContextualSource); !ok {
		p.expr(x.Source, precPipe)
		if p.inline > 0 {
			p.w(" | ")
		} else {
			p.w("\n| ")
		}
	}
	p.op(x.Op)
}

func (p *printer) search(x *SearchExpr) {
	p.w("search")
	p.opParams(x.Params)
	if x.Tables != nil {
		p.w(" in (")
		p.list(x.Tables, precPostfix)
		p.w(")")
	}
	p.w(" ")
	p.expr(x.Pred, precExpr)
}

func (p *printer) find(x *FindExpr) {
	p.w("find")
	p.opParams(x.Params)
	if x.Tables != nil {
		p.w(" in (")
		p.list(x.Tables, precPostfix)
		p.w(")")
	}
	p.w(" where ")
	p.expr(x.Pred, precExpr)
	switch {
	case x.ProjectSmart:
		p.w(" project-smart")
	case x.Project != nil:
		p.w(" project ")
		p.list(x.Project, precPostfix)
	}
	if x.ProjectAway != nil {
		p.w(" project-away ")
		p.list(x.ProjectAway, precPostfix)
	}
}

// ---------------------------------------------------------------------------
// Literals

// literalText returns the text of a literal: its source text when that
// still denotes its value, else a canonical spelling.
func literalText(l *Literal) string {
	if l.Raw != "" && rawDenotes(l) {
		return l.Raw
	}
	return canonicalLiteral(l)
}

// rawDenotes reports whether l.Raw, parsed alone, gives l's value (it may
// be stale after a rewrite) and holds no comment.
func rawDenotes(l *Literal) bool {
	p := newParser(l.Raw)
	if len(p.errs) > 0 || strings.Contains(l.Raw, "//") && hasComment(l.Raw) {
		return false
	}
	x := p.unaryExpr()
	r, ok := x.(*Literal)
	return ok && p.is(EOF) && len(p.errs) == 0 && r.Kind == l.Kind && r.Type == l.Type && sameValue(r.Value, l.Value)
}

func hasComment(s string) bool {
	l := &lexer{src: s}
	for l.next().tok != EOF {
	}
	return l.comments
}

// sameValue compares literal values; NaN equals NaN.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b))
	case time.Time:
		b, ok := b.(time.Time)
		return ok && a.Equal(b)
	case map[string]any, []any:
		return reflect.DeepEqual(a, b)
	}
	return a == b
}

var nullTypeNames = map[types.Type]string{
	types.Bool: "bool", types.Int: "int", types.Long: "long", types.Real: "real", types.Decimal: "decimal",
	types.DateTime: "datetime", types.TimeSpan: "timespan", types.GUID: "guid", types.Dynamic: "dynamic",
}

// canonicalLiteral spells a literal from its value.
func canonicalLiteral(l *Literal) string {
	switch l.Kind {
	case LitNull:
		if n, ok := nullTypeNames[l.Type]; ok {
			return n + "(null)"
		}
		return "null"
	case LitBool:
		if v, _ := l.Value.(bool); v {
			return "true"
		}
		return "false"
	case LitLong:
		v, _ := l.Value.(int64)
		return strconv.FormatInt(v, 10)
	case LitInt:
		v, _ := l.Value.(int64)
		return "int(" + strconv.FormatInt(v, 10) + ")"
	case LitReal:
		v, _ := l.Value.(float64)
		return formatReal(v)
	case LitDecimal:
		v, _ := l.Value.(string)
		return "decimal(" + v + ")"
	case LitString:
		v, _ := l.Value.(string)
		q := QuoteString(v)
		if strings.HasPrefix(l.Raw, "h") || strings.HasPrefix(l.Raw, "H") {
			q = "h" + q // keep the literal obfuscated
		}
		return q
	case LitDateTime:
		v, _ := l.Value.(time.Time)
		return "datetime(" + FormatDateTime(v) + ")"
	case LitTimeSpan:
		v, _ := l.Value.(time.Duration)
		return formatTimespanLiteral(v)
	case LitGUID:
		v, _ := l.Value.(string)
		return "guid(" + v + ")"
	case LitDynamic:
		var sb strings.Builder
		sb.WriteString("dynamic(")
		writeDynamic(&sb, l.Value)
		sb.WriteString(")")
		return sb.String()
	}
	return "null"
}

// formatReal spells a real so that it lexes as a real.
func formatReal(v float64) string {
	switch {
	case math.IsNaN(v):
		return "real(nan)"
	case math.IsInf(v, 1):
		return "real(+inf)"
	case math.IsInf(v, -1):
		return "real(-inf)"
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// formatTimespanLiteral spells a duration as a unit literal when it is a
// whole number of some unit, else as time(…).
func formatTimespanLiteral(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}, {time.Microsecond, "microsecond"}, {100, "tick"}}
	if d == 0 {
		return "0s"
	}
	for _, u := range units {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + "nanosecond"
}

// writeDynamic writes a dynamic value as the body of dynamic(…).
func writeDynamic(sb *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		sb.WriteString(strconv.FormatBool(v))
	case int64:
		sb.WriteString(strconv.FormatInt(v, 10))
	case int:
		sb.WriteString(strconv.Itoa(v))
	case int32:
		sb.WriteString(strconv.FormatInt(int64(v), 10))
	case float64:
		sb.WriteString(formatReal(v))
	case float32:
		sb.WriteString(formatReal(float64(v)))
	case string:
		sb.WriteString(QuoteString(v))
	case time.Time:
		sb.WriteString(QuoteString(FormatDateTime(v)))
	case time.Duration:
		sb.WriteString(QuoteString(FormatTimespan(v)))
	case []any:
		sb.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeDynamic(sb, e)
		}
		sb.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(QuoteString(k))
			sb.WriteString(": ")
			writeDynamic(sb, v[k])
		}
		sb.WriteByte('}')
	default:
		sb.WriteString("null")
	}
}
