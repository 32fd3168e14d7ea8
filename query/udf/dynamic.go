package udf

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// kql_dyn(op, args…) runs the dynamic-value operation op over arguments
// given as JSON text ('null' for a null). It returns JSON text for dynamic
// results, the plain value text for scalar results (so SQL can cast it),
// or SQL NULL.
func init() {
	add(Func{Name: "kql_dyn", Args: []duckdb.Type{duckdb.TYPE_VARCHAR, duckdb.TYPE_VARCHAR}, Result: duckdb.TYPE_VARCHAR, Variadic: true, Fn: dynCall})
}

// dynOp is one operation over decoded JSON values (nil, bool, string,
// json.Number, []any, map[string]any). Results may also hold int64,
// float64 and the scalar wrapper.
type dynOp func(args []any) (any, error)

// dynOps is filled by the families' init functions (dynamic.go, series.go).
var dynOps = map[string]dynOp{}

func addOps(m map[string]dynOp) {
	for k, v := range m {
		if _, dup := dynOps[k]; dup {
			panic("udf: duplicate dynamic operation " + k)
		}
		dynOps[k] = v
	}
}

// dynScalar marks a top-level result that SQL casts to a scalar type:
// it is printed without JSON quoting.
type dynScalar struct{ v any }

func dynCall(args []driver.Value) (any, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("kql_dyn: missing operation")
	}
	op, _ := args[0].(string)
	f, ok := dynOps[op]
	if !ok {
		return nil, fmt.Errorf("kql_dyn: unknown operation %q", op)
	}
	vals := make([]any, len(args)-1)
	for i, a := range args[1:] {
		s, ok := a.(string)
		if !ok || s == "" {
			continue
		}
		v, err := dynDecode(s)
		if err != nil {
			// Not JSON: the text itself is the value.
			vals[i] = s
			continue
		}
		vals[i] = v
	}
	res, err := f(vals)
	if err != nil {
		return nil, fmt.Errorf("kql_dyn %s: %w", op, err)
	}
	if res == nil {
		return nil, nil
	}
	if sr, ok := res.(dynScalar); ok {
		if sr.v == nil {
			return nil, nil
		}
		switch v := sr.v.(type) {
		case string:
			return v, nil
		case float64:
			return dynFormatFloat(v, false), nil
		}
		return dynEncode(sr.v), nil
	}
	return dynEncode(res), nil
}

func dynDecode(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

// dynFormatFloat prints a real the way Kusto prints it inside dynamic values
// (1.0, 0.25); non-finite values are quoted strings in JSON.
func dynFormatFloat(f float64, quoted bool) string {
	switch {
	case math.IsNaN(f):
		if quoted {
			return `"NaN"`
		}
		return "NaN"
	case math.IsInf(f, 1):
		if quoted {
			return `"Infinity"`
		}
		return "Infinity"
	case math.IsInf(f, -1):
		if quoted {
			return `"-Infinity"`
		}
		return "-Infinity"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func dynEncode(v any) string {
	var b bytes.Buffer
	dynWrite(&b, v)
	return b.String()
}

func dynWrite(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(v.String())
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		b.WriteString(dynFormatFloat(v, true))
	case string:
		s, _ := json.Marshal(v)
		b.Write(s)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			dynWrite(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			s, _ := json.Marshal(k)
			b.Write(s)
			b.WriteByte(':')
			dynWrite(b, v[k])
		}
		b.WriteByte('}')
	case dynScalar:
		dynWrite(b, v.v)
	default:
		s, err := json.Marshal(v)
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(s)
	}
}

// Helpers over decoded values.

func dynArray(v any) ([]any, bool) {
	a, ok := v.([]any)
	return a, ok
}

// dynInt reads an integer argument (a JSON number), or def.
func dynInt(v any, def int64) int64 {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i
		}
		if f, err := n.Float64(); err == nil {
			return int64(f)
		}
	case int64:
		return n
	case float64:
		return int64(n)
	case bool:
		if n {
			return 1
		}
		return 0
	}
	return def
}

// dynFloat reads a number; ok is false for null and non-numbers.
func dynFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

func dynBool(v any, def bool) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		if p, err := strconv.ParseBool(b); err == nil {
			return p
		}
	case json.Number:
		f, _ := b.Float64()
		return f != 0
	}
	return def
}

// dynKey is a value's identity for equality and sets: numbers compare by
// value, other values by their JSON text.
func dynKey(v any) string {
	if f, ok := dynFloat(v); ok {
		return "n:" + strconv.FormatFloat(f, 'g', -1, 64)
	}
	return "j:" + dynEncode(v)
}

// dynCompare orders values for array_sort: numbers before strings before
// other values; within a kind, by value.
func dynCompare(a, b any) int {
	rank := func(v any) int {
		switch v.(type) {
		case bool:
			return 0
		case json.Number, int64, float64:
			return 1
		case string:
			return 2
		}
		return 3
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra - rb
	}
	switch ra {
	case 0:
		ba, bb := a.(bool), b.(bool)
		switch {
		case ba == bb:
			return 0
		case !ba:
			return -1
		}
		return 1
	case 1:
		fa, _ := dynFloat(a)
		fb, _ := dynFloat(b)
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	case 2:
		return strings.Compare(a.(string), b.(string))
	}
	return strings.Compare(dynEncode(a), dynEncode(b))
}

func dynDistinct(vals []any) []any {
	seen := map[string]bool{}
	out := []any{}
	for _, v := range vals {
		k := dynKey(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

func init() {
	addOps(map[string]dynOp{
		"array_iff":       arrayIff,
		"array_index_of":  arrayIndexOf,
		"array_reverse":   arrayReverse,
		"array_rotate":    arrayRotate,
		"array_shift":     arrayShift,
		"array_split":     arraySplit,
		"array_sort":      arraySort,
		"set_has_element": setHasElement,
		"set_union":       setUnion,
		"set_intersect":   setIntersect,
		"set_difference":  setDifference,
		"jaccard_index":   jaccardIndex,
		"set_distinct":    setDistinct,
		"bag_remove_keys": bagRemoveKeys,
		"bag_drop_empty":  bagDropEmpty,
		"range":           dynRange,
	})
}

// arrayIff(cond, ifTrue, ifFalse): element-wise iff; a scalar branch
// applies to every element, an array branch element by element.
func arrayIff(a []any) (any, error) {
	cond, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	pick := func(branch any, i int) any {
		if arr, ok := dynArray(branch); ok {
			if i < len(arr) {
				return arr[i]
			}
			return nil
		}
		return branch
	}
	out := make([]any, len(cond))
	for i, c := range cond {
		switch c := c.(type) {
		case bool:
			if c {
				out[i] = pick(a[1], i)
			} else {
				out[i] = pick(a[2], i)
			}
		case json.Number:
			if f, _ := c.Float64(); f != 0 {
				out[i] = pick(a[1], i)
			} else {
				out[i] = pick(a[2], i)
			}
		}
	}
	return out, nil
}

// arrayIndexOf(arr, value, start, length, occurrence).
func arrayIndexOf(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	n := int64(len(arr))
	start := dynInt(a[2], 0)
	length := dynInt(a[3], -1)
	occ := dynInt(a[4], 1)
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	end := n
	if length >= 0 && start+length < n {
		end = start + length
	}
	if occ < 1 {
		return dynScalar{int64(-1)}, nil
	}
	key := dynKey(a[1])
	for i := start; i < end; i++ {
		if dynKey(arr[i]) == key {
			occ--
			if occ == 0 {
				return dynScalar{i}, nil
			}
		}
	}
	return dynScalar{int64(-1)}, nil
}

func arrayReverse(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	out := make([]any, len(arr))
	for i, v := range arr {
		out[len(arr)-1-i] = v
	}
	return out, nil
}

// arrayRotate(arr, n): rotate left by n (negative rotates right).
func arrayRotate(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	n := len(arr)
	if n == 0 {
		return arr, nil
	}
	k := int(dynInt(a[1], 0) % int64(n))
	if k < 0 {
		k += n
	}
	out := append(append([]any{}, arr[k:]...), arr[:k]...)
	return out, nil
}

// arrayShift(arr, n, fill): shift left by n (negative shifts right),
// filling vacated positions with fill.
func arrayShift(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	n := len(arr)
	k := int(dynInt(a[1], 0))
	out := make([]any, n)
	for i := range out {
		j := i + k
		if j >= 0 && j < n {
			out[i] = arr[j]
		} else {
			out[i] = a[2]
		}
	}
	return out, nil
}

// arraySplit(arr, indexes): split before each index (a number or an
// array of numbers; negative counts from the end).
func arraySplit(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	n := int64(len(arr))
	var idx []int64
	if ix, ok := dynArray(a[1]); ok {
		for _, v := range ix {
			idx = append(idx, dynInt(v, 0))
		}
	} else {
		idx = append(idx, dynInt(a[1], 0))
	}
	out := []any{}
	prev := int64(0)
	for _, i := range idx {
		if i < 0 {
			i += n
		}
		if i < prev {
			i = prev
		}
		if i > n {
			i = n
		}
		out = append(out, append([]any{}, arr[prev:i]...))
		prev = i
	}
	out = append(out, append([]any{}, arr[prev:]...))
	return out, nil
}

// arraySort(desc, nullsLast, arrays…): sorts the first array and reorders
// the others the same way. With one array the result is that array; with
// several, an array of the reordered arrays.
func arraySort(a []any) (any, error) {
	desc := dynBool(a[0], false)
	nullsLast := dynBool(a[1], true)
	if a[1] == nil {
		nullsLast = true
	}
	arrs := a[2:]
	if len(arrs) == 0 {
		return nil, nil
	}
	first, ok := dynArray(arrs[0])
	if !ok {
		return nil, nil
	}
	perm := make([]int, len(first))
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(x, y int) bool {
		vx, vy := first[perm[x]], first[perm[y]]
		if vx == nil || vy == nil {
			if vx == nil && vy == nil {
				return false
			}
			if vx == nil {
				return !nullsLast
			}
			return nullsLast
		}
		c := dynCompare(vx, vy)
		if desc {
			return c > 0
		}
		return c < 0
	})
	reorder := func(v any) any {
		arr, ok := dynArray(v)
		if !ok || len(arr) != len(first) {
			return nil
		}
		out := make([]any, len(arr))
		for i, p := range perm {
			out[i] = arr[p]
		}
		return out
	}
	if len(arrs) == 1 {
		return reorder(first), nil
	}
	out := make([]any, len(arrs))
	for i, v := range arrs {
		out[i] = reorder(v)
	}
	return out, nil
}

func setHasElement(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	key := dynKey(a[1])
	for _, v := range arr {
		if dynKey(v) == key {
			return dynScalar{true}, nil
		}
	}
	return dynScalar{false}, nil
}

func setUnion(a []any) (any, error) {
	var all []any
	for _, v := range a {
		arr, ok := dynArray(v)
		if !ok {
			return nil, nil
		}
		all = append(all, arr...)
	}
	return dynDistinct(all), nil
}

func dynKeySet(v any) (map[string]bool, bool) {
	arr, ok := dynArray(v)
	if !ok {
		return nil, false
	}
	m := map[string]bool{}
	for _, e := range arr {
		m[dynKey(e)] = true
	}
	return m, true
}

func setIntersect(a []any) (any, error) {
	return setFilter(a, func(hits, others int) bool { return hits == others })
}

func setDifference(a []any) (any, error) {
	return setFilter(a, func(hits, _ int) bool { return hits == 0 })
}

// setFilter keeps the distinct elements of the first array for which keep
// accepts the number of other arrays holding them; nil when an argument is
// not an array.
func setFilter(a []any, keep func(hits, others int) bool) (any, error) {
	first, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	var others []map[string]bool
	for _, v := range a[1:] {
		m, ok := dynKeySet(v)
		if !ok {
			return nil, nil
		}
		others = append(others, m)
	}
	out := []any{}
	for _, v := range dynDistinct(first) {
		k := dynKey(v)
		hits := 0
		for _, m := range others {
			if m[k] {
				hits++
			}
		}
		if keep(hits, len(others)) {
			out = append(out, v)
		}
	}
	return out, nil
}

func jaccardIndex(a []any) (any, error) {
	s1, ok1 := dynKeySet(a[0])
	s2, ok2 := dynKeySet(a[1])
	if !ok1 || !ok2 {
		return nil, nil
	}
	inter := 0
	for k := range s1 {
		if s2[k] {
			inter++
		}
	}
	union := len(s1) + len(s2) - inter
	if union == 0 {
		return dynScalar{math.NaN()}, nil
	}
	return dynScalar{float64(inter) / float64(union)}, nil
}

// setDistinct(list, flatten, limit): make_set's dynDistinct values in order
// of first appearance; with flatten, array values contribute their
// elements.
func setDistinct(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return []any{}, nil
	}
	if dynBool(a[1], false) {
		var flat []any
		for _, v := range arr {
			if inner, ok := dynArray(v); ok {
				flat = append(flat, inner...)
			} else {
				flat = append(flat, v)
			}
		}
		arr = flat
	}
	var vals []any
	for _, v := range arr {
		if v != nil {
			vals = append(vals, v)
		}
	}
	out := dynDistinct(vals)
	if lim := dynInt(a[2], -1); lim >= 0 && int64(len(out)) > lim {
		out = out[:lim]
	}
	return out, nil
}

// bagRemoveKeys(bag, keys): keys are names or JSON paths ($.a.b, $['a']).
func bagRemoveKeys(a []any) (any, error) {
	bag, ok := a[0].(map[string]any)
	if !ok {
		return nil, nil
	}
	keys, ok := dynArray(a[1])
	if !ok {
		return bag, nil
	}
	out := dynClone(bag).(map[string]any)
	for _, k := range keys {
		s, ok := k.(string)
		if !ok {
			continue
		}
		dynRemovePath(out, dynParsePath(s))
	}
	return out, nil
}

func dynClone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = dynClone(e)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = dynClone(e)
		}
		return out
	}
	return v
}

// dynParsePath splits a key or a simple JSON path into its property names.
func dynParsePath(s string) []string {
	if !strings.HasPrefix(s, "$") {
		return []string{s}
	}
	var out []string
	rest := s[1:]
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "['") || strings.HasPrefix(rest, `["`):
			q := rest[1]
			end := strings.IndexByte(rest[2:], q)
			if end < 0 {
				return append(out, rest)
			}
			out = append(out, rest[2:2+end])
			rest = strings.TrimPrefix(rest[2+end+1:], "]")
		case rest[0] == '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			out = append(out, rest[:end])
			rest = rest[end:]
		default:
			return append(out, rest)
		}
	}
	return out
}

func dynRemovePath(m map[string]any, path []string) {
	if len(path) == 0 {
		return
	}
	if len(path) == 1 {
		delete(m, path[0])
		return
	}
	if inner, ok := m[path[0]].(map[string]any); ok {
		dynRemovePath(inner, path[1:])
	}
}

// bagDropEmpty removes the null and empty-string properties of a bag
// (pack_all(true)).
func bagDropEmpty(a []any) (any, error) {
	bag, ok := a[0].(map[string]any)
	if !ok {
		return a[0], nil
	}
	out := map[string]any{}
	for k, v := range bag {
		if v == nil || v == "" {
			continue
		}
		out[k] = v
	}
	return out, nil
}

// dynRange(start, stop, step): the array start, start+step, … up to stop.
func dynRange(a []any) (any, error) {
	step := 1.0
	if s, ok := dynFloat(a[2]); ok {
		step = s
	}
	start, ok1 := dynFloat(a[0])
	stop, ok2 := dynFloat(a[1])
	if !ok1 || !ok2 || step == 0 {
		return nil, nil
	}
	integral := dynIsInt(a[0]) && dynIsInt(a[1]) && (a[2] == nil || dynIsInt(a[2]))
	out := []any{}
	for i := 0; i < 1_000_000; i++ {
		v := start + float64(i)*step
		if (step > 0 && v > stop) || (step < 0 && v < stop) {
			break
		}
		if integral {
			out = append(out, int64(v))
		} else {
			out = append(out, v)
		}
	}
	return out, nil
}

// dynIsInt tells whether v is a JSON number written as an integer.
func dynIsInt(v any) bool {
	switch n := v.(type) {
	case json.Number:
		return !strings.ContainsAny(n.String(), ".eE")
	case int64, int:
		return true
	}
	return false
}

func init() {
	addOps(map[string]dynOp{
		"zip":       dynZip,
		"array_sum": arraySum,
		"treepath":  treePath,
	})
}

// dynZip(arrays…): an array of the i-th elements of every array, as long
// as the longest; missing elements are null.
func dynZip(a []any) (any, error) {
	n := 0
	arrs := make([][]any, len(a))
	for i, v := range a {
		arr, ok := dynArray(v)
		if !ok {
			return nil, nil
		}
		arrs[i] = arr
		if len(arr) > n {
			n = len(arr)
		}
	}
	out := make([]any, n)
	for i := range out {
		row := make([]any, len(arrs))
		for j, arr := range arrs {
			if i < len(arr) {
				row[j] = arr[i]
			}
		}
		out[i] = row
	}
	return out, nil
}

// arraySum is the sum of an array's numbers (null when any element is
// not a number).
func arraySum(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	s := 0.0
	for _, e := range arr {
		f, ok := dynFloat(e)
		if !ok {
			return nil, nil
		}
		s += f
	}
	return dynScalar{s}, nil
}

// treePath lists the JSON paths of a value's nested bags and arrays:
// "$" , "$['a']", "$['a'][0]"…
func treePath(a []any) (any, error) {
	out := []any{}
	var walk func(v any, p string)
	walk = func(v any, p string) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				q := p + "['" + k + "']"
				out = append(out, q)
				walk(v[k], q)
			}
		case []any:
			q := p + "[0]"
			found := false
			for _, e := range v {
				switch e.(type) {
				case map[string]any, []any:
					if !found {
						out = append(out, q)
						found = true
					}
					walk(e, q)
				}
			}
		}
	}
	switch a[0].(type) {
	case map[string]any, []any:
		walk(a[0], "$")
	}
	return dynDistinct(out), nil
}
