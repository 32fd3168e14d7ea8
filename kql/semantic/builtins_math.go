package semantic

import "github.com/goshawk-sec/goshawk/kql/types"

// Math, bit and statistics functions of the catalogue.
func init() {
	const (
		L = types.Long
		R = types.Real
		D = types.Dynamic
		S = types.String
	)
	v := -1

	for _, name := range []string{"acos", "asin", "atan", "cos", "sin", "tan", "cot", "degrees", "radians", "erf", "gamma", "loggamma"} {
		scalar(name, 1, 1, fixed(R))
	}
	scalar("atan2", 2, 2, fixed(R))
	scalar("beta_cdf", 3, 3, fixed(R))
	scalar("beta_inv", 3, 3, fixed(R))
	scalar("beta_pdf", 3, 3, fixed(R))
	for _, name := range []string{"convert_angle", "convert_energy", "convert_force", "convert_length", "convert_mass", "convert_speed", "convert_temperature", "convert_volume"} {
		scalar(name, 3, 3, fixed(R))
	}
	scalar("rand", 0, 1, fixed(R))

	// Bits.
	scalar("binary_and", 2, 2, fixed(L))
	scalar("binary_or", 2, 2, fixed(L))
	scalar("binary_xor", 2, 2, fixed(L))
	scalar("binary_not", 1, 1, fixed(L))
	scalar("binary_shift_left", 2, 2, fixed(L))
	scalar("binary_shift_right", 2, 2, fixed(L))
	scalar("bitset_count_ones", 1, 1, fixed(L))
	scalar("tohex", 1, 2, fixed(S))

	// Statistics aggregates.
	aggregate("binary_all_xor", 1, 1, fixed(L))
	aggregate("stdevif", 2, 2, fixed(R))
	aggregate("stdevpif", 2, 2, fixed(R))
	aggregate("varianceif", 2, 2, fixed(R))
	aggregate("variancepif", 2, 2, fixed(R))
	aggregate("covariance", 2, 2, fixed(R))
	aggregate("covariancep", 2, 2, fixed(R))
	aggregate("covarianceif", 3, 3, fixed(R))
	aggregate("covariancepif", 3, 3, fixed(R))
	aggregate("percentilew", 3, 3, argType(0))
	aggregate("percentilesw", 3, v, argType(0))
	aggregate("percentiles_array", 2, v, fixed(D))
	aggregate("percentilesw_array", 3, v, fixed(D))
	aggPrefix["percentilew"] = "percentile"
	aggPrefix["percentiles_array"] = "percentile"
	aggPrefix["percentilesw_array"] = "percentile"

	aggregate("buildschema", 1, 1, fixed(D))
	aggPrefix["buildschema"] = "schema"

	// Sketches. dcount is exact here, so a sketch is the distinct values
	// themselves (a dynamic array) and a t-digest is the sorted values.
	aggregate("hll", 1, 2, fixed(D))
	aggregate("hll_if", 2, 3, fixed(D))
	aggregate("tdigest", 1, 2, fixed(D))
	aggregate("tdigest_merge", 1, 1, fixed(D), "merge_tdigest")
	scalar("dcount_hll", 1, 1, fixed(L))
	scalar("hll_merge", 1, v, fixed(D))
	scalar("percentile_tdigest", 2, 3, fixed(R))
	scalar("percentiles_array_tdigest", 2, v, fixed(D))
}
