package duckdb

import (
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Math, bit, statistics and datetime-part functions. erf, the beta
// distribution and unit conversions are Go UDFs (query/udf/math.go).
func init() {
	unary := func(fn string) translator {
		return func(g *gen, c *plan.Call) string { return fn + "(" + realArg(g, c.Args[0]) + ")" }
	}
	inUnit := func(fn string) translator { // acos/asin: null outside [-1, 1]
		return func(g *gen, c *plan.Call) string {
			x := realArg(g, c.Args[0])
			return "(CASE WHEN abs(" + x + ") <= 1 THEN " + fn + "(" + x + ") END)"
		}
	}
	convertUnit := func(q string) translator {
		return func(g *gen, c *plan.Call) string {
			return "kql_convert_unit(" + Str(q) + ", " + realArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ", " + strArg(g, c.Args[2]) + ")"
		}
	}
	beta := func(fn string) translator {
		return func(g *gen, c *plan.Call) string {
			return fn + "(" + realArg(g, c.Args[0]) + ", " + realArg(g, c.Args[1]) + ", " + realArg(g, c.Args[2]) + ")"
		}
	}
	register(scalarFuncs, map[string]translator{
		"acos":    inUnit("acos"),
		"asin":    inUnit("asin"),
		"atan":    unary("atan"),
		"cos":     unary("cos"),
		"sin":     unary("sin"),
		"tan":     unary("tan"),
		"cot":     unary("cot"),
		"degrees": unary("degrees"),
		"radians": unary("radians"),
		"erf":     unary("kql_erf"),
		"sqrt": func(g *gen, c *plan.Call) string {
			x := realArg(g, c.Args[0])
			return "(CASE WHEN " + x + " >= 0 THEN sqrt(" + x + ") END)"
		},
		"atan2": func(g *gen, c *plan.Call) string {
			return "atan2(" + realArg(g, c.Args[0]) + ", " + realArg(g, c.Args[1]) + ")"
		},
		"gamma": func(g *gen, c *plan.Call) string {
			x := realArg(g, c.Args[0])
			return "(CASE WHEN " + x + " <= 0 AND " + x + " = floor(" + x + ") THEN NULL ELSE gamma(" + x + ") END)"
		},
		"loggamma": func(g *gen, c *plan.Call) string {
			x := realArg(g, c.Args[0])
			return "(CASE WHEN " + x + " <= 0 AND " + x + " = floor(" + x + ") THEN NULL ELSE lgamma(" + x + ") END)"
		},
		"beta_cdf":            beta("kql_beta_cdf"),
		"beta_pdf":            beta("kql_beta_pdf"),
		"beta_inv":            beta("kql_beta_inv"),
		"convert_angle":       convertUnit("angle"),
		"convert_energy":      convertUnit("energy"),
		"convert_force":       convertUnit("force"),
		"convert_length":      convertUnit("length"),
		"convert_mass":        convertUnit("mass"),
		"convert_speed":       convertUnit("speed"),
		"convert_temperature": convertUnit("temperature"),
		"convert_volume":      convertUnit("volume"),

		"binary_and":         bits("($1 & $2)"),
		"binary_or":          bits("($1 | $2)"),
		"binary_xor":         bits("xor($1, $2)"),
		"binary_not":         bits("(~$1)"),
		"binary_shift_left":  bits("(CASE WHEN $2 < 0 OR $2 > 63 THEN NULL ELSE $1 << $2 END)"),
		"binary_shift_right": bits("(CASE WHEN $2 < 0 OR $2 > 63 THEN NULL ELSE $1 >> $2 END)"),
		"bitset_count_ones":  bits("CAST(bit_count($1) AS BIGINT)"),
		"tohex": func(g *gen, c *plan.Call) string {
			x := g.expr(c.Args[0])
			switch c.Args[0].Type() {
			case types.Int: // 32-bit two's complement
				x = "(CAST(" + x + " AS BIGINT) & 4294967295)"
			case types.Long:
				x = "CAST(" + x + " AS BIGINT)"
			case types.Dynamic:
				x = "TRY_CAST(json_extract_string(" + x + ", '$') AS BIGINT)"
			default:
				x = "TRY_CAST(" + x + " AS BIGINT)"
			}
			h := "lower(hex(" + x + "))"
			if len(c.Args) == 2 {
				h = "lpad(" + h + ", CAST(greatest(" + g.expr(c.Args[1]) + ", length(" + h + ")) AS INTEGER), '0')"
			}
			return "coalesce(" + h + ", '')"
		},

		// Sketches: an "hll" is the JSON array of the distinct values, a
		// t-digest the JSON array of {v, w} (value, weight) pairs.
		"dcount_hll": tpl("CAST(json_array_length($1) AS BIGINT)"),
		"hll_merge": func(g *gen, c *plan.Call) string {
			var parts []string
			for _, a := range c.Args {
				parts = append(parts, "CAST("+g.expr(a)+" AS JSON[])")
			}
			return "to_json(list_distinct(flatten([" + strings.Join(parts, ", ") + "])))"
		},
		"percentile_tdigest": func(g *gen, c *plan.Call) string {
			return weightedPercentile("CAST("+g.expr(c.Args[0])+" AS STRUCT(v DOUBLE, w DOUBLE)[])", g.expr(c.Args[1]))
		},
		"percentiles_array_tdigest": func(g *gen, c *plan.Call) string {
			td := "CAST(" + g.expr(c.Args[0]) + " AS STRUCT(v DOUBLE, w DOUBLE)[])"
			return "to_json(list_transform([" + td + "], l -> list_transform(" + percentList(g, c.Args[1:]) + ", p -> " + weightedPick("l", "p") + "))[1])"
		},

		"format_datetime": func(g *gen, c *plan.Call) string {
			return "coalesce(kql_format_datetime(" + g.convert(c.Args[0], types.DateTime) + ", " + strArg(g, c.Args[1]) + "), '')"
		},
		"datetime_diff": datetimeDiff,
		"datetime_part": datetimePart,
	})

	register(aggFuncs, map[string]translator{
		"binary_all_xor": func(g *gen, c *plan.Call) string { return "bit_xor(" + g.expr(c.Args[0]) + ")" },
		"stdevif":        aggIf("stddev_samp"),
		"stdevpif":       aggIf("stddev_pop"),
		"varianceif":     aggIf("var_samp"),
		"variancepif":    aggIf("var_pop"),
		"covariance":     tpl("covar_samp($1, $2)"),
		"covariancep":    tpl("covar_pop($1, $2)"),
		"covarianceif":   tpl("covar_samp($1, $2) FILTER (WHERE $3)"),
		"covariancepif":  tpl("covar_pop($1, $2) FILTER (WHERE $3)"),
		"percentilew": func(g *gen, c *plan.Call) string {
			return weightedPercentile(weightedList(g, c), g.expr(c.Args[2]))
		},
		// percentilesw is split into percentilew calls by the binder.
		"percentilesw": func(g *gen, c *plan.Call) string {
			return weightedPercentile(weightedList(g, c), g.expr(c.Args[2]))
		},
		"percentilesw_array": func(g *gen, c *plan.Call) string {
			ps := percentList(g, c.Args[2:])
			return "to_json(list_transform([" + weightedList(g, c) + "], l -> list_transform(" + ps + ", p -> " + weightedPick("l", "p") + "))[1])"
		},
		"percentiles_array": func(g *gen, c *plan.Call) string {
			var ps []string
			for _, p := range c.Args[1:] {
				if k, ok := p.(*plan.Const); ok && p.Type() == types.Dynamic {
					if vals, ok := jsonArrayStrings(k.Value.(string)); ok {
						for _, v := range vals {
							ps = append(ps, "CAST("+v+" AS DOUBLE) / 100.0")
						}
						continue
					}
				}
				if _, ok := p.(*plan.Const); !ok {
					fail("percentiles_array: the percentiles must be constants")
				}
				ps = append(ps, "CAST("+g.expr(p)+" AS DOUBLE) / 100.0")
			}
			return "to_json(quantile_disc(" + g.expr(c.Args[0]) + ", [" + strings.Join(ps, ", ") + "]))"
		},
		"hll": func(g *gen, c *plan.Call) string {
			x := g.jsonArgs(c.Args[:1])[0]
			return "coalesce(to_json(list(DISTINCT " + x + ") FILTER (WHERE " + g.expr(c.Args[0]) + " IS NOT NULL)), CAST('[]' AS JSON))"
		},
		"hll_if": func(g *gen, c *plan.Call) string {
			x := g.jsonArgs(c.Args[:1])[0]
			return "coalesce(to_json(list(DISTINCT " + x + ") FILTER (WHERE " + g.expr(c.Args[0]) + " IS NOT NULL AND (" + g.expr(c.Args[1]) + "))), CAST('[]' AS JSON))"
		},
		"buildschema": func(g *gen, c *plan.Call) string {
			return "CAST(kql_buildschema(CAST(coalesce(to_json(list(" + g.jsonArgs(c.Args[:1])[0] + ")), '[]') AS VARCHAR)) AS JSON)"
		},
		"tdigest": func(g *gen, c *plan.Call) string {
			x := g.expr(c.Args[0])
			w := "1.0"
			if len(c.Args) == 2 {
				w = "CAST(" + g.expr(c.Args[1]) + " AS DOUBLE)"
			}
			return "coalesce(to_json(list_sort(list({'v': CAST(" + x + " AS DOUBLE), 'w': " + w + "}) FILTER (WHERE " + x + " IS NOT NULL))), CAST('[]' AS JSON))"
		},
		"tdigest_merge": func(g *gen, c *plan.Call) string {
			return "coalesce(to_json(list_sort(flatten(list(CAST(" + g.expr(c.Args[0]) + " AS STRUCT(v DOUBLE, w DOUBLE)[]))))), CAST('[]' AS JSON))"
		},
	})
}

// realArg renders a numeric argument as DOUBLE.
func realArg(g *gen, e plan.Expr) string {
	if e.Type() == types.Real {
		return g.expr(e)
	}
	return g.convert(e, types.Real)
}

// bits renders a bit function over BIGINT operands.
func bits(t string) translator {
	return func(g *gen, c *plan.Call) string {
		s := t
		for i := len(c.Args); i >= 1; i-- {
			s = strings.ReplaceAll(s, "$"+strconv.Itoa(i), "CAST("+g.convert(c.Args[i-1], types.Long)+" AS BIGINT)")
		}
		return s
	}
}

func aggIf(fn string) translator {
	return func(g *gen, c *plan.Call) string {
		return fn + "(" + g.expr(c.Args[0]) + ") FILTER (WHERE " + g.expr(c.Args[1]) + ")"
	}
}

// weightedList renders the sorted list of {v, w} structs of an aggregate
// over (x, weight, …).
func weightedList(g *gen, c *plan.Call) string {
	x, w := g.expr(c.Args[0]), g.expr(c.Args[1])
	return "list_sort(list({'v': " + x + ", 'w': CAST(" + w + " AS DOUBLE)}) FILTER (WHERE " + x + " IS NOT NULL AND " + w + " > 0))"
}

// percentList renders percentile arguments (numbers or dynamic arrays of
// numbers) as one DOUBLE[].
func percentList(g *gen, ps []plan.Expr) string {
	var parts []string
	for _, p := range ps {
		if p.Type() == types.Dynamic {
			parts = append(parts, "CAST("+g.expr(p)+" AS DOUBLE[])")
		} else {
			parts = append(parts, "[CAST("+g.expr(p)+" AS DOUBLE)]")
		}
	}
	return "flatten([" + strings.Join(parts, ", ") + "])"
}

// weightedPick is the lambda body choosing percentile p from the sorted
// {v, w} list l.
func weightedPick(l, p string) string {
	return "list_filter(list_transform(range(1, len(" + l + ") + 1), i -> {'v': " + l + "[i].v, 'c': list_sum(list_transform(" + l + "[1:i], e -> e.w))}), e -> e.c >= (" + p + ") / 100.0 * list_sum(list_transform(" + l + ", e -> e.w)))[1].v"
}

// weightedPercentile picks from the sorted list of {v, w} structs the
// first value whose cumulative weight reaches p percent of the total
// (nearest rank on weights).
func weightedPercentile(list, p string) string {
	return "list_transform([" + list + "], l -> " + weightedPick("l", p) + ")[1]"
}

// constTime returns the instant of a constant datetime argument.
func constTime(e plan.Expr) (time.Time, bool) {
	if c, ok := e.(*plan.Const); ok {
		if t, ok := c.Value.(time.Time); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// datetimeDiff is datetime_diff(part, a, b): the number of part
// boundaries between b and a. Sub-microsecond parts of constants are
// computed here, as the storage keeps microseconds.
func datetimeDiff(g *gen, c *plan.Call) string {
	part, _ := constString(c.Args[0])
	p := strings.ToLower(part)
	if a, ok := constTime(c.Args[1]); ok {
		if b, ok := constTime(c.Args[2]); ok {
			switch p {
			case "nanosecond":
				return strconv.FormatInt(a.Sub(b).Nanoseconds()/100*100, 10)
			case "microsecond":
				return strconv.FormatInt(a.UnixNano()/1000-b.UnixNano()/1000, 10)
			}
		}
	}
	a, b := g.expr(c.Args[1]), g.expr(c.Args[2])
	switch p {
	case "week":
		return "((epoch_us(date_trunc('day', " + a + ") - to_days(CAST(dayofweek(" + a + ") AS INTEGER))) - epoch_us(date_trunc('day', " + b + ") - to_days(CAST(dayofweek(" + b + ") AS INTEGER)))) // 604800000000)"
	case "nanosecond":
		return "((epoch_us(" + a + ") - epoch_us(" + b + ")) * 1000)"
	}
	return "date_diff(" + Str(p) + ", " + b + ", " + a + ")"
}

// datetimePart is datetime_part(part, dt).
func datetimePart(g *gen, c *plan.Call) string {
	part, _ := constString(c.Args[0])
	p := strings.ToLower(part)
	if t, ok := constTime(c.Args[1]); ok {
		switch p {
		case "nanosecond":
			return strconv.Itoa(t.Nanosecond() / 100 * 100)
		case "microsecond":
			return strconv.Itoa(t.Nanosecond() / 1000)
		}
	}
	x := g.expr(c.Args[1])
	switch p {
	case "weekofyear", "week_of_year":
		p = "week"
	case "nanosecond":
		return "CAST((microsecond(" + x + ") % 1000000) * 1000 AS INTEGER)"
	case "microsecond":
		return "CAST(microsecond(" + x + ") % 1000000 AS INTEGER)"
	case "millisecond":
		return "CAST(millisecond(" + x + ") % 1000 AS INTEGER)"
	}
	return "CAST(date_part(" + Str(p) + ", " + x + ") AS INTEGER)"
}
