package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

var collectorRecv = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// collectorTable builds an existing custom table with cols.
func collectorTable(t *testing.T, cols ...schema.Column) *schema.Table {
	t.Helper()
	tbl, err := schema.Default().CustomTable("MyLog_CL", cols)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// collectorRows decodes body for table and lays the records out on the
// table's columns plus the new ones, returned by name.
func collectorRows(t *testing.T, body string, table *schema.Table, opts CollectorOptions) (*CollectorBatch, []map[string]any) {
	t.Helper()
	b, err := DecodeCollector([]byte(body), table, opts)
	if err != nil {
		t.Fatalf("DecodeCollector(%s) = %v", body, err)
	}
	var cols []schema.Column
	if table != nil {
		for _, c := range table.Columns {
			if !c.Hidden {
				cols = append(cols, c)
			}
		}
	} else {
		cols = []schema.Column{{Name: "TimeGenerated", Type: types.DateTime}}
	}
	cols = append(cols, b.NewColumns...)
	rows, err := b.Rows(cols)
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	var out []map[string]any
	for _, r := range rows {
		m := map[string]any{}
		for i, v := range r {
			if v != nil {
				m[cols[i].Name] = v
			}
		}
		out = append(out, m)
	}
	return b, out
}

func TestDecodeCollectorNewTable(t *testing.T) {
	body := `[{"Name":"web01","Count":42,"Ok":true,"When":"2019-09-12T20:00:00.625Z",
		"Id":"9909ED01-A74C-4874-8ABF-D2678E3AE23D","Plain":"8145d82213a744ad859c36f31a84f6dd",
		"Host":{"Os":{"Name":"linux","Build":5}},"Tags":["a",1,{"b":null}],"Gone":null,
		"Day":"2019-09-12","x-forwarded-for":"10.0.0.1","Empty":{}}]`
	b, rows := collectorRows(t, body, nil, CollectorOptions{})
	wantCols := []schema.Column{
		{Name: "Name_s", Type: types.String},
		{Name: "Count_d", Type: types.Real},
		{Name: "Ok_b", Type: types.Bool},
		{Name: "When_t", Type: types.DateTime},
		{Name: "Id_g", Type: types.GUID},
		{Name: "Plain_g", Type: types.GUID},
		{Name: "Host_Os_Name_s", Type: types.String},
		{Name: "Host_Os_Build_d", Type: types.Real},
		{Name: "Tags_s", Type: types.String},
		{Name: "Day_s", Type: types.String}, // a bare date is not a date-time
		{Name: "x_forwarded_for_s", Type: types.String},
	}
	if !reflect.DeepEqual(wantCols, b.NewColumns) {
		t.Errorf("NewColumns = %v, want %v", b.NewColumns, wantCols)
	}
	want := []map[string]any{{
		"Name_s": "web01", "Count_d": 42.0, "Ok_b": true,
		"When_t":            time.Date(2019, 9, 12, 20, 0, 0, 625e6, time.UTC),
		"Id_g":              "9909ed01-a74c-4874-8abf-d2678e3ae23d",
		"Plain_g":           "8145d822-13a7-44ad-859c-36f31a84f6dd",
		"Host_Os_Name_s":    "linux",
		"Host_Os_Build_d":   5.0,
		"Tags_s":            `["a",1,{"b":null}]`,
		"Day_s":             "2019-09-12",
		"x_forwarded_for_s": "10.0.0.1",
	}}
	if !reflect.DeepEqual(want, rows) {
		t.Errorf("rows = %v, want %v", rows, want)
	}
}

// TestDecodeCollectorExistingTable follows the example of Azure's
// documentation: values convert to a field's existing column where they
// can, and get a new column of their own type where they cannot.
func TestDecodeCollectorExistingTable(t *testing.T) {
	tbl := collectorTable(t,
		schema.Column{Name: "number_d", Type: types.Real},
		schema.Column{Name: "boolean_b", Type: types.Bool},
		schema.Column{Name: "string_s", Type: types.String},
		schema.Column{Name: "id_s", Type: types.String},
		schema.Column{Name: "at_s", Type: types.String},
	)
	for _, tc := range []struct {
		name     string
		body     string
		wantCols []schema.Column
		want     map[string]any
	}{
		{"same types", `{"number":1.5,"boolean":false,"string":"x"}`, nil,
			map[string]any{"number_d": 1.5, "boolean_b": false, "string_s": "x"}},
		{"strings convert", `{"number":"1","boolean":"TRUE","string":"x"}`, nil,
			map[string]any{"number_d": 1.0, "boolean_b": true, "string_s": "x"}},
		{"no conversion", `{"number":1,"boolean":2,"string":3}`,
			[]schema.Column{{Name: "boolean_d", Type: types.Real}, {Name: "string_d", Type: types.Real}},
			map[string]any{"number_d": 1.0, "boolean_d": 2.0, "string_d": 3.0}},
		{"unconvertible string", `{"number":"one","boolean":"yes"}`,
			[]schema.Column{{Name: "number_s", Type: types.String}, {Name: "boolean_s", Type: types.String}},
			map[string]any{"number_s": "one", "boolean_s": "yes"}},
		{"guid and time go to existing string columns", `{"id":"9909ed01-a74c-4874-8abf-d2678e3ae23d","at":"2026-11-27T10:00:00Z"}`, nil,
			map[string]any{"id_s": "9909ed01-a74c-4874-8abf-d2678e3ae23d", "at_s": "2026-11-27T10:00:00Z"}},
		{"no number syntax tricks", `{"number":"0x10","boolean":"NaN"}`,
			[]schema.Column{{Name: "number_s", Type: types.String}, {Name: "boolean_s", Type: types.String}},
			map[string]any{"number_s": "0x10", "boolean_s": "NaN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, rows := collectorRows(t, tc.body, tbl, CollectorOptions{})
			if !reflect.DeepEqual(tc.wantCols, b.NewColumns) {
				t.Errorf("NewColumns = %v, want %v", b.NewColumns, tc.wantCols)
			}
			if !reflect.DeepEqual([]map[string]any{tc.want}, rows) {
				t.Errorf("rows = %v, want %v", rows, []map[string]any{tc.want})
			}
		})
	}
}

// TestDecodeCollectorWithinBody checks that a column planned by one record
// serves the next, as if the records had come one by one.
func TestDecodeCollectorWithinBody(t *testing.T) {
	b, rows := collectorRows(t, `[{"v":"a"},{"v":"2"},{"v":2},{"v":"b"}]`, nil, CollectorOptions{})
	wantCols := []schema.Column{{Name: "v_s", Type: types.String}, {Name: "v_d", Type: types.Real}}
	if !reflect.DeepEqual(wantCols, b.NewColumns) {
		t.Errorf("NewColumns = %v, want %v", b.NewColumns, wantCols)
	}
	want := []map[string]any{{"v_s": "a"}, {"v_s": "2"}, {"v_d": 2.0}, {"v_s": "b"}}
	if !reflect.DeepEqual(want, rows) {
		t.Errorf("rows = %v, want %v", rows, want)
	}
}

func TestDecodeCollectorTimeGenerated(t *testing.T) {
	opts := CollectorOptions{TimeField: "ts", ResourceID: "/subscriptions/s/resourceGroups/g", ReceivedAt: collectorRecv}
	body := `[{"ts":"2026-11-27T11:00:00Z"},{"ts":"2026-11-24T11:00:00Z"},{"ts":"2026-11-28T13:00:00Z"},
		{"ts":"yesterday"},{"other":1},{"ts":5}]`
	tbl := collectorTable(t)
	_, rows := collectorRows(t, body, tbl, opts)
	tg := []time.Time{time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC), {}, {}, {}, {}, {}}
	for i, r := range rows {
		got, _ := r["TimeGenerated"].(time.Time)
		if !got.Equal(tg[i]) {
			t.Errorf("record %d: TimeGenerated = %v, want %v", i, got, tg[i])
		}
	}
	// _ResourceId is filled where the stream has it.
	b, err := DecodeCollector([]byte(`{"a":1}`), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Rows([]schema.Column{{Name: "_ResourceId", Type: types.String}, {Name: "a_d", Type: types.Real}})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]any{{"/subscriptions/s/resourceGroups/g", 1.0}}; !reflect.DeepEqual(want, got) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

func TestDecodeCollectorLimits(t *testing.T) {
	long := strings.Repeat("é", CollectorMaxValue) // two bytes each
	_, rows := collectorRows(t, `{"v":"`+long+`"}`, nil, CollectorOptions{})
	if got := rows[0]["v_s"].(string); len(got) != CollectorMaxValue || got != long[:CollectorMaxValue] {
		t.Errorf("a %d-byte value was kept as %d bytes, want %d", len(long), len(got), CollectorMaxValue)
	}
	var fields []string
	for i := 0; i < CollectorMaxColumns; i++ {
		fields = append(fields, fmt.Sprintf(`"f%d":1`, i))
	}
	_, err := DecodeCollector([]byte("{"+strings.Join(fields, ",")+"}"), nil, CollectorOptions{})
	var de *DataError
	if !errors.As(err, &de) || !strings.Contains(de.Msg, "at most 500") {
		t.Errorf("%d new columns: err = %v, want a DataError about the 500-column limit", CollectorMaxColumns, err)
	}
}

func TestDecodeCollectorErrors(t *testing.T) {
	tbl := collectorTable(t, schema.Column{Name: "n_d", Type: types.Long})
	for _, tc := range []struct {
		body   string
		record int
		field  string
		msg    string // a part of the message
	}{
		{``, -1, "", "empty"},
		{`[{"a":1},`, -1, "", "malformed JSON"},
		{`"text"`, -1, "", "object or an array"},
		{`[{"a":1},[1]]`, 1, "", "expected a JSON object"},
		{`[{"a":1},{"TimeGenerated":"2026-01-01T00:00:00Z"}]`, 1, "TimeGenerated", "reserved"},
		{`{"tenant":"x"}`, 0, "tenant", "reserved"},
		{`{"RawData":"x"}`, 0, "RawData", "reserved"},
		{`[{"a":1},{"a":1e400}]`, 1, "a", "out of range"},
		{`{"a":{"b":"x"},"a_b":"y"}`, 0, "a_b", "both go to column a_b_s"},
		{`{"a.b":"x","a_b":"y"}`, 0, "a_b", "both go to column a_b_s"},
		{`{"a":1,"a":2}`, 0, "a", "both go to column a_d"},
		{`{"` + strings.Repeat("x", 44) + `":1}`, 0, strings.Repeat("x", 44), "longer than 45"},
		{`{"":1}`, 0, "", "needs a name"},
		{`{"n":2}`, 0, "n", "table column n_d is long, not real"},
	} {
		_, err := DecodeCollector([]byte(tc.body), tbl, CollectorOptions{})
		var de *DataError
		if !errors.As(err, &de) {
			t.Errorf("DecodeCollector(%q) = %v, want a *DataError", tc.body, err)
			continue
		}
		if de.Record != tc.record || de.Column != tc.field || !strings.Contains(de.Msg, tc.msg) {
			t.Errorf("DecodeCollector(%q) = record %d field %q %q, want record %d field %q and %q",
				tc.body, de.Record, de.Column, de.Msg, tc.record, tc.field, tc.msg)
		}
	}
}

func TestCollectorRowsMissingColumn(t *testing.T) {
	b, err := DecodeCollector([]byte(`{"a":"x"}`), nil, CollectorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Rows([]schema.Column{{Name: "b_s", Type: types.String}}); err == nil {
		t.Error("Rows without the a_s column succeeded")
	}
	if _, err := b.Rows([]schema.Column{{Name: "a_s", Type: types.GUID}}); err == nil {
		t.Error("Rows with a_s of another type succeeded")
	}
}

func TestValidLogType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"MyLog", true}, {"My_Log_2", true}, {strings.Repeat("a", 100), true},
		{"", false}, {strings.Repeat("a", 101), false}, {"My-Log", false}, {"My Log", false}, {"Logé", false},
	} {
		if got := ValidLogType(tc.in); got != tc.want {
			t.Errorf("ValidLogType(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzDataCollectorDecode feeds arbitrary bodies to DecodeCollector, for a
// new table and for one with columns: it must never panic, fail only with
// a *DataError, and produce rows that fit the columns it asks for.
func FuzzDataCollectorDecode(f *testing.F) {
	for _, s := range []string{`[]`, `{}`, `[{"a":"x","b":1,"c":true}]`, `{"n":{"m":{"o":[1,2,{"p":null}]}}}`,
		`[{"id":"{9909ED01-A74C-4874-8ABF-D2678E3AE23D}","t":"2026-11-27T10:00:00+02:00"}]`,
		`[{"v":"1"},{"v":"true"},{"v":1e400}]`, `[{"x-y.z":"é"}]`, `{"TimeGenerated":1}`} {
		f.Add([]byte(s))
	}
	seeds, _ := filepath.Glob("testdata/datacollector/*.json")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	tbl, err := schema.Default().CustomTable("MyLog_CL", []schema.Column{
		{Name: "v_s", Type: types.String}, {Name: "v_d", Type: types.Real}, {Name: "a_b", Type: types.Bool}, {Name: "t_t", Type: types.DateTime},
	})
	if err != nil {
		f.Fatal(err)
	}
	opts := CollectorOptions{TimeField: "t", ReceivedAt: collectorRecv}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, table := range []*schema.Table{nil, tbl} {
			b, err := DecodeCollector(body, table, opts)
			if err != nil {
				var de *DataError
				if !errors.As(err, &de) {
					t.Fatalf("DecodeCollector error %T %v is not a *DataError", err, err)
				}
				continue
			}
			var cols []schema.Column
			if table != nil {
				cols = append(cols, table.Columns...)
			}
			for _, c := range b.NewColumns {
				if c.Name == "" || len(c.Name) > CollectorMaxName || collectorSuffix(c.Type) == "" || !strings.HasSuffix(c.Name, collectorSuffix(c.Type)) {
					t.Fatalf("bad new column %+v", c)
				}
				if table != nil {
					if _, ok := table.Column(c.Name); ok {
						t.Fatalf("new column %s already exists", c.Name)
					}
				}
			}
			cols = append(cols, b.NewColumns...)
			rows, err := b.Rows(cols)
			if err != nil {
				t.Fatalf("Rows: %v", err)
			}
			if len(rows) != b.Len() {
				t.Fatalf("%d rows for %d records", len(rows), b.Len())
			}
			for _, r := range rows {
				if len(r) != len(cols) {
					t.Fatalf("row width %d, want %d", len(r), len(cols))
				}
			}
		}
	})
}
