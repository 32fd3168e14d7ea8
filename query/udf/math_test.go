package udf

import (
	"math"
	"testing"
	"time"
)

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func TestBeta(t *testing.T) {
	tests := []struct {
		name    string
		f       func(x, a, b float64) float64
		x, a, b float64
		want    float64
	}{
		{"cdf", betaCDF, 0.9, 10, 20, 0.999999999999959},
		{"cdf", betaCDF, 0.5, 2, 2, 0.5},
		{"cdf", betaCDF, 0.2, 1, 1, 0.2},
		{"cdf x>1", betaCDF, 1.5, 10, 20, math.NaN()},
		{"cdf a<0", betaCDF, 0.1, -1, 20, math.NaN()},
		{"pdf", betaPDF, 0.5, 2, 3, 1.5},
		{"inv", betaInv, 0.1, 10, 20, 0.226415022388749},
		{"inv a<0", betaInv, 0.1, -1, 20, math.NaN()},
	}
	for _, tt := range tests {
		if got := tt.f(tt.x, tt.a, tt.b); !near(got, tt.want, 1e-12) {
			t.Errorf("beta %s(%v, %v, %v) = %v; want %v", tt.name, tt.x, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestConvertUnit(t *testing.T) {
	tests := []struct {
		q        string
		x        float64
		from, to string
		want     float64
		ok       bool
	}{
		{"angle", 1.2, "Degree", "Arcminute", 72, true},
		{"force", 1.2, "Newton", "Decanewton", 0.12, true},
		{"length", 1.2, "Meter", "Foot", 3.93700787401575, true},
		{"temperature", 1.2, "Kelvin", "DegreeCelsius", -271.95, true},
		{"temperature", 100, "DegreeCelsius", "DegreeFahrenheit", 212, true},
		{"volume", 1.2, "CubicMeter", "AcreFoot", 0.0009728568, true},
		{"mass", 1.2, "Kilogram", "Pound", 2.64554714621853, true},
		{"speed", 1.2, "MeterPerSecond", "CentimeterPerHour", 432000, true},
		{"energy", 1.2, "Joule", "BritishThermalUnit", 0.00113738054437598, true},
		{"length", 1, "Meter", "Furlong", 0, false},
	}
	for _, tt := range tests {
		got, ok := convertUnit(tt.q, tt.x, tt.from, tt.to)
		if ok != tt.ok || ok && !near(got, tt.want, 1e-9) {
			t.Errorf("convert_%s(%v, %s, %s) = %v, %v; want %v, %v", tt.q, tt.x, tt.from, tt.to, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFormatDateTime(t *testing.T) {
	dt := time.Date(2017, 1, 29, 9, 0, 5, 0, time.UTC)
	frac := time.Date(2009, 6, 15, 13, 45, 30, 617542500, time.UTC)
	tests := []struct {
		t    time.Time
		f    string
		want string
	}{
		{dt, "yy-MM-dd [HH:mm:ss]", "17-01-29 [09:00:05]"},
		{dt, "yyyy-M-dd [H:mm:ss]", "2017-1-29 [9:00:05]"},
		{dt, "yy-MM-dd [hh:mm:ss tt]", "17-01-29 [09:00:05 AM]"},
		{frac, "y h hh tt", "9 1 01 PM"},
		{frac, "s.f|ff|fff|fffffff", "30.6|61|617|6175425"},
		{frac, "FFFFFFF", "6175425"},
		{dt, "ss.FFF", "05"},
		{time.Date(2009, 6, 15, 13, 45, 30, 115000, time.UTC), "FFFFFFF", "000115"},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "yyyy y yy", "0001 1 01"},
	}
	for _, tt := range tests {
		if got := formatDateTime(tt.t, tt.f); got != tt.want {
			t.Errorf("format_datetime(%v, %q) = %q; want %q", tt.t, tt.f, got, tt.want)
		}
	}
}

func TestBuildSchema(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`[{"x":1, "y":3.5}, {"x":"somevalue", "z":[1, 2, 3]}, {"y":{"w":"zzz"}, "t":["aa", "bb"], "z":["foo"]}]`,
			`{"t":{"indexer":"string"},"x":["long","string"],"y":["double",{"w":"string"}],"z":{"indexer":["long","string"]}}`},
		{`[1, 2]`, `"long"`},
		{`[null]`, ``},
		{`[]`, ``},
		{`[true, [1.5]]`, `["bool",{"indexer":"double"}]`},
	}
	for _, tt := range tests {
		got, err := buildSchema(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("buildSchema(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := buildSchema("not json"); err == nil {
		t.Error("buildSchema(not json): want an error")
	}
}
