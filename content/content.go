package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/rules"
	"github.com/goshawk-sec/goshawk/store"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/hunting"
)

// ErrNotFound is returned for an unknown solution.
var ErrNotFound = errors.New("not found")

// Solution is an installable bundle.
type Solution struct {
	Name        string
	Title       string
	Version     string
	Description string
	// Connector is the id of the connector whose data types the
	// solution enables ("" for none).
	Connector string
	Hunting   []hunting.Query
	// Rules are analytics rules, enabled on install.
	Rules []analytics.Definition
}

// State is a solution as the workspace has it.
type State struct {
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	Version     string     `json:"version"`
	Description string     `json:"description"`
	Connector   string     `json:"connector,omitempty"`
	Items       []string   `json:"items"`
	Installed   bool       `json:"installed"`
	InstalledAt *time.Time `json:"installedAt,omitempty"`
	InstalledBy string     `json:"installedBy,omitempty"`
	// InstalledVersion differs from Version when a newer one is
	// available.
	InstalledVersion string `json:"installedVersion,omitempty"`
}

// record is what an install did, for uninstall.
type record struct {
	Version string    `json:"version"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	// Enabled are the connector's data types the install enabled.
	Enabled []string `json:"enabled,omitempty"`
	Hunting []string `json:"hunting,omitempty"`
	Rules   []string `json:"rules,omitempty"`
}

// Service installs solutions into a workspace.
type Service struct {
	installs *store.Documents[record] // by solution name
	conns    *connector.Service
	hunt     *hunting.Store
	rules    *rules.Store
	log      *slog.Logger
	now      func() time.Time
	sols     []Solution
}

// New returns the content hub of a workspace (db holds its settings).
func New(ctx context.Context, db *sql.DB, conns *connector.Service, hunt *hunting.Store, rs *rules.Store, log *slog.Logger) (*Service, error) {
	installs, err := store.OpenDocuments[record](ctx, db, "content_installed")
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{installs: installs, conns: conns, hunt: hunt, rules: rs, log: log, now: time.Now, sols: Solutions()}, nil
}

func (s *Service) solution(name string) (Solution, error) {
	for _, sol := range s.sols {
		if strings.EqualFold(sol.Name, name) {
			return sol, nil
		}
	}
	var names []string
	for _, sol := range s.sols {
		names = append(names, sol.Name)
	}
	return Solution{}, fmt.Errorf("%w: no solution %q (available: %s)", ErrNotFound, name, strings.Join(names, ", "))
}

// record is the install record of a solution, nil when not installed.
func (s *Service) record(ctx context.Context, name string) (*record, error) {
	r, found, err := s.installs.Get(ctx, name)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

func (s *Service) state(ctx context.Context, sol Solution) (State, error) {
	st := State{Name: sol.Name, Title: sol.Title, Version: sol.Version, Description: sol.Description, Connector: sol.Connector}
	if sol.Connector != "" {
		st.Items = append(st.Items, "connector "+sol.Connector)
	}
	for _, q := range sol.Hunting {
		st.Items = append(st.Items, "hunting query "+strconv.Quote(q.Name))
	}
	for _, r := range sol.Rules {
		st.Items = append(st.Items, "analytics rule "+strconv.Quote(r.Name))
	}
	r, err := s.record(ctx, sol.Name)
	if err != nil {
		return State{}, err
	}
	if r != nil {
		at := r.At
		st.Installed, st.InstalledAt, st.InstalledBy, st.InstalledVersion = true, &at, r.By, r.Version
	}
	return st, nil
}

// List returns every solution and whether it is installed.
func (s *Service) List(ctx context.Context) ([]State, error) {
	var out []State
	for _, sol := range s.sols {
		st, err := s.state(ctx, sol)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Get returns one solution's state.
func (s *Service) Get(ctx context.Context, name string) (State, error) {
	sol, err := s.solution(name)
	if err != nil {
		return State{}, err
	}
	return s.state(ctx, sol)
}

// Install installs a solution: enables its connector's data types and
// saves its content. Installing an installed solution puts back what was
// removed and updates it to the current version.
func (s *Service) Install(ctx context.Context, name, by string) (State, error) {
	sol, err := s.solution(name)
	if err != nil {
		return State{}, err
	}
	r, err := s.record(ctx, sol.Name)
	if err != nil {
		return State{}, err
	}
	if r == nil {
		r = &record{At: s.now().UTC(), By: by}
	}
	r.Version = sol.Version
	if sol.Connector != "" {
		st, err := s.conns.Status(ctx, sol.Connector)
		if err != nil {
			return State{}, err
		}
		var off []string
		for _, dt := range st.DataTypes {
			if !dt.Enabled {
				off = append(off, dt.Name)
			}
		}
		if len(off) > 0 {
			if _, err := s.conns.SetEnabled(ctx, sol.Connector, off, true, by); err != nil {
				return State{}, err
			}
			for _, n := range off {
				if !slices.Contains(r.Enabled, n) {
					r.Enabled = append(r.Enabled, n)
				}
			}
		}
	}
	for _, q := range sol.Hunting {
		q.Source, q.By = sol.Name, by
		if _, err := s.hunt.Put(ctx, q); err != nil {
			return State{}, fmt.Errorf("install %s: %w", sol.Name, err)
		}
		if !slices.Contains(r.Hunting, q.ID) {
			r.Hunting = append(r.Hunting, q.ID)
		}
	}
	for _, d := range sol.Rules {
		if err := d.Validate(); err != nil {
			return State{}, fmt.Errorf("install %s: rule %s: %w", sol.Name, d.Name, err)
		}
		if _, err := s.rules.Put(ctx, d, by); err != nil {
			return State{}, fmt.Errorf("install %s: %w", sol.Name, err)
		}
		if !slices.Contains(r.Rules, d.ID) {
			r.Rules = append(r.Rules, d.ID)
		}
	}
	if err := s.installs.Put(ctx, sol.Name, *r); err != nil {
		return State{}, fmt.Errorf("content: record the install of %s: %w", sol.Name, err)
	}
	s.log.Info("solution installed", "solution", sol.Name, "version", sol.Version, "by", by)
	return s.state(ctx, sol)
}

// Uninstall removes what the install added: its saved content, and the
// connector data types it enabled are disabled again.
func (s *Service) Uninstall(ctx context.Context, name, by string) (State, error) {
	sol, err := s.solution(name)
	if err != nil {
		return State{}, err
	}
	r, err := s.record(ctx, sol.Name)
	if err != nil {
		return State{}, err
	}
	if r == nil {
		return State{}, fmt.Errorf("%w: solution %s is not installed", ErrNotFound, sol.Name)
	}
	for _, id := range r.Hunting {
		if err := s.hunt.Delete(ctx, id); err != nil && !errors.Is(err, hunting.ErrNotFound) {
			return State{}, err
		}
	}
	for _, id := range r.Rules {
		if err := s.rules.Delete(ctx, id); err != nil && !errors.Is(err, rules.ErrNotFound) {
			return State{}, err
		}
	}
	if sol.Connector != "" && len(r.Enabled) > 0 {
		if _, err := s.conns.SetEnabled(ctx, sol.Connector, r.Enabled, false, by); err != nil {
			return State{}, err
		}
	}
	if _, err := s.installs.Delete(ctx, sol.Name); err != nil {
		return State{}, fmt.Errorf("content: remove the install record of %s: %w", sol.Name, err)
	}
	s.log.Info("solution uninstalled", "solution", sol.Name, "by", by)
	return s.state(ctx, sol)
}
