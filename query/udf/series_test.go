package udf

import (
	"testing"
)

func TestSeriesOps(t *testing.T) {
	tests := []struct {
		op   string
		args []string
		want any
	}{
		{"series_abs", []string{`[-6.5,0,8,null,"x"]`}, `[6.5,0,8,null,null]`},
		{"series_exp", []string{`[0]`}, `[1.0]`},
		{"series_log", []string{`[1]`}, `[0.0]`},
		{"series_sign", []string{`[-3,0,2.5]`}, `[-1,0,1.0]`},
		{"series_binary", []string{`"add"`, `[1,2,3]`, `[4,5]`}, `[5,7,null]`},
		{"series_binary", []string{`"subtract"`, `[1,2,4]`, `[4,2,1]`}, `[-3,0,3]`},
		{"series_binary", []string{`"multiply"`, `10`, `[1,-1,0]`}, `[10,-10,0]`},
		{"series_binary", []string{`"divide"`, `[1,2,4]`, `[4,2,1]`}, `[0.25,1.0,4.0]`},
		{"series_binary", []string{`"pow"`, `[4]`, `[0.5]`}, `[2.0]`},
		{"series_binary", []string{`"greater"`, `[1,2,4]`, `[4,2,1]`}, `[false,false,true]`},
		{"series_binary", []string{`"less_equals"`, `[1,2,4]`, `[4,2,1]`}, `[true,true,false]`},
		{"series_binary", []string{`"equals"`, `[1,2,4]`, `[4,2,1]`}, `[false,true,false]`},
		{"series_fill_const", []string{`[1,null,3]`, `0.0`, `null`}, `[1,0.0,3]`},
		{"series_fill_const", []string{`[1,-1,3]`, `9`, `-1`}, `[1,9,3]`},
		{"series_fill_forward", []string{`[null,1,null,2,null]`, `null`}, `[null,1,1,2,2]`},
		{"series_fill_backward", []string{`[null,1,null,2,null]`, `null`}, `[1,1,2,2,null]`},
		{"series_fill_linear", []string{`[null,1.5,null,3.5,null]`, `null`, `null`, `null`}, `[1.5,1.5,2.5,3.5,3.5]`},
		{"series_fill_linear", []string{`[null,111,null,36]`, `null`, `false`, `null`}, `[null,111,73,36]`},
		{"series_fill_linear", []string{`[null,null]`, `null`, `true`, `3.5`}, `[3.5,3.5]`},
		{"series_iir", []string{`[1,2,3,4]`, `[1]`, `[1,-1]`}, `[1.0,3.0,6.0,10.0]`},
		{"series_seasonal", []string{`[1,3,5,2,4,6,1,3,5,2,4,6]`, `3`}, `[1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5]`},
		{"series_seasonal", []string{`[1,3,5,2,4,6,1,3,5,2,4,6]`, `null`}, `[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]`},
		{"series_seasonal", []string{`[8,12,14,12,10,10,12,14,12,10,10,12,14,12,10,10,12,14,12,10]`, `-1`},
			`[10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0]`},
		{"series_sum", []string{`[1,2,3,4]`}, "10.0"},
		{"series_product", []string{`[1,2,3,4]`}, "24.0"},
		{"series_sum", []string{`"x"`}, nil},
		{"series_pearson_correlation", []string{`[1,2,3]`, `[2,4,6]`}, "1.0"},
		{"series_stats_dynamic", []string{`[3,1,2]`, `null`},
			`{"avg":2.0,"len":3,"max":3.0,"max_idx":0,"min":1.0,"min_idx":1,"stdev":1.0,"sum":6.0,"variance":1.0}`},
		{"series_periods_validate", []string{`[1,2,1,2,1,2,1,2]`, `2`, `3`}, `{"periods":[2.0,3.0],"scores":[1.0,0.0]}`},
		{"series_decompose", []string{`[1,2,3,4]`, `0`, `"linefit"`, `null`, `null`},
			`{"baseline":[1.0,2.0,3.0,4.0],"residual":[0.0,0.0,0.0,0.0],"seasonal":[0.0,0.0,0.0,0.0],"trend":[1.0,2.0,3.0,4.0]}`},
		{"series_decompose_anomalies", []string{`[1,1,1,1,1,1,1,1,1,1,1,9,1]`, `1.5`, `0`, `"avg"`, `null`, `"tukey"`, `null`},
			`{"ad_flag":[0,0,0,0,0,0,0,0,0,0,0,0,0],"ad_score":[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0],"baseline":[1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154,1.6153846153846154]}`},
	}
	for _, tc := range tests {
		got := callDyn(t, tc.op, tc.args...)
		if tc.want == nil {
			if got != nil {
				t.Errorf("%s%v = %v, want NULL", tc.op, tc.args, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%s%v =\n  %v\nwant\n  %v", tc.op, tc.args, got, tc.want)
		}
	}
}

func TestSeriesPercentile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5}
	for _, tc := range []struct{ p, want float64 }{{0, 1}, {50, 3}, {25, 2}, {90, 4.6}, {100, 5}} {
		if got := seriesPercentile(s, tc.p); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("percentile %v = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestSeriesDecomposeAnomaliesFlags(t *testing.T) {
	got := callDyn(t, "series_decompose_anomalies", `[1,2,1,2,1,2,1,2,1,2,1,20,1,2,1,-15,1,2]`, `1.5`, `0`, `"avg"`, `null`, `null`, `null`)
	v, err := dynDecode(got.(string))
	if err != nil {
		t.Fatal(err)
	}
	flags := v.(map[string]any)["ad_flag"].([]any)
	for i, f := range flags {
		want := "0"
		switch i {
		case 11:
			want = "1"
		case 15:
			want = "-1"
		}
		if dynEncode(f) != want {
			t.Errorf("ad_flag[%d] = %v, want %s", i, f, want)
		}
	}
}
