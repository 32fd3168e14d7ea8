package duckdb

import (
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/semantic"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// TestEveryFunctionTranslates fails when the catalogue declares a function
// this backend cannot translate.
func TestEveryFunctionTranslates(t *testing.T) {
	for _, f := range semantic.Funcs() {
		name := f.Canonical()
		switch f.Kind {
		case semantic.Scalar:
			if _, ok := scalarFuncs[name]; !ok {
				t.Errorf("scalar function %s (%s) has no DuckDB translation", f.Name, name)
			}
		case semantic.Window:
			if _, ok := windowFuncs[name]; !ok {
				t.Errorf("window function %s has no DuckDB translation", f.Name)
			}
		case semantic.Aggregate:
			n := f.MinArgs
			if n < 2 {
				n = 2
			}
			args := make([]plan.Expr, n)
			for i := range args {
				args[i] = &plan.ColRef{Name: "x", T: types.Long}
			}
			if err := tryAgg(&plan.Call{Fn: name, Args: args, T: types.Long}); err != "" && strings.Contains(err, "not supported") {
				t.Errorf("aggregate %s has no DuckDB translation", f.Name)
			}
		}
	}
}

func tryAgg(c *plan.Call) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if ge, ok := r.(genError); ok {
				msg = ge.msg
				return
			}
			msg = "panic"
		}
	}()
	g := &gen{}
	g.aggExpr(c)
	return ""
}
