package semantic

import (
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// row is the row context of a scalar expression: the columns of the
// operator's input, columns defined earlier in the same operator, and,
// inside summarize, the collector that turns aggregate calls into columns.
type row struct {
	cols      []types.Column
	overrides map[string]plan.Expr
	aggs      *aggCollector
	window    bool // window functions allowed (serialize, extend over serialized input)
	order     []plan.SortKey
	// hidden resolves hidden columns of the scan under this row, if any.
	hidden func(name string) (types.Column, bool)
}

func (r *row) lookup(name string) (plan.Expr, bool) {
	if r == nil {
		return nil, false
	}
	if x, ok := r.overrides[name]; ok {
		return x, true
	}
	for _, c := range r.cols {
		if c.Name == name {
			return &plan.ColRef{Name: c.Name, T: c.Type}, true
		}
	}
	// Defender and Sentinel spell some columns differently only in case
	// (AccountUpn / AccountUPN): a unique case-insensitive match resolves.
	var found *types.Column
	for i, c := range r.cols {
		if strings.EqualFold(c.Name, name) {
			if found != nil {
				return nil, false
			}
			found = &r.cols[i]
		}
	}
	if found != nil {
		return &plan.ColRef{Name: found.Name, T: found.Type}, true
	}
	if r.hidden != nil {
		if c, ok := r.hidden(name); ok {
			return &plan.ColRef{Name: c.Name, T: c.Type}, true
		}
	}
	return nil, false
}

// aggCollector gathers the aggregate calls of a summarize expression.
type aggCollector struct {
	aggs []plan.NamedExpr
}

func (a *aggCollector) add(c *plan.Call) plan.Expr {
	name := "__agg" + itoa(len(a.aggs))
	a.aggs = append(a.aggs, plan.NamedExpr{Name: name, Expr: c})
	return &plan.ColRef{Name: name, T: c.T}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func unknown() plan.Expr { return &plan.Const{T: types.Unknown} }

func call(fn string, t types.Type, args ...plan.Expr) *plan.Call {
	return &plan.Call{Fn: fn, Args: args, T: t}
}

// expr binds a scalar expression.
func (b *binder) expr(x syntax.Expr, e *env, r *row) plan.Expr {
	switch x := x.(type) {
	case *syntax.Literal:
		return literalConst(x)
	case *syntax.Ident:
		return b.ident(x, e, r)
	case *syntax.ParenExpr:
		if b.isTabular(x.X, e) {
			n := b.tabular(x.X, e)
			return b.scalarSubquery(x, n)
		}
		return b.expr(x.X, e, r)
	case *syntax.UnaryExpr:
		v := b.expr(x.X, e, r)
		if x.Op == "+" {
			return v
		}
		if c, ok := v.(*plan.Const); ok {
			switch n := c.Value.(type) {
			case int64:
				return &plan.Const{Value: -n, T: c.T}
			case float64:
				return &plan.Const{Value: -n, T: c.T}
			case plan.Ticks:
				return &plan.Const{Value: -n, T: c.T}
			}
		}
		return call("neg", v.Type(), v)
	case *syntax.BinaryExpr:
		return b.binary(x, e, r)
	case *syntax.InExpr:
		return b.in(x, e, r)
	case *syntax.BetweenExpr:
		v := b.expr(x.X, e, r)
		lo := b.expr(x.Lo, e, r)
		hi := b.expr(x.Hi, e, r)
		if v.Type() == types.Dynamic {
			v = convertTo(v, promoteNonNull(lo.Type(), hi.Type()))
		}
		if v.Type() == types.DateTime && hi.Type() == types.TimeSpan {
			hi = call("+", types.DateTime, lo, hi)
		}
		fn := "between"
		if x.Not {
			fn = "!between"
		}
		return call(fn, types.Bool, v, lo, hi)
	case *syntax.CallExpr:
		return b.call(x, e, r)
	case *syntax.IndexExpr:
		v := b.expr(x.X, e, r)
		idx := b.expr(x.Index, e, r)
		return call("dyn_index", types.Dynamic, toDynamic(v), idx)
	case *syntax.SelectorExpr:
		return b.selector(x, e, r)
	case *syntax.StarExpr:
		return &plan.Star{}
	case *syntax.TypeExpr:
		return &plan.Const{Value: x.Type.String(), T: types.String}
	case *syntax.NamedExpr:
		return b.expr(x.Value, e, r)
	case *syntax.PipeExpr, *syntax.DataTableExpr, *syntax.PrintExpr, *syntax.RangeExpr, *syntax.UnionExpr:
		n := b.tabular(x, e)
		return b.scalarSubquery(x, n)
	}
	b.errAt(x, CodeUnsupported, "Expression of this kind is not supported here")
	return unknown()
}

func (b *binder) scalarSubquery(x syntax.Node, n plan.Node) plan.Expr {
	if n == nil {
		return unknown()
	}
	s := n.Schema()
	if len(s) == 0 {
		b.errAt(x, CodeNotScalar, "A tabular expression with no columns cannot be used as a scalar")
		return unknown()
	}
	return &plan.ScalarSubquery{Plan: n, T: s[0].Type}
}

func (b *binder) ident(x *syntax.Ident, e *env, r *row) plan.Expr {
	if v, ok := r.lookup(x.Name); ok {
		return v
	}
	if ent := e.lookup(x.Name); ent != nil {
		switch {
		case ent.scalar != nil:
			return ent.scalar
		case ent.tabular != nil:
			return b.scalarSubquery(x, ent.tabular)
		case ent.fn != nil && len(ent.fn.Params) == 0:
			return b.invokeScalar(x, ent, nil, e, r)
		}
	}
	if b.curOpen && r != nil {
		return &plan.ColRef{Name: x.Name, T: types.Dynamic}
	}
	if _, ok := b.cat.Table(x.Name); ok {
		b.errAt(x, CodeNotScalar, "'%s' is a table and cannot be used as a scalar expression", x.Name)
		return unknown()
	}
	b.errAt(x, CodeUnknownName, "Failed to resolve scalar expression named '%s'", x.Name)
	return unknown()
}

func (b *binder) selector(x *syntax.SelectorExpr, e *env, r *row) plan.Expr {
	v := b.expr(x.X, e, r)
	return call("dyn_get", types.Dynamic, toDynamic(v), &plan.Const{Value: x.Sel.Name, T: types.String})
}

func toDynamic(v plan.Expr) plan.Expr {
	if v.Type() == types.Dynamic || v.Type() == types.Unknown {
		return v
	}
	return call("todynamic", types.Dynamic, v)
}

// convertTo converts a dynamic value to t for comparisons with typed
// values, as Kusto does implicitly.
func convertTo(v plan.Expr, t types.Type) plan.Expr {
	if v.Type() != types.Dynamic {
		return v
	}
	switch t {
	case types.String:
		return call("tostring", types.String, v)
	case types.Int, types.Long:
		return call("tolong", types.Long, v)
	case types.Real, types.Decimal:
		return call("toreal", types.Real, v)
	case types.Bool:
		return call("tobool", types.Bool, v)
	case types.DateTime:
		return call("todatetime", types.DateTime, v)
	case types.TimeSpan:
		return call("totimespan", types.TimeSpan, v)
	case types.GUID:
		return call("toguid", types.GUID, v)
	}
	return v
}

func promoteNonNull(a, b types.Type) types.Type {
	if a == types.Null || a == types.Unknown {
		return b
	}
	return a
}

var stringOps = map[string]bool{}

func init() {
	for _, op := range []string{"has", "hasprefix", "hassuffix", "contains", "startswith", "endswith", "has_cs", "hasprefix_cs", "hassuffix_cs", "contains_cs", "startswith_cs", "endswith_cs", "like", "like_cs"} {
		stringOps[op] = true
		stringOps["!"+op] = true
	}
	stringOps["notcontains"] = true
	stringOps["notcontainscs"] = true
	stringOps["notlike"] = true
	stringOps["notlike_cs"] = true
	stringOps["matches regex"] = true
	stringOps["=~"] = true
	stringOps["!~"] = true
}

func (b *binder) binary(x *syntax.BinaryExpr, e *env, r *row) plan.Expr {
	l := b.expr(x.X, e, r)
	rt := b.expr(x.Y, e, r)
	op := x.Op
	switch {
	case op == "and" || op == "or":
		return call(op, types.Bool, toBool(l), toBool(rt))
	case stringOps[op]:
		switch op {
		case "notcontains":
			op = "!contains"
		case "notcontainscs":
			op = "!contains_cs"
		case "notlike":
			op = "!like"
		case "notlike_cs":
			op = "!like_cs"
		}
		return call(op, types.Bool, toStr(l), toStr(rt))
	case op == "==" || op == "!=" || op == "<>" || op == "<" || op == ">" || op == "<=" || op == ">=":
		if op == "<>" {
			op = "!="
		}
		lt, rtt := l.Type(), rt.Type()
		if lt == types.Dynamic && rtt != types.Dynamic {
			l = convertTo(l, rtt)
		} else if rtt == types.Dynamic && lt != types.Dynamic {
			rt = convertTo(rt, lt)
		} else if lt == types.Dynamic && rtt == types.Dynamic && (op == "==" || op == "!=") {
			l, rt = call("tostring", types.String, l), call("tostring", types.String, rt)
		}
		if !comparable(l.Type(), rt.Type()) {
			// Kusto refuses string-to-number comparisons; published hunting
			// queries rely on them (RemotePort == "3389"), so the string
			// side is converted to the other side's type instead.
			switch {
			case l.Type() == types.String && (rt.Type().IsNumeric() || rt.Type() == types.DateTime || rt.Type() == types.TimeSpan || rt.Type() == types.Bool):
				l = convertString(l, rt.Type())
			case rt.Type() == types.String && (l.Type().IsNumeric() || l.Type() == types.DateTime || l.Type() == types.TimeSpan || l.Type() == types.Bool):
				rt = convertString(rt, l.Type())
			default:
				b.errAt(x, CodeTypeMismatch, "Cannot compare values of types %s and %s. Try adding explicit casts", l.Type(), rt.Type())
			}
		}
		return call(op, types.Bool, l, rt)
	case op == "+" || op == "-" || op == "*" || op == "/" || op == "%":
		t := arithType(op, l.Type(), rt.Type())
		if t == types.Unknown && l.Type() != types.Unknown && rt.Type() != types.Unknown {
			if l.Type() == types.Dynamic || rt.Type() == types.Dynamic {
				t = types.Dynamic
			} else {
				b.errAt(x, CodeTypeMismatch, "Operator '%s' is not defined for types %s and %s", op, l.Type(), rt.Type())
			}
		}
		return call(op, t, l, rt)
	}
	b.errAt(x, CodeUnsupported, "Operator '%s' is not supported", op)
	return unknown()
}

func comparable(a, b types.Type) bool {
	if a == b || a == types.Unknown || b == types.Unknown || a == types.Null || b == types.Null {
		return true
	}
	if a.IsNumeric() && b.IsNumeric() {
		return true
	}
	if a == types.Dynamic || b == types.Dynamic {
		return true
	}
	if (a == types.String && b == types.GUID) || (a == types.GUID && b == types.String) {
		return true
	}
	if (a == types.Bool && b.IsNumeric()) || (b == types.Bool && a.IsNumeric()) {
		return true
	}
	return false
}

// arithType is Kusto's result type for l op r.
func arithType(op string, l, r types.Type) types.Type {
	if l == types.Null {
		l = r
	}
	if r == types.Null {
		r = l
	}
	switch {
	case l == types.Dynamic || r == types.Dynamic:
		if l.IsNumeric() || r.IsNumeric() {
			return types.Dynamic
		}
	case l == types.DateTime && r == types.DateTime && op == "-":
		return types.TimeSpan
	case l == types.DateTime && r == types.TimeSpan && (op == "+" || op == "-"):
		return types.DateTime
	case l == types.TimeSpan && r == types.DateTime && op == "+":
		return types.DateTime
	case l == types.TimeSpan && r == types.TimeSpan:
		switch op {
		case "+", "-", "%":
			return types.TimeSpan
		case "/":
			return types.Real
		}
	case l == types.TimeSpan && r.IsNumeric() && (op == "*" || op == "/"):
		return types.TimeSpan
	case l.IsNumeric() && r == types.TimeSpan && op == "*":
		return types.TimeSpan
	case l.IsNumeric() && r.IsNumeric():
		return types.Promote(l, r)
	case l == types.Bool && r.IsNumeric(), r == types.Bool && l.IsNumeric():
		return types.Long
	}
	return types.Unknown
}

func toBool(v plan.Expr) plan.Expr {
	switch v.Type() {
	case types.Bool, types.Unknown, types.Null:
		return v
	}
	return call("tobool", types.Bool, v)
}

func toStr(v plan.Expr) plan.Expr {
	switch v.Type() {
	case types.String, types.Unknown:
		return v
	}
	return call("tostring", types.String, v)
}

func (b *binder) in(x *syntax.InExpr, e *env, r *row) plan.Expr {
	v := b.expr(x.X, e, r)
	args := []plan.Expr{v}
	for _, el := range x.List {
		if b.isTabular(el, e) {
			n := b.tabular(el, e)
			if n == nil {
				return unknown()
			}
			args = append(args, b.scalarSubquery(el, n))
			continue
		}
		args = append(args, b.expr(el, e, r))
	}
	op := x.Op
	switch op {
	case "has_any", "has_all":
		args[0] = toStr(args[0])
	default:
		if v.Type() == types.Dynamic {
			// Compare by the type of the list elements.
			for _, a := range args[1:] {
				if t := a.Type(); t != types.Dynamic && t != types.Unknown && t != types.Null {
					args[0] = convertTo(v, t)
					break
				}
			}
			if args[0].Type() == types.Dynamic {
				args[0] = call("tostring", types.String, v)
			}
		}
	}
	return call(op, types.Bool, args...)
}

// columnName derives Kusto's name for an unnamed output expression:
// a column keeps its name, x.a becomes x_a, anything else gets "" (the
// caller numbers it Column1, print_0, …).
func columnName(x syntax.Expr) string {
	switch x := x.(type) {
	case *syntax.Ident:
		return x.Name
	case *syntax.SelectorExpr:
		if p := columnName(x.X); p != "" {
			return p + "_" + x.Sel.Name
		}
	case *syntax.IndexExpr:
		if p := columnName(x.X); p != "" {
			if l, ok := x.Index.(*syntax.Literal); ok {
				if s, ok := l.Value.(string); ok {
					return p + "_" + s
				}
				if _, ok := l.Value.(int64); ok {
					return p + "_" + strings.TrimPrefix(l.Raw, "-")
				}
			}
		}
	case *syntax.ParenExpr:
		return columnName(x.X)
	}
	return ""
}
