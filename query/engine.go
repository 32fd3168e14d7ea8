package query

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/sqlgen/duckdb"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/query/udf"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/schema"
)

// Config holds the engine's limits.
type Config struct {
	// MaxRows truncates results beyond this many rows (Kusto: 500,000).
	MaxRows int
	// MaxBytes truncates results beyond roughly this many bytes (64 MB).
	MaxBytes int64
	// Timeout bounds each query; zero means no timeout beyond the context.
	Timeout time.Duration
	// AllowExternalData permits externaldata.
	AllowExternalData bool
	// MemoryLimit caps the memory DuckDB may use for query execution, in
	// bytes (0: DuckDB's default of 80% of RAM). A query that needs more
	// fails with an out-of-memory error instead of taking the process down.
	MemoryLimit int64
}

// DefaultConfig returns Kusto's default limits and a 4-minute timeout.
func DefaultConfig() Config {
	return Config{MaxRows: 500000, MaxBytes: 64 << 20, Timeout: 4 * time.Minute, MemoryLimit: 8 << 30}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.MaxRows <= 0 {
		return errors.New("query: MaxRows must be positive")
	}
	if c.MaxBytes <= 0 {
		return errors.New("query: MaxBytes must be positive")
	}
	if c.Timeout < 0 {
		return errors.New("query: Timeout must not be negative")
	}
	return nil
}

// Engine runs queries on one DuckDB database.
type Engine struct {
	db     *sql.DB
	cat    *schema.Catalogue
	follow func() *schema.Catalogue
	cfg    Config
}

// Follow makes the engine compile against the catalogue src returns at
// the time of each query (a workspace whose custom tables change while
// it runs) instead of the one given to New.
func (e *Engine) Follow(src func() *schema.Catalogue) { e.follow = src }

// Catalogue returns the catalogue queries compile against now.
func (e *Engine) Catalogue() *schema.Catalogue {
	if e.follow != nil {
		return e.follow()
	}
	return e.cat
}

// New returns an engine over db, whose tables follow cat. It installs the
// SQL helpers (macros) that generated queries call.
func New(ctx context.Context, db *sql.DB, cat *schema.Catalogue, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MemoryLimit > 0 {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%dB'", cfg.MemoryLimit)); err != nil {
			return nil, fmt.Errorf("set memory limit: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, duckdb.Prelude); err != nil {
		return nil, fmt.Errorf("install query helpers: %w", err)
	}
	if err := udf.Register(ctx, db); err != nil {
		return nil, fmt.Errorf("install query functions: %w", err)
	}
	return &Engine{db: db, cat: cat, cfg: cfg}, nil
}

// Catalog adapts a schema catalogue to the KQL binder; it is
// schema.KQLCatalog, named here where the engine's callers look for it.
type Catalog = schema.KQLCatalog

// Options are per-query settings.
type Options struct {
	// Now fixes now(); zero means the time the query starts.
	Now time.Time
	// Window restricts every table with a TimeGenerated column to rows in
	// it (the query API's timespan); nil means no restriction.
	Window *plan.TimeWindow
}

// Compile compiles text against the engine's catalogue. Where the schema
// of a result depends on data (bag_unpack, pivot), the data is read.
func (e *Engine) Compile(ctx context.Context, text string, opts Options) (*kql.Compiled, error) {
	return kql.Compile(text, Catalog{C: e.Catalogue()}, kql.Options{
		Now:               opts.Now,
		Window:            opts.Window,
		AllowExternalData: e.cfg.AllowExternalData,
		Discover:          func(q *plan.Query) ([]string, error) { return e.discover(ctx, q) },
	})
}

// discover runs a one-column plan and returns its values as strings.
func (e *Engine) discover(ctx context.Context, q *plan.Query) ([]string, error) {
	st, err := duckdb.Generate(q)
	if err != nil {
		return nil, err
	}
	rows, err := e.db.QueryContext(ctx, st.SQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		if v.Valid {
			out = append(out, v.String)
		}
		if len(out) > 10000 {
			return nil, errors.New("more than 10,000 distinct values")
		}
	}
	return out, rows.Err()
}

// Run compiles and executes text. Compilation errors are *kql.Error.
func (e *Engine) Run(ctx context.Context, text string, opts Options) (*result.Set, error) {
	c, err := e.Compile(ctx, text, opts)
	if err != nil {
		return nil, err
	}
	return e.Exec(ctx, c)
}

// ExecError is a failure while executing compiled SQL.
type ExecError struct {
	SQL string
	Err error
}

func (e *ExecError) Error() string { return "query execution failed: " + e.Err.Error() }
func (e *ExecError) Unwrap() error { return e.Err }

// Exec runs a compiled query.
func (e *Engine) Exec(ctx context.Context, c *kql.Compiled) (*result.Set, error) {
	if e.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.cfg.Timeout)
		defer cancel()
	}
	rows, err := e.db.QueryContext(ctx, c.SQL)
	if err != nil {
		return nil, &ExecError{SQL: c.SQL, Err: err}
	}
	defer rows.Close()
	t := &result.Table{Name: "PrimaryResult"}
	for _, col := range c.Columns {
		t.Columns = append(t.Columns, result.Column{Name: col.Name, Type: col.Type})
	}
	set := &result.Set{Tables: []*result.Table{t}}
	n := len(c.Columns)
	raw := make([]any, n)
	ptrs := make([]any, n)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var bytes int64
	for rows.Next() {
		if len(t.Rows) >= e.cfg.MaxRows {
			set.Truncated = true
			set.TruncationReason = fmt.Sprintf("the result exceeds the row limit of %d rows", e.cfg.MaxRows)
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, &ExecError{SQL: c.SQL, Err: err}
		}
		row := make([]any, n)
		for i, v := range raw {
			row[i], bytes = cell(v, c.Columns[i].Type, bytes)
		}
		t.Rows = append(t.Rows, row)
		if bytes > e.cfg.MaxBytes {
			set.Truncated = true
			set.TruncationReason = fmt.Sprintf("the result exceeds the size limit of %d bytes", e.cfg.MaxBytes)
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, &ExecError{SQL: c.SQL, Err: err}
	}
	return set, nil
}

// cell converts a scanned DuckDB value to the result's Go value for type t
// and adds its approximate size to bytes.
func cell(v any, t types.Type, bytes int64) (any, int64) {
	if v == nil {
		if t == types.String {
			return "", bytes + 2
		}
		return nil, bytes + 4
	}
	switch t {
	case types.Bool:
		if b, ok := v.(bool); ok {
			return b, bytes + 5
		}
	case types.Int:
		switch x := v.(type) {
		case int32:
			return x, bytes + 8
		case int64:
			return int32(x), bytes + 8
		}
	case types.Long:
		switch x := v.(type) {
		case int64:
			return x, bytes + 12
		case int32:
			return int64(x), bytes + 12
		case *big.Int:
			return x.Int64(), bytes + 12
		}
	case types.TimeSpan:
		switch x := v.(type) {
		case int64:
			return result.FromTicks(x), bytes + 16
		}
	case types.Real:
		switch x := v.(type) {
		case float64:
			return x, bytes + 12
		case float32:
			return float64(x), bytes + 12
		}
	case types.DateTime:
		if x, ok := v.(time.Time); ok {
			return x.UTC(), bytes + 28
		}
	case types.Decimal:
		if s, ok := v.(string); ok {
			// DuckDB prints every digit of the scale (12.345000…);
			// Kusto prints the value (12.345).
			if strings.Contains(s, ".") {
				s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
			}
			return s, bytes + int64(len(s)) + 2
		}
	case types.String, types.GUID:
		if s, ok := v.(string); ok {
			return s, bytes + int64(len(s)) + 2
		}
	case types.Dynamic:
		if s, ok := v.(string); ok {
			return json.RawMessage(s), bytes + int64(len(s))
		}
	}
	s := fmt.Sprint(v)
	return s, bytes + int64(len(s))
}
