package syntax

import "strings"

// opName reads an operator keyword after '|', joining the parts of a
// hyphenated name (project-away, mv-expand, …) written without spaces.
func (p *parser) opName() string {
	first := p.cur()
	if first.tok != IDENT {
		return ""
	}
	p.next()
	name := first.val
	for p.is(SUB) && p.glued(0) && p.peek(1).tok == IDENT && p.glued(1) {
		p.next()
		name += "-" + p.next().val
	}
	return name
}

// peekOpName returns the operator keyword at the cursor without moving.
func (p *parser) peekOpName() string {
	save := p.p
	name := p.opName()
	p.p = save
	return name
}

// operatorNames are the tabular operators this parser knows.
var operatorNames = map[string]bool{
	"where": true, "filter": true, "extend": true, "project": true, "project-away": true, "project-keep": true,
	"project-rename": true, "project-reorder": true, "project-by-names": true, "summarize": true, "sort": true,
	"order": true, "top": true, "take": true, "limit": true, "distinct": true, "count": true, "join": true,
	"lookup": true, "union": true, "mv-expand": true, "mvexpand": true, "mv-apply": true, "mvapply": true,
	"parse": true, "parse-where": true, "parse-kv": true, "evaluate": true, "render": true, "make-series": true,
	"as": true, "getschema": true, "serialize": true, "invoke": true, "partition": true, "top-nested": true,
	"top-hitters": true, "sample": true, "sample-distinct": true, "facet": true, "fork": true, "scan": true,
	"search": true, "consume": true, "reduce": true, "make-graph": true, "graph-match": true, "graph-merge": true,
	"graph-to-table": true, "graph-shortest-paths": true, "graph-mark-components": true,
}

// atOperator reports whether a tabular operator keyword is at the cursor.
func (p *parser) atOperator() bool {
	return p.is(IDENT) && operatorNames[p.peekOpName()]
}

// operator parses one tabular operator after '|'. An unknown operator is
// reported, skipped up to the next '|', and nil returned.
func (p *parser) operator() Operator {
	if !p.enter() {
		p.leave()
		return nil
	}
	defer p.leave()
	start := p.cur()
	save := p.p
	name := p.opName()
	sp := Span{From: start.pos}
	var op Operator
	switch name {
	case "where", "filter":
		op = &WhereOp{Span: sp, Pred: p.requiredExpr()}
	case "extend":
		op = &ExtendOp{Span: sp, Exprs: p.requiredNamedList()}
	case "project":
		op = &ProjectOp{Span: sp, Exprs: p.namedList()}
	case "project-away":
		o := &ProjectAwayOp{Span: sp}
		if !p.endOfOperator() {
			o.Columns = p.nameList()
		}
		op = o
	case "project-keep":
		op = &ProjectKeepOp{Span: sp, Columns: p.nameList()}
	case "project-by-names":
		op = &ProjectByNamesOp{Span: sp, Exprs: p.exprList()}
	case "project-rename":
		op = p.projectRename(sp)
	case "project-reorder":
		op = p.projectReorder(sp)
	case "summarize":
		op = p.summarize(sp)
	case "sort", "order":
		o := &SortOp{Span: sp, Keyword: name}
		o.Params = p.opParams(nil, false)
		p.expectWord("by")
		o.Keys = p.sortKeys()
		op = o
	case "top":
		op = p.top(sp)
	case "take", "limit":
		op = &TakeOp{Span: sp, Keyword: name, N: p.requiredExpr()}
	case "distinct":
		o := &DistinctOp{Span: sp}
		o.Params = p.opParams(nil, true)
		o.Exprs = p.requiredNamedList()
		op = o
	case "count":
		op = &CountOp{Span: sp}
	case "join":
		op = p.join(sp)
	case "lookup":
		op = p.lookup(sp)
	case "union":
		o := &UnionOp{Span: sp}
		o.Params = p.opParams(globalParams, false)
		o.Tables = p.unionTables()
		op = o
	case "mv-expand", "mvexpand":
		op = p.mvExpand(sp)
	case "mv-apply", "mvapply":
		op = p.mvApply(sp)
	case "parse", "parse-where":
		op = p.parseOp(sp, name == "parse-where")
	case "parse-kv":
		op = p.parseKV(sp)
	case "evaluate":
		p.p = save
		return p.evaluateOp()
	case "render":
		op = p.render(sp)
	case "make-series":
		op = p.makeSeries(sp)
	case "as":
		o := &AsOp{Span: sp}
		o.Params = p.opParams(globalParams, false)
		o.Table = p.ident()
		op = o
	case "getschema":
		op = &GetSchemaOp{Span: sp}
	case "serialize":
		op = &SerializeOp{Span: sp, Exprs: p.namedList()}
	case "invoke":
		o := &InvokeOp{Span: sp}
		x := p.postfix(p.primary())
		c, ok := x.(*CallExpr)
		if !ok {
			p.errorAt(x.Pos(), x.End(), CodeExpected, "Expected: function call after invoke")
			c = &CallExpr{Fun: &Ident{NamePos: x.Pos(), EndPos: x.Pos()}, Lparen: x.End() - 1, Rparen: x.End() - 1}
		}
		o.Call = c
		op = o
	case "partition":
		op = p.partition(sp)
	case "top-nested":
		op = p.topNested(sp)
	case "top-hitters":
		o := &TopHittersOp{Span: sp}
		o.N = p.requiredExpr()
		p.expectWord("of")
		o.Of = p.requiredExpr()
		if p.isWord("by") {
			p.next()
			o.By = p.requiredExpr()
		}
		op = o
	case "sample":
		op = &SampleOp{Span: sp, N: p.requiredExpr()}
	case "sample-distinct":
		o := &SampleDistinctOp{Span: sp}
		o.N = p.requiredExpr()
		p.expectWord("of")
		o.Of = p.requiredExpr()
		op = o
	case "facet":
		op = p.facet(sp)
	case "fork":
		op = p.fork(sp)
	case "scan":
		op = p.scan(sp)
	case "search":
		p.p = save
		return p.searchOp()
	case "consume":
		op = &ConsumeOp{Span: sp, Params: p.opParams(globalParams, false)}
	case "reduce":
		op = p.reduce(sp)
	case "make-graph":
		op = &MakeGraphOp{Span: sp, Text: p.looseText()}
	case "graph-match", "graph-merge", "graph-to-table", "graph-shortest-paths", "graph-mark-components":
		op = &GraphOp{Span: sp, Keyword: name, Text: p.looseText()}
	default:
		if name == "" {
			p.expected("tabular operator")
		} else {
			p.errorAt(start.pos, p.prevEnd(), CodeUnknownOperator, "Unknown tabular operator '%s'", name)
		}
		p.skipUntil(PIPE)
		return nil
	}
	setEnd(op, p.prevEnd(), start.end)
	return op
}

// setEnd records the end of an operator's span: the end of its last
// token, or of its keyword when nothing was consumed after it.
func setEnd(op Operator, end, min Pos) {
	if end < min {
		end = min
	}
	type spanner interface{ setTo(Pos) }
	if s, ok := op.(spanner); ok {
		s.setTo(end)
	}
}

func (s *Span) setTo(p Pos) { s.To = p }

// requiredExpr parses an expression that must be there.
func (p *parser) requiredExpr() Expr {
	if p.endOfOperator() {
		p.expected("expression")
		return p.bad()
	}
	return p.expr()
}

// globalParams are the operator parameter names Kusto knows. Besides
// these, any hint.* name is a parameter.
var globalParams = map[string]bool{
	"bagexpansion": true, "bin_legacy": true, "__crossCluster": true, "__crossDB": true, "decodeblocks": true,
	"expandoutput": true, "flags": true, "__id": true, "isfuzzy": true, "__isFuzzy": true, "best_effort": true,
	"kind": true, "output": true, "with_component_id": true, "__noWithSource": true, "__packedColumn": true,
	"__sourceColumnIndex": true, "with_match_id": true, "with_itemindex": true, "withsource": true,
	"with_source": true, "with_step_name": true, "force_remote": true, "cycles": true,
	"AllowManagedIdentityAuthentication": true, "with_node_id": true, "with_source_id": true, "with_target_id": true,
}

// opParams parses `name=value` operator parameters: hint.* names and the
// names in allowed. When guard is set the operator's arguments follow and
// may themselves start with `name =` (summarize kind = count()): a value
// followed by '(' , '.' or '[' is then not a parameter.
func (p *parser) opParams(allowed map[string]bool, guard bool) []*OpParam {
	var ps []*OpParam
	for p.is(IDENT) {
		it := p.cur()
		isHint := it.val == "hint" && p.peek(1).tok == DOT && p.glued(1) && p.peek(2).tok == IDENT && p.glued(2)
		if isHint {
			if p.peek(3).tok != ASSIGN {
				break
			}
		} else if !allowed[it.val] || p.peek(1).tok != ASSIGN {
			break
		}
		save := p.p
		name := p.dottedIdent()
		p.next() // =
		v := p.paramValue()
		if guard && !isHint && (p.is(LPAREN) || p.is(DOT) || p.is(LBRACK)) {
			p.p = save
			break
		}
		ps = append(ps, &OpParam{Name: name, Value: v})
	}
	return ps
}

// paramValue parses a parameter value: a word (*Ident) or a literal.
func (p *parser) paramValue() Expr {
	it := p.cur()
	switch {
	case it.tok == IDENT && !isBoolWord(it.val) && it.val != "null" && it.val != "dynamic" && it.val != "typeof":
		return p.ident()
	case it.tok == LBRACK:
		return p.ident()
	}
	return p.unaryExpr()
}

// propList parses `(name = value, …)` property lists (with clauses). A
// value may be a list of names when listValues is set (render's ycolumns).
func (p *parser) propList(listValues bool) []*OpParam {
	p.expect(LPAREN)
	var ps []*OpParam
	for !p.is(RPAREN) && !p.is(EOF) {
		if !p.is(IDENT) {
			p.expected("property name")
			break
		}
		name := p.dottedIdent()
		p.expect(ASSIGN)
		ps = append(ps, &OpParam{Name: name, Value: p.propValue(listValues)})
		if !p.is(COMMA) {
			break
		}
		p.next()
	}
	p.closeParen(RPAREN)
	return ps
}

// propValue parses a property value; with listValues, `a, b` (names not
// followed by '=') form a *ListExpr without parentheses.
func (p *parser) propValue(listValues bool) Expr {
	v := p.paramValue()
	id, ok := v.(*Ident)
	if !listValues || !ok {
		return v
	}
	list := &ListExpr{Lparen: NoPos, Elems: []Expr{id}, Rparen: NoPos}
	for p.is(COMMA) && p.nameLen(1) > 0 && p.peek(1+p.nameLen(1)).tok != ASSIGN {
		p.next()
		list.Elems = append(list.Elems, p.ident())
	}
	if len(list.Elems) == 1 {
		return id
	}
	return list
}

func (p *parser) projectRename(sp Span) Operator {
	o := &ProjectRenameOp{Span: sp}
	if p.endOfOperator() {
		return o
	}
	for {
		name := p.ident()
		ne := &NamedExpr{Names: []*Ident{name}, Lparen: NoPos, Assign: p.expect(ASSIGN)}
		ne.Value = p.ident()
		o.Exprs = append(o.Exprs, ne)
		if !p.is(COMMA) {
			return o
		}
		p.next()
	}
}

func (p *parser) projectReorder(sp Span) Operator {
	o := &ProjectReorderOp{Span: sp}
	if p.endOfOperator() {
		return o
	}
	for {
		o.Columns = append(o.Columns, p.namePattern())
		ord := ""
		switch {
		case p.isWord("asc") || p.isWord("desc"):
			ord = p.next().val
		case p.isWord("granny") && p.peek(1).tok == SUB && p.glued(1) && p.glued(2) && (p.wordAt(2, "asc") || p.wordAt(2, "desc")):
			p.next()
			p.next()
			ord = "granny-" + p.next().val
		}
		o.Order = append(o.Order, ord)
		if !p.is(COMMA) {
			return o
		}
		p.next()
	}
}

// sortKeys parses `x [asc|desc] [nulls first|last], …` and applies the
// defaults: descending, nulls last when descending and first when
// ascending.
func (p *parser) sortKeys() []*SortKey {
	var ks []*SortKey
	for {
		ks = append(ks, p.sortKey())
		if !p.is(COMMA) {
			return ks
		}
		p.next()
	}
}

func (p *parser) sortKey() *SortKey {
	k := &SortKey{X: p.requiredExpr(), Desc: true}
	switch {
	case p.isWord("asc"):
		p.next()
		k.Desc, k.Explicit = false, true
	case p.isWord("desc"):
		p.next()
		k.Explicit = true
	}
	k.NullsFirst = !k.Desc
	if p.isWord("nulls") {
		p.next()
		k.NullsSet = true
		switch {
		case p.isWord("first"):
			p.next()
			k.NullsFirst = true
		case p.isWord("last"):
			p.next()
			k.NullsFirst = false
		default:
			p.expected("first or last")
		}
	}
	return k
}

func (p *parser) top(sp Span) Operator {
	o := &TopOp{Span: sp}
	o.Params = p.opParams(nil, true)
	o.N = p.requiredExpr()
	p.expectWord("by")
	o.Key = p.sortKey()
	return o
}

// looseText consumes an operator's arguments up to the next '|' (or the
// end of the enclosing group) and returns them as written, with comments
// removed and each run of whitespace turned into one space.
func (p *parser) looseText() string {
	var sb strings.Builder
	depth := 0
	for {
		it := p.cur()
		if it.tok == EOF || it.tok == SEMI && depth == 0 || it.tok == PIPE && depth == 0 {
			break
		}
		switch it.tok {
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			if depth == 0 {
				return sb.String()
			}
			depth--
		}
		if sb.Len() > 0 && it.space {
			sb.WriteByte(' ')
		}
		sb.WriteString(p.text[it.pos:it.end])
		p.next()
	}
	return sb.String()
}
