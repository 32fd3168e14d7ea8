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
	if len(op.Pattern) == 0 {
		b.errAt(op, CodeBadArgument, "parse: the pattern after 'with' is empty")
		return nil
	}
	kind, _, _ := paramValue(op.Params, "kind")
	kind = strings.ToLower(kind)
	flags, _, _ := paramValue(op.Params, "flags")
	src := b.expr(op.X, e, &row{cols: in.Schema()})
	src = toStr(src)
	var re strings.Builder
	type col struct {
		name  string
		t     types.Type
		group int
	}
	var cols []col
	groups := 0 // capturing groups so far, including the user's own in regex mode
	for i, p := range op.Pattern {
		last := i == len(op.Pattern)-1
		switch p := p.(type) {
		case *syntax.Literal:
			s, _ := p.Value.(string)
			if kind == "regex" {
				re.WriteString(s)
				if r, err := regexp.Compile(s); err == nil {
					groups += r.NumSubexp()
				}
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
			groups++
			cols = append(cols, col{p.Name.Name, t, groups})
			switch {
			case kind == "relaxed" && t != types.String:
				// Relaxed: a value that does not convert leaves a null.
				re.WriteString("(.*?)")
			case t == types.Int || t == types.Long:
				re.WriteString(`(\-?\d+)`)
			case t == types.Real || t == types.Decimal:
				re.WriteString(`(\-?\d+(?:\.\d*)?(?:[eE][\-+]?\d+)?)`)
			case kind == "regex" || last:
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
	} else if f := regexFlags(flags); f != "" {
		pattern = "(?" + f + ")" + pattern
	}
	if _, err := regexp.Compile(pattern); err != nil {
		b.errAt(op, CodeBadArgument, "parse: invalid pattern: %v", err)
		return nil
	}
	out := passThrough(in.Schema())
	var typed []plan.Expr
	for _, c := range cols {
		v := plan.Expr(call("extract", types.String, &plan.Const{Value: pattern, T: types.String}, &plan.Const{Value: int64(c.group), T: types.Long}, src))
		if c.t != types.String {
			v = convertString(v, c.t)
			typed = append(typed, &plan.ColRef{Name: c.name, T: c.t})
		}
		out = setColumn(out, c.name, v)
	}
	if !op.Where {
		return b.keepOrder(in, &plan.Project{Input: in, Exprs: out})
	}
	// parse-where keeps the rows that match and whose typed columns convert.
	matched := &plan.Filter{Input: in, Pred: call("matches regex", types.Bool, src, &plan.Const{Value: pattern, T: types.String})}
	var res plan.Node = b.keepOrder(in, &plan.Project{Input: matched, Exprs: out})
	for _, t := range typed {
		res = &plan.Filter{Input: res, Pred: call("isnotnull", types.Bool, t)}
	}
	return res
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

// regexFlags keeps the flags RE2 and Kusto share: i (case-insensitive),
// m (multi-line), s (dot matches newline) and U (ungreedy).
func regexFlags(flags string) string {
	var sb strings.Builder
	for _, r := range flags {
		if strings.ContainsRune("imsU", r) && !strings.ContainsRune(sb.String(), r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
