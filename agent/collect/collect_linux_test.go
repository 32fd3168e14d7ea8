package collect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/schema"
)

// recorder is an Emitter keeping every event for the matchers. It also
// checks every row against the catalogue: columns of the table, values in
// their value sets, a documented ActionType (the server refuses others).
type recorder struct {
	mu     sync.Mutex
	events []agentproto.Event
	bad    []string
}

var catalogue = schema.Default()

func (r *recorder) Emit(e agentproto.Event) {
	var bad []string
	tab, ok := catalogue.Table(e.Table)
	if !ok {
		bad = append(bad, "no table "+e.Table)
	}
	for k, v := range e.Row {
		if ok {
			if _, ok := tab.Column(k); !ok {
				bad = append(bad, fmt.Sprintf("%s has no column %q", e.Table, k))
			}
		}
		if set := catalogue.ValueSet(e.Table, k); set != nil && !slices.Contains(set, fmt.Sprint(v)) {
			bad = append(bad, fmt.Sprintf("%s.%s = %v, not in %v", e.Table, k, v, set))
		}
	}
	if at := catalogue.ActionTypes(e.Table); !slices.Contains(at, fmt.Sprint(e.Row["ActionType"])) {
		bad = append(bad, fmt.Sprintf("%s.ActionType = %v, not in %v", e.Table, e.Row["ActionType"], at))
	}
	r.mu.Lock()
	r.events = append(r.events, e)
	r.bad = append(r.bad, bad...)
	r.mu.Unlock()
}

// matches reports whether row has every key of want with an equal value
// (compared in their printed form, so 8080 matches int and uint16).
func matches(row map[string]any, want map[string]any) bool {
	for k, v := range want {
		got, ok := row[k]
		if !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			return false
		}
	}
	return true
}

// await waits until an event of table matches want, failing the test
// after timeout with the rows that were seen.
func (r *recorder) await(t *testing.T, table string, want map[string]any, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if e.Table == table && matches(e.Row, want) {
				r.mu.Unlock()
				return e.Row
			}
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Table == table {
			t.Logf("seen %s: %v", e.Table, e.Row)
		}
	}
	t.Fatalf("no %s row matching %v within %v (%d events seen)", table, want, timeout, len(r.events))
	return nil
}

// none fails when an event of table matches want.
func (r *recorder) none(t *testing.T, table string, want map[string]any) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Table == table && matches(e.Row, want) {
			t.Errorf("unexpected %s row %v", table, e.Row)
		}
	}
}

// missing ends a test whose kernel capability is absent: a failure, as in
// CI, unless GOSHAWK_ALLOW_MISSING_SENSORS is set, when it is a skip.
func missing(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("GOSHAWK_ALLOW_MISSING_SENSORS") != "" {
		t.Skip(reason)
	}
	t.Fatal(reason + " (set GOSHAWK_ALLOW_MISSING_SENSORS=1 to skip)")
}

// start runs c until the test ends, skipping when the mechanism is missing
// here; it waits ready for the collector to be set up.
func start(t *testing.T, c sensor.Collector, ready time.Duration) *recorder {
	t.Helper()
	return startInto(t, &recorder{}, c, ready)
}

// startInto is start with a recorder shared by several collectors.
func startInto(t *testing.T, rec *recorder, c sensor.Collector, ready time.Duration) *recorder {
	t.Helper()
	return startWith(t, rec, rec, c, ready)
}

// startWith is startInto with the Emitter the collector is given (one
// wrapping rec).
func startWith(t *testing.T, out sensor.Emitter, rec *recorder, c sensor.Collector, ready time.Duration) *recorder {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "collectors need root")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, out) }()
	select {
	case err := <-done:
		cancel()
		if errors.Is(err, sensor.ErrUnsupported) {
			missing(t, fmt.Sprintf("%s collector unsupported here: %v", c.Name(), err))
		}
		t.Fatalf("%s collector stopped at once: %v", c.Name(), err)
	case <-time.After(ready):
	}
	t.Cleanup(func() {
		cancel()
		rec.mu.Lock()
		for i, b := range rec.bad {
			if i == 10 {
				t.Errorf("... %d more catalogue errors", len(rec.bad)-i)
				break
			}
			t.Error(b)
		}
		rec.bad = nil
		rec.mu.Unlock()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s collector: %v", c.Name(), err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%s collector did not stop after cancellation", c.Name())
		}
	})
	return rec
}
