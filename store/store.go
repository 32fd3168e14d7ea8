package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"github.com/goshawk-sec/goshawk/kql/sqlgen/duckdb"
	"github.com/goshawk-sec/goshawk/schema"
)

// FileName is the name of the workspace database file inside the data
// directory given to Open.
const FileName = "workspace.duckdb"

// dbSettings are the DuckDB configuration options every workspace is
// opened with (see the package documentation).
var dbSettings = []string{
	// Create new files in the newest storage format, which enables the
	// compression methods added since v0.10.2 (the default).
	"storage_compatibility_version=latest",
	"checkpoint_threshold=256MB",
}

// Store is an open workspace. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string // "" for an in-memory workspace

	mu     sync.RWMutex
	cat    *schema.Catalogue
	tables map[string]*tableInfo
}

// tableInfo is what the write path knows about one stored table.
type tableInfo struct {
	table *schema.Table
	conv  []converter
	// columns, when non-nil, lists the storage names to append to: the
	// stored table's columns are not exactly the catalogue's, in order.
	columns []string
}

// Open opens the workspace kept in dir, creating dir and the workspace file
// if needed, and creates every table of cat that the workspace lacks.
func Open(ctx context.Context, dir string, cat *schema.Catalogue) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open workspace: no data directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open workspace: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open workspace %q: the path may not contain '?' or '#'", path)
	}
	s, err := open(ctx, path, cat)
	if err != nil {
		return nil, fmt.Errorf("open workspace %q: %w", path, err)
	}
	return s, nil
}

// OpenMemory opens an empty in-memory workspace holding every table of cat.
// It is lost on Close.
func OpenMemory(ctx context.Context, cat *schema.Catalogue) (*Store, error) {
	s, err := open(ctx, "", cat)
	if err != nil {
		return nil, fmt.Errorf("open in-memory workspace: %w", err)
	}
	return s, nil
}

func open(ctx context.Context, path string, cat *schema.Catalogue) (*Store, error) {
	if cat == nil {
		return nil, errors.New("no catalogue")
	}
	dsn := path + "?" + strings.Join(dbSettings, "&")
	connector, err := duckdbdriver.NewConnector(dsn, nil)
	if err != nil {
		return nil, err
	}
	s := &Store{db: sql.OpenDB(connector), path: path, cat: cat, tables: map[string]*tableInfo{}}
	if err := s.createTables(ctx, cat.Tables()); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// DB returns the database for the query path. Queries must treat the
// workspace tables as read-only and write through Append or a Writer.
func (s *Store) DB() *sql.DB { return s.db }

// Path returns the workspace file's path, or "" for an in-memory workspace.
func (s *Store) Path() string { return s.path }

// Close checkpoints and closes the workspace.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close workspace %q: %w", s.path, err)
	}
	return nil
}

// Checkpoint writes everything appended since the last checkpoint into the
// database file, compressed, and empties the write-ahead log. Call it after
// a bulk load.
func (s *Store) Checkpoint(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("checkpoint workspace %q: %w", s.path, err)
	}
	return nil
}

// Table returns the schema of a stored table, custom tables included.
func (s *Store) Table(name string) (*schema.Table, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	info, ok := s.tables[name]
	if !ok {
		return nil, false
	}
	return info.table, true
}

// Tables returns the schema of every stored table, custom tables included,
// sorted by name.
func (s *Store) Tables() []*schema.Table {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*schema.Table, 0, len(s.tables))
	for _, info := range s.tables {
		out = append(out, info.table)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Catalogue returns the catalogue the workspace was opened with, with the
// custom tables created since (CreateTable) added.
func (s *Store) Catalogue() *schema.Catalogue {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cat
}

// CreateTable creates the table t (a custom table, typically built with
// schema.Catalogue.CustomTable) if the workspace lacks it, or adds the
// columns it lacks. Appends to t are accepted from then on.
func (s *Store) CreateTable(ctx context.Context, t *schema.Table) error {
	if t == nil || t.Name == "" {
		return errors.New("create table: no table")
	}
	return s.createTables(ctx, []*schema.Table{t})
}

// quoteIdent quotes a DuckDB identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// columnDDL is the column definition of c in CREATE TABLE and ADD COLUMN.
func columnDDL(c schema.Column) string {
	def := quoteIdent(storageName(c)) + " " + duckdb.SQLType(c.Type)
	if duckdb.SQLType(c.Type) == "VARCHAR" {
		def += " NOT NULL DEFAULT ''"
	}
	return def
}

func storageName(c schema.Column) string {
	if c.Storage != "" {
		return c.Storage
	}
	return c.Name
}

type storedColumn struct{ name, typ string }

// createTables creates or completes tables in one transaction and records
// them for the write path.
func (s *Store) createTables(ctx context.Context, tables []*schema.Table) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	existing, err := storedTables(ctx, conn)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	infos := make([]*tableInfo, 0, len(tables))
	for _, t := range tables {
		info, err := prepareTable(ctx, conn, t, existing[t.Name])
		if err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
		infos = append(infos, info)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, info := range infos {
		if ct, ok := s.cat.Table(info.table.Name); !ok || ct != info.table {
			s.cat = s.cat.WithTable(info.table)
			info.table, _ = s.cat.Table(info.table.Name)
		}
		s.tables[info.table.Name] = info
	}
	return nil
}

// storedTables returns the columns of every table in the main schema.
func storedTables(ctx context.Context, conn *sql.Conn) (map[string][]storedColumn, error) {
	rows, err := conn.QueryContext(ctx, `SELECT table_name, column_name, data_type
		FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main'
		ORDER BY table_name, column_index`)
	if err != nil {
		return nil, fmt.Errorf("list stored tables: %w", err)
	}
	defer rows.Close()
	out := map[string][]storedColumn{}
	for rows.Next() {
		var table string
		var c storedColumn
		if err := rows.Scan(&table, &c.name, &c.typ); err != nil {
			return nil, fmt.Errorf("list stored tables: %w", err)
		}
		out[table] = append(out[table], c)
	}
	return out, rows.Err()
}

func prepareTable(ctx context.Context, conn *sql.Conn, t *schema.Table, stored []storedColumn) (*tableInfo, error) {
	info := &tableInfo{table: t, conv: make([]converter, len(t.Columns))}
	for i, c := range t.Columns {
		conv, err := converterFor(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		info.conv[i] = conv
	}
	if stored == nil {
		defs := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			defs[i] = columnDDL(c)
		}
		q := "CREATE TABLE " + quoteIdent(t.Name) + " (\n\t" + strings.Join(defs, ",\n\t") + "\n)"
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("create: %w", err)
		}
		return info, nil
	}
	byName := make(map[string]storedColumn, len(stored))
	for _, sc := range stored {
		byName[strings.ToLower(sc.name)] = sc
	}
	inOrder := len(stored) == len(t.Columns)
	for i, c := range t.Columns {
		name := storageName(c)
		sc, ok := byName[strings.ToLower(name)]
		if !ok {
			// DuckDB cannot add a column with a constraint; the default
			// still fills existing rows, and the write path never stores
			// a null string.
			q := "ALTER TABLE " + quoteIdent(t.Name) + " ADD COLUMN " + strings.Replace(columnDDL(c), " NOT NULL", "", 1)
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("add column %s: %w", c.Name, err)
			}
			inOrder = false
			continue
		}
		if want := duckdb.SQLType(c.Type); !strings.EqualFold(sc.typ, want) {
			return nil, fmt.Errorf("column %s is stored as %s, the catalogue wants %s (%s)", c.Name, sc.typ, want, c.Type)
		}
		if inOrder && !strings.EqualFold(stored[i].name, name) {
			inOrder = false
		}
	}
	if !inOrder {
		info.columns = make([]string, len(t.Columns))
		for i, c := range t.Columns {
			info.columns[i] = storageName(c)
		}
	}
	return info, nil
}

func (s *Store) tableInfo(name string) (*tableInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	info, ok := s.tables[name]
	if !ok {
		return nil, fmt.Errorf("no table %q in the workspace", name)
	}
	return info, nil
}

// DeleteBefore deletes the rows of table whose column (a datetime) is
// before cutoff, and returns how many there were. Retention uses it.
func (s *Store) DeleteBefore(ctx context.Context, table, column string, cutoff time.Time) (int64, error) {
	info, err := s.tableInfo(table)
	if err != nil {
		return 0, err
	}
	c, ok := info.table.Column(column)
	if !ok {
		return 0, fmt.Errorf("delete from %s: no column %s", table, column)
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM "+quoteIdent(table)+" WHERE "+quoteIdent(storageName(c))+" < ?", cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("delete from %s: %w", table, err)
	}
	return res.RowsAffected()
}
