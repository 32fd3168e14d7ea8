package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// Tables gives the current schema of a stored table.
type Tables interface {
	Table(name string) (*schema.Table, bool)
}

// Transformer compiles a data flow's transformKql for the columns of its
// input stream.
type Transformer interface {
	Compile(kql string, input []schema.Column) (Transform, error)
}

// Transform is a compiled transformKql.
type Transform interface {
	// Columns are the output columns.
	Columns() []schema.Column
	// Apply runs the transformation on rows of the input columns and
	// returns rows of the output columns.
	Apply(ctx context.Context, rows [][]any) ([][]any, error)
}

// ErrUnknownRule and ErrUnknownStream report a request naming a rule or a
// stream that does not exist.
var (
	ErrUnknownRule   = errors.New("unknown data collection rule")
	ErrUnknownStream = errors.New("unknown stream")
)

// Pipeline is the ingestion path every source uses: it resolves a rule
// and stream to tables, decodes, transforms, stamps the standard columns
// and commits durably.
type Pipeline struct {
	tables      Tables
	rules       *Rules
	committer   *Committer
	transformer Transformer
	tenantID    string

	mu     sync.Mutex
	routes map[routeKey]*route

	seq    atomic.Uint64
	prefix string

	holdMu sync.Mutex
	holds  map[*Hold]time.Time
}

type routeKey struct{ rule, stream string }

// Hold marks rows received at a time as on their way to the store, from
// before they are decoded until they are committed or refused, so that
// Watermark stays below their receive time meanwhile.
type Hold struct {
	p    *Pipeline
	once sync.Once
}

// Hold registers rows received at receivedAt; Release it once they are
// committed or have failed. Ingest and IngestRows hold their rows
// themselves; a caller of Prepare and Commit holds them around both.
func (p *Pipeline) Hold(receivedAt time.Time) *Hold {
	h := &Hold{p: p}
	p.holdMu.Lock()
	if p.holds == nil {
		p.holds = map[*Hold]time.Time{}
	}
	p.holds[h] = receivedAt.UTC()
	p.holdMu.Unlock()
	return h
}

// Release ends the hold; later calls do nothing.
func (h *Hold) Release() {
	h.once.Do(func() {
		h.p.holdMu.Lock()
		delete(h.p.holds, h)
		h.p.holdMu.Unlock()
	})
}

// route is what one (rule, stream) pair resolves to.
type route struct {
	rule    *Rule
	decoder *Decoder
	flows   []*flow
}

type flow struct {
	table     *schema.Table
	transform Transform // nil: map input columns to table columns by name
	// from[i] is the input (or transform output) column feeding table
	// column i, or -1.
	from  []int
	stamp stamp
	// inPlace: the input rows are already the table's rows (its visible
	// columns in order, with room for the hidden ones), so they are
	// stamped where they are instead of copied.
	inPlace bool
}

// stamp locates the standard columns ingestion fills.
type stamp struct {
	timeGenerated, timeReceived, tenantID, typ, itemID int
}

// NewPipeline returns a pipeline writing through c into tables whose
// schemas tables gives. transformer may be nil, which refuses rules with
// transformations.
func NewPipeline(tables Tables, rules *Rules, c *Committer, transformer Transformer, tenantID string) *Pipeline {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &Pipeline{tables: tables, rules: rules, committer: c, transformer: transformer, tenantID: tenantID,
		routes: map[routeKey]*route{}, prefix: hex.EncodeToString(b)}
}

// Rules returns the pipeline's rule set.
func (p *Pipeline) Rules() *Rules { return p.rules }

// Watermark is the committer's: the oldest receive time of rows not yet
// committed (false when none are in flight).
// Rows held (see Hold) count as in flight too.
func (p *Pipeline) Watermark() (time.Time, bool) {
	oldest, ok := p.committer.Watermark()
	p.holdMu.Lock()
	defer p.holdMu.Unlock()
	for _, t := range p.holds {
		if !ok || t.Before(oldest) {
			oldest, ok = t, true
		}
	}
	return oldest, ok
}

// Stats returns the counters of the pipeline's committer.
func (p *Pipeline) Stats() *Stats { return p.committer.Stats() }

// Ingest decodes body (a JSON array of objects) for a rule's stream and
// stores the rows; it returns the number of rows stored once they are
// durable. receivedAt fills TimeGenerated where a row has none.
func (p *Pipeline) Ingest(ctx context.Context, ruleID, stream string, body []byte, receivedAt time.Time) (int, error) {
	defer p.Hold(receivedAt).Release()
	rt, err := p.route(ruleID, stream)
	if err != nil {
		return 0, err
	}
	rows, err := rt.decoder.Decode(body)
	if err != nil {
		return 0, err
	}
	return p.write(ctx, rt, rows, receivedAt, true)
}

// IngestRows stores rows already decoded for a rule's stream, in the
// stream's column order (see Columns).
func (p *Pipeline) IngestRows(ctx context.Context, ruleID, stream string, rows [][]any, receivedAt time.Time) (int, error) {
	defer p.Hold(receivedAt).Release()
	rt, err := p.route(ruleID, stream)
	if err != nil {
		return 0, err
	}
	return p.write(ctx, rt, rows, receivedAt, false)
}

// Columns returns the input columns of a rule's stream.
func (p *Pipeline) Columns(ruleID, stream string) ([]schema.Column, error) {
	rt, err := p.route(ruleID, stream)
	if err != nil {
		return nil, err
	}
	return rt.decoder.Columns(), nil
}

// Prepare decodes body (as Ingest does) for a rule's stream and returns
// the batches that store its rows, transformed and stamped, without
// storing them: for a caller that must commit rows of several streams,
// and statements of its own, in one transaction (see Commit).
func (p *Pipeline) Prepare(ctx context.Context, ruleID, stream string, body []byte, receivedAt time.Time) ([]store.Batch, int, error) {
	rt, err := p.route(ruleID, stream)
	if err != nil {
		return nil, 0, err
	}
	rows, err := rt.decoder.Decode(body)
	if err != nil {
		return nil, 0, err
	}
	batches, err := p.batches(ctx, rt, rows, receivedAt, true)
	return batches, len(rows), err
}

// Commit stores batches (from Prepare, or statements alone) in one
// transaction, returning once they are durable.
func (p *Pipeline) Commit(ctx context.Context, batches ...store.Batch) error {
	return p.committer.Write(ctx, batches...)
}

// write stores rows of the route's input columns. decoded says the rows
// come from the route's own decoder, so they may be stamped in place.
func (p *Pipeline) write(ctx context.Context, rt *route, rows [][]any, receivedAt time.Time, decoded bool) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	batches, err := p.batches(ctx, rt, rows, receivedAt, decoded)
	if err != nil {
		return 0, err
	}
	if err := p.committer.Write(ctx, batches...); err != nil {
		return 0, err
	}
	return len(rows), nil
}

// batches shapes rows of the route's input columns into one batch per
// flow.
func (p *Pipeline) batches(ctx context.Context, rt *route, rows [][]any, receivedAt time.Time, decoded bool) ([]store.Batch, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	receivedAt = receivedAt.UTC()
	batches := make([]store.Batch, 0, len(rt.flows))
	for _, f := range rt.flows {
		in := rows
		if f.transform != nil {
			var err error
			if in, err = f.transform.Apply(ctx, rows); err != nil {
				return nil, fmt.Errorf("transform for %s: %w", f.table.Name, err)
			}
		}
		batches = append(batches, store.Batch{Table: f.table.Name, Rows: p.shape(f, in, receivedAt, decoded && f.transform == nil && len(rt.flows) == 1), Received: receivedAt})
	}
	return batches, nil
}

// shape lays rows out in table order and fills the standard columns.
func (p *Pipeline) shape(f *flow, in [][]any, receivedAt time.Time, mayReuse bool) [][]any {
	ncol := len(f.table.Columns)
	out := make([][]any, len(in))
	inPlace := mayReuse && f.inPlace
	var vals []any
	if !inPlace {
		vals = make([]any, len(in)*ncol)
	}
	base := p.seq.Add(uint64(len(in))) - uint64(len(in))
	for r, src := range in {
		var row []any
		if inPlace && cap(src) >= ncol {
			row = src[:ncol]
		} else {
			if vals == nil {
				vals = make([]any, len(in)*ncol)
			}
			row = vals[r*ncol : (r+1)*ncol : (r+1)*ncol]
			for i, j := range f.from {
				if j >= 0 && j < len(src) {
					row[i] = src[j]
				}
			}
		}
		s := f.stamp
		if s.timeGenerated >= 0 && row[s.timeGenerated] == nil {
			row[s.timeGenerated] = receivedAt
		}
		if s.timeReceived >= 0 {
			row[s.timeReceived] = receivedAt
		}
		if s.tenantID >= 0 {
			row[s.tenantID] = p.tenantID
		}
		if s.typ >= 0 {
			row[s.typ] = f.table.Name
		}
		if s.itemID >= 0 {
			row[s.itemID] = p.itemID(base + uint64(r))
		}
		out[r] = row
	}
	return out
}

// itemID makes a unique _ItemId in GUID form: a per-process random prefix
// and a sequence number.
func (p *Pipeline) itemID(n uint64) string {
	var b [32]byte
	copy(b[:12], p.prefix)
	const hexd = "0123456789abcdef"
	for i := 31; i >= 12; i-- {
		b[i] = hexd[n&15]
		n >>= 4
	}
	s := string(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// Forget drops cached routes, after a rule or table changed.
func (p *Pipeline) Forget() {
	p.mu.Lock()
	p.routes = map[routeKey]*route{}
	p.mu.Unlock()
}

func (p *Pipeline) route(ruleID, stream string) (*route, error) {
	key := routeKey{ruleID, stream}
	p.mu.Lock()
	rt, ok := p.routes[key]
	p.mu.Unlock()
	if ok && p.current(rt) {
		return rt, nil
	}
	rt, err := p.resolve(ruleID, stream)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.routes[key] = rt
	p.mu.Unlock()
	return rt, nil
}

// current reports whether a cached route still matches the rule and the
// tables' schemas.
func (p *Pipeline) current(rt *route) bool {
	if rt.rule != nil {
		if r, ok := p.rules.Get(rt.rule.ID); !ok || r != rt.rule {
			return false
		}
	}
	for _, f := range rt.flows {
		if t, ok := p.tables.Table(f.table.Name); !ok || t != f.table {
			return false
		}
	}
	return true
}

func (p *Pipeline) resolve(ruleID, stream string) (*route, error) {
	if ruleID == DefaultRuleID {
		name, ok := strings.CutPrefix(stream, "Custom-")
		if !ok {
			return nil, fmt.Errorf("%w %q: rule %s takes streams named Custom-<Table>", ErrUnknownStream, stream, DefaultRuleID)
		}
		t, ok := p.tables.Table(name)
		if !ok {
			return nil, fmt.Errorf("%w %q: the workspace has no table %q", ErrUnknownStream, stream, name)
		}
		var in []schema.Column
		for _, c := range t.Columns {
			if !c.Hidden {
				in = append(in, c)
			}
		}
		f := &flow{table: t, from: mapColumns(t, in)}
		f.inPlace = isPrefix(f.from, len(in))
		f.stamp = stampOf(t)
		return &route{decoder: NewDecoder(in).padded(len(t.Columns)), flows: []*flow{f}}, nil
	}
	r, ok := p.rules.Get(ruleID)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownRule, ruleID)
	}
	return p.compileRoute(r, stream)
}

// compileRoute resolves a rule's stream to its flows.
func (p *Pipeline) compileRoute(r *Rule, stream string) (*route, error) {
	if _, ok := r.StreamDeclarations[stream]; !ok {
		return nil, fmt.Errorf("%w %q: rule %s declares %s", ErrUnknownStream, stream, r.ID, strings.Join(r.Streams(), ", "))
	}
	in, err := r.StreamColumns(stream)
	if err != nil {
		return nil, err
	}
	rt := &route{rule: r, decoder: NewDecoder(in)}
	for _, df := range r.DataFlows {
		if !contains(df.Streams, stream) {
			continue
		}
		name := df.TableOf(stream)
		t, ok := p.tables.Table(name)
		if !ok {
			return nil, fmt.Errorf("rule %s: data flow for %s writes to %q, which the workspace lacks", r.ID, stream, name)
		}
		f := &flow{table: t, stamp: stampOf(t)}
		cols := in
		if tk := strings.TrimSpace(df.TransformKql); tk != "" && tk != "source" {
			if p.transformer == nil {
				return nil, fmt.Errorf("rule %s: transformations are not available", r.ID)
			}
			tr, err := p.transformer.Compile(tk, in)
			if err != nil {
				return nil, fmt.Errorf("rule %s: transformKql for %s: %w", r.ID, stream, err)
			}
			f.transform = tr
			cols = tr.Columns()
		}
		if err := checkOutput(t, cols); err != nil {
			return nil, fmt.Errorf("rule %s: data flow for %s: %w", r.ID, stream, err)
		}
		f.from = mapColumns(t, cols)
		rt.flows = append(rt.flows, f)
	}
	if len(rt.flows) == 0 {
		return nil, fmt.Errorf("rule %s: no data flow takes stream %s", r.ID, stream)
	}
	return rt, nil
}

// Validate checks every stream of a rule against the current tables,
// compiling its transformations.
func (p *Pipeline) Validate(r *Rule) error {
	if !ruleIDPattern.MatchString(r.ID) || r.ID == DefaultRuleID {
		return fmt.Errorf("rule id %q must be dcr- followed by letters, digits or dashes, and not %s", r.ID, DefaultRuleID)
	}
	if len(r.StreamDeclarations) == 0 {
		return fmt.Errorf("rule %s declares no streams", r.ID)
	}
	for s := range r.StreamDeclarations {
		if !strings.HasPrefix(s, "Custom-") {
			return fmt.Errorf("rule %s: declared stream %q must be named Custom-…", r.ID, s)
		}
	}
	for _, df := range r.DataFlows {
		for _, s := range df.Streams {
			if _, ok := r.StreamDeclarations[s]; !ok {
				return fmt.Errorf("rule %s: a data flow takes stream %q, which is not declared", r.ID, s)
			}
		}
	}
	for _, s := range r.Streams() {
		if _, err := p.compileRoute(r, s); err != nil {
			return err
		}
	}
	return nil
}

// checkOutput checks that columns a flow produces fit the table's:
// unknown columns are dropped (as Azure does), but a known column of
// another type is an error.
func checkOutput(t *schema.Table, cols []schema.Column) error {
	for _, c := range cols {
		tc, ok := t.Column(c.Name)
		if !ok || tc.Hidden {
			continue
		}
		if tc.Type != c.Type && !(c.Type == types.Int && tc.Type == types.Long) {
			return fmt.Errorf("column %s is %s in the output but %s in table %s", c.Name, c.Type, tc.Type, t.Name)
		}
	}
	return nil
}

// mapColumns returns, for each column of t, the index of the same-named
// column in cols (exact, then case-insensitive), or -1. Hidden columns
// are filled by ingestion only.
func mapColumns(t *schema.Table, cols []schema.Column) []int {
	exact := map[string]int{}
	fold := map[string]int{}
	for i, c := range cols {
		exact[c.Name] = i
		if _, ok := fold[strings.ToLower(c.Name)]; !ok {
			fold[strings.ToLower(c.Name)] = i
		}
	}
	from := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		from[i] = -1
		if c.Hidden {
			continue
		}
		if j, ok := exact[c.Name]; ok {
			from[i] = j
		} else if j, ok := fold[strings.ToLower(c.Name)]; ok {
			from[i] = j
		}
	}
	return from
}

// isPrefix reports whether from maps the first n table columns to inputs
// 0…n-1 and no other column to an input.
func isPrefix(from []int, n int) bool {
	for i, j := range from {
		if (i < n && j != i) || (i >= n && j != -1) {
			return false
		}
	}
	return true
}

func stampOf(t *schema.Table) stamp {
	idx := func(name string, typ types.Type) int {
		i := t.ColumnIndex(name)
		if i < 0 || t.Columns[i].Type != typ {
			return -1
		}
		return i
	}
	return stamp{
		timeGenerated: idx("TimeGenerated", types.DateTime),
		timeReceived:  idx("_TimeReceived", types.DateTime),
		tenantID:      idx("TenantId", types.String),
		typ:           idx("Type", types.String),
		itemID:        idx("_ItemId", types.String),
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
