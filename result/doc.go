// Package result holds a query result as Goshawk returns it and encodes it
// in the shapes clients read: the Log Analytics query API JSON, CSV, and an
// aligned text table for the CLI.
//
// # Model
//
// A Set is the answer to one query: one or more Tables (the main one is
// named "PrimaryResult") and a truncation flag. A Table has typed Columns
// and Rows of Go values. The Go value of a cell depends on its column's
// Kusto type; nil is null in every type:
//
//	bool      bool
//	int       int32 (int64 and the other Go integer kinds are accepted)
//	long      int64 (the other Go integer kinds and *big.Int are accepted)
//	real      float64 (float32 and Go integers are accepted)
//	decimal   string holding the exact digits, or float64
//	string    string
//	datetime  time.Time (read as UTC)
//	timespan  time.Duration; the store keeps 100 ns ticks, see FromTicks
//	guid      string (canonical, lower case), [16]byte or []byte of 16
//	dynamic   json.RawMessage, or a decoded JSON value: nil, bool, float64,
//	          int64, json.Number, string, []any, map[string]any
//
// # Wire format
//
// WriteJSON writes exactly what the Log Analytics query API
// (POST /v1/workspaces/{id}/query) answers, so that the official SDKs
// (azure-sdk-for-go sdk/monitor/query/azlogs, Azure.Monitor.Query for .NET)
// read Goshawk's answers. The value encodings follow recorded responses of
// that API (see the session records of Azure.Monitor.Query's live tests):
//
//   - datetime: an ISO 8601 UTC string with the fraction trimmed of trailing
//     zeros, at most 7 digits (100 ns): "2015-12-31T23:59:59.9Z",
//     "2021-06-14T00:00:00Z".
//   - timespan: .NET's constant ("c") format [-][d.]hh:mm:ss[.fffffff],
//     e.g. "00:00:10", "1.02:03:04.5000000"; the SDKs parse it with "c".
//   - decimal: a JSON string of the digits, "0.10101", so no precision is
//     lost; the .NET SDK calls decimal.Parse on it.
//   - dynamic: a JSON string holding the compact JSON text of the value,
//     "{\"a\":123,\"c\":[1,2,3]}"; the .NET SDK's GetDynamic reads it with
//     GetString. A null dynamic is JSON null.
//   - real: a JSON number; NaN and ±infinity, which JSON lacks, are the
//     strings "NaN", "Infinity" and "-Infinity", as Kusto sends them.
//   - int, long: JSON numbers. bool: true/false. guid, string: strings.
//
// A truncated Set carries the partial-result signal of the API: an "error"
// object beside "tables" with code "PartialError", whose single detail is an
// "EngineError" with an innererror naming E_QUERY_RESULT_SET_TOO_LARGE, as
// Log Analytics answers a query whose result exceeds its limits.
//
// # Text
//
// FormatValue renders one value as Kusto prints it in text (CSV export,
// Kusto.Explorer): datetimes always with 7 fractional digits
// ("2017-08-01T00:00:00.0000000Z", the form tostring() gives), timespans in
// the "c" format, reals in .NET's shortest round-trip form ("1E+20"), and
// dynamic values as compact JSON, scalar strings without quotes.
package result
