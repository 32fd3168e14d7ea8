package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// allTypes returns a table with one column of every type, a row of values
// and a row of nulls.
func allTypes() *Table {
	return &Table{
		Name: PrimaryResult,
		Columns: []Column{
			{"DateTime", types.DateTime},
			{"Bool", types.Bool},
			{"Guid", types.GUID},
			{"Int", types.Int},
			{"Long", types.Long},
			{"Double", types.Real},
			{"String", types.String},
			{"Timespan", types.TimeSpan},
			{"Decimal", types.Decimal},
			{"Dynamic", types.Dynamic},
		},
		Rows: [][]any{
			{
				time.Date(2015, 12, 31, 23, 59, 59, 900_000_000, time.UTC),
				false,
				"74be27de-1e4e-49d9-b579-fe0b331d3642",
				int32(12345),
				int64(1234567890123),
				12345.6789,
				"string value",
				10 * time.Second,
				"0.10101",
				json.RawMessage(`{"a":123, "b":"hello", "c":[1,2,3], "d":{}}`),
			},
			{nil, nil, nil, nil, nil, nil, "", nil, nil, nil},
		},
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &Set{Tables: []*Table{allTypes()}}); err != nil {
		t.Fatal(err)
	}
	want := `{"tables":[{"name":"PrimaryResult","columns":[` +
		`{"name":"DateTime","type":"datetime"},{"name":"Bool","type":"bool"},{"name":"Guid","type":"guid"},` +
		`{"name":"Int","type":"int"},{"name":"Long","type":"long"},{"name":"Double","type":"real"},` +
		`{"name":"String","type":"string"},{"name":"Timespan","type":"timespan"},{"name":"Decimal","type":"decimal"},` +
		`{"name":"Dynamic","type":"dynamic"}],"rows":[` +
		`["2015-12-31T23:59:59.9Z",false,"74be27de-1e4e-49d9-b579-fe0b331d3642",12345,1234567890123,12345.6789,` +
		`"string value","00:00:10","0.10101","{\"a\":123,\"b\":\"hello\",\"c\":[1,2,3],\"d\":{}}"],` +
		`[null,null,null,null,null,null,"",null,null,null]]}]}` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteJSON =\n%s\nwant\n%s", got, want)
	}
	if !json.Valid(buf.Bytes()) {
		t.Error("WriteJSON wrote invalid JSON")
	}
}

func TestWriteJSONValues(t *testing.T) {
	tests := []struct {
		name string
		v    any
		t    types.Type
		want string
	}{
		{"datetime whole seconds", time.Date(2021, 6, 14, 0, 0, 0, 0, time.UTC), types.DateTime, `"2021-06-14T00:00:00Z"`},
		{"datetime 100ns", time.Date(2021, 6, 14, 0, 0, 0, 1234567_89, time.UTC), types.DateTime, `"2021-06-14T00:00:00.1234567Z"`},
		{"datetime to UTC", time.Date(2021, 6, 14, 1, 0, 0, 0, time.FixedZone("x", 3600)), types.DateTime, `"2021-06-14T00:00:00Z"`},
		{"timespan fraction", -(36*time.Hour + 250*time.Millisecond), types.TimeSpan, `"-1.12:00:00.2500000"`},
		{"real NaN", math.NaN(), types.Real, `"NaN"`},
		{"real +inf", math.Inf(1), types.Real, `"Infinity"`},
		{"real -inf", math.Inf(-1), types.Real, `"-Infinity"`},
		{"real tiny", 1e-7, types.Real, `1e-7`},
		{"real huge", 1e21, types.Real, `1e+21`},
		{"real integral", 3.0, types.Real, `3`},
		{"real float32", float32(0.5), types.Real, `0.5`},
		{"int from int64", int64(-5), types.Int, `-5`},
		{"long from int", 7, types.Long, `7`},
		{"decimal float", 1.25, types.Decimal, `"1.25"`},
		{"guid upper", "74BE27DE-1E4E-49D9-B579-FE0B331D3642", types.GUID, `"74be27de-1e4e-49d9-b579-fe0b331d3642"`},
		{"dynamic string", "hi", types.Dynamic, `"\"hi\""`},
		{"dynamic raw null", json.RawMessage("null"), types.Dynamic, `null`},
		{"dynamic map sorted", map[string]any{"z": int64(1), "a": json.Number("2.50")}, types.Dynamic, `"{\"a\":2.50,\"z\":1}"`},
		{"dynamic NaN", []any{math.NaN()}, types.Dynamic, `"[\"NaN\"]"`},
		{"string escapes", "line\n\"q\"", types.String, `"line\n\"q\""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendWireValue(nil, tt.v, tt.t)
			if err != nil {
				t.Fatalf("appendWireValue(%#v, %s): %v", tt.v, tt.t, err)
			}
			if string(got) != tt.want {
				t.Errorf("appendWireValue(%#v, %s) = %s, want %s", tt.v, tt.t, got, tt.want)
			}
		})
	}
}

func TestWriteJSONTruncated(t *testing.T) {
	s := &Set{
		Tables:           []*Table{{Name: PrimaryResult, Columns: []Column{{"s", types.String}}, Rows: [][]any{{"a"}}}},
		Truncated:        true,
		TruncationReason: "Query result set has exceeded the internal record count limit 1",
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, s); err != nil {
		t.Fatal(err)
	}
	want := `{"tables":[{"name":"PrimaryResult","columns":[{"name":"s","type":"string"}],"rows":[["a"]]}],` +
		`"error":{"code":"PartialError","message":"There were some errors when processing your query.",` +
		`"details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.",` +
		`"innererror":{"code":"-2133196797","message":"Query result set has exceeded the internal record count limit 1 ` +
		`(E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)","severity":2,"severityName":"Error"}}]}}` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteJSON =\n%s\nwant\n%s", got, want)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Truncated || back.TruncationReason != s.TruncationReason {
		t.Errorf("ReadJSON truncation = %v %q, want true %q", back.Truncated, back.TruncationReason, s.TruncationReason)
	}
}

func TestWriteJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		set  *Set
		want string
	}{
		{"nil set", nil, "nil set"},
		{"nil table", &Set{Tables: []*Table{nil}}, "table 0 is nil"},
		{"unknown type", &Set{Tables: []*Table{{Name: "T", Columns: []Column{{"x", types.Unknown}}}}}, `column "x": type unknown`},
		{"short row", &Set{Tables: []*Table{{Name: "T", Columns: []Column{{"x", types.Long}}, Rows: [][]any{{}}}}}, "row 0 has 0 values for 1 columns"},
		{"string in long", &Set{Tables: []*Table{{Name: "T", Columns: []Column{{"x", types.Long}}, Rows: [][]any{{"1"}}}}}, `row 0 column "x" (long): unexpected Go value of type string`},
		{"int overflow", &Set{Tables: []*Table{{Name: "T", Columns: []Column{{"x", types.Int}}, Rows: [][]any{{int64(1) << 40}}}}}, "overflows int"},
		{"bad raw dynamic", &Set{Tables: []*Table{{Name: "T", Columns: []Column{{"x", types.Dynamic}}, Rows: [][]any{{json.RawMessage("{")}}}}}, "not valid JSON"},
		{"int as datetime", &Set{Tables: []*Table{{Name: "T", Columns: []Column{{"x", types.DateTime}}, Rows: [][]any{{int64(0)}}}}}, "unexpected Go value of type int64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteJSON(&bytes.Buffer{}, tt.set)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteJSON error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := &Set{Tables: []*Table{allTypes(), {
		Name:    "Second",
		Columns: []Column{{"r", types.Real}, {"d", types.Dynamic}, {"ts", types.TimeSpan}},
		Rows: [][]any{
			{math.Inf(-1), json.RawMessage(`"scalar"`), -time.Hour},
			{0.1, json.RawMessage(`[1,{"k":null}]`), 1234567 * time.Microsecond},
		},
	}}}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := &Set{Tables: []*Table{allTypes(), in.Tables[1]}}
	// Raw dynamic text comes back compacted.
	want.Tables[0].Rows[0][9] = json.RawMessage(`{"a":123,"b":"hello","c":[1,2,3],"d":{}}`)
	if !reflect.DeepEqual(out, want) {
		t.Errorf("ReadJSON(WriteJSON(s)) =\n%#v\nwant\n%#v", out, want)
		for ti := range want.Tables {
			for ri := range want.Tables[ti].Rows {
				for ci := range want.Tables[ti].Rows[ri] {
					g, w := out.Tables[ti].Rows[ri][ci], want.Tables[ti].Rows[ri][ci]
					if !reflect.DeepEqual(g, w) {
						t.Errorf("table %d row %d column %d: got %#v, want %#v", ti, ri, ci, g, w)
					}
				}
			}
		}
	}
	// NaN is not equal to itself; check it apart.
	nan := &Set{Tables: []*Table{{Name: "T", Columns: []Column{{"r", types.Real}}, Rows: [][]any{{math.NaN()}}}}}
	buf.Reset()
	if err := WriteJSON(&buf, nan); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := back.Tables[0].Rows[0][0].(float64); !ok || !math.IsNaN(f) {
		t.Errorf("NaN round trip = %#v, want NaN", back.Tables[0].Rows[0][0])
	}
}

// logAnalyticsResponse is shaped like an answer of the Log Analytics query
// API (api.loganalytics.io/v1/workspaces/{id}/query) as recorded by the
// Azure SDK live tests, with a dynamic column, special reals and a partial
// error added.
const logAnalyticsResponse = `{
  "tables": [
    {
      "name": "PrimaryResult",
      "columns": [
        {"name": "DateTime", "type": "datetime"},
        {"name": "Bool", "type": "bool"},
        {"name": "Guid", "type": "guid"},
        {"name": "Int", "type": "int"},
        {"name": "Long", "type": "long"},
        {"name": "Double", "type": "real"},
        {"name": "String", "type": "string"},
        {"name": "Timespan", "type": "timespan"},
        {"name": "Decimal", "type": "decimal"},
        {"name": "NullBool", "type": "bool"},
        {"name": "Dynamic", "type": "dynamic"},
        {"name": "Inf", "type": "real"}
      ],
      "rows": [
        ["2015-12-31T23:59:59.9Z", false, "74BE27DE-1e4e-49d9-b579-fe0b331d3642", 12345, 1234567890123, 12345.6789,
         "string value", "00:00:10", "0.10101", null, "{\"a\":123,\"b\":\"hello\",\"c\":[1,2,3],\"d\":{}}", "-Infinity"]
      ]
    }
  ],
  "error": {
    "code": "PartialError",
    "message": "There were some errors when processing your query.",
    "details": [{
      "code": "EngineError",
      "message": "Something went wrong processing your query on the server.",
      "innererror": {
        "code": "-2133196797",
        "message": "Query result set has exceeded the internal record count limit 1 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)",
        "severity": 2,
        "severityName": "Error"
      }
    }]
  }
}`

func TestReadJSONLogAnalytics(t *testing.T) {
	s, err := ReadJSON(strings.NewReader(logAnalyticsResponse))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{
		time.Date(2015, 12, 31, 23, 59, 59, 900_000_000, time.UTC),
		false,
		"74be27de-1e4e-49d9-b579-fe0b331d3642",
		int32(12345),
		int64(1234567890123),
		12345.6789,
		"string value",
		10 * time.Second,
		"0.10101",
		nil,
		json.RawMessage(`{"a":123,"b":"hello","c":[1,2,3],"d":{}}`),
		math.Inf(-1),
	}
	if len(s.Tables) != 1 || len(s.Tables[0].Rows) != 1 {
		t.Fatalf("ReadJSON = %d tables, want 1 table of 1 row", len(s.Tables))
	}
	row := s.Tables[0].Rows[0]
	for i := range want {
		if !reflect.DeepEqual(row[i], want[i]) {
			t.Errorf("column %q: got %#v, want %#v", s.Tables[0].Columns[i].Name, row[i], want[i])
		}
	}
	if !s.Truncated || s.TruncationReason != "Query result set has exceeded the internal record count limit 1" {
		t.Errorf("truncation = %v %q, want true and the record count message", s.Truncated, s.TruncationReason)
	}
}

func TestReadJSONErrorOnly(t *testing.T) {
	body := `{"error":{"message":"The request had some invalid properties","code":"BadArgumentError",
		"innererror":{"code":"SyntaxError","message":"A recognition error occurred in the query.",
		"innererror":{"code":"SYN0002","message":"Query could not be parsed at 'not' on line [1,0]"}}}}`
	_, err := ReadJSON(strings.NewReader(body))
	var ei *ErrorInfo
	if !errors.As(err, &ei) {
		t.Fatalf("ReadJSON error = %v, want an *ErrorInfo", err)
	}
	if ei.Code != "BadArgumentError" {
		t.Errorf("code = %q, want BadArgumentError", ei.Code)
	}
	if want := "BadArgumentError: Query could not be parsed at 'not' on line [1,0]"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestReadJSONLenient(t *testing.T) {
	body := `{"tables":[{"name":"T","columns":[
		{"name":"b","type":"bool"},{"name":"dec","type":"decimal"},{"name":"dyn","type":"dynamic"},
		{"name":"text","type":"dynamic"},{"name":"l","type":"Int64"}],
		"rows":[["True", 1.5, {"x": [1, 2]}, "not json", 5]]}]}`
	s, err := ReadJSON(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{true, "1.5", json.RawMessage(`{"x":[1,2]}`), json.RawMessage(`"not json"`), int64(5)}
	if got := s.Tables[0].Rows[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("row = %#v, want %#v", got, want)
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `{`, "read JSON"},
		{"unknown type", `{"tables":[{"name":"T","columns":[{"name":"x","type":"blob"}],"rows":[]}]}`, `unknown type "blob"`},
		{"short row", `{"tables":[{"name":"T","columns":[{"name":"x","type":"long"}],"rows":[[]]}]}`, "0 values for 1 columns"},
		{"bad long", `{"tables":[{"name":"T","columns":[{"name":"x","type":"long"}],"rows":[[1.5]]}]}`, `column "x" (long): invalid long 1.5`},
		{"int overflow", `{"tables":[{"name":"T","columns":[{"name":"x","type":"int"}],"rows":[[4294967296]]}]}`, "invalid int"},
		{"bad datetime", `{"tables":[{"name":"T","columns":[{"name":"x","type":"datetime"}],"rows":[["yesterday"]]}]}`, "invalid datetime"},
		{"bad timespan", `{"tables":[{"name":"T","columns":[{"name":"x","type":"timespan"}],"rows":[["10s"]]}]}`, "invalid timespan"},
		{"number as string", `{"tables":[{"name":"T","columns":[{"name":"x","type":"string"}],"rows":[[1]]}]}`, "want a JSON string"},
		{"bad real", `{"tables":[{"name":"T","columns":[{"name":"x","type":"real"}],"rows":[["nan"]]}]}`, "invalid real"},
		{"bad decimal", `{"tables":[{"name":"T","columns":[{"name":"x","type":"decimal"}],"rows":[["1.2.3"]]}]}`, "invalid decimal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadJSON error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSetPrimary(t *testing.T) {
	a, p := &Table{Name: "A"}, &Table{Name: PrimaryResult}
	tests := []struct {
		set  *Set
		want *Table
	}{
		{nil, nil},
		{&Set{}, nil},
		{&Set{Tables: []*Table{a}}, a},
		{&Set{Tables: []*Table{a, p}}, p},
	}
	for i, tt := range tests {
		if got := tt.set.Primary(); got != tt.want {
			t.Errorf("case %d: Primary() = %v, want %v", i, got, tt.want)
		}
	}
}

func TestMarshalDynamic(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{nil, "null"},
		{json.RawMessage(" [1, {\"b\":1, \"a\":2}] "), `[1,{"b":1,"a":2}]`},
		{map[string]any{"b": uint8(1), "a": int16(-2)}, `{"a":-2,"b":1}`},
		{[]any{"x", false, float32(0.5), time.Hour}, `["x",false,0.5,"01:00:00"]`},
		{struct {
			A int `json:"a"`
		}{1}, `{"a":1}`},
	}
	for _, tt := range tests {
		got, err := MarshalDynamic(tt.v)
		if err != nil || string(got) != tt.want {
			t.Errorf("MarshalDynamic(%#v) = %s, %v, want %s", tt.v, got, err, tt.want)
		}
	}
	for _, bad := range []any{json.RawMessage("{"), json.Number("1x"), make(chan int)} {
		if got, err := MarshalDynamic(bad); err == nil {
			t.Errorf("MarshalDynamic(%#v) = %s, want an error", bad, got)
		}
	}
}

func TestWriteJSONTruncatedWithoutReason(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &Set{Truncated: true}); err != nil {
		t.Fatal(err)
	}
	s, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Truncated || s.TruncationReason != defaultTruncation || len(s.Tables) != 0 {
		t.Errorf("ReadJSON = %+v, want an empty truncated set with the default reason", s)
	}
}
