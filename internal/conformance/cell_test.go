package conformance

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

type decimalStringer string

func (d decimalStringer) String() string { return string(d) }

func TestCellMatch(t *testing.T) {
	day := time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		typ  types.Type
		want string
		got  any
		ok   bool
	}{
		// null
		{"null empty", types.Long, "", nil, true},
		{"null word", types.Real, "null", nil, true},
		{"null parenthesized", types.DateTime, "(null)", nil, true},
		{"null vs value", types.Long, "", int64(0), false},
		{"value vs null", types.Long, "0", nil, false},
		{"null dynamic raw", types.Dynamic, "", json.RawMessage("null"), true},
		{"null string column", types.String, "", nil, true},

		// bool
		{"bool True", types.Bool, "True", true, true},
		{"bool TRUE", types.Bool, "TRUE", true, true},
		{"bool false", types.Bool, "false", false, true},
		{"bool 1", types.Bool, "1", true, true},
		{"bool 0", types.Bool, "0", false, true},
		{"bool wrong", types.Bool, "true", false, false},
		{"bool text", types.Bool, "yes", true, false},
		{"bool got string", types.Bool, "true", "true", false},

		// int, long
		{"long", types.Long, "42", int64(42), true},
		{"int", types.Int, "-7", int32(-7), true},
		{"long thousands", types.Long, "1,048,576", int64(1048576), true},
		{"long differs", types.Long, "42", int64(43), false},
		{"long fraction", types.Long, "42.5", int64(42), false},
		{"long point zero", types.Long, "42.0", int64(42), true},
		{"long big", types.Long, "9,223,372,036,854,775,807", int64(math.MaxInt64), true},
		{"long not a number", types.Long, "forty", int64(40), false},
		{"long NaN page", types.Long, "NaN", int64(0), false},
		{"long bad separators", types.Long, "1,00", int64(100), false},

		// real
		{"real exact", types.Real, "1.5", 1.5, true},
		{"real relative", types.Real, "3.14159265358979", math.Pi, true},
		{"real half unit", types.Real, "7.389056", math.Exp(2), true},
		{"real beyond half unit", types.Real, "7.388", math.Exp(2), false},
		{"real rounding up", types.Real, "32.667", 98.0 / 3, true},
		{"real integer text", types.Real, "100", 100.00000000000001, true},
		{"real integer text strict", types.Real, "5", 5.4, false},
		{"real zero noise", types.Real, "0", 1.2246467991473532e-16, true},
		{"real thousands", types.Real, "1,546,754.35197381", 1546754.35197381, true},
		{"real exponent", types.Real, "1.5E-07", 1.5e-7, true},
		{"real exponent half unit", types.Real, "1.5E-07", 1.54e-7, true},
		{"real exponent beyond", types.Real, "1.5E-07", 1.56e-7, false},
		{"real NaN", types.Real, "NaN", math.NaN(), true},
		{"real NaN vs number", types.Real, "NaN", 1.0, false},
		{"real number vs NaN", types.Real, "1", math.NaN(), false},
		{"real Infinity", types.Real, "Infinity", math.Inf(1), true},
		{"real -Infinity", types.Real, "-Infinity", math.Inf(-1), true},
		{"real infinity symbol", types.Real, "∞", math.Inf(1), true},
		{"real minus infinity symbol", types.Real, "-∞", math.Inf(-1), true},
		{"real infinity sign", types.Real, "Infinity", math.Inf(-1), false},
		{"real got int", types.Real, "3", int64(3), true},
		{"real got json.Number", types.Real, "2.5", json.Number("2.5"), true},
		{"real got string", types.Real, "2.5", "2.5", true},
		{"real got bool", types.Real, "1", true, false},
		{"long got uint64", types.Long, "18,446,744,073,709,551,615", uint64(math.MaxUint64), true},
		{"long got float", types.Long, "3", 3.0, true},
		{"real text", types.Real, "x > 1, yields NaN", math.NaN(), false},

		// decimal
		{"decimal exact", types.Decimal, "1,000,000,020,000,000,300,000,004", "1000000020000000300000004", true},
		{"decimal off by one", types.Decimal, "1,000,000,020,000,000,300,000,004", "1000000020000000300000005", false},
		{"decimal half unit", types.Decimal, "0.333333333333333", "0.3333333333333333333333333333", true},
		{"decimal stringer", types.Decimal, "0.10101", decimalStringer("0.10101"), true},
		{"decimal big int", types.Decimal, "20,000,000,000,000,000", new(big.Int).Mul(big.NewInt(20), big.NewInt(1e15)), true},
		{"decimal float", types.Decimal, "0.1", 0.1, true},

		// datetime
		{"datetime page form", types.DateTime, "2017-08-01 00:00:00.0000000", day, true},
		{"datetime ISO Z", types.DateTime, "2017-08-01T00:00:00Z", day, true},
		{"datetime plain date", types.DateTime, "2017-08-01", day, true},
		{"datetime no fraction", types.DateTime, "2017-08-01 00:00:00", day, true},
		{"datetime minutes", types.DateTime, "2017-08-01 00:00", day, true},
		{"datetime offset", types.DateTime, "2017-08-01T02:00:00+02:00", day, true},
		{"datetime 100ns", types.DateTime, "2017-08-01 00:00:00.0000001", day.Add(150 * time.Nanosecond), true},
		{"datetime differs by a tick", types.DateTime, "2017-08-01 00:00:00.0000001", day, false},
		{"datetime other zone got", types.DateTime, "2017-08-01 00:00:00", day.In(time.FixedZone("x", 3600)), true},
		{"datetime old", types.DateTime, "0001-01-01 00:00:00.0000000", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"datetime US form rejected", types.DateTime, "08/01/2017 00:00:00", day, false},
		{"datetime got string", types.DateTime, "2017-08-01", "2017-08-01T00:00:00Z", true},

		// timespan
		{"timespan", types.TimeSpan, "00:00:30", 30 * time.Second, true},
		{"timespan negative", types.TimeSpan, "-12:00:00", -12 * time.Hour, true},
		{"timespan days", types.TimeSpan, "4.00:00:00", 96 * time.Hour, true},
		{"timespan fraction", types.TimeSpan, "00:00:00.5000000", 500 * time.Millisecond, true},
		{"timespan short fraction", types.TimeSpan, "00:00:00.5", 500 * time.Millisecond, true},
		{"timespan sign differs", types.TimeSpan, "12:00:00", -12 * time.Hour, false},
		{"timespan got string", types.TimeSpan, "1.00:00:00", "1.00:00:00", true},
		{"timespan got ticks", types.TimeSpan, "00:00:01", int64(10_000_000), false},
		{"timespan malformed page", types.TimeSpan, "29.09:00:05:12", 29*24*time.Hour + 9*time.Hour + 5*time.Second, false},

		// guid
		{"guid case", types.GUID, "82B8BE2D-DFA7-4BD1-8F63-24AD26D31449", "82b8be2d-dfa7-4bd1-8f63-24ad26d31449", true},
		{"guid differs", types.GUID, "82b8be2d-dfa7-4bd1-8f63-24ad26d31440", "82b8be2d-dfa7-4bd1-8f63-24ad26d31449", false},

		// string
		{"string exact", types.String, "Apple", "Apple", true},
		{"string case", types.String, "apple", "Apple", false},
		{"string empty", types.String, "", "", true},
		{"string trimmed got", types.String, "a b", " a b\n", true},
		{"string newline", types.String, "a\nb", "a\nb", true},
		{"string (null) is not empty", types.String, "(null)", "", false},

		// dynamic
		{"dynamic key order", types.Dynamic, `{"b": 2, "a": [1, 2]}`, json.RawMessage(`{"a":[1,2],"b":2}`), true},
		{"dynamic pretty", types.Dynamic, "{\n  \"key1\": 123\n}", json.RawMessage(`{"key1":123}`), true},
		{"dynamic numbers numerically", types.Dynamic, `[111.0, 36]`, json.RawMessage(`[111, 36.0]`), true},
		{"dynamic number tolerance", types.Dynamic, `[32.667]`, json.RawMessage(`[32.666666666666664]`), true},
		{"dynamic integers exact", types.Dynamic, `[1846988464401551951]`, json.RawMessage(`[1846988464401551952]`), false},
		{"dynamic array order", types.Dynamic, `[1, 2]`, json.RawMessage(`[2, 1]`), false},
		{"dynamic missing key", types.Dynamic, `{"a": 1, "b": 2}`, json.RawMessage(`{"a":1}`), false},
		{"dynamic extra key", types.Dynamic, `{"a": 1}`, json.RawMessage(`{"a":1,"b":2}`), false},
		{"dynamic null element", types.Dynamic, `[null, 1]`, json.RawMessage(`[null,1]`), true},
		{"dynamic unquoted string", types.Dynamic, `hello world`, json.RawMessage(`"hello world"`), true},
		{"dynamic quoted string", types.Dynamic, `"hello"`, json.RawMessage(`"hello"`), true},
		{"dynamic numeric-looking string", types.Dynamic, `5`, json.RawMessage(`"5"`), true},
		{"dynamic number vs string", types.Dynamic, `5`, json.RawMessage(`"6"`), false},
		{"dynamic empty string", types.Dynamic, ``, json.RawMessage(`""`), true},
		{"dynamic invalid page JSON", types.Dynamic, `[yes, no, yes]`, json.RawMessage(`["yes","no","yes"]`), false},
		{"dynamic single quotes", types.Dynamic, `["A2',"A1"]`, json.RawMessage(`["A2","A1"]`), false},
		{"dynamic Go value", types.Dynamic, `{"a": [true, "x"]}`, map[string]any{"a": []any{true, "x"}}, true},
		{"dynamic Go float", types.Dynamic, `[0.5]`, []any{0.5}, true},
		{"dynamic datetime strings exact", types.Dynamic, `["2017-01-01T00:00:00.0000000Z"]`, json.RawMessage(`["2017-01-01T00:00:00Z"]`), false},
		{"dynamic bool", types.Dynamic, `true`, json.RawMessage(`true`), true},
		{"dynamic trailing text", types.Dynamic, `[1] [2]`, json.RawMessage(`[1]`), false},
		{"dynamic bad actual", types.Dynamic, `{}`, json.RawMessage(`{`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := cellMatch(tt.want, tt.got, tt.typ)
			if ok != tt.ok {
				t.Errorf("cellMatch(%q, %#v, %s) = %v (%s), want %v", tt.want, tt.got, tt.typ, ok, why, tt.ok)
			}
		})
	}
}

func TestParseNumberHalfUnit(t *testing.T) {
	tests := []struct {
		text string
		half string // "" when no half unit
	}{
		{"5", ""},
		{"1,000", ""},
		{"0.5", "1/20"},
		{"32.667", "1/2000"},
		{"12.", "1/2"},
		{"1.5E-07", "1/200000000"},
		{"1.25e+3", "5/1"},
		{"-0.001", "1/2000"},
	}
	for _, tt := range tests {
		n, ok := parseNumber(tt.text)
		if !ok {
			t.Errorf("parseNumber(%q) failed", tt.text)
			continue
		}
		got := ""
		if n.halfUnit != nil {
			got = n.halfUnit.String()
		}
		if got != tt.half {
			t.Errorf("parseNumber(%q) half unit = %q, want %q", tt.text, got, tt.half)
		}
	}
	for _, bad := range []string{"", "-", "1.2.3", "1e", "0x10", "1/2", "12,34", "1e999999"} {
		if n, ok := parseNumber(bad); ok {
			t.Errorf("parseNumber(%q) = %+v, want failure", bad, n)
		}
	}
}
