package hunting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
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
	docs *store.Documents[Query]
	cat  func() *schema.Catalogue
	now  func() time.Time
}

// Open returns the store of db; cat gives the current table catalogue
// (custom tables included) to check queries against.
func Open(ctx context.Context, db *sql.DB, cat func() *schema.Catalogue) (*Store, error) {
	docs, err := store.OpenDocuments[Query](ctx, db, "hunting_queries")
	if err != nil {
		return nil, fmt.Errorf("hunting queries: %w", err)
	}
	return &Store{docs: docs, cat: cat, now: time.Now}, nil
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
	if err := s.docs.Put(ctx, q.ID, q); err != nil {
		return Query{}, fmt.Errorf("save hunting query %q: %w", q.Name, err)
	}
	return q, nil
}

// Delete removes a query.
func (s *Store) Delete(ctx context.Context, id string) error {
	found, err := s.docs.Delete(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no hunting query %s", ErrNotFound, id)
	}
	return nil
}

// Get returns one query.
func (s *Store) Get(ctx context.Context, id string) (Query, error) {
	q, found, err := s.docs.Get(ctx, id)
	if err == nil && !found {
		err = fmt.Errorf("%w: no hunting query %s", ErrNotFound, id)
	}
	return q, err
}

// List returns every query, by name.
func (s *Store) List(ctx context.Context) ([]Query, error) {
	out, err := s.docs.List(ctx)
	slices.SortFunc(out, func(a, b Query) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, err
}
