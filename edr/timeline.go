package edr

import (
	"context"
	"fmt"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
)

// TimelineQuery selects a page of a device's timeline.
type TimelineQuery struct {
	From, To time.Time // zero: unbounded
	// Type keeps events of one table (DeviceProcessEvents) or one
	// ActionType (ProcessCreated).
	Type  string
	Limit int // 100 when zero, at most 1000
	Skip  int // at most 100000
}

// Timeline is a page of a device's events, newest first.
type Timeline struct {
	Columns []result.Column  `json:"-"`
	Events  []map[string]any `json:"value"`
	// More reports that further events follow the page.
	More bool `json:"more"`
}

// timelineColumns are the columns a timeline entry carries, where the
// event's table has them.
var timelineColumns = []string{"Timestamp", "ActionType", "ReportId", "FileName", "FolderPath", "SHA256",
	"ProcessId", "ProcessCommandLine", "AccountDomain", "AccountName", "RemoteIP", "RemotePort", "RemoteUrl", "LocalIP", "LocalPort",
	"InitiatingProcessFileName", "InitiatingProcessId", "InitiatingProcessCommandLine", "InitiatingProcessAccountName", "LogonType"}

// timelineTables are the device's event tables: every Device* table with
// DeviceId and Timestamp columns.
func (s *Service) timelineTables() []string {
	var out []string
	for _, t := range s.ws.Store().Tables() {
		if strings.HasPrefix(t.Name, "Device") && t.ColumnIndex("DeviceId") >= 0 && t.ColumnIndex("Timestamp") >= 0 {
			out = append(out, t.Name)
		}
	}
	return out
}

var typePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,128}$`)

// TimelineKQL is the query the timeline runs: a union of the device's
// event tables, filtered and newest first, the first skip+limit+1 rows.
func (s *Service) TimelineKQL(deviceID string, q TimelineQuery) string {
	var b strings.Builder
	tables := s.timelineTables()
	b.WriteString("union withsource=Table ")
	for i, t := range tables {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t)
	}
	fmt.Fprintf(&b, "\n| where DeviceId == %s", syntax.QuoteString(deviceID))
	if !q.From.IsZero() {
		fmt.Fprintf(&b, "\n| where Timestamp >= datetime(%s)", q.From.UTC().Format(time.RFC3339Nano))
	}
	if !q.To.IsZero() {
		fmt.Fprintf(&b, "\n| where Timestamp < datetime(%s)", q.To.UTC().Format(time.RFC3339Nano))
	}
	if q.Type != "" {
		fmt.Fprintf(&b, "\n| where Table == %s or ActionType == %s", syntax.QuoteString(q.Type), syntax.QuoteString(q.Type))
	}
	fmt.Fprintf(&b, "\n| project Table, %s", strings.Join(timelineColumns, ", "))
	fmt.Fprintf(&b, "\n| sort by Timestamp desc, ReportId desc, Table asc")
	fmt.Fprintf(&b, "\n| take %d", q.Skip+q.Limit+1)
	return b.String()
}

// Timeline returns a page of a device's timeline, newest first: its
// events from every Device* table, read through the KQL engine, merged
// with the response actions taken on it (Table MachineActions).
func (s *Service) Timeline(ctx context.Context, deviceID string, q TimelineQuery) (Timeline, error) {
	dev, err := s.Device(ctx, deviceID)
	if err != nil {
		return Timeline{}, err
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	if q.Limit < 0 || q.Limit > 1000 || q.Skip < 0 || q.Skip > 100000 {
		return Timeline{}, fmt.Errorf("%w: limit must be 1 to 1000 and skip 0 to 100000", ErrInvalid)
	}
	if q.Type != "" && !typePattern.MatchString(q.Type) {
		return Timeline{}, fmt.Errorf("%w: type must be a table name or an ActionType (letters, digits, _)", ErrInvalid)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return Timeline{}, fmt.Errorf("%w: from must be before to", ErrInvalid)
	}
	set, err := s.ws.Query(ctx, s.TimelineKQL(dev.ID, q), query.Options{})
	if err != nil {
		return Timeline{}, fmt.Errorf("timeline of %s: %w", dev.ID, err)
	}
	tl := Timeline{Events: []map[string]any{}}
	var events []map[string]any
	if t := set.Primary(); t != nil {
		tl.Columns = t.Columns
		for _, r := range t.Rows {
			ev := map[string]any{}
			for i, c := range t.Columns {
				if i < len(r) && r[i] != nil && r[i] != "" {
					ev[c.Name] = r[i]
				}
			}
			events = append(events, ev)
		}
	}
	// Response actions are on the timeline too, as Defender shows them.
	acts, err := s.timelineActions(ctx, dev.ID, q)
	if err != nil {
		return Timeline{}, err
	}
	if len(acts) > 0 {
		events = append(events, acts...)
		sort.SliceStable(events, func(i, j int) bool { return eventTime(events[i]).After(eventTime(events[j])) })
	}
	if len(events) > q.Skip+q.Limit {
		tl.More = true
		events = events[:q.Skip+q.Limit]
	}
	if q.Skip < len(events) {
		tl.Events = events[q.Skip:]
	}
	return tl, nil
}

// ActionsTable names response actions on a device's timeline.
const ActionsTable = "MachineActions"

// timelineActions returns the device's response actions that q selects,
// newest first, as timeline entries: at most skip+limit+1 of them, all a
// page of the merged timeline can need.
func (s *Service) timelineActions(ctx context.Context, deviceID string, q TimelineQuery) ([]map[string]any, error) {
	if q.Type != "" && q.Type != ActionsTable && !slices.Contains(commandTypes, q.Type) {
		return nil, nil
	}
	sqlText := "SELECT " + actionColumns + " FROM goshawk.machine_actions WHERE device_id = ?"
	args := []any{deviceID}
	if q.Type != "" && q.Type != ActionsTable {
		sqlText += " AND type = ?"
		args = append(args, q.Type)
	}
	if !q.From.IsZero() {
		sqlText += " AND requested >= ?"
		args = append(args, q.From.UTC())
	}
	if !q.To.IsZero() {
		sqlText += " AND requested < ?"
		args = append(args, q.To.UTC())
	}
	sqlText += fmt.Sprintf(" ORDER BY requested DESC LIMIT %d", q.Skip+q.Limit+1)
	rows, err := s.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("read actions: %w", err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("read actions: %w", err)
		}
		ev := map[string]any{"Table": ActionsTable, "Timestamp": a.Requested, "ActionType": a.Type, "ActionId": a.ID, "Status": a.Status, "Requestor": a.RequestedBy}
		if a.Comment != "" {
			ev["Comment"] = a.Comment
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// eventTime is a timeline entry's Timestamp.
func eventTime(ev map[string]any) time.Time {
	switch t := ev["Timestamp"].(type) {
	case time.Time:
		return t
	case string:
		v, _ := time.Parse(time.RFC3339Nano, t)
		return v
	}
	return time.Time{}
}
