package agent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/queue"
	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agent/transport"
	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/schema"
)

// fakeServer records what the agent sends. down makes SendBatch fail
// (an outage); commands are handed out once by the long poll.
type fakeServer struct {
	mu         sync.Mutex
	down       bool
	reject     map[uint64]bool // seqs answered 400
	batches    []agentproto.EventBatch
	heartbeats []agentproto.Heartbeat
	inventory  []agentproto.Inventory
	commands   []agentproto.Command
	results    []agentproto.CommandResult
	indVersion string
	indFetched int
}

func (s *fakeServer) Heartbeat(ctx context.Context, hb agentproto.Heartbeat) (agentproto.HeartbeatResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heartbeats = append(s.heartbeats, hb)
	return agentproto.HeartbeatResponse{IndicatorsVersion: s.indVersion}, nil
}

func (s *fakeServer) Inventory(ctx context.Context, inv agentproto.Inventory) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inventory = append(s.inventory, inv)
	return nil
}

func (s *fakeServer) SendBatch(ctx context.Context, b agentproto.EventBatch) (agentproto.BatchAck, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return agentproto.BatchAck{}, errors.New("connection refused")
	}
	if s.reject[b.Seq] {
		return agentproto.BatchAck{}, &transport.StatusError{Path: agentproto.PathEvents, Status: http.StatusBadRequest}
	}
	if n := len(s.batches); n > 0 && b.Seq <= s.batches[n-1].Seq {
		return agentproto.BatchAck{Seq: b.Seq, Duplicate: true}, nil
	}
	s.batches = append(s.batches, b)
	return agentproto.BatchAck{Seq: b.Seq}, nil
}

func (s *fakeServer) Commands(ctx context.Context) ([]agentproto.Command, error) {
	s.mu.Lock()
	cmds := s.commands
	s.commands = nil
	s.mu.Unlock()
	if len(cmds) == 0 {
		sleep(ctx, 20*time.Millisecond)
	}
	return cmds, nil
}

func (s *fakeServer) CommandResult(ctx context.Context, r agentproto.CommandResult) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results = append(s.results, r)
	return nil
}

func (s *fakeServer) Indicators(ctx context.Context) (agentproto.IndicatorSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.indFetched++
	return agentproto.IndicatorSet{Version: s.indVersion, Indicators: []agentproto.Indicator{{ID: "1", Type: agentproto.IndicatorFileSha256}}}, nil
}

func (s *fakeServer) events() []agentproto.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []agentproto.Event
	for _, b := range s.batches {
		out = append(out, b.Events...)
	}
	return out
}

// emitN emits n process events, then waits for the agent to stop.
type emitN struct {
	name string
	n    int
}

func (c emitN) Name() string { return c.name }
func (c emitN) Run(ctx context.Context, out sensor.Emitter) error {
	for i := 0; i < c.n; i++ {
		out.Emit(agentproto.Event{Table: "DeviceProcessEvents", Row: map[string]any{"FileName": fmt.Sprintf("%s-%d", c.name, i)}})
	}
	<-ctx.Done()
	return nil
}

type unsupported struct{}

func (unsupported) Name() string { return "logon" }
func (unsupported) Run(ctx context.Context, out sensor.Emitter) error {
	return fmt.Errorf("audit netlink socket: %w", sensor.ErrUnsupported)
}

type echoHandler struct{}

func (echoHandler) Types() []string { return []string{agentproto.CommandKillProcess} }
func (echoHandler) Handle(ctx context.Context, cmd agentproto.Command) agentproto.CommandResult {
	return agentproto.CommandResult{Status: agentproto.StatusSucceeded, Output: map[string]string{"pid": cmd.Params["pid"]}}
}

type indicatorSink struct {
	mu   sync.Mutex
	sets []agentproto.IndicatorSet
}

func (s *indicatorSink) SetIndicators(ctx context.Context, set agentproto.IndicatorSet) {
	s.mu.Lock()
	s.sets = append(s.sets, set)
	s.mu.Unlock()
}

func testConfig() Config {
	c := DefaultConfig()
	c.HeartbeatInterval = time.Second
	c.BatchInterval = 20 * time.Millisecond
	c.InventoryCheck = 50 * time.Millisecond
	c.MonitorInterval = 50 * time.Millisecond
	return c
}

func newAgent(t *testing.T, dir string, srv Server, parts Parts) (*Agent, *queue.Queue) {
	t.Helper()
	q, err := queue.Open(queue.Config{Dir: dir, MaxBytes: 1 << 20, BatchEvents: 100})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(testConfig(), Identity{DeviceID: "dev-1", DeviceName: "host.example", ClientVersion: "test"}, srv, q, parts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a, q
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func start(a *Agent) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		a.Run(ctx)
		close(done)
	}()
	return func() {
		cancel()
		<-done
	}
}

func TestRunDeliversAndReportsHealth(t *testing.T) {
	srv := &fakeServer{indVersion: "v1"}
	sink := &indicatorSink{}
	a, _ := newAgent(t, t.TempDir(), srv, Parts{
		Collectors: []sensor.Collector{emitN{"process", 250}, unsupported{}},
		Handlers:   []sensor.CommandHandler{echoHandler{}},
		Indicators: []IndicatorSink{sink},
		Inventory: func(ctx context.Context, health string) agentproto.Inventory {
			return agentproto.Inventory{DeviceInfo: map[string]any{"OSPlatform": "Linux", "SensorHealthState": health}}
		},
	})
	stop := start(a)
	defer stop()
	waitFor(t, "250 events", func() bool { return len(srv.events()) == 250 })
	var last int64
	for _, e := range srv.events() {
		if e.ReportID <= last {
			t.Fatalf("ReportID %d after %d", e.ReportID, last)
		}
		last = e.ReportID
		if e.Row["DeviceId"] != "dev-1" || e.Row["DeviceName"] != "host.example" {
			t.Fatalf("event not stamped: %v", e.Row)
		}
		ts, _ := e.Row["Timestamp"].(string)
		if tm, err := time.Parse(time.RFC3339Nano, ts); err != nil || tm.Location() != time.UTC {
			t.Fatalf("Timestamp %q is not ISO 8601 UTC", ts)
		}
	}
	h := a.Health()
	want := []agentproto.CollectorState{{Name: "logon", State: "unsupported", Reason: "audit netlink socket: unsupported on this system"}, {Name: "process", State: "running"}}
	if fmt.Sprint(h.Collectors) != fmt.Sprint(want) {
		t.Errorf("collectors %+v, want %+v", h.Collectors, want)
	}
	if h.SensorHealthState != "Active" {
		t.Errorf("SensorHealthState %q", h.SensorHealthState)
	}

	srv.mu.Lock()
	srv.commands = []agentproto.Command{{ID: "c1", Type: agentproto.CommandKillProcess, Params: map[string]string{"pid": "42"}}, {ID: "c2", Type: "reboot"}}
	srv.mu.Unlock()
	waitFor(t, "two command results", func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return len(srv.results) == 2 })
	srv.mu.Lock()
	for _, r := range srv.results {
		switch r.ID {
		case "c1":
			if r.Status != agentproto.StatusSucceeded || r.Output["pid"] != "42" {
				t.Errorf("kill_process result %+v", r)
			}
		case "c2":
			if r.Status != agentproto.StatusFailed || !strings.Contains(r.Message, "reboot") {
				t.Errorf("unknown command result %+v", r)
			}
		}
	}
	if len(srv.inventory) == 0 || srv.inventory[0].DeviceInfo["OSPlatform"] != "Linux" {
		t.Errorf("inventory %v", srv.inventory)
	}
	srv.mu.Unlock()
	waitFor(t, "indicators", func() bool { sink.mu.Lock(); defer sink.mu.Unlock(); return len(sink.sets) == 1 })
}

// TestOutageNoLossNoDuplicates: events emitted while the server is down
// stay queued and arrive once, in order, when it is back — also across a
// restart of the agent during the outage.
func TestOutageNoLossNoDuplicates(t *testing.T) {
	dir := t.TempDir()
	srv := &fakeServer{down: true}
	a, _ := newAgent(t, dir, srv, Parts{Collectors: []sensor.Collector{emitN{"a", 300}}})
	stop := start(a)
	waitFor(t, "health to show the outage", func() bool {
		return a.Health().SensorHealthState == "Impaired communications" && a.q.Stats().Batches > 0 && a.q.Stats().Pending == 0
	})
	stop() // restart during the outage

	a, _ = newAgent(t, dir, srv, Parts{Collectors: []sensor.Collector{emitN{"b", 200}}})
	stop = start(a)
	defer stop()
	time.Sleep(100 * time.Millisecond)
	srv.mu.Lock()
	srv.down = false
	srv.mu.Unlock()
	waitFor(t, "500 events", func() bool { return len(srv.events()) >= 500 })
	time.Sleep(100 * time.Millisecond)
	evs := srv.events()
	if len(evs) != 500 {
		t.Fatalf("%d events delivered, want 500", len(evs))
	}
	seen := map[int64]bool{}
	var names []string
	for _, e := range evs {
		if seen[e.ReportID] {
			t.Fatalf("ReportID %d delivered twice", e.ReportID)
		}
		seen[e.ReportID] = true
		names = append(names, e.Row["FileName"].(string))
	}
	if names[0] != "a-0" || names[299] != "a-299" || names[300] != "b-0" {
		t.Errorf("order: %v … %v", names[:2], names[299:302])
	}
}

func TestRejectedBatchIsDroppedNotWedged(t *testing.T) {
	srv := &fakeServer{reject: map[uint64]bool{1: true}}
	a, _ := newAgent(t, t.TempDir(), srv, Parts{Collectors: []sensor.Collector{emitN{"a", 150}}})
	stop := start(a)
	defer stop()
	waitFor(t, "the rest delivered", func() bool { return len(srv.events()) == 50 })
	if h := a.Health(); h.QueueDropped != 100 {
		t.Errorf("QueueDropped = %d, want the 100 refused events", h.QueueDropped)
	}
}

func TestSampling(t *testing.T) {
	srv := &fakeServer{}
	a, q := newAgent(t, t.TempDir(), srv, Parts{Collectors: []sensor.Collector{emitN{"a", 0}}})
	a.sampling.Store(true)
	for i := 0; i < 100; i++ {
		a.Emit(agentproto.Event{Table: "DeviceFileEvents"})
	}
	a.Emit(agentproto.Event{Table: "AlertInfo"})
	q.Flush()
	if a.sampled.Load() != 90 {
		t.Errorf("sampled %d of 100, want 90", a.sampled.Load())
	}
	b, _, _ := q.Next()
	if len(b.Events) != 11 || b.Events[10].Table != "AlertInfo" {
		t.Errorf("kept %d events, want 10 and the alert", len(b.Events))
	}
	if _, ok := b.Events[10].Row["DeviceId"]; ok {
		t.Error("AlertInfo got a DeviceId column it does not have")
	}
	a.setCollector("a", "running", "")
	if h := a.Health(); h.Collectors[0].State != "sampling" {
		t.Errorf("collector state %q while sampling", h.Collectors[0].State)
	}
	a.cfg.CPUPercent, a.cfg.MemoryBytes = 50, 100<<20
	for _, c := range []struct {
		cpu      float64
		rss      int64
		sampling bool
		want     bool
	}{
		{10, 10 << 20, false, false}, {60, 10 << 20, false, true}, {10, 200 << 20, false, true},
		{45, 10 << 20, true, true}, {30, 10 << 20, true, false}, {30, 90 << 20, true, true},
	} {
		if got := a.overLimit(c.cpu, c.rss, c.sampling); got != c.want {
			t.Errorf("overLimit(%v, %d, %v) = %v, want %v", c.cpu, c.rss, c.sampling, got, c.want)
		}
	}
}

// TestSamplingDwell: sampling holds for the minimum dwell, and a storm
// that returns soon after doubles it, up to the maximum; a quiet spell
// resets it.
func TestSamplingDwell(t *testing.T) {
	var d samplingDwell
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	steps := []struct {
		at   float64
		over bool
		want bool
	}{
		{0, false, false},
		{1, true, true},  // starts: dwell 10 s, until 11
		{3, false, true}, // under the cap but held
		{10.9, false, true},
		{11, false, false}, // released
		{13, true, true},   // back within 30 s: dwell 20 s, until 33
		{32, false, true},
		{33, false, false},
		{40, true, true}, // dwell 40 s, until 80
		{79, false, true},
		{80, false, false},
		{200, true, true}, // after a quiet spell: 10 s again
		{210, false, false},
	}
	for _, s := range steps {
		if got := d.decide(at(s.at), s.over); got != s.want {
			t.Fatalf("at %vs over=%v: sampling %v, want %v (dwell %v)", s.at, s.over, got, s.want, d.dwell)
		}
	}
	// A long storm: over the cap again one second after each release.
	next := 300.0
	for i := 0; i < 20; i++ {
		d.decide(at(next), true)
		next += d.dwell.Seconds()
		if d.decide(at(next), false) {
			t.Fatalf("round %d: still sampling after the dwell", i)
		}
		next++
	}
	if d.dwell != maxDwell {
		t.Errorf("dwell after a long storm = %v, want the maximum %v", d.dwell, maxDwell)
	}
}

// TestStampColumns checks the rule against the catalogue: the agent adds
// only columns a table has (the server refuses others).
func TestStampColumns(t *testing.T) {
	cat := schema.Default()
	for _, tab := range cat.Tables() {
		if !strings.HasPrefix(tab.Name, "Device") && !strings.HasPrefix(tab.Name, "Alert") {
			continue
		}
		device, ts := stampColumns(tab.Name)
		has := func(c string) bool { _, ok := tab.Column(c); return ok }
		if device && (!has("DeviceId") || !has("DeviceName")) {
			t.Errorf("%s: the agent stamps DeviceId/DeviceName it lacks", tab.Name)
		}
		if ts && !has("Timestamp") {
			t.Errorf("%s: the agent stamps a Timestamp it lacks", tab.Name)
		}
		if slices.Contains([]string{"DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceLogonEvents", "DeviceEvents", "AlertEvidence"}, tab.Name) && (!device || !ts) {
			t.Errorf("%s: the agent does not stamp it", tab.Name)
		}
	}
}

func TestSelfUsage(t *testing.T) {
	cpu, rss, ok := selfUsage()
	if !ok || cpu < 0 || rss <= 0 {
		t.Errorf("selfUsage() = %v, %d, %v", cpu, rss, ok)
	}
}

// storm emits events until the agent stops.
type storm struct{}

func (storm) Name() string { return "process" }
func (storm) Run(ctx context.Context, out sensor.Emitter) error {
	for ctx.Err() == nil {
		for i := 0; i < 100; i++ {
			out.Emit(agentproto.Event{Table: "DeviceProcessEvents", Row: map[string]any{"FileName": "x"}})
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// TestStormOverMemoryCapSamples: over its memory cap the agent samples
// and says so in health.
func TestStormOverMemoryCapSamples(t *testing.T) {
	defer debug.SetMemoryLimit(math.MaxInt64)
	srv := &fakeServer{}
	q, err := queue.Open(queue.Config{Dir: t.TempDir(), MaxBytes: 1 << 20, BatchEvents: 500})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.MemoryBytes = 1 << 20 // any Go process is over this
	cfg.MonitorInterval = 20 * time.Millisecond
	a, err := New(cfg, Identity{DeviceID: "d"}, srv, q, Parts{Collectors: []sensor.Collector{storm{}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(a)
	defer stop()
	waitFor(t, "sampling in health", func() bool {
		h := a.Health()
		return h.Sampled > 0 && len(h.Collectors) == 1 && h.Collectors[0].State == "sampling" && h.RSSBytes > 0
	})
}

// refusingResults answers every command result with 404.
type refusingResults struct {
	fakeServer
	calls int
}

func (s *refusingResults) CommandResult(ctx context.Context, r agentproto.CommandResult) error {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return &transport.StatusError{Path: agentproto.PathCommandResult, Status: http.StatusNotFound}
}

// TestResultRefusedNotRetried: a result the server refuses as unknown is
// not retried forever.
func TestResultRefusedNotRetried(t *testing.T) {
	srv := &refusingResults{}
	srv.commands = []agentproto.Command{{ID: "gone", Type: "reboot"}}
	a, _ := newAgent(t, t.TempDir(), srv, Parts{})
	stop := start(a)
	defer stop()
	waitFor(t, "the result attempt", func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return srv.calls > 0 })
	time.Sleep(1500 * time.Millisecond)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.calls != 1 {
		t.Errorf("a refused result was posted %d times", srv.calls)
	}
}
