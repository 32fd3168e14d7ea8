package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// Config bounds the queue.
type Config struct {
	// Dir holds the segments and the counters; it is created 0700.
	Dir string
	// MaxBytes bounds the segments on disk; past it the oldest are
	// dropped.
	MaxBytes int64
	// BatchEvents seals a batch when this many events are pending.
	BatchEvents int
}

// DefaultConfig returns a 256 MiB queue sealing 500-event batches.
func DefaultConfig(dir string) Config {
	return Config{Dir: dir, MaxBytes: 256 << 20, BatchEvents: 500}
}

// Validate reports a config the queue cannot work with.
func (c Config) Validate() error {
	switch {
	case c.Dir == "":
		return errors.New("queue: no directory")
	case c.MaxBytes < 4096:
		return fmt.Errorf("queue: MaxBytes %d is below 4096", c.MaxBytes)
	case c.BatchEvents < 1 || c.BatchEvents > 100000:
		return fmt.Errorf("queue: BatchEvents %d is outside 1..100000", c.BatchEvents)
	}
	return nil
}

// Counter reservation blocks: a restart skips to the end of the block.
const (
	seqBlock    = 64
	reportBlock = 8192
)

// Stats describe the queue.
type Stats struct {
	Bytes   int64 `json:"bytes"`   // segment bytes on disk
	Batches int   `json:"batches"` // sealed, unacknowledged batches
	Pending int   `json:"pending"` // events not yet sealed
	// Dropped counts events deleted unsent: the queue was full (oldest
	// first), or their segment was corrupt.
	Dropped int64 `json:"dropped"`
	// Corrupt counts segments that did not decode and were skipped.
	Corrupt int64  `json:"corrupt"`
	NextSeq uint64 `json:"nextSeq"`
	// NextReportID is the ReportID the next event gets.
	NextReportID int64 `json:"nextReportId"`
}

type segment struct {
	seq    uint64
	events int
	bytes  int64
}

func (s segment) name() string { return fmt.Sprintf("%020d-%d.seg", s.seq, s.events) }

// counters is the persisted counter state.
type counters struct {
	SeqHigh    uint64 `json:"seqHigh"`    // every Seq below it may have been used
	ReportHigh int64  `json:"reportHigh"` // every ReportID below it may have been used
	Dropped    int64  `json:"dropped"`
	Corrupt    int64  `json:"corrupt"`
}

// Queue is the on-disk event queue. Its methods are safe for concurrent
// use.
type Queue struct {
	cfg   Config
	ready chan struct{}

	mu         sync.Mutex
	segs       []segment // sealed, oldest first
	bytes      int64
	pending    []agentproto.Event
	nextSeq    uint64
	nextReport int64
	c          counters // persisted; c.SeqHigh/ReportHigh bound what may be used
}

// Open opens (or creates) the queue in cfg.Dir, picking up the segments
// and counters a previous run left.
func Open(cfg Config) (*Queue, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("queue: create %s: %w", cfg.Dir, err)
	}
	q := &Queue{cfg: cfg, ready: make(chan struct{}, 1)}
	c, err := readCounters(cfg.Dir)
	if err != nil {
		return nil, err
	}
	q.c = c
	segs, err := listSegments(cfg.Dir)
	if err != nil {
		return nil, err
	}
	q.segs = segs
	for _, s := range segs {
		q.bytes += s.bytes
	}
	// Start past everything reserved before and everything on disk.
	q.nextSeq = max(c.SeqHigh, 1)
	if n := len(segs); n > 0 && segs[n-1].seq >= q.nextSeq {
		q.nextSeq = segs[n-1].seq + 1
	}
	q.nextReport = max(c.ReportHigh, 1)
	// Persist the new blocks before handing out any number.
	q.c.SeqHigh, q.c.ReportHigh = q.nextSeq, q.nextReport
	if err := q.saveCounters(); err != nil {
		return nil, err
	}
	if len(segs) > 0 {
		q.signal()
	}
	return q, nil
}

// listSegments returns the well-named segments in dir, oldest first, and
// removes leftover temporary files.
func listSegments(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("queue: read %s: %w", dir, err)
	}
	var segs []segment
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		s, ok := parseName(name)
		if !ok {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		s.bytes = info.Size()
		segs = append(segs, s)
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].seq < segs[j].seq })
	return segs, nil
}

func parseName(name string) (segment, bool) {
	base, ok := strings.CutSuffix(name, ".seg")
	if !ok {
		return segment{}, false
	}
	a, b, ok := strings.Cut(base, "-")
	if !ok {
		return segment{}, false
	}
	seq, err1 := strconv.ParseUint(a, 10, 64)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || seq == 0 || n < 0 {
		return segment{}, false
	}
	return segment{seq: seq, events: n}, true
}

const countersFile = "counters.json"

func readCounters(dir string) (counters, error) {
	var c counters
	b, err := os.ReadFile(filepath.Join(dir, countersFile))
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("queue: read counters: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		// A torn counters file must not reuse numbers: refuse rather
		// than guess.
		return c, fmt.Errorf("queue: counters file %s is damaged (%v); move it away only if the server's device is re-onboarded", filepath.Join(dir, countersFile), err)
	}
	return c, nil
}

// saveCounters persists q.c. Callers hold q.mu (or own q exclusively).
func (q *Queue) saveCounters() error {
	b, _ := json.Marshal(q.c)
	if err := writeFileSync(q.cfg.Dir, countersFile, b); err != nil {
		return fmt.Errorf("queue: save counters: %w", err)
	}
	return nil
}

// writeFileSync writes name in dir atomically and durably.
func writeFileSync(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename or removal durable; best effort where
// directories cannot be opened for sync (Windows).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Add queues an event, giving it the next ReportID, and seals a batch
// when BatchEvents are pending. The event's Row is kept, not copied.
func (q *Queue) Add(e agentproto.Event) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.nextReport >= q.c.ReportHigh {
		q.c.ReportHigh = q.nextReport + reportBlock
		if err := q.saveCounters(); err != nil {
			return err
		}
	}
	e.ReportID = q.nextReport
	q.nextReport++
	q.pending = append(q.pending, e)
	if len(q.pending) >= q.cfg.BatchEvents {
		return q.sealLocked()
	}
	return nil
}

// Flush seals the pending events, if any, into a batch.
func (q *Queue) Flush() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.sealLocked()
}

func (q *Queue) sealLocked() error {
	if len(q.pending) == 0 {
		return nil
	}
	if q.nextSeq >= q.c.SeqHigh {
		q.c.SeqHigh = q.nextSeq + seqBlock
		if err := q.saveCounters(); err != nil {
			return err
		}
	}
	b := agentproto.EventBatch{Seq: q.nextSeq, Events: q.pending}
	payload, err := json.Marshal(b)
	if err != nil {
		// A collector put a value JSON cannot carry in a row; drop the
		// batch rather than wedge the queue.
		q.c.Dropped += int64(len(q.pending))
		q.pending = nil
		return fmt.Errorf("queue: encode batch: %w", err)
	}
	s := segment{seq: q.nextSeq, events: len(q.pending)}
	data := encodeSegment(payload)
	if err := writeFileSync(q.cfg.Dir, s.name(), data); err != nil {
		return fmt.Errorf("queue: write segment %d: %w", s.seq, err)
	}
	s.bytes = int64(len(data))
	q.nextSeq++
	q.pending = nil
	q.segs = append(q.segs, s)
	q.bytes += s.bytes
	dropped := false
	for q.bytes > q.cfg.MaxBytes && len(q.segs) > 1 {
		old := q.segs[0]
		os.Remove(filepath.Join(q.cfg.Dir, old.name()))
		q.segs = q.segs[1:]
		q.bytes -= old.bytes
		q.c.Dropped += int64(old.events)
		dropped = true
	}
	if dropped {
		syncDir(q.cfg.Dir)
		if err := q.saveCounters(); err != nil {
			return err
		}
	}
	q.signal()
	return nil
}

func (q *Queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// Ready is signalled when a batch may be waiting; the sender calls Next
// until it reports none.
func (q *Queue) Ready() <-chan struct{} { return q.ready }

// Next returns the oldest unacknowledged batch; ok is false when there is
// none. Segments that do not decode are deleted and counted (Stats.Corrupt)
// and the next one is tried.
func (q *Queue) Next() (b agentproto.EventBatch, ok bool, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.segs) > 0 {
		s := q.segs[0]
		path := filepath.Join(q.cfg.Dir, s.name())
		data, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return b, false, fmt.Errorf("queue: read segment %d: %w", s.seq, err)
		}
		if err == nil {
			b, err = decodeBatch(data)
			if err == nil && b.Seq == s.seq {
				return b, true, nil
			}
		}
		// Damaged or vanished: skip it, say so. Its events are lost.
		os.Remove(path)
		q.segs = q.segs[1:]
		q.bytes -= s.bytes
		q.c.Corrupt++
		q.c.Dropped += int64(s.events)
		if err := q.saveCounters(); err != nil {
			return b, false, err
		}
	}
	return b, false, nil
}

func decodeBatch(data []byte) (agentproto.EventBatch, error) {
	var b agentproto.EventBatch
	recs, err := decodeSegment(data)
	if err != nil {
		return b, err
	}
	if len(recs) != 1 {
		return b, fmt.Errorf("%w: %d records, want 1", ErrCorrupt, len(recs))
	}
	if err := json.Unmarshal(recs[0], &b); err != nil {
		return b, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return b, nil
}

// Ack deletes the batch numbered seq (and any older ones: the server
// acknowledges in order). Acknowledging an unknown seq does nothing.
func (q *Queue) Ack(seq uint64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	removed := false
	for len(q.segs) > 0 && q.segs[0].seq <= seq {
		s := q.segs[0]
		if err := os.Remove(filepath.Join(q.cfg.Dir, s.name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("queue: remove acknowledged segment %d: %w", s.seq, err)
		}
		q.segs = q.segs[1:]
		q.bytes -= s.bytes
		removed = true
	}
	if removed {
		syncDir(q.cfg.Dir)
	}
	if len(q.segs) > 0 {
		q.signal()
	}
	return nil
}

// Stats returns the queue's state now.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return Stats{Bytes: q.bytes, Batches: len(q.segs), Pending: len(q.pending), Dropped: q.c.Dropped,
		Corrupt: q.c.Corrupt, NextSeq: q.nextSeq, NextReportID: q.nextReport}
}

// Close seals the pending events so they survive the restart.
func (q *Queue) Close() error { return q.Flush() }

// Inspect reads a queue directory without opening it for writing (the
// agent may be running): the segments on disk and the persisted counts.
func Inspect(dir string) (Stats, error) {
	var st Stats
	c, err := readCounters(dir)
	if err != nil {
		return st, err
	}
	segs, err := listSegmentsReadOnly(dir)
	if err != nil {
		return st, err
	}
	for _, s := range segs {
		st.Bytes += s.bytes
	}
	st.Batches, st.Dropped, st.Corrupt = len(segs), c.Dropped, c.Corrupt
	st.NextSeq, st.NextReportID = c.SeqHigh, c.ReportHigh
	return st, nil
}

func listSegmentsReadOnly(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("queue: read %s: %w", dir, err)
	}
	var segs []segment
	for _, e := range ents {
		if s, ok := parseName(e.Name()); ok {
			if info, err := e.Info(); err == nil {
				s.bytes = info.Size()
				segs = append(segs, s)
			}
		}
	}
	return segs, nil
}
