package syntax

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// ---------------------------------------------------------------------------
// Pipelines

// pipeExpr parses `source | op | …` (or a lone expression). When top is
// set the pipeline ends its statement (a query, a let value, a function
// body), so it owns error recovery: anything left after an operator is
// reported and skipped up to the next '|'.
func (p *parser) pipeExpr(top bool) Expr {
	if !p.enter() {
		p.leave()
		return p.bad()
	}
	defer p.leave()
	return p.pipeOps(p.source(), top)
}

// pipeOps parses the `| op` chain after src.
func (p *parser) pipeOps(src Expr, top bool) Expr {
	for {
		if p.is(PIPE) {
			bar := p.next().pos
			if op := p.operator(); op != nil {
				src = &PipeExpr{Source: src, Bar: bar, Op: op}
			}
			continue
		}
		if !top {
			return src
		}
		switch p.cur().tok {
		case SEMI, EOF, RBRACE:
			return src
		}
		p.unexpected()
		p.skipUntil(PIPE)
		switch p.cur().tok {
		case PIPE:
		case SEMI, EOF, RBRACE:
			return src
		default:
			p.next() // an unmatched ')' or ']'
		}
	}
}

// source parses the first element of a pipeline: a tabular source keyword
// (print, range, union, search, find, evaluate) or an expression.
func (p *parser) source() Expr {
	it := p.cur()
	if it.tok == IDENT {
		switch it.val {
		case "print":
			return p.printExpr()
		case "range":
			if p.peek(1).tok == IDENT && p.wordAt(2, "from") {
				return p.rangeExpr()
			}
		case "union":
			return p.unionExpr()
		case "search":
			return p.searchExpr()
		case "find":
			return p.findExpr()
		case "evaluate":
			return &PipeExpr{Source: &ContextualSource{At: it.pos}, Bar: NoPos, Op: p.evaluateOp()}
		}
	}
	return p.expr()
}

// contextualPipe parses the body of a sub-query that applies to its
// operator's input (mv-apply, partition, fork, facet): it starts with an
// operator, whose source is a *ContextualSource.
func (p *parser) contextualPipe() Expr {
	if !p.atOperator() {
		return p.pipeExpr(false)
	}
	if !p.enter() {
		p.leave()
		return p.bad()
	}
	defer p.leave()
	at := p.cur().pos
	var src Expr = &ContextualSource{At: at}
	if op := p.operator(); op != nil {
		src = &PipeExpr{Source: src, Bar: NoPos, Op: op}
	}
	return p.pipeOps(src, false)
}

// subQuery parses `( contextual pipeline )`.
func (p *parser) subQuery() Expr {
	lp := p.cur().pos
	if !p.is(LPAREN) {
		p.expected("(")
		return p.bad()
	}
	p.next()
	x := p.contextualPipe()
	rp := p.closeParen(RPAREN)
	return &ParenExpr{Lparen: lp, X: x, Rparen: rp}
}

// ---------------------------------------------------------------------------
// Scalar expressions, from the loosest binding to the tightest:
//
//	or
//	and
//	== != <>, in !in in~ !in~ has_any has_all, between !between (one, no chains)
//	< <= > >= (one, no chains)
//	+ -
//	* / %
//	=~ !~ has contains startswith … matches regex : (one, no chains)
//	unary + -
//	postfix: call, .name, [index]
//
// This is the precedence of Kusto's own parser: the string operators bind
// tighter than arithmetic, so `a + b has c` is `a + (b has c)`.

// expr parses a scalar expression.
func (p *parser) expr() Expr {
	if !p.enter() {
		p.leave()
		return p.bad()
	}
	defer p.leave()
	return p.orExpr()
}

func (p *parser) orExpr() Expr {
	x := p.andExpr()
	for p.isWord("or") {
		op := p.next()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: "or", Y: p.andExpr()}
	}
	return x
}

func (p *parser) andExpr() Expr {
	x := p.eqExpr()
	for p.isWord("and") {
		op := p.next()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: "and", Y: p.eqExpr()}
	}
	return x
}

// listOp reports an in/has_any-family or between operator at the cursor:
// its canonical spelling and its token count. It needs the '(' that must
// follow, so `on Timestamp in range(…)` in make-series is not an `in`.
func (p *parser) listOp() (string, int) {
	it := p.cur()
	n, word := 1, ""
	switch {
	case it.tok == IDENT:
		word = it.val
	case it.tok == NOT && p.peek(1).tok == IDENT && p.glued(1):
		switch p.peek(1).val {
		case "in", "in~", "between":
			n, word = 2, "!"+p.peek(1).val
		}
	}
	switch word {
	case "in", "in~", "!in", "!in~", "has_any", "has_all", "between", "!between":
		if p.peek(n).tok == LPAREN {
			return word, n
		}
	}
	return "", 0
}

func (p *parser) eqExpr() Expr {
	x := p.relExpr()
	it := p.cur()
	switch it.tok {
	case EQL, NEQ, LSSGTR:
		p.next()
		return &BinaryExpr{X: x, OpPos: it.pos, Op: it.val, Y: p.relExpr()}
	}
	op, n := p.listOp()
	if op == "" {
		return x
	}
	for i := 0; i < n; i++ {
		p.next()
	}
	if op == "between" || op == "!between" {
		return p.between(x, it.pos, op == "!between")
	}
	return p.inList(x, it.pos, op)
}

func (p *parser) relExpr() Expr {
	x := p.addExpr()
	switch it := p.cur(); it.tok {
	case LSS, GTR, LEQ, GEQ:
		p.next()
		return &BinaryExpr{X: x, OpPos: it.pos, Op: it.val, Y: p.addExpr()}
	}
	return x
}

func (p *parser) addExpr() Expr {
	x := p.mulExpr()
	for p.is(ADD) || p.is(SUB) {
		op := p.next()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: op.val, Y: p.mulExpr()}
	}
	return x
}

func (p *parser) mulExpr() Expr {
	x := p.strExpr()
	for p.is(MUL) || p.is(QUO) || p.is(REM) {
		op := p.next()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: op.val, Y: p.strExpr()}
	}
	return x
}

// stringOps maps each string operator word Kusto accepts to its canonical
// spelling (BinaryExpr.Op).
var stringOps = map[string]string{
	"has": "has", "has_cs": "has_cs", "hasprefix": "hasprefix", "hasprefix_cs": "hasprefix_cs",
	"hassuffix": "hassuffix", "hassuffix_cs": "hassuffix_cs",
	"contains": "contains", "contains_cs": "contains_cs", "containscs": "contains_cs",
	"notcontains": "notcontains", "notcontainscs": "notcontainscs",
	"startswith": "startswith", "startswith_cs": "startswith_cs",
	"endswith": "endswith", "endswith_cs": "endswith_cs",
	"like": "like", "notlike": "notlike", "likecs": "like_cs", "notlikecs": "notlike_cs",
}

// negatableOps are the string operators that have a `!` form.
var negatableOps = map[string]bool{
	"has": true, "has_cs": true, "hasprefix": true, "hasprefix_cs": true, "hassuffix": true, "hassuffix_cs": true,
	"contains": true, "contains_cs": true, "startswith": true, "startswith_cs": true, "endswith": true, "endswith_cs": true,
}

// stringOp reports a string operator at the cursor: its canonical spelling
// and its token count.
func (p *parser) stringOp() (string, int) {
	it := p.cur()
	switch it.tok {
	case EQTILDE, NEQTILDE:
		return it.val, 1
	case COLON:
		return ":", 1
	case NOT:
		if nx := p.peek(1); nx.tok == IDENT && p.glued(1) && negatableOps[nx.val] {
			return "!" + nx.val, 2
		}
	case IDENT:
		if op, ok := stringOps[it.val]; ok {
			return op, 1
		}
		if it.val == "matches" && p.wordAt(1, "regex") {
			return "matches regex", 2
		}
	}
	return "", 0
}

func (p *parser) strExpr() Expr {
	x := p.unaryExpr()
	op, n := p.stringOp()
	if op == "" {
		return x
	}
	at := p.cur().pos
	for i := 0; i < n; i++ {
		p.next()
	}
	return &BinaryExpr{X: x, OpPos: at, Op: op, Y: p.unaryExpr()}
}

func (p *parser) unaryExpr() Expr {
	if !p.is(SUB) && !p.is(ADD) {
		return p.postfix(p.primary())
	}
	if !p.enter() {
		p.leave()
		return p.bad()
	}
	defer p.leave()
	op := p.next()
	x := p.unaryExpr()
	if l, ok := x.(*Literal); ok && op.val == "-" {
		// Fold the sign into a numeric literal: -1 is one constant.
		if neg, ok := negateLiteral(l); ok {
			neg.ValuePos = op.pos
			neg.Raw = p.text[op.pos:neg.EndPos]
			return neg
		}
	}
	return &UnaryExpr{OpPos: op.pos, Op: op.val, X: x}
}

// between parses `(lo .. hi)` after between.
func (p *parser) between(x Expr, opPos Pos, not bool) Expr {
	p.expect(LPAREN)
	lo := p.expr()
	p.expect(DOTDOT)
	hi := p.expr()
	rp := p.closeParen(RPAREN)
	return &BetweenExpr{X: x, OpPos: opPos, Not: not, Lo: lo, Hi: hi, Rparen: rp}
}

// inList parses `(a, b, …)` or `(subquery)` after in, has_any and the like.
func (p *parser) inList(x Expr, opPos Pos, op string) Expr {
	in := &InExpr{X: x, OpPos: opPos, Op: op, Lparen: p.next().pos}
	if p.is(RPAREN) {
		p.expected("expression")
	}
	for !p.is(RPAREN) && !p.is(EOF) {
		in.List = append(in.List, p.pipeExpr(false))
		if !p.is(COMMA) {
			break
		}
		p.next()
		p.noTrailingComma(RPAREN, "expression")
	}
	in.Rparen = p.closeParen(RPAREN)
	return in
}

// postfix parses calls on a receiver, `.name`, `.['name']`, `.[expr]` and
// `[index]` after x.
func (p *parser) postfix(x Expr) Expr {
	for {
		switch p.cur().tok {
		case DOT:
			nx := p.peek(1)
			switch {
			case nx.tok == IDENT && p.peek(2).tok == LPAREN:
				// cluster("c").database("d"), app("x").f()
				p.next()
				fun := p.ident()
				x = p.call(x, fun)
			case nx.tok == IDENT:
				p.next()
				x = &SelectorExpr{X: x, Sel: p.ident()}
			case nx.tok == LBRACK && p.peek(2).tok == STRING && p.peek(3).tok == RBRACK:
				p.next()
				x = &SelectorExpr{X: x, Sel: p.ident()}
			case nx.tok == LBRACK:
				// x.[expr] is the legacy spelling of x[expr].
				p.next()
				lb := p.next().pos
				idx := p.expr()
				x = &IndexExpr{X: x, Lbrack: lb, Index: idx, Rbrack: p.closeParen(RBRACK)}
			default:
				return x
			}
		case LBRACK:
			lb := p.next().pos
			idx := p.expr()
			x = &IndexExpr{X: x, Lbrack: lb, Index: idx, Rbrack: p.closeParen(RBRACK)}
		default:
			return x
		}
	}
}

// isBoolWord reports the spellings Kusto accepts for the bool constants.
func isBoolWord(w string) bool {
	switch w {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return true
	}
	return false
}

// primary parses an operand.
func (p *parser) primary() Expr {
	it := p.cur()
	switch it.tok {
	case INT, REAL:
		p.next()
		return p.numberLiteral(it)
	case TIMESPAN:
		p.next()
		return p.timespanToken(it)
	case STRING:
		return p.stringLiteral()
	case TYPED:
		p.next()
		return p.typedLiteral(it)
	case LPAREN:
		lp := p.next().pos
		x := p.pipeExpr(false)
		return &ParenExpr{Lparen: lp, X: x, Rparen: p.closeParen(RPAREN)}
	case LBRACK:
		if p.peek(1).tok == STRING && p.peek(2).tok == RBRACK {
			id := p.ident()
			if p.is(LPAREN) {
				return p.call(nil, id)
			}
			return id
		}
	case MUL:
		p.next()
		return &StarExpr{Star: it.pos}
	case IDENT:
		return p.identOrCall()
	}
	switch it.tok {
	case EOF, PIPE, SEMI:
		p.expected("expression")
	default:
		p.unexpected()
	}
	switch it.tok {
	case EOF, PIPE, SEMI, COMMA, RPAREN, RBRACK, RBRACE:
		return &BadExpr{From: it.pos, To: it.pos}
	}
	p.next()
	return &BadExpr{From: it.pos, To: it.end}
}

func (p *parser) identOrCall() Expr {
	it := p.cur()
	nx := p.peek(1)
	switch it.val {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		p.next()
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitBool, Type: types.Bool, Value: it.val[0] == 't' || it.val[0] == 'T', Raw: it.val}
	case "null":
		p.next()
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitNull, Type: types.Null, Raw: it.val}
	case "dynamic":
		if nx.tok == LPAREN {
			return p.dynamicLiteral()
		}
	case "typeof":
		if nx.tok == LPAREN {
			return p.typeofExpr()
		}
	case "datatable":
		if nx.tok == LPAREN || nx.tok == IDENT && p.peek(2).tok == ASSIGN {
			return p.datatable()
		}
	case "externaldata", "external_data":
		if nx.tok == LPAREN || nx.tok == IDENT && p.peek(2).tok == ASSIGN {
			return p.externalData()
		}
	}
	id := p.ident()
	if p.is(LPAREN) {
		return p.call(nil, id)
	}
	return id
}

// call parses the argument list of a call of fun (on recv, for a dotted
// call).
func (p *parser) call(recv Expr, fun *Ident) Expr {
	c := &CallExpr{Recv: recv, Fun: fun, Lparen: p.next().pos}
	for !p.is(RPAREN) && !p.is(EOF) {
		var a Expr
		switch {
		case p.isNameAssign():
			name := p.ident()
			as := p.next().pos
			a = &NamedExpr{Names: []*Ident{name}, Lparen: NoPos, Assign: as, Value: p.pipeExpr(false)}
		case p.is(MUL) && (p.peek(1).tok == COMMA || p.peek(1).tok == RPAREN):
			a = &StarExpr{Star: p.next().pos}
		default:
			a = p.pipeExpr(false)
		}
		c.Args = append(c.Args, a)
		if !p.is(COMMA) {
			break
		}
		p.next()
		p.noTrailingComma(RPAREN, "expression")
	}
	c.Rparen = p.closeParen(RPAREN)
	return c
}

// typeofExpr parses `typeof(type)` into a call whose argument is a
// *TypeExpr, and the schema form `typeof(a:long, *)` into a call whose
// arguments are *ColumnPattern and *StarExpr.
func (p *parser) typeofExpr() Expr {
	it := p.next()
	fun := &Ident{NamePos: it.pos, Name: "typeof", EndPos: it.end}
	c := &CallExpr{Fun: fun, Lparen: p.next().pos}
	if p.is(IDENT) && p.peek(1).tok == RPAREN {
		c.Args = []Expr{p.typeExpr()}
	} else {
		for !p.is(RPAREN) && !p.is(EOF) {
			if p.is(MUL) {
				c.Args = append(c.Args, &StarExpr{Star: p.next().pos})
			} else {
				cp := &ColumnPattern{Name: p.ident()}
				p.expect(COLON)
				cp.Type = p.typeExpr()
				c.Args = append(c.Args, cp)
			}
			if !p.is(COMMA) {
				break
			}
			p.next()
			p.noTrailingComma(RPAREN, "column")
		}
		if len(c.Args) == 0 {
			p.expected("type")
		}
	}
	c.Rparen = p.closeParen(RPAREN)
	return c
}

// ---------------------------------------------------------------------------
// Names

// nameLen reports whether a name (identifier or ['quoted']) starts k
// tokens ahead, and how many tokens it takes.
func (p *parser) nameLen(k int) int {
	switch p.peek(k).tok {
	case IDENT:
		return 1
	case LBRACK:
		if p.peek(k+1).tok == STRING && p.peek(k+2).tok == RBRACK {
			return 3
		}
	}
	return 0
}

// isNameAssign reports `name =` at the cursor.
func (p *parser) isNameAssign() bool {
	n := p.nameLen(0)
	return n > 0 && p.peek(n).tok == ASSIGN
}

// ident parses a name: an identifier (any keyword may name a column) or
// ['name'] / ["name"]. A missing name is reported and an empty *Ident
// returned without consuming anything.
func (p *parser) ident() *Ident {
	it := p.cur()
	switch p.nameLen(0) {
	case 1:
		p.next()
		return &Ident{NamePos: it.pos, Name: it.val, EndPos: it.end}
	case 3:
		p.next()
		s := p.next()
		end := p.next().end
		return &Ident{NamePos: it.pos, Name: s.val, EndPos: end, Quoted: true}
	}
	p.expected("name")
	return &Ident{NamePos: it.pos, EndPos: it.pos}
}

// dottedIdent parses a.b.c written without spaces as one name (query
// options, hint.strategy).
func (p *parser) dottedIdent() *Ident {
	id := p.ident()
	for p.is(DOT) && p.glued(0) && p.peek(1).tok == IDENT && p.glued(1) {
		p.next()
		nx := p.next()
		id.Name += "." + nx.val
		id.EndPos = nx.end
	}
	return id
}

// isNamePattern reports a name with '*' wildcards glued to it at the
// cursor (Device*, *Id, *).
func (p *parser) isNamePattern() bool {
	for k := 0; ; k++ {
		it := p.peek(k)
		if k > 0 && it.space {
			return false
		}
		switch it.tok {
		case MUL:
			return true
		case IDENT, INT:
		default:
			return false
		}
	}
}

// namePattern parses a column or table name that may hold '*' wildcards:
// tokens glued together (Device*, *Id, a*b, *), or ['quoted'].
func (p *parser) namePattern() *Ident {
	if p.nameLen(0) == 3 {
		return p.ident()
	}
	start := p.cur()
	var sb strings.Builder
	end := start.pos
	for {
		it := p.cur()
		if sb.Len() > 0 && it.space {
			break
		}
		switch it.tok {
		case IDENT, INT, MUL:
			sb.WriteString(it.val)
		default:
			if sb.Len() == 0 {
				p.expected("name")
				return &Ident{NamePos: start.pos, EndPos: start.pos}
			}
			return &Ident{NamePos: start.pos, Name: sb.String(), EndPos: end}
		}
		end = it.end
		p.next()
	}
	return &Ident{NamePos: start.pos, Name: sb.String(), EndPos: end}
}

// typeExpr parses a scalar type name.
func (p *parser) typeExpr() *TypeExpr {
	it := p.cur()
	if it.tok != IDENT {
		p.expected("type")
		return &TypeExpr{TypePos: it.pos, EndPos: it.pos, Type: types.Unknown}
	}
	p.next()
	t, ok := types.Parse(it.val)
	if !ok {
		p.errorAt(it.pos, it.end, CodeExpected, "Expected: type, found unknown type '%s'", it.val)
	}
	return &TypeExpr{TypePos: it.pos, Type: t, Raw: it.val, EndPos: it.end}
}

// columnDecls parses `name:type, …` up to (not including) end; a trailing
// comma is allowed, as in Kusto's row schemas.
func (p *parser) columnDecls(end Token) []*ColumnDecl {
	var cs []*ColumnDecl
	for !p.is(end) && !p.is(EOF) {
		c := &ColumnDecl{Name: p.ident()}
		p.expect(COLON)
		c.Type = p.typeExpr()
		cs = append(cs, c)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	return cs
}

// tableRef parses a table in union, find, search and restrict lists: a
// name, a wildcard pattern, a call such as database("d").T, or a
// parenthesized query.
func (p *parser) tableRef() Expr {
	switch {
	case p.is(LPAREN):
		return p.primary()
	case p.isNamePattern():
		return p.namePattern()
	}
	return p.postfix(p.primary())
}

// ---------------------------------------------------------------------------
// Lists

// namedExpr parses `expr`, `name = expr` or `(a, b) = expr`.
func (p *parser) namedExpr() Expr {
	if p.is(LPAREN) {
		k := 1
		for {
			n := p.nameLen(k)
			if n == 0 {
				break
			}
			k += n
			if p.peek(k).tok == COMMA {
				k++
				continue
			}
			if p.peek(k).tok == RPAREN && p.peek(k+1).tok == ASSIGN {
				lp := p.next().pos
				var names []*Ident
				for !p.is(RPAREN) {
					names = append(names, p.ident())
					if p.is(COMMA) {
						p.next()
					}
				}
				p.next()
				as := p.next().pos
				return &NamedExpr{Names: names, Lparen: lp, Assign: as, Value: p.expr()}
			}
			break
		}
	}
	if p.isNameAssign() {
		name := p.ident()
		as := p.next().pos
		return &NamedExpr{Names: []*Ident{name}, Lparen: NoPos, Assign: as, Value: p.expr()}
	}
	return p.expr()
}

// endOfOperator reports the end of an operator's arguments.
func (p *parser) endOfOperator() bool {
	switch p.cur().tok {
	case PIPE, SEMI, EOF, RPAREN, RBRACE, RBRACK:
		return true
	}
	return false
}

// namedList parses a comma-separated list of named expressions, which may
// be empty when the operator ends right away.
func (p *parser) namedList() []Expr {
	if p.endOfOperator() {
		return nil
	}
	var xs []Expr
	for {
		xs = append(xs, p.namedExpr())
		if !p.is(COMMA) {
			return xs
		}
		p.next()
	}
}

// requiredNamedList is namedList with at least one element.
func (p *parser) requiredNamedList() []Expr {
	if p.endOfOperator() {
		p.expected("expression")
		return []Expr{p.bad()}
	}
	return p.namedList()
}

// exprList parses `expr, expr, …` (at least one).
func (p *parser) exprList() []Expr {
	var xs []Expr
	for {
		xs = append(xs, p.expr())
		if !p.is(COMMA) {
			return xs
		}
		p.next()
	}
}

// nameList parses `a, b*, …` (at least one).
func (p *parser) nameList() []*Ident {
	var ns []*Ident
	for {
		ns = append(ns, p.namePattern())
		if !p.is(COMMA) {
			return ns
		}
		p.next()
	}
}
