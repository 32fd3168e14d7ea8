package duckdb

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// String, encoding, hashing and regex functions. The kql_* functions are
// Go UDFs from query/udf/strings.go.

// udf1 calls a one-argument UDF on the argument as a string.
func udf1(name string) translator {
	return func(g *gen, c *plan.Call) string { return name + "(" + strArg(g, c.Args[0]) + ")" }
}

// udfJSON calls a one-argument UDF that returns JSON text.
func udfJSON(name string) translator {
	return func(g *gen, c *plan.Call) string { return "CAST(" + name + "(" + strArg(g, c.Args[0]) + ") AS JSON)" }
}

// dynText renders a value as the JSON text of a dynamic.
func dynText(g *gen, e plan.Expr) string {
	return "CAST(" + g.convert(e, types.Dynamic) + " AS VARCHAR)"
}

// bigintArg renders an optional integer argument, or def when absent.
func bigintArg(g *gen, c *plan.Call, i int, def string) string {
	if i >= len(c.Args) {
		return def
	}
	return "CAST(" + g.expr(c.Args[i]) + " AS BIGINT)"
}

// hashOf renders Kusto's hash(x [, mod]): XXH64 of the value's bytes.
func hashOf(g *gen, c *plan.Call) string {
	mod := bigintArg(g, c, 1, "0")
	x := c.Args[0]
	switch x.Type() {
	case types.String:
		return "kql_hash_string(" + g.expr(x) + ", " + mod + ")"
	case types.Real, types.Decimal:
		return "kql_hash_real(CAST(" + g.expr(x) + " AS DOUBLE), " + mod + ")"
	case types.Long, types.Int, types.TimeSpan, types.Bool:
		return "kql_hash_long(CAST(" + g.expr(x) + " AS BIGINT), " + mod + ")"
	case types.DateTime:
		return "kql_hash_long(" + g.convert(x, types.Long) + ", " + mod + ")"
	}
	return "kql_hash_string(" + strArg(g, x) + ", " + mod + ")"
}

func indexOfUDF(name string) translator {
	return func(g *gen, c *plan.Call) string {
		return name + "(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ", " +
			bigintArg(g, c, 2, "0") + ", " + bigintArg(g, c, 3, "-1") + ", " + bigintArg(g, c, 4, "1") + ")"
	}
}

func init() {
	register(scalarFuncs, map[string]translator{
		"string_size": func(g *gen, c *plan.Call) string { return "strlen(" + strArg(g, c.Args[0]) + ")" },
		"indexof": func(g *gen, c *plan.Call) string {
			if len(c.Args) == 2 {
				return "(strpos(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ") - 1)"
			}
			return indexOfUDF("kql_indexof")(g, c)
		},
		"indexof_regex": indexOfUDF("kql_indexof_regex"),
		"regex_quote":   udf1("kql_regex_quote"),
		"replace_strings": func(g *gen, c *plan.Call) string {
			return "kql_replace_strings(" + strArg(g, c.Args[0]) + ", " + dynText(g, c.Args[1]) + ", " + dynText(g, c.Args[2]) + ")"
		},
		"replace": func(g *gen, c *plan.Call) string {
			return "regexp_replace(" + strArg(g, c.Args[2]) + ", " + g.expr(c.Args[0]) + ", " + g.expr(c.Args[1]) + ", 'g')"
		},
		"countof": func(g *gen, c *plan.Call) string {
			s, sub := strArg(g, c.Args[0]), strArg(g, c.Args[1])
			if len(c.Args) == 3 {
				if k, ok := constString(c.Args[2]); ok && k == "regex" {
					return "len(regexp_extract_all(" + s + ", " + sub + "))"
				}
			}
			// Plain matches may overlap ("aaaa" holds "aa" three times).
			return "(CASE WHEN length(" + sub + ") = 0 THEN 0 ELSE len(list_filter(range(1, length(" + s + ") - length(" + sub + ") + 2), i -> substr(" + s + ", i, length(" + sub + ")) = " + sub + ")) END)"
		},
		"translate": func(g *gen, c *plan.Call) string {
			return "kql_translate(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ", " + strArg(g, c.Args[2]) + ")"
		},
		"unicode_codepoints_to_string": func(g *gen, c *plan.Call) string {
			parts := make([]string, len(c.Args))
			for i, a := range c.Args {
				if a.Type() == types.Dynamic {
					parts[i] = "CAST(" + g.expr(a) + " AS BIGINT[])"
				} else {
					parts[i] = "[CAST(" + g.expr(a) + " AS BIGINT)]"
				}
			}
			return "array_to_string(list_transform(flatten([" + strings.Join(parts, ", ") + "]), cp -> chr(CAST(cp AS INTEGER))), '')"
		},
		"unicode_codepoints_from_string": func(g *gen, c *plan.Call) string {
			s := strArg(g, c.Args[0])
			return "(CASE WHEN " + s + " = '' THEN CAST('[]' AS JSON) ELSE to_json(list_transform(string_split(" + s + ", ''), ch -> unicode(ch))) END)"
		},
		"url_encode":           udf1("kql_url_encode"),
		"url_encode_component": udf1("kql_url_encode_component"),
		"url_decode":           udf1("kql_url_decode"),
		"extract_all": func(g *gen, c *plan.Call) string {
			groups := "''"
			if len(c.Args) == 3 {
				groups = dynText(g, c.Args[1])
			}
			return "CAST(kql_extract_all(" + strArg(g, c.Args[0]) + ", " + groups + ", " + strArg(g, c.Args[len(c.Args)-1]) + ") AS JSON)"
		},
		"parse_urlquery": udfJSON("kql_parse_urlquery"),
		"parse_version": func(g *gen, c *plan.Call) string {
			return "CAST(kql_parse_version(" + strArg(g, c.Args[0]) + ") AS DECIMAL(38,0))"
		},
		"dynamic_to_json": func(g *gen, c *plan.Call) string {
			return "kql_dynamic_to_json(" + dynText(g, c.Args[0]) + ")"
		},
		"extract_json": func(g *gen, c *plan.Call) string {
			v := "kql_extract_json(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ")"
			if len(c.Args) == 3 {
				if k, ok := c.Args[2].(*plan.Const); ok {
					if name, ok := k.Value.(string); ok {
						if t, ok := types.Parse(name); ok && t != types.String {
							return convertSQL(v, types.String, t)
						}
					}
				}
			}
			return v
		},
		"parse_xml": udfJSON("kql_parse_xml"),
		"parse_csv": udfJSON("kql_parse_csv"),
		"parse_command_line": func(g *gen, c *plan.Call) string {
			return "CAST(kql_parse_command_line(" + strArg(g, c.Args[0]) + ", " + strArg(g, c.Args[1]) + ") AS JSON)"
		},

		"base64_decode_toarray": udfJSON("kql_base64_decode_toarray"),
		"base64_decode_toguid": func(g *gen, c *plan.Call) string {
			return "TRY_CAST(kql_base64_decode_toguid(" + strArg(g, c.Args[0]) + ") AS UUID)"
		},
		"base64_encode_fromarray": func(g *gen, c *plan.Call) string {
			return "kql_base64_encode_fromarray(" + dynText(g, c.Args[0]) + ")"
		},
		"base64_encode_fromguid":             udf1("kql_base64_encode_fromguid"),
		"gzip_compress_to_base64_string":     udf1("kql_gzip_compress"),
		"gzip_decompress_from_base64_string": udf1("kql_gzip_decompress"),
		"zlib_compress_to_base64_string":     udf1("kql_zlib_compress"),
		"zlib_decompress_from_base64_string": udf1("kql_zlib_decompress"),
		"punycode_from_string":               udf1("kql_punycode_from_string"),
		"punycode_to_string":                 udf1("kql_punycode_to_string"),
		"punycode_domain_from_string":        udf1("kql_punycode_domain_from_string"),
		"punycode_domain_to_string":          udf1("kql_punycode_domain_to_string"),

		"hash":          hashOf,
		"hash_xxhash64": hashOf,
		"hash_combine": func(g *gen, c *plan.Call) string {
			parts := make([]string, len(c.Args))
			for i, a := range c.Args {
				parts[i] = "CAST(" + g.expr(a) + " AS BIGINT)"
			}
			return "kql_hash_combine(" + strings.Join(parts, ", ") + ")"
		},
	})
}
