package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goshawk-sec/goshawk/store"
)

// BatchWriter stores batches durably, all or nothing. *store.Store is
// one.
type BatchWriter interface {
	AppendBatches(ctx context.Context, batches []store.Batch) error
}

// ErrQueueFull is returned when the commit queue holds as many rows as it
// may; the caller should retry later (HTTP 429).
var ErrQueueFull = errors.New("ingestion queue is full")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("ingestion is shutting down")

// CommitterConfig sizes the commit queue.
type CommitterConfig struct {
	// MaxQueuedRows bounds the rows waiting to be committed; beyond it
	// Write fails with ErrQueueFull.
	MaxQueuedRows int
	// MaxGroupRows bounds the rows committed in one transaction.
	MaxGroupRows int
	// Workers is the number of transactions in flight at once: while one
	// commits (writing and syncing the log), the next is being appended.
	Workers int
}

// DefaultCommitterConfig returns the defaults: up to 200,000 queued rows,
// committed up to 50,000 at a time.
func DefaultCommitterConfig() CommitterConfig {
	return CommitterConfig{MaxQueuedRows: 200000, MaxGroupRows: 50000, Workers: 2}
}

// Validate checks the configuration.
func (c CommitterConfig) Validate() error {
	if c.MaxQueuedRows <= 0 || c.MaxGroupRows <= 0 || c.Workers <= 0 {
		return errors.New("ingest: MaxQueuedRows, MaxGroupRows and Workers must be positive")
	}
	return nil
}

// Committer commits batches from many writers together (group commit):
// while one transaction commits, the batches that arrive wait, and the
// next transaction takes all of them. Write returns only once its rows are
// durable, so an acknowledgement sent after Write survives a crash.
type Committer struct {
	w      BatchWriter
	cfg    CommitterConfig
	queued atomic.Int64

	mu      sync.Mutex
	closed  bool
	pending []*request
	wake    chan struct{}
	done    chan struct{}

	// inflight holds the requests with a receive time that are queued or
	// committing, for Watermark.
	flightMu sync.Mutex
	inflight map[*request]time.Time

	stats Stats
}

type request struct {
	batches  []store.Batch
	rows     int
	received time.Time // the oldest batch's Received; zero when none says
	done     chan error
}

// finish answers a request and forgets it.
func (c *Committer) finish(r *request, err error) {
	if !r.received.IsZero() {
		c.flightMu.Lock()
		delete(c.inflight, r)
		c.flightMu.Unlock()
	}
	r.done <- err
}

// Watermark returns the oldest receive time of the rows queued or being
// committed, and false when none is. Every row received before it and
// stamped through the pipeline is either committed or failed: a reader of
// rows by ingestion time (near-real-time rules) that stops below the
// watermark misses none that commit later.
func (c *Committer) Watermark() (time.Time, bool) {
	c.flightMu.Lock()
	defer c.flightMu.Unlock()
	var oldest time.Time
	for _, t := range c.inflight {
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	return oldest, !oldest.IsZero()
}

// Stats counts what the committer did.
type Stats struct {
	Commits atomic.Int64
	Rows    atomic.Int64
	Failed  atomic.Int64
}

// NewCommitter returns a committer writing to w. Call Run to start it.
func NewCommitter(w BatchWriter, cfg CommitterConfig) (*Committer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Committer{w: w, cfg: cfg, wake: make(chan struct{}, cfg.Workers), done: make(chan struct{})}, nil
}

// Stats returns the committer's counters.
func (c *Committer) Stats() *Stats { return &c.stats }

// Write queues batches and waits until they are committed or have failed.
// The batches are committed together, all or nothing. If ctx ends first,
// Write returns its error; the rows may still be committed.
func (c *Committer) Write(ctx context.Context, batches ...store.Batch) error {
	n, stmts := 0, 0
	for _, b := range batches {
		n += len(b.Rows)
		stmts += len(b.Stmts)
	}
	if n == 0 && stmts == 0 {
		return nil
	}
	if c.queued.Add(int64(n)) > int64(c.cfg.MaxQueuedRows) && c.queued.Load() != int64(n) {
		c.queued.Add(int64(-n))
		return ErrQueueFull
	}
	r := &request{batches: batches, rows: n, done: make(chan error, 1)}
	for _, b := range batches {
		if !b.Received.IsZero() && (r.received.IsZero() || b.Received.Before(r.received)) {
			r.received = b.Received
		}
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.queued.Add(int64(-n))
		return ErrClosed
	}
	if !r.received.IsZero() {
		c.flightMu.Lock()
		if c.inflight == nil {
			c.inflight = map[*request]time.Time{}
		}
		c.inflight[r] = r.received
		c.flightMu.Unlock()
	}
	c.pending = append(c.pending, r)
	c.mu.Unlock()
	c.wakeOne()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run commits queued batches until Close, then commits what is still
// queued and returns.
func (c *Committer) Run() {
	defer close(c.done)
	var wg sync.WaitGroup
	for i := 0; i < c.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.work()
		}()
	}
	wg.Wait()
}

func (c *Committer) work() {
	for {
		c.mu.Lock()
		group, rows := c.takeLocked()
		closed, more := c.closed, len(c.pending) > 0
		c.mu.Unlock()
		if len(group) == 0 {
			if closed {
				c.wakeAll()
				return
			}
			<-c.wake
			continue
		}
		if more {
			c.wakeOne() // another worker can take the rest meanwhile
		}
		c.commit(group, rows)
	}
}

// takeLocked removes up to MaxGroupRows rows' worth of requests (at least
// one) from the queue.
func (c *Committer) takeLocked() ([]*request, int) {
	n, rows := 0, 0
	for n < len(c.pending) && (n == 0 || rows+c.pending[n].rows <= c.cfg.MaxGroupRows) {
		rows += c.pending[n].rows
		n++
	}
	group := c.pending[:n:n]
	c.pending = append([]*request(nil), c.pending[n:]...)
	return group, rows
}

func (c *Committer) commit(group []*request, rows int) {
	defer c.queued.Add(int64(-rows))
	var batches []store.Batch
	for _, r := range group {
		batches = append(batches, r.batches...)
	}
	err := c.append(batches)
	if err == nil {
		c.stats.Commits.Add(1)
		c.stats.Rows.Add(int64(rows))
		for _, r := range group {
			c.finish(r, nil)
		}
		return
	}
	if len(group) == 1 {
		c.stats.Failed.Add(1)
		c.finish(group[0], err)
		return
	}
	// One request may have spoiled the group: commit each alone so that
	// only it fails.
	for _, r := range group {
		err := c.append(r.batches)
		if err == nil {
			c.stats.Commits.Add(1)
			c.stats.Rows.Add(int64(r.rows))
		} else {
			c.stats.Failed.Add(1)
		}
		c.finish(r, err)
	}
}

func (c *Committer) append(batches []store.Batch) error {
	// The commit must not be abandoned halfway because a client went
	// away, but it must not hang forever either.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.w.AppendBatches(ctx, batches); err != nil {
		return fmt.Errorf("store rows: %w", err)
	}
	return nil
}

// Close stops accepting writes, waits until everything queued is
// committed, and returns. Run returns then too.
func (c *Committer) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wakeAll()
	<-c.done
}

// wakeOne wakes a waiting worker, if any.
func (c *Committer) wakeOne() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// wakeAll wakes every worker.
func (c *Committer) wakeAll() {
	for i := 0; i < c.cfg.Workers; i++ {
		c.wakeOne()
	}
}
