package syntax

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Print renders a node as KQL text. The output parses back to the same
// tree (positions aside): Print(Parse(Print(Parse(q)))) == Print(Parse(q)).
func Print(n Node) string {
	p := &printer{}
	p.node(n)
	return p.sb.String()
}

type printer struct{ sb strings.Builder }

func (p *printer) w(s string) { p.sb.WriteString(s) }

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case *Script:
		for i, st := range n.Stmts {
			if i > 0 {
				p.w(";\n")
			}
			p.node(st)
		}
	case Stmt:
		p.stmt(n)
	case Expr:
		p.expr(n)
	case Operator:
		p.op(n)
	}
}

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		p.w("let ")
		p.ident(s.Name)
		p.w(" = ")
		p.expr(s.Value)
	case *SetStmt:
		p.w("set " + s.Name.Name)
		if s.Value != nil {
			p.w(" = ")
			p.expr(s.Value)
		}
	case *DeclareStmt:
		p.w("declare query_parameters")
		p.params(s.Params)
	case *PatternStmt:
		p.w("declare pattern ")
		p.ident(s.Name)
	case *ExprStmt:
		p.expr(s.X)
	}
}

func (p *printer) params(ps []*Param) {
	p.w("(")
	for i, prm := range ps {
		if i > 0 {
			p.w(", ")
		}
		p.ident(prm.Name)
		switch {
		case prm.Tabular && prm.Columns == nil:
			p.w(":(*)")
		case prm.Tabular:
			p.w(":(")
			p.columns(prm.Columns)
			p.w(")")
		case prm.Type != nil:
			p.w(":" + prm.Type.Type.String())
		}
		if prm.Default != nil {
			p.w(" = ")
			p.expr(prm.Default)
		}
	}
	p.w(")")
}

func (p *printer) columns(cs []*ColumnDecl) {
	for i, c := range cs {
		if i > 0 {
			p.w(", ")
		}
		p.ident(c.Name)
		p.w(":" + c.Type.Type.String())
	}
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (p *printer) ident(id *Ident) {
	if !id.Quoted && (isPlainName(id.Name) || strings.ContainsAny(id.Name, "*")) {
		p.w(id.Name)
		return
	}
	p.w("[" + quote(id.Name) + "]")
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (p *printer) list(xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			p.w(", ")
		}
		p.expr(x)
	}
}

func (p *printer) expr(x Expr) {
	switch x := x.(type) {
	case nil:
	case *Ident:
		p.ident(x)
	case *Literal:
		p.literal(x)
	case *UnaryExpr:
		p.w(x.Op)
		p.expr(x.X)
	case *BinaryExpr:
		p.w("(")
		p.expr(x.X)
		p.w(" " + x.Op + " ")
		p.expr(x.Y)
		p.w(")")
	case *InExpr:
		p.w("(")
		p.expr(x.X)
		p.w(" " + x.Op + " (")
		p.list(x.List)
		p.w("))")
	case *BetweenExpr:
		p.w("(")
		p.expr(x.X)
		if x.Not {
			p.w(" !between (")
		} else {
			p.w(" between (")
		}
		p.expr(x.Lo)
		p.w(" .. ")
		p.expr(x.Hi)
		p.w("))")
	case *CallExpr:
		p.ident(x.Fun)
		p.w("(")
		p.list(x.Args)
		p.w(")")
	case *StarExpr:
		p.w("*")
	case *ParenExpr:
		switch x.X.(type) {
		case *BinaryExpr, *InExpr, *BetweenExpr, *Literal, *Ident, *CallExpr, *ParenExpr:
			// These print their own grouping (or need none).
			p.expr(x.X)
		default:
			p.w("(")
			p.expr(x.X)
			p.w(")")
		}
	case *ListExpr:
		p.w("(")
		p.list(x.Elems)
		p.w(")")
	case *IndexExpr:
		p.expr(x.X)
		p.w("[")
		p.expr(x.Index)
		p.w("]")
	case *SelectorExpr:
		p.expr(x.X)
		p.w(".")
		p.ident(x.Sel)
	case *NamedExpr:
		if len(x.Names) == 1 && !x.Lparen.IsValid() {
			p.ident(x.Names[0])
		} else {
			p.w("(")
			for i, n := range x.Names {
				if i > 0 {
					p.w(", ")
				}
				p.ident(n)
			}
			p.w(")")
		}
		p.w(" = ")
		p.expr(x.Value)
	case *TypeExpr:
		p.w(x.Type.String())
	case *FuncLit:
		if x.View {
			p.w("view ")
		}
		p.params(x.Params)
		p.w(" { ")
		for i, st := range x.Body {
			if i > 0 {
				p.w("; ")
			}
			p.stmt(st)
		}
		p.w(" }")
	case *PipeExpr:
		if _, ok := x.Source.(*ContextualSource); ok {
			p.op(x.Op)
			return
		}
		p.expr(x.Source)
		p.w("\n| ")
		p.op(x.Op)
	case *ContextualSource:
	case *DataTableExpr:
		p.w("datatable(")
		p.columns(x.Columns)
		p.w(") [")
		p.list(x.Values)
		p.w("]")
	case *ExternalDataExpr:
		p.w("externaldata(")
		p.columns(x.Columns)
		p.w(") [")
		p.list(x.URIs)
		p.w("]")
		if len(x.With) > 0 {
			p.w(" with (")
			p.opParams(x.With, ", ")
			p.w(")")
		}
	case *PrintExpr:
		p.w("print ")
		p.list(x.Exprs)
	case *RangeExpr:
		p.w("range ")
		p.ident(x.Name)
		p.w(" from ")
		p.expr(x.From)
		p.w(" to ")
		p.expr(x.To)
		p.w(" step ")
		p.expr(x.Step)
	case *UnionExpr:
		p.w("union ")
		p.opParams(x.Params, " ")
		p.list(x.Tables)
	case *SearchExpr:
		p.search(x)
	case *FindExpr:
		p.w("find ")
		p.opParams(x.Params, " ")
		if len(x.Tables) > 0 {
			p.w("in (")
			p.list(x.Tables)
			p.w(") ")
		}
		p.w("where ")
		p.expr(x.Pred)
		if x.Project != nil {
			p.w(" project ")
			p.list(x.Project)
		}
	case *ColumnPattern:
		p.ident(x.Name)
		if x.Type != nil {
			p.w(":" + x.Type.Type.String())
		}
	default:
		p.w(fmt.Sprintf("/*%T*/", x))
	}
}

func (p *printer) search(x *SearchExpr) {
	p.w("search ")
	p.opParams(x.Params, " ")
	if len(x.Tables) > 0 {
		p.w("in (")
		p.list(x.Tables)
		p.w(") ")
	}
	p.expr(x.Pred)
}

func (p *printer) literal(l *Literal) {
	switch l.Kind {
	case LitNull:
		if l.Type.String() == "null" || l.Type.String() == "unknown" {
			p.w("null")
		} else {
			p.w(l.Type.String() + "(null)")
		}
		return
	case LitBool:
		p.w(strconv.FormatBool(l.Value.(bool)))
		return
	case LitLong:
		v := l.Value.(int64)
		if v < 0 {
			p.w("(" + strconv.FormatInt(v, 10) + ")")
			return
		}
		p.w(strconv.FormatInt(v, 10))
		return
	case LitInt:
		p.w("int(" + strconv.FormatInt(l.Value.(int64), 10) + ")")
		return
	case LitReal:
		p.w("real(" + strconv.FormatFloat(l.Value.(float64), 'g', -1, 64) + ")")
		return
	case LitDecimal:
		p.w("decimal(" + l.Value.(string) + ")")
		return
	case LitString:
		p.w(quote(l.Value.(string)))
		return
	case LitDateTime:
		p.w("datetime(" + l.Value.(time.Time).UTC().Format("2006-01-02T15:04:05.9999999Z") + ")")
		return
	case LitTimeSpan:
		p.w("timespan(" + FormatTimespan(l.Value.(time.Duration)) + ")")
		return
	case LitGUID:
		p.w("guid(" + l.Value.(string) + ")")
		return
	case LitDynamic:
		b, err := json.Marshal(l.Value)
		if err != nil {
			b = []byte("null")
		}
		p.w("dynamic(" + string(b) + ")")
		return
	}
	p.w(l.Raw)
}

func (p *printer) opParams(ps []*OpParam, sep string) {
	for i, prm := range ps {
		if i > 0 {
			p.w(sep)
		}
		p.w(prm.Name.Name + "=")
		p.expr(prm.Value)
		if sep == " " {
			p.w(" ")
		}
	}
}

func (p *printer) sortKey(k *SortKey) {
	p.expr(k.X)
	if k.Desc {
		p.w(" desc")
	} else {
		p.w(" asc")
	}
	if k.NullsFirst {
		p.w(" nulls first")
	} else {
		p.w(" nulls last")
	}
}

func (p *printer) idents(ids []*Ident) {
	for i, id := range ids {
		if i > 0 {
			p.w(", ")
		}
		p.ident(id)
	}
}

func (p *printer) sub(x Expr) {
	p.w("(")
	p.expr(x)
	p.w(")")
}

func (p *printer) op(o Operator) {
	p.w(o.Name() + " ")
	switch o := o.(type) {
	case *WhereOp:
		p.expr(o.Pred)
	case *ExtendOp:
		p.list(o.Exprs)
	case *ProjectOp:
		p.list(o.Exprs)
	case *ProjectAwayOp:
		p.idents(o.Columns)
	case *ProjectKeepOp:
		p.idents(o.Columns)
	case *ProjectByNamesOp:
		p.list(o.Exprs)
	case *ProjectRenameOp:
		for i, n := range o.Exprs {
			if i > 0 {
				p.w(", ")
			}
			p.expr(n)
		}
	case *ProjectReorderOp:
		for i, c := range o.Columns {
			if i > 0 {
				p.w(", ")
			}
			p.ident(c)
			if i < len(o.Order) && o.Order[i] != "" {
				p.w(" " + o.Order[i])
			}
		}
	case *SummarizeOp:
		p.opParams(o.Params, " ")
		p.list(o.Aggs)
		if len(o.By) > 0 {
			p.w(" by ")
			p.list(o.By)
		}
	case *SortOp:
		p.opParams(o.Params, " ")
		p.w("by ")
		for i, k := range o.Keys {
			if i > 0 {
				p.w(", ")
			}
			p.sortKey(k)
		}
	case *TopOp:
		p.expr(o.N)
		p.w(" by ")
		p.sortKey(o.Key)
	case *TakeOp:
		p.expr(o.N)
	case *DistinctOp:
		p.list(o.Exprs)
	case *CountOp, *GetSchemaOp, *ConsumeOp:
	case *JoinOp:
		p.opParams(o.Params, " ")
		p.sub(unparen(o.Right))
		if o.On != nil {
			p.w(" on ")
			p.list(o.On)
		}
		if o.Where != nil {
			p.w(" where ")
			p.expr(o.Where)
		}
	case *LookupOp:
		p.opParams(o.Params, " ")
		p.sub(unparen(o.Right))
		p.w(" on ")
		p.list(o.On)
	case *UnionOp:
		p.opParams(o.Params, " ")
		p.list(o.Tables)
	case *MvExpandOp, *MvApplyOp:
		var params []*OpParam
		var items []*MvExpandItem
		var limit Expr
		if m, ok := o.(*MvExpandOp); ok {
			params, items, limit = m.Params, m.Items, m.Limit
		} else {
			m := o.(*MvApplyOp)
			params, items, limit = m.Params, m.Items, m.Limit
		}
		p.opParams(params, " ")
		for i, it := range items {
			if i > 0 {
				p.w(", ")
			}
			p.expr(it.X)
			if it.To != nil {
				p.w(" to typeof(" + it.To.Type.String() + ")")
			}
		}
		if limit != nil {
			p.w(" limit ")
			p.expr(limit)
		}
		if m, ok := o.(*MvApplyOp); ok {
			p.w(" on ")
			p.sub(unparen(m.Sub))
		}
	case *ParseOp:
		p.opParams(o.Params, " ")
		p.expr(o.X)
		p.w(" with ")
		for i, e := range o.Pattern {
			if i > 0 {
				p.w(" ")
			}
			p.expr(e)
		}
	case *ParseKVOp:
		p.expr(o.X)
		p.w(" as (")
		p.columns(o.Columns)
		p.w(")")
		if len(o.With) > 0 {
			p.w(" with (")
			p.opParams(o.With, ", ")
			p.w(")")
		}
	case *EvaluateOp:
		p.opParams(o.Params, " ")
		p.expr(o.Call)
		if len(o.Schema) > 0 {
			p.w(" : (")
			p.columns(o.Schema)
			p.w(")")
		}
	case *RenderOp:
		if o.Chart != nil {
			p.ident(o.Chart)
		}
	case *MakeSeriesOp:
		p.opParams(o.Params, " ")
		for i, a := range o.Aggs {
			if i > 0 {
				p.w(", ")
			}
			p.expr(a.X)
			if a.Default != nil {
				p.w(" default = ")
				p.expr(a.Default)
			}
		}
		p.w(" on ")
		p.expr(o.On)
		if o.From != nil {
			p.w(" from ")
			p.expr(o.From)
		}
		if o.To != nil {
			p.w(" to ")
			p.expr(o.To)
		}
		p.w(" step ")
		p.expr(o.Step)
		if len(o.By) > 0 {
			p.w(" by ")
			p.list(o.By)
		}
	case *AsOp:
		p.opParams(o.Params, " ")
		p.ident(o.Table)
	case *SerializeOp:
		p.list(o.Exprs)
	case *InvokeOp:
		p.expr(o.Call)
	case *PartitionOp:
		p.opParams(o.Params, " ")
		p.w("by ")
		p.ident(o.By)
		p.w(" ")
		p.sub(unparen(o.Sub))
	case *TopNestedOp:
		for i, lv := range o.Levels {
			if i > 0 {
				p.w(", top-nested ")
			}
			if lv.N != nil {
				p.expr(lv.N)
				p.w(" ")
			}
			p.w("of ")
			p.expr(lv.Of)
			if lv.Others != nil {
				p.w(" with others = ")
				p.expr(lv.Others)
			}
			p.w(" by ")
			p.expr(lv.By)
			if lv.Desc {
				p.w(" desc")
			} else {
				p.w(" asc")
			}
		}
	case *TopHittersOp:
		p.expr(o.N)
		p.w(" of ")
		p.expr(o.Of)
		if o.By != nil {
			p.w(" by ")
			p.expr(o.By)
		}
	case *SampleOp:
		p.expr(o.N)
	case *SampleDistinctOp:
		p.expr(o.N)
		p.w(" of ")
		p.expr(o.Of)
	case *FacetOp:
		p.w("by ")
		p.idents(o.By)
		if o.With != nil {
			p.w(" with ")
			p.sub(unparen(o.With))
		}
	case *ForkOp:
		for i, b := range o.Branches {
			if i > 0 {
				p.w(" ")
			}
			p.sub(unparen(b))
		}
	case *SearchOp:
		p.sb.Reset()
		p.search(o.Search)
	}
}

func unparen(x Expr) Expr {
	if pe, ok := x.(*ParenExpr); ok {
		return pe.X
	}
	return x
}
