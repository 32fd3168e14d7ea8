package incidents

import (
	"context"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/analytics"
)

// RuleOf is the incident settings of an analytics rule.
func RuleOf(def *analytics.Definition) Rule {
	set := def.IncidentSettings()
	r := Rule{ID: def.ID, Name: def.Name, Description: def.Description, CreateIncident: set.CreateIncident}
	if g := set.Grouping; g != nil {
		r.Grouping = Grouping{Enabled: g.Enabled, Lookback: g.LookbackDuration, Matching: string(g.MatchingMethod),
			AlertDetails: g.GroupByAlertDetails, CustomDetails: g.GroupByCustomDetails, Reopen: g.ReopenClosedIncident}
		for _, e := range g.GroupByEntities {
			r.Grouping.Entities = append(r.Grouping.Entities, string(e))
		}
	}
	return r
}

// ForRules is the service as the rule engine's incident sink (it takes
// a rule's definition rather than its incident settings).
type ForRules struct{ *Service }

// AddAlerts groups a rule's alerts into incidents by the rule's settings.
func (f ForRules) AddAlerts(ctx context.Context, def *analytics.Definition, as []alerts.Alert) error {
	_, err := f.Service.AddAlerts(ctx, RuleOf(def), as)
	return err
}
