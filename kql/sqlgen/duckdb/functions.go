package duckdb

import (
	"strconv"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// ticksAt1970 is the number of 100 ns ticks from 0001-01-01 to the Unix
// epoch: Kusto aligns bin() of datetimes to 0001-01-01.
const ticksAt1970 = "621355968000000000"

// scalarFuncs and windowFuncs map a catalogue function's canonical name to
// its translation. Each family of functions adds its entries from an init
// in its own file (functions_*.go).
var (
	scalarFuncs = map[string]translator{}
	windowFuncs = map[string]translator{}
)

// register adds translations to m, failing loudly on a duplicate.
func register(m map[string]translator, add map[string]translator) {
	for k, v := range add {
		if _, dup := m[k]; dup {
			panic("duckdb: duplicate translation for " + k)
		}
		m[k] = v
	}
}

func conv(t types.Type) translator {
	return func(g *gen, c *plan.Call) string { return g.convert(c.Args[0], t) }
}

func strArg(g *gen, e plan.Expr) string { return g.convert(e, types.String) }

func init() {
	register(scalarFuncs, map[string]translator{
		"strlen":  func(g *gen, c *plan.Call) string { return "length(" + strArg(g, c.Args[0]) + ")" },
		"tolower": func(g *gen, c *plan.Call) string { return "lower(" + strArg(g, c.Args[0]) + ")" },
		"toupper": func(g *gen, c *plan.Call) string { return "upper(" + strArg(g, c.Args[0]) + ")" },
		"strcat": func(g *gen, c *plan.Call) string {
			var parts []string
			for _, a := range c.Args {
				parts = append(parts, "coalesce("+strArg(g, a)+", '')")
			}
			return "(" + strings.Join(parts, " || ") + ")"
		},
		"strcat_delim": func(g *gen, c *plan.Call) string {
			var parts []string
			for _, a := range c.Args[1:] {
				parts = append(parts, "coalesce("+strArg(g, a)+", '')")
			}
			return "concat_ws(" + strArg(g, c.Args[0]) + ", " + strings.Join(parts, ", ") + ")"
		},
		"substring": func(g *gen, c *plan.Call) string {
			s, start := strArg(g, c.Args[0]), g.expr(c.Args[1])
			if len(c.Args) == 3 {
				return "substr(" + s + ", greatest(" + start + ", 0) + 1, greatest(" + g.expr(c.Args[2]) + " + least(" + start + ", 0), 0))"
			}
			return "substr(" + s + ", greatest(" + start + ", 0) + 1)"
		},
		"trim": func(g *gen, c *plan.Call) string {
			re, s := g.expr(c.Args[0]), strArg(g, c.Args[1])
			return "regexp_replace(regexp_replace(" + s + ", '^(?:' || " + re + " || ')+', ''), '(?:' || " + re + " || ')+$', '')"
		},
		"trim_start": func(g *gen, c *plan.Call) string {
			return "regexp_replace(" + strArg(g, c.Args[1]) + ", '^(?:' || " + g.expr(c.Args[0]) + " || ')+', '')"
		},
		"trim_end": func(g *gen, c *plan.Call) string {
			return "regexp_replace(" + strArg(g, c.Args[1]) + ", '(?:' || " + g.expr(c.Args[0]) + " || ')+$', '')"
		},
		"replace_string": func(g *gen, c *plan.Call) string {
			return "replace(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ", " + strArg(g, c.Args[2]) + ")"
		},
		"replace_regex": func(g *gen, c *plan.Call) string {
			return "regexp_replace(" + strArg(g, c.Args[0]) + ", " + g.expr(c.Args[1]) + ", " + g.expr(c.Args[2]) + ", 'g')"
		},
		"split": func(g *gen, c *plan.Call) string {
			parts := "string_split(" + strArg(g, c.Args[0]) + ", " + g.expr(c.Args[1]) + ")"
			if len(c.Args) == 3 {
				return "(CASE WHEN " + g.expr(c.Args[2]) + " < len(" + parts + ") THEN to_json([" + parts + "[" + g.expr(c.Args[2]) + " + 1]]) ELSE to_json([]::VARCHAR[]) END)"
			}
			return "to_json(" + parts + ")"
		},
		"extract": func(g *gen, c *plan.Call) string {
			v := "nullif(regexp_extract(" + strArg(g, c.Args[2]) + ", " + g.expr(c.Args[0]) + ", " + g.expr(c.Args[1]) + "), '')"
			if len(c.Args) == 4 {
				if k, ok := c.Args[3].(*plan.Const); ok {
					if t, ok := types.Parse(k.Value.(string)); ok && t != types.String {
						return convertSQL(v, types.String, t)
					}
				}
			}
			return "coalesce(" + v + ", '')"
		},
		"reverse": func(g *gen, c *plan.Call) string { return "reverse(" + strArg(g, c.Args[0]) + ")" },
		"strrep": func(g *gen, c *plan.Call) string {
			if len(c.Args) == 3 {
				return "array_to_string(list_transform(range(" + g.expr(c.Args[1]) + "), i -> " + strArg(g, c.Args[0]) + "), " + g.expr(c.Args[2]) + ")"
			}
			return "repeat(" + strArg(g, c.Args[0]) + ", CAST(" + g.expr(c.Args[1]) + " AS BIGINT))"
		},
		"strcmp": tpl("(CASE WHEN $1 < $2 THEN -1 WHEN $1 > $2 THEN 1 ELSE 0 END)"),
		"isempty": func(g *gen, c *plan.Call) string {
			x := g.expr(c.Args[0])
			switch c.Args[0].Type() {
			case types.String:
				return "(" + x + " IS NULL OR " + x + " = '')"
			case types.Dynamic:
				return "(" + x + " IS NULL OR json_type(" + x + ") = 'NULL' OR " + x + " = '\"\"')"
			}
			return "(" + x + " IS NULL)"
		},
		"isnotempty": func(g *gen, c *plan.Call) string {
			x := g.expr(c.Args[0])
			switch c.Args[0].Type() {
			case types.String:
				return "(" + x + " IS NOT NULL AND " + x + " <> '')"
			case types.Dynamic:
				return "(" + x + " IS NOT NULL AND json_type(" + x + ") <> 'NULL' AND " + x + " <> '\"\"')"
			}
			return "(" + x + " IS NOT NULL)"
		},
		"isnull": func(g *gen, c *plan.Call) string {
			if c.Args[0].Type() == types.String {
				return "false"
			}
			x := g.expr(c.Args[0])
			if c.Args[0].Type() == types.Dynamic {
				return "(" + x + " IS NULL OR json_type(" + x + ") = 'NULL')"
			}
			return "(" + x + " IS NULL)"
		},
		"isnotnull": func(g *gen, c *plan.Call) string {
			if c.Args[0].Type() == types.String {
				return "true"
			}
			x := g.expr(c.Args[0])
			if c.Args[0].Type() == types.Dynamic {
				return "(" + x + " IS NOT NULL AND json_type(" + x + ") <> 'NULL')"
			}
			return "(" + x + " IS NOT NULL)"
		},
		"tostring":   conv(types.String),
		"toint":      conv(types.Int),
		"tolong":     conv(types.Long),
		"toreal":     conv(types.Real),
		"todecimal":  conv(types.Decimal),
		"tobool":     conv(types.Bool),
		"todatetime": conv(types.DateTime),
		"totimespan": conv(types.TimeSpan),
		"toguid":     conv(types.GUID),
		"todynamic":  conv(types.Dynamic),
		"base64_encode_tostring": func(g *gen, c *plan.Call) string {
			return "to_base64(encode(" + strArg(g, c.Args[0]) + "))"
		},
		"base64_decode_tostring": func(g *gen, c *plan.Call) string {
			return "TRY(decode(from_base64(" + strArg(g, c.Args[0]) + ")))"
		},
		"hash_sha256": func(g *gen, c *plan.Call) string {
			return "sha256(" + strArg(g, c.Args[0]) + ")"
		},
		"hash_md5":  func(g *gen, c *plan.Call) string { return "md5(" + strArg(g, c.Args[0]) + ")" },
		"hash_sha1": func(g *gen, c *plan.Call) string { return "sha1(" + strArg(g, c.Args[0]) + ")" },
		"has_any_index": func(g *gen, c *plan.Call) string {
			return "coalesce(list_position(list_transform(CAST(" + g.expr(c.Args[1]) + " AS VARCHAR[]), e -> regexp_matches(" + strArg(g, c.Args[0]) + ", '(?i)(?:^|[^\\p{L}\\p{N}])' || regexp_escape(e) || '(?:$|[^\\p{L}\\p{N}])')), true) - 1, -1)"
		},
		"not": func(g *gen, c *plan.Call) string { return "(NOT " + g.expr(c.Args[0]) + ")" },
		"iff": func(g *gen, c *plan.Call) string {
			return "(CASE WHEN " + g.expr(c.Args[0]) + " THEN " + g.valueAs(c.Args[1], c.T) + " ELSE " + g.valueAs(c.Args[2], c.T) + " END)"
		},
		"case": func(g *gen, c *plan.Call) string {
			var sb strings.Builder
			sb.WriteString("(CASE")
			n := len(c.Args)
			for i := 0; i+1 < n; i += 2 {
				sb.WriteString(" WHEN " + g.expr(c.Args[i]) + " THEN " + g.valueAs(c.Args[i+1], c.T))
			}
			sb.WriteString(" ELSE " + g.valueAs(c.Args[n-1], c.T) + " END)")
			return sb.String()
		},
		"coalesce": func(g *gen, c *plan.Call) string {
			var parts []string
			for _, a := range c.Args {
				v := g.valueAs(a, c.T)
				if c.T == types.String {
					v = "nullif(" + v + ", '')"
				}
				parts = append(parts, v)
			}
			if c.T == types.String {
				parts = append(parts, "''")
			}
			return "coalesce(" + strings.Join(parts, ", ") + ")"
		},
		"gettype": func(g *gen, c *plan.Call) string {
			t := c.Args[0].Type()
			if t != types.Dynamic {
				name := t.String()
				switch t {
				case types.Long:
					name = "long"
				case types.Int:
					name = "int"
				case types.Null, types.Unknown:
					name = "null"
				}
				return Str(name)
			}
			x := g.expr(c.Args[0])
			return "(CASE json_type(" + x + ") WHEN 'ARRAY' THEN 'array' WHEN 'OBJECT' THEN 'dictionary' WHEN 'VARCHAR' THEN 'string' WHEN 'BIGINT' THEN 'long' WHEN 'UBIGINT' THEN 'long' WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' WHEN 'NULL' THEN 'null' ELSE 'null' END)"
		},
		"abs": tpl("abs($1)"),
		"round": func(g *gen, c *plan.Call) string {
			if len(c.Args) == 2 {
				return "round(" + g.expr(c.Args[0]) + ", CAST(" + g.expr(c.Args[1]) + " AS INTEGER))"
			}
			return "round(" + g.expr(c.Args[0]) + ")"
		},
		"bin":     bin,
		"bin_at":  binAt,
		"ceiling": tpl("ceil($1)"),
		"exp":     tpl("exp($1)"),
		"exp2":    tpl("pow(2, $1)"),
		"exp10":   tpl("pow(10, $1)"),
		"log":     tpl("(CASE WHEN $1 > 0 THEN ln($1) END)"),
		"log2":    tpl("(CASE WHEN $1 > 0 THEN log2($1) END)"),
		"log10":   tpl("(CASE WHEN $1 > 0 THEN log10($1) END)"),
		"pow":     tpl("pow($1, $2)"),
		"sign":    tpl("sign($1)"),
		"max_of": func(g *gen, c *plan.Call) string {
			return "greatest(" + strings.Join(g.valuesAs(c.Args, c.T), ", ") + ")"
		},
		"min_of": func(g *gen, c *plan.Call) string {
			return "least(" + strings.Join(g.valuesAs(c.Args, c.T), ", ") + ")"
		},
		"isnan":    tpl("isnan($1)"),
		"isinf":    tpl("isinf($1)"),
		"isfinite": tpl("isfinite($1)"),
		"pi":       tpl("pi()"),
		"datetime_add": func(g *gen, c *plan.Call) string {
			part, _ := constString(c.Args[0])
			n, dt := g.expr(c.Args[1]), g.expr(c.Args[2])
			return "(" + dt + " + " + partInterval(strings.ToLower(part), n) + ")"
		},
		"startofday":   startOf("day"),
		"startofweek":  startOf("week"),
		"startofmonth": startOf("month"),
		"startofyear":  startOf("year"),
		"endofday":     endOf("day"),
		"endofweek":    endOf("week"),
		"endofmonth":   endOf("month"),
		"endofyear":    endOf("year"),
		"dayofweek":    tpl("(CAST(dayofweek($1) AS BIGINT) * 864000000000)"),
		"dayofmonth":   tpl("CAST(day($1) AS INTEGER)"),
		"dayofyear":    tpl("CAST(dayofyear($1) AS INTEGER)"),
		"hourofday":    tpl("CAST(hour($1) AS INTEGER)"),
		"getmonth":     tpl("CAST(month($1) AS INTEGER)"),
		"getyear":      tpl("CAST(year($1) AS INTEGER)"),
		"week_of_year": tpl("CAST(weekofyear($1) AS INTEGER)"),
		"format_timespan": func(g *gen, c *plan.Call) string {
			f, ok := constString(c.Args[1])
			if !ok {
				fail("format_timespan: the format must be a constant")
			}
			return formatTimespan(g.expr(c.Args[0]), f)
		},
		"make_datetime": func(g *gen, c *plan.Call) string {
			a := g.args(c)
			for len(a) < 6 {
				a = append(a, "0")
			}
			return "make_timestamp(" + a[0] + ", " + a[1] + ", " + a[2] + ", " + a[3] + ", " + a[4] + ", CAST(" + a[5] + " AS DOUBLE))"
		},
		"make_timespan": func(g *gen, c *plan.Call) string {
			a := g.args(c)
			switch len(a) {
			case 2:
				return "CAST((" + a[0] + ") * 36000000000 + (" + a[1] + ") * 600000000 AS BIGINT)"
			case 3:
				return "CAST((" + a[0] + ") * 36000000000 + (" + a[1] + ") * 600000000 + (" + a[2] + ") * 10000000 AS BIGINT)"
			}
			return "CAST((" + a[0] + ") * 864000000000 + (" + a[1] + ") * 36000000000 + (" + a[2] + ") * 600000000 + (" + a[3] + ") * 10000000 AS BIGINT)"
		},
		"unixtime_seconds_todatetime":      tpl("make_timestamp(CAST(($1) * 1000000 AS BIGINT))"),
		"unixtime_milliseconds_todatetime": tpl("make_timestamp(CAST(($1) * 1000 AS BIGINT))"),
		"unixtime_microseconds_todatetime": tpl("make_timestamp(CAST($1 AS BIGINT))"),
		"unixtime_nanoseconds_todatetime":  tpl("make_timestamp(CAST(($1) // 1000 AS BIGINT))"),
		"datetime_utc_to_local": func(g *gen, c *plan.Call) string {
			return "CAST(timezone(" + g.expr(c.Args[1]) + ", CAST(" + g.expr(c.Args[0]) + " AS TIMESTAMPTZ)) AS TIMESTAMP)"
		},
		"datetime_local_to_utc": func(g *gen, c *plan.Call) string {
			return "CAST(timezone('UTC', timezone(" + g.expr(c.Args[1]) + ", " + g.expr(c.Args[0]) + ")) AS TIMESTAMP)"
		},
		"pack_array": func(g *gen, c *plan.Call) string {
			if len(c.Args) == 0 {
				return "CAST('[]' AS JSON)"
			}
			return "json_array(" + strings.Join(g.jsonArgs(c.Args), ", ") + ")"
		},
		"bag_pack": func(g *gen, c *plan.Call) string {
			if len(c.Args) == 0 {
				return "CAST('{}' AS JSON)"
			}
			var parts []string
			for i, a := range c.Args {
				if i%2 == 0 {
					parts = append(parts, strArg(g, a))
				} else {
					parts = append(parts, g.jsonArgs([]plan.Expr{a})[0])
				}
			}
			return "json_object(" + strings.Join(parts, ", ") + ")"
		},
		"array_length": tpl("(CASE WHEN json_type($1) = 'ARRAY' THEN CAST(json_array_length($1) AS BIGINT) END)"),
		"bag_keys":     tpl("(CASE WHEN json_type($1) = 'OBJECT' THEN to_json(json_keys($1)) END)"),
		"strcat_array": tpl("array_to_string(list_transform(CAST($1 AS JSON[]), e -> coalesce(kql_dyn_str(e), '')), $2)"),
		"array_concat": func(g *gen, c *plan.Call) string {
			var parts []string
			for _, a := range c.Args {
				parts = append(parts, "CAST("+g.expr(a)+" AS JSON[])")
			}
			return "to_json(flatten([" + strings.Join(parts, ", ") + "]))"
		},
		"array_slice": tpl("to_json(CAST($1 AS JSON[])[(CASE WHEN $2 < 0 THEN json_array_length($1) + $2 ELSE $2 END) + 1:(CASE WHEN $3 < 0 THEN json_array_length($1) + $3 ELSE $3 END) + 1])"),
		"bag_has_key": tpl("coalesce(list_contains(json_keys($1), $2), false)"),
		"bag_merge":   func(g *gen, c *plan.Call) string { return "json_merge_patch(" + strings.Join(g.args(c), ", ") + ")" },
		"dyn_get": func(g *gen, c *plan.Call) string {
			k, _ := constString(c.Args[1])
			return "json_extract(" + g.expr(c.Args[0]) + ", " + Str("$."+jsonPathKey(k)) + ")"
		},
		"dyn_index": func(g *gen, c *plan.Call) string {
			x, idx := g.expr(c.Args[0]), c.Args[1]
			if k, ok := constString(idx); ok {
				return "json_extract(" + x + ", " + Str("$."+jsonPathKey(k)) + ")"
			}
			if k, ok := idx.(*plan.Const); ok {
				if n, ok := k.Value.(int64); ok {
					if n < 0 {
						return "json_extract(" + x + ", " + Str("$[#"+strconv.FormatInt(n, 10)+"]") + ")"
					}
					return "json_extract(" + x + ", " + Str("$["+strconv.FormatInt(n, 10)+"]") + ")"
				}
			}
			if idx.Type() == types.String {
				return "json_extract(" + x + ", '$.\"' || " + g.expr(idx) + " || '\"')"
			}
			i := g.expr(idx)
			return "json_extract(" + x + ", '$[' || (CASE WHEN " + i + " < 0 THEN '#' || CAST(" + i + " AS VARCHAR) ELSE CAST(" + i + " AS VARCHAR) END) || ']')"
		},
		"rand":           tpl("random()"),
		"ingestion_time": func(g *gen, c *plan.Call) string { return "CAST(NULL AS TIMESTAMP)" },
		"range": func(g *gen, c *plan.Call) string {
			// Kusto's range() yields at most 1,048,576 elements.
			a, b := g.expr(c.Args[0]), g.expr(c.Args[1])
			step := "1"
			if len(c.Args) == 3 {
				step = g.expr(c.Args[2])
			} else if c.Args[0].Type() == types.DateTime {
				step = "864000000000"
			}
			if c.Args[0].Type() == types.DateTime {
				n := "least(greatest(CAST(floor((epoch_us(" + b + ") - epoch_us(" + a + ")) * 10 / (" + step + ")) AS BIGINT) + 1, 0), 1048576)"
				return "to_json(list_transform(range(0, " + n + "), i -> kql_dt_str(" + a + " + to_microseconds(CAST(i * (" + step + ") // 10 AS BIGINT)))))"
			}
			n := "least(greatest(CAST(floor(((" + b + ") - (" + a + ")) / (" + step + ")) AS BIGINT) + 1, 0), 1048576)"
			return "to_json(list_transform(range(0, " + n + "), i -> (" + a + ") + i * (" + step + ")))"
		},
		"parse_url":  func(g *gen, c *plan.Call) string { return "CAST(kql_parse_url(" + strArg(g, c.Args[0]) + ") AS JSON)" },
		"parse_path": func(g *gen, c *plan.Call) string { return "CAST(kql_parse_path(" + strArg(g, c.Args[0]) + ") AS JSON)" },
		"floor":      bin,
		"now":        tpl("CAST(now() AS TIMESTAMP)"),
		"ago":        tpl("(CAST(now() AS TIMESTAMP) - to_microseconds(CAST(($1) // 10 AS BIGINT)))"),
	})
	register(windowFuncs, map[string]translator{
		"row_number": func(g *gen, c *plan.Call) string {
			if len(c.Args) >= 1 {
				// row_number(start [, restart]): numbering from start.
				return "(row_number() OVER (" + g.over(c) + ") - 1 + " + g.expr(c.Args[0]) + ")"
			}
			return "row_number() OVER (" + g.over(c) + ")"
		},
		"prev": shift("lag"),
		"next": shift("lead"),
		"row_cumsum": func(g *gen, c *plan.Call) string {
			return "sum(" + g.expr(c.Args[0]) + ") OVER (" + g.over(c) + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
		},
	})
}

// jsonPathKey quotes a key for a JSON path.
func jsonPathKey(k string) string {
	return `"` + strings.ReplaceAll(k, `"`, `\"`) + `"`
}

// valueAs renders e as a value of type t (for branches of iff/case).
func (g *gen) valueAs(e plan.Expr, t types.Type) string {
	if e.Type() == t || e.Type() == types.Unknown {
		return g.expr(e)
	}
	if c, ok := e.(*plan.Const); ok && c.Value == nil {
		return "CAST(NULL AS " + SQLType(t) + ")"
	}
	if t.IsNumeric() && e.Type().IsNumeric() {
		return "CAST(" + g.expr(e) + " AS " + SQLType(t) + ")"
	}
	return g.convert(e, t)
}

func (g *gen) valuesAs(es []plan.Expr, t types.Type) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = g.valueAs(e, t)
	}
	return out
}

// jsonArgs renders values as JSON for dynamic constructors.
func (g *gen) jsonArgs(es []plan.Expr) []string {
	out := make([]string, len(es))
	for i, e := range es {
		switch e.Type() {
		case types.Dynamic:
			out[i] = g.expr(e)
		case types.String, types.Long, types.Int, types.Real, types.Bool:
			out[i] = g.expr(e)
		default:
			out[i] = g.convert(e, types.Dynamic)
		}
	}
	return out
}

func partInterval(part, n string) string {
	switch part {
	case "year":
		return "to_years(CAST(" + n + " AS INTEGER))"
	case "quarter":
		return "to_months(CAST(" + n + " AS INTEGER) * 3)"
	case "month":
		return "to_months(CAST(" + n + " AS INTEGER))"
	case "week":
		return "to_days(CAST(" + n + " AS INTEGER) * 7)"
	case "day":
		return "to_days(CAST(" + n + " AS INTEGER))"
	case "hour":
		return "to_hours(CAST(" + n + " AS BIGINT))"
	case "minute":
		return "to_minutes(CAST(" + n + " AS BIGINT))"
	case "second":
		return "to_seconds(CAST(" + n + " AS BIGINT))"
	case "millisecond":
		return "to_milliseconds(CAST(" + n + " AS BIGINT))"
	case "microsecond":
		return "to_microseconds(CAST(" + n + " AS BIGINT))"
	case "nanosecond":
		return "to_microseconds(CAST(" + n + " AS BIGINT) // 1000)"
	}
	fail("datetime_add: unknown part %q", part)
	return ""
}

func startOf(unit string) translator {
	return func(g *gen, c *plan.Call) string {
		x := g.expr(c.Args[0])
		var s string
		if unit == "week" {
			s = "(CAST(date_trunc('day', " + x + ") AS TIMESTAMP) - to_days(CAST(dayofweek(" + x + ") AS INTEGER)))"
		} else {
			s = "CAST(date_trunc('" + unit + "', " + x + ") AS TIMESTAMP)"
		}
		if len(c.Args) == 2 {
			s = "(" + s + " + " + offsetInterval(unit, g.expr(c.Args[1])) + ")"
		}
		return s
	}
}

func endOf(unit string) translator {
	start := startOf(unit)
	return func(g *gen, c *plan.Call) string {
		next := "to_days(1)"
		switch unit {
		case "week":
			next = "to_days(7)"
		case "month":
			next = "to_months(1)"
		case "year":
			next = "to_years(1)"
		}
		return "(" + start(g, c) + " + " + next + " - INTERVAL 1 MICROSECOND)"
	}
}

func offsetInterval(unit, n string) string {
	switch unit {
	case "week":
		return "to_days(CAST(" + n + " AS INTEGER) * 7)"
	case "month":
		return "to_months(CAST(" + n + " AS INTEGER))"
	case "year":
		return "to_years(CAST(" + n + " AS INTEGER))"
	}
	return "to_days(CAST(" + n + " AS INTEGER))"
}

// bin rounds down to a multiple of size; datetimes align to 0001-01-01 as
// in Kusto.
func bin(g *gen, c *plan.Call) string {
	x, size := g.expr(c.Args[0]), g.expr(c.Args[1])
	switch c.Args[0].Type() {
	case types.DateTime:
		return "make_timestamp(CAST(((epoch_us(" + x + ") * 10 + " + ticksAt1970 + ") // (" + size + ") * (" + size + ") - " + ticksAt1970 + ") // 10 AS BIGINT))"
	case types.TimeSpan, types.Long, types.Int:
		if c.Args[1].Type() == types.Real {
			return "CAST(floor(" + x + " / " + size + ") * " + size + " AS " + SQLType(c.T) + ")"
		}
		return "CAST(floor(CAST(" + x + " AS DOUBLE) / (" + size + ")) * (" + size + ") AS " + SQLType(c.T) + ")"
	}
	return "(floor(" + x + " / (" + size + ")) * (" + size + "))"
}

func binAt(g *gen, c *plan.Call) string {
	x, size, at := g.expr(c.Args[0]), g.expr(c.Args[1]), g.expr(c.Args[2])
	switch c.Args[0].Type() {
	case types.DateTime:
		return "make_timestamp(CAST(epoch_us(" + at + ") + floor((epoch_us(" + x + ") - epoch_us(" + at + ")) * 10 / (" + size + ")) * (" + size + ") // 10 AS BIGINT))"
	case types.TimeSpan, types.Long, types.Int:
		return "CAST((" + at + ") + floor(CAST((" + x + ") - (" + at + ") AS DOUBLE) / (" + size + ")) * (" + size + ") AS " + SQLType(c.T) + ")"
	}
	return "((" + at + ") + floor(((" + x + ") - (" + at + ")) / (" + size + ")) * (" + size + "))"
}

// over renders the ORDER BY of a window function, or nothing when the
// input's order is the order rows arrive in.
func (g *gen) over(c *plan.Call) string {
	s := ""
	if len(c.PartitionBy) > 0 {
		var parts []string
		for _, p := range c.PartitionBy {
			parts = append(parts, g.expr(p))
		}
		s = "PARTITION BY " + strings.Join(parts, ", ")
	}
	if len(c.Over) == 0 {
		return s
	}
	if s != "" {
		s += " "
	}
	return s + "ORDER BY " + g.orderBy(c.Over)
}

// shift translates prev()/next() to DuckDB's lag/lead window functions; a
// default value takes the type of the shifted column.
func shift(fn string) translator {
	return func(g *gen, c *plan.Call) string {
		args := []string{g.expr(c.Args[0])}
		if len(c.Args) > 1 {
			args = append(args, g.expr(c.Args[1]))
		}
		if len(c.Args) > 2 {
			args = append(args, g.valueAs(c.Args[2], c.Args[0].Type()))
		}
		return fn + "(" + strings.Join(args, ", ") + ") OVER (" + g.over(c) + ")"
	}
}
