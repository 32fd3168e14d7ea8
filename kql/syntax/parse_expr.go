package syntax

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/types"
)

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		it := p.cur()
		p.errorAt(it.pos, it.end, CodeUnexpectedToken, "The query is nested too deeply")
		panic(bailoutDepth{})
	}
}

func (p *parser) leave() { p.depth-- }

// expr parses a scalar expression (which may contain sub-queries in
// parentheses).
func (p *parser) expr() Expr {
	p.enter()
	defer p.leave()
	return p.orExpr()
}

func (p *parser) orExpr() Expr {
	x := p.andExpr()
	for p.isWord("or") {
		op := p.next()
		y := p.andExpr()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: "or", Y: y}
	}
	return x
}

func (p *parser) andExpr() Expr {
	x := p.cmpExpr()
	for p.isWord("and") {
		op := p.next()
		y := p.cmpExpr()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: "and", Y: y}
	}
	return x
}

// stringOperators are the word operators of comparison precedence.
var stringOperators = map[string]bool{
	"has": true, "has_cs": true, "hasprefix": true, "hasprefix_cs": true, "hassuffix": true, "hassuffix_cs": true,
	"contains": true, "contains_cs": true, "startswith": true, "startswith_cs": true, "endswith": true, "endswith_cs": true,
	"like": true, "like_cs": true, "notcontains": true, "notcontainscs": true, "notlike": true, "notlike_cs": true,
	"notbetween": true,
}

var listOperators = map[string]bool{"in": true, "in~": true, "has_any": true, "has_all": true}

// cmpOp reports the comparison operator at the cursor (and how many
// tokens it spans), or "".
func (p *parser) cmpOp() (string, int) {
	it := p.cur()
	switch it.tok {
	case EQL:
		return "==", 1
	case NEQ:
		return "!=", 1
	case LSSGTR:
		return "<>", 1
	case LSS:
		return "<", 1
	case GTR:
		return ">", 1
	case LEQ:
		return "<=", 1
	case GEQ:
		return ">=", 1
	case EQTILDE:
		return "=~", 1
	case NEQTILDE:
		return "!~", 1
	case NOT:
		nx := p.peek(1)
		if nx.tok == IDENT && !nx.spaceBefore && (stringOperators[nx.lit] || nx.lit == "in" || nx.lit == "in~" || nx.lit == "between") {
			return "!" + nx.lit, 2
		}
	case IDENT:
		switch {
		case stringOperators[it.lit], listOperators[it.lit], it.lit == "between":
			return it.lit, 1
		case it.lit == "matches" && p.wordAt(1, "regex"):
			return "matches regex", 2
		}
	}
	return "", 0
}

func (p *parser) cmpExpr() Expr {
	x := p.addExpr()
	for {
		op, n := p.cmpOp()
		if op == "" {
			return x
		}
		opPos := p.cur().pos
		for i := 0; i < n; i++ {
			p.next()
		}
		switch {
		case op == "between" || op == "!between":
			x = p.between(x, opPos, op == "!between")
		case listOperators[strings.TrimPrefix(op, "!")]:
			x = p.inList(x, opPos, op)
		default:
			y := p.addExpr()
			x = &BinaryExpr{X: x, OpPos: opPos, Op: op, Y: y}
		}
	}
}

func (p *parser) between(x Expr, opPos Pos, not bool) Expr {
	p.expect(LPAREN)
	lo := p.addExpr()
	p.expect(DOTDOT)
	hi := p.addExpr()
	r := p.cur().pos
	p.expect(RPAREN)
	return &BetweenExpr{X: x, OpPos: opPos, Not: not, Lo: lo, Hi: hi, Rparen: r}
}

func (p *parser) inList(x Expr, opPos Pos, op string) Expr {
	in := &InExpr{X: x, OpPos: opPos, Op: op}
	if !p.is(LPAREN) {
		// `x in dynamic([…])` or `x has_any MyList` without parentheses.
		e := p.addExpr()
		in.Lparen, in.List, in.Rparen = e.Pos(), []Expr{e}, e.End()-1
		return in
	}
	in.Lparen = p.next().pos
	for !p.is(RPAREN) && !p.is(EOF) {
		in.List = append(in.List, p.pipeExpr())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	in.Rparen = p.cur().pos
	p.expect(RPAREN)
	return in
}

func (p *parser) addExpr() Expr {
	x := p.mulExpr()
	for p.is(ADD) || p.is(SUB) {
		op := p.next()
		y := p.mulExpr()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: op.lit, Y: y}
	}
	return x
}

func (p *parser) mulExpr() Expr {
	x := p.unaryExpr()
	for p.is(MUL) || p.is(QUO) || p.is(REM) {
		op := p.next()
		y := p.unaryExpr()
		x = &BinaryExpr{X: x, OpPos: op.pos, Op: op.lit, Y: y}
	}
	return x
}

func (p *parser) unaryExpr() Expr {
	if p.is(SUB) || p.is(ADD) {
		p.enter()
		defer p.leave()
		op := p.next()
		x := p.unaryExpr()
		if l, ok := x.(*Literal); ok && op.lit == "-" {
			if neg, ok := negateLiteral(l); ok {
				neg.ValuePos = op.pos
				return neg
			}
		}
		return &UnaryExpr{OpPos: op.pos, Op: op.lit, X: x}
	}
	return p.postfix(p.primary())
}

func (p *parser) postfix(x Expr) Expr {
	for {
		switch {
		case p.is(DOT) && p.peek(1).tok == LBRACK && !(p.peek(2).tok == STRING && p.peek(3).tok == RBRACK):
			// x.[expr] is x[expr].
			p.next()
			lb := p.next().pos
			idx := p.expr()
			rb := p.cur().pos
			p.expect(RBRACK)
			x = &IndexExpr{X: x, Lbrack: lb, Index: idx, Rbrack: rb}
		case p.is(DOT) && (p.peek(1).tok == IDENT || p.peek(1).tok == LBRACK):
			p.next()
			sel := p.ident()
			x = &SelectorExpr{X: x, Sel: sel}
		case p.is(LBRACK):
			lb := p.next().pos
			idx := p.expr()
			rb := p.cur().pos
			p.expect(RBRACK)
			x = &IndexExpr{X: x, Lbrack: lb, Index: idx, Rbrack: rb}
		case p.is(LPAREN):
			// A call on a selector: database("x").T is not a call, but
			// cluster("c").database("d") is.
			if sel, ok := x.(*SelectorExpr); ok {
				x = p.call(sel.Sel)
				x = &SelectorExpr{X: sel.X, Sel: &Ident{NamePos: x.Pos(), EndPos: x.End(), Name: sel.Sel.Name}}
				continue
			}
			return x
		default:
			return x
		}
	}
}

func (p *parser) primary() Expr {
	it := p.cur()
	switch it.tok {
	case INT, REAL:
		p.next()
		return numberLiteral(p, it)
	case TIMESPAN:
		p.next()
		d, ok := parseTimespanToken(it.lit)
		if !ok {
			p.errorAt(it.pos, it.end, CodeBadLiteral, "Invalid timespan literal '%s'", it.lit)
		}
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitTimeSpan, Type: types.TimeSpan, Value: d, Raw: it.lit}
	case STRING:
		return p.stringLiteral()
	case LPAREN:
		lp := p.next().pos
		first := p.pipeExpr()
		if p.is(COMMA) {
			l := &ListExpr{Lparen: lp, Elems: []Expr{first}}
			for p.is(COMMA) {
				p.next()
				if p.is(RPAREN) {
					break
				}
				l.Elems = append(l.Elems, p.pipeExpr())
			}
			l.Rparen = p.cur().pos
			p.expect(RPAREN)
			return l
		}
		rp := p.cur().pos
		p.expect(RPAREN)
		if first == nil {
			first = &Literal{ValuePos: lp, EndPos: rp, Kind: LitNull, Type: types.Null}
		}
		return &ParenExpr{Lparen: lp, X: first, Rparen: rp}
	case LBRACK:
		if p.peek(1).tok == STRING && p.peek(2).tok == RBRACK {
			return p.ident()
		}
	case MUL:
		p.next()
		return &StarExpr{Star: it.pos}
	case IDENT:
		return p.identOrCall()
	}
	p.unexpected()
	if it.tok != EOF && it.tok != PIPE && it.tok != SEMI && it.tok != RPAREN && it.tok != RBRACK && it.tok != RBRACE && it.tok != COMMA {
		p.next()
	}
	return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitNull, Type: types.Null}
}

func (p *parser) stringLiteral() Expr {
	first := p.cur()
	var sb strings.Builder
	end := first.end
	for p.is(STRING) {
		it := p.next()
		sb.WriteString(it.lit)
		end = it.end
	}
	return &Literal{ValuePos: first.pos, EndPos: end, Kind: LitString, Type: types.String, Value: sb.String(), Raw: ""}
}

// typedLiteralWords are the names that introduce a literal of a type when
// followed by '('.
var typedLiteralWords = map[string]bool{
	"datetime": true, "date": true, "timespan": true, "time": true, "guid": true, "uniqueid": true, "dynamic": true,
	"bool": true, "boolean": true, "int": true, "int32": true, "long": true, "int64": true, "real": true, "double": true,
	"float": true, "decimal": true, "string": true,
}

func (p *parser) identOrCall() Expr {
	it := p.cur()
	switch it.lit {
	case "true", "True", "TRUE":
		p.next()
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitBool, Type: types.Bool, Value: true, Raw: it.lit}
	case "false", "False", "FALSE":
		p.next()
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitBool, Type: types.Bool, Value: false, Raw: it.lit}
	case "null":
		p.next()
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitNull, Type: types.Null, Raw: it.lit}
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
		return p.unionExpr()
	case "externaldata":
		return p.externalData()
	case "typeof":
		if p.peek(1).tok == LPAREN {
			p.next()
			lp := p.next().pos
			t := p.typeExpr()
			rp := p.cur().pos
			p.expect(RPAREN)
			return &CallExpr{Fun: &Ident{NamePos: it.pos, EndPos: it.end, Name: "typeof"}, Lparen: lp, Args: []Expr{t}, Rparen: rp}
		}
	}
	if typedLiteralWords[it.lit] && p.peek(1).tok == LPAREN {
		if lit := p.typedLiteral(); lit != nil {
			return lit
		}
	}
	id := p.ident()
	if p.is(LPAREN) {
		return p.call(id)
	}
	return id
}

// call parses the argument list of a call of fn.
func (p *parser) call(fn *Ident) Expr {
	c := &CallExpr{Fun: fn, Lparen: p.next().pos}
	for !p.is(RPAREN) && !p.is(EOF) {
		var a Expr
		if (p.is(IDENT) && p.peek(1).tok == ASSIGN) || (p.is(LBRACK) && p.peek(1).tok == STRING && p.peek(2).tok == RBRACK && p.peek(3).tok == ASSIGN) {
			name := p.ident()
			as := p.next().pos
			a = &NamedExpr{Names: []*Ident{name}, Lparen: NoPos, Assign: as, Value: p.pipeExpr()}
		} else {
			a = p.pipeExpr()
		}
		if a == nil {
			break
		}
		c.Args = append(c.Args, a)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	c.Rparen = p.cur().pos
	p.expect(RPAREN)
	return c
}
