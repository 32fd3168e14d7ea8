// Package udf implements, in Go, the KQL functions that DuckDB's SQL
// cannot express well (URL and path parsing, geospatial cells, …) and
// registers them as DuckDB scalar functions. The SQL generator
// (kql/sqlgen/duckdb) calls them by their kql_* names; the query engine
// registers them when it opens a database.
package udf

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sort"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Func is one Go-implemented scalar function.
type Func struct {
	Name   string
	Args   []duckdb.Type
	Result duckdb.Type
	// Fn computes one row. Inputs are nil for SQL NULL unless Nulls is set.
	Fn func(args []driver.Value) (any, error)
	// Variadic makes the last argument type repeatable.
	Variadic bool
}

var funcs = map[string]Func{}

// add registers f in the package's table; families call it from init.
func add(f Func) {
	if _, dup := funcs[f.Name]; dup {
		panic("udf: duplicate function " + f.Name)
	}
	funcs[f.Name] = f
}

// Names lists the registered functions.
func Names() []string {
	out := make([]string, 0, len(funcs))
	for n := range funcs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

type scalar struct{ f Func }

func (s scalar) Config() duckdb.ScalarFuncConfig {
	var in []duckdb.TypeInfo
	for _, t := range s.f.Args {
		ti, err := duckdb.NewTypeInfo(t)
		if err != nil {
			panic(err)
		}
		in = append(in, ti)
	}
	out, err := duckdb.NewTypeInfo(s.f.Result)
	if err != nil {
		panic(err)
	}
	cfg := duckdb.ScalarFuncConfig{InputTypeInfos: in, ResultTypeInfo: out}
	if s.f.Variadic && len(in) > 0 {
		cfg.VariadicTypeInfo = in[len(in)-1]
		cfg.InputTypeInfos = in[:len(in)-1]
	}
	return cfg
}

func (s scalar) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: s.f.Fn}
}

// Register installs every function on db. Functions registered on one
// connection are visible to all connections of the same database.
func Register(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, name := range Names() {
		if err := duckdb.RegisterScalarUDF(conn, name, scalar{funcs[name]}); err != nil {
			return fmt.Errorf("register %s: %w", name, err)
		}
	}
	return nil
}
