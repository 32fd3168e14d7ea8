package udf

import (
	"database/sql/driver"
	"testing"
)

func TestParseIPv4(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"192.168.1.1", int64(3232235777)},
		{"192.168.1.1/24", int64(3232235776)},
		{"255.255.255.255/31", int64(4294967294)},
		{" 10.0.0.1 ", int64(167772161)},
		{"127.0.0.256", nil},
		{"1.2.3", nil},
		{"1.2.3.4/33", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := parseIPv4UDF([]driver.Value{tt.in})
		if err != nil || got != tt.want {
			t.Errorf("parse_ipv4(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestIPv4Compare(t *testing.T) {
	tests := []struct {
		a, b string
		p    int64
		want int64
		ok   bool
	}{
		{"192.168.1.0", "192.168.1.0", 32, 0, true},
		{"192.168.1.1/24", "192.168.1.255", 32, 0, true},
		{"192.168.1.1", "192.168.1.0", 31, 0, true},
		{"192.168.1.1", "192.168.1.0", 32, 1, true},
		{"10.0.0.1", "10.0.0.2", 32, -1, true},
		{"10.0.0.1", "nope", 32, 0, false},
		{"10.0.0.1", "10.0.0.1", 40, 0, false},
	}
	for _, tt := range tests {
		got, ok := ipv4Compare(tt.a, tt.b, tt.p)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ipv4_compare(%q, %q, %d) = %d, %v; want %d, %v", tt.a, tt.b, tt.p, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIPv4IsPrivate(t *testing.T) {
	tests := []struct {
		in       string
		want, ok bool
	}{
		{"10.1.2.3", true, true},
		{"192.168.1.1/24", true, true},
		{"172.31.255.255", true, true},
		{"172.32.0.0", false, true},
		{"127.0.0.1", false, true},
		{"10.0.0.0/7", false, true},
		{"x", false, false},
	}
	for _, tt := range tests {
		got, ok := ipv4IsPrivate(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ipv4_is_private(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFormatIPv4(t *testing.T) {
	tests := []struct {
		in       string
		mask     int64
		withMask bool
		want     string
	}{
		{"192.168.1.1", 24, false, "192.168.1.0"},
		{"192.168.1.1", 32, true, "192.168.1.1/32"},
		{"192.168.1.1/24", 32, true, "192.168.1.0/24"},
		{"192.168.1.1/24", -1, false, ""},
		{"bad", 32, false, ""},
	}
	for _, tt := range tests {
		if got := formatIPv4Masked(tt.in, tt.mask, tt.withMask); got != tt.want {
			t.Errorf("format_ipv4(%q, %d, %v) = %q; want %q", tt.in, tt.mask, tt.withMask, got, tt.want)
		}
	}
}

func TestHasAnyIPv4(t *testing.T) {
	const text = "05:04:54 127.0.0.1 GET /favicon.ico 404"
	tests := []struct {
		text   string
		wanted []string
		prefix bool
		want   bool
	}{
		{text, []string{"127.0.0.1", "127.0.0.2"}, false, true},
		{text, []string{"127.0.0.2"}, false, false},
		{"05:04:54 127.0.0.256 GET", []string{"127.0.0.256"}, false, false},
		{"05:04:54127.0.0.1 GET", []string{"127.0.0.1"}, false, false},
		{text, []string{"127.0."}, true, true},
		{text, []string{"127.0"}, true, false},
		{"05:04:54 127.0.0.256 GET", []string{"127.0."}, true, false},
		{"05:04:54127.0.0.1 GET", []string{"127.0."}, true, false},
	}
	for _, tt := range tests {
		if got := hasAnyIPv4(tt.text, tt.wanted, tt.prefix); got != tt.want {
			t.Errorf("hasAnyIPv4(%q, %q, %v) = %v; want %v", tt.text, tt.wanted, tt.prefix, got, tt.want)
		}
	}
}

func TestParseIPv6Mask(t *testing.T) {
	tests := []struct {
		in   string
		mask int64
		want string
	}{
		{"192.168.255.255", 120, "0000:0000:0000:0000:0000:ffff:c0a8:ff00"},
		{"192.168.255.255/24", 124, "0000:0000:0000:0000:0000:ffff:c0a8:ff00"},
		{"fe80::85d:e82c:9446:7994", 128, "fe80:0000:0000:0000:085d:e82c:9446:7994"},
		{"fe80::85d:e82c:9446:7994/120", 124, "fe80:0000:0000:0000:085d:e82c:9446:7900"},
		{"::192.168.255.255/24", 128, "0000:0000:0000:0000:0000:ffff:c0a8:ff00"},
		{"nope", 128, ""},
		{"::1", 129, ""},
	}
	for _, tt := range tests {
		got, err := parseIPv6MaskUDF([]driver.Value{tt.in, tt.mask})
		if err != nil || got != tt.want {
			t.Errorf("parse_ipv6_mask(%q, %d) = %v, %v; want %q", tt.in, tt.mask, got, err, tt.want)
		}
	}
}

func TestIPv6Compare(t *testing.T) {
	tests := []struct {
		a, b string
		p    int64
		want int64
	}{
		{"192.168.1.1", "::ffff:c0a8:0101", 128, 0},
		{"::192.168.1.1/30", "192.168.1.255/24", 127, 0},
		{"fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7995", 127, 0},
		{"fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7995", 128, -1},
	}
	for _, tt := range tests {
		got, ok := ipv6Compare(tt.a, tt.b, tt.p)
		if !ok || got != tt.want {
			t.Errorf("ipv6_compare(%q, %q, %d) = %d, %v; want %d", tt.a, tt.b, tt.p, got, ok, tt.want)
		}
	}
}
