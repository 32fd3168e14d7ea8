package syntax

// printExpr parses the `print a = 1, f(x)` source.
func (p *parser) printExpr() Expr {
	pr := &PrintExpr{Keyword: p.next().pos}
	pr.Exprs = p.requiredNamedList()
	return pr
}

// rangeExpr parses the `range x from a to b step s` source.
func (p *parser) rangeExpr() Expr {
	r := &RangeExpr{Keyword: p.next().pos}
	r.Name = p.ident()
	p.expectWord("from")
	r.From = p.requiredExpr()
	if p.expectWord("to") {
		r.To = p.requiredExpr()
	} else {
		r.To = p.bad()
	}
	if p.expectWord("step") {
		r.Step = p.requiredExpr()
	} else {
		r.Step = p.bad()
	}
	return r
}

// datatable parses `datatable [params] (c:t, …) [v, …]`.
func (p *parser) datatable() Expr {
	d := &DataTableExpr{Keyword: p.next().pos}
	d.Params = p.opParams(globalParams, false)
	p.expect(LPAREN)
	d.Columns = p.columnDecls(RPAREN)
	p.closeParen(RPAREN)
	if !p.is(LBRACK) {
		p.expected("[")
		d.Rbrack = p.prevEnd() - 1
		return d
	}
	p.next()
	for !p.is(RBRACK) && !p.is(EOF) {
		d.Values = append(d.Values, p.expr())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	d.Rbrack = p.closeParen(RBRACK)
	return d
}

// externalData parses `externaldata (c:t, …) [uri, …] [with (props)]`.
func (p *parser) externalData() Expr {
	x := &ExternalDataExpr{Keyword: p.next().pos}
	x.Params = p.opParams(globalParams, false)
	p.expect(LPAREN)
	x.Columns = p.columnDecls(RPAREN)
	p.closeParen(RPAREN)
	p.expect(LBRACK)
	for !p.is(RBRACK) && !p.is(EOF) {
		x.URIs = append(x.URIs, p.expr())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.closeParen(RBRACK)
	if p.isWord("with") && p.peek(1).tok == LPAREN {
		p.next()
		x.With = p.propList(false)
	}
	x.EndPos = p.prevEnd()
	return x
}

// inClause parses `in (T1, T2*, …)` of search and find.
func (p *parser) inClause() []Expr {
	if !p.isWord("in") || p.peek(1).tok != LPAREN {
		return nil
	}
	p.next()
	p.next()
	ts := p.unionTables()
	p.closeParen(RPAREN)
	return ts
}

// searchExpr parses `search [kind=…] [in (…)] predicate` as a source.
func (p *parser) searchExpr() *SearchExpr {
	s := &SearchExpr{Keyword: p.next().pos}
	s.Params = p.opParams(globalParams, false)
	s.Tables = p.inClause()
	s.Pred = p.requiredExpr()
	return s
}

// searchOp parses `| search …`.
func (p *parser) searchOp() Operator {
	at := p.cur().pos
	s := p.searchExpr()
	return &SearchOp{Span: Span{From: at, To: p.prevEnd()}, Search: s}
}

// findExpr parses `find [withsource=…] [in (…)] where pred [project …|
// project-smart] [project-away …]`; `where` may be left out when there are
// no parameters and no in clause.
func (p *parser) findExpr() Expr {
	f := &FindExpr{Keyword: p.next().pos}
	f.Params = p.opParams(globalParams, false)
	f.Tables = p.inClause()
	if f.Params != nil || f.Tables != nil || p.isWord("where") {
		p.expectWord("where")
	}
	f.Pred = p.requiredExpr()
	switch p.peekOpName() {
	case "project-smart":
		p.opName()
		f.ProjectSmart = true
	case "project":
		p.opName()
		f.Project = p.findColumns()
	}
	if p.peekOpName() == "project-away" {
		p.opName()
		if p.is(MUL) {
			f.ProjectAway = []Expr{&StarExpr{Star: p.next().pos}}
		} else {
			f.ProjectAway = p.findColumns()
		}
	}
	f.EndPos = p.prevEnd()
	return f
}

// findColumns parses `a, b:type, pack_all()` of find's project clause.
func (p *parser) findColumns() []Expr {
	xs := []Expr{}
	for {
		switch {
		case p.nameLen(0) > 0 && p.peek(p.nameLen(0)).tok == LPAREN:
			xs = append(xs, p.primary())
		default:
			name := p.ident()
			if p.is(COLON) {
				p.next()
				xs = append(xs, &ColumnPattern{Name: name, Type: p.typeExpr()})
			} else {
				xs = append(xs, name)
			}
		}
		if !p.is(COMMA) {
			return xs
		}
		p.next()
	}
}
