package rules

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/incidents"
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

// countIncidents groups alerts as the rule's incident settings say, with
// the incidents service's own matching (incidents.GroupKey), and counts
// the incidents: one per alert without grouping; otherwise a new one when
// no incident of the key was opened within the lookback, or it is full.
func countIncidents(def *analytics.Definition, as []alerts.Alert) int {
	r := incidents.RuleOf(def)
	if !r.CreateIncident {
		return 0
	}
	g := r.Grouping
	if !g.Enabled {
		return len(as)
	}
	type open struct {
		first time.Time
		n     int
	}
	groups := map[string]*open{}
	count := 0
	sort.SliceStable(as, func(i, j int) bool { return as[i].TimeGenerated.Before(as[j].TimeGenerated) })
	for i := range as {
		key, err := incidents.GroupKey(g, &as[i])
		if err != nil {
			key = as[i].SystemAlertID // unreadable entities: an incident of its own
		}
		t := as[i].EndTime
		if o := groups[key]; o != nil && t.Sub(o.first) <= g.Lookback && o.n < incidents.MaxAlerts {
			o.n++
			continue
		}
		groups[key] = &open{first: t, n: 1}
		count++
	}
	return count
}
