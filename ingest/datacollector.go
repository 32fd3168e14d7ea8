package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

// The HTTP Data Collector API (Log Analytics' older ingestion API, api
// version 2016-04-01) sends records of any shape; each field becomes a
// column of <Log-Type>_CL named after the field with a suffix telling its
// type. DecodeCollector assigns every field of a body to such a column,
// reusing the table's columns where a value converts to them and naming
// the columns the table lacks, so that the caller can create them once
// before storing anything.

// Limits of the Data Collector API, as Azure documents them.
const (
	// CollectorMaxBody bounds a post (30 MB).
	CollectorMaxBody = 30 << 20
	// CollectorMaxValue bounds a string value; longer ones are truncated
	// (32 KB).
	CollectorMaxValue = 32 << 10
	// CollectorMaxColumns bounds the columns of a table (500).
	CollectorMaxColumns = 500
	// CollectorMaxName bounds a column name, suffix included (45).
	CollectorMaxName = 45
	// CollectorMaxLogType bounds the Log-Type header (100).
	CollectorMaxLogType = 100
)

// The window around the receive time inside which a record's own time may
// become TimeGenerated; outside it Azure uses the receive time.
const (
	collectorMaxAge    = 48 * time.Hour
	collectorMaxFuture = 24 * time.Hour
)

// collectorTypes are the column types the Data Collector API creates with
// their name suffixes, in the order a string value tries existing columns
// of another type: as a string first, which loses nothing.
var collectorTypes = []struct {
	suffix string
	typ    types.Type
}{
	{"_s", types.String},
	{"_t", types.DateTime},
	{"_g", types.GUID},
	{"_d", types.Real},
	{"_b", types.Bool},
}

func collectorSuffix(t types.Type) string {
	for _, c := range collectorTypes {
		if c.typ == t {
			return c.suffix
		}
	}
	return ""
}

// collectorReserved are the field names Azure refuses in a record.
var collectorReserved = map[string]bool{"tenant": true, "timegenerated": true, "rawdata": true}

// ValidLogType reports whether s may name a Data Collector record type:
// 1 to 100 letters, digits and underscores.
func ValidLogType(s string) bool {
	if s == "" || len(s) > CollectorMaxLogType {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !nameByte(s[i]) {
			return false
		}
	}
	return true
}

func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// CollectorTable returns the table a Log-Type writes to: the name with
// _CL appended, as Azure does (even when it already ends in _CL).
func CollectorTable(logType string) string { return logType + "_CL" }

// CollectorOptions are the request headers that shape the records.
type CollectorOptions struct {
	// TimeField names the record field holding the record's time (the
	// time-generated-field header), or is empty.
	TimeField string
	// ResourceID fills _ResourceId (the x-ms-AzureResourceId header).
	ResourceID string
	// ReceivedAt is the receive time. A record time more than two days
	// before it or a day after it is ignored, as Azure does.
	ReceivedAt time.Time
}

// CollectorBatch is a decoded Data Collector API body: every field of
// every record assigned to a column of the target table.
type CollectorBatch struct {
	// NewColumns are the columns the records need that the table lacks,
	// in order of first use.
	NewColumns []schema.Column

	types      map[string]types.Type // the columns the records fill
	records    [][]collectorValue
	times      []time.Time // zero: the receive time
	resourceID string
}

type collectorValue struct {
	col string
	val any
}

// Len returns the number of records.
func (b *CollectorBatch) Len() int { return len(b.records) }

// DecodeCollector parses a Data Collector API body, a JSON object or an
// array of objects, for table, which is nil when it does not exist yet.
//
// A field's column is chosen as Azure does: the column of the value's own
// type (string _s, number _d, boolean _b, an ISO 8601 date-time string
// _t, a GUID string _g) when the table has it; otherwise an existing
// column of the field the value converts to (a string such as "12" or
// "true" to _d or _b, any string to _s); otherwise a new column of the
// value's own type. A null field is left out. Nested objects are
// flattened, their field names joined with underscores; arrays are kept
// as JSON text in a string column. Field names keep letters, digits and
// underscores, the only characters Azure allows; any other character
// becomes an underscore. String values are truncated to 32 KB.
//
// Any bad record fails the whole body with a *DataError naming the record
// and the field.
func DecodeCollector(body []byte, table *schema.Table, opts CollectorOptions) (*CollectorBatch, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(body)
	if err != nil {
		return nil, syntaxError(body)
	}
	var recs []*fastjson.Value
	switch v.Type() {
	case fastjson.TypeArray:
		recs, _ = v.Array()
	case fastjson.TypeObject:
		recs = []*fastjson.Value{v}
	default:
		return nil, &DataError{Record: -1, Msg: fmt.Sprintf("the body must be a JSON object or an array of objects, not %s", kindOf(v))}
	}
	pl := &collectorPlanner{
		table: table,
		batch: &CollectorBatch{
			types:      map[string]types.Type{},
			records:    make([][]collectorValue, len(recs)),
			times:      make([]time.Time, len(recs)),
			resourceID: opts.ResourceID,
		},
		known: map[string]types.Type{},
		opts:  opts,
	}
	for i, rec := range recs {
		if err := pl.record(i, rec); err != nil {
			return nil, err
		}
	}
	if table != nil {
		n := len(table.Visible()) + len(pl.batch.NewColumns)
		if n > CollectorMaxColumns {
			return nil, &DataError{Record: -1, Msg: fmt.Sprintf("the records would give table %s %d columns; a table holds at most %d", table.Name, n, CollectorMaxColumns)}
		}
	} else if n := len(pl.batch.NewColumns) + 3; n > CollectorMaxColumns { // TenantId, TimeGenerated, Type
		return nil, &DataError{Record: -1, Msg: fmt.Sprintf("the records would need %d columns; a table holds at most %d", n, CollectorMaxColumns)}
	}
	return pl.batch, nil
}

type collectorPlanner struct {
	table *schema.Table
	batch *CollectorBatch
	opts  CollectorOptions
	// known holds the type of every column looked up or planned.
	known map[string]types.Type
	// used maps the columns the current record has filled to the field
	// that filled them.
	used map[string]string
}

func (pl *collectorPlanner) record(i int, rec *fastjson.Value) error {
	obj, err := rec.Object()
	if err != nil {
		return &DataError{Record: i, Msg: fmt.Sprintf("expected a JSON object, found %s", kindOf(rec))}
	}
	pl.used = map[string]string{}
	var ferr error
	obj.Visit(func(key []byte, fv *fastjson.Value) {
		if ferr != nil {
			return
		}
		k := string(key)
		if collectorReserved[strings.ToLower(k)] {
			ferr = &DataError{Record: i, Column: k, Msg: "the field name is reserved (tenant, TimeGenerated and RawData may not be sent)"}
			return
		}
		if pl.opts.TimeField != "" && k == pl.opts.TimeField {
			pl.recordTime(i, fv)
		}
		ferr = pl.field(i, k, collectorName(k), fv)
	})
	return ferr
}

// recordTime takes a record's time from the time-generated-field, when it
// is an ISO 8601 date-time inside Azure's window.
func (pl *collectorPlanner) recordTime(i int, v *fastjson.Value) {
	if v.Type() != fastjson.TypeString {
		return
	}
	t, ok := ParseTime(string(v.GetStringBytes()))
	if !ok {
		return
	}
	recv := pl.opts.ReceivedAt
	if !recv.IsZero() && (t.Before(recv.Add(-collectorMaxAge)) || t.After(recv.Add(collectorMaxFuture))) {
		return
	}
	pl.batch.times[i] = t
}

// field assigns one field (path is its name in the body, for messages;
// name its sanitized column base) and, for an object, its members.
func (pl *collectorPlanner) field(i int, path, name string, v *fastjson.Value) error {
	if name == "" {
		return &DataError{Record: i, Column: path, Msg: "a field needs a name"}
	}
	var val any
	var natural types.Type
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeObject:
		obj, _ := v.Object()
		var ferr error
		obj.Visit(func(key []byte, fv *fastjson.Value) {
			if ferr == nil {
				k := string(key)
				ferr = pl.field(i, path+"."+k, name+"_"+collectorName(k), fv)
			}
		})
		return ferr
	case fastjson.TypeArray:
		natural, val = types.String, truncateValue(string(v.MarshalTo(nil)))
	case fastjson.TypeTrue, fastjson.TypeFalse:
		natural, val = types.Bool, v.Type() == fastjson.TypeTrue
	case fastjson.TypeNumber:
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return &DataError{Record: i, Column: path, Msg: fmt.Sprintf("%s is out of range for a real", shortJSON(v))}
		}
		natural, val = types.Real, f
	case fastjson.TypeString:
		return pl.stringField(i, path, name, string(v.GetStringBytes()))
	}
	return pl.assign(i, path, name, natural, val)
}

// stringField assigns a string, which may go to a column of its own type
// (_t or _g when it looks like one), to an existing column it converts to,
// or to a string column.
func (pl *collectorPlanner) stringField(i int, path, name, s string) error {
	natural := types.String
	if _, ok := collectorTime(s); ok {
		natural = types.DateTime
	} else if _, ok := collectorGUID(s); ok {
		natural = types.GUID
	}
	if t, ok := pl.columnType(name + collectorSuffix(natural)); ok && t == natural {
		return pl.assign(i, path, name, natural, convertCollectorString(s, natural))
	}
	for _, c := range collectorTypes {
		if c.typ == natural {
			continue
		}
		if t, ok := pl.columnType(name + c.suffix); ok && t == c.typ {
			if val := convertCollectorString(s, c.typ); val != nil {
				return pl.assign(i, path, name, c.typ, val)
			}
		}
	}
	return pl.assign(i, path, name, natural, convertCollectorString(s, natural))
}

// convertCollectorString converts s for a column of type t, or returns
// nil.
func convertCollectorString(s string, t types.Type) any {
	switch t {
	case types.String:
		return truncateValue(s)
	case types.DateTime:
		if tm, ok := collectorTime(s); ok {
			return tm
		}
	case types.GUID:
		if g, ok := collectorGUID(s); ok {
			return g
		}
	case types.Real:
		if f, ok := collectorNumber(s); ok {
			return f
		}
	case types.Bool:
		switch {
		case strings.EqualFold(s, "true"):
			return true
		case strings.EqualFold(s, "false"):
			return false
		}
	}
	return nil
}

// assign puts val in the column name+suffix(t), planning it when the table
// lacks it.
func (pl *collectorPlanner) assign(i int, path, name string, t types.Type, val any) error {
	col := name + collectorSuffix(t)
	if len(col) > CollectorMaxName {
		return &DataError{Record: i, Column: path, Msg: fmt.Sprintf("column name %s is longer than %d characters", col, CollectorMaxName)}
	}
	if prev, dup := pl.used[col]; dup {
		return &DataError{Record: i, Column: path, Msg: fmt.Sprintf("fields %s and %s both go to column %s", prev, path, col)}
	}
	have, ok := pl.columnType(col)
	switch {
	case !ok:
		pl.batch.NewColumns = append(pl.batch.NewColumns, schema.Column{Name: col, Type: t})
		pl.known[col] = t
	case have != t:
		return &DataError{Record: i, Column: path, Msg: fmt.Sprintf("table column %s is %s, not %s", col, have, t)}
	}
	pl.batch.types[col] = t
	pl.used[col] = path
	pl.batch.records[i] = append(pl.batch.records[i], collectorValue{col: col, val: val})
	return nil
}

// columnType returns the type of a column the table has or the batch
// plans.
func (pl *collectorPlanner) columnType(col string) (types.Type, bool) {
	if t, ok := pl.known[col]; ok {
		return t, true
	}
	if pl.table != nil {
		if c, ok := pl.table.Column(col); ok {
			pl.known[col] = c.Type
			return c.Type, true
		}
	}
	return types.Unknown, false
}

// Rows lays the records out as rows of cols, the columns of the table's
// ingestion stream once it has the batch's new columns. It fails when the
// table lacks a column the records need or has it with another type.
func (b *CollectorBatch) Rows(cols []schema.Column) ([][]any, error) {
	idx := make(map[string]int, len(cols))
	for i, c := range cols {
		idx[c.Name] = i
	}
	pos := make(map[string]int, len(b.types))
	for name, t := range b.types {
		i, ok := idx[name]
		if !ok {
			return nil, fmt.Errorf("data collector: the table lacks column %s", name)
		}
		if cols[i].Type != t {
			return nil, fmt.Errorf("data collector: table column %s is %s, not %s", name, cols[i].Type, t)
		}
		pos[name] = i
	}
	tg, hasTG := idx["TimeGenerated"]
	rid, hasRID := idx["_ResourceId"]
	rows := make([][]any, len(b.records))
	vals := make([]any, len(b.records)*len(cols))
	for r, rec := range b.records {
		row := vals[r*len(cols) : (r+1)*len(cols) : (r+1)*len(cols)]
		for _, v := range rec {
			row[pos[v.col]] = v.val
		}
		if hasTG && !b.times[r].IsZero() {
			row[tg] = b.times[r]
		}
		if hasRID && b.resourceID != "" {
			row[rid] = b.resourceID
		}
		rows[r] = row
	}
	return rows, nil
}

// collectorName keeps the characters Azure allows in a field name and
// turns any other into an underscore.
func collectorName(k string) string {
	for i := 0; i < len(k); i++ {
		if !nameByte(k[i]) {
			return sanitizeName(k)
		}
	}
	return k
}

func sanitizeName(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for _, r := range k {
		if r < utf8.RuneSelf && nameByte(byte(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// truncateValue cuts s to CollectorMaxValue bytes without splitting a
// character.
func truncateValue(s string) string {
	if len(s) <= CollectorMaxValue {
		return s
	}
	n := CollectorMaxValue
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// collectorTime reads a string as an ISO 8601 date-time: a date, "T" and
// a time of day at least to the minute, with an optional zone (UTC when
// absent). A bare date stays a string.
func collectorTime(s string) (time.Time, bool) {
	if len(s) < 16 || len(s) > 40 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' {
		return time.Time{}, false
	}
	return ParseTime(s)
}

// collectorGUID reads a string as a GUID, with or without dashes or
// braces, and returns it in the canonical lower-case dashed form.
func collectorGUID(s string) (string, bool) {
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	var hex [32]byte
	n := 0
	switch len(s) {
	case 36:
		for i := 0; i < 36; i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return "", false
				}
				continue
			}
			hex[n] = s[i]
			n++
		}
	case 32:
		copy(hex[:], s)
	default:
		return "", false
	}
	for i := range hex {
		c := hex[i]
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			hex[i] = c + 'a' - 'A'
		default:
			return "", false
		}
	}
	h := string(hex[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// collectorNumber reads a string written as a JSON number.
func collectorNumber(s string) (float64, bool) {
	if s == "" || len(s) > 64 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
		default:
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
