package syntax

// summarize parses `summarize [hints] [aggs] [by keys]`.
func (p *parser) summarize(sp Span) Operator {
	o := &SummarizeOp{Span: sp}
	o.Params = p.opParams(nil, true)
	if !p.isWord("by") {
		o.Aggs = p.namedList()
	}
	if p.isWord("by") {
		p.next()
		o.By = p.requiredNamedList()
	}
	if o.Aggs == nil && o.By == nil {
		p.expected("aggregation or by")
	}
	return o
}

var makeSeriesParams = map[string]bool{"kind": true}

// makeSeries parses `make-series [kind=…] aggs on axis (from/to/step |
// in range(…)) [by keys]`.
func (p *parser) makeSeries(sp Span) Operator {
	o := &MakeSeriesOp{Span: sp}
	o.Params = p.opParams(makeSeriesParams, true)
	for {
		a := &MakeSeriesAgg{X: p.namedExpr()}
		if p.isWord("default") && p.peek(1).tok == ASSIGN {
			p.next()
			p.next()
			a.Default = p.requiredExpr()
		}
		o.Aggs = append(o.Aggs, a)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.expectWord("on")
	o.On = p.requiredExpr()
	if p.isWord("in") && p.wordAt(1, "range") && p.peek(2).tok == LPAREN {
		p.next()
		p.next()
		p.next()
		o.From = p.requiredExpr()
		p.expect(COMMA)
		o.To = p.requiredExpr()
		p.expect(COMMA)
		o.Step = p.requiredExpr()
		p.closeParen(RPAREN)
	} else {
		if p.isWord("from") {
			p.next()
			o.From = p.requiredExpr()
		}
		if p.isWord("to") {
			p.next()
			o.To = p.requiredExpr()
		}
		if p.expectWord("step") {
			o.Step = p.requiredExpr()
		} else {
			o.Step = p.bad()
		}
	}
	if p.isWord("by") {
		p.next()
		o.By = p.requiredNamedList()
	}
	return o
}

// topNested parses `top-nested [N] of X [with others = v] by agg [asc|desc],
// top-nested …`.
func (p *parser) topNested(sp Span) Operator {
	o := &TopNestedOp{Span: sp}
	for {
		lv := &TopNestedLevel{Desc: true}
		if !p.isWord("of") {
			lv.N = p.requiredExpr()
		}
		p.expectWord("of")
		lv.Of = p.namedExpr()
		if p.isWord("with") && p.wordAt(1, "others") {
			p.next()
			p.next()
			p.expect(ASSIGN)
			lv.Others = p.requiredExpr()
		}
		p.expectWord("by")
		lv.By = p.namedExpr()
		if p.isWord("asc") {
			p.next()
			lv.Desc = false
		} else if p.isWord("desc") {
			p.next()
		}
		o.Levels = append(o.Levels, lv)
		if !p.is(COMMA) {
			return o
		}
		p.next()
		if p.peekOpName() != "top-nested" {
			p.expected("top-nested")
			return o
		}
		p.opName()
	}
}
