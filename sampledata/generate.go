package sampledata

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// Options control what Generate makes.
type Options struct {
	// Rows is the number of DeviceProcessEvents rows, the biggest table;
	// every other table is sized relative to it. Default 10,000.
	Rows int
	// Now is the end of the generated window. The zero time means
	// time.Now(); give a fixed Now (and Seed) for a reproducible workspace.
	Now time.Time
	// Days is the length of the window ending at Now. Default 14.
	Days int
	// Seed seeds the generator: the same Seed and Now give the same rows.
	Seed int64
}

// Stats reports what Generate wrote.
type Stats struct {
	// Tables maps each table name to the rows written to it.
	Tables map[string]int64
	// Rows is the total number of rows written.
	Rows int64
	// Elapsed is the wall time of the generation, checkpoint included.
	Elapsed time.Duration
}

// RowsPerSecond is the generation throughput over all tables.
func (s Stats) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows) / s.Elapsed.Seconds()
}

// Generate fills every table of st with synthetic, mutually consistent rows
// covering the Days before Now, then checkpoints the workspace. It appends:
// give it an empty workspace. Tables are committed in parts of about a
// million rows, so after an error a workspace may be partly filled.
//
// Generation allocates many short-lived values while DuckDB keeps the data
// outside the Go heap; callers generating millions of rows gain about a
// quarter of the run time by raising GOGC (debug.SetGCPercent(400)), as the
// sample-data command does.
func Generate(ctx context.Context, st *store.Store, opts Options) (Stats, error) {
	began := time.Now()
	if opts.Rows <= 0 {
		opts.Rows = 10000
	}
	if opts.Days <= 0 {
		opts.Days = 14
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC().Truncate(time.Millisecond)
	g := newGen(ctx, st, opts)
	err := g.run()
	if err == nil {
		err = st.Checkpoint(ctx)
	}
	stats := Stats{Tables: map[string]int64{}, Elapsed: time.Since(began)}
	for name, o := range g.outs {
		stats.Tables[name] = o.rows
		stats.Rows += o.rows
	}
	if err != nil {
		return stats, fmt.Errorf("generate sample data: %w", err)
	}
	return stats, nil
}

// gen holds the state of one generation.
type gen struct {
	ctx    context.Context
	st     *store.Store
	cat    *schema.Catalogue
	opts   Options
	r      *rng
	w      world
	bins   *binaryTable
	scen   map[string]*weighted[*scenario]
	common map[string]colDef
	outs   map[string]*tableOut
	done   map[string]bool // tables a dedicated generator wrote
	alerts []*alertRec
	b64    []string
	report int64
	hours  []float64 // cumulative activity weight per hour of the window

	endpoint   *endpointSim
	devActions *weighted[string]
	signinPick *weighted[struct {
		code, desc string
		w          float64
	}]
}

func newGen(ctx context.Context, st *store.Store, opts Options) *gen {
	g := &gen{ctx: ctx, st: st, cat: st.Catalogue(), opts: opts, r: newRNG(opts.Seed, 1),
		outs: map[string]*tableOut{}, done: map[string]bool{}}
	g.w.now = opts.Now
	g.w.start = opts.Now.Add(-time.Duration(opts.Days) * 24 * time.Hour)
	for _, s := range encodedSnippets {
		g.b64 = append(g.b64, encodePS(s))
	}
	g.bins = buildBinaries()
	g.buildScenarios()
	g.common = g.commonColumns()
	g.buildWorld()
	g.buildHours()
	return g
}

// run generates every table: the dedicated generators first, then the
// generic one for the tables nothing else wrote.
func (g *gen) run() (err error) {
	defer func() {
		// Commit (or, after an error, roll back) whatever is still open and
		// wait for every writer.
		for _, o := range g.outs {
			if cerr := o.close(err == nil); err == nil && cerr != nil {
				err = cerr
			}
		}
		for _, o := range g.outs {
			if werr := o.wait(); err == nil && werr != nil {
				err = fmt.Errorf("table %s: %w", o.t.Name, werr)
			}
		}
	}()
	steps := []func() error{
		g.genDeviceInventory,
		g.genEndpoint,
		g.genAlerts,
		g.genIdentity,
		g.genCloud,
		g.genEmail,
		g.genSentinel,
	}
	for _, step := range steps {
		if err := g.ctx.Err(); err != nil {
			return err
		}
		if err := step(); err != nil {
			return err
		}
	}
	for _, t := range g.st.Tables() {
		if g.done[t.Name] {
			continue
		}
		if err := g.genGeneric(t); err != nil {
			return err
		}
	}
	return nil
}

// scaled returns per10k × Rows / 10,000, at least min.
func (g *gen) scaled(per10k float64, min int) int {
	n := int(math.Round(per10k * float64(g.opts.Rows) / 10000))
	if n < min {
		n = min
	}
	return n
}

// buildHours builds the activity curve of the window: busy office hours on
// weekdays, quiet nights and weekends.
func (g *gen) buildHours() {
	hours := g.opts.Days * 24
	g.hours = make([]float64, hours)
	total := 0.0
	for i := 0; i < hours; i++ {
		t := g.w.start.Add(time.Duration(i) * time.Hour)
		w := 0.35
		if h := t.Hour(); h >= 7 && h < 19 {
			w = 1.6
		}
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.4
		}
		total += w
		g.hours[i] = total
	}
}

// timeAt maps u in [0,1) to a time in the window following the activity
// curve; increasing u gives increasing times.
func (g *gen) timeAt(u float64) time.Time {
	total := g.hours[len(g.hours)-1]
	x := u * total
	i := sort.SearchFloat64s(g.hours, x)
	if i >= len(g.hours) {
		i = len(g.hours) - 1
	}
	lo := 0.0
	if i > 0 {
		lo = g.hours[i-1]
	}
	frac := (x - lo) / (g.hours[i] - lo)
	return g.w.start.Add(time.Duration(i)*time.Hour + time.Duration(frac*float64(time.Hour))).Truncate(time.Microsecond)
}

// randomTime returns a time in the window following the activity curve.
func (g *gen) randomTime() time.Time { return g.timeAt(g.r.f()) }

// nextReport returns a fresh ReportId.
func (g *gen) nextReport() int64 {
	g.report += 1 + int64(g.r.n(3))
	return g.report
}

// rowWriter is what a table's rows go to: a store.Writer.
type rowWriter interface {
	Write(row []any) error
	Commit() error
	Rollback() error
}

// batchRows is the number of rows handed to a table's writer at a time,
// and queuedBatches how many batches a table can have in flight.
const (
	batchRows     = 512
	queuedBatches = 8
)

// commitRows is the number of rows after which a table's writer commits
// and starts a new transaction: DuckDB keeps the rows of a transaction in
// memory until it commits (13 GB for a 10-million-row run in one
// transaction). A multiple of DuckDB's row group size (122,880), so that
// every commit leaves full, well-compressed row groups.
const commitRows = 8 * 122880

// tableOut streams the rows of one table to the store: the generator fills
// batches, a goroutine appends them through a store.Writer and, once the
// table is finished, commits them while the generator goes on with other
// tables.
type tableOut struct {
	g      *gen
	t      *schema.Table
	plan   plan
	w      rowWriter
	e      ev
	cur    [][]any
	n      int
	rows   int64
	full   chan [][]any
	free   chan [][]any
	done   chan struct{}
	closed bool
	commit bool // set before full is closed: commit (or roll back) at the end

	mu  sync.Mutex
	err error
}

// out opens (or returns) the output of a table, compiling its plan from own
// column definitions. It returns nil for a table the workspace lacks.
func (g *gen) out(table string, own map[string]colDef, sparse float64) (*tableOut, error) {
	if o, ok := g.outs[table]; ok {
		return o, nil
	}
	t, ok := g.st.Table(table)
	if !ok {
		return nil, nil
	}
	w, err := g.st.NewWriter(g.ctx, table)
	if err != nil {
		return nil, err
	}
	o := &tableOut{g: g, t: t, plan: g.compile(t, own, sparse), w: w,
		full: make(chan [][]any, queuedBatches), free: make(chan [][]any, queuedBatches+1), done: make(chan struct{})}
	o.e.table = table
	for i := 0; i <= queuedBatches; i++ {
		b := make([][]any, batchRows)
		for j := range b {
			b[j] = make([]any, len(t.Columns))
		}
		if i == 0 {
			o.cur = b
		} else {
			o.free <- b
		}
	}
	go o.writeLoop()
	g.outs[table] = o
	g.done[table] = true
	return o, nil
}

func (o *tableOut) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

func (o *tableOut) fail(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		o.err = err
	}
}

func (o *tableOut) writeLoop() {
	defer close(o.done)
	var inTx int
	for batch := range o.full {
		if o.failed() == nil {
			for _, row := range batch {
				if err := o.w.Write(row); err != nil {
					o.fail(err)
					break
				}
			}
			// Commit big tables in parts: DuckDB keeps a transaction's
			// appended rows in memory until it commits.
			if inTx += len(batch); inTx >= commitRows && o.failed() == nil {
				inTx = 0
				if err := o.w.Commit(); err != nil {
					o.fail(err)
				} else if w, err := o.g.st.NewWriter(o.g.ctx, o.t.Name); err != nil {
					o.fail(err)
				} else {
					o.w = w
				}
			}
		}
		o.free <- batch[:cap(batch)]
	}
	if o.commit && o.failed() == nil {
		if err := o.w.Commit(); err != nil {
			o.fail(err)
		}
		return
	}
	_ = o.w.Rollback()
}

// emit computes a row from e and queues it.
func (o *tableOut) emit(e *ev) error {
	if o == nil {
		return nil
	}
	if e.reportID == 0 {
		e.reportID = o.g.nextReport()
	}
	e.tb = e.t
	row := o.cur[o.n]
	for i, f := range o.plan {
		row[i] = f(e)
	}
	o.n++
	o.rows++
	if o.n == len(o.cur) {
		return o.flush()
	}
	return nil
}

func (o *tableOut) flush() error {
	if o.n == 0 {
		return o.failed()
	}
	o.full <- o.cur[:o.n]
	o.cur = <-o.free
	o.n = 0
	return o.failed()
}

// close queues the last rows and ends the table's transaction: a commit
// when commit is true, else a rollback. It does not wait; wait does.
func (o *tableOut) close(commit bool) error {
	if o.closed {
		return nil
	}
	o.closed = true
	var err error
	if commit {
		err = o.flush()
	}
	o.commit = commit && err == nil
	close(o.full)
	return err
}

// wait waits for the table's writer to finish and returns its error.
func (o *tableOut) wait() error {
	<-o.done
	return o.failed()
}

// finish ends a table's transaction once its generator is done with it; the
// commit runs in the background.
func (g *gen) finish(tables ...string) error {
	for _, name := range tables {
		if o, ok := g.outs[name]; ok {
			if err := o.close(true); err != nil {
				return err
			}
		}
	}
	return nil
}

// genGeneric fills a table no dedicated generator covers: events at random
// times by random people on random devices, columns from the common
// definitions and the fallback.
func (g *gen) genGeneric(t *schema.Table) error {
	n := g.scaled(40, 40)
	sparse := 0.0
	if len(t.Columns) > 120 {
		sparse = 0.2
	}
	o, err := g.out(t.Name, nil, sparse)
	if err != nil || o == nil {
		return err
	}
	acts := g.cat.ActionTypes(t.Name)
	for i := 0; i < n; i++ {
		e := &o.e
		*e = ev{table: t.Name, t: g.timeAt((float64(i) + g.r.f()) / float64(n))}
		e.dev = g.w.devPick.pick(g.r)
		e.acct = g.randomUser()
		e.clientIP = e.acct.homeIP
		if g.r.chance(0.6) {
			e.clientIP = e.dev.publicIP
		}
		if len(acts) > 0 {
			e.action = pick(g.r, acts)
		}
		if err := o.emit(e); err != nil {
			return err
		}
	}
	return g.finish(t.Name)
}
