package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/store"
)

// Workspace is what the engine needs of the workspace: KQL, ingestion,
// its id.
type Workspace interface {
	ID() string
	Query(ctx context.Context, text string, opts query.Options) (*result.Set, error)
	Pipeline() *ingest.Pipeline
}

// Incidents takes the alerts a rule raised (already stored) and groups
// them into incidents as the rule's incident settings say.
type Incidents interface {
	AddAlerts(ctx context.Context, def *analytics.Definition, alerts []alerts.Alert) error
}

// Config configures the engine.
type Config struct {
	// IngestionDelay is how long after a scheduled window's end it is
	// evaluated, for rows still on their way (default 2 minutes).
	IngestionDelay time.Duration
	// MaxCatchUp bounds the windows of one rule evaluated after downtime
	// (default 12); older ones are skipped.
	MaxCatchUp int
	// Concurrency is how many rules are evaluated at once (default 2).
	Concurrency int
	// NRTInterval is how often NRT and Microsoft security rules run
	// (default 1 minute).
	NRTInterval time.Duration
	// Settle keeps the upper bound of an ingestion-time window this far
	// behind the clock, covering rows stamped but not yet queued for
	// commit (default 2 s).
	Settle time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{IngestionDelay: 2 * time.Minute, MaxCatchUp: 12, Concurrency: 2, NRTInterval: time.Minute, Settle: 2 * time.Second}
}

// Engine evaluates the stored rules.
type Engine struct {
	ws    Workspace
	store *Store
	inc   Incidents
	cfg   Config
	log   *slog.Logger

	clockMu sync.RWMutex
	clock   func() time.Time

	tickMu sync.Mutex // one Tick at a time
	wake   chan struct{}
}

// Wake asks Run to tick soon (after Settle): new alerts were written, so
// that Microsoft security rules see them without waiting for the next
// interval.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// New returns an engine; inc may be nil (no incidents).
func New(ws Workspace, st *Store, inc Incidents, cfg Config, log *slog.Logger) *Engine {
	d := DefaultConfig()
	if cfg.MaxCatchUp <= 0 {
		cfg.MaxCatchUp = d.MaxCatchUp
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = d.Concurrency
	}
	if cfg.NRTInterval <= 0 {
		cfg.NRTInterval = d.NRTInterval
	}
	if cfg.IngestionDelay < 0 {
		cfg.IngestionDelay = 0
	}
	if log == nil {
		log = slog.Default()
	}
	return &Engine{ws: ws, store: st, inc: inc, cfg: cfg, log: log, clock: time.Now, wake: make(chan struct{}, 1)}
}

// SetClock replaces the clock (tests drive the scheduler with it).
func (e *Engine) SetClock(now func() time.Time) {
	e.clockMu.Lock()
	e.clock = now
	e.clockMu.Unlock()
}

func (e *Engine) now() time.Time {
	e.clockMu.RLock()
	defer e.clockMu.RUnlock()
	return e.clock().UTC()
}

// Run ticks every interval until ctx ends.
func (e *Engine) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := e.Tick(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("analytics rules", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.wake:
			// Rows just written are read once the settle time has
			// passed.
			select {
			case <-ctx.Done():
				return
			case <-time.After(e.cfg.Settle + 100*time.Millisecond):
			}
		}
	}
}

// Tick evaluates everything due now: every enabled rule's windows,
// Concurrency rules at a time. A rule's failure is recorded in its health
// and does not stop the others.
func (e *Engine) Tick(ctx context.Context) error {
	e.tickMu.Lock()
	defer e.tickMu.Unlock()
	rs, err := e.store.List(ctx)
	if err != nil {
		return err
	}
	sem := make(chan struct{}, e.cfg.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, r := range rs {
		if !r.Enabled {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(r Rule) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := e.tickRule(ctx, r); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("rule %s (%s): %w", r.Name, r.ID, err))
				mu.Unlock()
			}
		}(r)
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (e *Engine) tickRule(ctx context.Context, r Rule) error {
	st, err := e.store.State(ctx, r.ID)
	if err != nil {
		return err
	}
	switch r.Kind {
	case analytics.Scheduled:
		return e.tickScheduled(ctx, r, st)
	case analytics.NRT, analytics.MicrosoftSecurityIncidentCreation:
		return e.tickNRT(ctx, r, st)
	}
	return nil
}

// windows returns the scheduled windows due after last (exclusive) up to
// the latest whose end plus the ingestion delay has passed, and how many
// older ones were skipped to keep within MaxCatchUp.
func (e *Engine) windows(def *analytics.Definition, last, now time.Time) (ws []window, skipped int) {
	freq := def.QueryFrequency
	due := now.Add(-e.cfg.IngestionDelay).Truncate(freq)
	if last.IsZero() {
		last = due.Add(-freq)
	}
	first := last.Add(freq)
	if first.After(due) {
		return nil, 0
	}
	n := int(due.Sub(first)/freq) + 1
	if n > e.cfg.MaxCatchUp {
		skipped = n - e.cfg.MaxCatchUp
		first = first.Add(time.Duration(skipped) * freq)
	}
	for end := first; !end.After(due); end = end.Add(freq) {
		ws = append(ws, window{end.Add(-def.QueryPeriod), end})
	}
	return ws, skipped
}

func (e *Engine) tickScheduled(ctx context.Context, r Rule, st State) error {
	ws, skipped := e.windows(&r.Definition, st.Last, e.now())
	if skipped > 0 {
		e.log.Warn("analytics rule: windows skipped after downtime", "rule", r.Name, "skipped", skipped)
	}
	for i, w := range ws {
		res := e.evaluate(ctx, &r.Definition, w, st)
		if i == 0 && skipped > 0 {
			res.issues = append(res.issues, fmt.Sprintf("%d earlier windows were not evaluated: more than %d were due after downtime", skipped, e.cfg.MaxCatchUp))
		}
		st.Last, st.LastRun, st.LastStatus = w.to, e.now(), res.status()
		if res.suppressedUntil.After(st.SuppressedUntil) {
			st.SuppressedUntil = res.suppressedUntil
		}
		if err := e.commit(ctx, &r.Definition, st, res); err != nil {
			return err
		}
		if err := e.incidents(ctx, &r.Definition, res.alerts); err != nil {
			return err
		}
	}
	return nil
}

// tickNRT runs an NRT or Microsoft security rule over the rows ingested
// since its last run.
func (e *Engine) tickNRT(ctx context.Context, r Rule, st State) error {
	now := e.now()
	// Microsoft security rules run at every tick: turning alerts into
	// incidents is cheap and analysts wait for it.
	if r.Kind == analytics.NRT && !st.LastRun.IsZero() && now.Sub(st.LastRun) < e.cfg.NRTInterval {
		return nil
	}
	upper := now.Add(-e.cfg.Settle)
	if wm, ok := e.ws.Pipeline().Watermark(); ok && wm.Before(upper) {
		upper = wm
	}
	if st.Last.IsZero() {
		st.Last = r.Created
		if st.Last.IsZero() || st.Last.After(upper) {
			st.Last = upper
		}
	}
	if !upper.After(st.Last) {
		return nil
	}
	w := window{st.Last, upper}
	if r.Kind == analytics.MicrosoftSecurityIncidentCreation {
		return e.runMicrosoftSecurity(ctx, r, st, w)
	}
	res := e.evaluate(ctx, &r.Definition, w, st)
	st.Last, st.LastRun, st.LastStatus = w.to, now, res.status()
	if err := e.commit(ctx, &r.Definition, st, res); err != nil {
		return err
	}
	return e.incidents(ctx, &r.Definition, res.alerts)
}

// runResult is one evaluation.
type runResult struct {
	w               window
	rows            int
	triggered       bool
	suppressed      bool
	alerts          []alerts.Alert
	err             error
	issues          []string
	elapsed         time.Duration
	suppressedUntil time.Time
}

func (r *runResult) status() string {
	if r.err != nil {
		return "Failure"
	}
	return "Success"
}

// evaluate runs a rule over one window and builds its alerts. Scheduled
// windows restrict TimeGenerated; NRT windows the ingestion time.
func (e *Engine) evaluate(ctx context.Context, def *analytics.Definition, w window, st State) runResult {
	res := runResult{w: w}
	if def.Kind == analytics.Scheduled && def.SuppressionEnabled && !w.to.After(st.SuppressedUntil) {
		res.suppressed = true
		return res
	}
	start := time.Now()
	tw := &plan.TimeWindow{From: w.from, To: w.to}
	if def.Kind == analytics.NRT {
		tw.Column = "_TimeReceived"
	}
	rs, err := e.ws.Query(ctx, def.Query, query.Options{Now: w.to, Window: tw})
	res.elapsed = time.Since(start)
	if err != nil {
		res.err = err
		return res
	}
	t := rs.Primary()
	var rows []map[string]any
	if t != nil {
		rows = t.Records()
	}
	res.rows = len(rows)
	switch def.Kind {
	case analytics.NRT:
		res.triggered = len(rows) > 0
	default:
		res.triggered = def.TriggerOperator.Triggered(len(rows), def.TriggerThreshold)
	}
	if !res.triggered {
		return res
	}
	b := builder{def: def, workspaceID: e.ws.ID(), w: w, now: e.now(), total: len(rows)}
	res.alerts = b.alerts(rows)
	if def.Kind == analytics.Scheduled && def.SuppressionEnabled && len(res.alerts) > 0 {
		res.suppressedUntil = w.to.Add(def.SuppressionDuration)
	}
	return res
}

// commit stores a run: its alerts, its SentinelHealth row and the rule's
// new state, in one transaction.
func (e *Engine) commit(ctx context.Context, def *analytics.Definition, st State, res runResult) error {
	now := e.now()
	var batches []store.Batch
	if len(res.alerts) > 0 {
		rows := make([]map[string]any, len(res.alerts))
		for i := range res.alerts {
			rows[i] = res.alerts[i].Row()
		}
		bs, err := e.prepare(ctx, "SecurityAlert", rows, now)
		if err != nil {
			return err
		}
		batches = append(batches, bs...)
	}
	bs, err := e.prepare(ctx, "SentinelHealth", []map[string]any{e.healthRow(def, res, now)}, now)
	if err != nil {
		return err
	}
	batches = append(batches, bs...)
	put, err := e.store.stateStatement(def.ID, st)
	if err != nil {
		return err
	}
	batches = append(batches, store.Batch{Stmts: []store.Statement{put}})
	if err := e.ws.Pipeline().Commit(ctx, batches...); err != nil {
		return fmt.Errorf("store the run of %s: %w", def.Name, err)
	}
	if res.err != nil {
		e.log.Warn("analytics rule run failed", "rule", def.Name, "err", res.err)
	}
	return nil
}

func (e *Engine) prepare(ctx context.Context, table string, rows []map[string]any, now time.Time) ([]store.Batch, error) {
	body, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	bs, _, err := e.ws.Pipeline().Prepare(ctx, ingest.DefaultRuleID, "Custom-"+table, body, now)
	if err != nil {
		return nil, fmt.Errorf("shape %s rows: %w", table, err)
	}
	return bs, nil
}

// healthRow is the run's SentinelHealth row, as Sentinel's analytics
// health records it.
func (e *Engine) healthRow(def *analytics.Definition, res runResult, now time.Time) map[string]any {
	op := "Scheduled analytics rule run"
	if def.Kind == analytics.NRT {
		op = "NRT analytics rule run"
	}
	desc := fmt.Sprintf("Rule ran over %s to %s: %d results, %d alerts", res.w.from.Format(time.RFC3339), res.w.to.Format(time.RFC3339), res.rows, len(res.alerts))
	reason := ""
	switch {
	case res.err != nil:
		desc = "Rule failed to run"
		reason = res.err.Error()
	case res.suppressed:
		desc = "Rule run skipped: alerts are suppressed"
		reason = "suppressed"
	}
	ext := map[string]any{
		"RuleId":                def.ID,
		"QueryStartTimeUTC":     res.w.from.UTC().Format(time.RFC3339),
		"QueryEndTimeUTC":       res.w.to.UTC().Format(time.RFC3339),
		"QueryResultAmount":     res.rows,
		"AlertsGeneratedAmount": len(res.alerts),
		"AggregationKind":       string(def.Aggregation()),
		"RunDurationMs":         res.elapsed.Milliseconds(),
		"Issues":                res.issues,
	}
	if def.Kind == analytics.Scheduled {
		ext["QueryFrequency"] = analytics.FormatDuration(def.QueryFrequency)
		ext["QueryPeriod"] = analytics.FormatDuration(def.QueryPeriod)
		ext["TriggerOperator"] = string(def.TriggerOperator)
		ext["TriggerThreshold"] = def.TriggerThreshold
		ext["SuppressionEnabled"] = def.SuppressionEnabled
		ext["SuppressionDuration"] = analytics.FormatDuration(def.SuppressionDuration)
	}
	b, _ := json.Marshal(ext)
	status := "Success"
	if res.err != nil {
		status = "Failure"
	}
	return map[string]any{
		"TimeGenerated":        now.Format(time.RFC3339Nano),
		"OperationName":        op,
		"SentinelResourceId":   "/goshawk/workspaces/" + e.ws.ID() + "/alertRules/" + def.ID,
		"SentinelResourceName": def.Name,
		"SentinelResourceType": "Analytics Rule",
		"SentinelResourceKind": string(def.Kind),
		"Status":               status,
		"Description":          desc,
		"Reason":               reason,
		"WorkspaceId":          e.ws.ID(),
		"RecordId":             uuid.NewString(),
		"ExtendedProperties":   string(b),
	}
}

func (e *Engine) incidents(ctx context.Context, def *analytics.Definition, as []alerts.Alert) error {
	if e.inc == nil || len(as) == 0 || !def.IncidentSettings().CreateIncident {
		return nil
	}
	if err := e.inc.AddAlerts(ctx, def, as); err != nil {
		return fmt.Errorf("incidents of %s: %w", def.Name, err)
	}
	return nil
}

// runMicrosoftSecurity turns the product's alerts ingested in w into
// incidents.
func (e *Engine) runMicrosoftSecurity(ctx context.Context, r Rule, st State, w window) error {
	f := r.MicrosoftSecurity
	if f == nil {
		return fmt.Errorf("rule %s has no product filter", r.ID)
	}
	q := "SecurityAlert | where ProductName == " + syntax.QuoteString(f.Product)
	rs, err := e.ws.Query(ctx, q, query.Options{Now: w.to, Window: &plan.TimeWindow{From: w.from, To: w.to, Column: "_TimeReceived"}})
	if err != nil {
		return err
	}
	var as []alerts.Alert
	for _, row := range rs.Primary().Records() {
		a, err := alerts.FromRow(row)
		if err != nil {
			e.log.Warn("microsoft security rule: unreadable alert", "rule", r.Name, "err", err)
			continue
		}
		if f.Match(a.ProductName, a.Severity, a.Name) {
			as = append(as, a)
		}
	}
	if len(as) > 0 && e.inc != nil {
		if err := e.inc.AddAlerts(ctx, &r.Definition, as); err != nil {
			return fmt.Errorf("incidents of %s: %w", r.Name, err)
		}
	}
	st.Last, st.LastRun, st.LastStatus = w.to, e.now(), "Success"
	put, err := e.store.stateStatement(r.ID, st)
	if err != nil {
		return err
	}
	return e.ws.Pipeline().Commit(ctx, store.Batch{Stmts: []store.Statement{put}})
}
