package semantic

import (
	"encoding/json"
	"time"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

const maxExpansionDepth = 64

func (b *binder) call(x *syntax.CallExpr, e *env, r *row) plan.Expr {
	name := x.Fun.Name
	if ent := e.lookup(name); ent != nil && ent.fn != nil {
		return b.invokeScalar(x, ent, x.Args, e, r)
	}
	switch name {
	case "toscalar":
		if len(x.Args) != 1 {
			b.errAt(x, CodeArgCount, "toscalar(): expects 1 argument")
			return unknown()
		}
		if !b.isTabular(x.Args[0], e) {
			return b.expr(x.Args[0], e, r)
		}
		n := b.tabular(x.Args[0], e)
		return b.scalarSubquery(x, n)
	case "now":
		t := b.opts.Now
		if len(x.Args) == 1 {
			off := b.expr(x.Args[0], e, r)
			if c, ok := off.(*plan.Const); ok {
				if d, ok := c.Value.(plan.Ticks); ok {
					return &plan.Const{Value: t.Add(time.Duration(d) * 100), T: types.DateTime}
				}
			}
			return call("+", types.DateTime, &plan.Const{Value: t, T: types.DateTime}, off)
		}
		return &plan.Const{Value: t, T: types.DateTime}
	case "ago":
		if len(x.Args) == 1 {
			off := b.expr(x.Args[0], e, r)
			if c, ok := off.(*plan.Const); ok {
				if d, ok := c.Value.(plan.Ticks); ok {
					return &plan.Const{Value: b.opts.Now.Add(-time.Duration(d) * 100), T: types.DateTime}
				}
			}
			return call("-", types.DateTime, &plan.Const{Value: b.opts.Now, T: types.DateTime}, off)
		}
	case "column_ifexists":
		// column_ifexists("Name", default): the column when the input has
		// it, else the default.
		if len(x.Args) == 2 {
			if l, ok := x.Args[0].(*syntax.Literal); ok {
				if name, ok := l.Value.(string); ok {
					if v, ok := r.lookup(name); ok {
						return v
					}
					return b.expr(x.Args[1], e, r)
				}
			}
		}
		b.errAt(x, CodeBadArgument, "column_ifexists(): expects a constant column name and a default value")
		return unknown()
	case "ingestion_time":
		// The time a row was ingested: TimeGenerated, which ingestion
		// sets to the receive time unless the source supplied one.
		if v, ok := r.lookup("_TimeReceived"); ok {
			return v
		}
		if v, ok := r.lookup("TimeGenerated"); ok {
			return v
		}
		return &plan.Const{T: types.DateTime}
	case "pack_all":
		// pack_all() is a bag of every column of the row.
		var args []plan.Expr
		if r != nil {
			for _, c := range r.cols {
				if c.Name == b.partition {
					continue
				}
				args = append(args, &plan.Const{Value: c.Name, T: types.String}, &plan.ColRef{Name: c.Name, T: c.Type})
			}
		}
		bag := call("bag_pack", types.Dynamic, args...)
		if len(x.Args) == 1 {
			// pack_all(true) leaves out null and empty values.
			return call("bag_drop_empty", types.Dynamic, b.expr(x.Args[0], e, r), bag)
		}
		return bag
	case "typeof":
		if len(x.Args) == 1 {
			if t, ok := x.Args[0].(*syntax.TypeExpr); ok {
				return &plan.Const{Value: t.Type.String(), T: types.String}
			}
		}
	}
	f, ok := LookupFunc(name)
	if !ok {
		b.errAt(x.Fun, CodeUnknownFunction, "Unknown function: '%s'", name)
		for _, a := range x.Args {
			b.expr(a, e, r)
		}
		return unknown()
	}
	if len(x.Args) < f.MinArgs || (f.MaxArgs >= 0 && len(x.Args) > f.MaxArgs) {
		b.errAt(x, CodeArgCount, "%s(): function expects %s argument(s), got %d", name, arity(f), len(x.Args))
		return unknown()
	}
	switch f.Kind {
	case Aggregate:
		if r == nil || r.aggs == nil {
			b.errAt(x, CodeAggregateContext, "Function '%s' cannot be invoked in the current context: aggregation functions are allowed only in summarize, make-series and similar operators", name)
			return unknown()
		}
		inner := &row{cols: r.cols, overrides: r.overrides, hidden: r.hidden}
		args := b.args(x.Args, e, inner)
		return r.aggs.add(call(f.Canonical(), resultType(f, args), args...))
	case Window:
		args := b.args(x.Args, e, r)
		c := call(f.Canonical(), resultType(f, args), args...)
		if r != nil {
			c.Over = r.order
		}
		return c
	}
	args := b.args(x.Args, e, r)
	return b.scalarCall(f, args)
}

func arity(f *Func) string {
	switch {
	case f.MaxArgs < 0:
		return itoa(f.MinArgs) + " or more"
	case f.MinArgs == f.MaxArgs:
		return itoa(f.MinArgs)
	}
	return itoa(f.MinArgs) + " to " + itoa(f.MaxArgs)
}

func (b *binder) args(xs []syntax.Expr, e *env, r *row) []plan.Expr {
	out := make([]plan.Expr, len(xs))
	for i, a := range xs {
		out[i] = b.expr(a, e, r)
	}
	return out
}

func resultType(f *Func, args []plan.Expr) types.Type {
	ts := make([]types.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return f.Result(ts)
}

// scalarCall builds a call of a catalogue function, simplifying the
// identities that would only cost time at run time.
func (b *binder) scalarCall(f *Func, args []plan.Expr) plan.Expr {
	name := f.Canonical()
	switch name {
	case "tostring":
		if args[0].Type() == types.String {
			return args[0]
		}
	case "tolong":
		if args[0].Type() == types.Long {
			return args[0]
		}
	case "todatetime":
		if args[0].Type() == types.DateTime {
			return args[0]
		}
	case "todynamic":
		if args[0].Type() == types.Dynamic {
			return args[0]
		}
	case "floor":
		name = "bin"
	case "pack_array":
		// A list of constants is a constant: `has_any (pack_array("a", "b"))`
		// then compiles to plain term tests.
		if v, ok := constArray(args); ok {
			return &plan.Const{Value: v, T: types.Dynamic}
		}
	}
	if t, ok := typeofResult(name, args); ok {
		return call(name, t, args...)
	}
	return call(name, resultType(f, args), args...)
}

// invokeScalar expands a user-defined function at the call site: its body
// is bound with the parameters bound to the arguments.
func (b *binder) invokeScalar(at syntax.Node, ent *entity, argx []syntax.Expr, e *env, r *row) plan.Expr {
	fe, last := b.enterFunc(at, ent, argx, e, r)
	if fe == nil {
		return unknown()
	}
	defer func() { b.depth-- }()
	if b.isTabular(last, fe) {
		n := b.tabular(last, fe)
		return b.scalarSubquery(at, n)
	}
	return b.expr(last, fe, r)
}

// enterFunc binds the parameters and local lets of a function call and
// returns the environment of its body and its result expression.
func (b *binder) enterFunc(at syntax.Node, ent *entity, argx []syntax.Expr, e *env, r *row) (*env, syntax.Expr) {
	if b.depth >= maxExpansionDepth {
		b.errAt(at, CodeBadArgument, "Function expansion is too deep (recursive function?)")
		return nil, nil
	}
	b.depth++
	fn := ent.fn
	fe := ent.fnEnv.child()
	if len(argx) > len(fn.Params) {
		b.errAt(at, CodeArgCount, "Function expects %d argument(s), got %d", len(fn.Params), len(argx))
		b.depth--
		return nil, nil
	}
	for i, p := range fn.Params {
		var a syntax.Expr
		if i < len(argx) {
			a = argx[i]
			if n, ok := a.(*syntax.NamedExpr); ok {
				a = n.Value
			}
		}
		switch {
		case p.Tabular:
			if a == nil {
				b.errAt(at, CodeArgCount, "Missing tabular argument '%s'", p.Name.Name)
				b.depth--
				return nil, nil
			}
			n := b.tabular(a, e)
			if n == nil {
				b.depth--
				return nil, nil
			}
			fe.define(p.Name.Name, &entity{tabular: n})
		case a != nil:
			if ent2 := identFunc(a, e); ent2 != nil {
				fe.define(p.Name.Name, ent2)
				continue
			}
			v := b.expr(a, e, r)
			if p.Type != nil && v.Type() != p.Type.Type && v.Type() != types.Unknown {
				v = coerce(v, p.Type.Type)
			}
			fe.define(p.Name.Name, &entity{scalar: v})
		case p.Default != nil:
			fe.define(p.Name.Name, &entity{scalar: b.expr(p.Default, fe, nil)})
		default:
			t := types.Unknown
			if p.Type != nil {
				t = p.Type.Type
			}
			fe.define(p.Name.Name, &entity{scalar: &plan.Const{T: t}})
		}
	}
	var last syntax.Expr
	for _, st := range fn.Body {
		switch st := st.(type) {
		case *syntax.LetStmt:
			b.let(st, fe)
		case *syntax.ExprStmt:
			last = st.X
		}
	}
	if last == nil {
		b.errAt(at, CodeBadArgument, "Function body has no result expression")
		b.depth--
		return nil, nil
	}
	return fe, last
}

func identFunc(a syntax.Expr, e *env) *entity {
	if id, ok := a.(*syntax.Ident); ok {
		if ent := e.lookup(id.Name); ent != nil && ent.fn != nil {
			return ent
		}
	}
	return nil
}

// coerce converts v to t where Kusto converts implicitly (numeric widening,
// dynamic to a scalar type).
func coerce(v plan.Expr, t types.Type) plan.Expr {
	switch {
	case v.Type() == types.Dynamic:
		return convertTo(v, t)
	case v.Type() == types.Null:
		return &plan.Const{T: t}
	case v.Type().IsNumeric() && t.IsNumeric():
		if c, ok := v.(*plan.Const); ok {
			switch n := c.Value.(type) {
			case int64:
				if t == types.Real {
					return &plan.Const{Value: float64(n), T: t}
				}
				return &plan.Const{Value: n, T: t}
			}
		}
		switch t {
		case types.Real:
			return call("toreal", t, v)
		case types.Long:
			return call("tolong", t, v)
		case types.Int:
			return call("toint", t, v)
		case types.Decimal:
			return call("todecimal", t, v)
		}
	}
	return v
}

// constArray folds pack_array over constants into dynamic JSON text.
func constArray(args []plan.Expr) (string, bool) {
	vals := make([]any, len(args))
	for i, a := range args {
		c, ok := a.(*plan.Const)
		if !ok {
			return "", false
		}
		switch v := c.Value.(type) {
		case nil, bool, int64, float64:
			vals[i] = v
		case string:
			if c.T != types.String {
				return "", false
			}
			vals[i] = v
		default:
			return "", false
		}
	}
	js, err := json.Marshal(vals)
	if err != nil {
		return "", false
	}
	return string(js), true
}
