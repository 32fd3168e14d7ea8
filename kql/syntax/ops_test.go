package syntax

import (
	"strings"
	"testing"
)

// parseOps parses q and returns the operators of its last statement's
// pipeline, first to last.
func parseOps(t *testing.T, q string) (Expr, []Operator) {
	t.Helper()
	s, errs := Parse(q)
	if len(errs) > 0 {
		t.Fatalf("Parse(%q): %s", q, errs[0].Format(NewSource(q)))
	}
	if len(s.Stmts) == 0 {
		t.Fatalf("Parse(%q): no statements", q)
	}
	es, ok := s.Stmts[len(s.Stmts)-1].(*ExprStmt)
	if !ok {
		t.Fatalf("Parse(%q): last statement is %T", q, s.Stmts[len(s.Stmts)-1])
	}
	var ops []Operator
	x := es.X
	for {
		pe, ok := x.(*PipeExpr)
		if !ok {
			break
		}
		ops = append([]Operator{pe.Op}, ops...)
		x = pe.Source
	}
	return x, ops
}

func params(ps []*OpParam) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Name.Name+"="+sexpr(p.Value))
	}
	return strings.Join(parts, " ")
}

func TestSortDefaults(t *testing.T) {
	tests := []struct {
		q                                 string
		desc, explicit, nullsFirst, nulls bool
	}{
		{"T | sort by a", true, false, false, false},
		{"T | sort by a desc", true, true, false, false},
		{"T | order by a asc", false, true, true, false},
		{"T | sort by a asc nulls last", false, true, false, true},
		{"T | sort by a nulls first", true, false, true, true},
		{"T | top 3 by a", true, false, false, false},
		{"T | top 3 by a asc", false, true, true, false},
	}
	for _, tt := range tests {
		_, ops := parseOps(t, tt.q)
		var k *SortKey
		switch o := ops[0].(type) {
		case *SortOp:
			k = o.Keys[0]
		case *TopOp:
			k = o.Key
		}
		got := [4]bool{k.Desc, k.Explicit, k.NullsFirst, k.NullsSet}
		want := [4]bool{tt.desc, tt.explicit, tt.nullsFirst, tt.nulls}
		if got != want {
			t.Errorf("Parse(%q) key = desc,explicit,nullsFirst,nullsSet %v, want %v", tt.q, got, want)
		}
	}
}

func TestOperatorShapes(t *testing.T) {
	tests := []struct {
		q     string
		check func(t *testing.T, src Expr, ops []Operator)
	}{
		{"T | project-away a, b* | mv-expand x | parse-where y with * 'a' z", func(t *testing.T, src Expr, ops []Operator) {
			names := []string{"project-away", "mv-expand", "parse-where"}
			for i, n := range names {
				if ops[i].Name() != n {
					t.Errorf("op %d = %s, want %s", i, ops[i].Name(), n)
				}
			}
			if c := ops[0].(*ProjectAwayOp).Columns; c[1].Name != "b*" {
				t.Errorf("wildcard column = %q, want b*", c[1].Name)
			}
		}},
		{"T | join kind=leftouter hint.strategy=broadcast (U | where x) on A, $left.B == $right.C", func(t *testing.T, src Expr, ops []Operator) {
			j := ops[0].(*JoinOp)
			if got := params(j.Params); got != "kind=leftouter hint.strategy=broadcast" {
				t.Errorf("params = %s", got)
			}
			if _, ok := j.Right.(*ParenExpr); !ok {
				t.Errorf("right = %T, want *ParenExpr", j.Right)
			}
			if got := sexprs(j.On); got != "A (== $left.B $right.C)" {
				t.Errorf("on = %s", got)
			}
		}},
		{"T | join U on A", func(t *testing.T, src Expr, ops []Operator) {
			if id, ok := ops[0].(*JoinOp).Right.(*Ident); !ok || id.Name != "U" {
				t.Errorf("right = %s, want U", sexpr(ops[0].(*JoinOp).Right))
			}
		}},
		{"T | summarize c = count(), (a, b) = arg_max(x, y) by bin(t, 1h), k = f(x)", func(t *testing.T, src Expr, ops []Operator) {
			s := ops[0].(*SummarizeOp)
			if got := sexprs(s.Aggs); got != "c=count() a,b=arg_max(x y)" {
				t.Errorf("aggs = %s", got)
			}
			if got := sexprs(s.By); got != "bin(t ts:01:00:00) k=f(x)" {
				t.Errorf("by = %s", got)
			}
		}},
		{"T | summarize kind = count() by k", func(t *testing.T, src Expr, ops []Operator) {
			s := ops[0].(*SummarizeOp)
			if s.Params != nil || sexprs(s.Aggs) != "kind=count()" {
				t.Errorf("params %s, aggs %s: kind = count() must be an aggregation", params(s.Params), sexprs(s.Aggs))
			}
		}},
		{"T | mv-expand bagexpansion=array with_itemindex=i a to typeof(long), b limit 10", func(t *testing.T, src Expr, ops []Operator) {
			m := ops[0].(*MvExpandOp)
			if got := params(m.Params); got != "bagexpansion=array with_itemindex=i" {
				t.Errorf("params = %s", got)
			}
			if len(m.Items) != 2 || m.Items[0].To == nil || m.Items[0].To.Type.String() != "long" || m.Items[1].To != nil {
				t.Errorf("items wrong")
			}
			if sexpr(m.Limit) != "10" {
				t.Errorf("limit = %s", sexpr(m.Limit))
			}
		}},
		{"T | mv-apply x to typeof(long) on (summarize sum(x))", func(t *testing.T, src Expr, ops []Operator) {
			m := ops[0].(*MvApplyOp)
			sub := m.Sub.(*ParenExpr).X.(*PipeExpr)
			if _, ok := sub.Source.(*ContextualSource); !ok || sub.Bar.IsValid() || sub.Op.Name() != "summarize" {
				t.Errorf("sub-query = %s (bar %d), want $ctx | summarize without a bar", sexpr(sub), sub.Bar)
			}
		}},
		{"T | parse kind=regex flags=Ui X with \"pat\" col:long * rest", func(t *testing.T, src Expr, ops []Operator) {
			p := ops[0].(*ParseOp)
			if got := params(p.Params); got != "kind=regex flags=Ui" {
				t.Errorf("params = %s", got)
			}
			if got := sexprs(p.Pattern); got != `"pat" col:long * rest` {
				t.Errorf("pattern = %s", got)
			}
		}},
		{"T | render timechart with (title=\"x\", ycolumns=a, b, xcolumn=t)", func(t *testing.T, src Expr, ops []Operator) {
			r := ops[0].(*RenderOp)
			if r.Chart.Name != "timechart" || len(r.With) != 3 {
				t.Fatalf("render = %s with %d props", r.Chart.Name, len(r.With))
			}
			l, ok := r.With[1].Value.(*ListExpr)
			if !ok || len(l.Elems) != 2 || l.Lparen.IsValid() {
				t.Errorf("ycolumns = %T, want an unparenthesized list of 2", r.With[1].Value)
			}
		}},
		{"T | make-series kind=nonempty c=count() default=0 on Timestamp in range(ago(7d), now(), 1h) by A", func(t *testing.T, src Expr, ops []Operator) {
			m := ops[0].(*MakeSeriesOp)
			if params(m.Params) != "kind=nonempty" || len(m.Aggs) != 1 || sexpr(m.Aggs[0].Default) != "0" {
				t.Errorf("make-series = %s aggs %d", params(m.Params), len(m.Aggs))
			}
			if sexpr(m.On) != "Timestamp" || m.From == nil || m.To == nil || sexpr(m.Step) != "ts:01:00:00" || sexprs(m.By) != "A" {
				t.Errorf("on %s from %s to %s step %s by %s", sexpr(m.On), sexpr(m.From), sexpr(m.To), sexpr(m.Step), sexprs(m.By))
			}
		}},
		{"T | top-nested 3 of A by count() desc, top-nested of B with others = \"Other\" by sum(x) asc", func(t *testing.T, src Expr, ops []Operator) {
			n := ops[0].(*TopNestedOp)
			if len(n.Levels) != 2 || !n.Levels[0].Desc || n.Levels[1].Desc || n.Levels[1].N != nil || sexpr(n.Levels[1].Others) != `"Other"` {
				t.Errorf("top-nested levels wrong")
			}
		}},
		{"union withsource=T kind=outer A, (B | where x), C*", func(t *testing.T, src Expr, ops []Operator) {
			u := src.(*UnionExpr)
			if params(u.Params) != "withsource=T kind=outer" || len(u.Tables) != 3 || sexpr(u.Tables[2]) != "C*" {
				t.Errorf("union = %s %s", params(u.Params), sexprs(u.Tables))
			}
		}},
		{"evaluate bag_unpack(x) | take 1", func(t *testing.T, src Expr, ops []Operator) {
			if _, ok := src.(*ContextualSource); !ok || ops[0].Name() != "evaluate" {
				t.Errorf("evaluate source = %T %s", src, ops[0].Name())
			}
		}},
		{"T | fork (where x | take 3) named = (count)", func(t *testing.T, src Expr, ops []Operator) {
			f := ops[0].(*ForkOp)
			if len(f.Branches) != 2 {
				t.Fatalf("fork has %d branches", len(f.Branches))
			}
			if ne, ok := f.Branches[1].(*NamedExpr); !ok || ne.Names[0].Name != "named" {
				t.Errorf("second branch = %T, want a named branch", f.Branches[1])
			}
		}},
		{"T | scan with_match_id=id declare (a:long) with (step s1 optional output=all: x > 1 => a = x, b = 2; step s2: true;)", func(t *testing.T, src Expr, ops []Operator) {
			s := ops[0].(*ScanOp)
			if params(s.Params) != "with_match_id=id" || len(s.Declare) != 1 || len(s.Steps) != 2 {
				t.Fatalf("scan params %s declare %d steps %d", params(s.Params), len(s.Declare), len(s.Steps))
			}
			st := s.Steps[0]
			if st.Name.Name != "s1" || !st.Optional || st.Output != "all" || len(st.Assigns) != 2 {
				t.Errorf("step = %+v", st)
			}
		}},
		{"T | partition hint.strategy=native by X { T | take 1 }", func(t *testing.T, src Expr, ops []Operator) {
			p := ops[0].(*PartitionOp)
			if !p.Braced || p.By.Name != "X" || params(p.Params) != "hint.strategy=native" {
				t.Errorf("partition = braced %v by %s params %s", p.Braced, p.By.Name, params(p.Params))
			}
		}},
		{"find withsource=S in (T*, U) where x == 1 project a, b:long, pack_all()", func(t *testing.T, src Expr, ops []Operator) {
			f := src.(*FindExpr)
			if params(f.Params) != "withsource=S" || sexprs(f.Tables) != "T* U" || sexprs(f.Project) != "a b:long pack_all()" {
				t.Errorf("find = %s %s %s", params(f.Params), sexprs(f.Tables), sexprs(f.Project))
			}
		}},
		{"search in (T1, T2) A == 'x'", func(t *testing.T, src Expr, ops []Operator) {
			s := src.(*SearchExpr)
			if sexprs(s.Tables) != "T1 T2" || sexpr(s.Pred) != `(== A "x")` {
				t.Errorf("search = %s %s", sexprs(s.Tables), sexpr(s.Pred))
			}
		}},
		{"T | graph-match (a)-[e]->(b) where a.x == 1 project n = a.name // done", func(t *testing.T, src Expr, ops []Operator) {
			g := ops[0].(*GraphOp)
			if g.Keyword != "graph-match" || g.Text != "(a)-[e]->(b) where a.x == 1 project n = a.name" {
				t.Errorf("graph op = %s %q", g.Keyword, g.Text)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			src, ops := parseOps(t, tt.q)
			tt.check(t, src, ops)
		})
	}
}

func TestStatements(t *testing.T) {
	s, errs := Parse(`let f = (T:(x:long), n:long = 5) { let k = n; T | take k };
declare query_parameters(p:string = "x");
set querytrace;
let v = view () { print 1 };
f(U)`)
	if len(errs) > 0 {
		t.Fatal(describe(errs))
	}
	if len(s.Stmts) != 5 {
		t.Fatalf("%d statements, want 5", len(s.Stmts))
	}
	f := s.Stmts[0].(*LetStmt).Value.(*FuncLit)
	if len(f.Params) != 2 || !f.Params[0].Tabular || len(f.Params[0].Columns) != 1 || f.Params[1].Type.Type.String() != "long" || sexpr(f.Params[1].Default) != "5" {
		t.Errorf("function params wrong")
	}
	if len(f.Body) != 2 {
		t.Errorf("body has %d statements, want 2", len(f.Body))
	}
	if d := s.Stmts[1].(*DeclareStmt); len(d.Params) != 1 || d.Params[0].Name.Name != "p" {
		t.Errorf("declare wrong")
	}
	if st := s.Stmts[2].(*SetStmt); st.Name.Name != "querytrace" || st.Value != nil {
		t.Errorf("set wrong")
	}
	if v := s.Stmts[3].(*LetStmt).Value.(*FuncLit); !v.View {
		t.Errorf("view not marked")
	}
}

// TestPositions: every node's span lies inside the text and inside its
// parent's span.
func TestPositions(t *testing.T) {
	for _, q := range acceptQueries {
		s, _ := Parse(q)
		checkSpans(t, q, s, 0, Pos(len(q)))
		if bad := spanErrors(s, len(q)); len(bad) > 0 {
			t.Errorf("Parse(%q): nodes outside the text: %v", q, bad)
		}
	}
	queries, _ := errorCases(t)
	for _, q := range queries {
		s, _ := Parse(q)
		if bad := spanErrors(s, len(q)); len(bad) > 0 {
			t.Errorf("Parse(%q): nodes outside the text: %v", q, bad)
		}
	}
}

func checkSpans(t *testing.T, q string, n Node, lo, hi Pos) {
	t.Helper()
	if n == nil {
		return
	}
	if _, ok := n.(*ContextualSource); ok {
		return
	}
	if n.Pos() < lo || n.End() > hi || n.End() < n.Pos() {
		t.Errorf("%q: %T spans %d..%d outside %d..%d", q, n, n.Pos(), n.End(), lo, hi)
		return
	}
	switch n := n.(type) {
	case *Script:
		for _, st := range n.Stmts {
			checkSpans(t, q, st, n.Pos(), n.End())
		}
	case *ExprStmt:
		checkSpans(t, q, n.X, n.Pos(), n.End())
	case *LetStmt:
		checkSpans(t, q, n.Value, n.Pos(), n.End())
	case *PipeExpr:
		checkSpans(t, q, n.Source, n.Pos(), n.End())
		checkSpans(t, q, n.Op, n.Pos(), n.End())
	case *BinaryExpr:
		checkSpans(t, q, n.X, n.Pos(), n.End())
		checkSpans(t, q, n.Y, n.Pos(), n.End())
	case *CallExpr:
		for _, a := range n.Args {
			checkSpans(t, q, a, n.Pos(), n.End())
		}
	case *ParenExpr:
		checkSpans(t, q, n.X, n.Pos(), n.End())
	case *WhereOp:
		checkSpans(t, q, n.Pred, n.Pos(), n.End())
	case *ExtendOp:
		for _, x := range n.Exprs {
			checkSpans(t, q, x, n.Pos(), n.End())
		}
	case *SummarizeOp:
		for _, x := range append(append([]Expr{}, n.Aggs...), n.By...) {
			checkSpans(t, q, x, n.Pos(), n.End())
		}
	case *JoinOp:
		checkSpans(t, q, n.Right, n.Pos(), n.End())
		for _, x := range n.On {
			checkSpans(t, q, x, n.Pos(), n.End())
		}
	}
}
