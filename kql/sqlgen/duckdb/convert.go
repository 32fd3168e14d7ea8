package duckdb

import (
	"encoding/json"
	"strconv"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// convert renders v converted to Kusto type t (tostring, tolong, …).
func (g *gen) convert(v plan.Expr, t types.Type) string {
	return convertSQL(g.expr(v), v.Type(), t)
}

// convertSQL converts the rendered value x of type from to type t.
func convertSQL(x string, from, t types.Type) string {
	if from == t {
		return x
	}
	switch t {
	case types.String:
		switch from {
		case types.Real:
			return "kql_real_str(" + x + ")"
		case types.DateTime:
			return "kql_dt_str(" + x + ")"
		case types.TimeSpan:
			return "kql_ts_str(" + x + ")"
		case types.Dynamic:
			return "kql_dyn_str(" + x + ")"
		case types.Null, types.Unknown:
			return "CAST(" + x + " AS VARCHAR)"
		}
		return "CAST(" + x + " AS VARCHAR)"
	case types.Long, types.Int:
		st := SQLType(t)
		switch from {
		case types.Real, types.Decimal:
			return "TRY_CAST(trunc(" + x + ") AS " + st + ")"
		case types.String:
			return "coalesce(TRY_CAST(" + x + " AS " + st + "), TRY_CAST(trunc(TRY_CAST(" + x + " AS DOUBLE)) AS " + st + "))"
		case types.Dynamic:
			return "coalesce(TRY_CAST(json_extract_string(" + x + ", '$') AS " + st + "), TRY_CAST(trunc(TRY_CAST(json_extract_string(" + x + ", '$') AS DOUBLE)) AS " + st + "))"
		case types.Bool:
			return "CAST(" + x + " AS " + st + ")"
		case types.DateTime:
			return "((epoch_us(" + x + ") * 10) + 621355968000000000)"
		}
		return "TRY_CAST(" + x + " AS " + st + ")"
	case types.Real, types.Decimal:
		st := SQLType(t)
		if from == types.Dynamic {
			return "TRY_CAST(json_extract_string(" + x + ", '$') AS " + st + ")"
		}
		return "TRY_CAST(" + x + " AS " + st + ")"
	case types.Bool:
		switch from {
		case types.String:
			return "TRY_CAST(lower(" + x + ") AS BOOLEAN)"
		case types.Dynamic:
			return "TRY_CAST(json_extract_string(" + x + ", '$') AS BOOLEAN)"
		case types.Int, types.Long, types.Real, types.Decimal:
			return "(" + x + " <> 0)"
		}
		return "TRY_CAST(" + x + " AS BOOLEAN)"
	case types.DateTime:
		switch from {
		case types.String:
			return "coalesce(CAST(TRY_CAST(" + x + " AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP), kql_todatetime(" + x + "))"
		case types.Dynamic:
			return "coalesce(CAST(TRY_CAST(json_extract_string(" + x + ", '$') AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP), kql_todatetime(json_extract_string(" + x + ", '$')))"
		case types.Long, types.Int:
			return "make_timestamp(CAST((" + x + " - 621355968000000000) // 10 AS BIGINT))"
		}
		return "TRY_CAST(" + x + " AS TIMESTAMP)"
	case types.TimeSpan:
		switch from {
		case types.String:
			return "kql_ts_parse(" + x + ")"
		case types.Dynamic:
			return "kql_ts_parse(json_extract_string(" + x + ", '$'))"
		case types.Int, types.Long:
			return "CAST(" + x + " AS BIGINT)"
		case types.Real:
			return "CAST(" + x + " AS BIGINT)"
		}
		return "CAST(NULL AS BIGINT)"
	case types.GUID:
		if from == types.Dynamic {
			return "TRY_CAST(json_extract_string(" + x + ", '$') AS UUID)"
		}
		return "TRY_CAST(" + x + " AS UUID)"
	case types.Dynamic:
		switch from {
		case types.String:
			return "(CASE WHEN json_valid(" + x + ") THEN CAST(" + x + " AS JSON) ELSE to_json(" + x + ") END)"
		case types.DateTime:
			return "to_json(kql_dt_str(" + x + "))"
		case types.TimeSpan:
			return "to_json(kql_ts_str(" + x + "))"
		case types.GUID:
			return "to_json(CAST(" + x + " AS VARCHAR))"
		case types.Null, types.Unknown:
			return "CAST(NULL AS JSON)"
		}
		return "to_json(" + x + ")"
	}
	return x
}

// jsonArrayLiterals renders the elements of a constant JSON array as SQL
// literals comparable with a value of type t.
func jsonArrayLiterals(js string, t types.Type) ([]string, bool) {
	var arr []any
	if err := json.Unmarshal([]byte(js), &arr); err != nil {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		switch v := v.(type) {
		case string:
			out = append(out, Str(v))
		case float64:
			if t.IsIntegral() && v == float64(int64(v)) {
				out = append(out, strconv.FormatInt(int64(v), 10))
			} else {
				out = append(out, strconv.FormatFloat(v, 'g', -1, 64))
			}
		case bool:
			out = append(out, strconv.FormatBool(v))
		case nil:
			out = append(out, "NULL")
		default:
			return nil, false
		}
	}
	return out, true
}

// jsonArrayStrings returns the elements of a constant JSON array as
// strings (numbers in their JSON form).
func jsonArrayStrings(js string) ([]string, bool) {
	var arr []any
	if err := json.Unmarshal([]byte(js), &arr); err != nil {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case nil:
		default:
			b, _ := json.Marshal(v)
			out = append(out, string(b))
		}
	}
	return out, true
}
