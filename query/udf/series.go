package udf

import (
	"fmt"
	"math"
	"sort"
)

// The series_* functions: element-wise math over dynamic arrays of
// numbers, filling of missing values, filters and statistics. A
// non-numeric element is a missing value (null).

func init() {
	ops := map[string]dynOp{
		"series_binary":              seriesBinary,
		"series_fill_const":          seriesFillConst,
		"series_fill_forward":        seriesFillForward,
		"series_fill_backward":       seriesFillBackward,
		"series_fill_linear":         seriesFillLinear,
		"series_iir":                 seriesIIR,
		"series_seasonal":            seriesSeasonal,
		"series_stats_dynamic":       seriesStatsDynamic,
		"series_sum":                 seriesSum,
		"series_product":             seriesProduct,
		"series_pearson_correlation": seriesPearson,
		"series_periods_validate":    seriesPeriodsValidate,
		"series_decompose":           seriesDecompose,
		"series_decompose_anomalies": seriesDecomposeAnomalies,
	}
	for name, f := range seriesUnaryFuncs {
		f, ki := f, seriesKeepInt[name]
		ops["series_"+name] = func(a []any) (any, error) { return seriesUnary(a, f, ki) }
	}
	addOps(ops)
}

// seriesUnaryFuncs are the element-wise functions; keepInt tells which keep an
// integer element integral.
var seriesUnaryFuncs = map[string]func(float64) float64{
	"abs":     math.Abs,
	"acos":    math.Acos,
	"asin":    math.Asin,
	"atan":    math.Atan,
	"ceiling": math.Ceil,
	"cos":     math.Cos,
	"exp":     math.Exp,
	"floor":   math.Floor,
	"log":     math.Log,
	"sign": func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	},
	"sin":  math.Sin,
	"sqrt": math.Sqrt,
	"tan":  math.Tan,
}

var seriesKeepInt = map[string]bool{"abs": true, "ceiling": true, "floor": true, "sign": true}

// seriesValues reads an array as numbers; missing marks non-numbers.
func seriesValues(v any) (vals []float64, missing []bool, ok bool) {
	arr, ok := dynArray(v)
	if !ok {
		return nil, nil, false
	}
	vals = make([]float64, len(arr))
	missing = make([]bool, len(arr))
	for i, e := range arr {
		f, ok := dynFloat(e)
		vals[i], missing[i] = f, !ok
	}
	return vals, missing, true
}

func seriesAllInts(v any) bool {
	arr, _ := dynArray(v)
	for _, e := range arr {
		if e != nil && !dynIsInt(e) {
			return false
		}
	}
	return true
}

func seriesUnary(a []any, f func(float64) float64, keepInt bool) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	out := make([]any, len(arr))
	for i, e := range arr {
		x, ok := dynFloat(e)
		if !ok {
			continue
		}
		y := f(x)
		if dynIsInt(e) && y == math.Trunc(y) && math.Abs(y) < 1e18 && keepInt {
			out[i] = int64(y)
		} else {
			out[i] = y
		}
	}
	return out, nil
}

// seriesBinary(op, x, y): element-wise op; a scalar operand applies to
// every element; elements beyond the shorter array are null.
func seriesBinary(a []any) (any, error) {
	op, _ := a[0].(string)
	x, y := a[1], a[2]
	xa, xArr := dynArray(x)
	ya, yArr := dynArray(y)
	if !xArr && !yArr {
		return nil, nil
	}
	n := len(xa)
	if yArr && len(ya) > n {
		n = len(ya)
	}
	at := func(v any, arr []any, isArr bool, i int) any {
		if !isArr {
			return v
		}
		if i < len(arr) {
			return arr[i]
		}
		return nil
	}
	out := make([]any, n)
	for i := 0; i < n; i++ {
		ex, ey := at(x, xa, xArr, i), at(y, ya, yArr, i)
		fx, ok1 := dynFloat(ex)
		fy, ok2 := dynFloat(ey)
		if !ok1 || !ok2 {
			continue
		}
		ints := dynIsInt(ex) && dynIsInt(ey)
		var r float64
		switch op {
		case "add":
			r = fx + fy
		case "subtract":
			r = fx - fy
		case "multiply":
			r = fx * fy
		case "divide":
			out[i] = fx / fy
			continue
		case "pow":
			out[i] = math.Pow(fx, fy)
			continue
		case "greater":
			out[i] = fx > fy
			continue
		case "greater_equals":
			out[i] = fx >= fy
			continue
		case "less":
			out[i] = fx < fy
			continue
		case "less_equals":
			out[i] = fx <= fy
			continue
		case "equals":
			out[i] = fx == fy
			continue
		case "not_equals":
			out[i] = fx != fy
			continue
		default:
			return nil, fmt.Errorf("unknown series operator %q", op)
		}
		if ints && math.Abs(r) < 1e18 {
			out[i] = int64(r)
		} else {
			out[i] = r
		}
	}
	return out, nil
}

// seriesMissing tells whether element e is a missing value: null, or equal to
// the placeholder when one is given.
func seriesMissing(e, placeholder any) bool {
	if placeholder == nil {
		_, ok := dynFloat(e)
		return !ok
	}
	pf, ok := dynFloat(placeholder)
	if !ok {
		_, isNum := dynFloat(e)
		return !isNum
	}
	f, ok := dynFloat(e)
	return !ok || f == pf
}

// seriesFillConst(x, constant, placeholder).
func seriesFillConst(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	c := a[1]
	out := make([]any, len(arr))
	for i, e := range arr {
		if seriesMissing(e, a[2]) {
			out[i] = c
		} else {
			out[i] = e
		}
	}
	return out, nil
}

// seriesFillForward(x, placeholder): a missing value takes the last
// present value before it.
func seriesFillForward(a []any) (any, error) { return seriesFillFrom(a, false) }

func seriesFillBackward(a []any) (any, error) { return seriesFillFrom(a, true) }

// seriesFillFrom replaces missing values with the nearest value before
// them (or after them, backward); leading missing values stay as they are.
func seriesFillFrom(a []any, backward bool) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	out := make([]any, len(arr))
	var fill any
	for k := range arr {
		i := k
		if backward {
			i = len(arr) - 1 - k
		}
		e := arr[i]
		if seriesMissing(e, a[1]) {
			out[i] = fill
			if fill == nil {
				out[i] = e
			}
		} else {
			out[i], fill = e, e
		}
	}
	return out, nil
}

// seriesFillLinear(x, placeholder, fillEdges, constant): linear
// interpolation of missing values; the edges take the nearest value
// when fillEdges; an array with no value becomes constant everywhere.
// Arrays of integers stay integral (values truncated).
func seriesFillLinear(a []any) (any, error) {
	arr, ok := dynArray(a[0])
	if !ok {
		return nil, nil
	}
	fillEdges := dynBool(a[2], true)
	if a[2] == nil {
		fillEdges = true
	}
	ints := seriesAllInts(a[0])
	var idx []int
	for i, e := range arr {
		if !seriesMissing(e, a[1]) {
			idx = append(idx, i)
		}
	}
	out := make([]any, len(arr))
	if len(idx) == 0 {
		c := a[3]
		if c == nil {
			c = 0.0
		}
		for i := range out {
			out[i] = c
		}
		return out, nil
	}
	val := func(f float64) any {
		if ints {
			return int64(f)
		}
		return f
	}
	copy(out, arr)
	for k := 0; k+1 < len(idx); k++ {
		i0, i1 := idx[k], idx[k+1]
		v0, _ := dynFloat(arr[i0])
		v1, _ := dynFloat(arr[i1])
		for i := i0 + 1; i < i1; i++ {
			out[i] = val(v0 + (v1-v0)*float64(i-i0)/float64(i1-i0))
		}
	}
	first, last := idx[0], idx[len(idx)-1]
	for i := 0; i < first; i++ {
		if fillEdges {
			out[i] = arr[first]
		} else if seriesMissing(arr[i], nil) {
			out[i] = nil
		}
	}
	for i := last + 1; i < len(arr); i++ {
		if fillEdges {
			out[i] = arr[last]
		} else if seriesMissing(arr[i], nil) {
			out[i] = nil
		}
	}
	return out, nil
}

// seriesIIR(x, numerators, denominators): the infinite impulse response
// filter y[n] = (Σ b[i]·x[n-i] − Σ_{j≥1} a[j]·y[n-j]) / a[0].
func seriesIIR(a []any) (any, error) {
	x, xm, ok := seriesValues(a[0])
	b, _, ok2 := seriesValues(a[1])
	den, _, ok3 := seriesValues(a[2])
	if !ok || !ok2 || !ok3 || len(den) == 0 || den[0] == 0 {
		return nil, nil
	}
	y := make([]float64, len(x))
	out := make([]any, len(x))
	for n := range x {
		s := 0.0
		for i := 0; i < len(b) && i <= n; i++ {
			if !xm[n-i] {
				s += b[i] * x[n-i]
			}
		}
		for j := 1; j < len(den) && j <= n; j++ {
			s -= den[j] * y[n-j]
		}
		y[n] = s / den[0]
		out[n] = y[n]
	}
	return out, nil
}

func seriesMedian(v []float64) float64 {
	s := append([]float64{}, v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// seriesSeasonal(x, period): each element is the seriesMedian of the values at
// the same phase of the period; period -1 detects it, 0 means none.
func seriesSeasonal(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	period := int(dynInt(a[1], -1))
	if period < 0 {
		period = seriesDetectPeriodAt(x, miss, 0.7)
	}
	out := make([]any, len(x))
	if period <= 0 {
		for i := range out {
			out[i] = 0.0
		}
		return out, nil
	}
	phase := make([][]float64, period)
	for i, v := range x {
		if !miss[i] {
			phase[i%period] = append(phase[i%period], v)
		}
	}
	for i := range x {
		out[i] = seriesMedian(phase[i%period])
	}
	return out, nil
}

// seriesDetectPeriodAt finds the lag with the strongest autocorrelation, when
// it is at least threshold and the series
// holds at least four cycles. Series shorter than 16 points are too short
// to detect a period.
func seriesDetectPeriodAt(x []float64, miss []bool, threshold float64) int {
	n := len(x)
	mean, cnt := 0.0, 0
	for i, v := range x {
		if !miss[i] {
			mean += v
			cnt++
		}
	}
	if cnt < 16 {
		return 0
	}
	mean /= float64(cnt)
	v0 := 0.0
	for i, v := range x {
		if !miss[i] {
			v0 += (v - mean) * (v - mean)
		}
	}
	if v0 == 0 {
		return 0
	}
	best, bestScore := 0, 0.0
	for p := 2; p*4 <= n; p++ {
		s := 0.0
		for i := 0; i+p < n; i++ {
			if !miss[i] && !miss[i+p] {
				s += (x[i] - mean) * (x[i+p] - mean)
			}
		}
		score := s / v0 * float64(n) / float64(n-p)
		if score > bestScore+1e-9 {
			best, bestScore = p, score
		}
	}
	if bestScore < threshold {
		return 0
	}
	return best
}

type seriesStats struct {
	min, max, sum, avg, stdev, variance float64
	minIdx, maxIdx, n                   int
}

func seriesComputeStats(x []float64, miss []bool, ignoreNonFinite bool) (seriesStats, bool) {
	st := seriesStats{minIdx: -1, maxIdx: -1}
	var vals []float64
	for i, v := range x {
		if miss[i] || (ignoreNonFinite && (math.IsNaN(v) || math.IsInf(v, 0))) {
			continue
		}
		if st.minIdx < 0 || v < st.min {
			st.min, st.minIdx = v, i
		}
		if st.maxIdx < 0 || v > st.max {
			st.max, st.maxIdx = v, i
		}
		st.sum += v
		vals = append(vals, v)
	}
	st.n = len(x)
	if len(vals) == 0 {
		return st, false
	}
	st.avg = st.sum / float64(len(vals))
	if len(vals) > 1 {
		ss := 0.0
		for _, v := range vals {
			ss += (v - st.avg) * (v - st.avg)
		}
		st.variance = ss / float64(len(vals)-1)
		st.stdev = math.Sqrt(st.variance)
	}
	return st, true
}

func seriesStatsDynamic(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	st, ok := seriesComputeStats(x, miss, dynBool(a[1], false))
	if !ok {
		return map[string]any{"min": nil, "min_idx": nil, "max": nil, "max_idx": nil, "avg": nil, "stdev": nil, "variance": nil, "sum": nil, "len": int64(st.n)}, nil
	}
	return map[string]any{
		"min": st.min, "min_idx": int64(st.minIdx), "max": st.max, "max_idx": int64(st.maxIdx),
		"avg": st.avg, "stdev": st.stdev, "variance": st.variance, "sum": st.sum, "len": int64(st.n),
	}, nil
}

func seriesSum(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	s := 0.0
	for i, v := range x {
		if !miss[i] {
			s += v
		}
	}
	return dynScalar{s}, nil
}

func seriesProduct(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	p := 1.0
	for i, v := range x {
		if !miss[i] {
			p *= v
		}
	}
	return dynScalar{p}, nil
}

// seriesPearson is the Pearson correlation coefficient of two series.
func seriesPearson(a []any) (any, error) {
	x, xm, ok1 := seriesValues(a[0])
	y, ym, ok2 := seriesValues(a[1])
	if !ok1 || !ok2 || len(x) != len(y) || len(x) == 0 {
		return nil, nil
	}
	var sx, sy float64
	n := 0
	for i := range x {
		if xm[i] || ym[i] {
			continue
		}
		sx += x[i]
		sy += y[i]
		n++
	}
	if n == 0 {
		return nil, nil
	}
	mx, my := sx/float64(n), sy/float64(n)
	var cov, vx, vy float64
	for i := range x {
		if xm[i] || ym[i] {
			continue
		}
		cov += (x[i] - mx) * (y[i] - my)
		vx += (x[i] - mx) * (x[i] - mx)
		vy += (y[i] - my) * (y[i] - my)
	}
	return dynScalar{cov / math.Sqrt(vx*vy)}, nil
}

// seriesACF is the autocorrelation of x at lag p, normalised by the
// number of pairs; missing points are skipped.
func seriesACF(x []float64, miss []bool, p int) float64 {
	n := len(x)
	mean, cnt := 0.0, 0
	for i, v := range x {
		if !miss[i] {
			mean += v
			cnt++
		}
	}
	if cnt == 0 || p <= 0 || p >= n {
		return 0
	}
	mean /= float64(cnt)
	v0 := 0.0
	for i, v := range x {
		if !miss[i] {
			v0 += (v - mean) * (v - mean)
		}
	}
	if v0 == 0 {
		return 0
	}
	s, pairs := 0.0, 0
	for i := 0; i+p < n; i++ {
		if !miss[i] && !miss[i+p] {
			s += (x[i] - mean) * (x[i+p] - mean)
			pairs++
		}
	}
	if pairs == 0 {
		return 0
	}
	return s / float64(pairs) / (v0 / float64(cnt))
}

// seriesPeriodsValidate(x, periods…): a score in [0, 1] for each given
// period, its autocorrelation at that lag (0 when negative).
func seriesPeriodsValidate(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	periods, scores := []any{}, []any{}
	for _, p := range a[1:] {
		f, ok := dynFloat(p)
		if !ok {
			continue
		}
		periods = append(periods, f)
		sc := 0.0
		if f == math.Trunc(f) && f >= 2 && f*2 <= float64(len(x)) {
			sc = math.Max(0, seriesACF(x, miss, int(f)))
		}
		scores = append(scores, sc)
	}
	return map[string]any{"periods": periods, "scores": scores}, nil
}

// seriesDecomposeParts splits x into seasonal, trend and residual parts
// (series_decompose): the seasonal part is the median of each phase, the
// trend is fitted on the deseasonalised series, the baseline is their
// sum. The last testPoints points take no part in the fitting.
func seriesDecomposeParts(x []float64, miss []bool, period int, trend string, testPoints int, threshold float64) (baseline, seasonal, trendv, residual []float64) {
	n := len(x)
	train := n - testPoints
	if train < 0 {
		train = 0
	}
	if period < 0 {
		period = seriesDetectPeriodAt(x[:train], miss[:train], threshold)
	}
	seasonal = make([]float64, n)
	if period > 0 {
		phase := make([][]float64, period)
		for i := 0; i < train; i++ {
			if !miss[i] {
				phase[i%period] = append(phase[i%period], x[i])
			}
		}
		for i := range seasonal {
			seasonal[i] = seriesMedian(phase[i%period])
		}
	}
	trendv = make([]float64, n)
	switch trend {
	case "none":
	case "linefit":
		var sx, sy, sxx, sxy, cnt float64
		for i := 0; i < train; i++ {
			if miss[i] {
				continue
			}
			fi, y := float64(i), x[i]-seasonal[i]
			sx, sy, sxx, sxy, cnt = sx+fi, sy+y, sxx+fi*fi, sxy+fi*y, cnt+1
		}
		slope, icpt := 0.0, 0.0
		if d := cnt*sxx - sx*sx; d != 0 {
			slope = (cnt*sxy - sx*sy) / d
		}
		if cnt > 0 {
			icpt = (sy - slope*sx) / cnt
		}
		for i := range trendv {
			trendv[i] = icpt + slope*float64(i)
		}
	default: // avg
		s, cnt := 0.0, 0
		for i := 0; i < train; i++ {
			if !miss[i] {
				s += x[i] - seasonal[i]
				cnt++
			}
		}
		if cnt > 0 {
			for i := range trendv {
				trendv[i] = s / float64(cnt)
			}
		}
	}
	baseline = make([]float64, n)
	residual = make([]float64, n)
	for i := range x {
		baseline[i] = seasonal[i] + trendv[i]
		residual[i] = x[i] - baseline[i]
	}
	return baseline, seasonal, trendv, residual
}

// decomposeArgs reads (period, trend, test points, threshold) from a.
func decomposeArgs(a []any, thresholdDefault float64) (int, string, int, float64) {
	period := int(dynInt(a[0], -1))
	trend, _ := a[1].(string)
	if trend == "" {
		trend = "avg"
	}
	tp := int(dynInt(a[2], 0))
	th, ok := dynFloat(a[3])
	if !ok {
		th = thresholdDefault
	}
	return period, trend, tp, th
}

func floatsOut(v []float64, miss []bool) []any {
	out := make([]any, len(v))
	for i, f := range v {
		if miss == nil || !miss[i] {
			out[i] = f
		}
	}
	return out
}

// seriesDecompose(x, seasonality, trend, test_points, threshold).
func seriesDecompose(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	p, tr, tp, th := decomposeArgs(a[1:5], 0.6)
	base, seas, trend, res := seriesDecomposeParts(x, miss, p, tr, tp, th)
	return map[string]any{"baseline": floatsOut(base, nil), "seasonal": floatsOut(seas, nil), "trend": floatsOut(trend, nil), "residual": floatsOut(res, miss)}, nil
}

// seriesPercentile is the p-th percentile (0..100) of sorted values, by
// linear interpolation.
func seriesPercentile(s []float64, p float64) float64 {
	if len(s) == 0 {
		return 0
	}
	r := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(r))
	hi := int(math.Ceil(r))
	return s[lo] + (s[hi]-s[lo])*(r-float64(lo))
}

// seriesDecomposeAnomalies(x, threshold, seasonality, trend, test_points,
// ad_method, seasonality_threshold): Tukey's fences on the residuals
// (10th–90th percentiles for ctukey, quartiles for tukey).
func seriesDecomposeAnomalies(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	k, ok := dynFloat(a[1])
	if !ok {
		k = 1.5
	}
	p, tr, tp, th := decomposeArgs([]any{a[2], a[3], a[4], a[6]}, 0.6)
	base, _, _, res := seriesDecomposeParts(x, miss, p, tr, tp, th)
	method, _ := a[5].(string)
	lo, hi := 10.0, 90.0
	if method == "tukey" {
		lo, hi = 25, 75
	}
	train := len(x) - tp
	if train < 0 {
		train = 0
	}
	var s []float64
	for i := 0; i < train; i++ {
		if !miss[i] {
			s = append(s, res[i])
		}
	}
	sort.Float64s(s)
	q1, q3 := seriesPercentile(s, lo), seriesPercentile(s, hi)
	iqr := q3 - q1
	flags := make([]any, len(x))
	scores := make([]any, len(x))
	for i, r := range res {
		if miss[i] {
			continue
		}
		sc := 0.0
		if iqr > 0 {
			switch {
			case r > q3:
				sc = (r - q3) / iqr
			case r < q1:
				sc = (r - q1) / iqr
			}
		}
		scores[i] = sc
		switch {
		case sc > k:
			flags[i] = int64(1)
		case sc < -k:
			flags[i] = int64(-1)
		default:
			flags[i] = int64(0)
		}
	}
	return map[string]any{"ad_flag": flags, "ad_score": scores, "baseline": floatsOut(base, nil)}, nil
}

func init() {
	addOps(map[string]dynOp{
		"series_outliers":          seriesOutliers,
		"series_fit_line":          seriesFitLine,
		"series_magnitude":         seriesMagnitude,
		"series_dot_product":       seriesDotProduct,
		"series_cosine_similarity": seriesCosineSimilarity,
	})
}

// seriesOutliers(x, kind, ignore_val, min_percentile, max_percentile):
// Tukey's fence score of each point, relative to the percentile range.
func seriesOutliers(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	lo, hi := 10.0, 90.0
	if k, _ := a[1].(string); k == "tukey" {
		lo, hi = 25, 75
	}
	if f, ok := dynFloat(a[3]); ok {
		lo = f
	}
	if f, ok := dynFloat(a[4]); ok {
		hi = f
	}
	ignore, hasIgnore := dynFloat(a[2])
	var s []float64
	for i, v := range x {
		if !miss[i] && !(hasIgnore && v == ignore) {
			s = append(s, v)
		}
	}
	sort.Float64s(s)
	q1, q3 := seriesPercentile(s, lo), seriesPercentile(s, hi)
	iqr := q3 - q1
	out := make([]any, len(x))
	for i, v := range x {
		if miss[i] || (hasIgnore && v == ignore) {
			out[i] = 0.0
			continue
		}
		sc := 0.0
		if iqr > 0 {
			switch {
			case v > q3:
				sc = (v - q3) / iqr
			case v < q1:
				sc = (v - q1) / iqr
			}
		}
		out[i] = sc
	}
	return out, nil
}

// seriesFitLine is the least-squares line through (i, x[i]): a bag of
// rsquare, slope, variance, rvariance, interception and line_fit.
func seriesFitLine(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	var sx, sy, sxx, sxy, n float64
	for i, v := range x {
		if miss[i] {
			continue
		}
		fi := float64(i)
		sx, sy, sxx, sxy, n = sx+fi, sy+v, sxx+fi*fi, sxy+fi*v, n+1
	}
	if n == 0 {
		return nil, nil
	}
	slope := 0.0
	if d := n*sxx - sx*sx; d != 0 {
		slope = (n*sxy - sx*sy) / d
	}
	icpt := (sy - slope*sx) / n
	mean := sy / n
	var ssTot, ssRes float64
	fit := make([]any, len(x))
	for i, v := range x {
		f := icpt + slope*float64(i)
		fit[i] = f
		if miss[i] {
			continue
		}
		ssTot += (v - mean) * (v - mean)
		ssRes += (v - f) * (v - f)
	}
	rsq := 0.0
	if ssTot > 0 {
		rsq = 1 - ssRes/ssTot
	}
	return map[string]any{"rsquare": rsq, "slope": slope, "variance": ssTot / n, "rvariance": ssRes / n, "interception": icpt, "line_fit": fit}, nil
}

func seriesMagnitude(a []any) (any, error) {
	x, miss, ok := seriesValues(a[0])
	if !ok {
		return nil, nil
	}
	s := 0.0
	for i, v := range x {
		if !miss[i] {
			s += v * v
		}
	}
	return dynScalar{math.Sqrt(s)}, nil
}

func seriesDot(a []any) (float64, float64, float64, bool) {
	x, xm, ok1 := seriesValues(a[0])
	y, ym, ok2 := seriesValues(a[1])
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	var dot, nx, ny float64
	for i := 0; i < len(x) && i < len(y); i++ {
		if xm[i] || ym[i] {
			continue
		}
		dot += x[i] * y[i]
		nx += x[i] * x[i]
		ny += y[i] * y[i]
	}
	return dot, nx, ny, true
}

func seriesDotProduct(a []any) (any, error) {
	dot, _, _, ok := seriesDot(a)
	if !ok {
		return nil, nil
	}
	return dynScalar{dot}, nil
}

func seriesCosineSimilarity(a []any) (any, error) {
	dot, nx, ny, ok := seriesDot(a)
	if !ok {
		return nil, nil
	}
	return dynScalar{dot / math.Sqrt(nx*ny)}, nil
}
