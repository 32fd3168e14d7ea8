package syntax

import (
	"fmt"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// maxDepth bounds expression nesting so hostile input cannot exhaust the
// stack.
const maxDepth = 400

type parser struct {
	text  string
	items []item
	p     int
	errs  ErrorList
	depth int
}

type bailoutDepth struct{}

// Parse parses a whole query text. It never panics and always returns a
// Script (possibly partial) together with every diagnostic found.
func Parse(text string) (script *Script, errs ErrorList) {
	p := &parser{text: text, items: scanAll(text)}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailoutDepth); !ok {
				p.errs = append(p.errs, &Diagnostic{From: p.cur().pos, To: p.cur().end, Code: CodeInternal, Message: fmt.Sprintf("internal parser error: %v", r)})
			}
			if script == nil {
				script = &Script{EOF: Pos(len(text))}
			}
			errs = p.errs
		}
	}()
	script = p.script()
	return script, p.errs
}

// ParseExpr parses a lone scalar expression.
func ParseExpr(text string) (x Expr, errs ErrorList) {
	p := &parser{text: text, items: scanAll(text)}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailoutDepth); !ok {
				p.errs = append(p.errs, &Diagnostic{From: p.cur().pos, To: p.cur().end, Code: CodeInternal, Message: fmt.Sprintf("internal parser error: %v", r)})
			}
			errs = p.errs
		}
	}()
	x = p.expr()
	if p.cur().tok != EOF {
		p.unexpected()
	}
	return x, p.errs
}

func (p *parser) cur() item { return p.items[p.p] }

func (p *parser) peek(k int) item {
	if p.p+k < len(p.items) {
		return p.items[p.p+k]
	}
	return p.items[len(p.items)-1]
}

func (p *parser) next() item {
	it := p.items[p.p]
	if it.tok != EOF {
		p.p++
	}
	return it
}

func (p *parser) is(t Token) bool { return p.cur().tok == t }

// isWord reports whether the current token is the identifier w.
func (p *parser) isWord(w string) bool {
	it := p.cur()
	return it.tok == IDENT && it.lit == w
}

func (p *parser) wordAt(k int, w string) bool {
	it := p.peek(k)
	return it.tok == IDENT && it.lit == w
}

func (p *parser) errorAt(from, to Pos, code, format string, args ...any) {
	// One error per position is enough.
	for _, d := range p.errs {
		if d.From == from {
			return
		}
	}
	p.errs = append(p.errs, &Diagnostic{From: from, To: to, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) unexpected() {
	it := p.cur()
	switch {
	case it.tok == ILLEGAL && strings.HasPrefix(it.err, "Unterminated"):
		p.errorAt(it.pos, it.end, CodeUnterminatedString, "%s", it.err)
	case it.tok == ILLEGAL && strings.HasPrefix(it.err, "Invalid number"):
		p.errorAt(it.pos, it.end, CodeBadNumber, "%s", it.err)
	case it.tok == ILLEGAL:
		p.errorAt(it.pos, it.end, CodeIllegalCharacter, "%s", it.err)
	case it.tok == EOF:
		p.errorAt(it.pos, it.end, CodeExpected, "Unexpected end of query")
	default:
		p.errorAt(it.pos, it.end, CodeUnexpectedToken, "Unexpected token '%s'", it.lit)
	}
}

func (p *parser) expect(t Token) Pos {
	it := p.cur()
	if it.tok != t {
		if it.tok == ILLEGAL || it.tok == EOF {
			p.unexpected()
		} else {
			p.errorAt(it.pos, it.end, CodeExpected, "Expected '%s' but found '%s'", t, it.lit)
		}
		return it.pos
	}
	p.next()
	return it.pos
}

func (p *parser) expectWord(w string) bool {
	if p.isWord(w) {
		p.next()
		return true
	}
	it := p.cur()
	if it.tok == ILLEGAL || it.tok == EOF {
		p.unexpected()
	} else {
		p.errorAt(it.pos, it.end, CodeExpected, "Expected '%s' but found '%s'", w, it.lit)
	}
	return false
}

// skipTo advances to the next token in stop at bracket depth 0 (or an
// unmatched closing bracket), without consuming it.
func (p *parser) skipTo(stop ...Token) {
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
		st := p.stmt()
		if st != nil {
			s.Stmts = append(s.Stmts, st)
		}
		if !p.is(SEMI) && !p.is(EOF) {
			p.unexpected()
			p.skipTo(SEMI)
			if !p.is(SEMI) && !p.is(EOF) {
				p.next() // an unmatched closing bracket
			}
		}
		if p.p == start {
			p.next()
		}
	}
	s.EOF = p.cur().pos
	return s
}

func (p *parser) stmt() Stmt {
	it := p.cur()
	if it.tok == IDENT {
		switch it.lit {
		case "let":
			if p.peek(1).tok == IDENT || p.peek(1).tok == LBRACK {
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
				p.next()
				p.next()
				name := p.ident()
				p.skipTo(SEMI)
				return &PatternStmt{Declare: it.pos, Name: name, Rend: p.cur().pos}
			}
		case "alias", "restrict":
			p.skipTo(SEMI)
			return nil
		}
	}
	x := p.pipeExpr()
	if x == nil {
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
		v = p.pipeExpr()
	}
	if v == nil {
		v = &Literal{ValuePos: p.cur().pos, EndPos: p.cur().pos, Kind: LitNull, Type: types.Null}
	}
	return &LetStmt{Let: let, Name: name, Value: v}
}

// isFuncLit looks past a parenthesized group for the `{` of a body.
func (p *parser) isFuncLit() bool {
	depth := 0
	for k := 0; ; k++ {
		it := p.peek(k)
		switch it.tok {
		case EOF:
			return false
		case LPAREN, LBRACK:
			depth++
		case RPAREN, RBRACK:
			depth--
			if depth == 0 {
				return p.peek(k+1).tok == LBRACE
			}
		}
	}
}

func (p *parser) funcLit() *FuncLit {
	f := &FuncLit{Lparen: p.cur().pos}
	f.Params = p.params()
	f.Lbrace = p.expect(LBRACE)
	for !p.is(RBRACE) && !p.is(EOF) {
		for p.is(SEMI) {
			p.next()
		}
		if p.is(RBRACE) {
			break
		}
		start := p.p
		st := p.stmt()
		if st != nil {
			f.Body = append(f.Body, st)
		}
		if !p.is(SEMI) && !p.is(RBRACE) {
			p.unexpected()
			p.skipTo(SEMI, RBRACE)
		}
		if p.p == start {
			p.next()
		}
	}
	f.Rbrace = p.expect(RBRACE)
	return f
}

// params parses `(name:type [= default], T:(*), U:(a:int))`.
func (p *parser) params() []*Param {
	p.expect(LPAREN)
	var ps []*Param
	for !p.is(RPAREN) && !p.is(EOF) {
		prm := &Param{Name: p.ident()}
		if p.is(COLON) {
			p.next()
			if p.is(LPAREN) {
				prm.Tabular = true
				p.next()
				if p.is(MUL) {
					p.next()
				} else {
					prm.Columns = p.columnDecls(RPAREN)
				}
				p.expect(RPAREN)
			} else {
				prm.Type = p.typeExpr()
			}
		}
		if p.is(ASSIGN) {
			p.next()
			prm.Default = p.expr()
		}
		ps = append(ps, prm)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return ps
}

func (p *parser) setStmt() Stmt {
	s := &SetStmt{Set: p.next().pos}
	s.Name = p.dottedIdent()
	if p.is(ASSIGN) {
		p.next()
		s.Value = p.expr()
	}
	s.Semi = p.cur().pos
	return s
}

func (p *parser) declareStmt() Stmt {
	d := &DeclareStmt{Declare: p.next().pos}
	p.next()
	d.Params = p.params()
	d.Rparen = p.items[p.p-1].pos
	return d
}

// ---------------------------------------------------------------------------
// Names and types

// ident parses a name: an identifier, or ['name'] / ["name"].
func (p *parser) ident() *Ident {
	it := p.cur()
	switch {
	case it.tok == IDENT:
		p.next()
		return &Ident{NamePos: it.pos, Name: it.lit, EndPos: it.end}
	case it.tok == LBRACK && p.peek(1).tok == STRING && p.peek(2).tok == RBRACK:
		p.next()
		s := p.next()
		end := p.next().end
		return &Ident{NamePos: it.pos, Name: s.lit, EndPos: end, Quoted: true}
	}
	p.unexpected()
	return &Ident{NamePos: it.pos, EndPos: it.pos, Name: ""}
}

// dottedIdent parses a.b.c as one name (for set options and hints).
func (p *parser) dottedIdent() *Ident {
	id := p.ident()
	for p.is(DOT) && p.peek(1).tok == IDENT && !p.peek(1).spaceBefore {
		p.next()
		nx := p.next()
		id.Name += "." + nx.lit
		id.EndPos = nx.end
	}
	return id
}

// namePattern parses a column or table name that may hold '*' wildcards
// glued to it (Device*, *Id, *).
func (p *parser) namePattern() *Ident {
	start := p.cur()
	var sb strings.Builder
	end := start.pos
	for {
		it := p.cur()
		if sb.Len() > 0 && it.spaceBefore {
			break
		}
		if it.tok == IDENT || it.tok == INT {
			sb.WriteString(it.lit)
		} else if it.tok == MUL {
			sb.WriteByte('*')
		} else if it.tok == LBRACK && sb.Len() == 0 {
			return p.ident()
		} else {
			break
		}
		end = it.end
		p.next()
	}
	if sb.Len() == 0 {
		p.unexpected()
	}
	return &Ident{NamePos: start.pos, Name: sb.String(), EndPos: end}
}

func (p *parser) typeExpr() *TypeExpr {
	it := p.cur()
	if it.tok != IDENT {
		p.errorAt(it.pos, it.end, CodeExpected, "Expected a type name but found '%s'", it.lit)
		return &TypeExpr{TypePos: it.pos, EndPos: it.pos, Type: types.Unknown}
	}
	p.next()
	t, ok := types.Parse(it.lit)
	if !ok {
		p.errorAt(it.pos, it.end, CodeExpected, "Unknown type '%s'", it.lit)
	}
	return &TypeExpr{TypePos: it.pos, Type: t, Raw: it.lit, EndPos: it.end}
}

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

// ---------------------------------------------------------------------------
// Pipelines

// pipeExpr parses `source | op | op …` or a lone expression.
func (p *parser) pipeExpr() Expr {
	src := p.source()
	if src == nil {
		return nil
	}
	return p.pipeOps(src)
}

func (p *parser) pipeOps(src Expr) Expr {
	for p.is(PIPE) {
		bar := p.next().pos
		op := p.operator()
		if op == nil {
			p.skipTo(PIPE, SEMI)
			continue
		}
		src = &PipeExpr{Source: src, Bar: bar, Op: op}
	}
	return src
}

func (p *parser) source() Expr {
	it := p.cur()
	if it.tok == IDENT {
		switch it.lit {
		case "datatable":
			if p.peek(1).tok == LPAREN {
				return p.datatable()
			}
		case "print":
			return p.printExpr()
		case "range":
			if p.peek(1).tok == IDENT && p.wordAt(2, "from") {
				return p.rangeExpr()
			}
		case "union":
			if p.peek(1).tok != LPAREN || p.isUnionSource() {
				return p.unionExpr()
			}
		case "search":
			return p.searchExpr()
		case "find":
			return p.findExpr()
		case "externaldata":
			return p.externalData()
		case "evaluate":
			op := p.evaluateOp()
			return &PipeExpr{Source: &ContextualSource{At: it.pos}, Bar: it.pos, Op: op}
		}
	}
	return p.expr()
}

// isUnionSource tells `union (T1), (T2)` from a call named union.
func (p *parser) isUnionSource() bool { return true }
