package result

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// Layouts of datetime values. Go's formatter truncates the fraction, which
// is what 100 ns resolution wants.
const (
	// textDateTime is Kusto's textual form: always 7 fractional digits.
	textDateTime = "2006-01-02T15:04:05.0000000Z"
	// wireDateTime is the query API's form: trailing zeros trimmed.
	wireDateTime = "2006-01-02T15:04:05.9999999Z"
)

// FormatValue renders v, a cell of a column of type t, as Kusto prints it in
// text: null is the empty string, bool is true/false, datetime is
// 2017-08-01T00:00:00.0000000Z, timespan is [-][d.]hh:mm:ss[.fffffff], real
// uses .NET's shortest round-trip form, guid is lower case, and dynamic is
// compact JSON with a scalar string shown without quotes. A value whose Go
// type does not fit t is rendered by its own Go type; FormatValue never
// fails.
func FormatValue(v any, t types.Type) string {
	if v == nil {
		return ""
	}
	switch t {
	case types.Bool:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b)
		}
	case types.Int, types.Long:
		if n, ok := toInt64(v); ok {
			return strconv.FormatInt(n, 10)
		}
		if n, ok := v.(*big.Int); ok && n != nil {
			return n.String()
		}
	case types.Real:
		if f, ok := toFloat64(v); ok {
			return FormatReal(f)
		}
	case types.Decimal:
		if s, ok := decimalText(v); ok {
			return s
		}
	case types.String:
		if s, ok := v.(string); ok {
			return s
		}
	case types.DateTime:
		if tm, ok := v.(time.Time); ok {
			return FormatDateTime(tm)
		}
	case types.TimeSpan:
		if d, ok := v.(time.Duration); ok {
			return FormatTimespan(d)
		}
	case types.GUID:
		if s, ok := guidText(v); ok {
			return s
		}
	case types.Dynamic:
		if s, err := dynamicText(v); err == nil {
			return s
		}
	}
	return formatByGoType(v)
}

// formatByGoType renders a value whose Go type does not match its column.
func formatByGoType(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return FormatDateTime(x)
	case time.Duration:
		return FormatTimespan(x)
	case float64:
		return FormatReal(x)
	case float32:
		return FormatReal(float64(x))
	case json.RawMessage:
		if s, err := dynamicText(x); err == nil {
			return s
		}
		return string(x)
	case map[string]any, []any:
		if s, err := dynamicText(x); err == nil {
			return s
		}
	case fmt.Stringer:
		return x.String()
	}
	if n, ok := toInt64(v); ok {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprint(v)
}

// FormatDateTime renders t in UTC as Kusto prints a datetime in text, with
// all 7 fractional digits: 2017-08-01T00:00:00.0000000Z.
func FormatDateTime(t time.Time) string {
	return t.UTC().Format(textDateTime)
}

// appendWireDateTime appends t as the query API sends it:
// 2015-12-31T23:59:59.9Z, 2021-06-14T00:00:00Z.
func appendWireDateTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, wireDateTime)
}

// FormatTimespan renders d in .NET's constant format, which Kusto uses for
// timespans: [-][d.]hh:mm:ss[.fffffff]. Days appear only when non-zero and
// the fraction only when non-zero, always with 7 digits; d is truncated to
// 100 ns. Examples: 00:00:10, -12:00:00, 1.02:03:04.5000000.
func FormatTimespan(d time.Duration) string {
	return string(appendTimespan(make([]byte, 0, 24), d))
}

func appendTimespan(b []byte, d time.Duration) []byte {
	ticks := Ticks(d)
	u := uint64(ticks)
	if ticks < 0 {
		b = append(b, '-')
		u = uint64(-ticks) // Ticks(MinInt64) is far from MinInt64: no overflow
	}
	frac := u % 1e7
	secs := u / 1e7
	if days := secs / 86400; days > 0 {
		b = strconv.AppendUint(b, days, 10)
		b = append(b, '.')
	}
	b = appendTwo(b, secs/3600%24)
	b = append(b, ':')
	b = appendTwo(b, secs/60%60)
	b = append(b, ':')
	b = appendTwo(b, secs%60)
	if frac > 0 {
		b = append(b, '.')
		var digits [7]byte
		for i := 6; i >= 0; i-- {
			digits[i] = byte('0' + frac%10)
			frac /= 10
		}
		b = append(b, digits[:]...)
	}
	return b
}

func appendTwo(b []byte, n uint64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// ParseTimespan parses a timespan in .NET's constant format,
// [-][d.]hh:mm:ss[.fffffff], as FormatTimespan and the query API write it.
// Hours must be below 24 and minutes and seconds below 60; the fraction may
// have up to 9 digits and is truncated to 100 ns. It fails on a value
// outside time.Duration's range (about ±292 years).
func ParseTimespan(s string) (time.Duration, error) {
	ticks, err := parseTicks(s)
	if err != nil {
		return 0, err
	}
	const limit = math.MaxInt64 / 100
	if ticks > limit || ticks < -limit {
		return 0, fmt.Errorf("timespan %q is out of range", s)
	}
	return FromTicks(ticks), nil
}

// maxTimespanDays is the day count of .NET's TimeSpan.MaxValue.
const maxTimespanDays = 10675199

// parseTicks parses [-][d.]hh:mm:ss[.fffffff] into 100 ns ticks.
func parseTicks(s string) (int64, error) {
	bad := func() (int64, error) {
		return 0, fmt.Errorf("invalid timespan %q: want [-][d.]hh:mm:ss[.fffffff]", s)
	}
	rest := s
	neg := false
	if strings.HasPrefix(rest, "-") {
		neg = true
		rest = rest[1:]
	}
	var days uint64
	colon := strings.IndexByte(rest, ':')
	if colon < 0 {
		return bad()
	}
	if dot := strings.IndexByte(rest[:colon], '.'); dot >= 0 {
		d, ok := parseDigits(rest[:dot], 1, 8)
		if !ok {
			return bad()
		}
		if d > maxTimespanDays {
			return 0, fmt.Errorf("timespan %q is out of range", s)
		}
		days = d
		rest = rest[dot+1:]
	}
	// hh:mm:ss[.fraction]
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 {
		return bad()
	}
	secPart, fracPart, hasFrac := strings.Cut(parts[2], ".")
	h, ok1 := parseDigits(parts[0], 1, 2)
	m, ok2 := parseDigits(parts[1], 2, 2)
	sec, ok3 := parseDigits(secPart, 2, 2)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return bad()
	}
	var frac uint64
	if hasFrac {
		if len(fracPart) > 7 {
			if _, ok := parseDigits(fracPart, 1, 9); !ok {
				return bad()
			}
			fracPart = fracPart[:7]
		}
		f, ok := parseDigits(fracPart, 1, 7)
		if !ok {
			return bad()
		}
		for i := len(fracPart); i < 7; i++ {
			f *= 10
		}
		frac = f
	}
	total := ((days*86400+h*3600+m*60+sec)*1e7 + frac)
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("timespan %q is out of range", s)
	}
	if neg {
		return -int64(total), nil
	}
	return int64(total), nil
}

// parseDigits parses an unsigned decimal of min to max ASCII digits.
func parseDigits(s string, min, max int) (uint64, bool) {
	if len(s) < min || len(s) > max {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// FormatReal renders f as .NET (and so Kusto) prints a double: the shortest
// digits that round-trip, in fixed notation when the decimal exponent is in
// [-4, 15) and otherwise as 1.5E+20 or 1E-05. NaN and the infinities are
// NaN, Infinity and -Infinity.
func FormatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	if exp >= -4 && exp < 15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	sign := byte('+')
	if exp < 0 {
		sign = '-'
		exp = -exp
	}
	b := make([]byte, 0, len(mant)+6)
	b = append(b, mant...)
	b = append(b, 'E', sign)
	if exp < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, int64(exp), 10)
	return string(b)
}

// appendJSONFloat appends a finite f as a JSON number the way encoding/json
// does: fixed notation unless the magnitude is below 1e-6 or at least 1e21.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendSpecialFloat appends NaN or an infinity as the JSON string Kusto
// sends for it, and reports whether f was one.
func appendSpecialFloat(b []byte, f float64) ([]byte, bool) {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...), true
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...), true
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...), true
	}
	return b, false
}

// toInt64 converts any Go integer kind that fits in int64, and a *big.Int
// that fits.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		if uint64(x) <= math.MaxInt64 {
			return int64(x), true
		}
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case *big.Int:
		if x != nil && x.IsInt64() {
			return x.Int64(), true
		}
	}
	return 0, false
}

// toFloat64 converts floats, integers and json.Number.
func toFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	if n, ok := toInt64(v); ok {
		return float64(n), true
	}
	return 0, false
}

// decimalText returns the digits of a decimal value.
func decimalText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return decimalText(float64(x))
	case json.Number:
		return x.String(), true
	case *big.Int:
		if x != nil {
			return x.String(), true
		}
	case *big.Rat:
		if x != nil {
			return ratText(x), true
		}
	case fmt.Stringer:
		return x.String(), true
	}
	if n, ok := toInt64(v); ok {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// ratText renders an exact rational in fixed notation; a non-terminating
// one is cut at 28 decimals, the precision of .NET's decimal.
func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	if n, exact := r.FloatPrec(); exact {
		return r.FloatString(n)
	}
	s := r.FloatString(28)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// guidText returns the canonical lower-case text of a guid value.
func guidText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.ToLower(x), true
	case [16]byte:
		return formatUUID(x[:]), true
	case *[16]byte:
		if x != nil {
			return formatUUID(x[:]), true
		}
	case []byte:
		if len(x) == 16 {
			return formatUUID(x), true
		}
	case fmt.Stringer:
		return strings.ToLower(x.String()), true
	}
	return "", false
}

func formatUUID(u []byte) string {
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u[10:])
	return string(buf[:])
}

// dynamicText renders a dynamic value for text output: compact JSON, a
// scalar string without quotes, null as the empty string.
func dynamicText(v any) (string, error) {
	b, err := appendDynamic(nil, v)
	if err != nil {
		return "", err
	}
	switch {
	case string(b) == "null":
		return "", nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	return string(b), nil
}

// MarshalDynamic returns the compact JSON text of a dynamic value, as
// WriteJSON embeds it: raw JSON is compacted with its key order kept,
// decoded maps are written with sorted keys, nil is null.
func MarshalDynamic(v any) (json.RawMessage, error) {
	b, err := appendDynamic(nil, v)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

// errNotJSON reports a json.RawMessage that is not valid JSON.
var errNotJSON = errors.New("not valid JSON")

// appendDynamic appends the compact JSON text of a dynamic value. Raw JSON
// is compacted (and so validated) with its key order kept; decoded maps are
// written with sorted keys. Datetimes and timespans nested in a value are
// written as Kusto writes them inside dynamic values: strings in the text
// forms. NaN and the infinities become the strings "NaN", "Infinity" and
// "-Infinity".
func appendDynamic(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case json.RawMessage:
		return appendRawJSON(b, x)
	case []byte:
		return appendRawJSON(b, x)
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendJSONString(b, x), nil
	case float64:
		if out, ok := appendSpecialFloat(b, x); ok {
			return out, nil
		}
		return appendJSONFloat(b, x), nil
	case float32:
		return appendDynamic(b, float64(x))
	case json.Number:
		if !json.Valid([]byte(x)) || x == "" {
			return b, fmt.Errorf("json.Number %q: %w", string(x), errNotJSON)
		}
		return append(b, x...), nil
	case time.Time:
		return appendJSONString(b, FormatDateTime(x)), nil
	case time.Duration:
		return appendJSONString(b, FormatTimespan(x)), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendDynamic(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendDynamic(b, x[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	if n, ok := toInt64(v); ok {
		return strconv.AppendInt(b, n, 10), nil
	}
	if n, ok := v.(*big.Int); ok && n != nil {
		return n.Append(b, 10), nil
	}
	// Other maps and slices, such as a driver's MAP and LIST values.
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Map:
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[fmt.Sprint(it.Key().Interface())] = it.Value().Interface()
		}
		return appendDynamic(b, m)
	case reflect.Slice:
		if rv.Type().Elem().Kind() != reflect.Uint8 {
			list := make([]any, rv.Len())
			for i := range list {
				list[i] = rv.Index(i).Interface()
			}
			return appendDynamic(b, list)
		}
	}
	// Anything else goes through encoding/json, without HTML escaping.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, fmt.Errorf("encode %T as dynamic: %w", v, err)
	}
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...), nil
}

func appendRawJSON(b []byte, raw []byte) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return append(b, "null"...), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return b, fmt.Errorf("%w: %v", errNotJSON, err)
	}
	return append(b, buf.Bytes()...), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Unlike encoding/json it does
// not escape <, > and &, as the query API does not; invalid UTF-8 becomes
// U+FFFD, and U+2028 and U+2029 are escaped for JavaScript consumers.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
