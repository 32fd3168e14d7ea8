package connector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/workspace"
)

// ErrNotFound is returned for an unknown connector or data type.
var ErrNotFound = errors.New("not found")

// Definition describes a connector.
type Definition struct {
	ID          string
	Title       string
	Publisher   string
	Description string
	DataTypes   []DataTypeDef
	// Validation are the queries an admin runs to see the connector's
	// data (Sentinel's "next steps" queries); Doctor runs them.
	Validation []string
}

// DataTypeDef is one kind of data a connector brings.
type DataTypeDef struct {
	Name   string
	Tables []string
	// Count is the KQL (a table and filters) whose rows are this data
	// type's, for status: last received and rows per hour and day.
	Count string
}

// DataType is a data type's state and activity.
type DataType struct {
	Name    string   `json:"name"`
	Tables  []string `json:"tables"`
	Enabled bool     `json:"enabled"`
	// LastReceived is when a row last arrived (ingestion time); nil when
	// none did in the last day.
	LastReceived *time.Time `json:"lastReceived,omitempty"`
	RowsLastHour int64      `json:"rowsLastHour"`
	RowsLastDay  int64      `json:"rowsLastDay"`
}

// Status is a connector's state.
type Status struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Publisher   string `json:"publisher"`
	Description string `json:"description"`
	// Enabled is true when any data type is.
	Enabled bool `json:"enabled"`
	// Connected is true when the connector is enabled and its source is
	// reporting (for the endpoint: an active device); Reason says why
	// not.
	Connected     bool       `json:"connected"`
	Reason        string     `json:"reason,omitempty"`
	DataTypes     []DataType `json:"dataTypes"`
	LastError     string     `json:"lastError,omitempty"`
	LastErrorTime *time.Time `json:"lastErrorTime,omitempty"`
	Validation    []string   `json:"validationQueries"`
}

// Source is what a connector needs to know of its data source: whether it
// is connected, and why not.
type Source interface {
	Connected(ctx context.Context) (bool, string)
}

// Service holds the workspace's connectors.
type Service struct {
	ws  *workspace.Workspace
	db  *sql.DB
	log *slog.Logger
	now func() time.Time

	defs    []Definition
	sources map[string]Source

	mu      sync.RWMutex
	enabled map[string]bool // connector/dataType → enabled
	errs    map[string]lastError
}

type lastError struct {
	msg string
	at  time.Time
}

const ddl = `CREATE SCHEMA IF NOT EXISTS goshawk;
CREATE TABLE IF NOT EXISTS goshawk.connector_state (
	connector VARCHAR NOT NULL,
	data_type VARCHAR NOT NULL,
	enabled BOOLEAN NOT NULL,
	updated TIMESTAMP NOT NULL,
	updated_by VARCHAR NOT NULL,
	PRIMARY KEY (connector, data_type)
);`

// New opens the connectors of ws. Every data type is enabled until
// someone disables it.
func New(ctx context.Context, ws *workspace.Workspace, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{ws: ws, db: ws.Store().DB(), log: log, now: time.Now,
		defs: []Definition{EndpointDefinition()}, sources: map[string]Source{},
		enabled: map[string]bool{}, errs: map[string]lastError{}}
	if _, err := s.db.ExecContext(ctx, ddl); err != nil {
		return nil, fmt.Errorf("connectors: create tables: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT connector, data_type, enabled FROM goshawk.connector_state")
	if err != nil {
		return nil, fmt.Errorf("connectors: read state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, dt string
		var on bool
		if err := rows.Scan(&c, &dt, &on); err != nil {
			return nil, fmt.Errorf("connectors: read state: %w", err)
		}
		s.enabled[c+"/"+dt] = on
	}
	return s, rows.Err()
}

// SetSource tells the service how to see whether a connector's source is
// connected.
func (s *Service) SetSource(id string, src Source) { s.sources[id] = src }

func (s *Service) def(id string) (Definition, error) {
	for _, d := range s.defs {
		if strings.EqualFold(d.ID, id) {
			return d, nil
		}
	}
	return Definition{}, fmt.Errorf("%w: no connector %q (list them with 'goshawk connectors list')", ErrNotFound, id)
}

// Enabled reports whether a data type of a connector is enabled.
func (s *Service) Enabled(id, dataType string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	on, ok := s.enabled[id+"/"+dataType]
	return !ok || on
}

// recordError keeps a connector's last error.
func (s *Service) recordError(id string, err error) {
	s.mu.Lock()
	s.errs[id] = lastError{err.Error(), s.now().UTC()}
	s.mu.Unlock()
}

// SetEnabled enables or disables data types of a connector (all of them
// when none is named) and returns its status.
func (s *Service) SetEnabled(ctx context.Context, id string, dataTypes []string, on bool, by string) (Status, error) {
	d, err := s.def(id)
	if err != nil {
		return Status{}, err
	}
	names := dataTypes
	if len(names) == 0 {
		for _, dt := range d.DataTypes {
			names = append(names, dt.Name)
		}
	}
	for i, n := range names {
		j := slices.IndexFunc(d.DataTypes, func(dt DataTypeDef) bool { return strings.EqualFold(dt.Name, n) })
		if j < 0 {
			var all []string
			for _, dt := range d.DataTypes {
				all = append(all, dt.Name)
			}
			return Status{}, fmt.Errorf("%w: connector %s has no data type %q (it has %s)", ErrNotFound, d.ID, n, strings.Join(all, ", "))
		}
		names[i] = d.DataTypes[j].Name
	}
	now := s.now().UTC()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Status{}, err
	}
	defer tx.Rollback()
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `INSERT INTO goshawk.connector_state VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (connector, data_type) DO UPDATE SET enabled = excluded.enabled, updated = excluded.updated, updated_by = excluded.updated_by`,
			d.ID, n, on, now, by); err != nil {
			return Status{}, fmt.Errorf("connectors: save state: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Status{}, fmt.Errorf("connectors: save state: %w", err)
	}
	s.mu.Lock()
	for _, n := range names {
		s.enabled[d.ID+"/"+n] = on
	}
	s.mu.Unlock()
	verb := "disabled"
	if on {
		verb = "enabled"
	}
	s.log.Info("connector "+verb, "connector", d.ID, "dataTypes", names, "by", by)
	return s.Status(ctx, d.ID)
}

// List returns every connector's status.
func (s *Service) List(ctx context.Context) ([]Status, error) {
	var out []Status
	for _, d := range s.defs {
		st, err := s.Status(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Status returns one connector's state and activity.
func (s *Service) Status(ctx context.Context, id string) (Status, error) {
	d, err := s.def(id)
	if err != nil {
		return Status{}, err
	}
	st := Status{ID: d.ID, Title: d.Title, Publisher: d.Publisher, Description: d.Description, Validation: d.Validation}
	now := s.now().UTC()
	for _, dt := range d.DataTypes {
		t := DataType{Name: dt.Name, Tables: dt.Tables, Enabled: s.Enabled(d.ID, dt.Name)}
		st.Enabled = st.Enabled || t.Enabled
		if err := s.activity(ctx, dt.Count, now, &t); err != nil {
			return Status{}, err
		}
		st.DataTypes = append(st.DataTypes, t)
	}
	switch src := s.sources[d.ID]; {
	case !st.Enabled:
		st.Reason = "the connector is disabled"
	case src == nil:
		st.Connected = true
	default:
		st.Connected, st.Reason = src.Connected(ctx)
	}
	s.mu.RLock()
	if e, ok := s.errs[d.ID]; ok {
		at := e.at
		st.LastError, st.LastErrorTime = e.msg, &at
	}
	s.mu.RUnlock()
	return st, nil
}

// activity fills a data type's last received time and row counts from
// the rows count selects, by ingestion time.
func (s *Service) activity(ctx context.Context, count string, now time.Time, t *DataType) error {
	q := count + ` | where ingestion_time() > ago(1d)
| summarize LastReceived = max(ingestion_time()), LastHour = countif(ingestion_time() > ago(1h)), LastDay = count()`
	rs, err := s.ws.Query(ctx, q, query.Options{Now: now})
	if err != nil {
		return fmt.Errorf("connector status of %s: %w", t.Name, err)
	}
	recs := rs.Primary().Records()
	if len(recs) != 1 {
		return nil
	}
	r := recs[0]
	if ts, ok := r["LastReceived"].(time.Time); ok && !ts.IsZero() {
		t.LastReceived = &ts
	}
	t.RowsLastHour, _ = asInt(r["LastHour"])
	t.RowsLastDay, _ = asInt(r["LastDay"])
	return nil
}

func asInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case int:
		return int64(v), true
	case float64:
		return int64(v), true
	}
	return 0, false
}

// firstTable is the primary table of a result, never nil.
func firstTable(rs *result.Set) *result.Table {
	if t := rs.Primary(); t != nil {
		return t
	}
	return &result.Table{}
}
