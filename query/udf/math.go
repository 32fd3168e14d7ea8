package udf

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Math functions DuckDB lacks: erf, the beta distribution and unit
// conversions.

func init() {
	R, V := duckdb.TYPE_DOUBLE, duckdb.TYPE_VARCHAR
	add(Func{Name: "kql_erf", Args: []duckdb.Type{R}, Result: R, Fn: func(a []driver.Value) (any, error) {
		x, _ := a[0].(float64)
		return math.Erf(x), nil
	}})
	add(Func{Name: "kql_beta_cdf", Args: []duckdb.Type{R, R, R}, Result: R, Fn: beta3(betaCDF)})
	add(Func{Name: "kql_beta_pdf", Args: []duckdb.Type{R, R, R}, Result: R, Fn: beta3(betaPDF)})
	add(Func{Name: "kql_beta_inv", Args: []duckdb.Type{R, R, R}, Result: R, Fn: func(a []driver.Value) (any, error) {
		p, _ := a[0].(float64)
		if p < 0 || p > 1 || math.IsNaN(p) {
			return nil, nil
		}
		al, _ := a[1].(float64)
		be, _ := a[2].(float64)
		return betaInv(p, al, be), nil
	}})
	add(Func{Name: "kql_convert_unit", Args: []duckdb.Type{V, R, V, V}, Result: R, Fn: func(a []driver.Value) (any, error) {
		q, _ := a[0].(string)
		x, _ := a[1].(float64)
		from, _ := a[2].(string)
		to, _ := a[3].(string)
		v, ok := convertUnit(q, x, from, to)
		if !ok {
			return nil, nil
		}
		return v, nil
	}})
}

func beta3(f func(x, a, b float64) float64) func([]driver.Value) (any, error) {
	return func(a []driver.Value) (any, error) {
		x, _ := a[0].(float64)
		al, _ := a[1].(float64)
		be, _ := a[2].(float64)
		return f(x, al, be), nil
	}
}

func lbeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// betaPDF is the density of the beta distribution; NaN outside its domain.
func betaPDF(x, a, b float64) float64 {
	if !(a > 0 && b > 0 && x >= 0 && x <= 1) {
		return math.NaN()
	}
	return math.Exp((a-1)*math.Log(x) + (b-1)*math.Log1p(-x) - lbeta(a, b))
}

// betaCDF is the regularized incomplete beta function I_x(a, b).
func betaCDF(x, a, b float64) float64 {
	if !(a > 0 && b > 0 && x >= 0 && x <= 1) {
		return math.NaN()
	}
	if x == 0 || x == 1 {
		return x
	}
	front := math.Exp(a*math.Log(x) + b*math.Log1p(-x) - lbeta(a, b))
	// The continued fraction converges fast for x < (a+1)/(a+b+2); use
	// the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) otherwise.
	if x < (a+1)/(a+b+2) {
		return front * betaFraction(x, a, b) / a
	}
	return 1 - front*betaFraction(1-x, b, a)/b
}

// betaFraction evaluates the continued fraction of the incomplete beta
// function by the modified Lentz method.
func betaFraction(x, a, b float64) float64 {
	const tiny, eps = 1e-300, 1e-16
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 1000; m++ {
		fm := float64(m)
		num := fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm))
		for i := 0; i < 2; i++ {
			d = 1 + num*d
			if math.Abs(d) < tiny {
				d = tiny
			}
			c = 1 + num/c
			if math.Abs(c) < tiny {
				c = tiny
			}
			d = 1 / d
			h *= d * c
			if i == 0 {
				num = -(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1))
			}
		}
		if math.Abs(d*c-1) < eps {
			break
		}
	}
	return h
}

// betaInv inverts betaCDF by bisection.
func betaInv(p, a, b float64) float64 {
	if !(a > 0 && b > 0) {
		return math.NaN()
	}
	lo, hi := 0.0, 1.0
	for i := 0; i < 200 && hi-lo > 1e-17; i++ {
		mid := (lo + hi) / 2
		if betaCDF(mid, a, b) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// unitFactors gives, per quantity, each unit's size in the quantity's base
// unit (metre, degree, newton, kilogram, cubic metre, joule, m/s).
var unitFactors = map[string]map[string]float64{}

func init() {
	const inch = 0.0254
	length := map[string]float64{
		"angstrom": 1e-10, "astronomicalunit": 1.495978707e11, "centimeter": 1e-2, "chain": 20.1168,
		"datamile": 1828.8, "decameter": 10, "decimeter": 0.1, "dtppica": inch / 6, "dtppoint": inch / 72,
		"fathom": 1.8288, "foot": 0.3048, "hand": 0.1016, "hectometer": 100, "inch": inch,
		"kilolightyear": 9.46073047258e18, "kilometer": 1000, "kiloparsec": 3.08567758128e19,
		"lightyear": 9.46073047258e15, "megalightyear": 9.46073047258e21, "megaparsec": 3.08567758128e22,
		"meter": 1, "microinch": inch * 1e-6, "micrometer": 1e-6, "mil": inch * 1e-3, "mile": 1609.344,
		"millimeter": 1e-3, "nanometer": 1e-9, "nauticalmile": 1852, "parsec": 3.08567758128e16,
		"printerpica": inch / 6.0225, "printerpoint": inch / 72.27, "shackle": 27.432, "solarradius": 6.95510e8,
		"twip": inch / 1440, "ussurveyfoot": 1200.0 / 3937, "yard": 0.9144,
	}
	unitFactors["length"] = length
	rad := 180 / math.Pi
	unitFactors["angle"] = map[string]float64{
		"arcminute": 1.0 / 60, "arcsecond": 1.0 / 3600, "centiradian": 0.01 * rad, "deciradian": 0.1 * rad,
		"degree": 1, "gradian": 0.9, "microdegree": 1e-6, "microradian": 1e-6 * rad, "millidegree": 1e-3,
		"milliradian": 1e-3 * rad, "nanodegree": 1e-9, "nanoradian": 1e-9 * rad, "natomil": 360.0 / 6400,
		"radian": rad, "revolution": 360,
	}
	const lbf = 4.4482216152605
	unitFactors["force"] = map[string]float64{
		"decanewton": 10, "dyn": 1e-5, "kilogramforce": 9.80665, "kilonewton": 1e3, "kilopond": 9.80665,
		"kilopoundforce": 1000 * lbf, "meganewton": 1e6, "micronewton": 1e-6, "millinewton": 1e-3, "newton": 1,
		"ounceforce": lbf / 16, "poundal": 0.138254954376, "poundforce": lbf, "shorttonforce": 2000 * lbf,
		"tonneforce": 9806.65,
	}
	const lb = 0.45359237
	unitFactors["mass"] = map[string]float64{
		"centigram": 1e-5, "decagram": 1e-2, "decigram": 1e-4, "earthmass": 5.9722e24, "grain": 64.79891e-6,
		"gram": 1e-3, "hectogram": 0.1, "kilogram": 1, "kilopound": 1e3 * lb, "kilotonne": 1e6,
		"longhundredweight": 112 * lb, "longton": 2240 * lb, "megapound": 1e6 * lb, "megatonne": 1e9,
		"microgram": 1e-9, "milligram": 1e-6, "nanogram": 1e-12, "ounce": lb / 16, "pound": lb,
		"shorthundredweight": 100 * lb, "shortton": 2000 * lb, "slug": 14.593902937206364, "solarmass": 1.98947e30,
		"stone": 14 * lb, "tonne": 1000,
	}
	const usgal, impgal, cuft = 0.003785411784, 0.00454609, 0.028316846592
	unitFactors["volume"] = map[string]float64{
		"acrefoot": 1 / 0.000810714, "autablespoon": 2e-5, "boardfoot": cuft / 12, "centiliter": 1e-5,
		"cubiccentimeter": 1e-6, "cubicdecimeter": 1e-3, "cubicfoot": cuft, "cubichectometer": 1e6,
		"cubicinch": 1.6387064e-5, "cubickilometer": 1e9, "cubicmeter": 1, "cubicmicrometer": 1e-18,
		"cubicmile": 4.168181825440579584e9, "cubicmillimeter": 1e-9, "cubicyard": 0.764554857984,
		"decaliter": 1e-2, "decausgallon": 10 * usgal, "deciliter": 1e-4, "deciusgallon": 0.1 * usgal,
		"hectocubicfoot": 100 * cuft, "hectocubicmeter": 100, "hectoliter": 0.1, "hectousgallon": 100 * usgal,
		"imperialbeerbarrel": 0.16365924, "imperialgallon": impgal, "imperialounce": 2.84130625e-5,
		"imperialpint": 5.6826125e-4, "kilocubicfoot": 1e3 * cuft, "kilocubicmeter": 1e3,
		"kiloimperialgallon": 1e3 * impgal, "kiloliter": 1, "kilousgallon": 1e3 * usgal, "liter": 1e-3,
		"megacubicfoot": 1e6 * cuft, "megaimperialgallon": 1e6 * impgal, "megaliter": 1e3,
		"megausgallon": 1e6 * usgal, "metriccup": 2.5e-4, "metricteaspoon": 5e-6, "microliter": 1e-9,
		"milliliter": 1e-6, "oilbarrel": 0.158987294928, "uktablespoon": 1.5e-5, "usbeerbarrel": 0.1173477658,
		"uscustomarycup": 2.365882365e-4, "usgallon": usgal, "uslegalcup": 2.4e-4, "usounce": 2.95735295625e-5,
		"uspint": 4.73176473e-4, "usquart": 9.46352946e-4, "ustablespoon": 1.478676478125e-5,
		"usteaspoon": 4.92892159375e-6,
	}
	const btu, ev = 1055.05585262, 1.602176565e-19
	unitFactors["energy"] = map[string]float64{
		"britishthermalunit": btu, "calorie": 4.184, "decathermec": 1.05505585262e9,
		"decathermimperial": 1.05505585257348e9, "decathermus": 1.054804e9, "electronvolt": ev, "erg": 1e-7,
		"footpound": 1.355817948, "gigabritishthermalunit": 1e9 * btu, "gigaelectronvolt": 1e9 * ev,
		"gigajoule": 1e9, "gigawattday": 8.64e13, "gigawatthour": 3.6e12, "horsepowerhour": 2.6845195377e6,
		"joule": 1, "kilobritishthermalunit": 1e3 * btu, "kilocalorie": 4184, "kiloelectronvolt": 1e3 * ev,
		"kilojoule": 1e3, "kilowattday": 8.64e7, "kilowatthour": 3.6e6, "megabritishthermalunit": 1e6 * btu,
		"megacalorie": 4.184e6, "megaelectronvolt": 1e6 * ev, "megajoule": 1e6, "megawattday": 8.64e10,
		"megawatthour": 3.6e9, "millijoule": 1e-3, "teraelectronvolt": 1e12 * ev, "terawattday": 8.64e16,
		"terawatthour": 3.6e15, "thermec": 1.05505585262e8, "thermimperial": 1.05505585257348e8,
		"thermus": 1.054804e8, "wattday": 86400, "watthour": 3600,
	}
	speed := map[string]float64{"knot": 1852.0 / 3600}
	for _, u := range []string{"centimeter", "decimeter", "foot", "inch", "kilometer", "meter", "micrometer", "mile", "millimeter", "nanometer", "ussurveyfoot", "yard"} {
		speed[u+"perhour"] = length[u] / 3600
		speed[u+"perminute"] = length[u] / 60
		speed[u+"persecond"] = length[u]
	}
	unitFactors["speed"] = speed
}

// toKelvin and fromKelvin convert temperatures, which have offsets.
var tempScales = map[string][2]func(float64) float64{
	"kelvin":             {func(x float64) float64 { return x }, func(k float64) float64 { return k }},
	"degreecelsius":      {func(x float64) float64 { return x + 273.15 }, func(k float64) float64 { return k - 273.15 }},
	"millidegreecelsius": {func(x float64) float64 { return x/1000 + 273.15 }, func(k float64) float64 { return (k - 273.15) * 1000 }},
	"degreefahrenheit":   {func(x float64) float64 { return (x + 459.67) * 5 / 9 }, func(k float64) float64 { return k*9/5 - 459.67 }},
	"degreerankine":      {func(x float64) float64 { return x * 5 / 9 }, func(k float64) float64 { return k * 9 / 5 }},
	"degreedelisle":      {func(x float64) float64 { return 373.15 - x*2/3 }, func(k float64) float64 { return (373.15 - k) * 3 / 2 }},
	"degreenewton":       {func(x float64) float64 { return x*100/33 + 273.15 }, func(k float64) float64 { return (k - 273.15) * 33 / 100 }},
	"degreereaumur":      {func(x float64) float64 { return x*5/4 + 273.15 }, func(k float64) float64 { return (k - 273.15) * 4 / 5 }},
	"degreeroemer":       {func(x float64) float64 { return (x-7.5)*40/21 + 273.15 }, func(k float64) float64 { return (k-273.15)*21/40 + 7.5 }},
	"solartemperature":   {func(x float64) float64 { return x * 5778 }, func(k float64) float64 { return k / 5778 }},
}

// convertUnit converts x of quantity q between units (names compared
// without regard to case); false for an unknown unit.
func convertUnit(q string, x float64, from, to string) (float64, bool) {
	from, to = strings.ToLower(strings.TrimSpace(from)), strings.ToLower(strings.TrimSpace(to))
	if q == "temperature" {
		f, ok1 := tempScales[from]
		t, ok2 := tempScales[to]
		if !ok1 || !ok2 {
			return 0, false
		}
		if from == to {
			return x, true
		}
		return t[1](f[0](x)), true
	}
	m := unitFactors[q]
	f, ok1 := m[from]
	t, ok2 := m[to]
	if !ok1 || !ok2 {
		return 0, false
	}
	if from == to {
		return x, true
	}
	return x * f / t, true
}

func init() {
	add(Func{Name: "kql_format_datetime", Args: []duckdb.Type{duckdb.TYPE_TIMESTAMP, duckdb.TYPE_VARCHAR}, Result: duckdb.TYPE_VARCHAR, Fn: func(a []driver.Value) (any, error) {
		t, ok := a[0].(time.Time)
		if !ok {
			return nil, nil
		}
		f, _ := a[1].(string)
		return formatDateTime(t.UTC(), f), nil
	}})
}

// formatDateTime renders t with Kusto's format_datetime specifiers (the
// .NET custom format subset: y yy yyyy M MM d dd h hh H HH m mm s ss
// f…fffffff F…FFFFFFF tt); other characters are copied.
func formatDateTime(t time.Time, f string) string {
	var sb strings.Builder
	pad := func(v, n int) {
		s := strconv.Itoa(v)
		for i := len(s); i < n; i++ {
			sb.WriteByte('0')
		}
		sb.WriteString(s)
	}
	num := func(v, n int) { // one letter: no padding; two or more: n digits
		if n == 1 {
			sb.WriteString(strconv.Itoa(v))
		} else {
			pad(v, 2)
		}
	}
	for i := 0; i < len(f); {
		ch := f[i]
		n := 1
		for i+n < len(f) && f[i+n] == ch {
			n++
		}
		switch ch {
		case 'y':
			switch {
			case n == 1:
				sb.WriteString(strconv.Itoa(t.Year() % 100))
			case n == 2:
				pad(t.Year()%100, 2)
			default:
				pad(t.Year(), n)
			}
		case 'M':
			switch {
			case n <= 2:
				num(int(t.Month()), n)
			case n == 3:
				sb.WriteString(t.Month().String()[:3])
			default:
				sb.WriteString(t.Month().String())
			}
		case 'd':
			switch {
			case n <= 2:
				num(t.Day(), n)
			case n == 3:
				sb.WriteString(t.Weekday().String()[:3])
			default:
				sb.WriteString(t.Weekday().String())
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, n)
		case 'H':
			num(t.Hour(), n)
		case 'm':
			num(t.Minute(), n)
		case 's':
			num(t.Second(), n)
		case 'f', 'F':
			n = min(n, 7)
			frac := fmt.Sprintf("%07d", t.Nanosecond()/100)[:n]
			if ch == 'F' {
				frac = strings.TrimRight(frac, "0")
				if frac == "" && strings.HasSuffix(sb.String(), ".") {
					s := strings.TrimSuffix(sb.String(), ".")
					sb.Reset()
					sb.WriteString(s)
				}
			}
			sb.WriteString(frac)
			i += n
			for i < len(f) && f[i] == ch { // more than 7 letters
				i++
			}
			continue
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			if n == 1 {
				ampm = ampm[:1]
			}
			sb.WriteString(ampm)
		default:
			sb.WriteString(f[i : i+n])
		}
		i += n
	}
	return sb.String()
}

func init() {
	add(Func{Name: "kql_buildschema", Args: []duckdb.Type{duckdb.TYPE_VARCHAR}, Result: duckdb.TYPE_VARCHAR, Fn: func(a []driver.Value) (any, error) {
		s, _ := a[0].(string)
		out, err := buildSchema(s)
		if err != nil {
			return nil, err
		}
		if out == "" {
			return nil, nil
		}
		return out, nil
	}})
}

// schemaNode is the union of the shapes seen at one place of a dynamic
// value: scalar type names, an object (its keys' nodes) and an array
// (its elements' node), in the order first seen.
type schemaNode struct {
	kinds []string // scalar names, "{}" for the object, "[]" for the array
	keys  []string
	obj   map[string]*schemaNode
	elem  *schemaNode
}

func (n *schemaNode) addKind(k string) {
	for _, x := range n.kinds {
		if x == k {
			return
		}
	}
	n.kinds = append(n.kinds, k)
}

func (n *schemaNode) add(v any) {
	switch v := v.(type) {
	case nil:
	case bool:
		n.addKind("bool")
	case string:
		n.addKind("string")
	case json.Number:
		if _, err := v.Int64(); err == nil {
			n.addKind("long")
		} else {
			n.addKind("double")
		}
	case []any:
		n.addKind("[]")
		if n.elem == nil {
			n.elem = &schemaNode{}
		}
		for _, e := range v {
			n.elem.add(e)
		}
	case map[string]any:
		n.addKind("{}")
		if n.obj == nil {
			n.obj = map[string]*schemaNode{}
		}
		// Keys in their order of the text are lost by encoding/json;
		// sort them for a stable result.
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c, ok := n.obj[k]
			if !ok {
				c = &schemaNode{}
				n.obj[k] = c
				n.keys = append(n.keys, k)
			}
			c.add(v[k])
		}
	}
}

func (n *schemaNode) render() any {
	var parts []any
	for _, k := range n.kinds {
		switch k {
		case "{}":
			m := make(map[string]any, len(n.keys))
			for _, key := range n.keys {
				if r := n.obj[key].render(); r != nil {
					m[key] = r
				}
			}
			parts = append(parts, m)
		case "[]":
			parts = append(parts, map[string]any{"indexer": n.elem.render()})
		default:
			parts = append(parts, k)
		}
	}
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return parts
}

// buildSchema is Kusto's buildschema() over a JSON array of the group's
// values: the union of their shapes; "" when there is none.
func buildSchema(values string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(values))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return "", fmt.Errorf("buildschema: %w", err)
	}
	root := &schemaNode{}
	for _, v := range vals {
		root.add(v)
	}
	r := root.render()
	if r == nil {
		return "", nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("buildschema: %w", err)
	}
	return string(b), nil
}
