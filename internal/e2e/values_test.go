package e2e

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
)

// dyn is an expected dynamic value written as JSON text. The query API
// sends a dynamic cell as its JSON text in a string.
type dyn string

// decimal is an expected decimal value; the API sends decimals as
// strings, compared here by value.
type decimal string

// timespan is an expected timespan cell, Kusto's [d.]hh:mm:ss[.fffffff]
// text.
type timespan string

// checkRows compares the named columns of every row of rt with want.
func checkRows(t *testing.T, rt *resultTable, cols []string, want [][]any) {
	t.Helper()
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = rt.col(t, c)
	}
	if len(rt.Rows) != len(want) {
		t.Errorf("got %d rows, want %d", len(rt.Rows), len(want))
	}
	for r := 0; r < len(rt.Rows) && r < len(want); r++ {
		for i, c := range cols {
			got := rt.Rows[r][idx[i]]
			if err := sameValue(got, want[r][i]); err != nil {
				t.Errorf("row %d, column %s (%s): %v", r, c, rt.Columns[idx[i]].Type, err)
			}
		}
	}
}

// sameValue compares a cell as decoded from the query API's JSON (with
// json.Number, or float64 as the Azure SDK decodes numbers) with the
// expected Go value.
func sameValue(got, want any) error {
	mismatch := func() error { return fmt.Errorf("got %#v, want %#v", got, want) }
	if want == nil {
		if got != nil {
			return mismatch()
		}
		return nil
	}
	switch w := want.(type) {
	case int64:
		switch g := got.(type) {
		case json.Number:
			if n, err := g.Int64(); err != nil || n != w {
				return mismatch()
			}
		case float64:
			// The SDK decodes into float64: exact only up to 2^53.
			if g != float64(w) {
				return mismatch()
			}
		default:
			return mismatch()
		}
	case float64:
		switch g := got.(type) {
		case json.Number:
			if f, err := g.Float64(); err != nil || f != w {
				return mismatch()
			}
		case float64:
			if g != w {
				return mismatch()
			}
		default:
			return mismatch()
		}
	case bool, string:
		if got != want {
			return mismatch()
		}
	case time.Time:
		s, ok := got.(string)
		if !ok {
			return mismatch()
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !tm.Equal(w) {
			return fmt.Errorf("got %q, want %s", s, w.Format(time.RFC3339Nano))
		}
	case dyn:
		s, ok := got.(string)
		if !ok {
			return mismatch()
		}
		var g, x any
		if err := json.Unmarshal([]byte(s), &g); err != nil {
			return fmt.Errorf("got %q, not JSON text: %v", s, err)
		}
		if err := json.Unmarshal([]byte(w), &x); err != nil {
			return fmt.Errorf("bad expectation %q: %v", w, err)
		}
		if !reflect.DeepEqual(g, x) {
			return fmt.Errorf("got %s, want %s", s, w)
		}
	case decimal:
		s, ok := got.(string)
		if !ok {
			return mismatch()
		}
		g, ok1 := new(big.Rat).SetString(s)
		x, ok2 := new(big.Rat).SetString(string(w))
		if !ok1 || !ok2 || g.Cmp(x) != 0 {
			return fmt.Errorf("got %q, want the decimal %s", s, w)
		}
	case timespan:
		if got != string(w) {
			return mismatch()
		}
	default:
		return fmt.Errorf("checkRows cannot compare with %T", want)
	}
	return nil
}

// lower is a GUID as the API answers it.
func lower(s string) string { return strings.ToLower(s) }
