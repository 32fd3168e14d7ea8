package transform

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/semantic"
	"github.com/goshawk-sec/goshawk/kql/syntax"
)

// maxParseColumns is Azure Monitor's limit on the columns one parse
// operator of a transformation may extract.
const maxParseColumns = 10

// check reports every construct of script that transformations refuse
// (see the package documentation). It does not modify the tree.
func check(script *syntax.Script) syntax.ErrorList {
	c := &checker{funcs: map[string]bool{}}
	walk(script, func(n syntax.Node) bool {
		if l, ok := n.(*syntax.LetStmt); ok {
			if _, ok := l.Value.(*syntax.FuncLit); ok {
				c.funcs[l.Name.Name] = true
			}
		}
		return true
	})
	c.stmts(script.Stmts)
	return c.diags
}

type checker struct {
	// funcs holds the names of user-defined functions (let f = (…) {…}),
	// which may be called, even where a built-in of the same name may not.
	funcs map[string]bool
	diags syntax.ErrorList
}

func (c *checker) errorf(from, to syntax.Pos, code, format string, args ...any) {
	if to <= from {
		to = from + 1
	}
	c.diags = append(c.diags, &syntax.Diagnostic{From: from, To: to, Code: code, Severity: syntax.SeverityError, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) stmts(stmts []syntax.Stmt) {
	for _, s := range stmts {
		switch s := s.(type) {
		case *syntax.LetStmt:
			if f, ok := s.Value.(*syntax.FuncLit); ok {
				for _, p := range f.Params {
					if p.Tabular {
						c.errorf(p.Name.Pos(), p.Name.End(), CodeTabularParameter,
							"function %s: tabular parameter %s is not supported in transformations: only user-defined functions with scalar parameters are", s.Name.Name, p.Name.Name)
					}
					if p.Default != nil {
						c.scalar(p.Default)
					}
				}
				c.stmts(f.Body)
				continue
			}
			c.value(s.Value)
		case *syntax.ExprStmt:
			c.value(s.X)
		default:
			c.errorf(s.Pos(), s.Pos()+syntax.Pos(len(statementKeyword(s))), CodeStatement,
				"the %s statement is not supported in transformations: only let statements and the query are", statementKeyword(s))
		}
	}
}

func statementKeyword(s syntax.Stmt) string {
	switch s := s.(type) {
	case *syntax.SetStmt:
		return "set"
	case *syntax.DeclareStmt, *syntax.PatternStmt:
		return "declare"
	case *syntax.AliasStmt:
		return "alias"
	case *syntax.RestrictStmt:
		return "restrict"
	default:
		return fmt.Sprintf("%T", s)
	}
}

// value checks the right side of a let or a query, tabular or scalar.
func (c *checker) value(x syntax.Expr) {
	if isTabular(x) {
		c.tabular(x)
	} else {
		c.scalar(x)
	}
}

// isTabular reports whether x is a tabular expression by its syntax alone
// (a bare name or call may be either; the binder decides those).
func isTabular(x syntax.Expr) bool {
	switch x := x.(type) {
	case *syntax.PipeExpr, *syntax.PrintExpr, *syntax.DataTableExpr, *syntax.ExternalDataExpr,
		*syntax.RangeExpr, *syntax.UnionExpr, *syntax.SearchExpr, *syntax.FindExpr, *syntax.ContextualSource:
		return true
	case *syntax.ParenExpr:
		return isTabular(x.X)
	}
	return false
}

// tabular checks a tabular expression: its source, then each operator.
func (c *checker) tabular(x syntax.Expr) {
	switch x := x.(type) {
	case *syntax.PipeExpr:
		c.tabular(x.Source)
		c.operator(x.Op)
	case *syntax.ParenExpr:
		c.tabular(x.X)
	case *syntax.Ident:
		// source, or a tabular let; the binder resolves the name against
		// a catalogue holding source alone.
	case *syntax.PrintExpr:
		for _, e := range x.Exprs {
			c.scalar(e)
		}
	case *syntax.DataTableExpr:
		for _, v := range x.Values {
			c.scalar(v)
		}
	case *syntax.ContextualSource:
		// The implicit input of a query starting with evaluate: the
		// operator is reported.
	case *syntax.CallExpr:
		if x.Recv == nil && c.funcs[x.Fun.Name] {
			for _, a := range x.Args {
				c.scalar(a)
			}
			return
		}
		c.errorf(x.Pos(), x.Fun.End(), CodeSource,
			"%s() is not supported in transformations: the only data sources are source, print and datatable", x.Fun.Name)
	default:
		c.errorf(x.Pos(), x.Pos()+syntax.Pos(len(sourceKeyword(x))), CodeSource,
			"%s is not supported in transformations: the only data sources are source, print and datatable", sourceKeyword(x))
	}
}

func sourceKeyword(x syntax.Expr) string {
	switch x.(type) {
	case *syntax.ExternalDataExpr:
		return "externaldata"
	case *syntax.RangeExpr:
		return "range"
	case *syntax.UnionExpr:
		return "union"
	case *syntax.SearchExpr:
		return "search"
	case *syntax.FindExpr:
		return "find"
	}
	return "this expression"
}

// operator checks one operator after a pipe against the operators Azure
// Monitor supports in transformations.
func (c *checker) operator(op syntax.Operator) {
	switch op := op.(type) {
	case *syntax.WhereOp, *syntax.ExtendOp, *syntax.ProjectOp, *syntax.ProjectAwayOp, *syntax.ProjectRenameOp:
		c.scalar(op)
		return
	case *syntax.ParseOp:
		if !op.Where {
			n := 0
			for _, p := range op.Pattern {
				if _, ok := p.(*syntax.ColumnPattern); ok {
					n++
				}
			}
			if n > maxParseColumns {
				c.errorf(op.Pos(), op.Pos()+syntax.Pos(len("parse")), CodeParseColumns,
					"parse extracts %d columns; transformations allow at most %d per parse operator: split it into several", n, maxParseColumns)
			}
			c.scalar(op)
			return
		}
	}
	name := op.Name()
	c.errorf(op.Pos(), op.Pos()+syntax.Pos(len(name)), CodeOperator,
		"the %s operator is not supported in transformations, which see one record at a time: use where, extend, project, project-away, project-rename or parse", name)
}

// rowReaders are built-in functions that read other rows or tables.
var rowReaders = map[string]bool{
	"toscalar": true, "materialize": true, "table": true, "cluster": true, "database": true,
	"external_table": true, "workspace": true, "app": true, "resource": true,
}

// scalar checks the expressions inside n: no sub-queries, and no
// function that reads beyond the current record.
func (c *checker) scalar(n syntax.Node) {
	walk(n, func(n syntax.Node) bool {
		switch x := n.(type) {
		case syntax.Expr:
			if isTabular(x) {
				if _, ok := x.(*syntax.ContextualSource); ok {
					return false
				}
				c.errorf(x.Pos(), x.End(), CodeSubquery,
					"a sub-query is not supported in transformations, which see one record at a time")
				return false
			}
			if call, ok := x.(*syntax.CallExpr); ok && call.Fun != nil {
				return c.call(call)
			}
		}
		return true
	})
}

// call checks a function call; it reports whether to look inside it.
func (c *checker) call(x *syntax.CallExpr) bool {
	name := x.Fun.Name
	if c.funcs[name] {
		return true
	}
	if rowReaders[name] {
		c.errorf(x.Fun.Pos(), x.Fun.End(), CodeFunction,
			"%s() is not supported in transformations: a transformation reads nothing but the current record", name)
		return false
	}
	if f, ok := semantic.LookupFunc(name); ok {
		switch f.Kind {
		case semantic.Aggregate:
			c.errorf(x.Fun.Pos(), x.Fun.End(), CodeFunction,
				"the aggregation %s() is not supported in transformations, which see one record at a time", name)
			return false
		case semantic.Window:
			c.errorf(x.Fun.Pos(), x.Fun.End(), CodeFunction,
				"the window function %s() is not supported in transformations, which see one record at a time", name)
			return false
		}
	}
	return true
}

// azureSpellings are the function names Azure Monitor's transformations
// use where KQL elsewhere has another.
var azureSpellings = map[string]string{
	"columnifexists": "column_ifexists",
}

// respell renames the calls of script that use a transformation-only
// spelling to the engine's name, keeping positions.
func respell(script *syntax.Script) {
	walk(script, func(n syntax.Node) bool {
		if x, ok := n.(*syntax.CallExpr); ok && x.Fun != nil && x.Recv == nil {
			if to, ok := azureSpellings[x.Fun.Name]; ok {
				x.Fun.Name = to
			}
		}
		return true
	})
}

var syntaxPkg = reflect.TypeOf(syntax.Script{}).PkgPath()

// walk calls visit for every node of the tree under n, n included, parents
// before children; when visit returns false, the node's children are
// skipped. It finds nodes through the exported fields of the syntax
// package's types, so it needs no change when a node type is added.
func walk(n syntax.Node, visit func(syntax.Node) bool) {
	walkValue(reflect.ValueOf(n), visit)
}

var nodeType = reflect.TypeOf((*syntax.Node)(nil)).Elem()

func walkValue(v reflect.Value, visit func(syntax.Node) bool) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			walkValue(v.Elem(), visit)
		}
	case reflect.Pointer:
		if v.IsNil() || v.Type().Elem().PkgPath() != syntaxPkg {
			return
		}
		if v.Type().Implements(nodeType) {
			if !visit(v.Interface().(syntax.Node)) {
				return
			}
		}
		walkValue(v.Elem(), visit)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkValue(v.Index(i), visit)
		}
	case reflect.Struct:
		if v.Type().PkgPath() != syntaxPkg {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkValue(v.Field(i), visit)
			}
		}
	}
}

var planPkg = reflect.TypeOf(plan.Query{}).PkgPath()

// planFacts is what the bound plan of a transformation tells.
type planFacts struct {
	// readsSource: the plan scans source (a query over print or datatable
	// alone does not).
	readsSource bool
	// refused names a plan construct transformations do not support, or
	// is empty, and code is its diagnostic code. The syntax check refuses
	// what the text shows; this is what only binding reveals, such as a
	// tabular let used in `in`.
	refused, code string
}

// inspectPlan walks a bound plan.
func inspectPlan(q *plan.Query) planFacts {
	var f planFacts
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				visit(v.Elem())
			}
		case reflect.Pointer:
			if v.IsNil() || v.Type().Elem().PkgPath() != planPkg {
				return
			}
			switch x := v.Interface().(type) {
			case *plan.Scan:
				if x.Table == sourceTable {
					f.readsSource = true
				}
			case *plan.Values, *plan.Filter, *plan.Project, *plan.CTERef, *plan.Query:
			case *plan.ScalarSubquery:
				if f.refused == "" {
					f.refused, f.code = "a sub-query", CodeSubquery
				}
			case plan.Node:
				if f.refused == "" {
					f.refused, f.code = "a "+strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", x), "*plan."))+" step", CodeOperator
				}
			case *plan.Call:
				if fn, ok := semantic.LookupFunc(x.Fn); ok && fn.Kind != semantic.Scalar && f.refused == "" {
					f.refused, f.code = x.Fn+"()", CodeFunction
				}
			}
			visit(v.Elem())
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i))
			}
		case reflect.Struct:
			if v.Type().PkgPath() != planPkg {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					visit(v.Field(i))
				}
			}
		}
	}
	visit(reflect.ValueOf(q))
	return f
}
