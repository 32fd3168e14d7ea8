package ingest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

// DefaultRuleID is the built-in data collection rule: its stream
// Custom-<Table> writes to <Table> unchanged, for every table.
const DefaultRuleID = "dcr-default"

// Rule is a data collection rule, in the shape of an Azure Monitor DCR's
// properties: streams the Logs Ingestion API accepts, each declared with
// its columns, and data flows that send a stream to a table through an
// optional KQL transformation.
type Rule struct {
	ID                 string                       `json:"immutableId"`
	Name               string                       `json:"name,omitempty"`
	Description        string                       `json:"description,omitempty"`
	StreamDeclarations map[string]StreamDeclaration `json:"streamDeclarations"`
	DataFlows          []DataFlow                   `json:"dataFlows"`
}

// StreamDeclaration lists a stream's columns.
type StreamDeclaration struct {
	Columns []ColumnDef `json:"columns"`
}

// ColumnDef is a column of a stream.
type ColumnDef struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// DataFlow sends streams to a table. OutputStream names the table as
// Azure does ("Custom-MyTable_CL" or "Microsoft-Syslog"); when empty, the
// stream "Custom-X" goes to table X. TransformKql is a query over the
// table "source", whose columns are the stream's.
type DataFlow struct {
	Streams      []string `json:"streams"`
	Destinations []string `json:"destinations,omitempty"`
	TransformKql string   `json:"transformKql,omitempty"`
	OutputStream string   `json:"outputStream,omitempty"`
}

var ruleIDPattern = regexp.MustCompile(`^dcr-[0-9a-zA-Z-]{1,64}$`)

// ParseRule reads a rule from JSON: either the properties object itself or
// an ARM resource with a "properties" member.
func ParseRule(data []byte) (*Rule, error) {
	var wrapper struct {
		Name       string          `json:"name"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(data, &wrapper); err != nil {
		return nil, fmt.Errorf("data collection rule: %w", err)
	}
	body := data
	if len(wrapper.Properties) > 0 {
		body = wrapper.Properties
	}
	var r Rule
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("data collection rule: %w", err)
	}
	if r.Name == "" {
		r.Name = wrapper.Name
	}
	return &r, nil
}

// TableOf returns the table a data flow writes stream to.
func (f DataFlow) TableOf(stream string) string {
	out := f.OutputStream
	if out == "" {
		out = stream
	}
	if t, ok := strings.CutPrefix(out, "Custom-"); ok {
		return t
	}
	if t, ok := strings.CutPrefix(out, "Microsoft-"); ok {
		return t
	}
	return out
}

// StreamColumns returns a declared stream's columns as schema columns.
func (r *Rule) StreamColumns(stream string) ([]schema.Column, error) {
	decl, ok := r.StreamDeclarations[stream]
	if !ok {
		return nil, fmt.Errorf("stream %q is not declared in rule %s", stream, r.ID)
	}
	cols := make([]schema.Column, 0, len(decl.Columns))
	seen := map[string]bool{}
	for _, c := range decl.Columns {
		t, ok := types.Parse(strings.ToLower(c.Type))
		if !ok || t == types.Unknown || t == types.Null {
			return nil, fmt.Errorf("stream %s: column %q: unknown type %q", stream, c.Name, c.Type)
		}
		if c.Name == "" || seen[strings.ToLower(c.Name)] {
			return nil, fmt.Errorf("stream %s: column name %q is empty or repeated", stream, c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		cols = append(cols, schema.Column{Name: c.Name, Type: t})
	}
	return cols, nil
}

// Streams returns the names of the streams a rule accepts, sorted.
func (r *Rule) Streams() []string {
	var out []string
	for s := range r.StreamDeclarations {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Rules is the set of data collection rules the pipeline knows, besides
// the built-in one. It is safe for concurrent use.
type Rules struct {
	mu    sync.RWMutex
	rules map[string]*Rule
}

// NewRules returns an empty set.
func NewRules() *Rules { return &Rules{rules: map[string]*Rule{}} }

// Get returns a rule by id.
func (rs *Rules) Get(id string) (*Rule, bool) {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	r, ok := rs.rules[id]
	return r, ok
}

// Put adds or replaces a rule. The caller validates it first (Pipeline.Validate).
func (rs *Rules) Put(r *Rule) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.rules[r.ID] = r
}

// Delete removes a rule.
func (rs *Rules) Delete(id string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	_, ok := rs.rules[id]
	delete(rs.rules, id)
	return ok
}

// List returns the rules sorted by id.
func (rs *Rules) List() []*Rule {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	out := make([]*Rule, 0, len(rs.rules))
	for _, r := range rs.rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
