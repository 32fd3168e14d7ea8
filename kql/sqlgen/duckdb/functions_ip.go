package duckdb

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// IP address functions; the parsing is done by the kql_* Go UDFs
// (query/udf/ip.go).
func init() {
	register(scalarFuncs, map[string]translator{
		"parse_ipv4": func(g *gen, c *plan.Call) string { return "kql_parse_ipv4(" + strArg(g, c.Args[0]) + ")" },
		"parse_ipv4_mask": func(g *gen, c *plan.Call) string {
			return "kql_parse_ipv4_mask(" + strArg(g, c.Args[0]) + ", " + g.convert(c.Args[1], types.Long) + ")"
		},
		"ipv4_is_private": func(g *gen, c *plan.Call) string { return "kql_ipv4_is_private_go(" + strArg(g, c.Args[0]) + ")" },
		"ipv4_is_in_range": func(g *gen, c *plan.Call) string {
			return "kql_ipv4_in_range_go(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ")"
		},
		"ipv4_is_in_any_range": anyRange("kql_ipv4_in_range_go"),
		"ipv6_is_in_range": func(g *gen, c *plan.Call) string {
			return "kql_ipv6_in_range(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ")"
		},
		"ipv6_is_in_any_range": anyRange("kql_ipv6_in_range"),
		"ipv4_compare":         ipCompare("kql_ipv4_compare", "32", ""),
		"ipv4_is_match":        ipCompare("kql_ipv4_compare", "32", " = 0"),
		"ipv6_compare":         ipCompare("kql_ipv6_compare", "128", ""),
		"ipv6_is_match":        ipCompare("kql_ipv6_compare", "128", " = 0"),
		"ipv4_netmask_suffix": func(g *gen, c *plan.Call) string {
			return "kql_ipv4_netmask_suffix(" + strArg(g, c.Args[0]) + ")"
		},
		"format_ipv4":         formatIPv4(false),
		"format_ipv4_mask":    formatIPv4(true),
		"has_ipv4":            hasIPv4(false),
		"has_ipv4_prefix":     hasIPv4(true),
		"has_any_ipv4":        hasIPv4(false),
		"has_any_ipv4_prefix": hasIPv4(true),
		"parse_ipv6": func(g *gen, c *plan.Call) string {
			return "kql_parse_ipv6_mask(" + strArg(g, c.Args[0]) + ", 128)"
		},
		"parse_ipv6_mask": func(g *gen, c *plan.Call) string {
			return "kql_parse_ipv6_mask(" + strArg(g, c.Args[0]) + ", " + g.convert(c.Args[1], types.Long) + ")"
		},
	})
}

// ipText renders an address argument as text: a long is an IPv4 address
// as a number.
func ipText(g *gen, e plan.Expr) string {
	switch e.Type() {
	case types.Long, types.Int:
		return "kql_ipv4_from_long(CAST(" + g.expr(e) + " AS BIGINT))"
	}
	return strArg(g, e)
}

func anyRange(fn string) translator {
	return func(g *gen, c *plan.Call) string {
		ip := strArg(g, c.Args[0])
		var parts []string
		for _, a := range c.Args[1:] {
			if a.Type() == types.Dynamic {
				parts = append(parts, "list_bool_or(list_transform(CAST("+g.expr(a)+" AS VARCHAR[]), r -> "+fn+"("+ip+", r)))")
			} else {
				parts = append(parts, fn+"("+ip+", "+strArg(g, a)+")")
			}
		}
		return "coalesce(" + strings.Join(parts, " OR ") + ", false)"
	}
}

func ipCompare(fn, full, suffix string) translator {
	return func(g *gen, c *plan.Call) string {
		p := full
		if len(c.Args) == 3 {
			p = g.convert(c.Args[2], types.Long)
		}
		return "(" + fn + "(" + ipText(g, c.Args[0]) + ", " + ipText(g, c.Args[1]) + ", " + p + ")" + suffix + ")"
	}
}

func formatIPv4(withMask bool) translator {
	return func(g *gen, c *plan.Call) string {
		m := "32"
		if len(c.Args) == 2 {
			m = g.convert(c.Args[1], types.Long)
		}
		wm := "false"
		if withMask {
			wm = "true"
		}
		return "coalesce(kql_format_ipv4(" + ipText(g, c.Args[0]) + ", " + m + ", " + wm + "), '')"
	}
}

// hasIPv4 renders has_ipv4/has_any_ipv4 (and the _prefix forms): the
// addresses go to the UDF as a JSON array.
func hasIPv4(prefix bool) translator {
	return func(g *gen, c *plan.Call) string {
		var list string
		if len(c.Args) == 2 && c.Args[1].Type() == types.Dynamic {
			list = "CAST(" + g.expr(c.Args[1]) + " AS VARCHAR)"
		} else {
			var parts []string
			for _, a := range c.Args[1:] {
				if a.Type() == types.Dynamic {
					parts = append(parts, "CAST("+g.expr(a)+" AS VARCHAR[])")
				} else {
					parts = append(parts, "["+strArg(g, a)+"]")
				}
			}
			list = "CAST(to_json(flatten([" + strings.Join(parts, ", ") + "])) AS VARCHAR)"
		}
		p := "false"
		if prefix {
			p = "true"
		}
		return "coalesce(kql_has_any_ipv4(" + strArg(g, c.Args[0]) + ", " + list + ", " + p + "), false)"
	}
}
