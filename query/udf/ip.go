package udf

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// IP address functions. An address is parsed with an optional /prefix;
// comparisons use the shortest prefix among the operands (and the
// explicit prefix argument), as Kusto does.

func init() {
	V, B := duckdb.TYPE_VARCHAR, duckdb.TYPE_BIGINT
	add(Func{Name: "kql_parse_ipv4", Args: []duckdb.Type{V}, Result: B, Fn: parseIPv4UDF})
	add(Func{Name: "kql_parse_ipv4_mask", Args: []duckdb.Type{V, B}, Result: B, Fn: parseIPv4MaskUDF})
	add(Func{Name: "kql_ipv4_from_long", Args: []duckdb.Type{B}, Result: V, Fn: ipv4FromLongUDF})
	add(Func{Name: "kql_ipv4_compare", Args: []duckdb.Type{V, V, B}, Result: B, Fn: ipv4CompareUDF})
	add(Func{Name: "kql_ipv4_in_range_go", Args: []duckdb.Type{V, V}, Result: duckdb.TYPE_BOOLEAN, Fn: ipv4InRangeUDF})
	add(Func{Name: "kql_ipv4_is_private_go", Args: []duckdb.Type{V}, Result: duckdb.TYPE_BOOLEAN, Fn: ipv4IsPrivateUDF})
	add(Func{Name: "kql_ipv4_netmask_suffix", Args: []duckdb.Type{V}, Result: B, Fn: ipv4NetmaskSuffixUDF})
	add(Func{Name: "kql_format_ipv4", Args: []duckdb.Type{V, B, duckdb.TYPE_BOOLEAN}, Result: V, Fn: formatIPv4UDF})
	add(Func{Name: "kql_has_any_ipv4", Args: []duckdb.Type{V, V, duckdb.TYPE_BOOLEAN}, Result: duckdb.TYPE_BOOLEAN, Fn: hasAnyIPv4UDF})
	add(Func{Name: "kql_parse_ipv6_mask", Args: []duckdb.Type{V, B}, Result: V, Fn: parseIPv6MaskUDF})
	add(Func{Name: "kql_ipv6_compare", Args: []duckdb.Type{V, V, B}, Result: B, Fn: ipv6CompareUDF})
	add(Func{Name: "kql_ipv6_in_range", Args: []duckdb.Type{V, V}, Result: duckdb.TYPE_BOOLEAN, Fn: ipv6InRangeUDF})
}

// ipv4 is a parsed IPv4 address with its prefix length.
type ipv4 struct {
	addr   uint32
	prefix int
}

// parseIPv4Text parses a strict dotted quad ("a.b.c.d", each 0–255).
func parseIPv4Text(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return 0, false
	}
	var v uint32
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return 0, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p[0] == '+' || p[0] == '-' {
			return 0, false
		}
		v = v<<8 | uint32(n)
	}
	return v, true
}

// parseIPv4 parses "a.b.c.d[/n]".
func parseIPv4(s string) (ipv4, bool) {
	s = strings.TrimSpace(s)
	addr, pre, hasPre := strings.Cut(s, "/")
	v, ok := parseIPv4Text(addr)
	if !ok {
		return ipv4{}, false
	}
	p := 32
	if hasPre {
		n, err := strconv.Atoi(strings.TrimSpace(pre))
		if err != nil || n < 0 || n > 32 {
			return ipv4{}, false
		}
		p = n
	}
	return ipv4{v, p}, true
}

func mask4(v uint32, prefix int) uint32 {
	if prefix <= 0 {
		return 0
	}
	if prefix >= 32 {
		return v
	}
	return v &^ (1<<(32-prefix) - 1)
}

func formatIPv4(v uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&255, v>>8&255, v&255)
}

func strArg(v driver.Value) string {
	s, _ := v.(string)
	return s
}

func intArg(v driver.Value) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	}
	return 0, false
}

func parseIPv4UDF(args []driver.Value) (any, error) {
	ip, ok := parseIPv4(strArg(args[0]))
	if !ok {
		return nil, nil
	}
	return int64(mask4(ip.addr, ip.prefix)), nil
}

func parseIPv4MaskUDF(args []driver.Value) (any, error) {
	ip, ok := parseIPv4(strArg(args[0]))
	m, ok2 := intArg(args[1])
	if !ok || !ok2 || m < 0 || m > 32 {
		return nil, nil
	}
	return int64(mask4(ip.addr, min(ip.prefix, int(m)))), nil
}

func ipv4FromLongUDF(args []driver.Value) (any, error) {
	n, ok := intArg(args[0])
	if !ok || n < 0 || n > 0xFFFFFFFF {
		return nil, nil
	}
	return formatIPv4(uint32(n)), nil
}

// ipv4Compare compares a and b on their common prefix (at most p bits):
// -1, 0 or 1, or false when an operand is not an address.
func ipv4Compare(a, b string, p int64) (int64, bool) {
	x, ok1 := parseIPv4(a)
	y, ok2 := parseIPv4(b)
	if !ok1 || !ok2 || p < 0 || p > 32 {
		return 0, false
	}
	pre := min(x.prefix, y.prefix, int(p))
	u, v := mask4(x.addr, pre), mask4(y.addr, pre)
	switch {
	case u < v:
		return -1, true
	case u > v:
		return 1, true
	}
	return 0, true
}

func ipv4CompareUDF(args []driver.Value) (any, error) {
	p, _ := intArg(args[2])
	r, ok := ipv4Compare(strArg(args[0]), strArg(args[1]), p)
	if !ok {
		return nil, nil
	}
	return r, nil
}

// ipv4InRange tells whether ip lies in the range (a CIDR or an address).
func ipv4InRange(ip, rng string) (bool, bool) {
	x, ok1 := parseIPv4(ip)
	r, ok2 := parseIPv4(rng)
	if !ok1 || !ok2 {
		return false, false
	}
	return mask4(x.addr, r.prefix) == mask4(r.addr, r.prefix), true
}

func ipv4InRangeUDF(args []driver.Value) (any, error) {
	in, ok := ipv4InRange(strArg(args[0]), strArg(args[1]))
	if !ok {
		return nil, nil
	}
	return in, nil
}

var privateRanges = []ipv4{{10 << 24, 8}, {172<<24 | 16<<16, 12}, {192<<24 | 168<<16, 16}}

func ipv4IsPrivate(s string) (bool, bool) {
	ip, ok := parseIPv4(s)
	if !ok {
		return false, false
	}
	for _, r := range privateRanges {
		if ip.prefix >= r.prefix && mask4(ip.addr, r.prefix) == r.addr {
			return true, true
		}
	}
	return false, true
}

func ipv4IsPrivateUDF(args []driver.Value) (any, error) {
	p, ok := ipv4IsPrivate(strArg(args[0]))
	if !ok {
		return nil, nil
	}
	return p, nil
}

func ipv4NetmaskSuffixUDF(args []driver.Value) (any, error) {
	ip, ok := parseIPv4(strArg(args[0]))
	if !ok {
		return nil, nil
	}
	return int64(ip.prefix), nil
}

// formatIPv4 renders ip masked to min(its prefix, mask), with the
// "/prefix" suffix when withMask; "" when the input is invalid.
func formatIPv4Masked(s string, mask int64, withMask bool) string {
	ip, ok := parseIPv4(s)
	if !ok || mask < 0 || mask > 32 {
		return ""
	}
	p := min(ip.prefix, int(mask))
	out := formatIPv4(mask4(ip.addr, p))
	if withMask {
		out += "/" + strconv.Itoa(p)
	}
	return out
}

func formatIPv4UDF(args []driver.Value) (any, error) {
	m, ok := intArg(args[1])
	if !ok {
		return "", nil
	}
	withMask, _ := args[2].(bool)
	return formatIPv4Masked(strArg(args[0]), m, withMask), nil
}

// ipv4Tokens returns the IPv4 addresses that occur in text delimited by
// characters that are neither letters, digits nor dots.
func ipv4Tokens(text string) []string {
	var out []string
	isPart := func(c byte) bool {
		return c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
	}
	for i := 0; i < len(text); {
		if !isPart(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isPart(text[j]) {
			j++
		}
		tok := text[i:j]
		if _, ok := parseIPv4Text(tok); ok {
			out = append(out, tok)
		}
		i = j
	}
	return out
}

// validIPv4Prefix accepts a complete address or one to three octets
// followed by a dot.
func validIPv4Prefix(p string) bool {
	if _, ok := parseIPv4Text(p); ok {
		return true
	}
	if !strings.HasSuffix(p, ".") {
		return false
	}
	parts := strings.Split(strings.TrimSuffix(p, "."), ".")
	if len(parts) > 3 {
		return false
	}
	for _, x := range parts {
		n, err := strconv.Atoi(x)
		if err != nil || x == "" || len(x) > 3 || n < 0 || n > 255 {
			return false
		}
	}
	return true
}

// hasAnyIPv4 tells whether text holds one of the addresses (or, with
// prefix, an address starting with one of the prefixes).
func hasAnyIPv4(text string, wanted []string, prefix bool) bool {
	toks := ipv4Tokens(text)
	for _, w := range wanted {
		w = strings.TrimSpace(w)
		if prefix {
			if !validIPv4Prefix(w) {
				continue
			}
		} else if _, ok := parseIPv4Text(w); !ok {
			continue
		}
		for _, t := range toks {
			if prefix && strings.HasPrefix(t, w) || !prefix && t == w {
				return true
			}
			if !prefix {
				a, _ := parseIPv4Text(t)
				b, _ := parseIPv4Text(w)
				if a == b {
					return true
				}
			}
		}
	}
	return false
}

func hasAnyIPv4UDF(args []driver.Value) (any, error) {
	var wanted []any
	if err := json.Unmarshal([]byte(strArg(args[1])), &wanted); err != nil {
		return nil, fmt.Errorf("has_any_ipv4: the addresses are not a JSON array: %w", err)
	}
	var ws []string
	for _, w := range wanted {
		if s, ok := w.(string); ok {
			ws = append(ws, s)
		}
	}
	prefix, _ := args[2].(bool)
	return hasAnyIPv4(strArg(args[0]), ws, prefix), nil
}

// parseIPv6 parses an IPv6 or IPv4 address with an optional prefix. IPv4
// addresses (also in "::a.b.c.d" notation) map to ::ffff:a.b.c.d and
// their prefix counts IPv4 bits.
func parseIPv6(s string) ([16]byte, int, bool) {
	s = strings.TrimSpace(s)
	addr, pre, hasPre := strings.Cut(s, "/")
	var out [16]byte
	p := 128
	if strings.Contains(addr, ".") {
		v4 := addr
		if i := strings.LastIndex(addr, ":"); i >= 0 {
			v4 = addr[i+1:]
		}
		v, ok := parseIPv4Text(v4)
		if !ok {
			return out, 0, false
		}
		if hasPre {
			n, err := strconv.Atoi(strings.TrimSpace(pre))
			if err != nil || n < 0 || n > 32 {
				return out, 0, false
			}
			p = 96 + n
		}
		out[10], out[11] = 0xff, 0xff
		out[12], out[13], out[14], out[15] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		return out, p, true
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return out, 0, false
	}
	if hasPre {
		n, err := strconv.Atoi(strings.TrimSpace(pre))
		if err != nil || n < 0 || n > 128 {
			return out, 0, false
		}
		p = n
	}
	return a.As16(), p, true
}

func mask16(b [16]byte, prefix int) [16]byte {
	for i := range b {
		bits := prefix - i*8
		switch {
		case bits <= 0:
			b[i] = 0
		case bits < 8:
			b[i] &= byte(0xff << (8 - bits))
		}
	}
	return b
}

func formatIPv6Full(b [16]byte) string {
	var sb strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x%02x", b[i], b[i+1])
	}
	return sb.String()
}

func parseIPv6MaskUDF(args []driver.Value) (any, error) {
	b, p, ok := parseIPv6(strArg(args[0]))
	m, ok2 := intArg(args[1])
	if !ok || !ok2 || m < 0 || m > 128 {
		return "", nil
	}
	return formatIPv6Full(mask16(b, min(p, int(m)))), nil
}

func ipv6Compare(a, b string, p int64) (int64, bool) {
	x, px, ok1 := parseIPv6(a)
	y, py, ok2 := parseIPv6(b)
	if !ok1 || !ok2 || p < 0 || p > 128 {
		return 0, false
	}
	pre := min(px, py, int(p))
	u, v := mask16(x, pre), mask16(y, pre)
	for i := range u {
		switch {
		case u[i] < v[i]:
			return -1, true
		case u[i] > v[i]:
			return 1, true
		}
	}
	return 0, true
}

func ipv6CompareUDF(args []driver.Value) (any, error) {
	p, _ := intArg(args[2])
	r, ok := ipv6Compare(strArg(args[0]), strArg(args[1]), p)
	if !ok {
		return nil, nil
	}
	return r, nil
}

func ipv6InRangeUDF(args []driver.Value) (any, error) {
	x, _, ok1 := parseIPv6(strArg(args[0]))
	r, pr, ok2 := parseIPv6(strArg(args[1]))
	if !ok1 || !ok2 {
		return nil, nil
	}
	return mask16(x, pr) == mask16(r, pr), nil
}
