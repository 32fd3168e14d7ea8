package conformance

import (
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/result"
)

// table builds a result table from alternating column names and types.
func table(cols []result.Column, rows ...[]any) *result.Table {
	return &result.Table{Name: result.PrimaryResult, Columns: cols, Rows: rows}
}

func cols(spec ...any) []result.Column {
	var out []result.Column
	for i := 0; i < len(spec); i += 2 {
		out = append(out, result.Column{Name: spec[i].(string), Type: spec[i+1].(types.Type)})
	}
	return out
}

func TestCompare(t *testing.T) {
	fruit := Case{
		ID:      "fruit#1",
		Columns: []string{"Fruit", "Count"},
		Rows:    [][]string{{"Apple", "1"}, {"Apple", "1"}, {"Pear", "2"}},
	}
	fruitCols := cols("Fruit", types.String, "Count", types.Long)
	ordered := fruit
	ordered.Ordered = true

	tol := Case{
		ID:      "tolerance#1",
		Columns: []string{"x"},
		Rows:    [][]string{{"0.33"}, {"0.333"}},
	}
	madeUp := Case{
		ID:      "print#1",
		Columns: []string{"result"},
		Rows:    [][]string{{"5"}},
		Notes:   "code spans unwrapped in cells; column name(s) not in the query text (engine-made name or doc error): result",
	}

	tests := []struct {
		name string
		c    Case
		got  *result.Table
		want string // "" for a match, else a substring of the error
	}{
		{"unordered same order", fruit, table(fruitCols, []any{"Apple", int64(1)}, []any{"Apple", int64(1)}, []any{"Pear", int64(2)}), ""},
		{"unordered shuffled", fruit, table(fruitCols, []any{"Pear", int64(2)}, []any{"Apple", int64(1)}, []any{"Apple", int64(1)}), ""},
		{"unordered duplicate count differs", fruit, table(fruitCols, []any{"Apple", int64(1)}, []any{"Pear", int64(2)}, []any{"Pear", int64(2)}),
			`row 1 ["Apple" "1"] (unordered): the actual rows it matches, [0], are matched to other expected rows (it occurs more often on the page than in the result); closest unmatched is actual row 2, column "Fruit" (string): want "Apple", got "Pear"`},
		{"unordered value differs", fruit, table(fruitCols, []any{"Apple", int64(1)}, []any{"Apple", int64(1)}, []any{"Pear", int64(3)}),
			`row 2 ["Pear" "2"] (unordered): no actual row matches; closest unmatched is actual row 2, column "Count" (long): want "2", got "3"`},
		{"ordered match", ordered, table(fruitCols, []any{"Apple", int64(1)}, []any{"Apple", int64(1)}, []any{"Pear", int64(2)}), ""},
		{"ordered wrong order", ordered, table(fruitCols, []any{"Pear", int64(2)}, []any{"Apple", int64(1)}, []any{"Apple", int64(1)}),
			`row 0 (ordered): column "Fruit" (string): want "Apple", got "Pear"`},
		{"row count", fruit, table(fruitCols, []any{"Apple", int64(1)}), "row count: got 1, want 3"},
		{"column count", fruit, table(cols("Fruit", types.String)), `columns: got 1 ["Fruit"], want 2 ["Fruit" "Count"]`},
		{"column name", fruit, table(cols("Fruit", types.String, "count_", types.Long)), `column 1: got name "count_", want "Count"`},
		{"nil table", fruit, nil, "no result table"},
		{"short actual row", fruit, table(fruitCols, []any{"Apple"}, []any{"Apple", int64(1)}, []any{"Pear", int64(2)}), "actual row 0 has 1 values for 2 columns"},
		{"needs augmenting path", tol, table(cols("x", types.Real), []any{0.333}, []any{0.330}), ""},
		{"made-up name by position", madeUp, table(cols("print_0", types.Long), []any{int64(5)}), ""},
		{"made-up name still compares values", madeUp, table(cols("print_0", types.Long), []any{int64(6)}), `want "5", got "6"`},
		{"null got in message", fruit, table(fruitCols, []any{"Apple", nil}, []any{"Apple", int64(1)}, []any{"Pear", int64(2)}), `closest unmatched is actual row 0, column "Count" (long): want "1", got null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Compare(tt.c, tt.got)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Compare = %v, want a match", err)
			case tt.want != "" && err == nil:
				t.Errorf("Compare = nil, want an error containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Compare = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if pos, err := compare(madeUp, table(cols("print_0", types.Long), []any{int64(5)})); err != nil || !pos {
		t.Errorf("compare(made-up) = %v, %v, want positional match", pos, err)
	}
	if pos, err := compare(madeUp, table(cols("result", types.Long), []any{int64(5)})); err != nil || pos {
		t.Errorf("compare(real name) = %v, %v, want a non-positional match", pos, err)
	}
}

func TestMadeUpColumns(t *testing.T) {
	tests := []struct {
		notes string
		want  []string
	}{
		{"", nil},
		{"code spans unwrapped in cells", nil},
		{"column name(s) not in the query text (engine-made name or doc error): dcount", []string{"dcount"}},
		{"a; column name(s) not in the query text (engine-made name or doc error): key1, value1; b", []string{"key1", "value1"}},
	}
	for _, tt := range tests {
		got := Case{Notes: tt.notes}.MadeUpColumns()
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("MadeUpColumns(%q) = %q, want %q", tt.notes, got, tt.want)
		}
	}
}

// loadShared loads the shared cases, indexed by id.
func loadShared(t *testing.T) ([]Case, map[string]Case) {
	t.Helper()
	cases, err := Load(filepath.Join(testenv.SharedDir(t), "kql-conformance", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]Case, len(cases))
	for _, c := range cases {
		byID[c.ID] = c
	}
	return cases, byID
}

// TestCompareDocumentedCases fabricates results for real cases as the
// engine should produce them and checks that they match, and that a small
// change does not.
func TestCompareDocumentedCases(t *testing.T) {
	_, byID := loadShared(t)
	day := func(d int) time.Time { return time.Date(2017, 8, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		id   string
		good *result.Table
		bad  *result.Table
		want string // substring of the error for bad
	}{
		{
			// Datetimes written 2017-08-01 00:00:00.0000000, rows in another order.
			id: "activity-counts-metrics-plugin.md#1",
			good: table(cols("Timestamp", types.DateTime, "count", types.Long, "dcount", types.Long, "new_dcount", types.Long, "aggregated_dcount", types.Long),
				[]any{day(4), int64(1), int64(1), int64(0), int64(8)},
				[]any{day(1), int64(4), int64(4), int64(4), int64(4)},
				[]any{day(3), int64(6), int64(5), int64(2), int64(8)},
				[]any{day(2), int64(3), int64(3), int64(2), int64(6)},
			),
			bad: table(cols("Timestamp", types.DateTime, "count", types.Long, "dcount", types.Long, "new_dcount", types.Long, "aggregated_dcount", types.Long),
				[]any{day(1), int64(4), int64(4), int64(4), int64(4)},
				[]any{day(2), int64(3), int64(3), int64(2), int64(6)},
				[]any{day(3), int64(6), int64(5), int64(2), int64(8)},
				[]any{day(4).Add(100 * time.Nanosecond), int64(1), int64(1), int64(0), int64(8)},
			),
			want: `column "Timestamp" (datetime): want "2017-08-04 00:00:00.0000000", got "2017-08-04T00:00:00.0000001Z"`,
		},
		{
			// Numbers with thousands separators.
			id:   "range-function.md#5",
			good: table(cols("Count", types.Long), []any{int64(1048576)}),
			bad:  table(cols("Count", types.Long), []any{int64(1048575)}),
			want: `want "1,048,576", got "1048575"`,
		},
		{
			// Pretty-printed objects compared regardless of layout and key order.
			id: "bag-remove-keys-function.md#1",
			good: table(cols("input", types.Dynamic, "result", types.Dynamic),
				[]any{json.RawMessage(`{"key2":"abc","key1":123}`), json.RawMessage(`{"key1":123}`)},
				[]any{json.RawMessage(`{"key3":42.0,"key1":"value"}`), json.RawMessage(`{"key3":42,"key1":"value"}`)},
			),
			bad: table(cols("input", types.Dynamic, "result", types.Dynamic),
				[]any{json.RawMessage(`{"key2":"abc","key1":123}`), json.RawMessage(`{"key1":123,"key2":"abc"}`)},
				[]any{json.RawMessage(`{"key3":42.0,"key1":"value"}`), json.RawMessage(`{"key3":42,"key1":"value"}`)},
			),
			want: `unexpected keys ["key2"]`,
		},
		{
			// The page rounds series to 3 decimals.
			id: "series-fill-linear-function.md#1",
			good: table(cols("arr", types.Dynamic, "without_args", types.Dynamic, "with_edges", types.Dynamic, "wo_edges", types.Dynamic, "with_const", types.Dynamic),
				[]any{
					json.RawMessage(`[null,111.0,null,36.0,41.0,null,null,16.0,61.0,33.0,null,null]`),
					json.RawMessage(`[111,111,73.5,36,41,32.666666666666664,24.333333333333332,16,61,33,33,33]`),
					json.RawMessage(`[111,111,73.5,36,41,32.666666666666664,24.333333333333332,16,61,33,33,33]`),
					json.RawMessage(`[null,111,73.5,36,41,32.666666666666664,24.333333333333332,16,61,33,null,null]`),
					json.RawMessage(`[111,111,73.5,36,41,32.666666666666664,24.333333333333332,16,61,33,33,33]`),
				},
				[]any{
					json.RawMessage(`[null,111,null,36,41,null,null,16,61,33,null,null]`),
					json.RawMessage(`[111,111,73,36,41,32,24,16,61,33,33,33]`),
					json.RawMessage(`[111,111,73,36,41,32,24,16,61,33,33,33]`),
					json.RawMessage(`[null,111,73,36,41,32,24,16,61,33,null,null]`),
					json.RawMessage(`[111,111,74,38,41,32,24,16,61,33,33,33]`),
				},
				[]any{
					json.RawMessage(`[null,null,null,null]`),
					json.RawMessage(`[0.0,0.0,0.0,0.0]`),
					json.RawMessage(`[0.0,0.0,0.0,0.0]`),
					json.RawMessage(`[0.0,0.0,0.0,0.0]`),
					json.RawMessage(`[3.14159,3.14159,3.14159,3.14159]`),
				},
			),
		},
		{
			// (null) cells and a made-up column name.
			id:   "max-of-function.md#2",
			good: table(cols("print_0", types.Int), []any{int32(6)}, []any{int32(8)}, []any{int32(2)}, []any{int32(1)}, []any{nil}),
			bad:  table(cols("print_0", types.Int), []any{int32(6)}, []any{int32(8)}, []any{int32(2)}, []any{int32(1)}, []any{int32(0)}),
			want: `row 4 ["(null)"] (unordered): no actual row matches; closest unmatched is actual row 4, column "print_0" (int): want "(null)", got "0"`,
		},
		{
			// A negative timespan.
			id:   "bin-at-function.md#2",
			good: table(cols("print_0", types.TimeSpan), []any{-12 * time.Hour}),
			bad:  table(cols("print_0", types.TimeSpan), []any{12 * time.Hour}),
			want: `want "-12:00:00", got "12:00:00"`,
		},
		{
			// Integers beyond long, shown with separators.
			id: "parse-version-function.md#1",
			good: table(cols("v", types.String, "parsedVersion", types.Decimal),
				[]any{"0.0.0.5", "5"}, []any{"0.0.7.0", "700000000"}, []any{"0.0.3", "300000000"},
				[]any{"0.2", "20000000000000000"}, []any{"0.1.2.0", "10000000200000000"},
				[]any{"1.2.3.4", "1000000020000000300000004"}, []any{"1", "1000000000000000000000000"}),
			bad: table(cols("v", types.String, "parsedVersion", types.Decimal),
				[]any{"0.0.0.5", "5"}, []any{"0.0.7.0", "700000000"}, []any{"0.0.3", "300000000"},
				[]any{"0.2", "20000000000000000"}, []any{"0.1.2.0", "10000000200000000"},
				[]any{"1.2.3.4", "1000000020000000300000000"}, []any{"1", "1000000000000000000000000"}),
			want: `row 5 ["1.2.3.4" "1,000,000,020,000,000,300,000,004"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c, ok := byID[tt.id]
			if !ok {
				t.Skipf("case %s is no longer in the cases", tt.id)
			}
			if err := Compare(c, tt.good); err != nil {
				t.Errorf("Compare(good) = %v, want a match", err)
			}
			if tt.bad == nil {
				return
			}
			err := Compare(c, tt.bad)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compare(bad) = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestCompareOwnRows builds, for every documented case, a result from the
// page's own cells with column types inferred from them, and checks that
// it matches, also with the rows reversed when the order is free. It
// exercises the parsers on every cell of the suite.
func TestCompareOwnRows(t *testing.T) {
	cases, _ := loadShared(t)
	for _, c := range cases {
		got := ownResult(c)
		if err := Compare(c, got); err != nil {
			t.Errorf("%s: Compare(own rows as %v) = %v", c.ID, columnTypes(got), err)
			continue
		}
		if !c.Ordered && len(got.Rows) > 1 {
			rev := *got
			rev.Rows = make([][]any, len(got.Rows))
			for i, r := range got.Rows {
				rev.Rows[len(got.Rows)-1-i] = r
			}
			if err := Compare(c, &rev); err != nil {
				t.Errorf("%s: Compare(own rows reversed) = %v", c.ID, err)
			}
		}
	}
}

func columnTypes(t *result.Table) []string {
	var out []string
	for _, c := range t.Columns {
		out = append(out, c.Type.String())
	}
	return out
}

var integerText = regexp.MustCompile(`^-?\d{1,3}(,\d{3})*$|^-?\d+$`)

// ownResult converts a case's cells to a typed table, choosing for each
// column the narrowest type that reads all its non-null cells.
func ownResult(c Case) *result.Table {
	t := &result.Table{Name: result.PrimaryResult, Rows: make([][]any, len(c.Rows))}
	for i := range c.Rows {
		t.Rows[i] = make([]any, len(c.Columns))
	}
	for col, name := range c.Columns {
		var cells []string
		for _, r := range c.Rows {
			cells = append(cells, r[col])
		}
		typ, conv := inferType(cells)
		t.Columns = append(t.Columns, result.Column{Name: name, Type: typ})
		for i, cell := range cells {
			t.Rows[i][col] = conv(cell)
		}
	}
	return t
}

func isNullText(s string) bool { return s == "" || s == "null" || s == "(null)" }

func inferType(cells []string) (types.Type, func(string) any) {
	all := func(ok func(string) bool) bool {
		any := false
		for _, s := range cells {
			if isNullText(s) {
				continue
			}
			if !ok(s) {
				return false
			}
			any = true
		}
		return any
	}
	nullOr := func(f func(string) any) func(string) any {
		return func(s string) any {
			if isNullText(s) {
				return nil
			}
			return f(s)
		}
	}
	switch {
	case all(func(s string) bool { l := strings.ToLower(s); return l == "true" || l == "false" }):
		return types.Bool, nullOr(func(s string) any { return strings.EqualFold(s, "true") })
	case all(func(s string) bool {
		if !integerText.MatchString(s) {
			return false
		}
		_, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		return err == nil
	}):
		return types.Long, nullOr(func(s string) any {
			n, _ := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
			return n
		})
	case all(func(s string) bool {
		n, ok := parseNumber(s)
		return ok && !n.isSpecial() && integerText.MatchString(s)
	}):
		return types.Decimal, nullOr(func(s string) any { return strings.ReplaceAll(s, ",", "") })
	case all(func(s string) bool { _, ok := parseNumber(s); return ok }):
		return types.Real, nullOr(func(s string) any {
			n, _ := parseNumber(s)
			if n.isSpecial() {
				return n.special
			}
			f, _ := n.value.Float64()
			return f
		})
	case all(func(s string) bool { _, ok := parseDateTime(s); return ok }):
		return types.DateTime, nullOr(func(s string) any { tm, _ := parseDateTime(s); return tm })
	case all(func(s string) bool { _, err := result.ParseTimespan(s); return err == nil }):
		return types.TimeSpan, nullOr(func(s string) any { d, _ := result.ParseTimespan(s); return d })
	case all(func(s string) bool {
		_, err := decodeJSON([]byte(s))
		return err == nil && (strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{"))
	}):
		return types.Dynamic, nullOr(func(s string) any { return json.RawMessage(s) })
	}
	return types.String, func(s string) any { return s }
}

func TestInferTypeHelpers(t *testing.T) {
	// The test helper itself must read what it claims.
	typ, conv := inferType([]string{"NaN", "1.5", ""})
	if typ != types.Real || !math.IsNaN(conv("NaN").(float64)) || conv("") != nil {
		t.Errorf("inferType(reals) = %s", typ)
	}
}
