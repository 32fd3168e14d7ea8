package plan

import (
	"github.com/goshawk-sec/goshawk/kql/types"
)

// Expr is a typed scalar expression.
type Expr interface {
	Type() types.Type
	exprNode()
}

// ColRef reads a column of the node's input by name.
type ColRef struct {
	Name string
	T    types.Type
}

// Const is a constant. Value holds: nil (null), bool, int64 (int and long),
// float64, string (string, decimal digits, guid, dynamic JSON text),
// time.Time (datetime), int64 ticks wrapped in Ticks (timespan).
type Const struct {
	Value any
	T     types.Type
}

// Ticks is a timespan constant in 100 ns units.
type Ticks int64

// Call applies a built-in function or operator. Fn is the canonical name
// from the function catalogue ("strlen", "tolower", "bin") or an operator
// spelling ("==", "has", "and", "+", "in", "between", "not").
type Call struct {
	Fn   string
	Args []Expr
	T    types.Type
	// Over is the row order a window function (row_number, prev, next,
	// row_cumsum) runs in: the order of the serialized input, when known.
	Over []SortKey
	// PartitionBy restarts a window function for each distinct value.
	PartitionBy []Expr
}

// Star is the `*` argument of count(*), arg_max(x, *) and similar.
type Star struct{}

// ScalarSubquery is a tabular plan used as a scalar: toscalar(T), or the
// right side of `in` (where it yields the first column's values).
type ScalarSubquery struct {
	Plan Node
	T    types.Type
}

// Lambda is an expression over named parameters, used by functions that
// apply an expression per element (array_sort_asc's key, scan steps, …).
type Lambda struct {
	Params []string
	Body   Expr
	T      types.Type
}

func (e *ColRef) Type() types.Type         { return e.T }
func (e *Const) Type() types.Type          { return e.T }
func (e *Call) Type() types.Type           { return e.T }
func (*Star) Type() types.Type             { return types.Unknown }
func (e *ScalarSubquery) Type() types.Type { return e.T }
func (e *Lambda) Type() types.Type         { return e.T }

func (*ColRef) exprNode()         {}
func (*Const) exprNode()          {}
func (*Call) exprNode()           {}
func (*Star) exprNode()           {}
func (*ScalarSubquery) exprNode() {}
func (*Lambda) exprNode()         {}

// NamedExpr is an output column: a name and the expression computing it.
type NamedExpr struct {
	Name string
	Expr Expr
}

// IsConst reports whether e is a constant, and returns it.
func IsConst(e Expr) (*Const, bool) {
	c, ok := e.(*Const)
	return c, ok
}
