package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/goshawk-sec/goshawk/ingest"
)

func (w *Workspace) loadRules(ctx context.Context) error {
	rows, err := w.store.DB().QueryContext(ctx, "SELECT id, CAST(definition AS VARCHAR) FROM goshawk.collection_rules ORDER BY id")
	if err != nil {
		return fmt.Errorf("load collection rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, def string
		if err := rows.Scan(&id, &def); err != nil {
			return fmt.Errorf("load collection rules: %w", err)
		}
		var r ingest.Rule
		if err := json.Unmarshal([]byte(def), &r); err != nil {
			return fmt.Errorf("load collection rule %s: %w", id, err)
		}
		r.ID = id
		w.rules.Put(&r)
	}
	return rows.Err()
}

// PutRule creates or replaces a data collection rule after checking it
// against the workspace's tables (transformations included).
func (w *Workspace) PutRule(ctx context.Context, r *ingest.Rule) error {
	w.contentMu.Lock()
	defer w.contentMu.Unlock()
	if err := w.pipeline.Validate(r); err != nil {
		return err
	}
	def, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := w.store.DB().ExecContext(ctx, `INSERT INTO goshawk.collection_rules VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated = excluded.updated`, r.ID, string(def), time.Now().UTC()); err != nil {
		return fmt.Errorf("store collection rule %s: %w", r.ID, err)
	}
	w.rules.Put(r)
	return nil
}

// Rule returns a data collection rule.
func (w *Workspace) Rule(ctx context.Context, id string) (*ingest.Rule, error) {
	r, ok := w.rules.Get(id)
	if !ok {
		return nil, fmt.Errorf("collection rule %q: %w", id, ErrNotFound)
	}
	return r, nil
}

// Rules lists the data collection rules (not the built-in one).
func (w *Workspace) Rules(ctx context.Context) ([]*ingest.Rule, error) {
	return w.rules.List(), nil
}

// DeleteRule removes a data collection rule.
func (w *Workspace) DeleteRule(ctx context.Context, id string) error {
	w.contentMu.Lock()
	defer w.contentMu.Unlock()
	if _, ok := w.rules.Get(id); !ok {
		return fmt.Errorf("collection rule %q: %w", id, ErrNotFound)
	}
	if _, err := w.store.DB().ExecContext(ctx, "DELETE FROM goshawk.collection_rules WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete collection rule %s: %w", id, err)
	}
	w.rules.Delete(id)
	return nil
}

// Pipeline is the workspace's ingestion path.
func (w *Workspace) Pipeline() *ingest.Pipeline { return w.pipeline }
