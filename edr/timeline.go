package edr

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
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

// kqlString quotes s as a KQL string literal.
func kqlString(s string) string {
	return strconv.Quote(s) // KQL's escapes are a subset of Go's for the characters Quote emits
}

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
	fmt.Fprintf(&b, "\n| where DeviceId == %s", kqlString(deviceID))
	if !q.From.IsZero() {
		fmt.Fprintf(&b, "\n| where Timestamp >= datetime(%s)", q.From.UTC().Format(time.RFC3339Nano))
	}
	if !q.To.IsZero() {
		fmt.Fprintf(&b, "\n| where Timestamp < datetime(%s)", q.To.UTC().Format(time.RFC3339Nano))
	}
	if q.Type != "" {
		fmt.Fprintf(&b, "\n| where Table == %s or ActionType == %s", kqlString(q.Type), kqlString(q.Type))
	}
	fmt.Fprintf(&b, "\n| project Table, %s", strings.Join(timelineColumns, ", "))
	fmt.Fprintf(&b, "\n| sort by Timestamp desc, ReportId desc, Table asc")
	fmt.Fprintf(&b, "\n| take %d", q.Skip+q.Limit+1)
	return b.String()
}

// Timeline returns a page of a device's events from every Device* table,
// newest first, through the KQL engine.
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
	t := set.Primary()
	if t == nil {
		return tl, nil
	}
	tl.Columns = t.Columns
	rows := t.Rows
	if len(rows) > q.Skip+q.Limit {
		tl.More = true
		rows = rows[:q.Skip+q.Limit]
	}
	if q.Skip < len(rows) {
		rows = rows[q.Skip:]
	} else {
		rows = nil
	}
	for _, r := range rows {
		ev := map[string]any{}
		for i, c := range t.Columns {
			if i < len(r) && r[i] != nil && r[i] != "" {
				ev[c.Name] = r[i]
			}
		}
		tl.Events = append(tl.Events, ev)
	}
	return tl, nil
}
