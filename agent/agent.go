package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goshawk-sec/goshawk/agent/queue"
	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agent/transport"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// Server is what the run loop needs of the server (transport.Client
// provides it).
type Server interface {
	Heartbeat(ctx context.Context, hb agentproto.Heartbeat) (agentproto.HeartbeatResponse, error)
	Inventory(ctx context.Context, inv agentproto.Inventory) error
	SendBatch(ctx context.Context, b agentproto.EventBatch) (agentproto.BatchAck, error)
	Commands(ctx context.Context) ([]agentproto.Command, error)
	CommandResult(ctx context.Context, r agentproto.CommandResult) error
	Indicators(ctx context.Context) (agentproto.IndicatorSet, error)
}

// IndicatorSink receives the custom indicators in force for the device
// whenever the server's set changes. SetIndicators must not block for
// long.
type IndicatorSink interface {
	SetIndicators(ctx context.Context, set agentproto.IndicatorSet)
}

// Config tunes the run loop.
type Config struct {
	// HeartbeatInterval is how often a heartbeat goes out.
	HeartbeatInterval time.Duration
	// BatchInterval is the longest an event waits before its batch is
	// sealed (batches also seal at the queue's BatchEvents).
	BatchInterval time.Duration
	// InventoryCheck is how often the inventory is re-read to notice a
	// change; InventoryInterval is how often it is sent regardless.
	InventoryCheck    time.Duration
	InventoryInterval time.Duration
	// CPUPercent caps the agent's CPU use in percent of one core;
	// MemoryBytes caps its resident memory. Zero means no cap. Over a
	// cap, events are sampled.
	CPUPercent  float64
	MemoryBytes int64
	// SampleEvery keeps one event in this many while over a cap.
	SampleEvery int
	// MonitorInterval is how often CPU and memory are measured.
	MonitorInterval time.Duration
	// StatusFile, if set, receives the health as JSON after every
	// heartbeat, for `goshawk-agent status`.
	StatusFile string
}

// DefaultConfig returns the defaults: a heartbeat a minute, one-second
// batches, inventory checked every 5 minutes and sent at least daily, no
// resource caps.
func DefaultConfig() Config {
	return Config{HeartbeatInterval: time.Minute, BatchInterval: time.Second, InventoryCheck: 5 * time.Minute,
		InventoryInterval: 24 * time.Hour, SampleEvery: 10, MonitorInterval: 2 * time.Second}
}

// Validate reports settings the loop cannot run with.
func (c Config) Validate() error {
	switch {
	case c.HeartbeatInterval < time.Second:
		return fmt.Errorf("agent: heartbeat interval %v is below 1s", c.HeartbeatInterval)
	case c.BatchInterval < 10*time.Millisecond:
		return fmt.Errorf("agent: batch interval %v is below 10ms", c.BatchInterval)
	case c.InventoryCheck <= 0 || c.InventoryInterval < c.InventoryCheck:
		return fmt.Errorf("agent: inventory check %v and interval %v must be positive, check ≤ interval", c.InventoryCheck, c.InventoryInterval)
	case c.CPUPercent < 0 || c.MemoryBytes < 0:
		return errors.New("agent: negative resource cap")
	case c.SampleEvery < 1:
		return fmt.Errorf("agent: SampleEvery %d must be at least 1", c.SampleEvery)
	case c.MonitorInterval <= 0:
		return errors.New("agent: monitor interval must be positive")
	}
	return nil
}

// Identity is who the agent is.
type Identity struct {
	DeviceID      string
	DeviceName    string
	ClientVersion string
}

// Parts are the pieces the loop runs.
type Parts struct {
	Collectors []sensor.Collector
	Handlers   []sensor.CommandHandler
	Indicators []IndicatorSink
	// Runners are other long-running parts (a detector's scan loop…):
	// started with the collectors, stopped with them.
	Runners []Runner
	// Inventory describes the device; health is SensorHealthState.
	Inventory func(ctx context.Context, health string) agentproto.Inventory
	// Isolated reports whether the device is isolated (for health).
	Isolated func() bool
	// Upload sends a file a command produced (Output["package"] of a
	// collect_package result) to the server for that command.
	Upload func(ctx context.Context, commandID, path string) error
}

// Runner is a part that runs until ctx ends.
type Runner interface {
	Run(ctx context.Context) error
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context) error

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context) error { return f(ctx) }

// Agent is the run loop. It is the collectors' sensor.Emitter.
type Agent struct {
	cfg   Config
	id    Identity
	srv   Server
	q     *queue.Queue
	parts Parts
	log   *slog.Logger

	handlers map[string]sensor.CommandHandler

	sampling atomic.Bool
	dwell    samplingDwell // monitorLoop's only
	seen     atomic.Uint64
	sampled  atomic.Int64
	admitted atomic.Int64 // events Admit let through, not yet emitted
	rejected atomic.Int64 // events of batches the server refused as invalid
	emitErrs atomic.Int64 // events the queue could not take (disk errors)
	commOK   atomic.Bool
	refused  atomic.Bool // the server refused the device's certificate

	mu         sync.Mutex
	collectors map[string]agentproto.CollectorState
	cpu        float64
	rss        int64
	indVersion string
	inflight   map[string]bool // command IDs running or reported
	done       []string        // reported command IDs, oldest first
}

// New returns the loop; Run starts it.
func New(cfg Config, id Identity, srv Server, q *queue.Queue, parts Parts, log *slog.Logger) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Agent{cfg: cfg, id: id, srv: srv, q: q, parts: parts, log: log,
		handlers: map[string]sensor.CommandHandler{}, collectors: map[string]agentproto.CollectorState{}, inflight: map[string]bool{}}
	for _, h := range parts.Handlers {
		for _, t := range h.Types() {
			if _, dup := a.handlers[t]; dup {
				return nil, fmt.Errorf("agent: two handlers for command type %q", t)
			}
			a.handlers[t] = h
		}
	}
	for _, c := range parts.Collectors {
		if _, dup := a.collectors[c.Name()]; dup {
			return nil, fmt.Errorf("agent: two collectors named %q", c.Name())
		}
		a.collectors[c.Name()] = agentproto.CollectorState{Name: c.Name(), State: "starting"}
	}
	a.commOK.Store(true)
	return a, nil
}

// Admit implements sensor.Admitter: while sampling it keeps one event in
// SampleEvery, decided before the collector does the work of building it.
func (a *Agent) Admit() bool {
	if !a.sampling.Load() {
		return true
	}
	if a.seen.Add(1)%uint64(a.cfg.SampleEvery) != 0 {
		a.sampled.Add(1)
		return false
	}
	a.admitted.Add(1)
	return true
}

// takeAdmitted uses up one admission Admit granted, if any is left.
func (a *Agent) takeAdmitted() bool {
	for {
		n := a.admitted.Load()
		if n <= 0 {
			return false
		}
		if a.admitted.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// Emit queues an event; see the package comment.
func (a *Agent) Emit(e agentproto.Event) {
	// An event Admit let through is kept; others are sampled here.
	if a.sampling.Load() && !strings.HasPrefix(e.Table, "Alert") && !a.takeAdmitted() {
		if a.seen.Add(1)%uint64(a.cfg.SampleEvery) != 0 {
			a.sampled.Add(1)
			return
		}
	}
	if e.Row == nil {
		e.Row = map[string]any{}
	}
	device, stamped := stampColumns(e.Table)
	if device {
		if _, ok := e.Row["DeviceId"]; !ok {
			e.Row["DeviceId"] = a.id.DeviceID
		}
		if _, ok := e.Row["DeviceName"]; !ok {
			e.Row["DeviceName"] = a.id.DeviceName
		}
	}
	if stamped {
		switch ts := e.Row["Timestamp"].(type) {
		case nil:
			e.Row["Timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
		case time.Time:
			e.Row["Timestamp"] = ts.UTC().Format(time.RFC3339Nano)
		}
	}
	if err := a.q.Add(e); err != nil {
		if a.emitErrs.Add(1) == 1 {
			a.log.Error("agent: queue an event", "err", err)
		}
	}
}

// Sampling reports whether the agent is over a resource cap and sampling
// events. Collectors reach it through the Emitter they are given
// (interface{ Sampling() bool }) and may shed optional work while it is
// true — image hashing, /proc enrichment — since Emit keeps only one event
// in SampleEvery anyway: sampling after the work would not bring the CPU
// back under its cap.
func (a *Agent) Sampling() bool { return a.sampling.Load() }

// stampColumns tells which of the columns the agent fills a table has:
// DeviceId/DeviceName (all but AlertInfo and the TVM knowledge-base
// tables) and Timestamp (all but the TVM snapshot tables).
func stampColumns(table string) (device, timestamp bool) {
	if strings.HasPrefix(table, "DeviceTvm") {
		return false, false
	}
	return table != "AlertInfo", true
}

// Health returns the agent's view of itself now.
func (a *Agent) Health() agentproto.Health {
	st := a.q.Stats()
	a.mu.Lock()
	h := agentproto.Health{CPUPercent: a.cpu, RSSBytes: a.rss}
	running := 0
	for _, c := range a.collectors {
		if c.State == "starting" {
			// A collector still starting up is not a sensor without
			// data: the first heartbeat comes before they are all up.
			running++
		}
		if c.State == "running" {
			running++
			if a.sampling.Load() {
				c.State, c.Reason = "sampling", "over the agent's CPU or memory limit"
			}
		}
		h.Collectors = append(h.Collectors, c)
	}
	a.mu.Unlock()
	sort.Slice(h.Collectors, func(i, j int) bool { return h.Collectors[i].Name < h.Collectors[j].Name })
	h.QueueBytes = st.Bytes
	h.QueueDropped = st.Dropped + a.rejected.Load() + a.emitErrs.Load()
	h.Sampled = a.sampled.Load()
	if a.parts.Isolated != nil {
		h.Isolated = a.parts.Isolated()
	}
	switch {
	case !a.commOK.Load():
		h.SensorHealthState = "Impaired communications"
	case len(h.Collectors) > 0 && running == 0:
		h.SensorHealthState = "No sensor data"
	default:
		h.SensorHealthState = "Active"
	}
	return h
}

func (a *Agent) setCollector(name, state, reason string) {
	a.mu.Lock()
	a.collectors[name] = agentproto.CollectorState{Name: name, State: state, Reason: reason}
	a.mu.Unlock()
}

// Run runs the loop until ctx ends, then stops the parts in order. It
// returns nil after a clean shutdown.
func (a *Agent) Run(ctx context.Context) error {
	if a.cfg.MemoryBytes > 0 {
		// A soft limit makes the collector work before the cap, not after.
		debug.SetMemoryLimit(a.cfg.MemoryBytes * 9 / 10)
	}
	sensors, stopSensors := context.WithCancel(ctx)
	defer stopSensors()
	network, stopNetwork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNetwork()

	var sensorsWG, networkWG sync.WaitGroup
	goRun := func(wg *sync.WaitGroup, f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	for _, c := range a.parts.Collectors {
		goRun(&sensorsWG, func() { a.runCollector(sensors, c) })
	}
	for _, r := range a.parts.Runners {
		goRun(&sensorsWG, func() {
			if err := r.Run(sensors); err != nil && sensors.Err() == nil {
				a.log.Error("agent: a sensor part stopped", "err", err)
			}
		})
	}
	goRun(&networkWG, func() { a.flushLoop(network) })
	goRun(&networkWG, func() { a.sendLoop(network) })
	goRun(&networkWG, func() { a.heartbeatLoop(network) })
	goRun(&networkWG, func() { a.inventoryLoop(network) })
	goRun(&networkWG, func() { a.commandLoop(network) })
	goRun(&networkWG, func() { a.monitorLoop(network) })

	<-ctx.Done()
	sensorsWG.Wait()
	err := a.q.Close()
	if err != nil {
		a.log.Error("agent: flush the queue at shutdown", "err", err)
	}
	// Give the sender a moment to deliver what was just sealed.
	a.drain(network, 3*time.Second)
	stopNetwork()
	networkWG.Wait()
	a.writeStatusFile(true)
	return err
}

// drain waits until the queue is empty or d passed.
func (a *Agent) drain(ctx context.Context, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if a.q.Stats().Batches == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (a *Agent) runCollector(ctx context.Context, c sensor.Collector) {
	for attempt := 0; ctx.Err() == nil; attempt++ {
		a.setCollector(c.Name(), "running", "")
		start := time.Now()
		err := a.runSafely(ctx, c)
		if ctx.Err() != nil {
			a.setCollector(c.Name(), "stopped", "")
			return
		}
		if errors.Is(err, sensor.ErrUnsupported) {
			a.setCollector(c.Name(), "unsupported", err.Error())
			a.log.Info("agent: collector unsupported here", "collector", c.Name(), "reason", err)
			return
		}
		if err == nil {
			err = errors.New("returned before the agent stopped")
		}
		a.setCollector(c.Name(), "failed", err.Error())
		a.log.Error("agent: collector failed; restarting", "collector", c.Name(), "err", err)
		if time.Since(start) > 10*time.Minute {
			attempt = 0
		}
		if !sleep(ctx, transport.Backoff(attempt, 5*time.Second, 5*time.Minute)) {
			return
		}
	}
}

// runSafely runs a collector, turning a panic into an error: a bug in
// one collector must not take the sensor down.
func (a *Agent) runSafely(ctx context.Context, c sensor.Collector) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("bug: collector panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return c.Run(ctx, a)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (a *Agent) flushLoop(ctx context.Context) {
	t := time.NewTicker(a.cfg.BatchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.q.Flush(); err != nil {
				a.log.Error("agent: seal a batch", "err", err)
			}
		}
	}
}

// sendLoop delivers batches oldest first, one at a time: the server
// treats a Seq at or below the last stored one as a duplicate, so a
// later batch must never overtake an earlier one.
func (a *Agent) sendLoop(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		b, ok, err := a.q.Next()
		if err != nil {
			a.log.Error("agent: read the queue", "err", err)
			sleep(ctx, time.Second)
			continue
		}
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-a.q.Ready():
			}
			continue
		}
		_, err = a.srv.SendBatch(ctx, b)
		var se *transport.StatusError
		switch {
		case err == nil:
			failures = 0
			a.commOK.Store(true)
			if err := a.q.Ack(b.Seq); err != nil {
				a.log.Error("agent: remove an acknowledged batch", "seq", b.Seq, "err", err)
			}
		case errors.As(err, &se) && (se.Status == http.StatusBadRequest || se.Status == http.StatusRequestEntityTooLarge):
			// The server will never take this batch: drop it rather than
			// hold up everything behind it, and count its events.
			a.log.Error("agent: the server refused a batch; dropping it", "seq", b.Seq, "events", len(b.Events), "err", err)
			a.rejected.Add(int64(len(b.Events)))
			a.q.Ack(b.Seq)
		default:
			if ctx.Err() != nil {
				return
			}
			a.commOK.Store(false)
			if failures == 0 {
				a.log.Warn("agent: cannot deliver events; they stay queued", "err", err)
			}
			sleep(ctx, transport.Backoff(failures, time.Second, time.Minute))
			failures++
		}
	}
}

func (a *Agent) heartbeatLoop(ctx context.Context) {
	for {
		a.heartbeat(ctx)
		if !sleep(ctx, a.cfg.HeartbeatInterval) {
			return
		}
	}
}

func (a *Agent) heartbeat(ctx context.Context) {
	defer a.writeStatus()
	resp, err := a.srv.Heartbeat(ctx, agentproto.Heartbeat{Time: time.Now().UTC(), ClientVersion: a.id.ClientVersion, Health: a.Health()})
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		a.commOK.Store(false)
		if transport.IsStatus(err, http.StatusForbidden) || transport.IsStatus(err, http.StatusUnauthorized) {
			if !a.refused.Swap(true) {
				a.log.Error("agent: the server refuses this device (offboarded, or its certificate revoked); events stay queued — onboard it again", "err", err)
			}
			return
		}
		a.log.Warn("agent: heartbeat", "err", err)
		return
	}
	a.refused.Store(false)
	a.commOK.Store(true)
	a.mu.Lock()
	changed := resp.IndicatorsVersion != "" && resp.IndicatorsVersion != a.indVersion
	a.mu.Unlock()
	if changed {
		if err := a.refreshIndicators(ctx); err != nil {
			a.log.Warn("agent: fetch indicators", "err", err)
		}
	}
}

// refreshIndicators fetches the indicator set and hands it to the sinks.
func (a *Agent) refreshIndicators(ctx context.Context) error {
	set, err := a.srv.Indicators(ctx)
	if err != nil {
		return err
	}
	for _, s := range a.parts.Indicators {
		s.SetIndicators(ctx, set)
	}
	a.mu.Lock()
	a.indVersion = set.Version
	a.mu.Unlock()
	a.log.Info("agent: indicators updated", "version", set.Version, "count", len(set.Indicators))
	return nil
}

// Status is what StatusFile holds.
type Status struct {
	Written           time.Time         `json:"written"`
	DeviceID          string            `json:"deviceId"`
	Health            agentproto.Health `json:"health"`
	IndicatorsVersion string            `json:"indicatorsVersion,omitempty"`
	// Stopped is set by the last write of a run that shut down cleanly.
	Stopped bool `json:"stopped,omitempty"`
}

func (a *Agent) writeStatus() { a.writeStatusFile(false) }

func (a *Agent) writeStatusFile(stopped bool) {
	if a.cfg.StatusFile == "" {
		return
	}
	a.mu.Lock()
	v := a.indVersion
	a.mu.Unlock()
	b, _ := json.MarshalIndent(Status{Written: time.Now().UTC(), DeviceID: a.id.DeviceID, Health: a.Health(), IndicatorsVersion: v, Stopped: stopped}, "", "  ")
	tmp := a.cfg.StatusFile + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err == nil {
		os.Rename(tmp, a.cfg.StatusFile)
	}
}

func (a *Agent) inventoryLoop(ctx context.Context) {
	if a.parts.Inventory == nil {
		return
	}
	var lastHash string
	var lastSent time.Time
	failures := 0
	for {
		inv := a.parts.Inventory(ctx, a.Health().SensorHealthState)
		h := fingerprint(inv)
		wait := a.cfg.InventoryCheck
		if h != lastHash || time.Since(lastSent) >= a.cfg.InventoryInterval {
			if err := a.srv.Inventory(ctx, inv); err != nil {
				if ctx.Err() != nil {
					return
				}
				a.log.Warn("agent: send inventory", "err", err)
				wait = min(wait, transport.Backoff(failures, 5*time.Second, 5*time.Minute))
				failures++
			} else {
				lastHash, lastSent, failures = h, time.Now(), 0
			}
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// fingerprint identifies an inventory's content, health left out.
func fingerprint(inv agentproto.Inventory) string {
	info := map[string]any{}
	for k, v := range inv.DeviceInfo {
		if k != "SensorHealthState" {
			info[k] = v
		}
	}
	b, _ := json.Marshal([]any{info, inv.DeviceNetworkInfo})
	return string(b)
}
