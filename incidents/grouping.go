package incidents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/alerts"
)

// AddAlerts groups alerts (already stored as SecurityAlert rows) raised by
// rule into incidents, creating and updating them, and returns the
// incidents touched. Alerts that already belong to an incident are
// skipped, so a caller may retry after a failure. Product alerts (the
// Microsoft security rules' kind, such as the endpoint's) come through
// here too, with the Microsoft security rule as rule.
func (s *Service) AddAlerts(ctx context.Context, rule Rule, alerts []alerts.Alert) ([]Incident, error) {
	return s.addAlerts(ctx, rule, alerts)
}

// pendingAlert is an alert on its way into an incident.
type pendingAlert struct {
	a   *alerts.Alert
	at  time.Time // when it was raised
	key string    // its grouping key
}

func (s *Service) addAlerts(ctx context.Context, rule Rule, as []alerts.Alert) ([]Incident, error) {
	if !rule.CreateIncident || len(as) == 0 {
		return nil, nil
	}
	if strings.TrimSpace(rule.ID) == "" {
		return nil, fmt.Errorf("%w rule: no ID", ErrInvalid)
	}
	g := rule.Grouping
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("incidents of rule %s: %w", rule.ID, err)
	}
	ids := make([]string, len(as))
	for i, a := range as {
		if a.SystemAlertID == "" {
			return nil, fmt.Errorf("%w alert %q of rule %s: no SystemAlertId", ErrInvalid, a.Name, rule.ID)
		}
		ids[i] = a.SystemAlertID
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	known, err := s.knownAlerts(ctx, ids)
	if err != nil {
		return nil, err
	}
	var todo []pendingAlert
	for i := range as {
		a := &as[i]
		if known[a.SystemAlertID] {
			continue
		}
		known[a.SystemAlertID] = true
		at := a.TimeGenerated.UTC().Truncate(time.Microsecond)
		if at.IsZero() {
			at = now
		}
		key, err := GroupKey(g, a)
		if err != nil {
			return nil, fmt.Errorf("alert %s: %w", a.SystemAlertID, err)
		}
		todo = append(todo, pendingAlert{a: a, at: at, key: key})
	}
	if len(todo) == 0 {
		return nil, nil
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].at.Before(todo[j].at) })

	var cands []*record
	if g.Enabled {
		rows, err := s.db.QueryContext(ctx, selectRecord+" WHERE rule_id = ? AND first_alert >= ? AND first_alert <= ? ORDER BY number",
			rule.ID, todo[0].at.Add(-g.Lookback), todo[len(todo)-1].at.Add(g.Lookback))
		if err != nil {
			return nil, fmt.Errorf("read the incidents of rule %s: %w", rule.ID, err)
		}
		if cands, err = scanRecords(rows); err != nil {
			return nil, fmt.Errorf("read the incidents of rule %s: %w", rule.ID, err)
		}
	}
	next := s.last
	var touched []*record
	created := map[*record]bool{}
	joined := map[string]int64{}
	for _, p := range todo {
		var r *record
		if g.Enabled {
			r = pick(cands, p, g)
		}
		switch {
		case r == nil:
			next++
			r = s.newRecord(next, rule, p, now)
			cands = append(cands, r)
			created[r] = true
		case r.Status == StatusClosed:
			r.reopen()
		}
		r.addAlert(p)
		joined[p.a.SystemAlertID] = r.Number
		if !slices.Contains(touched, r) {
			touched = append(touched, r)
		}
	}
	by := "rule/" + first(rule.Name, rule.ID)
	for _, r := range touched {
		r.LastModifiedTime = changeTime(now, r.LastModifiedTime)
		r.ModifiedBy = by
	}
	if err := s.save(ctx, touched, joined); err != nil {
		return nil, err
	}
	s.last = next
	out := make([]Incident, len(touched))
	for i, r := range touched {
		out[i] = r.Incident
		if created[r] {
			s.log.Info("incident created", "incident", r.Number, "rule", rule.ID, "title", r.Title, "severity", r.Severity)
		}
	}
	return out, nil
}

// pick returns the incident an alert joins: the newest of the rule's
// incidents with the alert's grouping key whose first alert lies within
// the lookback of it, that holds fewer than MaxAlerts alerts and, unless
// the rule reopens incidents, is not closed. Nil means a new incident.
func pick(cands []*record, p pendingAlert, g Grouping) *record {
	for i := len(cands) - 1; i >= 0; i-- {
		c := cands[i]
		if c.groupKey != p.key || len(c.AlertIDs) >= MaxAlerts {
			continue
		}
		if d := p.at.Sub(c.firstAlert); d > g.Lookback || d < -g.Lookback {
			continue
		}
		if c.Status == StatusClosed && !g.Reopen {
			continue
		}
		return c
	}
	return nil
}

// newRecord opens an incident for the alert p: its title is the alert's
// name (the rule's name unless the rule renames alerts), as Sentinel
// titles incidents.
func (s *Service) newRecord(n int64, rule Rule, p pendingAlert, now time.Time) *record {
	inc := Incident{
		Name:                   uuid.NewString(),
		Number:                 n,
		Title:                  first(p.a.Name, rule.Name, rule.ID),
		Description:            first(p.a.Description, rule.Description),
		Severity:               SeverityInformational,
		Status:                 StatusNew,
		Labels:                 []Label{},
		Comments:               []Comment{},
		RelatedAnalyticRuleIDs: []string{rule.ID},
		CreatedTime:            now,
		ProviderName:           ProviderName,
		ProviderIncidentID:     strconv.FormatInt(n, 10),
		IncidentURL:            s.incidentURL(n),
		AdditionalData:         AdditionalData{AlertProductNames: []string{}, Tactics: []string{}, Techniques: []string{}},
	}
	return &record{Incident: inc, ruleID: rule.ID, groupKey: p.key, firstAlert: p.at}
}

// reopen makes a closed incident Active again, without its closing
// classification.
func (r *record) reopen() {
	r.Status = StatusActive
	r.Classification, r.ClassificationReason, r.ClassificationComment = "", "", ""
	r.ClosedTime = nil
}

// addAlert adds an alert: the incident takes the highest severity, the
// widest activity span and the union of tactics, techniques and products.
func (r *record) addAlert(p pendingAlert) {
	a := p.a
	r.AlertIDs = append(r.AlertIDs, a.SystemAlertID)
	if rank := severityRank(a.Severity); rank > severityRank(r.Severity) {
		r.Severity = severities[rank]
	}
	start := a.StartTime.UTC().Truncate(time.Microsecond)
	if start.IsZero() {
		start = p.at
	}
	end := a.EndTime.UTC().Truncate(time.Microsecond)
	if end.IsZero() {
		end = start
	}
	if r.FirstActivityTime.IsZero() || start.Before(r.FirstActivityTime) {
		r.FirstActivityTime = start
	}
	if end.After(r.LastActivityTime) {
		r.LastActivityTime = end
	}
	d := &r.AdditionalData
	d.AlertsCount = len(r.AlertIDs)
	d.AlertProductNames = addUnique(d.AlertProductNames, a.ProductName)
	d.Tactics = addUnique(d.Tactics, a.Tactics...)
	d.Techniques = addUnique(d.Techniques, a.Techniques...)
}

// GroupKey is what alerts grouped into one incident share under g: a
// digest of the matching method and the values it compares. Alerts with
// equal keys match (within the lookback; at most MaxAlerts per incident).
// Backtests use it to count the incidents a rule would have opened.
func GroupKey(g Grouping, a *alerts.Alert) (string, error) {
	if !g.Enabled {
		return "", nil
	}
	var b strings.Builder
	b.WriteString(g.Matching)
	switch g.Matching {
	case AllEntities:
		es, err := parseEntities(a.Entities.String())
		if err != nil {
			return "", err
		}
		b.WriteString("\x00entities=" + entityKeys(es, ""))
	case Selected:
		types := make([]string, 0, len(g.Entities))
		for _, t := range g.Entities {
			types = append(types, normType(t))
		}
		sort.Strings(types)
		types = slices.Compact(types)
		if len(types) > 0 {
			es, err := parseEntities(a.Entities.String())
			if err != nil {
				return "", err
			}
			for _, t := range types {
				b.WriteString("\x00entity:" + t + "=" + entityKeys(es, t))
			}
		}
		details := make([]string, 0, len(g.AlertDetails))
		for _, d := range g.AlertDetails {
			c, _ := canonical([]string{DetailDisplayName, DetailSeverity}, d)
			details = append(details, c)
		}
		sort.Strings(details)
		for _, d := range slices.Compact(details) {
			v := a.Name
			if d == DetailSeverity {
				v = strings.ToLower(a.Severity)
			}
			b.WriteString("\x00detail:" + d + "=" + strconv.Quote(v))
		}
		custom := slices.Clone(g.CustomDetails)
		sort.Strings(custom)
		for _, c := range slices.Compact(custom) {
			b.WriteString("\x00custom:" + strconv.Quote(c) + "=" + strconv.Quote(customDetail(a, c)))
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:16]), nil
}

// entityKeys lists the distinct identities of the entities of a type
// (normalized; "" for all types), sorted.
func entityKeys(es []Entity, typ string) string {
	var keys []string
	for _, e := range es {
		if typ == "" || normType(e.Type) == typ {
			keys = append(keys, strconv.Quote(e.key))
		}
	}
	sort.Strings(keys)
	return "[" + strings.Join(slices.Compact(keys), ",") + "]"
}

// customDetail is the value of a custom detail of an alert: an
// ExtendedProperties key of that name, or the detail in the "Custom
// Details" object Sentinel keeps there ({"Name": ["value", …]}).
func customDetail(a *alerts.Alert, name string) string {
	if v, ok := a.ExtendedProperties[name]; ok {
		return v
	}
	cd, ok := a.ExtendedProperties["Custom Details"]
	if !ok {
		return ""
	}
	var m map[string]any
	if json.Unmarshal([]byte(cd), &m) != nil {
		return ""
	}
	v, ok := m[name]
	if !ok {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
