package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/result"
)

// cellMatch reports whether the page's cell text want matches got, an
// actual value of a column of type t. On a mismatch, why may explain it.
func cellMatch(want string, got any, t types.Type) (ok bool, why string) {
	if isNull(got, t) {
		switch want {
		case "", "null", "(null)":
			return true, ""
		}
		return false, ""
	}
	switch t {
	case types.Bool:
		return matchBool(want, got)
	case types.Int, types.Long:
		return matchInteger(want, got)
	case types.Real:
		return matchReal(want, got)
	case types.Decimal:
		return matchDecimal(want, got)
	case types.DateTime:
		return matchDateTime(want, got)
	case types.TimeSpan:
		return matchTimespan(want, got)
	case types.GUID:
		return strings.EqualFold(want, result.FormatValue(got, t)), ""
	case types.Dynamic:
		return matchDynamic(want, got)
	}
	// string, and any type without a rule of its own: exact text.
	return strings.TrimSpace(result.FormatValue(got, t)) == want, ""
}

// isNull reports whether got is a null value: nil, or a dynamic JSON null.
func isNull(got any, t types.Type) bool {
	if got == nil {
		return true
	}
	if t == types.Dynamic {
		if raw, ok := got.(json.RawMessage); ok {
			s := string(bytes.TrimSpace(raw))
			return s == "null" || s == ""
		}
	}
	return false
}

func matchBool(want string, got any) (bool, string) {
	g, ok := got.(bool)
	if !ok {
		return false, fmt.Sprintf("actual value is a Go %T, not a bool", got)
	}
	switch strings.ToLower(want) {
	case "true", "1":
		return g, ""
	case "false", "0":
		return !g, ""
	}
	return false, "page cell is not a bool"
}

// pageNumber is a number as a page prints it.
type pageNumber struct {
	special float64  // NaN or ±Inf when the page shows one; 0 otherwise
	value   *big.Rat // the exact value shown, when finite
	// halfUnit is half a unit in the last digit shown, when the page shows
	// a fraction; nil otherwise.
	halfUnit *big.Rat
}

var (
	thousands  = regexp.MustCompile(`^[-+]?\d{1,3}(,\d{3})+(\.\d*)?([eE][-+]?\d+)?$`)
	numberText = regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)
)

// parseNumber reads a page's number: thousands separators are dropped, and
// NaN, Infinity, -Infinity, ∞ and -∞ are the special values.
func parseNumber(s string) (pageNumber, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.EqualFold(s, "NaN"):
		return pageNumber{special: math.NaN()}, true
	case strings.EqualFold(s, "Infinity"), strings.EqualFold(s, "+Infinity"), s == "∞", s == "+∞":
		return pageNumber{special: math.Inf(1)}, true
	case strings.EqualFold(s, "-Infinity"), s == "-∞":
		return pageNumber{special: math.Inf(-1)}, true
	}
	if thousands.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	if !numberText.MatchString(s) {
		return pageNumber{}, false
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		// Beyond any float64; refusing it also keeps big.Rat small.
		e, err := strconv.Atoi(expText)
		if err != nil || e > 400 || e < -400 {
			return pageNumber{}, false
		}
		exp = e
	}
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		return pageNumber{}, false
	}
	n := pageNumber{value: v}
	if dot := strings.IndexByte(mant, '.'); dot >= 0 {
		decimals := len(mant) - dot - 1
		// half unit = 5 × 10^(exp - decimals - 1)
		p := exp - decimals - 1
		half := big.NewRat(5, 1)
		pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(p))), nil))
		if p >= 0 {
			half.Mul(half, pow)
		} else {
			half.Quo(half, pow)
		}
		n.halfUnit = half
	}
	return n, true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// isSpecial reports whether the page shows NaN or an infinity.
func (n pageNumber) isSpecial() bool { return n.value == nil }

// matchSpecial compares a page's NaN or infinity with an actual float.
func (n pageNumber) matchSpecial(g float64) bool {
	if math.IsNaN(n.special) {
		return math.IsNaN(g)
	}
	return g == n.special
}

// close reports whether an actual float is near enough to the page's
// finite number: within a relative 1e-9, within 1e-12 absolute (for values
// that should be zero), or within half a unit in the last digit shown.
func (n pageNumber) close(g float64) bool {
	if math.IsNaN(g) || math.IsInf(g, 0) {
		return false
	}
	w, _ := n.value.Float64()
	diff := math.Abs(g - w)
	if diff <= 1e-9*math.Max(math.Abs(g), math.Abs(w)) || diff <= 1e-12 {
		return true
	}
	if n.halfUnit != nil {
		h, _ := n.halfUnit.Float64()
		return diff <= h*(1+1e-9)
	}
	return false
}

// exactRat converts an actual numeric value to an exact rational: Go
// integers, *big.Int, finite floats, and decimal text (string,
// json.Number, fmt.Stringer such as a driver's decimal).
func exactRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), true
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int16:
		return new(big.Rat).SetInt64(int64(x)), true
	case int8:
		return new(big.Rat).SetInt64(int64(x)), true
	case uint8:
		return new(big.Rat).SetInt64(int64(x)), true
	case uint16:
		return new(big.Rat).SetInt64(int64(x)), true
	case uint32:
		return new(big.Rat).SetInt64(int64(x)), true
	case uint64:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(x)), true
	case uint:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(uint64(x))), true
	case *big.Int:
		if x == nil {
			return nil, false
		}
		return new(big.Rat).SetInt(x), true
	case *big.Rat:
		return x, x != nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case float32:
		return exactRat(float64(x))
	case string:
		return new(big.Rat).SetString(strings.TrimSpace(x))
	case json.Number:
		return new(big.Rat).SetString(string(x))
	case fmt.Stringer:
		return new(big.Rat).SetString(x.String())
	}
	return nil, false
}

// actualFloat converts an actual numeric value to a float.
func actualFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	r, ok := exactRat(v)
	if !ok {
		return 0, false
	}
	f, _ := r.Float64()
	return f, true
}

func matchInteger(want string, got any) (bool, string) {
	w, ok := parseNumber(want)
	if !ok || w.isSpecial() {
		return false, "page cell is not an integer"
	}
	g, ok := exactRat(got)
	if !ok {
		return false, fmt.Sprintf("actual value is a Go %T, not an integer", got)
	}
	return w.value.Cmp(g) == 0, ""
}

func matchReal(want string, got any) (bool, string) {
	w, ok := parseNumber(want)
	if !ok {
		return false, "page cell is not a number"
	}
	g, ok := actualFloat(got)
	if !ok {
		return false, fmt.Sprintf("actual value is a Go %T, not a number", got)
	}
	if w.isSpecial() {
		return w.matchSpecial(g), ""
	}
	return w.close(g), ""
}

// matchDecimal compares exactly, or within half a unit in the last digit
// the page shows; a decimal that arrives as a float is compared as a real.
func matchDecimal(want string, got any) (bool, string) {
	switch got.(type) {
	case float64, float32:
		return matchReal(want, got)
	}
	w, ok := parseNumber(want)
	if !ok || w.isSpecial() {
		return false, "page cell is not a decimal number"
	}
	g, ok := exactRat(got)
	if !ok {
		return false, fmt.Sprintf("actual value %v is not a decimal number", got)
	}
	if w.value.Cmp(g) == 0 {
		return true, ""
	}
	if w.halfUnit != nil {
		diff := new(big.Rat).Sub(w.value, g)
		return diff.Abs(diff).Cmp(w.halfUnit) <= 0, ""
	}
	return false, ""
}

// pageDateTimeLayouts are the datetime forms the pages use. Go's parser
// accepts a fractional second after the seconds even when the layout has
// none. A form without a zone is UTC.
var pageDateTimeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDateTime reads a page's datetime as UTC.
func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range pageDateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func matchDateTime(want string, got any) (bool, string) {
	w, ok := parseDateTime(want)
	if !ok {
		return false, "page cell is not a datetime"
	}
	var g time.Time
	switch x := got.(type) {
	case time.Time:
		g = x.UTC()
	case string:
		if g, ok = parseDateTime(x); !ok {
			return false, "actual string is not a datetime"
		}
	default:
		return false, fmt.Sprintf("actual value is a Go %T, not a time.Time", got)
	}
	// Compare at 100 ns: whole seconds, then ticks within the second.
	return w.Unix() == g.Unix() && w.Nanosecond()/100 == g.Nanosecond()/100, ""
}

func matchTimespan(want string, got any) (bool, string) {
	w, err := result.ParseTimespan(strings.TrimSpace(want))
	if err != nil {
		return false, "page cell is not a timespan"
	}
	var g time.Duration
	switch x := got.(type) {
	case time.Duration:
		g = x
	case string:
		if g, err = result.ParseTimespan(strings.TrimSpace(x)); err != nil {
			return false, "actual string is not a timespan"
		}
	default:
		return false, fmt.Sprintf("actual value is a Go %T, not a time.Duration", got)
	}
	return result.Ticks(w) == result.Ticks(g), ""
}

// decodeJSON parses one JSON value, numbers as json.Number, and rejects
// trailing text.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the JSON value")
	}
	return v, nil
}

func matchDynamic(want string, got any) (bool, string) {
	raw, err := result.MarshalDynamic(got)
	if err != nil {
		return false, fmt.Sprintf("actual value is not a dynamic value: %v", err)
	}
	g, err := decodeJSON(raw)
	if err != nil {
		return false, fmt.Sprintf("actual value is not JSON: %v", err)
	}
	w, werr := decodeJSON([]byte(want))
	if werr == nil {
		if d := jsonDiff(w, g, "$"); d == "" {
			return true, ""
		} else if s, ok := g.(string); ok && s == want {
			return true, "" // a scalar string shown without quotes
		} else {
			return false, d
		}
	}
	if s, ok := g.(string); ok && strings.TrimSpace(s) == want {
		return true, "" // a scalar string shown without quotes
	}
	return false, fmt.Sprintf("page cell is not JSON: %v", werr)
}

// jsonDiff returns "" when the decoded JSON values w (page) and g (actual)
// are equal — objects regardless of key order, arrays in order, numbers
// numerically, strings exactly — or else where and how they differ.
func jsonDiff(w, g any, path string) string {
	switch wv := w.(type) {
	case nil:
		if g == nil {
			return ""
		}
	case bool:
		if gv, ok := g.(bool); ok && gv == wv {
			return ""
		}
	case string:
		if gv, ok := g.(string); ok && gv == wv {
			return ""
		}
	case json.Number:
		if gv, ok := g.(json.Number); ok && numbersEqual(wv, gv) {
			return ""
		}
	case []any:
		gv, ok := g.([]any)
		if !ok {
			break
		}
		if len(gv) != len(wv) {
			return fmt.Sprintf("%s: array of %d elements, got %d", path, len(wv), len(gv))
		}
		for i := range wv {
			if d := jsonDiff(wv[i], gv[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(wv))
		for k := range wv {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if _, ok := gv[k]; !ok {
				return fmt.Sprintf("%s: key %q is missing", path, k)
			}
			if d := jsonDiff(wv[k], gv[k], path+"."+k); d != "" {
				return d
			}
		}
		extra := make([]string, 0)
		for k := range gv {
			if _, ok := wv[k]; !ok {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			slices.Sort(extra)
			return fmt.Sprintf("%s: unexpected keys %q", path, extra)
		}
		return ""
	}
	return fmt.Sprintf("%s: want %s, got %s", path, jsonText(w), jsonText(g))
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// numbersEqual compares JSON numbers: integers exactly, others as reals
// with the page's tolerance.
func numbersEqual(w, g json.Number) bool {
	isInt := func(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }
	if isInt(w) && isInt(g) {
		wi, ok1 := new(big.Int).SetString(string(w), 10)
		gi, ok2 := new(big.Int).SetString(string(g), 10)
		return ok1 && ok2 && wi.Cmp(gi) == 0
	}
	pn, ok := parseNumber(string(w))
	if !ok {
		return false
	}
	gf, err := strconv.ParseFloat(string(g), 64)
	if err != nil {
		return false
	}
	return pn.close(gf)
}
