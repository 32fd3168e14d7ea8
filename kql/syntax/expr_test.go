package syntax

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

func mustParseExpr(t *testing.T, q string) Expr {
	t.Helper()
	x, errs := ParseExpr(q)
	if len(errs) > 0 {
		t.Fatalf("ParseExpr(%q): %s", q, errs[0].Format(NewSource(q)))
	}
	return x
}

func TestPrecedence(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a or b and c", "(or a (and b c))"},
		{"a and b or c", "(or (and a b) c)"},
		{"a == 1 and b != 2", "(and (== a 1) (!= b 2))"},
		{"a + b * c - d", "(- (+ a (* b c)) d)"},
		{"a * b / c % d", "(% (/ (* a b) c) d)"},
		{"-a * b", "(* (- a) b)"},
		{"-1 + 2", "(+ -1 2)"},
		{"a - -1", "(- a -1)"},
		{"a < b == true", "(== (< a b) true)"},
		{"a + b > c * d", "(> (+ a b) (* c d))"},
		// String operators bind tighter than arithmetic, as in Kusto.
		{"a + b has c", "(+ a (has b c))"},
		{`a has "x" and b !has "y"`, `(and (has a "x") (!has b "y"))`},
		{`x =~ "a" or x !~ "b"`, `(or (=~ x "a") (!~ x "b"))`},
		{`x contains_cs "a"`, `(contains_cs x "a")`},
		{`x containscs "a"`, `(contains_cs x "a")`},
		{`x likecs "a"`, `(like_cs x "a")`},
		{`x notlikecs "a"`, `(notlike_cs x "a")`},
		{`x notcontains "a"`, `(notcontains x "a")`},
		{`x !startswith_cs "a"`, `(!startswith_cs x "a")`},
		{`x matches regex "a+"`, `(matches regex x "a+")`},
		{`x in ("a", "b")`, `(in x ["a" "b"])`},
		{`x !in~ ("a")`, `(!in~ x ["a"])`},
		{`x in~ (T | project y)`, `(in~ x [T | project])`},
		{`x has_any (dynamic(["a"]))`, `(has_any x [[a]])`},
		{`x has_all (L)`, `(has_all x [L])`},
		{`x between (1 .. 10) and y`, `(and (between x 1 10) y)`},
		{`x !between (ago(1d) .. now())`, `(!between x ago(ts:1.00:00:00) now())`},
		{`not(a and b)`, `not((and a b))`},
		{`* has "x"`, `(has * "x")`},
		{`a.b.c[0]["d"]`, `a.b.c[0]["d"]`},
		{`a.['b c']`, `a.b c`},
		{`a.[0]`, `a[0]`},
		{`$left.x == $right.y`, `(== $left.x $right.y)`},
		{`cluster("c").database("d").T`, `cluster("c").database("d").T`},
		{`f(x, y = 1, *)`, `f(x y=1 *)`},
		{`count()`, `count()`},
		{`(a + b) * c`, `(* {(+ a b)} c)`},
		{`iff(x > 1, "a", "b")`, `iff((> x 1) "a" "b")`},
		{`typeof(long)`, `typeof(type:long)`},
		{`toscalar(T | count)`, `toscalar(T | count)`},
		{`x : "a"`, `(: x "a")`},
		{`a <> b`, `(<> a b)`},
		{`5Minutebin + 1`, `(+ 5Minutebin 1)`},
	}
	for _, tt := range tests {
		x := mustParseExpr(t, tt.in)
		if got := sexpr(x); got != tt.want {
			t.Errorf("ParseExpr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestLiterals(t *testing.T) {
	date := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		in    string
		kind  LitKind
		typ   types.Type
		value any
	}{
		{"1", LitLong, types.Long, int64(1)},
		{"0x1F", LitLong, types.Long, int64(31)},
		{"-7", LitLong, types.Long, int64(-7)},
		{"int(1)", LitInt, types.Int, int64(1)},
		{"int(-2)", LitInt, types.Int, int64(-2)},
		{"long(-1)", LitLong, types.Long, int64(-1)},
		{"1.5", LitReal, types.Real, 1.5},
		{"1e3", LitReal, types.Real, 1000.0},
		{"2.", LitReal, types.Real, 2.0},
		{"real(1)", LitReal, types.Real, 1.0},
		{"double(-1.5)", LitReal, types.Real, -1.5},
		{"real(+inf)", LitReal, types.Real, math.Inf(1)},
		{"real(-inf)", LitReal, types.Real, math.Inf(-1)},
		{"decimal(1.5)", LitDecimal, types.Decimal, "1.5"},
		{"decimal(-2)", LitDecimal, types.Decimal, "-2"},
		{"decimal(1e5)", LitDecimal, types.Decimal, "1e5"},
		{"true", LitBool, types.Bool, true},
		{"False", LitBool, types.Bool, false},
		{"TRUE", LitBool, types.Bool, true},
		{"bool(true)", LitBool, types.Bool, true},
		{"bool(null)", LitNull, types.Bool, nil},
		{"null", LitNull, types.Null, nil},
		{"int(null)", LitNull, types.Int, nil},
		{"long(null)", LitNull, types.Long, nil},
		{"real(null)", LitNull, types.Real, nil},
		{"double(null)", LitNull, types.Real, nil},
		{"decimal(null)", LitNull, types.Decimal, nil},
		{"timespan(null)", LitNull, types.TimeSpan, nil},
		{"guid(null)", LitNull, types.GUID, nil},
		{"datetime(null)", LitNull, types.DateTime, nil},
		{"dynamic(null)", LitDynamic, types.Dynamic, nil},
		{"2d", LitTimeSpan, types.TimeSpan, 48 * time.Hour},
		{"1.5h", LitTimeSpan, types.TimeSpan, 90 * time.Minute},
		{"30m", LitTimeSpan, types.TimeSpan, 30 * time.Minute},
		{"10s", LitTimeSpan, types.TimeSpan, 10 * time.Second},
		{"100ms", LitTimeSpan, types.TimeSpan, 100 * time.Millisecond},
		{"10microsecond", LitTimeSpan, types.TimeSpan, 10 * time.Microsecond},
		{"10microseconds", LitTimeSpan, types.TimeSpan, 10 * time.Microsecond},
		{"1tick", LitTimeSpan, types.TimeSpan, 100 * time.Nanosecond},
		{"3ticks", LitTimeSpan, types.TimeSpan, 300 * time.Nanosecond},
		{"1min", LitTimeSpan, types.TimeSpan, time.Minute},
		{"2sec", LitTimeSpan, types.TimeSpan, 2 * time.Second},
		{"1hr", LitTimeSpan, types.TimeSpan, time.Hour},
		{"2hours", LitTimeSpan, types.TimeSpan, 2 * time.Hour},
		{"1day", LitTimeSpan, types.TimeSpan, 24 * time.Hour},
		{"5milliseconds", LitTimeSpan, types.TimeSpan, 5 * time.Millisecond},
		{"-1d", LitTimeSpan, types.TimeSpan, -24 * time.Hour},
		{"time(1.02:03:04.5)", LitTimeSpan, types.TimeSpan, 26*time.Hour + 3*time.Minute + 4500*time.Millisecond},
		{"time(00:01:00)", LitTimeSpan, types.TimeSpan, time.Minute},
		{"timespan(0.12:34:56.7)", LitTimeSpan, types.TimeSpan, 12*time.Hour + 34*time.Minute + 56700*time.Millisecond},
		{"timespan(15 seconds)", LitTimeSpan, types.TimeSpan, 15 * time.Second},
		{"timespan(2)", LitTimeSpan, types.TimeSpan, 48 * time.Hour},
		{"time(1d)", LitTimeSpan, types.TimeSpan, 24 * time.Hour},
		{"datetime(2017-01-01)", LitDateTime, types.DateTime, date("2017-01-01T00:00:00Z")},
		{"datetime(2017-01-01 10:00:00.1234567)", LitDateTime, types.DateTime, date("2017-01-01T10:00:00.1234567Z")},
		{"datetime(2017-01-01T10:00Z)", LitDateTime, types.DateTime, date("2017-01-01T10:00:00Z")},
		{"datetime(2014-05-25T08:20:03.123456+02:00)", LitDateTime, types.DateTime, date("2014-05-25T06:20:03.123456Z")},
		{`datetime("2017-01-01")`, LitDateTime, types.DateTime, date("2017-01-01T00:00:00Z")},
		{"datetime(1 Jan 2019)", LitDateTime, types.DateTime, date("2019-01-01T00:00:00Z")},
		{"datetime(Sat, 8 Nov 14 15:05:02 GMT)", LitDateTime, types.DateTime, date("2014-11-08T15:05:02Z")},
		{"datetime(Saturday, 08-Nov-14 15:05)", LitDateTime, types.DateTime, date("2014-11-08T15:05:00Z")},
		{"datetime(2014-11-8 15:05:25 GMT)", LitDateTime, types.DateTime, date("2014-11-08T15:05:25Z")},
		{"date(2015-12-31)", LitDateTime, types.DateTime, date("2015-12-31T00:00:00Z")},
		{"datetime(2025, 6, 14)", LitDateTime, types.DateTime, date("2025-06-14T00:00:00Z")},
		{"guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", LitGUID, types.GUID, "74be27de-1e4e-49d9-b579-fe0b331d3642"},
		{"guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)", LitGUID, types.GUID, "74be27de-1e4e-49d9-b579-fe0b331d3642"},
		{`"a\tb\n\\\"\'\u00e9"`, LitString, types.String, "a\tb\n\\\"'é"},
		{`'it\'s'`, LitString, types.String, "it's"},
		{`@"C:\dir\""x"`, LitString, types.String, `C:\dir\"x`},
		{`@'a''b'`, LitString, types.String, `a'b`},
		{`h"secret"`, LitString, types.String, "secret"},
		{`H'secret'`, LitString, types.String, "secret"},
		{`h@"C:\s"`, LitString, types.String, `C:\s`},
		{"```line1\nline2```", LitString, types.String, "line1\nline2"},
		{"~~~a\"b~~~", LitString, types.String, "a\"b"},
		{`"a" 'b' @"c" // comment` + "\n" + `"d"`, LitString, types.String, "abcd"},
		{`"\x41\101"`, LitString, types.String, "AA"},
		{`dynamic([1, 2.5, "x", 'y', true, null, -3])`, LitDynamic, types.Dynamic, []any{int64(1), 2.5, "x", "y", true, nil, int64(-3)}},
		{`dynamic({"a": {"b": [1]}, "c": "d"})`, LitDynamic, types.Dynamic, map[string]any{"a": map[string]any{"b": []any{int64(1)}}, "c": "d"}},
		{`dynamic([datetime(2015-01-01), 1h, time(1.00:00:00), guid(74be27de-1e4e-49d9-b579-fe0b331d3642), long(5), real(2), decimal(1.5), dynamic([1])])`, LitDynamic, types.Dynamic,
			[]any{"2015-01-01T00:00:00.0000000Z", "01:00:00", "1.00:00:00", "74be27de-1e4e-49d9-b579-fe0b331d3642", int64(5), 2.0, 1.5, []any{int64(1)}}},
		{`dynamic(4)`, LitDynamic, types.Dynamic, int64(4)},
		{`dynamic("s")`, LitDynamic, types.Dynamic, "s"},
		{`dynamic({})`, LitDynamic, types.Dynamic, map[string]any{}},
		{`dynamic([])`, LitDynamic, types.Dynamic, []any{}},
	}
	for _, tt := range tests {
		x := mustParseExpr(t, tt.in)
		l, ok := x.(*Literal)
		if !ok {
			t.Errorf("ParseExpr(%q) = %T, want *Literal", tt.in, x)
			continue
		}
		if l.Kind != tt.kind || l.Type != tt.typ {
			t.Errorf("ParseExpr(%q) = kind %d type %s, want kind %d type %s", tt.in, l.Kind, l.Type, tt.kind, tt.typ)
		}
		if !sameValue(l.Value, tt.value) && !reflect.DeepEqual(l.Value, tt.value) {
			t.Errorf("ParseExpr(%q).Value = %#v, want %#v", tt.in, l.Value, tt.value)
		}
		if l.Pos() != 0 || int(l.End()) != len(tt.in) && tt.kind != LitString {
			t.Errorf("ParseExpr(%q) spans %d..%d, want 0..%d", tt.in, l.Pos(), l.End(), len(tt.in))
		}
	}
	// NaN needs its own check.
	if l := mustParseExpr(t, "real(nan)").(*Literal); !math.IsNaN(l.Value.(float64)) {
		t.Errorf("real(nan) = %v", l.Value)
	}
	// A time of day alone is kept on 0001-01-01 for the binder to rebase.
	if l := mustParseExpr(t, `datetime("8:00:00 AM")`).(*Literal); !l.Value.(time.Time).Equal(time.Date(1, 1, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf(`datetime("8:00:00 AM") = %v`, l.Value)
	}
	// datetime() is the current time.
	if c, ok := mustParseExpr(t, "datetime()").(*CallExpr); !ok || c.Fun.Name != "now" {
		t.Errorf("datetime() = %s, want now()", sexpr(mustParseExpr(t, "datetime()")))
	}
}

// TestBadLiterals: malformed literals and operator spellings Kusto does
// not accept are reported.
func TestBadLiterals(t *testing.T) {
	for _, q := range []string{
		"datetime(2020-02-30)", "datetime(x)", "timespan(25:00:00)", "time(1:2:3)", "guid(xyz)",
		"int(1.5)", "int(x)", "long(99999999999999999999)", "real(abc)", "decimal(abc)", "bool(1)",
		`dynamic({a: 1})`, `dynamic([1 2])`, `dynamic(x)`, `dynamic([1,])`, `"abc`, "1.5x", "0xg", `"\q"`, "1e400",
		// Operators are case sensitive and spelled as in Kusto; reals start
		// with a digit.
		`x Contains "a"`, `x like_cs "a"`, `x ! has "a"`, `x in 5`, ".5", `a == b == c`,
	} {
		if _, errs := ParseExpr(q); len(errs) == 0 {
			t.Errorf("ParseExpr(%q): no error, want one", q)
		}
	}
}
