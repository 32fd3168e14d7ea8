package udf

import (
	"database/sql/driver"
	"testing"
)

// callDyn runs kql_dyn(op, args…) with args given as JSON text.
func callDyn(t *testing.T, op string, args ...string) any {
	t.Helper()
	vals := []driver.Value{op}
	for _, a := range args {
		vals = append(vals, a)
	}
	got, err := dynCall(vals)
	if err != nil {
		t.Fatalf("%s%v: %v", op, args, err)
	}
	return got
}

func TestDynamicOps(t *testing.T) {
	tests := []struct {
		op   string
		args []string
		want any // string, or nil for SQL NULL
	}{
		{"array_iff", []string{`[true,false,true]`, `[1,2,3]`, `[4,5,6]`}, `[1,5,3]`},
		{"array_iff", []string{`[1,0,50]`, `"yes"`, `"no"`}, `["yes","no","yes"]`},
		{"array_iff", []string{`["s",null]`, `1`, `0`}, `[null,null]`},
		{"array_iff", []string{`[true,true,true]`, `[1,2]`, `[3,4]`}, `[1,2,null]`},
		{"array_iff", []string{`"x"`, `1`, `0`}, nil},
		{"array_index_of", []string{`["a","b","c","b"]`, `"b"`, `null`, `null`, `null`}, "1"},
		{"array_index_of", []string{`["a","b","c","b"]`, `"b"`, `2`, `null`, `null`}, "3"},
		{"array_index_of", []string{`["a","b","c","b"]`, `"b"`, `0`, `-1`, `2`}, "3"},
		{"array_index_of", []string{`["a","b","c","b"]`, `"b"`, `2`, `1`, `null`}, "-1"},
		{"array_index_of", []string{`["a","b","c","b"]`, `"b"`, `-2`, `null`, `null`}, "3"},
		{"array_index_of", []string{`[1,2.0,3]`, `2`, `null`, `null`, `null`}, "1"},
		{"array_reverse", []string{`[1,"a",null]`}, `[null,"a",1]`},
		{"array_rotate", []string{`[1,2,3,4,5]`, `2`}, `[3,4,5,1,2]`},
		{"array_rotate", []string{`[1,2,3,4,5]`, `-2`}, `[4,5,1,2,3]`},
		{"array_rotate", []string{`[1,2,3,4,5]`, `7`}, `[3,4,5,1,2]`},
		{"array_shift", []string{`[1,2,3,4,5]`, `2`, `null`}, `[3,4,5,null,null]`},
		{"array_shift", []string{`[1,2,3,4,5]`, `-2`, `-1`}, `[-1,-1,1,2,3]`},
		{"array_split", []string{`[1,2,3,4,5]`, `2`}, `[[1,2],[3,4,5]]`},
		{"array_split", []string{`[1,2,3,4,5]`, `[1,3]`}, `[[1],[2,3],[4,5]]`},
		{"array_split", []string{`[1,2,3]`, `-1`}, `[[1,2],[3]]`},
		{"array_sort", []string{`false`, `true`, `[3,1,null,2]`}, `[1,2,3,null]`},
		{"array_sort", []string{`false`, `false`, `[null,"b","a",null]`}, `[null,null,"a","b"]`},
		{"array_sort", []string{`true`, `true`, `[3,1,2]`}, `[3,2,1]`},
		{"array_sort", []string{`false`, `true`, `[3,1,2]`, `["c","a","b"]`}, `[[1,2,3],["a","b","c"]]`},
		{"set_has_element", []string{`["a","b"]`, `"b"`}, "true"},
		{"set_has_element", []string{`[1,2]`, `3`}, "false"},
		{"set_union", []string{`[1,2,1,4]`, `[1,2]`, `[8]`}, `[1,2,4,8]`},
		{"set_intersect", []string{`[1,2,3,1]`, `[3,1,5]`}, `[1,3]`},
		{"set_difference", []string{`[1,2,3,1]`, `[3]`, `[5,2]`}, `[1]`},
		{"jaccard_index", []string{`[1,2,3]`, `[1,2,3,4]`}, "0.75"},
		{"jaccard_index", []string{`[]`, `[]`}, "NaN"},
		{"set_distinct", []string{`[5,1,5,7,null]`, `false`, `null`}, `[5,1,7]`},
		{"set_distinct", []string{`[["A1","A2"],["A2","C1"]]`, `true`, `null`}, `["A1","A2","C1"]`},
		{"set_distinct", []string{`[1,2,3]`, `false`, `2`}, `[1,2]`},
		{"bag_remove_keys", []string{`{"a":1,"b":{"c":2,"d":3},"e":4}`, `["$.b.c","e"]`}, `{"a":1,"b":{"d":3}}`},
		{"bag_remove_keys", []string{`{"a":1,"b":2}`, `["$['a']"]`}, `{"b":2}`},
		{"bag_drop_empty", []string{`{"a":"","b":null,"c":0,"d":"x"}`}, `{"c":0,"d":"x"}`},
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
			t.Errorf("%s%v = %v, want %v", tc.op, tc.args, got, tc.want)
		}
	}
}

func TestDynCallErrors(t *testing.T) {
	if _, err := dynCall([]driver.Value{"no_such_op", "1"}); err == nil {
		t.Error("unknown operation: want an error")
	}
	if _, err := dynCall(nil); err == nil {
		t.Error("missing operation: want an error")
	}
	// Text that is not JSON is taken as a string value.
	if got, _ := dynCall([]driver.Value{"set_has_element", `["x y"]`, "x y"}); got != "true" {
		t.Errorf("non-JSON argument: got %v", got)
	}
}
