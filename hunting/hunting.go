package hunting

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
)

// ErrNotFound is returned for an unknown query.
var ErrNotFound = errors.New("not found")

// ErrInvalid marks a query that cannot be saved.
var ErrInvalid = errors.New("invalid hunting query")

// Query is a saved hunting query.
type Query struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Query       string   `json:"query"`
	Tactics     []string `json:"tactics,omitempty"`
	Techniques  []string `json:"techniques,omitempty"`
	// Source is where it came from: a solution's name, "import", "user".
	Source  string    `json:"source"`
	Created time.Time `json:"created"`
	By      string    `json:"createdBy"`
}

// Store is the saved queries of a workspace, in its goshawk schema.
type Store struct {
	db  *sql.DB
	cat func() *schema.Catalogue
	now func() time.Time
}

const ddl = `CREATE SCHEMA IF NOT EXISTS goshawk;
CREATE TABLE IF NOT EXISTS goshawk.hunting_queries (
	id VARCHAR PRIMARY KEY,
	body VARCHAR NOT NULL
);`

// Open returns the store of db; cat gives the current table catalogue
// (custom tables included) to check queries against.
func Open(ctx context.Context, db *sql.DB, cat func() *schema.Catalogue) (*Store, error) {
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		return nil, fmt.Errorf("hunting queries: create table: %w", err)
	}
	return &Store{db: db, cat: cat, now: time.Now}, nil
}

// Check reports why q cannot be saved: no id or name, or a query that
// does not parse and bind.
func (s *Store) Check(q Query) error {
	if strings.TrimSpace(q.ID) == "" || strings.TrimSpace(q.Name) == "" {
		return fmt.Errorf("%w: id and name are required", ErrInvalid)
	}
	if _, err := kql.Check(q.Query, query.Catalog{C: s.cat()}, kql.Options{}); err != nil {
		return fmt.Errorf("%w %q: query: %v", ErrInvalid, q.Name, err)
	}
	return nil
}

// Put saves q, replacing a query of the same id.
func (s *Store) Put(ctx context.Context, q Query) (Query, error) {
	if err := s.Check(q); err != nil {
		return Query{}, err
	}
	if q.Created.IsZero() {
		q.Created = s.now().UTC()
	}
	body, err := json.Marshal(q)
	if err != nil {
		return Query{}, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO goshawk.hunting_queries VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body`, q.ID, string(body)); err != nil {
		return Query{}, fmt.Errorf("save hunting query %q: %w", q.Name, err)
	}
	return q, nil
}

// Delete removes a query.
func (s *Store) Delete(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM goshawk.hunting_queries WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete hunting query %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: no hunting query %s", ErrNotFound, id)
	}
	return nil
}

// Get returns one query.
func (s *Store) Get(ctx context.Context, id string) (Query, error) {
	var body string
	err := s.db.QueryRowContext(ctx, "SELECT body FROM goshawk.hunting_queries WHERE id = ?", id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return Query{}, fmt.Errorf("%w: no hunting query %s", ErrNotFound, id)
	}
	if err != nil {
		return Query{}, err
	}
	var q Query
	return q, json.Unmarshal([]byte(body), &q)
}

// List returns every query, by name.
func (s *Store) List(ctx context.Context) ([]Query, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT body FROM goshawk.hunting_queries")
	if err != nil {
		return nil, fmt.Errorf("list hunting queries: %w", err)
	}
	defer rows.Close()
	var out []Query
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var q Query
		if err := json.Unmarshal([]byte(body), &q); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b Query) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, rows.Err()
}
