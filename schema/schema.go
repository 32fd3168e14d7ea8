package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goshawk-sec/goshawk/kql/types"
)

//go:embed tables.json
var tablesJSON []byte

// Sources of a table.
const (
	SourceDefender = "defender" // a Defender XDR advanced hunting table
	SourceSentinel = "sentinel" // a Sentinel / Log Analytics table
	SourceCustom   = "custom"   // a custom (*_CL) table created at run time
)

// Column is a named, typed column of a table.
type Column struct {
	// Name is the KQL name of the column (case-sensitive).
	Name string
	// Type is the column's KQL type.
	Type types.Type
	// Hidden columns can be referenced by name but are left out of * and of
	// a table's default output (_BilledSize, _ItemId, …).
	Hidden bool
	// Storage is the column's name in the DuckDB table: Name, unless another
	// column of the table has the same name in another case (see the package
	// documentation). Tables in a Catalogue always have it set.
	Storage string
}

// Table is the schema of one workspace table. Tables reached through a
// Catalogue are shared and must not be modified.
type Table struct {
	// Name is the table's KQL name (case-sensitive).
	Name string
	// Source is SourceDefender, SourceSentinel or SourceCustom.
	Source string
	// Columns lists the visible columns and then the hidden ones.
	Columns []Column
	// Doc tells where the table's columns were documented.
	Doc string

	index map[string]int
}

// Visible returns the table's non-hidden columns, in order: the columns of
// * and of the table's default output.
func (t *Table) Visible() []types.Column {
	out := make([]types.Column, 0, len(t.Columns))
	for _, c := range t.Columns {
		if !c.Hidden {
			out = append(out, types.Column{Name: c.Name, Type: c.Type})
		}
	}
	return out
}

// KQLColumns returns all the table's columns, hidden ones included, in
// order: the columns a query can reference by name.
func (t *Table) KQLColumns() []types.Column {
	out := make([]types.Column, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = types.Column{Name: c.Name, Type: c.Type}
	}
	return out
}

// ColumnIndex returns the position of the column named name (exact,
// case-sensitive) in Columns, or -1.
func (t *Table) ColumnIndex(name string) int {
	if t.index != nil {
		if i, ok := t.index[name]; ok {
			return i
		}
		return -1
	}
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Column returns the column named name (exact, case-sensitive).
func (t *Table) Column(name string) (Column, bool) {
	if i := t.ColumnIndex(name); i >= 0 {
		return t.Columns[i], true
	}
	return Column{}, false
}

// Catalogue is an immutable set of tables with their value sets and action
// types.
type Catalogue struct {
	tables      map[string]*Table
	sorted      []*Table
	valueSets   map[valueSetKey][]string
	actionTypes map[string][]string
	standard    []Column
}

type valueSetKey struct{ table, column string }

var (
	defaultOnce sync.Once
	defaultCat  *Catalogue
)

// Default returns the catalogue parsed from the embedded tables.json. It is
// parsed once and shared; it panics if the embedded file is invalid, which
// the package's tests rule out.
func Default() *Catalogue {
	defaultOnce.Do(func() {
		c, err := Parse(tablesJSON)
		if err != nil {
			panic(fmt.Sprintf("schema: embedded tables.json: %v", err))
		}
		defaultCat = c
	})
	return defaultCat
}

// Table returns the table named name. KQL table names are case-sensitive:
// the match is exact.
func (c *Catalogue) Table(name string) (*Table, bool) {
	t, ok := c.tables[name]
	return t, ok
}

// Tables returns every table, sorted by name.
func (c *Catalogue) Tables() []*Table {
	return slices.Clone(c.sorted)
}

// ValueSet returns the documented values of table.column, or nil when none
// are documented. Keys of the JSON's value_sets such as
// "DeviceInfo.OnboardingStatus", "*.ProcessTokenElevation" (any table with
// that column), "*.LocalIPType|RemoteIPType" and
// "AlertInfo.Severity|AlertEvidence.Severity" are all understood; a
// parenthesised qualifier ("ProductName(Microsoft security products)") is
// dropped, and paths into dynamic columns ("Labels[].labelType") are looked
// up as written.
func (c *Catalogue) ValueSet(table, column string) []string {
	if vs, ok := c.valueSets[valueSetKey{table, column}]; ok {
		return slices.Clone(vs)
	}
	t, ok := c.tables[table]
	if !ok || t.ColumnIndex(column) < 0 {
		return nil
	}
	return slices.Clone(c.valueSets[valueSetKey{"*", column}])
}

// ActionTypes returns the ActionType values documented for table followed by
// those only observed in public queries, or nil for a table without an
// ActionType list.
func (c *Catalogue) ActionTypes(table string) []string {
	return slices.Clone(c.actionTypes[table])
}

// WithTable returns a copy of the catalogue with t added, replacing a table
// of the same name. It is meant for custom tables built with CustomTable;
// t is copied, given storage names and indexed. WithTable panics if t has no
// name, two columns of the same name or a column of unknown type, which
// CustomTable rules out.
func (c *Catalogue) WithTable(t *Table) *Catalogue {
	nt := &Table{Name: t.Name, Source: t.Source, Doc: t.Doc, Columns: slices.Clone(t.Columns)}
	if err := nt.finish(); err != nil {
		panic(fmt.Sprintf("schema: WithTable: %v", err))
	}
	out := &Catalogue{
		tables:      make(map[string]*Table, len(c.tables)+1),
		valueSets:   c.valueSets,
		actionTypes: c.actionTypes,
		standard:    c.standard,
	}
	for k, v := range c.tables {
		out.tables[k] = v
	}
	out.tables[nt.Name] = nt
	out.sortTables()
	return out
}

// CustomTable builds a custom table named name (which must end in "_CL", as
// Log Analytics requires) from cols, adding the standard columns it lacks as
// the catalogue's own tables have them: TenantId and TimeGenerated first,
// Type last among the visible columns, then the hidden ones.
func (c *Catalogue) CustomTable(name string, cols []Column) (*Table, error) {
	if !strings.HasSuffix(name, "_CL") || len(name) <= 3 {
		return nil, fmt.Errorf("custom table %q: name must end in _CL", name)
	}
	if _, ok := c.tables[name]; ok && c.tables[name].Source != SourceCustom {
		return nil, fmt.Errorf("custom table %q: a built-in table has that name", name)
	}
	for _, col := range cols {
		if col.Name == "" {
			return nil, fmt.Errorf("custom table %q: a column has no name", name)
		}
		if col.Type == types.Unknown || col.Type == types.Null {
			return nil, fmt.Errorf("custom table %q: column %q has no type", name, col.Name)
		}
	}
	t := &Table{Name: name, Source: SourceCustom, Doc: "custom table"}
	t.Columns = completeColumns(cols, nil, c.standard)
	if err := t.finish(); err != nil {
		return nil, err
	}
	return t, nil
}

// finish checks the table, fills Storage and builds the name index.
func (t *Table) finish() error {
	if t.Name == "" {
		return fmt.Errorf("table without a name")
	}
	t.index = make(map[string]int, len(t.Columns))
	lower := make(map[string]int, len(t.Columns))
	for i := range t.Columns {
		col := &t.Columns[i]
		if col.Name == "" {
			return fmt.Errorf("table %s: column %d has no name", t.Name, i)
		}
		if _, dup := t.index[col.Name]; dup {
			return fmt.Errorf("table %s: duplicate column %q", t.Name, col.Name)
		}
		if col.Type == types.Unknown || col.Type == types.Null {
			return fmt.Errorf("table %s: column %q has no type", t.Name, col.Name)
		}
		t.index[col.Name] = i
		col.Storage = col.Name
		key := strings.ToLower(col.Name)
		if n := lower[key]; n > 0 {
			for n++; ; n++ {
				cand := col.Name + "#" + strconv.Itoa(n)
				if _, used := lower[strings.ToLower(cand)]; !used {
					col.Storage = cand
					break
				}
			}
			lower[key] = n
			lower[strings.ToLower(col.Storage)] = 1
			continue
		}
		lower[key] = 1
	}
	return nil
}

func (c *Catalogue) sortTables() {
	c.sorted = make([]*Table, 0, len(c.tables))
	for _, t := range c.tables {
		c.sorted = append(c.sorted, t)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].Name < c.sorted[j].Name })
}

// The JSON layout of tables.json.
type jsonFile struct {
	SchemaVersion   int                            `json:"schema_version"`
	StandardColumns []jsonColumn                   `json:"log_analytics_standard_columns"`
	Tables          []jsonTable                    `json:"tables"`
	ValueSets       map[string][]string            `json:"value_sets"`
	ActionTypes     map[string]map[string][]string `json:"action_types"`
}

type jsonColumn struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Hidden bool   `json:"hidden"`
}

type jsonTable struct {
	Name          string       `json:"name"`
	Source        string       `json:"source"`
	Doc           string       `json:"doc"`
	Columns       []jsonColumn `json:"columns"`
	HiddenColumns []jsonColumn `json:"hidden_columns"`
	Sentinel      *struct {
		Columns       []jsonColumn `json:"columns"`
		HiddenColumns []jsonColumn `json:"hidden_columns"`
	} `json:"sentinel"`
}

// Parse builds a catalogue from the contents of a tables.json file. Most
// callers want Default.
func Parse(data []byte) (*Catalogue, error) {
	var f jsonFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse catalogue: %w", err)
	}
	c := &Catalogue{
		tables:      make(map[string]*Table, len(f.Tables)),
		valueSets:   make(map[valueSetKey][]string),
		actionTypes: make(map[string][]string),
	}
	std, err := convertColumns("log_analytics_standard_columns", f.StandardColumns, false)
	if err != nil {
		return nil, err
	}
	for i := range std {
		std[i].Hidden = f.StandardColumns[i].Hidden
	}
	c.standard = std
	for _, jt := range f.Tables {
		if jt.Source != SourceDefender && jt.Source != SourceSentinel {
			return nil, fmt.Errorf("table %s: unknown source %q", jt.Name, jt.Source)
		}
		visibleJSON, hiddenJSON := jt.Columns, jt.HiddenColumns
		if jt.Sentinel != nil && len(jt.Sentinel.Columns) > 0 {
			visibleJSON, hiddenJSON = jt.Sentinel.Columns, jt.Sentinel.HiddenColumns
		}
		visible, err := convertColumns(jt.Name, visibleJSON, false)
		if err != nil {
			return nil, err
		}
		hidden, err := convertColumns(jt.Name, hiddenJSON, true)
		if err != nil {
			return nil, err
		}
		t := &Table{Name: jt.Name, Source: jt.Source, Doc: jt.Doc}
		t.Columns = completeColumns(visible, hidden, c.standard)
		if err := t.finish(); err != nil {
			return nil, err
		}
		if _, dup := c.tables[t.Name]; dup {
			return nil, fmt.Errorf("duplicate table %s", t.Name)
		}
		c.tables[t.Name] = t
	}
	c.sortTables()
	for key, values := range f.ValueSets {
		table := ""
		for _, alt := range strings.Split(key, "|") {
			column := alt
			if tbl, col, ok := strings.Cut(alt, "."); ok {
				table, column = tbl, col
			}
			if table == "" {
				return nil, fmt.Errorf("value set %q: no table for %q", key, alt)
			}
			if i := strings.IndexByte(column, '('); i > 0 {
				column = column[:i]
			}
			c.valueSets[valueSetKey{table, column}] = slices.Clone(values)
		}
	}
	for _, kind := range []string{"documented", "observed_only_in_public_queries"} {
		for table, values := range f.ActionTypes[kind] {
			for _, v := range values {
				if !slices.Contains(c.actionTypes[table], v) {
					c.actionTypes[table] = append(c.actionTypes[table], v)
				}
			}
		}
	}
	return c, nil
}

func convertColumns(table string, in []jsonColumn, hidden bool) ([]Column, error) {
	out := make([]Column, len(in))
	for i, jc := range in {
		typ, ok := types.Parse(jc.Type)
		if !ok || typ == types.Null {
			return nil, fmt.Errorf("table %s: column %s: unknown type %q", table, jc.Name, jc.Type)
		}
		out[i] = Column{Name: jc.Name, Type: typ, Hidden: hidden || jc.Hidden}
	}
	return out, nil
}

// completeColumns returns visible followed by hidden, with the standard
// columns that neither holds (compared case-insensitively) added: TenantId
// and TimeGenerated first, Type last among the visible columns, the others
// as hidden columns at the end.
func completeColumns(visible, hidden, standard []Column) []Column {
	has := make(map[string]bool, len(visible)+len(hidden))
	for _, c := range visible {
		has[strings.ToLower(c.Name)] = true
	}
	for _, c := range hidden {
		has[strings.ToLower(c.Name)] = true
	}
	std := func(name string) (Column, bool) {
		for _, c := range standard {
			if c.Name == name {
				return c, true
			}
		}
		return Column{}, false
	}
	var front []Column
	for _, name := range []string{"TenantId", "TimeGenerated"} {
		if c, ok := std(name); ok && !has[strings.ToLower(name)] {
			c.Hidden = false
			front = append(front, c)
			has[strings.ToLower(name)] = true
		}
	}
	out := make([]Column, 0, len(front)+len(visible)+len(hidden)+len(standard))
	out = append(out, front...)
	out = append(out, visible...)
	if c, ok := std("Type"); ok && !has["type"] {
		c.Hidden = false
		out = append(out, c)
		has["type"] = true
	}
	out = append(out, hidden...)
	for _, c := range standard {
		if has[strings.ToLower(c.Name)] {
			continue
		}
		c.Hidden = true
		out = append(out, c)
		has[strings.ToLower(c.Name)] = true
	}
	return out
}
