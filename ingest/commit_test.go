package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir(), schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func startCommitter(t *testing.T, w BatchWriter, cfg CommitterConfig) *Committer {
	t.Helper()
	c, err := NewCommitter(w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); c.Run() }()
	t.Cleanup(func() { c.Close(); <-done })
	return c
}

func countRows(t *testing.T, st *store.Store, table, where string) int {
	t.Helper()
	var n int
	q := fmt.Sprintf(`SELECT count(*) FROM "%s"`, table)
	if where != "" {
		q += " WHERE " + where
	}
	if err := st.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func syslogRow(t *testing.T, st *store.Store, computer string) []any {
	tab, _ := st.Table("Syslog")
	row := make([]any, len(tab.Columns))
	row[tab.ColumnIndex("Computer")] = computer
	row[tab.ColumnIndex("TimeGenerated")] = time.Now()
	return row
}

// TestCommitterConcurrent: every acknowledged write is stored, and
// concurrent writes share commits.
func TestCommitterConcurrent(t *testing.T) {
	st := openStore(t)
	c := startCommitter(t, st, DefaultCommitterConfig())
	const writers, writes, rows = 8, 20, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*writes)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < writes; i++ {
				batch := make([][]any, rows)
				for r := range batch {
					batch[r] = syslogRow(t, st, fmt.Sprintf("w%d", w))
				}
				errs <- c.Write(context.Background(), store.Batch{Table: "Syslog", Rows: batch})
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := countRows(t, st, "Syslog", ""), writers*writes*rows; got != want {
		t.Errorf("stored %d rows, want %d", got, want)
	}
	s := c.Stats()
	if s.Rows.Load() != writers*writes*rows {
		t.Errorf("Stats.Rows = %d", s.Rows.Load())
	}
	t.Logf("%d writes in %d commits", writers*writes, s.Commits.Load())
}

// TestCommitterBadBatchFailsAlone: a batch the store refuses fails on its
// own; the batches committed with it are stored.
func TestCommitterBadBatchFailsAlone(t *testing.T) {
	st := openStore(t)
	gate := &gatedWriter{w: st, open: make(chan struct{})}
	// One worker, so that the three writes queue behind the held one.
	c := startCommitter(t, gate, CommitterConfig{MaxQueuedRows: 1000, MaxGroupRows: 1000, Workers: 1})
	bad := syslogRow(t, st, "bad")
	tab, _ := st.Table("Syslog")
	bad[tab.ColumnIndex("Computer")] = 42 // not a string: the store refuses it
	var wg sync.WaitGroup
	results := make([]error, 3)
	batches := [][]any{syslogRow(t, st, "good1"), bad, syslogRow(t, st, "good2")}
	// Hold the committer on a first write so that the three queue up and
	// are taken as one group.
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = c.Write(context.Background(), store.Batch{Table: "Syslog", Rows: [][]any{syslogRow(t, st, "first")}})
	}()
	gate.waitEntered()
	for i, row := range batches {
		wg.Add(1)
		go func(i int, row []any) {
			defer wg.Done()
			results[i] = c.Write(context.Background(), store.Batch{Table: "Syslog", Rows: [][]any{row}})
		}(i, row)
	}
	waitQueued(t, c, 3)
	close(gate.open)
	wg.Wait()
	if results[0] != nil || results[2] != nil {
		t.Errorf("good batches failed: %v, %v", results[0], results[2])
	}
	if results[1] == nil || !strings.Contains(results[1].Error(), "Computer") {
		t.Errorf("bad batch: err = %v, want a column error", results[1])
	}
	if got := countRows(t, st, "Syslog", ""); got != 3 {
		t.Errorf("stored %d rows, want 3", got)
	}
}

// TestCommitterQueueFull: beyond MaxQueuedRows, Write fails at once with
// ErrQueueFull, and nothing of that write is stored.
func TestCommitterQueueFull(t *testing.T) {
	st := openStore(t)
	gate := &gatedWriter{w: st, open: make(chan struct{})}
	c := startCommitter(t, gate, CommitterConfig{MaxQueuedRows: 10, MaxGroupRows: 10, Workers: 1})
	rows := func(n int) [][]any {
		out := make([][]any, n)
		for i := range out {
			out[i] = syslogRow(t, st, "q")
		}
		return out
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = c.Write(context.Background(), store.Batch{Table: "Syslog", Rows: rows(8)})
	}()
	gate.waitEntered()
	if err := c.Write(context.Background(), store.Batch{Table: "Syslog", Rows: rows(5)}); !errors.Is(err, ErrQueueFull) {
		t.Errorf("Write over the limit = %v, want ErrQueueFull", err)
	}
	close(gate.open)
	wg.Wait()
	if got := countRows(t, st, "Syslog", ""); got != 8 {
		t.Errorf("stored %d rows, want 8", got)
	}
	if err := c.Write(context.Background(), store.Batch{Table: "Syslog", Rows: rows(5)}); err != nil {
		t.Errorf("Write after the queue drained: %v", err)
	}
}

// gatedWriter holds every commit until open is closed, so that tests can
// fill the queue deterministically.
type gatedWriter struct {
	w       BatchWriter
	open    chan struct{}
	entered sync.Once
	in      chan struct{}
	mu      sync.Mutex
}

func (g *gatedWriter) AppendBatches(ctx context.Context, b []store.Batch) error {
	g.mu.Lock()
	if g.in == nil {
		g.in = make(chan struct{})
	}
	in := g.in
	g.mu.Unlock()
	g.entered.Do(func() { close(in) })
	<-g.open
	return g.w.AppendBatches(ctx, b)
}

func (g *gatedWriter) waitEntered() {
	for {
		g.mu.Lock()
		in := g.in
		g.mu.Unlock()
		if in != nil {
			<-in
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func waitQueued(t *testing.T, c *Committer, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		k := len(c.pending)
		c.mu.Unlock()
		if k >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d requests never queued", n)
}

// TestCommitterWatermark: while rows are queued or committing, the
// watermark is the oldest receive time among them; a request abandoned by
// its caller still counts until it commits.
func TestCommitterWatermark(t *testing.T) {
	st := openStore(t)
	gate := &gatedWriter{w: st, open: make(chan struct{})}
	c := startCommitter(t, gate, CommitterConfig{MaxQueuedRows: 100, MaxGroupRows: 100, Workers: 1})
	if _, ok := c.Watermark(); ok {
		t.Fatal("a watermark with nothing in flight")
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = c.Write(ctx, store.Batch{Table: "Syslog", Rows: [][]any{syslogRow(t, st, "a")}, Received: t0.Add(time.Second)})
	}()
	gate.waitEntered()
	go func() {
		defer wg.Done()
		_ = c.Write(context.Background(), store.Batch{Table: "Syslog", Rows: [][]any{syslogRow(t, st, "b")}, Received: t0})
	}()
	waitQueued(t, c, 1)
	if w, ok := c.Watermark(); !ok || !w.Equal(t0) {
		t.Errorf("watermark = %v, %v; want %v", w, ok, t0)
	}
	cancel() // the first writer gives up; its rows still commit
	if w, ok := c.Watermark(); !ok || !w.Equal(t0) {
		t.Errorf("watermark after a caller gave up = %v, %v", w, ok)
	}
	close(gate.open)
	wg.Wait()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, ok := c.Watermark(); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the watermark stayed after every request committed")
		}
	}
}

// TestPipelineHold: a hold keeps the watermark at its receive time until
// released.
func TestPipelineHold(t *testing.T) {
	p := &Pipeline{committer: &Committer{}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h1, h2 := p.Hold(t0.Add(time.Minute)), p.Hold(t0)
	if w, ok := p.Watermark(); !ok || !w.Equal(t0) {
		t.Errorf("watermark = %v, %v; want %v", w, ok, t0)
	}
	h2.Release()
	h2.Release()
	if w, ok := p.Watermark(); !ok || !w.Equal(t0.Add(time.Minute)) {
		t.Errorf("watermark after a release = %v, %v", w, ok)
	}
	h1.Release()
	if _, ok := p.Watermark(); ok {
		t.Error("a watermark with nothing held")
	}
}
