package semantic

import (
	"sort"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// FuncKind tells whether a function is evaluated per row or per group.
type FuncKind uint8

// Function kinds.
const (
	Scalar FuncKind = iota
	Aggregate
	// Window functions run over the serialized row set (row_number, prev…).
	Window
)

// Func is one entry of the function catalogue.
type Func struct {
	Name    string
	Kind    FuncKind
	MinArgs int
	MaxArgs int // -1: variadic
	// Result returns the type of a call given its argument types.
	Result func(args []types.Type) types.Type
	// Alias is the canonical name when Name is a deprecated spelling.
	Alias string
}

// Canonical returns the name under which backends translate the function.
func (f *Func) Canonical() string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

var catalogue = map[string]*Func{}

// LookupFunc returns the catalogue entry for name (case-sensitive, as in
// Kusto).
func LookupFunc(name string) (*Func, bool) {
	f, ok := catalogue[name]
	return f, ok
}

// Funcs returns every catalogue entry sorted by name (aliases included).
func Funcs() []*Func {
	out := make([]*Func, 0, len(catalogue))
	for _, f := range catalogue {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func register(kind FuncKind, name string, minArgs, maxArgs int, result func([]types.Type) types.Type, aliases ...string) {
	catalogue[name] = &Func{Name: name, Kind: kind, MinArgs: minArgs, MaxArgs: maxArgs, Result: result}
	for _, a := range aliases {
		catalogue[a] = &Func{Name: a, Kind: kind, MinArgs: minArgs, MaxArgs: maxArgs, Result: result, Alias: name}
	}
}

func scalar(name string, minArgs, maxArgs int, result func([]types.Type) types.Type, aliases ...string) {
	register(Scalar, name, minArgs, maxArgs, result, aliases...)
}

func aggregate(name string, minArgs, maxArgs int, result func([]types.Type) types.Type, aliases ...string) {
	register(Aggregate, name, minArgs, maxArgs, result, aliases...)
}

func window(name string, minArgs, maxArgs int, result func([]types.Type) types.Type) {
	register(Window, name, minArgs, maxArgs, result)
}

// Result-type helpers.

func fixed(t types.Type) func([]types.Type) types.Type {
	return func([]types.Type) types.Type { return t }
}

func argType(i int) func([]types.Type) types.Type {
	return func(a []types.Type) types.Type {
		if i < len(a) && a[i] != types.Null {
			return a[i]
		}
		for _, t := range a {
			if t != types.Null && t != types.Unknown {
				return t
			}
		}
		return types.Unknown
	}
}

// promoted widens the numeric arguments from index from on.
func promoted(from int) func([]types.Type) types.Type {
	return func(a []types.Type) types.Type {
		t := types.Null
		for _, x := range a[from:] {
			if x == types.Unknown || x == types.Dynamic {
				continue
			}
			if p := types.Promote(t, x); p != types.Unknown {
				t = p
			} else if t == types.Null {
				t = x
			}
		}
		if t == types.Null {
			return types.Unknown
		}
		return t
	}
}

// sumResult: sum of int/long is long, of real real, of decimal decimal,
// of timespan timespan.
func sumResult(a []types.Type) types.Type {
	if len(a) == 0 {
		return types.Long
	}
	switch a[0] {
	case types.Int, types.Long, types.Bool:
		return types.Long
	case types.Decimal, types.Real, types.TimeSpan:
		return a[0]
	}
	return types.Real
}

// avgResult: avg is real except for timespan/datetime/decimal.
func avgResult(a []types.Type) types.Type {
	if len(a) > 0 && (a[0] == types.TimeSpan || a[0] == types.DateTime || a[0] == types.Decimal) {
		return a[0]
	}
	return types.Real
}

// numOrArg returns real for numeric math unless the argument is integral
// and the function keeps it (abs, sign on long stay long).
func keepNumeric(a []types.Type) types.Type {
	if len(a) > 0 && (a[0].IsNumeric() || a[0] == types.TimeSpan) {
		return a[0]
	}
	return types.Real
}
