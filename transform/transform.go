package transform

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/semantic"
	"github.com/goshawk-sec/goshawk/kql/sqlgen/duckdb"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// sourceTable is the name under which a transformation sees its input.
const sourceTable = "source"

// memoryLimit caps what the engine's DuckDB may use. A batch is at most
// an ingestion request (1 MB of JSON by default), so this leaves room for
// many at once.
const memoryLimit = 1 << 30

// Engine runs transformations on its own in-memory DuckDB database, which
// holds no table: each Apply creates its batch as a temporary table named
// source on a connection of its own, so a transformation can read nothing
// else. It is safe for concurrent use.
type Engine struct {
	db *sql.DB
}

var _ ingest.Transformer = (*Engine)(nil)

// New opens an engine with the KQL engine's SQL helpers and Go functions
// installed. Close releases it.
func New(ctx context.Context) (*Engine, error) {
	connector, err := duckdbdriver.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("transformation engine: %w", err)
	}
	db := sql.OpenDB(connector)
	// Keep a connection per concurrent batch instead of opening one per
	// Apply.
	db.SetMaxIdleConns(2 * runtime.GOMAXPROCS(0))
	cfg := query.DefaultConfig()
	cfg.MemoryLimit = memoryLimit
	// The query engine is not kept: New installs the prelude and the
	// functions in the database, and transformations compile against
	// their own single-table catalogue.
	if _, err := query.New(ctx, db, nil, cfg); err != nil {
		db.Close()
		return nil, fmt.Errorf("transformation engine: %w", err)
	}
	return &Engine{db: db}, nil
}

// Close closes the engine's database.
func (e *Engine) Close() error { return e.db.Close() }

// catalog is a catalogue holding the table source alone.
type catalog struct{ cols []types.Column }

func (c catalog) Table(name string) ([]types.Column, bool) {
	if name != sourceTable {
		return nil, false
	}
	return c.cols, true
}

func (c catalog) TableNames() []string { return []string{sourceTable} }

// Compile checks a transformKql over the input columns and prepares it.
// Errors in the text are *kql.Error, with the position of each problem:
// syntax and binding errors, and what transformations refuse (codes.go).
func (e *Engine) Compile(text string, input []schema.Column) (ingest.Transform, error) {
	t := &Transform{e: e, text: text, input: input}
	seen := map[string]bool{}
	var defs []string
	for _, c := range input {
		if c.Type == types.Unknown || c.Type == types.Null {
			return nil, fmt.Errorf("input column %q has no type", c.Name)
		}
		if c.Name == "" || seen[strings.ToLower(c.Name)] {
			return nil, fmt.Errorf("input column name %q is empty or repeated (names are compared without case)", c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		t.cat.cols = append(t.cat.cols, types.Column{Name: c.Name, Type: c.Type})
		defs = append(defs, duckdb.Ident(c.Name)+" "+duckdb.SQLType(c.Type))
		conv, err := store.Converter(c.Type)
		if err != nil {
			return nil, fmt.Errorf("input column %q: %w", c.Name, err)
		}
		t.conv = append(t.conv, conv)
	}
	t.create = "CREATE OR REPLACE TEMP TABLE " + sourceTable + " (" + strings.Join(defs, ", ") + ")"

	src := syntax.NewSource(text)
	script, errs := syntax.Parse(text)
	if errs.Err() != nil {
		return nil, &kql.Error{Stage: kql.StageParse, Diagnostics: errs, Source: src}
	}
	if errs := check(script); len(errs) > 0 {
		return nil, &kql.Error{Stage: kql.StageBind, Diagnostics: errs, Source: src}
	}
	// now() and ago() are constants of the compiled SQL. Compiling at two
	// instants tells whether the transformation uses them; if it does,
	// each Apply compiles it again so that they mean the batch's time.
	t0 := time.Now().UTC()
	st, q, err := t.build(t0)
	if err != nil {
		return nil, err
	}
	facts := inspectPlan(q)
	if facts.refused != "" {
		return nil, &kql.Error{Stage: kql.StageBind, Source: src, Diagnostics: syntax.ErrorList{{
			From: 0, To: syntax.Pos(len(text)), Code: facts.code, Severity: syntax.SeverityError,
			Message: fmt.Sprintf("the transformation needs %s, which transformations do not support: they see one record at a time", facts.refused)}}}
	}
	st1, _, err := t.build(t0.Add(25*time.Hour + time.Second + time.Microsecond))
	if err != nil {
		return nil, err
	}
	t.sql, t.timeDependent, t.readsSource = st.SQL, st.SQL != st1.SQL, facts.readsSource
	for _, c := range st.Columns {
		t.output = append(t.output, schema.Column{Name: c.Name, Type: c.Type})
		t.read = append(t.read, reader(c.Type))
	}
	if err := t.prepare(); err != nil {
		return nil, err
	}
	return t, nil
}

// prepareTimeout bounds the check Compile makes on DuckDB.
const prepareTimeout = 30 * time.Second

// prepare has DuckDB bind the generated SQL over an empty source table,
// so that a transformation the backend cannot run is refused when the
// rule is saved rather than on every batch.
func (t *Transform) prepare() error {
	ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
	defer cancel()
	conn, err := t.e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	defer conn.Close()
	defer func() { _, _ = conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp.main."+sourceTable) }()
	if _, err := conn.ExecContext(ctx, t.create); err != nil {
		return fmt.Errorf("transform: create the input table: %w", err)
	}
	st, err := conn.PrepareContext(ctx, t.sql)
	if err != nil {
		return fmt.Errorf("transformation cannot run: %w", err)
	}
	return st.Close()
}

// Transform is a compiled transformation. It is safe for concurrent use.
type Transform struct {
	e     *Engine
	text  string
	cat   catalog
	input []schema.Column
	// create makes the temporary table source; conv converts the input
	// values for its columns.
	create string
	conv   []func(any) (driver.Value, error)

	sql           string
	timeDependent bool // the SQL holds now(): compile it for each batch
	readsSource   bool
	output        []schema.Column
	read          []func(any) (any, error)
}

// build parses, binds and generates the transformation's SQL with now()
// fixed at now.
func (t *Transform) build(now time.Time) (*duckdb.Statement, *plan.Query, error) {
	src := syntax.NewSource(t.text)
	script, errs := syntax.Parse(t.text)
	if errs.Err() != nil {
		return nil, nil, &kql.Error{Stage: kql.StageParse, Diagnostics: errs, Source: src}
	}
	respell(script)
	q, errs := semantic.Bind(script, t.cat, semantic.Options{Now: now})
	if errs.Err() != nil {
		return nil, nil, &kql.Error{Stage: kql.StageBind, Diagnostics: errs, Source: src}
	}
	st, err := duckdb.Generate(q)
	if err != nil {
		return nil, nil, &kql.Error{Stage: kql.StageCompile, Source: src, Diagnostics: syntax.ErrorList{{
			From: 0, To: syntax.Pos(len(t.text)), Code: semantic.CodeUnsupported, Severity: syntax.SeverityError, Message: err.Error()}}}
	}
	return st, q, nil
}

// Columns returns the output columns.
func (t *Transform) Columns() []schema.Column { return t.output }

// Apply runs the transformation on rows of the input columns (Go values
// as the store package documents) and returns rows of the output columns
// in the same conventions. Cancelling ctx cancels the run.
func (t *Transform) Apply(ctx context.Context, rows [][]any) ([][]any, error) {
	out, err := t.apply(ctx, rows)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		// DuckDB reports an interrupted query as its own error; give the
		// caller the reason.
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return out, err
}

func (t *Transform) apply(ctx context.Context, rows [][]any) ([][]any, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	text := t.sql
	if t.timeDependent {
		st, _, err := t.build(time.Now().UTC())
		if err != nil {
			return nil, err
		}
		text = st.SQL
	}
	conn, err := t.e.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	defer conn.Close()
	if t.readsSource {
		defer func() {
			// Free the batch now rather than when the connection is next
			// used; a failure here leaves it to the next CREATE OR REPLACE.
			_, _ = conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp.main."+sourceTable)
		}()
		if err := t.load(ctx, conn, rows); err != nil {
			return nil, err
		}
	}
	out, err := t.run(ctx, conn, text, len(rows))
	if err != nil {
		return nil, err
	}
	if !t.readsSource {
		// A query over print or datatable alone gives the same rows for
		// every record it runs on.
		one := out
		out = make([][]any, 0, len(one)*len(rows))
		for range rows {
			for _, r := range one {
				out = append(out, append([]any(nil), r...))
			}
		}
	}
	return out, nil
}

// load creates the temporary table source on conn and appends rows.
func (t *Transform) load(ctx context.Context, conn *sql.Conn, rows [][]any) error {
	if _, err := conn.ExecContext(ctx, t.create); err != nil {
		return fmt.Errorf("transform: create the input table: %w", err)
	}
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("transform: unexpected driver connection %T", dc)
		}
		app, err := duckdbdriver.NewAppender(c, "temp", "main", sourceTable)
		if err != nil {
			return fmt.Errorf("transform: %w", err)
		}
		vals := make([]driver.Value, len(t.conv))
		for i, row := range rows {
			if len(row) != len(t.conv) {
				return errors.Join(fmt.Errorf("transform: row %d has %d values, the stream has %d columns", i, len(row), len(t.conv)), app.Close())
			}
			if i%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return errors.Join(err, app.Close())
				}
			}
			for j, v := range row {
				if vals[j], err = t.conv[j](v); err != nil {
					return errors.Join(fmt.Errorf("transform: row %d: column %s (%s): %w", i, t.input[j].Name, t.input[j].Type, err), app.Close())
				}
			}
			if err := app.AppendRow(vals...); err != nil {
				return errors.Join(fmt.Errorf("transform: row %d: %w", i, err), app.Close())
			}
		}
		if err := app.CloseWithCancel(ctx); err != nil {
			return fmt.Errorf("transform: load the batch: %w", err)
		}
		return nil
	})
}

// run executes the compiled SQL and reads its rows in the store's
// conventions. hint sizes the result.
func (t *Transform) run(ctx context.Context, conn *sql.Conn, text string, hint int) ([][]any, error) {
	rs, err := conn.QueryContext(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	defer rs.Close()
	n := len(t.output)
	raw := make([]any, n)
	ptrs := make([]any, n)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	out := make([][]any, 0, hint)
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("transform: %w", err)
		}
		row := make([]any, n)
		for i, v := range raw {
			if row[i], err = t.read[i](v); err != nil {
				return nil, fmt.Errorf("transform: row %d: column %s (%s): %w", len(out), t.output[i].Name, t.output[i].Type, err)
			}
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	return out, nil
}
