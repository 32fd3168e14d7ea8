package semantic

import (
	"regexp"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// parse lowers `parse` and `parse-where` to a regular expression whose
// groups feed the new columns.
func (b *binder) parse(in plan.Node, op *syntax.ParseOp, e *env) plan.Node {
	kind, _, _ := paramValue(op.Params, "kind")
	kind = strings.ToLower(kind)
	flags, _, _ := paramValue(op.Params, "flags")
	src := b.expr(op.X, e, &row{cols: in.Schema()})
	src = toStr(src)
	var re strings.Builder
	type col struct {
		name string
		t    types.Type
	}
	var cols []col
	for i, p := range op.Pattern {
		last := i == len(op.Pattern)-1
		switch p := p.(type) {
		case *syntax.Literal:
			s, _ := p.Value.(string)
			if kind == "regex" {
				re.WriteString(s)
			} else {
				re.WriteString(regexp.QuoteMeta(s))
			}
		case *syntax.StarExpr:
			re.WriteString("(?:.*?)")
			if last {
				re.WriteString(".*")
			}
		case *syntax.ColumnPattern:
			t := types.String
			if p.Type != nil {
				t = p.Type.Type
			}
			cols = append(cols, col{p.Name.Name, t})
			switch {
			case kind == "regex" && (t == types.Int || t == types.Long):
				re.WriteString(`(\-?\d+)`)
			case kind == "regex" && t == types.Real:
				re.WriteString(`(\-?\d+(?:\.\d*)?(?:[eE][\-+]?\d+)?)`)
			case last:
				re.WriteString("(.*)")
			default:
				re.WriteString("(.*?)")
			}
		default:
			b.errAt(p, CodeBadArgument, "parse: unexpected pattern element")
		}
	}
	pattern := re.String()
	if kind != "regex" {
		pattern = "^" + pattern
		if _, isStar := op.Pattern[len(op.Pattern)-1].(*syntax.StarExpr); !isStar && len(op.Pattern) > 0 {
			pattern += "$"
		}
		pattern = "(?s)" + pattern
	} else if flags != "" {
		pattern = "(?" + strings.ReplaceAll(strings.ToLower(flags), "u", "") + ")" + pattern
	}
	if _, err := regexp.Compile(pattern); err != nil {
		b.errAt(op, CodeBadArgument, "parse: invalid pattern: %v", err)
		return nil
	}
	if op.Where {
		in = &plan.Filter{Input: in, Pred: call("matches regex", types.Bool, src, &plan.Const{Value: pattern, T: types.String})}
	}
	out := passThrough(in.Schema())
	for i, c := range cols {
		v := plan.Expr(call("extract", types.String, &plan.Const{Value: pattern, T: types.String}, &plan.Const{Value: int64(i + 1), T: types.Long}, src))
		if c.t != types.String {
			v = convertString(v, c.t)
		}
		out = setColumn(out, c.name, v)
	}
	return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
}

func convertString(v plan.Expr, t types.Type) plan.Expr {
	switch t {
	case types.Int:
		return call("toint", t, v)
	case types.Long:
		return call("tolong", t, v)
	case types.Real:
		return call("toreal", t, v)
	case types.Decimal:
		return call("todecimal", t, v)
	case types.Bool:
		return call("tobool", t, v)
	case types.DateTime:
		return call("todatetime", t, v)
	case types.TimeSpan:
		return call("totimespan", t, v)
	case types.GUID:
		return call("toguid", t, v)
	case types.Dynamic:
		return call("todynamic", t, v)
	}
	return v
}
