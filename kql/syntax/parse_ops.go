package syntax

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// opName reads an operator keyword after '|', joining hyphenated names
// (project-away, mv-expand …) written without spaces.
func (p *parser) opName() (string, item) {
	first := p.cur()
	if first.tok != IDENT {
		return "", first
	}
	name := first.lit
	p.next()
	for p.is(SUB) && !p.cur().spaceBefore && p.peek(1).tok == IDENT && !p.peek(1).spaceBefore {
		p.next()
		name += "-" + p.next().lit
	}
	return name, first
}

// operatorNames are the known tabular operators, for telling a
// contextual sub-query `(take 1)` from a table reference.
var operatorNames = map[string]bool{
	"where": true, "filter": true, "extend": true, "project": true, "project-away": true, "project-keep": true,
	"project-rename": true, "project-reorder": true, "summarize": true, "sort": true, "order": true, "top": true,
	"take": true, "limit": true, "distinct": true, "count": true, "join": true, "lookup": true, "union": true,
	"mv-expand": true, "mvexpand": true, "mv-apply": true, "parse": true, "parse-where": true, "parse-kv": true,
	"evaluate": true, "render": true, "make-series": true, "as": true, "getschema": true, "serialize": true,
	"invoke": true, "partition": true, "top-nested": true, "top-hitters": true, "sample": true,
	"sample-distinct": true, "facet": true, "fork": true, "scan": true, "search": true, "consume": true,
	"make-graph": true, "graph-match": true, "graph-merge": true, "graph-to-table": true,
	"graph-shortest-paths": true, "graph-mark-components": true, "project-smart": true, "extend-smart": true,
	"mvapply": true, "reduce": true, "execute-and-cache": true, "assert-schema": true,
}

func (p *parser) operator() Operator {
	start := p.cur()
	save := p.p
	name, first := p.opName()
	sp := Span{From: first.pos}
	finish := func(op Operator) Operator {
		return op
	}
	var op Operator
	switch name {
	case "where", "filter":
		o := &WhereOp{Span: sp}
		o.Params = p.opParams()
		o.Pred = p.expr()
		op = o
	case "extend", "extend-smart":
		op = &ExtendOp{Span: sp, Exprs: p.assignList()}
	case "project", "project-smart":
		op = &ProjectOp{Span: sp, Exprs: p.assignList()}
	case "project-away":
		op = &ProjectAwayOp{Span: sp, Columns: p.nameList()}
	case "project-by-names":
		op = &ProjectByNamesOp{Span: sp, Exprs: p.exprList()}
	case "project-keep":
		op = &ProjectKeepOp{Span: sp, Columns: p.nameList()}
	case "project-rename":
		o := &ProjectRenameOp{Span: sp}
		for _, x := range p.assignList() {
			if ne, ok := x.(*NamedExpr); ok {
				o.Exprs = append(o.Exprs, ne)
			} else {
				p.errorAt(x.Pos(), x.End(), CodeExpected, "project-rename expects NewName = OldName")
			}
		}
		op = o
	case "project-reorder":
		o := &ProjectReorderOp{Span: sp}
		for {
			o.Columns = append(o.Columns, p.namePattern())
			ord := ""
			if p.isWord("asc") || p.isWord("desc") || p.isWord("granny-asc") || p.isWord("granny-desc") {
				ord = p.next().lit
			} else if p.isWord("granny") && p.peek(1).tok == SUB {
				p.next()
				p.next()
				ord = "granny-" + p.next().lit
			}
			o.Order = append(o.Order, ord)
			if !p.is(COMMA) {
				break
			}
			p.next()
		}
		op = o
	case "summarize":
		o := &SummarizeOp{Span: sp}
		o.Params = p.opParams()
		if !p.isWord("by") {
			o.Aggs = p.assignList()
		}
		if p.isWord("by") {
			p.next()
			o.By = p.assignList()
			if len(o.By) == 0 {
				p.errorAt(p.cur().pos, p.cur().end, CodeExpected, "Expected an expression after 'by'")
			}
		}
		op = o
	case "sort", "order":
		o := &SortOp{Span: sp, Keyword: name}
		o.Params = p.opParams()
		p.expectWord("by")
		o.Keys = p.sortKeys()
		op = o
	case "top":
		o := &TopOp{Span: sp}
		o.N = p.addExpr()
		p.expectWord("by")
		keys := p.sortKeys()
		if len(keys) > 0 {
			o.Key = keys[0]
		} else {
			o.Key = &SortKey{X: &Literal{ValuePos: p.cur().pos, EndPos: p.cur().pos, Kind: LitNull, Type: types.Null}, Desc: true}
		}
		op = o
	case "take", "limit":
		o := &TakeOp{Span: sp, Keyword: name}
		p.opParams()
		o.N = p.expr()
		op = o
	case "distinct":
		o := &DistinctOp{Span: sp}
		o.Params = p.opParams()
		o.Exprs = p.assignList()
		op = o
	case "count":
		op = &CountOp{Span: sp}
	case "join":
		op = p.joinOp(sp)
	case "lookup":
		o := &LookupOp{Span: sp}
		o.Params = p.opParams()
		o.Right = p.rightSide()
		p.expectWord("on")
		o.On = p.exprList()
		op = o
	case "union":
		o := &UnionOp{Span: sp}
		o.Params = p.opParams()
		o.Tables = p.unionTables()
		op = o
	case "mv-expand", "mvexpand":
		o := &MvExpandOp{Span: sp}
		o.Params = p.opParams()
		o.Items = p.mvItems()
		if p.isWord("limit") {
			p.next()
			o.Limit = p.expr()
		}
		op = o
	case "mv-apply", "mvapply":
		o := &MvApplyOp{Span: sp}
		o.Params = p.opParams()
		o.Items = p.mvItems()
		if p.isWord("limit") {
			p.next()
			o.Limit = p.expr()
		}
		if p.isWord("id") && p.peek(1).tok == ASSIGN {
			p.next()
			p.next()
			p.expr()
		}
		p.expectWord("on")
		o.Sub = p.subQuery()
		op = o
	case "parse", "parse-where":
		op = p.parseOp(sp, name == "parse-where")
	case "parse-kv":
		o := &ParseKVOp{Span: sp}
		o.X = p.expr()
		p.expectWord("as")
		p.expect(LPAREN)
		o.Columns = p.columnDecls(RPAREN)
		p.expect(RPAREN)
		if p.isWord("with") {
			p.next()
			o.With = p.parenParams()
		}
		op = o
	case "evaluate":
		p.p = save
		return p.evaluateOp()
	case "render":
		o := &RenderOp{Span: sp}
		if p.is(IDENT) && !p.isWord("with") {
			o.Chart = p.ident()
		}
		if p.isWord("with") {
			p.next()
			p.expect(LPAREN)
			p.skipTo(RPAREN)
			p.expect(RPAREN)
		}
		op = o
	case "make-series":
		op = p.makeSeries(sp)
	case "as":
		o := &AsOp{Span: sp}
		o.Params = p.opParams()
		o.Table = p.ident()
		op = o
	case "getschema":
		op = &GetSchemaOp{Span: sp}
	case "serialize":
		op = &SerializeOp{Span: sp, Exprs: p.assignList()}
	case "invoke":
		o := &InvokeOp{Span: sp}
		x := p.postfix(p.primary())
		c, ok := x.(*CallExpr)
		if !ok {
			p.errorAt(x.Pos(), x.End(), CodeExpected, "invoke expects a function call")
			c = &CallExpr{Fun: &Ident{NamePos: x.Pos(), EndPos: x.End()}, Lparen: x.End(), Rparen: x.End()}
		}
		o.Call = c
		op = o
	case "partition":
		o := &PartitionOp{Span: sp}
		o.Params = p.opParams()
		p.expectWord("by")
		o.By = p.ident()
		p.opParams()
		if p.is(LBRACE) {
			p.next()
			o.Sub = p.contextualPipeline()
			p.expect(RBRACE)
		} else {
			o.Sub = p.subQuery()
		}
		op = o
	case "top-nested":
		op = p.topNested(sp)
	case "top-hitters":
		o := &TopHittersOp{Span: sp}
		o.N = p.addExpr()
		p.expectWord("of")
		o.Of = p.expr()
		if p.isWord("by") {
			p.next()
			o.By = p.expr()
		}
		op = o
	case "sample":
		o := &SampleOp{Span: sp}
		p.opParams()
		o.N = p.expr()
		op = o
	case "sample-distinct":
		o := &SampleDistinctOp{Span: sp}
		p.opParams()
		o.N = p.addExpr()
		p.expectWord("of")
		o.Of = p.expr()
		op = o
	case "facet":
		o := &FacetOp{Span: sp}
		p.expectWord("by")
		o.By = p.nameList()
		if p.isWord("with") {
			p.next()
			o.With = p.subQuery()
		}
		op = o
	case "fork":
		o := &ForkOp{Span: sp}
		for p.is(LPAREN) || (p.is(IDENT) && p.peek(1).tok == ASSIGN) {
			if p.is(IDENT) {
				p.next()
				p.next()
			}
			o.Branches = append(o.Branches, p.subQuery())
		}
		op = o
	case "search":
		op = &SearchOp{Span: sp, Search: p.searchBody(first.pos)}
	case "consume":
		p.opParams()
		op = &ConsumeOp{Span: sp}
	case "scan", "make-graph", "graph-match", "graph-merge", "graph-to-table", "graph-shortest-paths", "graph-mark-components", "reduce", "execute-and-cache", "assert-schema":
		// Parsed loosely: the binder reports them as unsupported.
		p.skipTo(PIPE, SEMI)
		if name == "scan" {
			op = &ScanOp{Span: sp}
		} else if name == "make-graph" {
			op = &MakeGraphOp{Span: sp}
		} else {
			op = &GraphOp{Span: sp, Keyword: name}
		}
	default:
		if name == "" {
			p.unexpected()
		} else {
			p.errorAt(start.pos, p.items[p.p-1].end, CodeUnknownOperator, "Unknown tabular operator '%s'", name)
		}
		return nil
	}
	end := p.items[p.p-1].end
	if p.p == save {
		end = start.end
	}
	setEnd(op, end)
	return finish(op)
}

// setEnd records the end of an operator's span.
func setEnd(op Operator, end Pos) {
	type spanner interface{ setTo(Pos) }
	if s, ok := op.(spanner); ok {
		s.setTo(end)
	}
}

func (s *Span) setTo(p Pos) { s.To = p }

// paramNames are the bare parameter names operators accept before their
// arguments (hint.* names are recognized by prefix).
var paramNames = map[string]bool{
	"kind": true, "withsource": true, "isfuzzy": true, "bagexpansion": true, "with_itemindex": true,
	"flags": true, "decodeblocks": true, "with_match_id": true, "materialized": true, "ignoreFirstRecord": true,
}

// opParams parses `name=value` operator parameters (kind=inner,
// hint.strategy=shuffle, withsource=T …).
func (p *parser) opParams() []*OpParam {
	var ps []*OpParam
	for p.is(IDENT) {
		it := p.cur()
		isHint := it.lit == "hint" && p.peek(1).tok == DOT
		if !isHint && !(paramNames[it.lit] && p.peek(1).tok == ASSIGN) {
			break
		}
		name := p.dottedIdent()
		if !p.is(ASSIGN) {
			p.errorAt(p.cur().pos, p.cur().end, CodeExpected, "Expected '=' after '%s'", name.Name)
			break
		}
		p.next()
		var v Expr
		switch p.cur().tok {
		case IDENT:
			if p.isWord("true") || p.isWord("false") {
				v = p.primary()
			} else {
				v = p.ident()
			}
		default:
			v = p.unaryExpr()
		}
		ps = append(ps, &OpParam{Name: name, Value: v})
	}
	return ps
}

// parenParams parses `(name=value, …)` (with clauses).
func (p *parser) parenParams() []*OpParam {
	p.expect(LPAREN)
	var ps []*OpParam
	for p.is(IDENT) {
		name := p.dottedIdent()
		p.expect(ASSIGN)
		v := p.unaryExpr()
		ps = append(ps, &OpParam{Name: name, Value: v})
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return ps
}

// assignList parses `a = x, (b, c) = y, z`.
func (p *parser) assignList() []Expr {
	var xs []Expr
	if p.endOfOperator() {
		return nil
	}
	for {
		xs = append(xs, p.assignment())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	return xs
}

func (p *parser) endOfOperator() bool {
	switch p.cur().tok {
	case PIPE, SEMI, EOF, RPAREN, RBRACE:
		return true
	}
	return false
}

func (p *parser) assignment() Expr {
	// (a, b) = expr
	if p.is(LPAREN) {
		k := 1
		for p.peek(k).tok == IDENT && (p.peek(k+1).tok == COMMA || p.peek(k+1).tok == RPAREN) {
			if p.peek(k+1).tok == RPAREN {
				if p.peek(k+2).tok == ASSIGN {
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
			k += 2
		}
	}
	isName := p.is(IDENT) || (p.is(LBRACK) && p.peek(1).tok == STRING && p.peek(2).tok == RBRACK)
	if isName {
		k := 1
		if p.is(LBRACK) {
			k = 3
		}
		if p.peek(k).tok == ASSIGN {
			name := p.ident()
			as := p.next().pos
			return &NamedExpr{Names: []*Ident{name}, Lparen: NoPos, Assign: as, Value: p.expr()}
		}
	}
	return p.expr()
}

func (p *parser) exprList() []Expr {
	var xs []Expr
	for {
		xs = append(xs, p.expr())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	return xs
}

func (p *parser) nameList() []*Ident {
	var ns []*Ident
	for {
		ns = append(ns, p.namePattern())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	return ns
}

func (p *parser) sortKeys() []*SortKey {
	var ks []*SortKey
	for {
		k := &SortKey{X: p.expr(), Desc: true}
		if p.isWord("asc") {
			p.next()
			k.Desc, k.Explicit = false, true
		} else if p.isWord("desc") {
			p.next()
			k.Explicit = true
		}
		k.NullsFirst = !k.Desc
		if p.isWord("nulls") {
			p.next()
			k.NullsSet = true
			if p.isWord("first") {
				p.next()
				k.NullsFirst = true
			} else if p.isWord("last") {
				p.next()
				k.NullsFirst = false
			} else {
				p.unexpected()
			}
		}
		ks = append(ks, k)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	return ks
}

// rightSide parses the right table of join/lookup: a parenthesized
// query, or a table name/call.
func (p *parser) rightSide() Expr {
	if p.is(LPAREN) {
		lp := p.next().pos
		x := p.pipeExpr()
		rp := p.cur().pos
		p.expect(RPAREN)
		if x == nil {
			x = &Ident{NamePos: lp, EndPos: lp}
		}
		return &ParenExpr{Lparen: lp, X: x, Rparen: rp}
	}
	return p.postfix(p.primary())
}

func (p *parser) joinOp(sp Span) Operator {
	o := &JoinOp{Span: sp}
	o.Params = p.opParams()
	o.Right = p.rightSide()
	if p.isWord("on") {
		p.next()
		o.On = p.exprList()
	} else if p.isWord("where") {
		p.next()
		o.Where = p.expr()
	} else {
		p.expectWord("on")
	}
	return o
}

// unionTables parses the table list of union.
func (p *parser) unionTables() []Expr {
	var ts []Expr
	for {
		var t Expr
		switch {
		case p.is(LPAREN):
			t = p.rightSide()
		case p.is(MUL) || (p.is(IDENT) && (p.peek(1).tok == MUL && !p.peek(1).spaceBefore)):
			t = p.namePattern()
		default:
			t = p.postfix(p.primary())
		}
		ts = append(ts, t)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	return ts
}

func (p *parser) mvItems() []*MvExpandItem {
	var items []*MvExpandItem
	for {
		it := &MvExpandItem{X: p.assignment()}
		if p.isWord("to") && p.wordAt(1, "typeof") {
			p.next()
			p.next()
			p.expect(LPAREN)
			it.To = p.typeExpr()
			p.expect(RPAREN)
		}
		items = append(items, it)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	return items
}

// subQuery parses a parenthesized sub-query that may start with an
// operator, applied to the enclosing operator's input.
func (p *parser) subQuery() Expr {
	lp := p.expect(LPAREN)
	x := p.contextualPipeline()
	rp := p.cur().pos
	p.expect(RPAREN)
	return &ParenExpr{Lparen: lp, X: x, Rparen: rp}
}

// hyphenName returns the operator keyword at the cursor without moving.
func (p *parser) hyphenName() string {
	save := p.p
	name, _ := p.opName()
	p.p = save
	return name
}

func (p *parser) contextualPipeline() Expr {
	if p.is(IDENT) && operatorNames[p.hyphenName()] && !(p.peek(1).tok == PIPE || p.peek(1).tok == RPAREN) {
		at := p.cur().pos
		op := p.operator()
		var src Expr = &ContextualSource{At: at}
		if op != nil {
			src = &PipeExpr{Source: src, Bar: at, Op: op}
		}
		return p.pipeOps(src)
	}
	if p.is(IDENT) && (p.cur().lit == "count" || p.cur().lit == "getschema" || p.cur().lit == "consume") {
		at := p.cur().pos
		op := p.operator()
		return p.pipeOps(&PipeExpr{Source: &ContextualSource{At: at}, Bar: at, Op: op})
	}
	x := p.pipeExpr()
	if x == nil {
		return &ContextualSource{At: p.cur().pos}
	}
	return x
}

func (p *parser) parseOp(sp Span, where bool) Operator {
	o := &ParseOp{Span: sp, Where: where}
	o.Params = p.opParams()
	o.X = p.expr()
	p.expectWord("with")
	for !p.endOfOperator() {
		it := p.cur()
		switch it.tok {
		case STRING:
			o.Pattern = append(o.Pattern, p.stringLiteral())
		case MUL:
			p.next()
			o.Pattern = append(o.Pattern, &StarExpr{Star: it.pos})
		case IDENT, LBRACK:
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
	return o
}

func (p *parser) evaluateOp() Operator {
	first := p.next()
	o := &EvaluateOp{Span: Span{From: first.pos}}
	o.Params = p.opParams()
	x := p.postfix(p.primary())
	c, ok := x.(*CallExpr)
	if !ok {
		p.errorAt(x.Pos(), x.End(), CodeExpected, "evaluate expects a plugin call")
		c = &CallExpr{Fun: &Ident{NamePos: x.Pos(), EndPos: x.End()}, Lparen: x.End(), Rparen: x.End()}
	}
	o.Call = c
	if p.is(COLON) {
		p.next()
		p.expect(LPAREN)
		o.Schema = p.columnDecls(RPAREN)
		p.expect(RPAREN)
	}
	o.To = p.items[p.p-1].end
	return o
}

func (p *parser) makeSeries(sp Span) Operator {
	o := &MakeSeriesOp{Span: sp}
	o.Params = p.opParams()
	for !p.isWord("on") && !p.endOfOperator() {
		a := &MakeSeriesAgg{X: p.assignment()}
		if p.isWord("default") && p.peek(1).tok == ASSIGN {
			p.next()
			p.next()
			a.Default = p.unaryExpr()
		}
		o.Aggs = append(o.Aggs, a)
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.expectWord("on")
	o.On = p.expr()
	if p.isWord("in") && p.wordAt(1, "range") {
		p.next()
		p.next()
		p.expect(LPAREN)
		o.From = p.expr()
		p.expect(COMMA)
		o.To = p.expr()
		p.expect(COMMA)
		o.Step = p.expr()
		p.expect(RPAREN)
	} else {
		if p.isWord("from") {
			p.next()
			o.From = p.expr()
		}
		if p.isWord("to") {
			p.next()
			o.To = p.expr()
		}
		if p.expectWord("step") {
			o.Step = p.expr()
		}
	}
	if p.isWord("by") {
		p.next()
		o.By = p.assignList()
	}
	return o
}

func (p *parser) topNested(sp Span) Operator {
	o := &TopNestedOp{Span: sp}
	for {
		lv := &TopNestedLevel{Desc: true}
		if !p.isWord("of") {
			lv.N = p.addExpr()
		}
		p.expectWord("of")
		lv.Of = p.assignment()
		if p.isWord("with") && p.wordAt(1, "others") {
			p.next()
			p.next()
			p.expect(ASSIGN)
			lv.Others = p.unaryExpr()
		}
		p.expectWord("by")
		lv.By = p.assignment()
		if p.isWord("asc") {
			p.next()
			lv.Desc = false
		} else if p.isWord("desc") {
			p.next()
		}
		o.Levels = append(o.Levels, lv)
		if !p.is(COMMA) {
			break
		}
		p.next()
		if p.isWord("top-nested") || (p.isWord("top") && p.peek(1).tok == SUB) {
			p.opName()
		}
	}
	return o
}

// ---------------------------------------------------------------------------
// Sources

func (p *parser) datatable() Expr {
	d := &DataTableExpr{Keyword: p.next().pos}
	p.opParams()
	p.expect(LPAREN)
	d.Columns = p.columnDecls(RPAREN)
	p.expect(RPAREN)
	p.expect(LBRACK)
	for !p.is(RBRACK) && !p.is(EOF) {
		d.Values = append(d.Values, p.expr())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	d.Rbrack = p.cur().pos
	p.expect(RBRACK)
	return d
}

func (p *parser) printExpr() Expr {
	pr := &PrintExpr{Keyword: p.next().pos}
	pr.Exprs = p.assignList()
	return pr
}

func (p *parser) rangeExpr() Expr {
	r := &RangeExpr{Keyword: p.next().pos}
	r.Name = p.ident()
	p.expectWord("from")
	r.From = p.expr()
	p.expectWord("to")
	r.To = p.expr()
	p.expectWord("step")
	r.Step = p.expr()
	return r
}

func (p *parser) unionExpr() Expr {
	u := &UnionExpr{Keyword: p.next().pos}
	u.Params = p.opParams()
	u.Tables = p.unionTables()
	u.EndPos = p.items[p.p-1].end
	return u
}

func (p *parser) searchExpr() Expr {
	kw := p.next().pos
	return p.searchBody(kw)
}

func (p *parser) searchBody(kw Pos) *SearchExpr {
	s := &SearchExpr{Keyword: kw}
	s.Params = p.opParams()
	if p.isWord("in") && p.peek(1).tok == LPAREN {
		p.next()
		p.next()
		s.Tables = p.unionTables()
		p.expect(RPAREN)
	}
	s.Pred = p.expr()
	return s
}

func (p *parser) findExpr() Expr {
	f := &FindExpr{Keyword: p.next().pos}
	f.Params = p.opParams()
	if p.isWord("in") && p.peek(1).tok == LPAREN {
		p.next()
		p.next()
		f.Tables = p.unionTables()
		p.expect(RPAREN)
	}
	p.expectWord("where")
	f.Pred = p.expr()
	if p.isWord("project") || p.isWord("project-smart") {
		p.opName()
		f.Project = p.assignList()
		if f.Project == nil {
			f.Project = []Expr{}
		}
	}
	f.EndPos = p.items[p.p-1].end
	return f
}

func (p *parser) externalData() Expr {
	x := &ExternalDataExpr{Keyword: p.next().pos}
	p.expect(LPAREN)
	x.Columns = p.columnDecls(RPAREN)
	p.expect(RPAREN)
	p.expect(LBRACK)
	for !p.is(RBRACK) && !p.is(EOF) {
		x.URIs = append(x.URIs, p.expr())
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.expect(RBRACK)
	if p.isWord("with") {
		p.next()
		x.With = p.parenParams()
	}
	x.EndPos = p.items[p.p-1].end
	return x
}

var _ = strings.TrimSpace
