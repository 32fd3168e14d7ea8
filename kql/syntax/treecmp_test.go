package syntax

import (
	"fmt"
	"math"
	"reflect"
	"time"
)

var (
	posType  = reflect.TypeOf(Pos(0))
	spanType = reflect.TypeOf(Span{})
	timeType = reflect.TypeOf(time.Time{})
)

// ignoredFields are presentation details that printing may change: the
// source spelling of literals and whether a name was bracket-quoted.
var ignoredFields = map[string]bool{"Raw": true, "ValueText": true, "Quoted": true}

// treeDiff compares two syntax trees structurally, ignoring positions and
// presentation, and describes the first difference ("" when equal).
func treeDiff(a, b any) string {
	return diffValue(reflect.ValueOf(a), reflect.ValueOf(b), "")
}

func diffValue(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return fmt.Sprintf("%s: one side is missing", path)
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s vs %s", path, a.Type(), b.Type())
	}
	switch a.Type() {
	case posType, spanType:
		return ""
	case timeType:
		if !a.Interface().(time.Time).Equal(b.Interface().(time.Time)) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil vs non-nil", path)
			}
			return ""
		}
		return diffValue(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			if ignoredFields[f.Name] {
				continue
			}
			if d := diffValue(a.Field(i), b.Field(i), path+"."+f.Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() && (a.Len() > 0 || b.Len() > 0 || a.Type().Elem().Kind() != reflect.Interface) {
			return fmt.Sprintf("%s: nil vs empty slice", path)
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diffValue(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d vs %d keys", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			if d := diffValue(a.MapIndex(k), b.MapIndex(k), fmt.Sprintf("%s[%v]", path, k)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Float64:
		x, y := a.Float(), b.Float()
		if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
			return fmt.Sprintf("%s: %v vs %v", path, x, y)
		}
		return ""
	}
	if a.CanInterface() && !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: %#v vs %#v", path, a.Interface(), b.Interface())
	}
	return ""
}

var nodeType = reflect.TypeOf((*Node)(nil)).Elem()

// walkNodes calls fn for every Node reachable from v, in any field.
func walkNodes(v reflect.Value, fn func(Node)) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Type().Implements(nodeType) {
			fn(v.Interface().(Node))
		}
		walkNodes(v.Elem(), fn)
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			walkNodes(v.Field(i), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkNodes(v.Index(i), fn)
		}
	}
}

// spanErrors describes nodes whose span is not inside a text of n bytes.
func spanErrors(root Node, n int) []string {
	var bad []string
	walkNodes(reflect.ValueOf(root), func(x Node) {
		if x.Pos() < 0 || x.End() < x.Pos() || int(x.End()) > n {
			bad = append(bad, fmt.Sprintf("%T %d..%d", x, x.Pos(), x.End()))
		}
	})
	return bad
}
