package duckdb

import (
	"github.com/goshawk-sec/goshawk/kql/semantic"
)

// The series_* functions, computed by the Go UDF kql_dyn over the JSON
// text of the arrays (query/udf/series.go).
func init() {
	m := map[string]translator{
		"series_fill_const":          dynOp("series_fill_const", 3),
		"series_fill_forward":        dynOp("series_fill_forward", 2),
		"series_fill_backward":       dynOp("series_fill_backward", 2),
		"series_fill_linear":         dynOp("series_fill_linear", 4),
		"series_iir":                 dynOp("series_iir", 3),
		"series_seasonal":            dynOp("series_seasonal", 2),
		"series_stats_dynamic":       dynOp("series_stats_dynamic", 2),
		"series_sum":                 dynOp("series_sum", 1),
		"series_product":             dynOp("series_product", 1),
		"series_pearson_correlation": dynOp("series_pearson_correlation", 2),
		"series_outliers":            dynOp("series_outliers", 5),
		"series_magnitude":           dynOp("series_magnitude", 1),
		"series_dot_product":         dynOp("series_dot_product", 2),
		"series_cosine_similarity":   dynOp("series_cosine_similarity", 2),
		// Functions of several results: a bag the binder splits into columns.
		"series_stats":               dynOp("series_stats_dynamic", 2),
		"series_periods_validate":    dynOp("series_periods_validate", 0),
		"series_decompose":           dynOp("series_decompose", 5),
		"series_decompose_anomalies": dynOp("series_decompose_anomalies", 7),
		"series_fit_line":            dynOp("series_fit_line", 1),
	}
	for _, name := range semantic.SeriesUnary {
		m["series_"+name] = dynOp("series_"+name, 1)
	}
	for _, name := range semantic.SeriesBinary {
		m["series_"+name] = dynOp("series_binary", 2, Str(`"`+name+`"`))
	}
	register(scalarFuncs, m)
}
