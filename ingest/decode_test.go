package ingest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

func testColumns() []schema.Column {
	return []schema.Column{
		{Name: "TimeGenerated", Type: types.DateTime},
		{Name: "Name", Type: types.String},
		{Name: "Count", Type: types.Long},
		{Name: "Small", Type: types.Int},
		{Name: "Ratio", Type: types.Real},
		{Name: "Flag", Type: types.Bool},
		{Name: "Id", Type: types.GUID},
		{Name: "Elapsed", Type: types.TimeSpan},
		{Name: "Props", Type: types.Dynamic},
		{Name: "Amount", Type: types.Decimal},
	}
}

func TestDecode(t *testing.T) {
	d := NewDecoder(testColumns())
	tm := time.Date(2026, 11, 27, 10, 0, 0, 123000000, time.UTC)
	for _, tc := range []struct {
		name, body string
		want       []any
	}{
		{"all types", `[{"TimeGenerated":"2026-11-27T10:00:00.123Z","Name":"a","Count":5,"Small":7,"Ratio":0.5,"Flag":true,
			"Id":"8f1b3c2a-0000-4000-8000-000000000001","Elapsed":"1.02:03:04.5","Props":{"k":[1,2]},"Amount":"12.50"}]`,
			[]any{tm, "a", int64(5), int32(7), 0.5, true, "8f1b3c2a-0000-4000-8000-000000000001",
				26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond, json.RawMessage(`{"k":[1,2]}`), "12.50"}},
		{"absent and null are nil", `[{"Name":null}]`, make([]any, 10)},
		{"lossless readings", `[{"Name":42,"Count":"17","Small":3.0,"Ratio":"2.5","Flag":"FALSE","Props":"{\"a\":1}","TimeGenerated":"2026-11-27 10:00:00.123"}]`,
			[]any{tm, "42", int64(17), int32(3), 2.5, false, nil, nil, json.RawMessage(`{"a":1}`), nil}},
		{"case-insensitive keys, unknown keys dropped", `[{"name":"x","COUNT":1,"Extra":"dropped"}]`,
			[]any{nil, "x", int64(1), nil, nil, nil, nil, nil, nil, nil}},
		{"object into string keeps its JSON", `[{"Name":{"a":1}}]`,
			[]any{nil, `{"a":1}`, nil, nil, nil, nil, nil, nil, nil, nil}},
		{"dynamic string stays a string", `[{"Props":"plain"}]`,
			[]any{nil, nil, nil, nil, nil, nil, nil, nil, json.RawMessage(`"plain"`), nil}},
	} {
		rows, err := d.Decode([]byte(tc.body))
		if err != nil {
			t.Errorf("%s: Decode: %v", tc.name, err)
			continue
		}
		if len(rows) != 1 {
			t.Errorf("%s: got %d rows, want 1", tc.name, len(rows))
			continue
		}
		if !reflect.DeepEqual(rows[0], tc.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tc.name, rows[0], tc.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	d := NewDecoder(testColumns())
	for _, tc := range []struct {
		body string
		rec  int
		col  string
		msg  string
	}{
		{`[{"Count":1},{"Count":"x"}]`, 1, "Count", `"x" is not an integer`},
		{`[{"Count":1.5}]`, 0, "Count", "1.5 is not an integer"},
		{`[{"Small":3000000000}]`, 0, "Small", "out of range for int"},
		{`[{"Flag":"yes"}]`, 0, "Flag", "is not a bool"},
		{`[{"TimeGenerated":"yesterday"}]`, 0, "TimeGenerated", "is not a datetime"},
		{`[{"TimeGenerated":12345}]`, 0, "TimeGenerated", "is not a datetime"},
		{`[{"Id":"not-a-guid"}]`, 0, "Id", "is not a guid"},
		{`[{"Elapsed":"soon"}]`, 0, "Elapsed", "is not a timespan"},
		{`[{"Ratio":[1]}]`, 0, "Ratio", "is not a real"},
		{`[{"Amount":true}]`, 0, "Amount", "is not a decimal"},
		{`[1]`, 0, "", "expected a JSON object, found a number"},
		{`{"Name":"a"}`, -1, "", "must be a JSON array of objects, not an object"},
		{`[{"Name":"a"`, -1, "", "malformed JSON at byte"},
		{``, -1, "", "the body is empty"},
		{`[{"Name":"a"}] x`, -1, "", "malformed JSON"},
	} {
		rows, err := d.Decode([]byte(tc.body))
		var de *DataError
		if !errors.As(err, &de) {
			t.Errorf("Decode(%q) = %v, %v; want a *DataError", tc.body, rows, err)
			continue
		}
		if de.Record != tc.rec || de.Column != tc.col || !strings.Contains(de.Error(), tc.msg) {
			t.Errorf("Decode(%q) error = record %d column %q %q; want record %d column %q containing %q", tc.body, de.Record, de.Column, de.Error(), tc.rec, tc.col, tc.msg)
		}
		if rows != nil {
			t.Errorf("Decode(%q) returned rows with an error", tc.body)
		}
	}
}

func TestParseTimespan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"00:00:01", time.Second, true},
		{"1.00:00:00", 24 * time.Hour, true},
		{"-02:30:00", -150 * time.Minute, true},
		{"00:00:00.0000001", 100 * time.Nanosecond, true},
		{"10:60:00", 0, false},
		{"1:2", 0, false},
		{"x.01:00:00", 0, false},
	} {
		got, ok := ParseTimespan(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseTimespan(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzDecode feeds arbitrary bodies to the decoder: it must never panic,
// and it returns either rows of the right width or a *DataError.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`[]`, `[{}]`, `[{"Name":"a","Count":1}]`, `[{"Props":{"a":[1,{"b":null}]}}]`,
		`[{"TimeGenerated":"2026-01-01T00:00:00Z","Elapsed":"1.00:00:00","Id":"{8f1b3c2a-0000-4000-8000-000000000001}"}]`,
		`[{"Count":"9223372036854775808"}]`, `[{"Small":-2147483649}]`, `[{"Amount":1e400}]`, `[{"Elapsed":"-10675199.02:48:05.4775808"}]`} {
		f.Add([]byte(s))
	}
	d := NewDecoder(testColumns())
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, err := d.Decode(body)
		if err != nil {
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("Decode error %T %v is not a *DataError", err, err)
			}
			return
		}
		for _, r := range rows {
			if len(r) != len(d.Columns()) {
				t.Fatalf("row width %d, want %d", len(r), len(d.Columns()))
			}
		}
	})
}
