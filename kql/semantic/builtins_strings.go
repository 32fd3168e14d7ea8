package semantic

import (
	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// String, encoding, hashing and regex functions (see
// kql/sqlgen/duckdb/functions_strings.go and query/udf/strings.go).
func init() {
	const (
		L = types.Long
		S = types.String
		D = types.Dynamic
	)
	v := -1

	scalar("string_size", 1, 1, fixed(L))
	scalar("indexof_regex", 2, 5, fixed(L))
	scalar("regex_quote", 1, 1, fixed(S))
	scalar("replace_strings", 3, 3, fixed(S))
	// replace(regex, rewrite, text) is the older replace_regex with the
	// text last.
	scalar("replace", 3, 3, fixed(S))
	scalar("translate", 3, 3, fixed(S))
	scalar("unicode_codepoints_to_string", 1, v, fixed(S), "make_string")
	scalar("unicode_codepoints_from_string", 1, 1, fixed(D), "to_utf8")
	scalar("url_encode_component", 1, 1, fixed(S))
	scalar("parse_urlquery", 1, 1, fixed(D))
	scalar("parse_version", 1, 1, fixed(types.Decimal))
	scalar("dynamic_to_json", 1, 1, fixed(S))
	scalar("extract_json", 2, 3, fixed(S), "extractjson")
	scalar("parse_xml", 1, 1, fixed(D))
	scalar("parse_csv", 1, 1, fixed(D))
	scalar("parse_command_line", 2, 2, fixed(D))

	// Encodings.
	scalar("base64_decode_toarray", 1, 1, fixed(D))
	scalar("base64_decode_toguid", 1, 1, fixed(types.GUID))
	scalar("base64_encode_fromarray", 1, 1, fixed(S))
	scalar("base64_encode_fromguid", 1, 1, fixed(S))
	scalar("gzip_compress_to_base64_string", 1, 1, fixed(S))
	scalar("gzip_decompress_from_base64_string", 1, 1, fixed(S))
	scalar("zlib_compress_to_base64_string", 1, 1, fixed(S))
	scalar("zlib_decompress_from_base64_string", 1, 1, fixed(S))
	scalar("punycode_from_string", 1, 1, fixed(S))
	scalar("punycode_to_string", 1, 1, fixed(S))
	scalar("punycode_domain_from_string", 1, 1, fixed(S))
	scalar("punycode_domain_to_string", 1, 1, fixed(S))

	// Hashes.
	scalar("hash", 1, 2, fixed(L))
	scalar("hash_xxhash64", 1, 2, fixed(L))
	scalar("hash_combine", 2, v, fixed(L))
}

// typeofResult gives the result type of the functions whose last argument
// is a typeof() naming it: extract(re, group, text, typeof(T)) and
// extract_json(path, text, typeof(T)).
func typeofResult(name string, args []plan.Expr) (types.Type, bool) {
	n := 0
	switch name {
	case "extract":
		n = 4
	case "extract_json":
		n = 3
	default:
		return types.Unknown, false
	}
	if len(args) != n {
		return types.Unknown, false
	}
	c, ok := args[n-1].(*plan.Const)
	if !ok {
		return types.Unknown, false
	}
	s, ok := c.Value.(string)
	if !ok {
		return types.Unknown, false
	}
	t, ok := types.Parse(s)
	if !ok || t == types.Unknown || t == types.Null {
		return types.Unknown, false
	}
	return t, true
}
