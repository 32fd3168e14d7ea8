package rules

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/analytics"
)

// Backtest is what a rule would have raised over a past range.
type Backtest struct {
	RuleID    string        `json:"ruleId"`
	RuleName  string        `json:"ruleName"`
	From      time.Time     `json:"from"`
	To        time.Time     `json:"to"`
	Runs      []BacktestRun `json:"runs"`
	Alerts    int           `json:"alerts"`
	Incidents int           `json:"incidents"`
}

// BacktestRun is one window of a backtest.
type BacktestRun struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Rows       int       `json:"rows"`
	Triggered  bool      `json:"triggered"`
	Suppressed bool      `json:"suppressed,omitempty"`
	Alerts     []string  `json:"alerts,omitempty"` // alert names
	Error      string    `json:"error,omitempty"`
}

// maxBacktestWindows bounds a backtest.
const maxBacktestWindows = 5000

// Backtest replays a scheduled rule over [from, to) as the scheduler
// would — the aligned windows ending in the range, thresholds, grouping,
// suppression — over the data stored now, writing nothing. NRT rules are
// replayed as scheduled ones of one-minute windows over TimeGenerated
// (their ingestion times are past). Incidents are counted with the rule's
// grouping settings.
func (e *Engine) Backtest(ctx context.Context, id string, from, to time.Time) (Backtest, error) {
	r, err := e.store.Get(ctx, id)
	if err != nil {
		return Backtest{}, err
	}
	def := r.Definition
	switch def.Kind {
	case analytics.Scheduled:
	case analytics.NRT:
		def.Kind, def.QueryFrequency, def.QueryPeriod = analytics.Scheduled, time.Minute, time.Minute
		def.TriggerOperator, def.TriggerThreshold = analytics.GreaterThan, 0
	default:
		return Backtest{}, fmt.Errorf("a %s rule has no query to replay", def.Kind)
	}
	if !to.After(from) {
		return Backtest{}, fmt.Errorf("the range must end after it starts")
	}
	bt := Backtest{RuleID: def.ID, RuleName: def.Name, From: from.UTC(), To: to.UTC()}
	freq := def.QueryFrequency
	first := from.Truncate(freq)
	if first.Before(from) {
		first = first.Add(freq)
	}
	if n := int(to.Sub(first)/freq) + 1; n > maxBacktestWindows {
		return Backtest{}, fmt.Errorf("%d windows: at most %d per backtest; shorten the range", n, maxBacktestWindows)
	}
	var st State
	var all []alerts.Alert
	for end := first; !end.After(to); end = end.Add(freq) {
		w := window{end.Add(-def.QueryPeriod), end}
		res := e.evaluate(ctx, &def, w, st)
		run := BacktestRun{From: w.from, To: w.to, Rows: res.rows, Triggered: res.triggered, Suppressed: res.suppressed}
		if res.err != nil {
			run.Error = res.err.Error()
		}
		for _, a := range res.alerts {
			run.Alerts = append(run.Alerts, a.Name)
		}
		if res.suppressedUntil.After(st.SuppressedUntil) {
			st.SuppressedUntil = res.suppressedUntil
		}
		all = append(all, res.alerts...)
		bt.Runs = append(bt.Runs, run)
	}
	bt.Alerts = len(all)
	bt.Incidents = countIncidents(&def, all)
	return bt, nil
}

// countIncidents groups alerts as the rule's incident settings say and
// counts the incidents: per alert, or by matching method within the
// lookback of each incident's first alert, at most 150 alerts each.
func countIncidents(def *analytics.Definition, as []alerts.Alert) int {
	set := def.IncidentSettings()
	if !set.CreateIncident {
		return 0
	}
	g := set.Grouping
	if g == nil || !g.Enabled {
		return len(as)
	}
	type open struct {
		first time.Time
		n     int
	}
	groups := map[string]*open{}
	count := 0
	sort.SliceStable(as, func(i, j int) bool { return as[i].TimeGenerated.Before(as[j].TimeGenerated) })
	for _, a := range as {
		key := groupKey(g, &a)
		t := a.EndTime
		if o := groups[key]; o != nil && t.Sub(o.first) <= g.LookbackDuration && o.n < 150 {
			o.n++
			continue
		}
		groups[key] = &open{first: t, n: 1}
		count++
	}
	return count
}

func groupKey(g *analytics.GroupingConfiguration, a *alerts.Alert) string {
	var parts []string
	ents := a.Entities.All()
	entityKey := func(filter func(string) bool) {
		for _, e := range ents {
			if filter(e.Type) {
				parts = append(parts, e.Type+"="+fmt.Sprint(e.Props))
			}
		}
	}
	switch g.MatchingMethod {
	case analytics.AnyAlert:
		return ""
	case analytics.AllEntities:
		entityKey(func(string) bool { return true })
	case analytics.Selected:
		var types []string
		for _, t := range g.GroupByEntities {
			types = append(types, entityTypes[t])
		}
		entityKey(func(t string) bool { return slices.Contains(types, t) })
		for _, d := range g.GroupByAlertDetails {
			switch d {
			case "DisplayName":
				parts = append(parts, "name="+a.Name)
			case "Severity":
				parts = append(parts, "severity="+a.Severity)
			}
		}
		for _, c := range g.GroupByCustomDetails {
			parts = append(parts, c+"="+a.ExtendedProperties["Custom Details"])
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "|")
}
