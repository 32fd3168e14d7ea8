package analytics

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"5m", 5 * time.Minute},
		{"1h", time.Hour},
		{"14d", 14 * day},
		{"90m", 90 * time.Minute},
		{"30s", 30 * time.Second},
		{" 6h ", 6 * time.Hour},
		{"PT5M", 5 * time.Minute},
		{"PT1H", time.Hour},
		{"P1D", day},
		{"P14D", 14 * day},
		{"P1DT12H", 36 * time.Hour},
		{"PT1H30M", 90 * time.Minute},
		{"PT1.5S", 1500 * time.Millisecond},
		{"P2W", 14 * day},
		{"pt5m", 5 * time.Minute},
		{"00:05:00", 5 * time.Minute},
		{"05:00", 5 * time.Hour},
		{"14.00:00:00", 14 * day},
		{"1.12:30:00", 36*time.Hour + 30*time.Minute},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "5", "m", "5x", "-5m", "+5m", "5 m", "1.5h", "P", "PT", "P1M", "P1Y", "PT5", "P5H", "PT1M1H",
		"P1DT", "PTT5M", "P-1D", "24:00:00", "1:60", "1:2:3:4", "a.1:00", "99999999999999999999d", "P99999999999D", "PT99999999999999S"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d         time.Duration
		yaml, iso string
	}{
		{5 * time.Minute, "5m", "PT5M"},
		{time.Hour, "1h", "PT1H"},
		{90 * time.Minute, "90m", "PT1H30M"},
		{day, "1d", "P1D"},
		{36 * time.Hour, "36h", "P1DT12H"},
		{14 * day, "14d", "P14D"},
		{30 * time.Second, "30s", "PT30S"},
		{0, "0m", "PT0S"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.yaml {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.yaml)
		}
		if got := FormatISODuration(tt.d); got != tt.iso {
			t.Errorf("FormatISODuration(%v) = %q, want %q", tt.d, got, tt.iso)
		}
		for _, s := range []string{tt.yaml, tt.iso} {
			if back, err := ParseDuration(s); err != nil || back != tt.d {
				t.Errorf("ParseDuration(%q) = %v, %v, want %v", s, back, err, tt.d)
			}
		}
	}
}
