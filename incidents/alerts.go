package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/query"
)

// Alert is an alert of an incident, as its SecurityAlert row says.
type Alert struct {
	SystemAlertID     string    `json:"systemAlertId"`
	Name              string    `json:"alertName"`
	Severity          string    `json:"severity"`
	Status            string    `json:"status"`
	Description       string    `json:"description,omitempty"`
	ProductName       string    `json:"productName,omitempty"`
	CompromisedEntity string    `json:"compromisedEntity,omitempty"`
	Tactics           []string  `json:"tactics"`
	Techniques        []string  `json:"techniques"`
	TimeGenerated     time.Time `json:"timeGenerated"`
	StartTime         time.Time `json:"startTime"`
	EndTime           time.Time `json:"endTime"`
	Entities          []Entity  `json:"entities"`
	// Missing is true when SecurityAlert no longer holds the alert (its
	// retention ran out); only SystemAlertID is then known.
	Missing bool `json:"missing,omitempty"`
}

// Alerts returns an incident's alerts in the order they joined it, read
// from SecurityAlert (an alert's latest row).
func (s *Service) Alerts(ctx context.Context, number int64) ([]Alert, error) {
	inc, err := s.Get(ctx, number)
	if err != nil {
		return nil, err
	}
	out := make([]Alert, 0, len(inc.AlertIDs))
	if len(inc.AlertIDs) == 0 {
		return out, nil
	}
	quoted := make([]string, len(inc.AlertIDs))
	for i, id := range inc.AlertIDs {
		quoted[i] = syntax.QuoteString(id)
	}
	q := `SecurityAlert
| where SystemAlertId in (` + strings.Join(quoted, ", ") + `)
| summarize arg_max(TimeGenerated, *) by SystemAlertId
| project SystemAlertId, AlertName, AlertSeverity, Status, Description, ProductName, CompromisedEntity, Tactics, Techniques, TimeGenerated, StartTime, EndTime, Entities`
	rs, err := s.ws.Query(ctx, q, query.Options{Now: s.clock()})
	if err != nil {
		return nil, fmt.Errorf("read the alerts of incident %d: %w", number, err)
	}
	byID := map[string]map[string]any{}
	if t := rs.Primary(); t != nil {
		for _, r := range t.Records() {
			id, _ := r["SystemAlertId"].(string)
			byID[id] = r
		}
	}
	for _, id := range inc.AlertIDs {
		r, ok := byID[id]
		if !ok {
			out = append(out, Alert{SystemAlertID: id, Missing: true, Tactics: []string{}, Techniques: []string{}, Entities: []Entity{}})
			continue
		}
		str := func(k string) string { v, _ := r[k].(string); return v }
		tm := func(k string) time.Time { v, _ := r[k].(time.Time); return v.UTC() }
		a := Alert{
			SystemAlertID: id, Name: str("AlertName"), Severity: str("AlertSeverity"), Status: str("Status"),
			Description: str("Description"), ProductName: str("ProductName"), CompromisedEntity: str("CompromisedEntity"),
			Tactics: splitList(str("Tactics")), Techniques: jsonList(str("Techniques")),
			TimeGenerated: tm("TimeGenerated"), StartTime: tm("StartTime"), EndTime: tm("EndTime"),
		}
		if a.Entities, err = parseEntities(str("Entities")); err != nil {
			return nil, fmt.Errorf("alert %s of incident %d: %w", id, number, err)
		}
		if a.Entities == nil {
			a.Entities = []Entity{}
		}
		out = append(out, a)
	}
	return out, nil
}

// Entities returns the entities of an incident's alerts, each once, in
// the order they first appear, with the alerts that name them.
func (s *Service) Entities(ctx context.Context, number int64) ([]Entity, error) {
	as, err := s.Alerts(ctx, number)
	if err != nil {
		return nil, err
	}
	out := []Entity{}
	at := map[string]int{}
	for _, a := range as {
		for _, e := range a.Entities {
			i, ok := at[e.key]
			if !ok {
				i = len(out)
				at[e.key] = i
				e.AlertIDs = nil
				out = append(out, e)
			}
			if ids := out[i].AlertIDs; len(ids) == 0 || ids[len(ids)-1] != a.SystemAlertID {
				out[i].AlertIDs = append(ids, a.SystemAlertID)
			}
		}
	}
	return out, nil
}

// splitList reads Sentinel's comma-separated Tactics.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// jsonList reads a JSON array of strings (Techniques); anything else is
// read as a comma-separated list.
func jsonList(s string) []string {
	var out []string
	if json.Unmarshal([]byte(s), &out) == nil {
		if out == nil {
			out = []string{}
		}
		return out
	}
	return splitList(s)
}
