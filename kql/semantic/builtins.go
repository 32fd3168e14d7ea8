package semantic

import "github.com/goshawk-sec/goshawk/kql/types"

// The catalogue. Signatures follow Kusto.Language's function definitions;
// deprecated spellings still in use are registered as aliases.
func init() {
	const (
		B  = types.Bool
		I  = types.Int
		L  = types.Long
		R  = types.Real
		S  = types.String
		DT = types.DateTime
		TS = types.TimeSpan
		G  = types.GUID
		D  = types.Dynamic
	)
	v := -1

	// Strings.
	scalar("strlen", 1, 1, fixed(L))
	scalar("tolower", 1, 1, fixed(S))
	scalar("toupper", 1, 1, fixed(S))
	scalar("strcat", 1, v, fixed(S))
	scalar("strcat_delim", 2, v, fixed(S))
	scalar("substring", 2, 3, fixed(S))
	scalar("indexof", 2, 5, fixed(L))
	scalar("trim", 2, 2, fixed(S))
	scalar("trim_start", 2, 2, fixed(S))
	scalar("trim_end", 2, 2, fixed(S))
	scalar("replace_string", 3, 3, fixed(S))
	scalar("replace_regex", 3, 3, fixed(S))
	scalar("split", 2, 3, fixed(D))
	scalar("extract", 3, 4, func(a []types.Type) types.Type { return S })
	scalar("extract_all", 2, 4, fixed(D), "extractall")
	scalar("countof", 2, 3, fixed(L))
	scalar("reverse", 1, 1, fixed(S))
	scalar("strrep", 2, 3, fixed(S))
	scalar("strcmp", 2, 2, fixed(I))
	scalar("isempty", 1, 1, fixed(B))
	scalar("isnotempty", 1, 1, fixed(B), "notempty")
	scalar("isnull", 1, 1, fixed(B))
	scalar("isnotnull", 1, 1, fixed(B), "notnull")
	scalar("tostring", 1, 1, fixed(S))
	scalar("toint", 1, 1, fixed(I))
	scalar("tolong", 1, 1, fixed(L))
	scalar("toreal", 1, 1, fixed(R), "todouble")
	scalar("todecimal", 1, 1, fixed(types.Decimal))
	scalar("tobool", 1, 1, fixed(B), "toboolean")
	scalar("todatetime", 1, 1, fixed(DT))
	scalar("totimespan", 1, 1, fixed(TS), "totime")
	scalar("toguid", 1, 1, fixed(G))
	scalar("todynamic", 1, 1, fixed(D), "parse_json", "parsejson", "toobject")
	scalar("base64_encode_tostring", 1, 1, fixed(S), "base64_encodestring")
	scalar("base64_decode_tostring", 1, 1, fixed(S), "base64_decodestring")
	scalar("url_encode", 1, 1, fixed(S))
	scalar("url_decode", 1, 1, fixed(S))
	scalar("hash_sha256", 1, 1, fixed(S))
	scalar("hash_md5", 1, 1, fixed(S))
	scalar("hash_sha1", 1, 1, fixed(S))
	scalar("has_any_index", 2, 2, fixed(L))

	// Logic and conditionals.
	scalar("not", 1, 1, fixed(B))
	scalar("iff", 3, 3, promotedOrArg(1), "iif")
	scalar("case", 3, v, promotedOrArg(1))
	scalar("coalesce", 1, v, promotedOrArg(0))
	scalar("gettype", 1, 1, fixed(S))

	// Numbers.
	scalar("abs", 1, 1, keepNumeric)
	scalar("round", 1, 2, keepNumeric)
	scalar("floor", 2, 2, argType(0))
	scalar("bin", 2, 2, argType(0))
	scalar("bin_at", 3, 3, argType(0))
	scalar("ceiling", 1, 1, keepNumeric)
	scalar("sqrt", 1, 1, fixed(R))
	scalar("exp", 1, 1, fixed(R))
	scalar("exp2", 1, 1, fixed(R))
	scalar("exp10", 1, 1, fixed(R))
	scalar("log", 1, 1, fixed(R))
	scalar("log2", 1, 1, fixed(R))
	scalar("log10", 1, 1, fixed(R))
	scalar("pow", 2, 2, fixed(R))
	scalar("sign", 1, 1, keepNumeric)
	scalar("max_of", 1, v, promotedOrArg(0))
	scalar("min_of", 1, v, promotedOrArg(0))
	scalar("isnan", 1, 1, fixed(B))
	scalar("isinf", 1, 1, fixed(B))
	scalar("isfinite", 1, 1, fixed(B))
	scalar("pi", 0, 0, fixed(R))

	// Time.
	scalar("now", 0, 1, fixed(DT))
	scalar("ago", 1, 1, fixed(DT))
	scalar("datetime_add", 3, 3, fixed(DT))
	scalar("datetime_diff", 3, 3, fixed(L))
	scalar("datetime_part", 2, 2, fixed(I))
	scalar("startofday", 1, 2, fixed(DT))
	scalar("startofweek", 1, 2, fixed(DT))
	scalar("startofmonth", 1, 2, fixed(DT))
	scalar("startofyear", 1, 2, fixed(DT))
	scalar("endofday", 1, 2, fixed(DT))
	scalar("endofweek", 1, 2, fixed(DT))
	scalar("endofmonth", 1, 2, fixed(DT))
	scalar("endofyear", 1, 2, fixed(DT))
	scalar("dayofweek", 1, 1, fixed(TS))
	scalar("dayofmonth", 1, 1, fixed(I))
	scalar("dayofyear", 1, 1, fixed(I))
	scalar("hourofday", 1, 1, fixed(I))
	scalar("getmonth", 1, 1, fixed(I), "monthofyear")
	scalar("getyear", 1, 1, fixed(I))
	scalar("week_of_year", 1, 1, fixed(I), "weekofyear")
	scalar("format_datetime", 2, 2, fixed(S))
	scalar("format_timespan", 2, 2, fixed(S))
	scalar("make_datetime", 3, 7, fixed(DT))
	scalar("make_timespan", 2, 4, fixed(TS))
	scalar("unixtime_seconds_todatetime", 1, 1, fixed(DT))
	scalar("unixtime_milliseconds_todatetime", 1, 1, fixed(DT))
	scalar("unixtime_microseconds_todatetime", 1, 1, fixed(DT))
	scalar("unixtime_nanoseconds_todatetime", 1, 1, fixed(DT))
	scalar("datetime_utc_to_local", 2, 2, fixed(DT))
	scalar("datetime_local_to_utc", 2, 2, fixed(DT))

	// Dynamic.
	scalar("pack_array", 0, v, fixed(D))
	scalar("range", 2, 3, fixed(D))
	// column_ifexists is resolved by the binder to a column or its default.
	catalogue["column_ifexists"] = &Func{Name: "column_ifexists", Kind: Scalar, MinArgs: 2, MaxArgs: 2, Result: argType(1), Alias: "coalesce"}
	catalogue["ingestion_time"] = &Func{Name: "ingestion_time", Kind: Scalar, MinArgs: 0, MaxArgs: 0, Result: fixed(DT)}
	scalar("parse_url", 1, 1, fixed(D), "parseurl")
	scalar("parse_path", 1, 1, fixed(D))
	scalar("bag_pack", 0, v, fixed(D), "pack", "pack_dictionary")
	// pack_all() is lowered by the binder to bag_pack over the row.
	catalogue["pack_all"] = &Func{Name: "pack_all", Kind: Scalar, MinArgs: 0, MaxArgs: 1, Result: fixed(D), Alias: "bag_pack"}
	scalar("array_length", 1, 1, fixed(L), "arraylength")
	scalar("bag_keys", 1, 1, fixed(D))
	scalar("strcat_array", 2, 2, fixed(S))
	scalar("array_concat", 1, v, fixed(D))
	scalar("array_slice", 3, 3, fixed(D))
	scalar("bag_has_key", 2, 2, fixed(B))
	scalar("bag_merge", 1, v, fixed(D))

	// Window functions (need a serialized row set).
	window("row_number", 0, 2, fixed(L))
	window("prev", 1, 3, argType(0))
	window("next", 1, 3, argType(0))
	window("row_cumsum", 1, 2, argType(0))

	// Aggregates.
	aggregate("count", 0, 1, fixed(L))
	aggregate("countif", 1, 1, fixed(L))
	aggregate("dcount", 1, 2, fixed(L))
	aggregate("dcountif", 2, 3, fixed(L))
	aggregate("sum", 1, 1, sumResult)
	aggregate("sumif", 2, 2, sumResult)
	aggregate("avg", 1, 1, avgResult)
	aggregate("avgif", 2, 2, avgResult)
	aggregate("min", 1, 1, argType(0))
	aggregate("max", 1, 1, argType(0))
	aggregate("minif", 2, 2, argType(0))
	aggregate("maxif", 2, 2, argType(0))
	aggregate("stdev", 1, 1, fixed(R))
	aggregate("stdevp", 1, 1, fixed(R))
	aggregate("variance", 1, 1, fixed(R))
	aggregate("variancep", 1, 1, fixed(R))
	aggregate("make_set", 1, 2, fixed(D), "makeset")
	aggregate("make_list", 1, 2, fixed(D), "makelist")
	aggregate("make_set_if", 2, 3, fixed(D))
	aggregate("make_list_if", 2, 3, fixed(D))
	aggregate("make_list_with_nulls", 1, 2, fixed(D))
	aggregate("make_bag", 1, 2, fixed(D))
	aggregate("take_any", 1, v, argType(0), "any")
	aggregate("take_anyif", 2, 2, argType(0), "anyif")
	aggregate("arg_max", 1, v, argType(0), "argmax")
	aggregate("arg_min", 1, v, argType(0), "argmin")
	aggregate("percentile", 2, 2, argType(0))
	aggregate("percentiles", 2, v, argType(0))
	aggregate("binary_all_or", 1, 1, fixed(L))
	aggregate("binary_all_and", 1, 1, fixed(L))
	aggregate("count_distinct", 1, 1, fixed(L))
}

// promotedOrArg returns the widened numeric type of the arguments from
// index from on, stepping over conditions, or the first typed argument.
func promotedOrArg(from int) func([]types.Type) types.Type {
	return func(a []types.Type) types.Type {
		if from >= len(a) {
			return types.Unknown
		}
		rest := a[from:]
		if len(rest) > 1 && from == 1 && len(a) > 3 { // case(): values at odd indexes and the last
			vals := []types.Type{}
			for i := 1; i < len(a); i += 2 {
				vals = append(vals, a[i])
			}
			vals = append(vals, a[len(a)-1])
			rest = vals
		}
		if t := promoted(0)(rest); t != types.Unknown {
			return t
		}
		return argType(0)(rest)
	}
}
