package udf

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"database/sql/driver"
	"encoding/base64"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/bits"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// String, encoding, hashing and regex functions of KQL that SQL cannot
// express exactly.
func init() {
	v, l, d := duckdb.TYPE_VARCHAR, duckdb.TYPE_BIGINT, duckdb.TYPE_DOUBLE
	str1 := func(name string, fn func(string) (any, error)) {
		add(Func{Name: name, Args: []duckdb.Type{v}, Result: v, Fn: func(a []driver.Value) (any, error) {
			s, _ := a[0].(string)
			return fn(s)
		}})
	}
	add(Func{Name: "kql_hash_string", Args: []duckdb.Type{v, l}, Result: l, Fn: hashString})
	add(Func{Name: "kql_hash_long", Args: []duckdb.Type{l, l}, Result: l, Fn: hashLong})
	add(Func{Name: "kql_hash_real", Args: []duckdb.Type{d, l}, Result: l, Fn: hashReal})
	add(Func{Name: "kql_hash_combine", Args: []duckdb.Type{l}, Variadic: true, Result: l, Fn: hashCombine})
	str1("kql_base64_decode_toarray", base64DecodeToArray)
	str1("kql_base64_encode_fromarray", base64EncodeFromArray)
	str1("kql_base64_decode_toguid", base64DecodeToGUID)
	str1("kql_base64_encode_fromguid", base64EncodeFromGUID)
	str1("kql_gzip_decompress", func(s string) (any, error) { return decompressBase64(s, true) })
	str1("kql_zlib_decompress", func(s string) (any, error) { return decompressBase64(s, false) })
	str1("kql_gzip_compress", func(s string) (any, error) { return compressBase64(s, true) })
	str1("kql_zlib_compress", func(s string) (any, error) { return compressBase64(s, false) })
	add(Func{Name: "kql_indexof", Args: []duckdb.Type{v, v, l, l, l}, Result: l, Fn: func(a []driver.Value) (any, error) { return indexOf(a, false) }})
	add(Func{Name: "kql_indexof_regex", Args: []duckdb.Type{v, v, l, l, l}, Result: l, Fn: func(a []driver.Value) (any, error) { return indexOf(a, true) }})
	str1("kql_punycode_domain_from_string", func(s string) (any, error) { return punycodeDomain(s, true), nil })
	str1("kql_punycode_domain_to_string", func(s string) (any, error) { return punycodeDomain(s, false), nil })
	str1("kql_punycode_from_string", func(s string) (any, error) { return punycodeEncode(s), nil })
	str1("kql_punycode_to_string", func(s string) (any, error) {
		r, ok := punycodeDecode(s)
		if !ok {
			return "", nil
		}
		return r, nil
	})
	str1("kql_regex_quote", func(s string) (any, error) { return regexQuote(s), nil })
	add(Func{Name: "kql_replace_strings", Args: []duckdb.Type{v, v, v}, Result: v, Fn: replaceStrings})
	str1("kql_url_encode", func(s string) (any, error) { return urlEncode(s, "+"), nil })
	str1("kql_url_encode_component", func(s string) (any, error) { return urlEncode(s, "%20"), nil })
	str1("kql_url_decode", func(s string) (any, error) { return urlDecode(s), nil })
	add(Func{Name: "kql_extract_all", Args: []duckdb.Type{v, v, v}, Result: v, Fn: extractAll})
	str1("kql_parse_urlquery", parseURLQuery)
	str1("kql_parse_version", parseVersion)
	str1("kql_dynamic_to_json", dynamicToJSON)
	add(Func{Name: "kql_extract_json", Args: []duckdb.Type{v, v}, Result: v, Fn: extractJSON})
	str1("kql_parse_xml", parseXML)
	str1("kql_parse_csv", parseCSV)
	add(Func{Name: "kql_parse_command_line", Args: []duckdb.Type{v, v}, Result: v, Fn: parseCommandLine})
	add(Func{Name: "kql_translate", Args: []duckdb.Type{v, v, v}, Result: v, Fn: strTranslate})
}

// Hashing. Kusto's hash() is XXH64 (seed 0) of the value's bytes: UTF-8
// for strings, the 8 little-endian bytes of longs, reals and datetime
// ticks. A modulo argument > 0 reduces the unsigned hash.

func hashResult(h uint64, mod driver.Value) (any, error) {
	m, _ := mod.(int64)
	if m > 0 {
		return int64(h % uint64(m)), nil
	}
	if m < 0 {
		return nil, nil
	}
	return int64(h), nil
}

func hashString(a []driver.Value) (any, error) {
	s, _ := a[0].(string)
	return hashResult(xxhash64([]byte(s), 0), a[1])
}

func hashLong(a []driver.Value) (any, error) {
	n, _ := a[0].(int64)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	return hashResult(xxhash64(b[:], 0), a[1])
}

func hashReal(a []driver.Value) (any, error) {
	f, _ := a[0].(float64)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
	return hashResult(xxhash64(b[:], 0), a[1])
}

// hashCombine folds hash values into one (the combination Kusto uses is
// not documented; this one is order-sensitive and stable).
func hashCombine(a []driver.Value) (any, error) {
	var h uint64
	for i, x := range a {
		n, ok := x.(int64)
		if !ok {
			return nil, nil
		}
		if i == 0 {
			h = uint64(n)
			continue
		}
		h ^= uint64(n) + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
	}
	return int64(h), nil
}

const (
	xxP1 uint64 = 11400714785074694791
	xxP2 uint64 = 14029467366897019727
	xxP3 uint64 = 1609587929392839161
	xxP4 uint64 = 9650029242287828579
	xxP5 uint64 = 2870177450012600261
)

func xxRound(acc, in uint64) uint64 {
	acc += in * xxP2
	return bits.RotateLeft64(acc, 31) * xxP1
}

func xxMerge(acc, v uint64) uint64 {
	acc ^= xxRound(0, v)
	return acc*xxP1 + xxP4
}

// xxhash64 is the XXH64 hash of b.
func xxhash64(b []byte, seed uint64) uint64 {
	n := len(b)
	var h uint64
	if n >= 32 {
		v1, v2, v3, v4 := seed+xxP1+xxP2, seed+xxP2, seed, seed-xxP1
		for len(b) >= 32 {
			v1 = xxRound(v1, binary.LittleEndian.Uint64(b[0:]))
			v2 = xxRound(v2, binary.LittleEndian.Uint64(b[8:]))
			v3 = xxRound(v3, binary.LittleEndian.Uint64(b[16:]))
			v4 = xxRound(v4, binary.LittleEndian.Uint64(b[24:]))
			b = b[32:]
		}
		h = bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
		h = xxMerge(h, v1)
		h = xxMerge(h, v2)
		h = xxMerge(h, v3)
		h = xxMerge(h, v4)
	} else {
		h = seed + xxP5
	}
	h += uint64(n)
	for len(b) >= 8 {
		h ^= xxRound(0, binary.LittleEndian.Uint64(b))
		h = bits.RotateLeft64(h, 27)*xxP1 + xxP4
		b = b[8:]
	}
	if len(b) >= 4 {
		h ^= uint64(binary.LittleEndian.Uint32(b)) * xxP1
		h = bits.RotateLeft64(h, 23)*xxP2 + xxP3
		b = b[4:]
	}
	for _, c := range b {
		h ^= uint64(c) * xxP5
		h = bits.RotateLeft64(h, 11) * xxP1
	}
	h ^= h >> 33
	h *= xxP2
	h ^= h >> 29
	h *= xxP3
	h ^= h >> 32
	return h
}

// Base64 and compression.

func strJSONText(v any) (any, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func base64DecodeToArray(s string) (any, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, nil
	}
	out := make([]int, len(b))
	for i, c := range b {
		out[i] = int(c)
	}
	return strJSONText(out)
}

func base64EncodeFromArray(s string) (any, error) {
	var arr []json.Number
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&arr); err != nil {
		return nil, nil
	}
	b := make([]byte, len(arr))
	for i, n := range arr {
		x, err := n.Int64()
		if err != nil || x < 0 || x > 255 {
			return nil, nil
		}
		b[i] = byte(x)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// guidBytes orders a GUID's 16 bytes as .NET's Guid.ToByteArray does:
// the first three fields little-endian.
func guidSwap(b []byte) {
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
}

func base64DecodeToGUID(s string) (any, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return nil, nil
	}
	guidSwap(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

func base64EncodeFromGUID(s string) (any, error) {
	h := strings.ReplaceAll(strings.Trim(s, "{}"), "-", "")
	if len(h) != 32 {
		return nil, nil
	}
	b := make([]byte, 16)
	for i := range b {
		x, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, nil
		}
		b[i] = byte(x)
	}
	guidSwap(b)
	return base64.StdEncoding.EncodeToString(b), nil
}

func decompressBase64(s string, isGzip bool) (any, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, nil
	}
	var r io.ReadCloser
	if isGzip {
		r, err = gzip.NewReader(bytes.NewReader(b))
	} else {
		r, err = zlib.NewReader(bytes.NewReader(b))
	}
	if err != nil {
		return nil, nil
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil || !utf8.Valid(out) {
		return nil, nil
	}
	return string(out), nil
}

func compressBase64(s string, isGzip bool) (any, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	if isGzip {
		w = gzip.NewWriter(&buf)
	} else {
		w = zlib.NewWriter(&buf)
	}
	if _, err := w.Write([]byte(s)); err != nil {
		return nil, fmt.Errorf("compress: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compress: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// indexof / indexof_regex(source, lookup, start, length, occurrence).
// Positions count characters. A negative start counts from the end for
// indexof and is invalid (null) for indexof_regex; length -1 means to the
// end. Each further occurrence is searched after the previous match, in a
// window of the same length.
func indexOf(a []driver.Value, isRegex bool) (any, error) {
	s, _ := a[0].(string)
	lookup, _ := a[1].(string)
	start, _ := a[2].(int64)
	length, _ := a[3].(int64)
	occ, _ := a[4].(int64)
	rs := []rune(s)
	n := int64(len(rs))
	if start < 0 {
		if isRegex {
			return nil, nil
		}
		start = max(n+start, 0)
	}
	if length < -1 || occ <= 0 {
		return nil, nil
	}
	var re *regexp.Regexp
	if isRegex {
		var err error
		if re, err = strRegexp(lookup); err != nil {
			return nil, fmt.Errorf("indexof_regex: %w", err)
		}
	}
	lr := []rune(lookup)
	pos := start
	found := int64(-1)
	for k := int64(0); k < occ; k++ {
		if pos > n {
			return int64(-1), nil
		}
		end := n
		if length >= 0 && pos+length < n {
			end = pos + length
		}
		win := string(rs[pos:end])
		var at, mlen int64
		if isRegex {
			loc := re.FindStringIndex(win)
			if loc == nil {
				return int64(-1), nil
			}
			at = int64(utf8.RuneCountInString(win[:loc[0]]))
			mlen = int64(utf8.RuneCountInString(win[loc[0]:loc[1]]))
		} else {
			i := strings.Index(win, lookup)
			if i < 0 {
				return int64(-1), nil
			}
			at = int64(utf8.RuneCountInString(win[:i]))
			mlen = int64(len(lr))
		}
		found = pos + at
		pos = found + max(mlen, 1)
	}
	return found, nil
}

var strRegexpCache sync.Map

// strRegexp compiles a regular expression once per process.
func strRegexp(p string) (*regexp.Regexp, error) {
	if r, ok := strRegexpCache.Load(p); ok {
		return r.(*regexp.Regexp), nil
	}
	r, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	strRegexpCache.Store(p, r)
	return r, nil
}

// Punycode (RFC 3492).

const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

func pcAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}

func pcThreshold(k, bias int) int {
	switch {
	case k <= bias:
		return pcTMin
	case k >= bias+pcTMax:
		return pcTMax
	}
	return k - bias
}

// punycodeDecode decodes one label without its xn-- prefix.
func punycodeDecode(s string) (string, bool) {
	var out []rune
	in := 0
	if b := strings.LastIndexByte(s, '-'); b >= 0 {
		for _, c := range s[:b] {
			if c >= 0x80 {
				return "", false
			}
			out = append(out, c)
		}
		in = b + 1
	}
	i, n, bias := 0, pcInitialN, pcInitialBias
	for in < len(s) {
		oldi, w := i, 1
		for k := pcBase; ; k += pcBase {
			if in >= len(s) {
				return "", false
			}
			c := s[in]
			in++
			var digit int
			switch {
			case c >= '0' && c <= '9':
				digit = int(c-'0') + 26
			case c >= 'a' && c <= 'z':
				digit = int(c - 'a')
			case c >= 'A' && c <= 'Z':
				digit = int(c - 'A')
			default:
				return "", false
			}
			if digit > (math.MaxInt32-i)/w {
				return "", false
			}
			i += digit * w
			t := pcThreshold(k, bias)
			if digit < t {
				break
			}
			w *= pcBase - t
		}
		bias = pcAdapt(i-oldi, len(out)+1, oldi == 0)
		n += i / (len(out) + 1)
		i %= len(out) + 1
		if n > utf8.MaxRune {
			return "", false
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = rune(n)
		i++
	}
	return string(out), true
}

// punycodeEncode encodes one label (without adding the xn-- prefix).
func punycodeEncode(s string) string {
	in := []rune(s)
	var out strings.Builder
	for _, c := range in {
		if c < 0x80 {
			out.WriteRune(c)
		}
	}
	b := out.Len()
	h := b
	if b > 0 {
		out.WriteByte('-')
	}
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	n, delta, bias := pcInitialN, 0, pcInitialBias
	for h < len(in) {
		m := math.MaxInt32
		for _, c := range in {
			if int(c) >= n && int(c) < m {
				m = int(c)
			}
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, c := range in {
			if int(c) < n {
				delta++
			}
			if int(c) == n {
				q := delta
				for k := pcBase; ; k += pcBase {
					t := pcThreshold(k, bias)
					if q < t {
						break
					}
					out.WriteByte(digit(t + (q-t)%(pcBase-t)))
					q = (q - t) / (pcBase - t)
				}
				out.WriteByte(digit(q))
				bias = pcAdapt(delta, h+1, h == b)
				delta = 0
				h++
			}
		}
		delta++
		n++
	}
	return out.String()
}

// punycodeDomain converts each label of a domain name: from "xn--" form
// to Unicode (decode) or back. An invalid label makes the result empty.
func punycodeDomain(s string, decode bool) string {
	labels := strings.Split(s, ".")
	for i, l := range labels {
		if decode {
			if len(l) > 4 && strings.EqualFold(l[:4], "xn--") {
				d, ok := punycodeDecode(l[4:])
				if !ok {
					return ""
				}
				labels[i] = d
			}
			continue
		}
		for _, c := range l {
			if c >= 0x80 {
				labels[i] = "xn--" + punycodeEncode(l)
				break
			}
		}
	}
	return strings.Join(labels, ".")
}

// regexQuote escapes s as .NET's Regex.Escape does.
func regexQuote(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '*', '+', '?', '|', '{', '[', '(', ')', '^', '$', '.', '#', ' ':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// replaceStrings replaces every lookup at once. Where matches of several
// lookups overlap, the lookup earlier in the list wins. A replacement that
// is not a string leaves its lookup's matches as they are.
func replaceStrings(a []driver.Value) (any, error) {
	s, _ := a[0].(string)
	lj, _ := a[1].(string)
	rj, _ := a[2].(string)
	var lookups, repls []any
	if json.Unmarshal([]byte(lj), &lookups) != nil || json.Unmarshal([]byte(rj), &repls) != nil {
		return s, nil
	}
	type match struct{ at, end, k int }
	taken := make([]bool, len(s)+1)
	var chosen []match
	for k, l := range lookups {
		ls, ok := l.(string)
		if !ok || ls == "" {
			continue
		}
		for off := 0; off <= len(s)-len(ls); {
			i := strings.Index(s[off:], ls)
			if i < 0 {
				break
			}
			at := off + i
			free := true
			for p := at; p < at+len(ls); p++ {
				if taken[p] {
					free = false
					break
				}
			}
			if free {
				for p := at; p < at+len(ls); p++ {
					taken[p] = true
				}
				chosen = append(chosen, match{at, at + len(ls), k})
				off = at + len(ls)
			} else {
				off = at + 1
			}
		}
	}
	if len(chosen) == 0 {
		return s, nil
	}
	// Order the matches by position.
	byAt := make([]*match, len(s))
	for i := range chosen {
		byAt[chosen[i].at] = &chosen[i]
	}
	var b strings.Builder
	for p := 0; p < len(s); {
		m := byAt[p]
		if m == nil {
			b.WriteByte(s[p])
			p++
			continue
		}
		r := s[m.at:m.end]
		if m.k < len(repls) {
			if rs, ok := repls[m.k].(string); ok {
				r = rs
			}
		} else {
			r = ""
		}
		b.WriteString(r)
		p = m.end
	}
	return b.String(), nil
}

// urlEncode encodes as .NET's HttpUtility.UrlEncode: lower-case hex,
// letters, digits and -_.!*() kept, space as the given text.
func urlEncode(s, space string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '!', c == '*', c == '(', c == ')':
			b.WriteByte(c)
		case c == ' ':
			b.WriteString(space)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// urlDecode decodes %xx escapes and '+' as space; malformed escapes stay.
func urlDecode(s string) string {
	unhex := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return int(c - '0')
		case c >= 'a' && c <= 'f':
			return int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			return int(c-'A') + 10
		}
		return -1
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0:
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

// extractAll is extract_all(regex, [groups,] text): the matches of a
// regex without groups, the first group's values for one group, or arrays
// of the selected groups (by index or name). No match gives null.
func extractAll(a []driver.Value) (any, error) {
	p, _ := a[0].(string)
	gj, _ := a[1].(string)
	s, _ := a[2].(string)
	re, err := strRegexp(p)
	if err != nil {
		return nil, fmt.Errorf("extract_all: %w", err)
	}
	var groups []int
	if gj != "" {
		var sel []any
		if err := json.Unmarshal([]byte(gj), &sel); err != nil {
			return nil, fmt.Errorf("extract_all: capture groups must be a dynamic array: %w", err)
		}
		for _, g := range sel {
			switch g := g.(type) {
			case float64:
				if g < 0 || int(g) > re.NumSubexp() {
					return nil, fmt.Errorf("extract_all: no capture group %v", g)
				}
				groups = append(groups, int(g))
			case string:
				i := re.SubexpIndex(g)
				if i < 0 {
					return nil, fmt.Errorf("extract_all: no capture group named %q", g)
				}
				groups = append(groups, i)
			default:
				return nil, errors.New("extract_all: capture groups must be indexes or names")
			}
		}
	} else {
		switch re.NumSubexp() {
		case 0:
			groups = []int{0}
		default:
			for i := 1; i <= re.NumSubexp(); i++ {
				groups = append(groups, i)
			}
		}
	}
	ms := re.FindAllStringSubmatch(s, -1)
	if len(ms) == 0 {
		return nil, nil
	}
	out := make([]any, len(ms))
	for i, m := range ms {
		if len(groups) == 1 {
			out[i] = m[groups[0]]
			continue
		}
		row := make([]string, len(groups))
		for j, g := range groups {
			row[j] = m[g]
		}
		out[i] = row
	}
	return strJSONText(out)
}

// parseURLQuery is parse_urlquery: {"Query Parameters": {name: value}}.
func parseURLQuery(s string) (any, error) {
	s = strings.TrimPrefix(s, "?")
	params := map[string]string{}
	for _, kv := range strings.Split(s, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		params[k] = v
	}
	return strJSONText(map[string]any{"Query Parameters": params})
}

// parseVersion is parse_version: up to four dot-separated parts of up to
// eight digits, left-aligned into one decimal (part i times 10^(8*(3-i))).
func parseVersion(s string) (any, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) > 4 || len(parts) == 0 {
		return nil, nil
	}
	total := new(big.Int)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(8), nil)
	for i := 0; i < 4; i++ {
		total.Mul(total, scale)
		if i >= len(parts) {
			continue
		}
		p := parts[i]
		if p == "" || len(p) > 8 {
			return nil, nil
		}
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return nil, nil
		}
		total.Add(total, big.NewInt(n))
	}
	return total.String(), nil
}

func strDecodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// dynamicToJSON renders a dynamic value as JSON with the keys of every
// bag sorted.
func dynamicToJSON(s string) (any, error) {
	v, err := strDecodeJSON(s)
	if err != nil {
		return nil, nil
	}
	return strJSONText(v)
}

// extractJSON is extractjson(path, text): the value at a JSONPath of
// member names ($.a, $['a']) and array indexes ($[0]); strings come back
// without quotes, other values as JSON. A missing value gives null.
func extractJSON(a []driver.Value) (any, error) {
	path, _ := a[0].(string)
	text, _ := a[1].(string)
	v, err := strDecodeJSON(text)
	if err != nil {
		return nil, nil
	}
	p := strings.TrimSpace(path)
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("extractjson: path %q must start with $", path)
	}
	p = p[1:]
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
			i := strings.IndexAny(p, ".[")
			if i < 0 {
				i = len(p)
			}
			name := p[:i]
			p = p[i:]
			if name == "" {
				return nil, fmt.Errorf("extractjson: bad path %q", path)
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, nil
			}
			if v, ok = m[name]; !ok {
				return nil, nil
			}
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, fmt.Errorf("extractjson: bad path %q", path)
			}
			inner := strings.TrimSpace(p[1:end])
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') {
				q := inner[0]
				e := strings.IndexByte(p[2:], q)
				if e < 0 {
					return nil, fmt.Errorf("extractjson: bad path %q", path)
				}
				name := p[2 : 2+e]
				rest := p[2+e+1:]
				close := strings.IndexByte(rest, ']')
				if close < 0 {
					return nil, fmt.Errorf("extractjson: bad path %q", path)
				}
				p = rest[close+1:]
				m, ok := v.(map[string]any)
				if !ok {
					return nil, nil
				}
				if v, ok = m[name]; !ok {
					return nil, nil
				}
				continue
			}
			p = p[end+1:]
			idx, err := strconv.Atoi(inner)
			if err != nil {
				return nil, fmt.Errorf("extractjson: bad index in path %q", path)
			}
			arr, ok := v.([]any)
			if !ok {
				return nil, nil
			}
			if idx < 0 {
				idx += len(arr)
			}
			if idx < 0 || idx >= len(arr) {
				return nil, nil
			}
			v = arr[idx]
		default:
			return nil, fmt.Errorf("extractjson: bad path %q", path)
		}
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return v, nil
	}
	return strJSONText(v)
}

// parseCSV is parse_csv: the fields of the first CSV record.
func parseCSV(s string) (any, error) {
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rec, err := r.Read()
	if err == io.EOF {
		return strJSONText([]string{""})
	}
	if err != nil {
		return nil, nil
	}
	return strJSONText(rec)
}

// parseCommandLine is parse_command_line(cmd, "windows"): the arguments
// as CommandLineToArgvW splits them.
func parseCommandLine(a []driver.Value) (any, error) {
	s, _ := a[0].(string)
	kind, _ := a[1].(string)
	if !strings.EqualFold(kind, "windows") {
		return nil, fmt.Errorf("parse_command_line: unsupported parser %q (only \"windows\")", kind)
	}
	return strJSONText(splitWindowsArgs(s))
}

func splitWindowsArgs(s string) []string {
	args := []string{}
	i := 0
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	// The program name: quotes delimit it and backslashes are literal.
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) {
		var b strings.Builder
		inQ := false
		for ; i < len(s); i++ {
			c := s[i]
			if c == '"' {
				inQ = !inQ
				continue
			}
			if !inQ && isSpace(c) {
				break
			}
			b.WriteByte(c)
		}
		args = append(args, b.String())
	}
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return args
		}
		var b strings.Builder
		inQ := false
		for i < len(s) {
			c := s[i]
			if !inQ && isSpace(c) {
				break
			}
			switch c {
			case '\\':
				n := 0
				for i < len(s) && s[i] == '\\' {
					n++
					i++
				}
				if i < len(s) && s[i] == '"' {
					b.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						b.WriteByte('"')
						i++
					}
				} else {
					b.WriteString(strings.Repeat(`\`, n))
				}
				continue
			case '"':
				if inQ && i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				inQ = !inQ
			default:
				b.WriteByte(c)
			}
			i++
		}
		args = append(args, b.String())
	}
}

// strTranslate(searchList, replacementList, text) maps each character of
// searchList to the character at the same position of replacementList (its
// last one past its end), or deletes it when replacementList is empty.
func strTranslate(a []driver.Value) (any, error) {
	from, _ := a[0].(string)
	to, _ := a[1].(string)
	s, _ := a[2].(string)
	fr, tr := []rune(from), []rune(to)
	m := map[rune]int{}
	for i := len(fr) - 1; i >= 0; i-- {
		m[fr[i]] = i
	}
	var b strings.Builder
	for _, c := range s {
		i, ok := m[c]
		switch {
		case !ok:
			b.WriteRune(c)
		case len(tr) == 0:
		case i < len(tr):
			b.WriteRune(tr[i])
		default:
			b.WriteRune(tr[len(tr)-1])
		}
	}
	return b.String(), nil
}

// parseXML is parse_xml: XML as dynamic, in the usual XML-to-JSON mapping
// (element name → content; attributes as "@name"; text beside attributes
// or elements as "#text"; repeated elements as arrays; an empty element
// as null). Text that is not XML gives null.
func parseXML(s string) (any, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = false
	type node struct {
		name  string
		bag   map[string]any
		order []string
		text  strings.Builder
	}
	put := func(n *node, k string, v any) {
		if old, ok := n.bag[k]; ok {
			if arr, ok := old.([]any); ok && k[0] != '@' {
				n.bag[k] = append(arr, v)
			} else {
				n.bag[k] = []any{old, v}
			}
			return
		}
		n.bag[k] = v
		n.order = append(n.order, k)
	}
	value := func(n *node) any {
		t := strings.TrimSpace(n.text.String())
		if len(n.bag) == 0 {
			if t == "" {
				return nil
			}
			return t
		}
		if t != "" {
			n.bag["#text"] = t
		}
		return n.bag
	}
	root := &node{bag: map[string]any{}}
	stack := []*node{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local, bag: map[string]any{}}
			if t.Name.Space != "" && !strings.Contains(t.Name.Space, "/") {
				n.name = t.Name.Space + ":" + t.Name.Local
			}
			for _, at := range t.Attr {
				name := at.Name.Local
				if at.Name.Space == "xmlns" {
					name = "xmlns:" + name
				} else if at.Name.Space != "" && !strings.Contains(at.Name.Space, "/") {
					name = at.Name.Space + ":" + name
				}
				n.bag["@"+name] = at.Value
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) < 2 {
				return nil, nil
			}
			stack = stack[:len(stack)-1]
			put(stack[len(stack)-1], top.name, value(top))
		case xml.CharData:
			top.text.Write(t)
		}
	}
	if len(stack) != 1 || len(root.bag) == 0 {
		return nil, nil
	}
	return strJSONText(root.bag)
}
