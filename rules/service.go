package rules

import (
	"context"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
)

// Status is a rule with where the scheduler stands with it.
type Status struct {
	Rule
	State State `json:"state"`
}

// Service is the rules as the API and the CLI manage them.
type Service struct {
	Store    *Store
	Engine   *Engine
	Importer *Importer
}

// Import imports rule files; see Importer.Import.
func (s *Service) Import(ctx context.Context, files []File, by string) []analytics.Result {
	return s.Importer.Import(ctx, files, by)
}

// List returns every rule with its state.
func (s *Service) List(ctx context.Context) ([]Status, error) {
	rs, err := s.Store.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(rs))
	for _, r := range rs {
		st, err := s.Store.State(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Status{Rule: r, State: st})
	}
	return out, nil
}

// Get returns one rule with its state.
func (s *Service) Get(ctx context.Context, id string) (Status, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return Status{}, err
	}
	st, err := s.Store.State(ctx, r.ID)
	return Status{Rule: r, State: st}, err
}

// Export writes a rule back as Sentinel YAML.
func (s *Service) Export(ctx context.Context, id string) ([]byte, error) {
	r, err := s.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return analytics.FormatYAML(r.Definition)
}

// SetEnabled enables or disables a rule.
func (s *Service) SetEnabled(ctx context.Context, id string, on bool, by string) (Status, error) {
	if _, err := s.Store.SetEnabled(ctx, id, on, by); err != nil {
		return Status{}, err
	}
	return s.Get(ctx, id)
}

// Delete removes a rule.
func (s *Service) Delete(ctx context.Context, id string) error { return s.Store.Delete(ctx, id) }

// Test backtests a rule; see Engine.Backtest.
func (s *Service) Test(ctx context.Context, id string, from, to time.Time) (Backtest, error) {
	return s.Engine.Backtest(ctx, id, from, to)
}
