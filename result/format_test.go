package result

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

type namedMap map[any]any

type stringer string

func (s stringer) String() string { return string(s) }

func TestFormatValue(t *testing.T) {
	guidBytes := [16]byte{0x74, 0xbe, 0x27, 0xde, 0x1e, 0x4e, 0x49, 0xd9, 0xb5, 0x79, 0xfe, 0x0b, 0x33, 0x1d, 0x36, 0x42}
	tests := []struct {
		name string
		v    any
		t    types.Type
		want string
	}{
		{"null bool", nil, types.Bool, ""},
		{"null dynamic", nil, types.Dynamic, ""},
		{"true", true, types.Bool, "true"},
		{"false", false, types.Bool, "false"},
		{"int32", int32(-7), types.Int, "-7"},
		{"int from int64", int64(12345), types.Int, "12345"},
		{"long", int64(math.MaxInt64), types.Long, "9223372036854775807"},
		{"long big.Int", new(big.Int).Lsh(big.NewInt(1), 70), types.Long, "1180591620717411303424"},
		{"real", 12345.6789, types.Real, "12345.6789"},
		{"real integral", 5.0, types.Real, "5"},
		{"real large", 1e20, types.Real, "1E+20"},
		{"real small", 1.5e-7, types.Real, "1.5E-07"},
		{"real NaN", math.NaN(), types.Real, "NaN"},
		{"real +inf", math.Inf(1), types.Real, "Infinity"},
		{"real -inf", math.Inf(-1), types.Real, "-Infinity"},
		{"real from int", int64(3), types.Real, "3"},
		{"decimal string", "0.10101", types.Decimal, "0.10101"},
		{"decimal float", 0.25, types.Decimal, "0.25"},
		{"decimal stringer", stringer("1.50"), types.Decimal, "1.50"},
		{"decimal rat", big.NewRat(1, 8), types.Decimal, "0.125"},
		{"decimal rat repeating", big.NewRat(1, 3), types.Decimal, "0.3333333333333333333333333333"},
		{"string", "a\tb", types.String, "a\tb"},
		{"empty string", "", types.String, ""},
		{"datetime", time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC), types.DateTime, "2017-08-01T00:00:00.0000000Z"},
		{"datetime fraction", time.Date(2015, 12, 31, 23, 59, 59, 900_000_000, time.UTC), types.DateTime, "2015-12-31T23:59:59.9000000Z"},
		{"datetime truncates to 100ns", time.Date(2015, 1, 1, 0, 0, 0, 123_456_789, time.UTC), types.DateTime, "2015-01-01T00:00:00.1234567Z"},
		{"datetime other zone", time.Date(2020, 1, 1, 2, 0, 0, 0, time.FixedZone("x", 2*3600)), types.DateTime, "2020-01-01T00:00:00.0000000Z"},
		{"timespan", 10 * time.Second, types.TimeSpan, "00:00:10"},
		{"timespan days", 26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond, types.TimeSpan, "1.02:03:04.5000000"},
		{"timespan negative", -12 * time.Hour, types.TimeSpan, "-12:00:00"},
		{"guid string", "74BE27DE-1E4E-49D9-B579-FE0B331D3642", types.GUID, "74be27de-1e4e-49d9-b579-fe0b331d3642"},
		{"guid array", guidBytes, types.GUID, "74be27de-1e4e-49d9-b579-fe0b331d3642"},
		{"guid slice", guidBytes[:], types.GUID, "74be27de-1e4e-49d9-b579-fe0b331d3642"},
		{"dynamic raw", json.RawMessage(`{ "b": 1, "a": [1, 2] }`), types.Dynamic, `{"b":1,"a":[1,2]}`},
		{"dynamic raw string", json.RawMessage(`"hello"`), types.Dynamic, "hello"},
		{"dynamic raw null", json.RawMessage(`null`), types.Dynamic, ""},
		{"dynamic map", map[string]any{"b": 1.5, "a": []any{true, nil, "x"}}, types.Dynamic, `{"a":[true,null,"x"],"b":1.5}`},
		{"dynamic string", "plain", types.Dynamic, "plain"},
		{"dynamic number", json.Number("1e3"), types.Dynamic, "1e3"},
		{"dynamic int64", int64(42), types.Dynamic, "42"},
		{"dynamic nested time", []any{time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)}, types.Dynamic, `["2017-01-01T00:00:00.0000000Z"]`},
		{"dynamic any map", map[any]any{"b": int32(2), 1: "x"}, types.Dynamic, `{"1":"x","b":2}`},
		{"dynamic named map", namedMap{"k": []string{"a"}}, types.Dynamic, `{"k":["a"]}`},
		{"dynamic typed slice", []int64{1, 2}, types.Dynamic, `[1,2]`},
		{"dynamic html kept", map[string]any{"k": "<a&b>"}, types.Dynamic, `{"k":"<a&b>"}`},
		{"mismatch string in long", "oops", types.Long, "oops"},
		{"mismatch time in string", time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC), types.String, "2017-08-01T00:00:00.0000000Z"},
		{"invalid raw dynamic", json.RawMessage(`{`), types.Dynamic, "{"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatValue(tt.v, tt.t); got != tt.want {
				t.Errorf("FormatValue(%#v, %s) = %q, want %q", tt.v, tt.t, got, tt.want)
			}
		})
	}
}

func TestFormatReal(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-2.5, "-2.5"},
		{0.1, "0.1"},
		{0.0001, "0.0001"},
		{0.00001, "1E-05"},
		{123456789012345, "123456789012345"},
		{1e15, "1E+15"},
		{1234567890123456789, "1.2345678901234568E+18"},
		{1e100, "1E+100"},
		{math.Pi, "3.141592653589793"},
		{-1.5e-300, "-1.5E-300"},
	}
	for _, tt := range tests {
		if got := FormatReal(tt.f); got != tt.want {
			t.Errorf("FormatReal(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestTimespanFormatAndParse(t *testing.T) {
	tests := []struct {
		d    time.Duration
		text string
	}{
		{0, "00:00:00"},
		{10 * time.Second, "00:00:10"},
		{time.Hour, "01:00:00"},
		{24 * time.Hour, "1.00:00:00"},
		{29*24*time.Hour + 9*time.Hour + 5*time.Second + 123450*time.Microsecond, "29.09:00:05.1234500"},
		{-(time.Minute + 100*time.Nanosecond), "-00:01:00.0000001"},
		{500 * time.Millisecond, "00:00:00.5000000"},
		{FromTicks(math.MaxInt64 / 100), "106751.23:47:16.8547758"},
	}
	for _, tt := range tests {
		if got := FormatTimespan(tt.d); got != tt.text {
			t.Errorf("FormatTimespan(%v) = %q, want %q", tt.d, got, tt.text)
		}
		got, err := ParseTimespan(tt.text)
		if err != nil {
			t.Errorf("ParseTimespan(%q): %v", tt.text, err)
			continue
		}
		if got != tt.d {
			t.Errorf("ParseTimespan(%q) = %v, want %v", tt.text, got, tt.d)
		}
	}
	// Sub-tick precision is truncated toward zero.
	if got := FormatTimespan(150 * time.Nanosecond); got != "00:00:00.0000001" {
		t.Errorf("FormatTimespan(150ns) = %q, want %q", got, "00:00:00.0000001")
	}
	if got := FormatTimespan(-150 * time.Nanosecond); got != "-00:00:00.0000001" {
		t.Errorf("FormatTimespan(-150ns) = %q, want %q", got, "-00:00:00.0000001")
	}
	lenient := map[string]time.Duration{
		"1:02:03":            time.Hour + 2*time.Minute + 3*time.Second,
		"00:00:00.5":         500 * time.Millisecond,
		"00:00:00.123456789": 123456700 * time.Nanosecond,
	}
	for text, want := range lenient {
		got, err := ParseTimespan(text)
		if err != nil || got != want {
			t.Errorf("ParseTimespan(%q) = %v, %v, want %v", text, got, err, want)
		}
	}
	for _, bad := range []string{"", "10s", "1.2.03:04:05", "24:00:00", "00:60:00", "00:00:60", "00:00", "a:b:c", "00:00:00.", "00:00:00.1234567890", "--00:00:01", "99999999.00:00:00", "200000.00:00:00"} {
		if got, err := ParseTimespan(bad); err == nil {
			t.Errorf("ParseTimespan(%q) = %v, want an error", bad, got)
		}
	}
}

func TestFromTicks(t *testing.T) {
	tests := []struct {
		ticks int64
		want  time.Duration
	}{
		{0, 0},
		{1, 100 * time.Nanosecond},
		{-10_000_000, -time.Second},
		{864_000_000_000, 24 * time.Hour},
		{math.MaxInt64, math.MaxInt64},
		{math.MinInt64, math.MinInt64},
		{math.MaxInt64/100 + 1, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := FromTicks(tt.ticks); got != tt.want {
			t.Errorf("FromTicks(%d) = %v, want %v", tt.ticks, got, tt.want)
		}
	}
	if got := Ticks(FromTicks(123456789)); got != 123456789 {
		t.Errorf("Ticks(FromTicks(123456789)) = %d, want 123456789", got)
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain", `"plain"`},
		{`q"b\`, `"q\"b\\"`},
		{"a\nb\tc\r\x01", `"a\nb\tc\r\u0001"`},
		{"<&>", `"<&>"`},
		{"caf\xe9", `"caf\ufffd"`},
		{"é\u2028", `"é\u2028"`},
	}
	for _, tt := range tests {
		got := string(appendJSONString(nil, tt.in))
		if got != tt.want {
			t.Errorf("appendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("appendJSONString(%q) = %s, not valid JSON: %v", tt.in, got, err)
		}
	}
}
