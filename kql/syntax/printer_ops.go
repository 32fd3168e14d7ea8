package syntax

// op prints a tabular operator (without the pipe before it).
func (p *printer) op(o Operator) {
	switch o := o.(type) {
	case *WhereOp:
		p.w("where")
		p.opParams(o.Params)
		p.w(" ")
		p.expr(o.Pred, precExpr)
	case *ExtendOp:
		p.w("extend ")
		p.list(o.Exprs, precExpr)
	case *ProjectOp:
		p.w("project")
		p.spacedList(o.Exprs)
	case *ProjectAwayOp:
		p.w("project-away")
		p.nameList(o.Columns)
	case *ProjectKeepOp:
		p.w("project-keep")
		p.nameList(o.Columns)
	case *ProjectByNamesOp:
		p.w("project-by-names")
		p.spacedList(o.Exprs)
	case *ProjectRenameOp:
		p.w("project-rename")
		for i, ne := range o.Exprs {
			if i > 0 {
				p.w(",")
			}
			p.w(" ")
			p.namedExpr(ne)
		}
	case *ProjectReorderOp:
		p.w("project-reorder")
		for i, c := range o.Columns {
			if i > 0 {
				p.w(",")
			}
			p.w(" ")
			p.name(c)
			if i < len(o.Order) && o.Order[i] != "" {
				p.w(" " + o.Order[i])
			}
		}
	case *SummarizeOp:
		p.w("summarize")
		p.opParams(o.Params)
		p.spacedList(o.Aggs)
		if o.By != nil {
			p.w(" by")
			p.spacedList(o.By)
		}
	case *SortOp:
		p.w(o.Keyword)
		p.opParams(o.Params)
		p.w(" by ")
		for i, k := range o.Keys {
			if i > 0 {
				p.w(", ")
			}
			p.sortKey(k)
		}
	case *TopOp:
		p.w("top")
		p.opParams(o.Params)
		p.w(" ")
		p.expr(o.N, precExpr)
		p.w(" by ")
		p.sortKey(o.Key)
	case *TakeOp:
		p.w(o.Keyword + " ")
		p.expr(o.N, precExpr)
	case *DistinctOp:
		p.w("distinct")
		p.opParams(o.Params)
		p.spacedList(o.Exprs)
	case *CountOp:
		p.w("count")
	case *JoinOp:
		p.w("join")
		p.opParams(o.Params)
		p.w(" ")
		p.expr(o.Right, precExpr)
		if o.On != nil {
			p.w(" on ")
			p.list(o.On, precExpr)
		}
		if o.Where != nil {
			p.w(" where ")
			p.expr(o.Where, precExpr)
		}
	case *LookupOp:
		p.w("lookup")
		p.opParams(o.Params)
		p.w(" ")
		p.expr(o.Right, precExpr)
		p.w(" on ")
		p.list(o.On, precExpr)
	case *UnionOp:
		p.w("union")
		p.opParams(o.Params)
		p.w(" ")
		p.list(o.Tables, precPostfix)
	case *MvExpandOp:
		p.w("mv-expand")
		p.opParams(o.Params)
		p.mvItems(o.Items)
		if o.Limit != nil {
			p.w(" limit ")
			p.expr(o.Limit, precExpr)
		}
	case *MvApplyOp:
		p.w("mv-apply")
		p.opParams(o.Params)
		p.mvItems(o.Items)
		if o.Limit != nil {
			p.w(" limit ")
			p.expr(o.Limit, precExpr)
		}
		p.w(" on ")
		p.subQuery(o.Sub)
	case *ParseOp:
		p.w(o.Name())
		p.opParams(o.Params)
		p.w(" ")
		p.expr(o.X, precExpr)
		p.w(" with")
		for _, e := range o.Pattern {
			p.w(" ")
			p.expr(e, precPostfix)
		}
	case *ParseKVOp:
		p.w("parse-kv ")
		p.expr(o.X, precExpr)
		p.w(" as (")
		p.columnDecls(o.Columns)
		p.w(")")
		if o.With != nil {
			p.w(" with ")
			p.propList(o.With)
		}
	case *EvaluateOp:
		p.w("evaluate")
		p.opParams(o.Params)
		p.w(" ")
		p.expr(o.Call, precPostfix)
		if o.Schema != nil {
			p.w(" : (")
			p.columnDecls(o.Schema)
			p.w(")")
		}
	case *RenderOp:
		p.w("render ")
		p.word(o.Chart)
		if o.With != nil {
			p.w(" with ")
			p.propList(o.With)
		}
	case *MakeSeriesOp:
		p.w("make-series")
		p.opParams(o.Params)
		for i, a := range o.Aggs {
			if i > 0 {
				p.w(",")
			}
			p.w(" ")
			p.makeSeriesAgg(a)
		}
		p.w(" on ")
		p.expr(o.On, precExpr)
		if o.From != nil {
			p.w(" from ")
			p.expr(o.From, precExpr)
		}
		if o.To != nil {
			p.w(" to ")
			p.expr(o.To, precExpr)
		}
		p.w(" step ")
		p.expr(o.Step, precExpr)
		if o.By != nil {
			p.w(" by")
			p.spacedList(o.By)
		}
	case *AsOp:
		p.w("as")
		p.opParams(o.Params)
		p.w(" ")
		p.name(o.Table)
	case *GetSchemaOp:
		p.w("getschema")
	case *SerializeOp:
		p.w("serialize")
		p.spacedList(o.Exprs)
	case *InvokeOp:
		p.w("invoke ")
		p.expr(o.Call, precPostfix)
	case *PartitionOp:
		p.w("partition")
		p.opParams(o.Params)
		p.w(" by ")
		p.name(o.By)
		p.w(" ")
		if o.Braced {
			p.inline++
			p.w("{ ")
			p.expr(o.Sub, precPipe)
			p.w(" }")
			p.inline--
		} else {
			p.subQuery(o.Sub)
		}
	case *TopNestedOp:
		for i, lv := range o.Levels {
			if i > 0 {
				p.w(", ")
			}
			p.topNestedLevel(lv)
		}
	case *TopHittersOp:
		p.w("top-hitters ")
		p.expr(o.N, precExpr)
		p.w(" of ")
		p.expr(o.Of, precExpr)
		if o.By != nil {
			p.w(" by ")
			p.expr(o.By, precExpr)
		}
	case *SampleOp:
		p.w("sample ")
		p.expr(o.N, precExpr)
	case *SampleDistinctOp:
		p.w("sample-distinct ")
		p.expr(o.N, precExpr)
		p.w(" of ")
		p.expr(o.Of, precExpr)
	case *FacetOp:
		p.w("facet by")
		p.nameList(o.By)
		if o.With != nil {
			p.w(" with ")
			if _, ok := o.With.(*ParenExpr); ok {
				p.subQuery(o.With)
			} else {
				p.expr(o.With, precPipe)
			}
		}
	case *ForkOp:
		p.w("fork")
		for _, b := range o.Branches {
			p.w(" ")
			if ne, ok := b.(*NamedExpr); ok && len(ne.Names) == 1 {
				p.name(ne.Names[0])
				p.w(" = ")
				p.subQuery(ne.Value)
				continue
			}
			p.subQuery(b)
		}
	case *ScanOp:
		p.scan(o)
	case *SearchOp:
		p.search(o.Search)
	case *ConsumeOp:
		p.w("consume")
		p.opParams(o.Params)
	case *ReduceOp:
		p.w("reduce")
		p.opParams(o.Params)
		p.w(" by ")
		p.expr(o.By, precExpr)
		if o.With != nil {
			p.w(" with ")
			for i, prm := range o.With {
				if i > 0 {
					p.w(", ")
				}
				p.opParam(prm, false)
			}
		}
	case *MakeGraphOp:
		p.w("make-graph")
		if o.Text != "" {
			p.w(" " + o.Text)
		}
	case *GraphOp:
		p.w(o.Keyword)
		if o.Text != "" {
			p.w(" " + o.Text)
		}
	}
}

// spacedList prints ` a, b` (nothing for an empty list).
func (p *printer) spacedList(xs []Expr) {
	if len(xs) == 0 {
		return
	}
	p.w(" ")
	p.list(xs, precExpr)
}

func (p *printer) nameList(ns []*Ident) {
	for i, n := range ns {
		if i > 0 {
			p.w(",")
		}
		p.w(" ")
		p.name(n)
	}
}

// subQuery prints a parenthesized contextual sub-query.
func (p *printer) subQuery(x Expr) {
	if _, ok := x.(*ParenExpr); ok {
		p.expr(x, precPostfix)
		return
	}
	p.inline++
	p.w("(")
	p.expr(x, precPipe)
	p.w(")")
	p.inline--
}

// opParams prints ` name=value` for each parameter.
func (p *printer) opParams(ps []*OpParam) {
	for _, prm := range ps {
		p.w(" ")
		p.opParam(prm, false)
	}
}

func (p *printer) opParam(prm *OpParam, _ bool) {
	p.word(prm.Name)
	p.w("=")
	switch v := prm.Value.(type) {
	case *Ident:
		p.word(v)
	case *ListExpr:
		for i, e := range v.Elems {
			if i > 0 {
				p.w(", ")
			}
			if id, ok := e.(*Ident); ok {
				p.word(id)
			} else {
				p.expr(e, precUnary)
			}
		}
	default:
		p.expr(v, precUnary)
	}
}

// propList prints `(name=value, …)`.
func (p *printer) propList(ps []*OpParam) {
	p.w("(")
	for i, prm := range ps {
		if i > 0 {
			p.w(", ")
		}
		p.opParam(prm, true)
	}
	p.w(")")
}

func (p *printer) sortKey(k *SortKey) {
	if k == nil {
		return
	}
	p.expr(k.X, precExpr)
	if k.Explicit {
		if k.Desc {
			p.w(" desc")
		} else {
			p.w(" asc")
		}
	}
	if k.NullsSet {
		if k.NullsFirst {
			p.w(" nulls first")
		} else {
			p.w(" nulls last")
		}
	}
}

func (p *printer) mvItems(items []*MvExpandItem) {
	for i, it := range items {
		if i > 0 {
			p.w(",")
		}
		p.w(" ")
		p.mvItem(it)
	}
}

func (p *printer) mvItem(it *MvExpandItem) {
	if ne, ok := it.X.(*NamedExpr); ok {
		p.namedExpr(ne)
	} else {
		p.expr(it.X, precExpr)
	}
	if it.To != nil {
		p.w(" to typeof(")
		p.typeExpr(it.To)
		p.w(")")
	}
}

func (p *printer) makeSeriesAgg(a *MakeSeriesAgg) {
	if ne, ok := a.X.(*NamedExpr); ok {
		p.namedExpr(ne)
	} else {
		p.expr(a.X, precExpr)
	}
	if a.Default != nil {
		p.w(" default = ")
		p.expr(a.Default, precExpr)
	}
}

func (p *printer) topNestedLevel(lv *TopNestedLevel) {
	p.w("top-nested")
	if lv.N != nil {
		p.w(" ")
		p.expr(lv.N, precExpr)
	}
	p.w(" of ")
	p.list([]Expr{lv.Of}, precExpr)
	if lv.Others != nil {
		p.w(" with others = ")
		p.expr(lv.Others, precExpr)
	}
	p.w(" by ")
	p.list([]Expr{lv.By}, precExpr)
	if !lv.Desc {
		p.w(" asc")
	}
}

func (p *printer) scan(o *ScanOp) {
	p.w("scan")
	p.opParams(o.Params)
	if o.OrderBy != nil {
		p.w(" order by ")
		for i, k := range o.OrderBy {
			if i > 0 {
				p.w(", ")
			}
			p.sortKey(k)
		}
	}
	if o.PartitionBy != nil {
		p.w(" partition by ")
		p.list(o.PartitionBy, precExpr)
	}
	if o.Declare != nil {
		p.w(" declare ")
		p.params(o.Declare)
	}
	p.w(" with (")
	p.inline++
	for _, st := range o.Steps {
		p.w(" ")
		p.scanStep(st)
	}
	p.inline--
	p.w(" )")
}

func (p *printer) scanStep(st *ScanStep) {
	p.w("step ")
	p.name(st.Name)
	if st.Optional {
		p.w(" optional")
	}
	if st.Output != "" {
		p.w(" output=" + st.Output)
	}
	p.w(": ")
	p.expr(st.Pred, precExpr)
	if st.Assigns != nil {
		p.w(" =>")
		for i, a := range st.Assigns {
			if i > 0 {
				p.w(",")
			}
			p.w(" ")
			p.namedExpr(a)
		}
	}
	p.w(";")
}
