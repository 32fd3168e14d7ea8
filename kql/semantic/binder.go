package semantic

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Catalog resolves stored table names to their schemas.
type Catalog interface {
	// Table returns the columns of the named table (all columns, including
	// hidden ones), or false when there is no such table.
	Table(name string) ([]types.Column, bool)
	// TableNames lists every table, for wildcards in union and search.
	TableNames() []string
}

//go:embed library.kql
var libraryText string

var libraryOnce sync.Once
var libraryLets []*syntax.LetStmt

// libraryEnv returns a fresh root environment holding the built-in KQL
// functions of library.kql (bound lazily at each call).
func libraryEnv() *env {
	libraryOnce.Do(func() {
		script, errs := syntax.Parse(libraryText)
		if errs.Err() != nil {
			panic("semantic: library.kql does not parse: " + errs.Error())
		}
		for _, st := range script.Stmts {
			if l, ok := st.(*syntax.LetStmt); ok {
				libraryLets = append(libraryLets, l)
			}
		}
	})
	lib := &env{names: map[string]*entity{}}
	for _, l := range libraryLets {
		if f, ok := l.Value.(*syntax.FuncLit); ok {
			lib.define(l.Name.Name, &entity{fn: f, fnEnv: lib})
		}
	}
	return lib.child()
}

// StorageNamer is implemented by catalogs whose stored column names can
// differ from the KQL names.
type StorageNamer interface {
	StorageNames(table string) map[string]string
}

// HiddenColumner is an optional Catalog interface: the hidden columns of
// a table, which queries may name but * leaves out.
type HiddenColumner interface {
	HiddenColumns(table string) []types.Column
}

// Options control binding.
type Options struct {
	// Now is the value of now() for the whole query. Zero means time.Now().
	Now time.Time
	// AllowExternalData permits externaldata operators; otherwise they are
	// refused with CodeExternalData.
	AllowExternalData bool
	// Discover, when set, lets the binder read data to learn schemas that
	// Kusto derives from data (bag_unpack, pivot).
	Discover Discover
	// Window, when set, restricts every scanned table that has a
	// TimeGenerated column to rows inside it (the query API's timespan).
	Window *plan.TimeWindow
}

// Bind resolves and type-checks script against cat and lowers it to a
// plan. It returns every diagnostic found; the plan is nil when there were
// errors.
func Bind(script *syntax.Script, cat Catalog, opts Options) (q *plan.Query, errs syntax.ErrorList) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	b := &binder{cat: cat, opts: opts, order: map[plan.Node][]plan.SortKey{}, open: map[plan.Node]bool{}, hidden: map[*plan.Scan][]types.Column{}}
	defer func() {
		if r := recover(); r != nil {
			// A panic here is a binder bug: report it as an internal error
			// instead of taking the process down.
			q = nil
			errs = append(b.errs, &syntax.Diagnostic{From: script.Pos(), To: script.End(), Code: CodeInternal, Message: fmt.Sprintf("internal binder error: %v", r)})
		}
	}()
	root := libraryEnv()
	var result plan.Node
	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *syntax.LetStmt:
			b.let(st, root)
		case *syntax.ExprStmt:
			n := b.tabular(st.X, root)
			if n != nil {
				result = n
			}
		case *syntax.DeclareStmt:
			for _, p := range st.Params {
				var e plan.Expr
				if p.Default != nil {
					e = b.expr(p.Default, root, nil)
				} else if p.Type != nil {
					e = &plan.Const{T: p.Type.Type}
				}
				if e != nil {
					root.define(p.Name.Name, &entity{scalar: e})
				}
			}
		case *syntax.SetStmt, *syntax.PatternStmt:
			// Query options and patterns do not change the result here.
		}
	}
	if result == nil && len(b.errs) == 0 {
		b.errorf(script.EOF, script.EOF, syntax.SeverityError, CodeBadArgument, "The query has no tabular expression to return")
	}
	if b.errs.Err() != nil {
		return nil, b.errs
	}
	return &plan.Query{CTEs: b.ctes, Root: result}, b.errs
}

type binder struct {
	cat   Catalog
	opts  Options
	errs  syntax.ErrorList
	ctes  []plan.CTE
	order map[plan.Node][]plan.SortKey
	depth int
	// partition is the row-id column while binding an mv-apply sub-query.
	partition string
	// open marks nodes whose schema depends on data that was not read
	// (bag_unpack without Discover): unknown columns resolve to dynamic.
	open map[plan.Node]bool
	// hidden holds the hidden columns each scan could read.
	hidden  map[*plan.Scan][]types.Column
	curOpen bool // the operator being bound reads an open schema
}

// entity is what a let (or parameter) name stands for.
type entity struct {
	scalar  plan.Expr
	tabular plan.Node
	fn      *syntax.FuncLit
	fnEnv   *env
}

type env struct {
	parent *env
	names  map[string]*entity
}

func (e *env) define(name string, ent *entity) { e.names[name] = ent }

func (e *env) lookup(name string) *entity {
	for s := e; s != nil; s = s.parent {
		if ent, ok := s.names[name]; ok {
			return ent
		}
	}
	return nil
}

func (e *env) child() *env { return &env{parent: e, names: map[string]*entity{}} }

func (b *binder) errorf(from, to syntax.Pos, sev syntax.Severity, code, format string, args ...any) {
	b.errs = append(b.errs, &syntax.Diagnostic{From: from, To: to, Code: code, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (b *binder) errAt(n syntax.Node, code, format string, args ...any) {
	b.errorf(n.Pos(), n.End(), syntax.SeverityError, code, format, args...)
}

// let binds a let statement into e.
func (b *binder) let(st *syntax.LetStmt, e *env) {
	name := st.Name.Name
	switch v := st.Value.(type) {
	case *syntax.FuncLit:
		e.define(name, &entity{fn: v, fnEnv: e})
		return
	}
	if b.isTabular(st.Value, e) {
		n := b.tabular(st.Value, e)
		if n == nil {
			return
		}
		ref := b.addCTE(name, n, isMaterialize(st.Value))
		e.define(name, &entity{tabular: ref})
		return
	}
	x := b.expr(st.Value, e, nil)
	e.define(name, &entity{scalar: x})
}

func isMaterialize(x syntax.Expr) bool {
	c, ok := x.(*syntax.CallExpr)
	return ok && c.Fun.Name == "materialize"
}

// addCTE registers n as a common table expression and returns a reference.
func (b *binder) addCTE(name string, n plan.Node, materialized bool) *plan.CTERef {
	if r, ok := n.(*plan.CTERef); ok {
		return r
	}
	id := fmt.Sprintf("%s_%d", sanitize(name), len(b.ctes))
	b.ctes = append(b.ctes, plan.CTE{Name: id, Plan: n, Materialized: materialized})
	ref := &plan.CTERef{Name: id, Columns: n.Schema()}
	if o, ok := b.order[n]; ok {
		b.order[ref] = o
	}
	return ref
}

func sanitize(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return "cte_" + sb.String()
}

// isTabular decides whether x denotes a table (rather than a scalar).
func (b *binder) isTabular(x syntax.Expr, e *env) bool {
	switch x := x.(type) {
	case *syntax.PipeExpr, *syntax.DataTableExpr, *syntax.ExternalDataExpr, *syntax.PrintExpr,
		*syntax.RangeExpr, *syntax.UnionExpr, *syntax.SearchExpr, *syntax.FindExpr, *syntax.ContextualSource:
		return true
	case *syntax.ParenExpr:
		return b.isTabular(x.X, e)
	case *syntax.Ident:
		if ent := e.lookup(x.Name); ent != nil {
			if ent.tabular != nil {
				return true
			}
			if ent.fn != nil && len(ent.fn.Params) == 0 {
				return b.funcIsTabular(ent)
			}
			return false
		}
		if _, ok := b.cat.Table(x.Name); ok {
			return true
		}
		return strings.Contains(x.Name, "*")
	case *syntax.CallExpr:
		switch x.Fun.Name {
		case "materialize", "table", "view", "database", "cluster":
			return true
		}
		if ent := e.lookup(x.Fun.Name); ent != nil && ent.fn != nil {
			return b.funcIsTabular(ent)
		}
	case *syntax.SelectorExpr:
		// database("x").Table
		if c, ok := x.X.(*syntax.CallExpr); ok && (c.Fun.Name == "database" || c.Fun.Name == "cluster") {
			return true
		}
		if s, ok := x.X.(*syntax.SelectorExpr); ok {
			return b.isTabular(s, e)
		}
	}
	return false
}

func (b *binder) funcIsTabular(ent *entity) bool {
	body := ent.fn.Body
	if len(body) == 0 {
		return false
	}
	last, ok := body[len(body)-1].(*syntax.ExprStmt)
	if !ok {
		return false
	}
	fe := ent.fnEnv.child()
	for _, p := range ent.fn.Params {
		if p.Tabular {
			fe.define(p.Name.Name, &entity{tabular: &plan.Values{}})
		} else {
			fe.define(p.Name.Name, &entity{scalar: &plan.Const{T: types.Unknown}})
		}
	}
	for _, st := range body[:len(body)-1] {
		if l, ok := st.(*syntax.LetStmt); ok {
			if _, isFn := l.Value.(*syntax.FuncLit); isFn {
				fe.define(l.Name.Name, &entity{fn: l.Value.(*syntax.FuncLit), fnEnv: fe})
			} else if b.isTabular(l.Value, fe) {
				fe.define(l.Name.Name, &entity{tabular: &plan.Values{}})
			} else {
				fe.define(l.Name.Name, &entity{scalar: &plan.Const{T: types.Unknown}})
			}
		}
	}
	return b.isTabular(last.X, fe)
}

// literalConst converts a parsed literal into a plan constant.
func literalConst(l *syntax.Literal) *plan.Const {
	switch v := l.Value.(type) {
	case nil:
		return &plan.Const{T: l.Type}
	case time.Duration:
		return &plan.Const{Value: plan.Ticks(int64(v) / 100), T: types.TimeSpan}
	case time.Time:
		return &plan.Const{Value: v.UTC(), T: types.DateTime}
	case int:
		return &plan.Const{Value: int64(v), T: l.Type}
	}
	if l.Type == types.Dynamic {
		js, err := json.Marshal(l.Value)
		if err != nil {
			return &plan.Const{T: types.Dynamic}
		}
		return &plan.Const{Value: string(js), T: types.Dynamic}
	}
	return &plan.Const{Value: l.Value, T: l.Type}
}
