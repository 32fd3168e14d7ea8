package duckdb

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/goshawk-sec/goshawk/kql/plan"
	"github.com/goshawk-sec/goshawk/kql/types"
)

// expr renders a scalar expression.
func (g *gen) expr(e plan.Expr) string {
	switch e := e.(type) {
	case *plan.ColRef:
		return Ident(e.Name)
	case *plan.Const:
		return g.literal(e)
	case *plan.ScalarSubquery:
		cols := e.Plan.Schema()
		return "(SELECT " + Ident(cols[0].Name) + " FROM " + g.from(e.Plan) + " LIMIT 1)"
	case *plan.Call:
		return g.call(e)
	case *plan.Star:
		return "*"
	}
	fail("sqlgen: unsupported expression %T", e)
	return ""
}

func (g *gen) args(c *plan.Call) []string {
	out := make([]string, len(c.Args))
	for i, a := range c.Args {
		out[i] = g.expr(a)
	}
	return out
}

func constString(e plan.Expr) (string, bool) {
	if c, ok := e.(*plan.Const); ok {
		if s, ok := c.Value.(string); ok && c.T == types.String {
			return s, true
		}
	}
	return "", false
}

func (g *gen) call(c *plan.Call) string {
	if strings.HasPrefix(c.Fn, "cast:") {
		return g.castTo(c.Args[0], c.T)
	}
	if f, ok := operators[c.Fn]; ok {
		return f(g, c)
	}
	if f, ok := scalarFuncs[c.Fn]; ok {
		return f(g, c)
	}
	if f, ok := windowFuncs[c.Fn]; ok {
		return f(g, c)
	}
	fail("sqlgen: function %s is not supported on DuckDB yet", c.Fn)
	return ""
}

type translator func(g *gen, c *plan.Call) string

// tpl builds a translator from a template whose $1…$9 are replaced by the
// rendered arguments.
func tpl(t string) translator {
	return func(g *gen, c *plan.Call) string {
		args := g.args(c)
		s := t
		for i := len(args); i >= 1; i-- {
			s = strings.ReplaceAll(s, "$"+strconv.Itoa(i), args[i-1])
		}
		return s
	}
}

// termRegex is the RE2 pattern for `has`-style matches of term: the term
// must not continue with term characters on the sides given.
func termRegex(term string, left, right bool) string {
	var sb strings.Builder
	sb.WriteString("(?i)")
	r := []rune(term)
	if left && len(r) > 0 && isTermRune(r[0]) {
		sb.WriteString(`(?:^|[^\p{L}\p{N}])`)
	}
	sb.WriteString(regexp.QuoteMeta(term))
	if right && len(r) > 0 && isTermRune(r[len(r)-1]) {
		sb.WriteString(`(?:$|[^\p{L}\p{N}])`)
	}
	return sb.String()
}

func isTermRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127
}

// termMatch renders a has/hasprefix/hassuffix test of s against term.
func (g *gen) termMatch(sx string, term plan.Expr, left, right, cs bool) string {
	if t, ok := constString(term); ok {
		if t == "" {
			return "true"
		}
		re := termRegex(t, left, right)
		if cs {
			re = strings.TrimPrefix(re, "(?i)")
		}
		// A cheap substring test first; the regex confirms term bounds.
		pre := "contains(lower(" + sx + "), " + Str(strings.ToLower(t)) + ")"
		if cs {
			pre = "contains(" + sx + ", " + Str(t) + ")"
		}
		return "(" + pre + " AND regexp_matches(" + sx + ", " + Str(re) + "))"
	}
	tx := g.expr(term)
	var pat strings.Builder
	pat.WriteString("'")
	if !cs {
		pat.WriteString("(?i)")
	}
	if left {
		pat.WriteString(`(?:^|[^\p{L}\p{N}])`)
	}
	pat.WriteString("' || regexp_escape(" + tx + ") || '")
	if right {
		pat.WriteString(`(?:$|[^\p{L}\p{N}])`)
	}
	pat.WriteString("'")
	return "regexp_matches(" + sx + ", " + pat.String() + ")"
}

func not(s string) string { return "(NOT coalesce(" + s + ", false))" }

var operators map[string]translator

func init() {
	binop := func(op string) translator {
		return func(g *gen, c *plan.Call) string {
			return "(" + g.expr(c.Args[0]) + " " + op + " " + g.expr(c.Args[1]) + ")"
		}
	}
	strOp := func(cs string, ci string) translator {
		return func(g *gen, c *plan.Call) string {
			a, b := g.expr(c.Args[0]), g.expr(c.Args[1])
			if s, ok := constString(c.Args[1]); ok {
				b = Str(strings.ToLower(s))
				return strings.ReplaceAll(strings.ReplaceAll(ci, "$1", "lower("+a+")"), "$2", b)
			}
			return strings.ReplaceAll(strings.ReplaceAll(ci, "$1", "lower("+a+")"), "$2", "lower("+b+")")
		}
	}
	strOpCS := func(t string) translator {
		return func(g *gen, c *plan.Call) string {
			return strings.ReplaceAll(strings.ReplaceAll(t, "$1", g.expr(c.Args[0])), "$2", g.expr(c.Args[1]))
		}
	}
	negate := func(f translator) translator {
		return func(g *gen, c *plan.Call) string { return not(f(g, c)) }
	}
	term := func(left, right, cs bool) translator {
		return func(g *gen, c *plan.Call) string {
			return g.termMatch(g.expr(c.Args[0]), c.Args[1], left, right, cs)
		}
	}
	operators = map[string]translator{
		"==": binop("="), "!=": binop("<>"), "<": binop("<"), ">": binop(">"), "<=": binop("<="), ">=": binop(">="),
		"and": binop("AND"), "or": binop("OR"),
		"=~":            strOp("", "($1 = $2)"),
		"contains":      strOp("", "contains($1, $2)"),
		"startswith":    strOp("", "starts_with($1, $2)"),
		"endswith":      strOp("", "ends_with($1, $2)"),
		"like":          strOp("", "($1 LIKE $2)"),
		"contains_cs":   strOpCS("contains($1, $2)"),
		"startswith_cs": strOpCS("starts_with($1, $2)"),
		"endswith_cs":   strOpCS("ends_with($1, $2)"),
		"like_cs":       strOpCS("($1 LIKE $2)"),
		"matches regex": strOpCS("regexp_matches($1, $2)"),
		"has":           term(true, true, false),
		"has_cs":        term(true, true, true),
		"hasprefix":     term(true, false, false),
		"hasprefix_cs":  term(true, false, true),
		"hassuffix":     term(false, true, false),
		"hassuffix_cs":  term(false, true, true),
		"between": func(g *gen, c *plan.Call) string {
			return "(" + g.expr(c.Args[0]) + " BETWEEN " + g.expr(c.Args[1]) + " AND " + g.expr(c.Args[2]) + ")"
		},
		"!between": func(g *gen, c *plan.Call) string {
			return "(" + g.expr(c.Args[0]) + " NOT BETWEEN " + g.expr(c.Args[1]) + " AND " + g.expr(c.Args[2]) + ")"
		},
		"neg": func(g *gen, c *plan.Call) string { return "(-" + g.expr(c.Args[0]) + ")" },
		"not": func(g *gen, c *plan.Call) string { return "(NOT " + g.expr(c.Args[0]) + ")" },
		"+":   arith, "-": arith, "*": arith, "/": arith, "%": arith,
		"in": func(g *gen, c *plan.Call) string { return g.in(c, false, false) }, "!in": func(g *gen, c *plan.Call) string { return not(g.in(c, false, false)) },
		"in~": func(g *gen, c *plan.Call) string { return g.in(c, true, false) }, "!in~": func(g *gen, c *plan.Call) string { return not(g.in(c, true, false)) },
		"has_any": func(g *gen, c *plan.Call) string { return g.hasList(c, false) },
		"has_all": func(g *gen, c *plan.Call) string { return g.hasList(c, true) },
	}
	for _, op := range []string{"=~", "contains", "startswith", "endswith", "like", "contains_cs", "startswith_cs", "endswith_cs", "like_cs", "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs"} {
		neg := "!" + op
		if op == "=~" {
			neg = "!~"
		}
		operators[neg] = negate(operators[op])
	}
}

// arith renders + - * / % with Kusto's typing of datetime and timespan
// (ticks) arithmetic.
func arith(g *gen, c *plan.Call) string {
	l, r := c.Args[0], c.Args[1]
	a, b := g.expr(l), g.expr(r)
	lt, rt := l.Type(), r.Type()
	switch {
	case lt == types.DateTime && rt == types.DateTime:
		return "((epoch_us(" + a + ") - epoch_us(" + b + ")) * 10)"
	case lt == types.DateTime && rt == types.TimeSpan:
		return "(" + a + " " + c.Fn + " " + ticksInterval(r, b) + ")"
	case lt == types.TimeSpan && rt == types.DateTime:
		return "(" + b + " + " + ticksInterval(l, a) + ")"
	case lt == types.TimeSpan && rt == types.TimeSpan && c.Fn == "/":
		return "(CAST(" + a + " AS DOUBLE) / " + b + ")"
	case c.T == types.TimeSpan && (c.Fn == "*" || c.Fn == "/"):
		return "CAST((" + a + " " + c.Fn + " " + b + ") AS BIGINT)"
	case c.Fn == "/" && lt.IsIntegral() && rt.IsIntegral():
		return "(" + a + " // " + b + ")"
	case c.Fn == "%" && (lt == types.Real || rt == types.Real):
		return "fmod(" + a + ", " + b + ")"
	case c.Fn == "%" && lt.IsIntegral() && rt.IsIntegral():
		// Kusto's modulo of integers is never negative: -14 % 12 == 10.
		return "(((" + a + " % " + b + ") + abs(" + b + ")) % abs(" + b + "))"
	case c.T == types.Dynamic:
		return "(TRY_CAST(" + jsonNumber(l, a) + " AS DOUBLE) " + c.Fn + " TRY_CAST(" + jsonNumber(r, b) + " AS DOUBLE))"
	}
	return "(" + a + " " + c.Fn + " " + b + ")"
}

func jsonNumber(e plan.Expr, s string) string {
	if e.Type() == types.Dynamic {
		return "json_extract_string(" + s + ", '$')"
	}
	return s
}

// ticksInterval turns a timespan (ticks) into a DuckDB INTERVAL.
func ticksInterval(e plan.Expr, s string) string {
	if c, ok := e.(*plan.Const); ok {
		if t, ok := c.Value.(plan.Ticks); ok {
			return "INTERVAL (" + strconv.FormatInt(int64(t)/10, 10) + ") MICROSECOND"
		}
	}
	return "to_microseconds(CAST((" + s + ") // 10 AS BIGINT))"
}

// in renders `x in (…)`: constants, sub-queries and dynamic arrays.
func (g *gen) in(c *plan.Call, ci bool, _ bool) string {
	x := g.expr(c.Args[0])
	if ci {
		x = "lower(" + x + ")"
	}
	var consts []string
	var parts []string
	for _, a := range c.Args[1:] {
		switch a := a.(type) {
		case *plan.ScalarSubquery:
			col := Ident(a.Plan.Schema()[0].Name)
			if ci {
				col = "lower(" + col + ")"
			}
			parts = append(parts, x+" IN (SELECT "+col+" FROM "+g.from(a.Plan)+")")
			continue
		}
		if a.Type() == types.Dynamic {
			if k, ok := a.(*plan.Const); ok {
				if s, ok := k.Value.(string); ok {
					if vals, ok := jsonArrayLiterals(s, c.Args[0].Type()); ok {
						for _, v := range vals {
							if ci {
								v = "lower(" + v + ")"
							}
							consts = append(consts, v)
						}
						continue
					}
				}
			}
			elem := "CAST(" + g.expr(a) + " AS VARCHAR[])"
			if ci {
				elem = "list_transform(" + elem + ", e -> lower(e))"
			}
			parts = append(parts, "list_contains("+elem+", CAST("+x+" AS VARCHAR))")
			continue
		}
		v := g.expr(a)
		if ci {
			v = "lower(" + v + ")"
		}
		consts = append(consts, v)
	}
	if len(consts) > 0 {
		parts = append([]string{x + " IN (" + strings.Join(consts, ", ") + ")"}, parts...)
	}
	if len(parts) == 0 {
		return "false"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// hasList renders has_any / has_all.
func (g *gen) hasList(c *plan.Call, all bool) string {
	sx := g.expr(c.Args[0])
	var terms []plan.Expr
	var parts []string
	for _, a := range c.Args[1:] {
		if k, ok := a.(*plan.Const); ok && k.T == types.Dynamic {
			if s, ok := k.Value.(string); ok {
				if vals, ok := jsonArrayStrings(s); ok {
					for _, v := range vals {
						terms = append(terms, &plan.Const{Value: v, T: types.String})
					}
					continue
				}
			}
		}
		if sq, ok := a.(*plan.ScalarSubquery); ok {
			col := Ident(sq.Plan.Schema()[0].Name)
			al := g.alias()
			cond := "regexp_matches(" + sx + ", '(?i)(?:^|[^\\p{L}\\p{N}])' || regexp_escape(CAST(" + al + "." + col + " AS VARCHAR)) || '(?:$|[^\\p{L}\\p{N}])')"
			if all {
				parts = append(parts, "NOT EXISTS (SELECT 1 FROM ("+g.node(sq.Plan)+") AS "+al+" WHERE NOT "+cond+")")
			} else {
				parts = append(parts, "EXISTS (SELECT 1 FROM ("+g.node(sq.Plan)+") AS "+al+" WHERE "+cond+")")
			}
			continue
		}
		if a.Type() == types.Dynamic {
			fn := "list_bool_or"
			if all {
				fn = "list_bool_and"
			}
			parts = append(parts, fn+"(list_transform(CAST("+g.expr(a)+" AS VARCHAR[]), e -> regexp_matches("+sx+", '(?i)(?:^|[^\\p{L}\\p{N}])' || regexp_escape(e) || '(?:$|[^\\p{L}\\p{N}])')))")
			continue
		}
		terms = append(terms, a)
	}
	for _, t := range terms {
		parts = append(parts, g.termMatch(sx, t, true, true, false))
	}
	if len(parts) == 0 {
		return strconv.FormatBool(all)
	}
	op := " OR "
	if all {
		op = " AND "
	}
	return "(" + strings.Join(parts, op) + ")"
}
