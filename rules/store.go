package rules

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/store"
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
// goshawk schema, under the rules' ids in lower case.
type Store struct {
	rules *store.Documents[Rule]
	state *store.Documents[State]
	now   func() time.Time
}

// OpenStore returns the rule store of db.
func OpenStore(ctx context.Context, db *sql.DB) (*Store, error) {
	rules, err := store.OpenDocuments[Rule](ctx, db, "analytics_rules")
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	state, err := store.OpenDocuments[State](ctx, db, "rule_state")
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return &Store{rules: rules, state: state, now: time.Now}, nil
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
	if old, found, err := s.rules.Get(ctx, strings.ToLower(d.ID)); err == nil && found {
		r.Created = old.Created
	}
	if err := s.rules.Put(ctx, strings.ToLower(d.ID), r); err != nil {
		return Rule{}, fmt.Errorf("rules: %w", err)
	}
	return r, nil
}

// Get returns a rule by id.
func (s *Store) Get(ctx context.Context, id string) (Rule, error) {
	r, found, err := s.rules.Get(ctx, strings.ToLower(id))
	if err == nil && !found {
		err = fmt.Errorf("%w: no rule %s", ErrNotFound, id)
	}
	return r, err
}

// List returns every rule, by name.
func (s *Store) List(ctx context.Context) ([]Rule, error) {
	out, err := s.rules.List(ctx)
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, err
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
	found, err := s.rules.Delete(ctx, strings.ToLower(id))
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	if !found {
		return fmt.Errorf("%w: no rule %s", ErrNotFound, id)
	}
	_, err = s.state.Delete(ctx, strings.ToLower(id))
	return err
}

// State returns a rule's scheduler state (zero before its first run).
func (s *Store) State(ctx context.Context, id string) (State, error) {
	st, _, err := s.state.Get(ctx, strings.ToLower(id))
	return st, err
}

// stateStatement is the upsert of a rule's state, to commit with a run's
// rows.
func (s *Store) stateStatement(id string, st State) (store.Statement, error) {
	return s.state.PutStatement(strings.ToLower(id), st)
}
