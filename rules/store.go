package rules

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
)

// ErrNotFound is returned for an unknown rule.
var ErrNotFound = errors.New("not found")

// Rule is a stored rule: its definition and who changed it when.
type Rule struct {
	analytics.Definition
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	By      string    `json:"updatedBy"`
}

// State is where the scheduler stands with a rule.
type State struct {
	// Last is the end of the last window evaluated: a TimeGenerated bound
	// for scheduled rules, an ingestion-time bound for NRT and Microsoft
	// security rules.
	Last time.Time `json:"last"`
	// SuppressedUntil stops a scheduled rule's runs after it raised
	// alerts (suppression).
	SuppressedUntil time.Time `json:"suppressedUntil,omitempty"`
	// LastRun and LastStatus describe the last evaluation.
	LastRun    time.Time `json:"lastRun,omitempty"`
	LastStatus string    `json:"lastStatus,omitempty"`
}

// Store keeps a workspace's rules and their scheduler state in its
// goshawk schema.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

const ddl = `CREATE SCHEMA IF NOT EXISTS goshawk;
CREATE TABLE IF NOT EXISTS goshawk.analytics_rules (
	id VARCHAR PRIMARY KEY,
	body VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS goshawk.rule_state (
	id VARCHAR PRIMARY KEY,
	body VARCHAR NOT NULL
);`

// OpenStore returns the rule store of db.
func OpenStore(ctx context.Context, db *sql.DB) (*Store, error) {
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		return nil, fmt.Errorf("rules: create tables: %w", err)
	}
	return &Store{db: db, now: time.Now}, nil
}

// Put saves a rule (a hunting query is not a rule: save it with the
// hunting package). A rule of the same id is replaced; its scheduler state
// stays.
func (s *Store) Put(ctx context.Context, d analytics.Definition, by string) (Rule, error) {
	if !d.Kind.IsRule() {
		return Rule{}, fmt.Errorf("rules: %s is a %s, not an analytics rule", d.ID, d.Kind)
	}
	if strings.TrimSpace(d.ID) == "" {
		return Rule{}, errors.New("rules: a rule needs an id")
	}
	now := s.now().UTC()
	r := Rule{Definition: d, Created: now, Updated: now, By: by}
	if old, err := s.Get(ctx, d.ID); err == nil {
		r.Created = old.Created
	}
	body, err := json.Marshal(r)
	if err != nil {
		return Rule{}, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO goshawk.analytics_rules VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body`, strings.ToLower(d.ID), string(body)); err != nil {
		return Rule{}, fmt.Errorf("rules: save %s: %w", d.ID, err)
	}
	return r, nil
}

// Get returns a rule by id.
func (s *Store) Get(ctx context.Context, id string) (Rule, error) {
	var body string
	err := s.db.QueryRowContext(ctx, "SELECT body FROM goshawk.analytics_rules WHERE id = ?", strings.ToLower(id)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return Rule{}, fmt.Errorf("%w: no rule %s", ErrNotFound, id)
	}
	if err != nil {
		return Rule{}, fmt.Errorf("rules: read %s: %w", id, err)
	}
	var r Rule
	return r, json.Unmarshal([]byte(body), &r)
}

// List returns every rule, by name.
func (s *Store) List(ctx context.Context) ([]Rule, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT body FROM goshawk.analytics_rules")
	if err != nil {
		return nil, fmt.Errorf("rules: list: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var r Rule
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, rows.Err()
}

// SetEnabled enables or disables a rule.
func (s *Store) SetEnabled(ctx context.Context, id string, on bool, by string) (Rule, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return Rule{}, err
	}
	r.Enabled = on
	return s.Put(ctx, r.Definition, by)
}

// Delete removes a rule and its state.
func (s *Store) Delete(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM goshawk.analytics_rules WHERE id = ?", strings.ToLower(id))
	if err != nil {
		return fmt.Errorf("rules: delete %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: no rule %s", ErrNotFound, id)
	}
	_, err = s.db.ExecContext(ctx, "DELETE FROM goshawk.rule_state WHERE id = ?", strings.ToLower(id))
	return err
}

// State returns a rule's scheduler state (zero before its first run).
func (s *Store) State(ctx context.Context, id string) (State, error) {
	var body string
	err := s.db.QueryRowContext(ctx, "SELECT body FROM goshawk.rule_state WHERE id = ?", strings.ToLower(id)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("rules: read the state of %s: %w", id, err)
	}
	var st State
	return st, json.Unmarshal([]byte(body), &st)
}

// stateStatement is the upsert of a rule's state, to commit with a run's
// rows.
func stateStatement(id string, st State) (string, []any) {
	body, _ := json.Marshal(st)
	return `INSERT INTO goshawk.rule_state VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
		[]any{strings.ToLower(id), string(body)}
}
