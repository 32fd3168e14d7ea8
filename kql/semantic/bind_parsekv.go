package semantic

import (
	"encoding/json"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// parseKVOptions mirrors the JSON options of the backend's parse_kv
// (query/udf.KVOptions).
type parseKVOptions struct {
	Pair    string   `json:"pair,omitempty"`
	KV      string   `json:"kv,omitempty"`
	Quotes  []string `json:"quotes,omitempty"`
	Escapes []string `json:"escapes,omitempty"`
	Greedy  bool     `json:"greedy,omitempty"`
	Regex   string   `json:"regex,omitempty"`
}

// parseKV lowers `parse-kv X as (k:t, …) with (…)` to a Project that
// extends the input with one column per key. Each column is the internal
// scalar parse_kv(text, options, key) (a string, empty when the key is
// absent) converted to the declared type.
func (b *binder) parseKV(in plan.Node, op *syntax.ParseKVOp, e *env) plan.Node {
	r := &row{cols: in.Schema()}
	src := toStr(b.expr(op.X, e, r))
	var o parseKVOptions
	for _, p := range op.With {
		v := b.expr(p.Value, e, nil)
		c, ok := v.(*plan.Const)
		if !ok {
			b.errAt(p.Value, CodeBadArgument, "parse-kv: option '%s' expects a constant", p.Name.Name)
			return nil
		}
		s, _ := c.Value.(string)
		switch p.Name.Name {
		case "pair_delimiter":
			o.Pair = s
		case "kv_delimiter":
			o.KV = s
		case "quote":
			o.Quotes = append(o.Quotes, s)
		case "escape":
			o.Escapes = append(o.Escapes, s)
		case "greedy":
			g, _ := c.Value.(bool)
			o.Greedy = g || s == "true"
		case "regex":
			o.Regex = s
		default:
			b.errAt(p.Name, CodeBadArgument, "parse-kv: unknown option '%s'", p.Name.Name)
			return nil
		}
	}
	js, err := json.Marshal(o)
	if err != nil {
		b.errAt(op, CodeInternal, "parse-kv: %v", err)
		return nil
	}
	opts := &plan.Const{Value: string(js), T: types.String}
	out := passThrough(in.Schema())
	for _, c := range op.Columns {
		v := call("parse_kv", types.String, src, opts, &plan.Const{Value: c.Name.Name, T: types.String})
		t := types.String
		if c.Type != nil {
			t = c.Type.Type
		}
		out = setColumn(out, c.Name.Name, fromString(v, t))
	}
	return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
}

// fromString converts a string expression to t with Kusto's to*()
// conversions.
func fromString(v plan.Expr, t types.Type) plan.Expr {
	name := ""
	switch t {
	case types.String:
		return v
	case types.Int:
		name = "toint"
	case types.Long:
		name = "tolong"
	case types.Real:
		name = "toreal"
	case types.Decimal:
		name = "todecimal"
	case types.Bool:
		name = "tobool"
	case types.DateTime:
		name = "todatetime"
	case types.TimeSpan:
		name = "totimespan"
	case types.GUID:
		name = "toguid"
	default:
		name = "todynamic"
		t = types.Dynamic
	}
	return call(name, t, v)
}
