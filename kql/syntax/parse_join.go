package syntax

// join parses `join [kind=…] [hints] Right (on keys | where pred)`. Right is
// any expression: a table name, a call or a parenthesized query.
func (p *parser) join(sp Span) Operator {
	o := &JoinOp{Span: sp}
	o.Params = p.opParams(globalParams, false)
	o.Right = p.joinRight()
	switch {
	case p.isWord("on"):
		p.next()
		o.On = p.exprList()
	case p.isWord("where"):
		p.next()
		o.Where = p.requiredExpr()
	default:
		p.expected("on")
	}
	return o
}

// joinRight parses the right table of join and lookup.
func (p *parser) joinRight() Expr {
	if p.endOfOperator() || p.isWord("on") {
		p.expected("table")
		return p.bad()
	}
	return p.expr()
}

func (p *parser) lookup(sp Span) Operator {
	o := &LookupOp{Span: sp}
	o.Params = p.opParams(globalParams, false)
	o.Right = p.joinRight()
	p.expectWord("on")
	o.On = p.exprList()
	return o
}

// unionTables parses the table list of union.
func (p *parser) unionTables() []Expr {
	if p.endOfOperator() {
		p.expected("table")
		return []Expr{p.bad()}
	}
	var ts []Expr
	for {
		ts = append(ts, p.tableRef())
		if !p.is(COMMA) {
			return ts
		}
		p.next()
	}
}

// unionExpr parses `union [params] T1, T2, …` as a source.
func (p *parser) unionExpr() Expr {
	u := &UnionExpr{Keyword: p.next().pos}
	u.Params = p.opParams(globalParams, false)
	u.Tables = p.unionTables()
	u.EndPos = p.prevEnd()
	return u
}

var mvExpandParams = map[string]bool{"kind": true, "bagexpansion": true, "with_itemindex": true}

// mvItems parses `x [to typeof(t)], name = y [to typeof(t)], …`.
func (p *parser) mvItems() []*MvExpandItem {
	var items []*MvExpandItem
	for {
		it := &MvExpandItem{X: p.namedExpr()}
		if p.isWord("to") && p.wordAt(1, "typeof") && p.peek(2).tok == LPAREN {
			p.next()
			p.next()
			p.next()
			it.To = p.typeExpr()
			p.closeParen(RPAREN)
		}
		items = append(items, it)
		if !p.is(COMMA) {
			return items
		}
		p.next()
	}
}

func (p *parser) mvExpand(sp Span) Operator {
	o := &MvExpandOp{Span: sp}
	o.Params = p.opParams(mvExpandParams, true)
	o.Items = p.mvItems()
	if p.isWord("limit") {
		p.next()
		o.Limit = p.requiredExpr()
	}
	return o
}

var mvApplyParams = map[string]bool{"with_itemindex": true}

func (p *parser) mvApply(sp Span) Operator {
	o := &MvApplyOp{Span: sp}
	o.Params = p.opParams(mvApplyParams, true)
	o.Items = p.mvItems()
	if p.isWord("limit") {
		p.next()
		o.Limit = p.requiredExpr()
	}
	p.expectWord("on")
	o.Sub = p.subQuery()
	return o
}

// partition parses `partition [hints] by Col (subquery)` and the braced
// form `partition [hints] by Col { query }`.
func (p *parser) partition(sp Span) Operator {
	o := &PartitionOp{Span: sp}
	o.Params = p.opParams(globalParams, false)
	p.expectWord("by")
	o.By = p.ident()
	if p.is(LBRACE) {
		p.next()
		o.Braced = true
		o.Sub = p.pipeExpr(false)
		p.closeParen(RBRACE)
	} else {
		o.Sub = p.subQuery()
	}
	return o
}

// fork parses `fork [name=](subquery) …`.
func (p *parser) fork(sp Span) Operator {
	o := &ForkOp{Span: sp}
	for {
		switch {
		case p.is(LPAREN):
			o.Branches = append(o.Branches, p.subQuery())
			continue
		case p.isNameAssign() && p.peek(p.nameLen(0)+1).tok == LPAREN:
			name := p.ident()
			as := p.next().pos
			o.Branches = append(o.Branches, &NamedExpr{Names: []*Ident{name}, Lparen: NoPos, Assign: as, Value: p.subQuery()})
			continue
		}
		break
	}
	if len(o.Branches) == 0 {
		p.expected("(")
	}
	return o
}

// facet parses `facet by a, b [with (subquery) | with operator]`.
func (p *parser) facet(sp Span) Operator {
	o := &FacetOp{Span: sp}
	p.expectWord("by")
	o.By = p.nameList()
	if p.isWord("with") {
		p.next()
		if p.is(LPAREN) {
			o.With = p.subQuery()
		} else {
			at := p.cur().pos
			if op := p.operator(); op != nil {
				o.With = &PipeExpr{Source: &ContextualSource{At: at}, Bar: NoPos, Op: op}
			} else {
				o.With = &BadExpr{From: at, To: p.prevEnd()}
			}
		}
	}
	return o
}
