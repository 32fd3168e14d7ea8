package incidents

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/store"
	"github.com/goshawk-sec/goshawk/workspace"
)

// Service keeps a workspace's incidents.
type Service struct {
	ws  *workspace.Workspace
	db  *sql.DB
	log *slog.Logger
	now func() time.Time

	// mu serializes changes: numbering, grouping and the read-modify-write
	// of an incident.
	mu sync.Mutex
	// last is the highest incident number committed.
	last int64
	// url is the server's base URL, for IncidentUrl.
	url string
}

const ddl = `CREATE SCHEMA IF NOT EXISTS goshawk;
CREATE TABLE IF NOT EXISTS goshawk.incidents (
	number BIGINT PRIMARY KEY,
	name VARCHAR NOT NULL,
	rule_id VARCHAR NOT NULL,
	group_key VARCHAR NOT NULL,
	first_alert TIMESTAMP NOT NULL,
	status VARCHAR NOT NULL,
	severity VARCHAR NOT NULL,
	owner VARCHAR NOT NULL,
	created TIMESTAMP NOT NULL,
	modified TIMESTAMP NOT NULL,
	body VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS goshawk.incident_alerts (
	alert_id VARCHAR PRIMARY KEY,
	number BIGINT NOT NULL
);`

// New opens the incidents of ws.
func New(ctx context.Context, ws *workspace.Workspace, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{ws: ws, db: ws.Store().DB(), log: log, now: time.Now}
	if _, err := s.db.ExecContext(ctx, ddl); err != nil {
		return nil, fmt.Errorf("incidents: create tables: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, "SELECT coalesce(max(number), 0) FROM goshawk.incidents").Scan(&s.last); err != nil {
		return nil, fmt.Errorf("incidents: read the last incident number: %w", err)
	}
	return s, nil
}

// SetClock replaces the clock (time.Now), for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetURL sets the server's base URL ("https://host:8443"), which
// IncidentUrl starts with from then on; without it IncidentUrl is the
// API path alone.
func (s *Service) SetURL(base string) {
	s.mu.Lock()
	s.url = strings.TrimRight(base, "/")
	s.mu.Unlock()
}

func (s *Service) incidentURL(n int64) string {
	return s.url + "/v1/incidents/" + strconv.FormatInt(n, 10)
}

// clock is the current time as the store keeps it: UTC, microseconds.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// record is an incident with what grouping needs of it.
type record struct {
	Incident
	ruleID     string
	groupKey   string
	firstAlert time.Time
}

// changeTime is when a change made at now is recorded: now, or one
// microsecond after the incident's previous row, so that its rows'
// TimeGenerated strictly increases.
func changeTime(now, last time.Time) time.Time {
	if !now.After(last) {
		return last.Add(time.Microsecond)
	}
	return now
}

const selectRecord = "SELECT body, rule_id, group_key, first_alert FROM goshawk.incidents"

func scanRecords(rows *sql.Rows) ([]*record, error) {
	defer rows.Close()
	var out []*record
	for rows.Next() {
		var body string
		r := &record{}
		if err := rows.Scan(&body, &r.ruleID, &r.groupKey, &r.firstAlert); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &r.Incident); err != nil {
			return nil, fmt.Errorf("incident state: %w", err)
		}
		r.firstAlert = r.firstAlert.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Service) record(ctx context.Context, number int64) (*record, error) {
	rows, err := s.db.QueryContext(ctx, selectRecord+" WHERE number = ?", number)
	if err != nil {
		return nil, fmt.Errorf("read incident %d: %w", number, err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("read incident %d: %w", number, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: no incident %d", ErrNotFound, number)
	}
	return recs[0], nil
}

// Get returns one incident.
func (s *Service) Get(ctx context.Context, number int64) (Incident, error) {
	r, err := s.record(ctx, number)
	if err != nil {
		return Incident{}, err
	}
	return r.Incident, nil
}

// Filter selects incidents for List; zero fields select everything.
type Filter struct {
	// Statuses and Severities keep incidents with one of these (any case).
	Statuses   []string
	Severities []string
	// Owner keeps incidents assigned to this name (any case).
	Owner string
	// From and To keep incidents created in [From, To).
	From, To time.Time
	// Limit keeps the newest Limit incidents (0: all).
	Limit int
}

// List returns the incidents f selects, newest (highest number) first.
func (s *Service) List(ctx context.Context, f Filter) ([]Incident, error) {
	var where []string
	var args []any
	in := func(col string, vals, set []string, what string) error {
		if len(vals) == 0 {
			return nil
		}
		var marks []string
		for _, v := range vals {
			for _, part := range strings.Split(v, ",") {
				c, ok := canonical(set, part)
				if !ok {
					return fmt.Errorf("%w %s %q (want one of %s)", ErrInvalid, what, strings.TrimSpace(part), strings.Join(set, ", "))
				}
				marks = append(marks, "?")
				args = append(args, c)
			}
		}
		where = append(where, col+" IN ("+strings.Join(marks, ", ")+")")
		return nil
	}
	if err := in("status", f.Statuses, statuses, "status"); err != nil {
		return nil, err
	}
	if err := in("severity", f.Severities, severities, "severity"); err != nil {
		return nil, err
	}
	if o := strings.TrimSpace(f.Owner); o != "" {
		where = append(where, "owner = ?")
		args = append(args, strings.ToLower(o))
	}
	if !f.From.IsZero() {
		where = append(where, "created >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where = append(where, "created < ?")
		args = append(args, f.To.UTC())
	}
	q := selectRecord
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY number DESC"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	out := make([]Incident, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Incident)
	}
	return out, nil
}

// save stores the records' state and appends a SecurityIncident row for
// each, in one transaction; alertIDs (alert → incident number) records
// the alerts that joined. The caller holds s.mu.
func (s *Service) save(ctx context.Context, recs []*record, alertIDs map[string]int64) error {
	var stmts []store.Statement
	rows := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		if s.url != "" {
			// An incident created before the server knew its URL gets
			// the full one at its next change.
			r.IncidentURL = s.incidentURL(r.Number)
		}
		body, err := json.Marshal(r.Incident)
		if err != nil {
			return fmt.Errorf("incident %d: %w", r.Number, err)
		}
		stmts = append(stmts, store.Statement{SQL: `INSERT INTO goshawk.incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (number) DO UPDATE SET status = excluded.status, severity = excluded.severity, owner = excluded.owner,
				modified = excluded.modified, body = excluded.body`,
			Args: []any{r.Number, r.Name, r.ruleID, r.groupKey, r.firstAlert, r.Status, r.Severity,
				strings.ToLower(r.Owner.Name()), r.CreatedTime, r.LastModifiedTime, string(body)}})
		rows = append(rows, r.row())
	}
	for id, n := range alertIDs {
		stmts = append(stmts, store.Statement{SQL: "INSERT INTO goshawk.incident_alerts VALUES (?, ?)", Args: []any{id, n}})
	}
	body, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	now := s.clock()
	bs, _, err := s.ws.Pipeline().Prepare(ctx, ingest.DefaultRuleID, "Custom-SecurityIncident", body, now)
	if err != nil {
		return fmt.Errorf("shape SecurityIncident rows: %w", err)
	}
	bs = append(bs, store.Batch{Stmts: stmts})
	if err := s.ws.Pipeline().Commit(ctx, bs...); err != nil {
		return fmt.Errorf("store incidents: %w", err)
	}
	return nil
}

// row is the incident as a SecurityIncident row, in the Logs Ingestion
// API's value forms.
func (inc *Incident) row() map[string]any {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	labels := inc.Labels
	if labels == nil {
		labels = []Label{}
	}
	comments := inc.Comments
	if comments == nil {
		comments = []Comment{}
	}
	row := map[string]any{
		"TimeGenerated":          ts(inc.LastModifiedTime),
		"IncidentName":           inc.Name,
		"IncidentNumber":         inc.Number,
		"Title":                  inc.Title,
		"Description":            inc.Description,
		"Severity":               inc.Severity,
		"Status":                 inc.Status,
		"Classification":         inc.Classification,
		"ClassificationReason":   inc.ClassificationReason,
		"ClassificationComment":  inc.ClassificationComment,
		"Owner":                  inc.Owner,
		"Labels":                 labels,
		"AlertIds":               nonNil(inc.AlertIDs),
		"BookmarkIds":            []string{},
		"Comments":               comments,
		"Tasks":                  []any{},
		"FirstActivityTime":      ts(inc.FirstActivityTime),
		"LastActivityTime":       ts(inc.LastActivityTime),
		"CreatedTime":            ts(inc.CreatedTime),
		"LastModifiedTime":       ts(inc.LastModifiedTime),
		"ModifiedBy":             inc.ModifiedBy,
		"ProviderName":           inc.ProviderName,
		"ProviderIncidentId":     inc.ProviderIncidentID,
		"RelatedAnalyticRuleIds": nonNil(inc.RelatedAnalyticRuleIDs),
		"IncidentUrl":            inc.IncidentURL,
		"AdditionalData":         inc.AdditionalData.withArrays(),
		"SourceSystem":           "Azure",
	}
	if inc.FirstModifiedTime != nil {
		row["FirstModifiedTime"] = ts(*inc.FirstModifiedTime)
	}
	if inc.ClosedTime != nil {
		row["ClosedTime"] = ts(*inc.ClosedTime)
	}
	return row
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// withArrays writes empty lists as [] rather than null.
func (d AdditionalData) withArrays() AdditionalData {
	d.AlertProductNames = nonNil(d.AlertProductNames)
	d.Tactics = nonNil(d.Tactics)
	d.Techniques = nonNil(d.Techniques)
	return d
}

// knownAlerts returns which of ids already belong to an incident.
func (s *Service) knownAlerts(ctx context.Context, ids []string) (map[string]bool, error) {
	known := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, "SELECT alert_id FROM goshawk.incident_alerts WHERE alert_id IN ("+marks+")", args...)
		if err != nil {
			return nil, fmt.Errorf("read incident alerts: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			known[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return known, nil
}
