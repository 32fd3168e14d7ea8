// Package kql compiles Kusto Query Language text to SQL. It runs the three
// stages — syntax (parse), semantic (bind and type-check) and a SQL
// generator — and reports errors with the stage and position where they
// arose. It knows nothing of HTTP or of where tables are stored: callers
// pass a Catalog and execute the SQL themselves.
//
//	st, err := kql.Compile(`DeviceProcessEvents | where FileName =~ "cmd.exe" | count`, cat, kql.Options{})
package kql

import (
	"fmt"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/semantic"
	"github.com/goshawk-sec/goshawk/kql/sqlgen/duckdb"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Catalog resolves table names; see semantic.Catalog.
type Catalog = semantic.Catalog

// Options control compilation.
type Options struct {
	// Now fixes now() for the whole query; zero means the current time.
	Now time.Time
	// AllowExternalData permits externaldata (URL fetches at query time).
	AllowExternalData bool
	// Discover lets the binder read data where Kusto derives a schema from
	// it (bag_unpack, pivot); nil leaves such schemas open.
	Discover semantic.Discover
	// Window restricts every table with a TimeGenerated column to rows in
	// it, as the Log Analytics query API's timespan does.
	Window *plan.TimeWindow
}

// Stage names the compilation stage that failed.
type Stage string

// Stages.
const (
	StageParse   Stage = "parse"
	StageBind    Stage = "bind"
	StageCompile Stage = "compile"
)

// Error is a failed compilation: the stage and every diagnostic, with the
// source to turn offsets into line:col.
type Error struct {
	Stage       Stage
	Diagnostics syntax.ErrorList
	Source      *syntax.Source
}

// First returns the first error diagnostic.
func (e *Error) First() *syntax.Diagnostic {
	for _, d := range e.Diagnostics {
		if d.Severity == syntax.SeverityError {
			return d
		}
	}
	if len(e.Diagnostics) > 0 {
		return e.Diagnostics[0]
	}
	return &syntax.Diagnostic{Code: "KQL0000", Message: "unknown error"}
}

// Position returns the line and column of the first error.
func (e *Error) Position() syntax.Position { return e.Source.Position(e.First().From) }

func (e *Error) Error() string {
	d := e.First()
	p := e.Source.Position(d.From)
	msg := fmt.Sprintf("%s: %s: %s", p, d.Code, d.Message)
	if n := len(e.Diagnostics); n > 1 {
		msg += fmt.Sprintf(" (and %d more)", n-1)
	}
	return msg
}

// Format renders every diagnostic with a caret snippet, one after another.
func (e *Error) Format() string {
	var parts []string
	for _, d := range e.Diagnostics {
		parts = append(parts, d.Format(e.Source))
	}
	return strings.Join(parts, "\n")
}

// Compiled is a query ready to run.
type Compiled struct {
	SQL     string
	Columns []types.Column
	Plan    *plan.Query
}

// Check parses and binds text without generating SQL.
func Check(text string, cat Catalog, opts Options) (*plan.Query, error) {
	src := syntax.NewSource(text)
	script, errs := syntax.Parse(text)
	if errs.Err() != nil {
		return nil, &Error{Stage: StageParse, Diagnostics: errs, Source: src}
	}
	q, errs := semantic.Bind(script, cat, semantic.Options{Now: opts.Now, AllowExternalData: opts.AllowExternalData, Discover: opts.Discover, Window: opts.Window})
	if errs.Err() != nil {
		return nil, &Error{Stage: StageBind, Diagnostics: errs, Source: src}
	}
	return q, nil
}

// Compile parses, binds and generates DuckDB SQL for text.
func Compile(text string, cat Catalog, opts Options) (*Compiled, error) {
	q, err := Check(text, cat, opts)
	if err != nil {
		return nil, err
	}
	st, err := duckdb.Generate(q)
	if err != nil {
		src := syntax.NewSource(text)
		return nil, &Error{Stage: StageCompile, Source: src, Diagnostics: syntax.ErrorList{{From: 0, To: syntax.Pos(len(text)), Code: semantic.CodeUnsupported, Message: err.Error()}}}
	}
	return &Compiled{SQL: st.SQL, Columns: st.Columns, Plan: q}, nil
}
