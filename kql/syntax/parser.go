package syntax

import (
	"fmt"
	"runtime/debug"
	"sort"
)

// maxDepth bounds the nesting of expressions and sub-queries so that
// hostile input cannot exhaust the stack.
const maxDepth = 400

type parser struct {
	text  string
	toks  []item
	p     int
	errs  ErrorList
	errAt map[Pos]bool // positions that have a diagnostic
	depth int
	// tooDeep is set once the nesting limit was hit: the parser then skips
	// to the end of the text and reports nothing more.
	tooDeep bool
}

func newParser(text string) *parser {
	toks, errs := lex(text)
	return &parser{text: text, toks: toks, errs: errs}
}

// Parse parses a whole query text: statements separated by semicolons. It
// never panics and always returns a Script (partial when the text has
// errors) together with every diagnostic found, sorted by position.
func Parse(text string) (script *Script, errs ErrorList) {
	p := newParser(text)
	defer func() {
		if r := recover(); r != nil {
			// A bug in the parser, not bad input: report it as such.
			p.errs = append(p.errs, &Diagnostic{From: p.cur().pos, To: p.cur().end, Code: CodeInternal,
				Message: fmt.Sprintf("internal parser error: %v\n%s", r, debug.Stack())})
			if script == nil {
				script = &Script{EOF: Pos(len(text))}
			}
			errs = p.finish()
		}
	}()
	script = p.script()
	return script, p.finish()
}

// ParseExpr parses a lone scalar expression (which may contain sub-queries
// in parentheses, as in `x in (T | project y)`).
func ParseExpr(text string) (x Expr, errs ErrorList) {
	p := newParser(text)
	defer func() {
		if r := recover(); r != nil {
			p.errs = append(p.errs, &Diagnostic{From: p.cur().pos, To: p.cur().end, Code: CodeInternal,
				Message: fmt.Sprintf("internal parser error: %v\n%s", r, debug.Stack())})
			if x == nil {
				x = &BadExpr{From: 0, To: Pos(len(text))}
			}
			errs = p.finish()
		}
	}()
	x = p.expr()
	if !p.is(EOF) {
		p.unexpected()
	}
	return x, p.finish()
}

// finish returns the diagnostics ordered by position.
func (p *parser) finish() ErrorList {
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].From < p.errs[j].From })
	if len(p.errs) == 0 {
		return nil
	}
	return p.errs
}

// ---------------------------------------------------------------------------
// Token access

func (p *parser) cur() item { return p.toks[p.p] }

func (p *parser) peek(k int) item {
	if p.p+k < len(p.toks) {
		return p.toks[p.p+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() item {
	it := p.toks[p.p]
	if it.tok != EOF {
		p.p++
	}
	return it
}

// prevEnd is the end of the last consumed token (or 0).
func (p *parser) prevEnd() Pos {
	if p.p == 0 {
		return 0
	}
	return p.toks[p.p-1].end
}

func (p *parser) is(t Token) bool { return p.toks[p.p].tok == t }

// isWord reports whether the current token is the identifier w.
func (p *parser) isWord(w string) bool {
	it := p.toks[p.p]
	return it.tok == IDENT && it.val == w
}

// wordAt reports whether the token k ahead is the identifier w.
func (p *parser) wordAt(k int, w string) bool {
	it := p.peek(k)
	return it.tok == IDENT && it.val == w
}

// glued reports whether the token k ahead directly follows the one before
// it, without whitespace or comments.
func (p *parser) glued(k int) bool { return !p.peek(k).space }

// ---------------------------------------------------------------------------
// Diagnostics

func (p *parser) errorAt(from, to Pos, code, format string, args ...any) {
	if p.tooDeep {
		return
	}
	// One diagnostic per position: the first is the most precise.
	if p.errAt == nil {
		p.errAt = make(map[Pos]bool, len(p.errs)+4)
		for _, d := range p.errs {
			p.errAt[d.From] = true
		}
	}
	if p.errAt[from] {
		return
	}
	p.errAt[from] = true
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	p.errs = append(p.errs, &Diagnostic{From: from, To: to, Code: code, Message: msg})
}

// tokenText describes the current token for a message.
func (p *parser) tokenText(it item) string {
	if it.tok == EOF {
		return "end of query"
	}
	return "'" + p.text[it.pos:it.end] + "'"
}

// unexpected reports the current token as out of place.
func (p *parser) unexpected() {
	it := p.cur()
	switch it.tok {
	case EOF:
		p.errorAt(it.pos, it.end, CodeExpected, "Unexpected end of query")
	default:
		p.errorAt(it.pos, it.end, CodeUnexpectedToken, "Unexpected token %s", p.tokenText(it))
	}
}

// expected reports that what was wanted is missing at the current token.
func (p *parser) expected(what string) {
	it := p.cur()
	if it.tok == EOF || it.tok == PIPE || it.tok == SEMI {
		p.errorAt(it.pos, it.end, CodeExpected, "Expected: %s", what)
		return
	}
	p.errorAt(it.pos, it.end, CodeExpected, "Expected: %s, found %s", what, p.tokenText(it))
}

// expect consumes a token of kind t, or reports it missing. It returns the
// token's position (the current position when missing).
func (p *parser) expect(t Token) Pos {
	it := p.cur()
	if it.tok != t {
		p.expected(t.String())
		return it.pos
	}
	p.next()
	return it.pos
}

// expectWord consumes the keyword w, or reports it missing.
func (p *parser) expectWord(w string) bool {
	if p.isWord(w) {
		p.next()
		return true
	}
	p.expected(w)
	return false
}

// closeParen consumes the closing bracket of a group. When something else
// is there it is reported and skipped up to the matching bracket (or the
// end of the statement). It returns the position of the bracket.
func (p *parser) closeParen(close Token) Pos {
	if p.is(close) {
		return p.next().pos
	}
	p.expected(close.String())
	p.skipUntil(close)
	if p.is(close) {
		return p.next().pos
	}
	// Missing: pretend it ends the last token, so End() stays in the text.
	return p.prevEnd() - 1
}

// skipUntil advances to the next token of kind stop at bracket depth 0, or
// to a ';' at depth 0, an unmatched closing bracket or the end.
func (p *parser) skipUntil(stop ...Token) {
	depth := 0
	for {
		it := p.cur()
		if it.tok == EOF {
			return
		}
		if depth == 0 {
			for _, s := range stop {
				if it.tok == s {
					return
				}
			}
			if it.tok == SEMI {
				return
			}
		}
		switch it.tok {
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			if depth == 0 {
				return
			}
			depth--
		}
		p.next()
	}
}

// noTrailingComma reports a ',' right before the closing bracket of a list
// that does not allow one.
func (p *parser) noTrailingComma(close Token, what string) {
	if p.is(close) {
		p.expected(what)
	}
}

// enter guards recursion. It returns false (after reporting once) when the
// nesting is too deep; the parser then jumps to the end of the text.
func (p *parser) enter() bool {
	p.depth++
	if p.depth > maxDepth {
		if !p.tooDeep {
			it := p.cur()
			p.errorAt(it.pos, it.end, CodeTooDeep, "The query is nested too deeply (more than %d levels)", maxDepth)
			p.tooDeep = true
		}
		p.p = len(p.toks) - 1
		return false
	}
	return true
}

func (p *parser) leave() { p.depth-- }

// bad makes a placeholder for a missing expression at the current token.
func (p *parser) bad() *BadExpr {
	at := p.cur().pos
	return &BadExpr{From: at, To: at}
}

// ---------------------------------------------------------------------------
// Statements

func (p *parser) script() *Script {
	s := &Script{}
	for {
		for p.is(SEMI) {
			p.next()
		}
		if p.is(EOF) {
			break
		}
		start := p.p
		if st := p.stmt(); st != nil {
			s.Stmts = append(s.Stmts, st)
		}
		if !p.is(SEMI) && !p.is(EOF) {
			p.unexpected()
			p.skipStmt()
		}
		if p.p == start {
			p.next()
		}
	}
	s.EOF = Pos(len(p.text))
	return s
}

// skipStmt skips to the next ';' at depth 0, skipping unmatched closing
// brackets too (the statement is at the top level).
func (p *parser) skipStmt() {
	for !p.is(SEMI) && !p.is(EOF) {
		p.skipUntil(SEMI)
		if !p.is(SEMI) && !p.is(EOF) {
			p.next() // an unmatched closing bracket
		}
	}
}

// stmt parses one statement. It returns nil when nothing usable was found.
func (p *parser) stmt() Stmt {
	it := p.cur()
	if it.tok == IDENT {
		switch it.val {
		case "let":
			if nx := p.peek(1); nx.tok == IDENT || nx.tok == LBRACK {
				return p.letStmt()
			}
		case "set":
			if p.peek(1).tok == IDENT {
				return p.setStmt()
			}
		case "declare":
			if p.wordAt(1, "query_parameters") {
				return p.declareStmt()
			}
			if p.wordAt(1, "pattern") {
				return p.patternStmt()
			}
		case "alias":
			if p.wordAt(1, "database") {
				return p.aliasStmt()
			}
		case "restrict":
			if p.wordAt(1, "access") {
				return p.restrictStmt()
			}
		}
	}
	x := p.pipeExpr(true)
	if _, isBad := x.(*BadExpr); isBad && x.End() == x.Pos() {
		return nil
	}
	return &ExprStmt{X: x}
}

func (p *parser) letStmt() Stmt {
	let := p.next().pos
	name := p.ident()
	p.expect(ASSIGN)
	var v Expr
	switch {
	case p.isWord("view") && p.peek(1).tok == LPAREN:
		p.next()
		f := p.funcLit()
		f.View = true
		v = f
	case p.is(LPAREN) && p.isFuncLit():
		v = p.funcLit()
	default:
		v = p.pipeExpr(true)
	}
	return &LetStmt{Let: let, Name: name, Value: v}
}

// isFuncLit looks past the parenthesized group at the cursor for the '{'
// of a function body.
func (p *parser) isFuncLit() bool {
	depth := 0
	for k := 0; p.p+k < len(p.toks); k++ {
		switch p.peek(k).tok {
		case EOF, SEMI:
			return false
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			depth--
			if depth == 0 {
				return p.peek(k+1).tok == LBRACE
			}
		}
	}
	return false
}

// funcLit parses `(params) { body }`.
func (p *parser) funcLit() *FuncLit {
	f := &FuncLit{Lparen: p.cur().pos}
	f.Params = p.params()
	f.Lbrace = p.expect(LBRACE)
	f.Body, f.Rbrace = p.body()
	return f
}

// body parses the statements of a function or pattern body up to and
// including the closing '}': let statements and a final query, separated
// by semicolons.
func (p *parser) body() ([]Stmt, Pos) {
	if !p.enter() {
		p.leave()
		return nil, p.cur().pos
	}
	defer p.leave()
	var stmts []Stmt
	for !p.is(RBRACE) && !p.is(EOF) {
		for p.is(SEMI) {
			p.next()
		}
		if p.is(RBRACE) {
			break
		}
		start := p.p
		if st := p.stmt(); st != nil {
			stmts = append(stmts, st)
		}
		if !p.is(SEMI) && !p.is(RBRACE) {
			p.unexpected()
			p.skipUntil(SEMI, RBRACE)
			if !p.is(SEMI) && !p.is(RBRACE) && !p.is(EOF) {
				p.next()
			}
		}
		if p.p == start {
			p.next()
		}
	}
	return stmts, p.closeParen(RBRACE)
}

// params parses `(name:type [= default], T:(*), U:(a:int), …)`.
func (p *parser) params() []*Param {
	p.expect(LPAREN)
	var ps []*Param
	for !p.is(RPAREN) && !p.is(EOF) {
		ps = append(ps, p.param())
		if !p.is(COMMA) {
			break
		}
		p.next()
		p.noTrailingComma(RPAREN, "parameter")
	}
	p.closeParen(RPAREN)
	return ps
}

func (p *parser) param() *Param {
	prm := &Param{Name: p.ident()}
	p.expect(COLON)
	if p.is(LPAREN) {
		prm.Tabular = true
		p.next()
		if p.is(MUL) {
			p.next()
		} else {
			prm.Columns = p.columnDecls(RPAREN)
			if prm.Columns == nil {
				prm.Columns = []*ColumnDecl{}
			}
		}
		p.closeParen(RPAREN)
	} else {
		prm.Type = p.typeExpr()
	}
	if p.is(ASSIGN) {
		p.next()
		prm.Default = p.expr()
	}
	return prm
}

func (p *parser) setStmt() Stmt {
	s := &SetStmt{Set: p.next().pos}
	s.Name = p.dottedIdent()
	if p.is(ASSIGN) {
		p.next()
		if p.is(IDENT) && !isBoolWord(p.cur().val) && p.cur().val != "null" {
			s.Value = p.ident()
		} else {
			s.Value = p.expr()
		}
	}
	s.Semi = p.prevEnd()
	return s
}

func (p *parser) declareStmt() Stmt {
	d := &DeclareStmt{Declare: p.next().pos}
	p.next() // query_parameters
	d.Params = p.params()
	d.Rparen = p.prevEnd() - 1
	return d
}

// patternStmt parses `declare pattern name [= (params) [[path:type]] { rules }]`.
func (p *parser) patternStmt() Stmt {
	s := &PatternStmt{Declare: p.next().pos}
	p.next() // pattern
	s.Name = p.ident()
	if p.is(ASSIGN) {
		p.next()
		s.Params = p.params()
		if s.Params == nil {
			s.Params = []*Param{}
		}
		if p.is(LBRACK) {
			p.next()
			s.Path = p.param()
			p.closeParen(RBRACK)
		}
		p.expect(LBRACE)
		for p.is(LPAREN) {
			s.Rules = append(s.Rules, p.patternRule())
		}
		p.closeParen(RBRACE)
	}
	s.Rend = p.prevEnd()
	return s
}

func (p *parser) patternRule() *PatternRule {
	r := &PatternRule{Lparen: p.next().pos}
	for !p.is(RPAREN) && !p.is(EOF) {
		r.Args = append(r.Args, p.primary())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.closeParen(RPAREN)
	if p.is(DOT) && p.peek(1).tok == LBRACK {
		p.next()
		p.next()
		r.Path = p.primary()
		p.closeParen(RBRACK)
	}
	p.expect(ASSIGN)
	p.expect(LBRACE)
	r.Body, r.Rbrace = p.body()
	if p.is(SEMI) {
		p.next()
	}
	return r
}

func (p *parser) aliasStmt() Stmt {
	s := &AliasStmt{Alias: p.next().pos}
	p.next() // database
	s.Name = p.ident()
	p.expect(ASSIGN)
	s.Value = p.expr()
	return s
}

func (p *parser) restrictStmt() Stmt {
	s := &RestrictStmt{Restrict: p.next().pos}
	p.next() // access
	p.expectWord("to")
	p.expect(LPAREN)
	for !p.is(RPAREN) && !p.is(EOF) {
		s.Entities = append(s.Entities, p.tableRef())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	s.Rparen = p.closeParen(RPAREN)
	return s
}
