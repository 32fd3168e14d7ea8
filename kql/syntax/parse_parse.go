package syntax

var parseParams = map[string]bool{"kind": true, "flags": true}

// parseOp parses `parse [kind=…] [flags=…] X with pattern` (and
// parse-where). The pattern is a sequence of string literals, `*` and
// `name[:type]` columns.
func (p *parser) parseOp(sp Span, where bool) Operator {
	o := &ParseOp{Span: sp, Where: where}
	o.Params = p.opParams(parseParams, true)
	o.X = p.requiredExpr()
	p.expectWord("with")
	for !p.endOfOperator() {
		it := p.cur()
		switch {
		case it.tok == STRING:
			o.Pattern = append(o.Pattern, p.stringLiteral())
		case it.tok == MUL:
			p.next()
			o.Pattern = append(o.Pattern, &StarExpr{Star: it.pos})
		case p.nameLen(0) > 0:
			c := &ColumnPattern{Name: p.ident()}
			if p.is(COLON) {
				p.next()
				c.Type = p.typeExpr()
			}
			o.Pattern = append(o.Pattern, c)
		default:
			p.unexpected()
			return o
		}
	}
	if o.Pattern == nil {
		p.expected("parse pattern")
	}
	return o
}

// parseKV parses `parse-kv X as (c:t, …) [with (props)]`.
func (p *parser) parseKV(sp Span) Operator {
	o := &ParseKVOp{Span: sp}
	o.X = p.requiredExpr()
	p.expectWord("as")
	p.expect(LPAREN)
	o.Columns = p.columnDecls(RPAREN)
	p.closeParen(RPAREN)
	if p.isWord("with") && p.peek(1).tok == LPAREN {
		p.next()
		o.With = p.propList(false)
	}
	return o
}

// evaluateOp parses `evaluate [hints] plugin(args) [: (schema)]`, after a
// pipe or at the start of a query.
func (p *parser) evaluateOp() Operator {
	first := p.next()
	o := &EvaluateOp{Span: Span{From: first.pos}}
	o.Params = p.opParams(globalParams, false)
	x := p.postfix(p.primary())
	c, ok := x.(*CallExpr)
	if !ok {
		if _, bad := x.(*BadExpr); !bad {
			p.errorAt(x.Pos(), x.End(), CodeExpected, "Expected: plugin call after evaluate")
		}
		c = &CallExpr{Fun: &Ident{NamePos: x.Pos(), EndPos: x.Pos()}, Lparen: x.End() - 1, Rparen: x.End() - 1}
	}
	o.Call = c
	if p.is(COLON) {
		p.next()
		p.expect(LPAREN)
		o.Schema = p.columnDecls(RPAREN)
		if o.Schema == nil {
			o.Schema = []*ColumnDecl{}
		}
		p.closeParen(RPAREN)
	}
	o.To = p.prevEnd()
	return o
}

// renderListProps are the render properties whose value is a column list.
var renderListProps = map[string]bool{"ycolumns": true, "series": true, "anomalycolumns": true}

// render parses `render chart [with (props)]` and the legacy
// `render chart kind=… title=…`.
func (p *parser) render(sp Span) Operator {
	o := &RenderOp{Span: sp, Chart: p.ident()}
	if p.isWord("with") && p.peek(1).tok == LPAREN {
		p.next()
		p.expect(LPAREN)
		for !p.is(RPAREN) && !p.is(EOF) {
			if !p.is(IDENT) {
				p.expected("property name")
				break
			}
			name := p.ident()
			p.expect(ASSIGN)
			o.With = append(o.With, &OpParam{Name: name, Value: p.propValue(renderListProps[name.Name])})
			if !p.is(COMMA) {
				break
			}
			p.next()
		}
		p.closeParen(RPAREN)
		return o
	}
	for p.is(IDENT) && p.peek(1).tok == ASSIGN {
		name := p.ident()
		p.next()
		o.With = append(o.With, &OpParam{Name: name, Value: p.paramValue()})
	}
	return o
}

var scanParams = map[string]bool{"with_match_id": true, "kind": true, "with_step_name": true}

// scan parses `scan [params] [order by …] [partition by …] [declare (…)]
// with (step name [optional] [output=…]: pred [=> a = x, …]; …)`.
func (p *parser) scan(sp Span) Operator {
	o := &ScanOp{Span: sp}
	o.Params = p.opParams(scanParams, false)
	if p.isWord("order") && p.wordAt(1, "by") {
		p.next()
		p.next()
		o.OrderBy = p.sortKeys()
	}
	if p.isWord("partition") && p.wordAt(1, "by") {
		p.next()
		p.next()
		o.PartitionBy = p.exprList()
	}
	if p.isWord("declare") && p.peek(1).tok == LPAREN {
		p.next()
		o.Declare = p.params()
	}
	p.expectWord("with")
	p.expect(LPAREN)
	for p.isWord("step") {
		p.next()
		st := &ScanStep{Name: p.ident()}
		if p.isWord("optional") {
			p.next()
			st.Optional = true
		}
		if p.isWord("output") && p.peek(1).tok == ASSIGN {
			p.next()
			p.next()
			if p.isWord("all") || p.isWord("last") || p.isWord("none") {
				st.Output = p.next().val
			} else {
				p.expected("all, last or none")
			}
		}
		p.expect(COLON)
		st.Pred = p.requiredExpr()
		if p.is(ARROW) {
			p.next()
			for {
				name := p.ident()
				ne := &NamedExpr{Names: []*Ident{name}, Lparen: NoPos, Assign: p.expect(ASSIGN)}
				ne.Value = p.requiredExpr()
				st.Assigns = append(st.Assigns, ne)
				if !p.is(COMMA) {
					break
				}
				p.next()
			}
		}
		p.expect(SEMI)
		o.Steps = append(o.Steps, st)
	}
	if o.Steps == nil {
		p.expected("step")
	}
	p.closeParen(RPAREN)
	return o
}

var reduceParams = map[string]bool{"kind": true}

// reduce parses `reduce [kind=…] by X [with threshold=…, characters=…]`.
func (p *parser) reduce(sp Span) Operator {
	o := &ReduceOp{Span: sp}
	o.Params = p.opParams(reduceParams, false)
	p.expectWord("by")
	o.By = p.requiredExpr()
	if p.isWord("with") {
		p.next()
		for p.is(IDENT) && p.peek(1).tok == ASSIGN {
			name := p.ident()
			p.next()
			o.With = append(o.With, &OpParam{Name: name, Value: p.paramValue()})
			if !p.is(COMMA) {
				break
			}
			p.next()
		}
	}
	return o
}
