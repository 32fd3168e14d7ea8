package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// Append stores rows in table in one transaction: every row or none. Each
// row holds the table's columns in catalogue order, hidden ones included,
// as the Go values the package documentation lists.
func (s *Store) Append(ctx context.Context, table string, rows [][]any) (err error) {
	info, err := s.tableInfo(table)
	if err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	for i, row := range rows {
		if len(row) != len(info.table.Columns) {
			return fmt.Errorf("append to %s: row %d has %d values, the table has %d columns", table, i, len(row), len(info.table.Columns))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	w, err := s.newWriter(ctx, info)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = w.Rollback()
		}
	}()
	for _, row := range rows {
		if err := w.Write(row); err != nil {
			return err
		}
	}
	return w.Commit()
}

// Writer appends a stream of rows to one table in a single transaction,
// made visible by Commit. A Writer is not safe for concurrent use; writers
// of different tables (or of the same table) can run concurrently.
type Writer struct {
	info *tableInfo
	ctx  context.Context
	conn *sql.Conn
	app  *duckdbdriver.Appender
	row  []driver.Value
	n    int64
	done bool
}

// NewWriter starts a transaction appending to table. The caller must end it
// with Commit or Rollback.
func (s *Store) NewWriter(ctx context.Context, table string) (*Writer, error) {
	info, err := s.tableInfo(table)
	if err != nil {
		return nil, fmt.Errorf("append to %s: %w", table, err)
	}
	return s.newWriter(ctx, info)
}

func (s *Store) newWriter(ctx context.Context, info *tableInfo) (*Writer, error) {
	name := info.table.Name
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("append to %s: %w", name, err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("append to %s: begin: %w", name, err)
	}
	w := &Writer{info: info, ctx: ctx, conn: conn, row: make([]driver.Value, len(info.table.Columns))}
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		var err error
		w.app, err = newAppender(c, info)
		return err
	})
	if err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		return nil, fmt.Errorf("append to %s: create appender: %w", name, err)
	}
	return w, nil
}

// Write appends one row. An invalid row (wrong width, a value of the wrong
// type) is reported and not appended; the writer stays usable.
func (w *Writer) Write(row []any) error {
	if w.done {
		return fmt.Errorf("append to %s: writer already committed or rolled back", w.info.table.Name)
	}
	if err := appendRow(w.app, w.info, w.row, row, w.n); err != nil {
		return err
	}
	w.n++
	return nil
}

// newAppender opens a DuckDB appender on the table info describes.
func newAppender(c driver.Conn, info *tableInfo) (*duckdbdriver.Appender, error) {
	if info.columns != nil {
		return duckdbdriver.NewAppenderWithColumns(c, "", "", info.table.Name, info.columns)
	}
	return duckdbdriver.NewAppender(c, "", "", info.table.Name)
}

// appendRow converts row (row number n of the append) into vals and
// appends it. An invalid row is reported and not appended.
func appendRow(app *duckdbdriver.Appender, info *tableInfo, vals []driver.Value, row []any, n int64) error {
	cols := info.table.Columns
	name := info.table.Name
	if len(row) != len(cols) {
		return fmt.Errorf("append to %s: row %d has %d values, the table has %d columns", name, n, len(row), len(cols))
	}
	for i, v := range row {
		cv, err := info.conv[i](v)
		if err != nil {
			return fmt.Errorf("append to %s: row %d: column %s (%s): %w", name, n, cols[i].Name, cols[i].Type, err)
		}
		vals[i] = cv
	}
	if err := app.AppendRow(vals...); err != nil {
		return fmt.Errorf("append to %s: row %d: %w", name, n, err)
	}
	return nil
}

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int64 { return w.n }

// Commit flushes the appended rows and commits them.
func (w *Writer) Commit() error {
	if w.done {
		return fmt.Errorf("append to %s: writer already committed or rolled back", w.info.table.Name)
	}
	w.done = true
	defer w.conn.Close()
	name := w.info.table.Name
	if err := w.app.CloseWithCancel(w.ctx); err != nil {
		_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("append to %s: flush: %w", name, err)
	}
	if _, err := w.conn.ExecContext(w.ctx, "COMMIT"); err != nil {
		_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("append to %s: commit: %w", name, err)
	}
	return nil
}

// Rollback discards the appended rows. It is a no-op after Commit.
func (w *Writer) Rollback() error {
	if w.done {
		return nil
	}
	w.done = true
	defer w.conn.Close()
	w.app.Clear()
	errClose := w.app.Close()
	_, errRollback := w.conn.ExecContext(context.Background(), "ROLLBACK")
	if errRollback != nil {
		return fmt.Errorf("append to %s: rollback: %w", w.info.table.Name, errors.Join(errRollback, errClose))
	}
	return nil
}

// converter turns a caller's Go value into the value the DuckDB appender
// stores for one KQL type.
type converter func(v any) (driver.Value, error)

func converterFor(t types.Type) (converter, error) {
	switch t {
	case types.Bool:
		return convBool, nil
	case types.Int:
		return convInt, nil
	case types.Long:
		return convLong, nil
	case types.Real:
		return convReal, nil
	case types.Decimal:
		return convDecimal, nil
	case types.String:
		return convString, nil
	case types.DateTime:
		return convDateTime, nil
	case types.TimeSpan:
		return convTimeSpan, nil
	case types.GUID:
		return convGUID, nil
	case types.Dynamic:
		return convDynamic, nil
	}
	return nil, fmt.Errorf("no storage for type %s", t)
}

func typeError(v any) error { return fmt.Errorf("cannot store a %T", v) }

func convString(v any) (driver.Value, error) {
	switch v.(type) {
	case string:
		return v, nil // already boxed: no copy
	case nil:
		return "", nil
	}
	return nil, typeError(v)
}

func convBool(v any) (driver.Value, error) {
	switch v.(type) {
	case bool:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, typeError(v)
}

// toInt64 converts any Go integer to int64.
func toInt64(v any) (int64, bool, error) {
	switch x := v.(type) {
	case int64:
		return x, true, nil
	case int:
		return int64(x), true, nil
	case int32:
		return int64(x), true, nil
	case int16:
		return int64(x), true, nil
	case int8:
		return int64(x), true, nil
	case uint8:
		return int64(x), true, nil
	case uint16:
		return int64(x), true, nil
	case uint32:
		return int64(x), true, nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, true, fmt.Errorf("%d is out of range", x)
		}
		return int64(x), true, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, true, fmt.Errorf("%d is out of range", x)
		}
		return int64(x), true, nil
	}
	return 0, false, nil
}

func convInt(v any) (driver.Value, error) {
	if _, ok := v.(int32); ok {
		return v, nil
	}
	if v == nil {
		return nil, nil
	}
	n, ok, err := toInt64(v)
	if !ok {
		return nil, typeError(v)
	}
	if err != nil {
		return nil, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return nil, fmt.Errorf("%d is out of range for int", n)
	}
	return int32(n), nil
}

func convLong(v any) (driver.Value, error) {
	switch v.(type) {
	case int64:
		return v, nil
	case nil:
		return nil, nil
	}
	n, ok, err := toInt64(v)
	if !ok {
		return nil, typeError(v)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

func convReal(v any) (driver.Value, error) {
	switch x := v.(type) {
	case float64:
		return v, nil
	case float32:
		return float64(x), nil
	case nil:
		return nil, nil
	}
	n, ok, err := toInt64(v)
	if !ok {
		return nil, typeError(v)
	}
	if err != nil {
		return nil, err
	}
	return float64(n), nil
}

// decimalScale is the scale of the DECIMAL(38,18) columns.
const decimalScale = 18

func convDecimal(v any) (driver.Value, error) {
	var r *big.Rat
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v is not a decimal", x)
		}
		r = new(big.Rat).SetFloat64(x)
	case float32:
		r = new(big.Rat).SetFloat64(float64(x))
	case string:
		var ok bool
		if r, ok = new(big.Rat).SetString(strings.TrimSpace(x)); !ok {
			return nil, fmt.Errorf("%q is not a decimal", x)
		}
	default:
		n, ok, err := toInt64(v)
		if !ok {
			return nil, typeError(v)
		}
		if err != nil {
			return nil, err
		}
		r = new(big.Rat).SetInt64(n)
	}
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(decimalScale), nil)))
	q := new(big.Int).Quo(scaled.Num(), scaled.Denom())
	if len(q.String()) > 38+1 {
		return nil, fmt.Errorf("%v is out of range for decimal(38,18)", v)
	}
	return duckdbdriver.Decimal{Width: 38, Scale: decimalScale, Value: q}, nil
}

func convDateTime(v any) (driver.Value, error) {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return nil, nil
		}
		return v, nil // the appender stores the instant, whatever the zone
	case *time.Time:
		if x == nil || x.IsZero() {
			return nil, nil
		}
		return x.UTC(), nil
	case nil:
		return nil, nil
	}
	return nil, typeError(v)
}

func convTimeSpan(v any) (driver.Value, error) {
	switch x := v.(type) {
	case time.Duration:
		return int64(x / 100), nil
	case nil:
		return nil, nil
	}
	return nil, typeError(v)
}

func convGUID(v any) (driver.Value, error) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil, nil
		}
		u, err := uuid.Parse(x)
		if err != nil {
			return nil, fmt.Errorf("%q is not a guid", x)
		}
		return duckdbdriver.UUID(u), nil
	case uuid.UUID:
		return duckdbdriver.UUID(x), nil
	case [16]byte:
		return duckdbdriver.UUID(x), nil
	case duckdbdriver.UUID:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, typeError(v)
}

func convDynamic(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		if !json.Valid(x) {
			return nil, fmt.Errorf("invalid JSON %.60q", x)
		}
		return v, nil
	case []byte:
		if !json.Valid(x) {
			return nil, fmt.Errorf("invalid JSON %.60q", x)
		}
		return json.RawMessage(x), nil
	case string:
		if !json.Valid([]byte(x)) {
			return nil, fmt.Errorf("invalid JSON %.60q", x)
		}
		return json.RawMessage(x), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cannot encode a %T as JSON: %w", v, err)
	}
	return json.RawMessage(b), nil
}
