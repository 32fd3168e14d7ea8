package syntax

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

func numberLiteral(p *parser, it item) Expr {
	if it.tok == INT {
		s := it.lit
		var v int64
		var err error
		if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
			var u uint64
			u, err = strconv.ParseUint(s[2:], 16, 64)
			v = int64(u)
		} else {
			v, err = strconv.ParseInt(s, 10, 64)
		}
		if err != nil {
			// Too large for a long: Kusto reads it as a real.
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil {
				p.errorAt(it.pos, it.end, CodeBadNumber, "Invalid number literal '%s'", s)
			}
			return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitReal, Type: types.Real, Value: f, Raw: s}
		}
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitLong, Type: types.Long, Value: v, Raw: s}
	}
	f, err := strconv.ParseFloat(it.lit, 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		p.errorAt(it.pos, it.end, CodeBadNumber, "Invalid number literal '%s'", it.lit)
	}
	return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitReal, Type: types.Real, Value: f, Raw: it.lit}
}

func negateLiteral(l *Literal) (*Literal, bool) {
	n := *l
	switch v := l.Value.(type) {
	case int64:
		n.Value = -v
	case float64:
		n.Value = -v
	case time.Duration:
		n.Value = -v
	case string:
		if l.Kind != LitDecimal {
			return nil, false
		}
		n.Value = "-" + v
	default:
		return nil, false
	}
	n.Raw = "-" + l.Raw
	return &n, true
}

// parseTimespanToken reads `1.5h`, `10ms`, `2d` into a duration.
func parseTimespanToken(s string) (time.Duration, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	unit, ok := timespanUnits[strings.ToLower(s[i:])]
	if !ok {
		return 0, false
	}
	num := s[:i]
	if unit == 0 { // nanoseconds
		f, err := strconv.ParseFloat(num, 64)
		return time.Duration(f), err == nil
	}
	// Exact decimal arithmetic in ticks.
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(unit*100))
	f, _ := r.Float64()
	if math.Abs(f) > math.MaxInt64 {
		return 0, false
	}
	return time.Duration(math.Round(f)), true
}

// parseTimespanText reads the contents of timespan(…)/time(…): a unit
// literal, [-][d.]hh:mm[:ss[.fffffff]], or a plain number of days.
func parseTimespanText(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, `"'`)
	if d, ok := parseTimespanToken(s); ok {
		return d, true
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if !strings.Contains(s, ":") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			d := time.Duration(f * float64(24*time.Hour))
			if neg {
				d = -d
			}
			return d, true
		}
		return 0, false
	}
	var days int64
	if i := strings.Index(s, "."); i >= 0 && i < strings.Index(s, ":") {
		v, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = v, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	var sec float64
	if len(parts) == 3 {
		var err error
		sec, err = strconv.ParseFloat(parts[2], 64)
		if err != nil {
			return 0, false
		}
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(math.Round(sec*1e7))*100
	if neg {
		d = -d
	}
	return d, true
}

var dateLayouts = []string{
	"2006-01-02T15:04:05.9999999Z07:00",
	"2006-01-02T15:04:05.9999999Z",
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05.9999999Z07:00",
	"2006-01-02 15:04:05.9999999Z",
	"2006-01-02 15:04:05.9999999",
	"2006-01-02T15:04Z",
	"2006-01-02T15:04",
	"2006-01-02 15:04Z",
	"2006-01-02 15:04",
	"2006-01-02T15Z",
	"2006-01-02 15",
	"2006-01-02",
	"2006-1-2 15:04:05.9999999",
	"2006-1-2 15:04",
	"2006-1-2",
	"2006/01/02 15:04:05.9999999",
	"2006/01/02 15:04",
	"2006/01/02",
	"01/02/2006 15:04:05",
	"01/02/2006",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006",
	"02 Jan 2006",
	"Jan 2 2006",
	"2006-01",
	"2006",
	"01-02-2006",
	"01-02-2006 15:04:05",
	"15:04:05",
	"3:04:05 PM",
	"3:04 PM",
	time.RFC1123Z,
	time.RFC850,
}

// ParseDateTime reads a datetime in the forms Kusto accepts in
// datetime(…) literals (ISO 8601 with optional time and zone, RFC 822/1123
// and a few others), as UTC.
func ParseDateTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if strings.Contains(s, ",") && !strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		// datetime(2025, 6, 14[, h, m, s])
		var n []int
		for _, f := range strings.Split(s, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return time.Time{}, false
			}
			n = append(n, v)
		}
		for len(n) < 6 {
			n = append(n, 0)
		}
		if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 {
			return time.Time{}, false
		}
		return time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// rawParens returns the source between the '(' at the cursor and its
// matching ')', consuming both. It is used for literal bodies such as
// datetime(2020-01-01 10:00) whose text is not made of KQL tokens.
func (p *parser) rawParens(src func(from, to Pos) string) (string, Pos, bool) {
	lp := p.cur()
	depth := 0
	for {
		it := p.cur()
		switch it.tok {
		case EOF:
			p.errorAt(lp.pos, lp.end, CodeExpected, "Missing ')'")
			return "", it.pos, false
		case LPAREN:
			depth++
		case RPAREN:
			depth--
			if depth == 0 {
				p.next()
				return src(lp.end, it.pos), it.end, true
			}
		}
		p.next()
	}
}

func (p *parser) source0(from, to Pos) string {
	// Items keep offsets only; rebuild the text from the lexed items'
	// literals is lossy, so the parser keeps the whole text.
	return p.text[from:to]
}

// typedLiteral parses datetime(…), timespan(…), guid(…), dynamic(…),
// int(…), real(…), bool(…), decimal(…) and their null forms. It returns
// nil when the word is used as a plain call (e.g. string(x) is not a
// literal), leaving the cursor unchanged.
func (p *parser) typedLiteral() Expr {
	it := p.cur()
	t, _ := types.Parse(it.lit)
	start := p.p
	p.next()
	switch t {
	case types.DateTime:
		raw, end, ok := p.rawParens(p.source0)
		inner := strings.Trim(strings.TrimSpace(raw), `"'`)
		if !ok {
			return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitNull, Type: types.DateTime}
		}
		if inner == "null" {
			return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitNull, Type: types.DateTime, Raw: it.lit + "(" + raw + ")"}
		}
		v, good := ParseDateTime(inner)
		if !good {
			p.errorAt(it.pos, end, CodeBadLiteral, "Invalid datetime literal '%s'", raw)
		}
		return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitDateTime, Type: types.DateTime, Value: v, Raw: it.lit + "(" + raw + ")"}
	case types.TimeSpan:
		raw, end, ok := p.rawParens(p.source0)
		if !ok {
			return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitNull, Type: types.TimeSpan}
		}
		if strings.TrimSpace(raw) == "null" {
			return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitNull, Type: types.TimeSpan, Raw: it.lit + "(null)"}
		}
		d, good := parseTimespanText(raw)
		if !good {
			p.errorAt(it.pos, end, CodeBadLiteral, "Invalid timespan literal '%s'", raw)
		}
		return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitTimeSpan, Type: types.TimeSpan, Value: d, Raw: it.lit + "(" + raw + ")"}
	case types.GUID:
		raw, end, ok := p.rawParens(p.source0)
		inner := strings.Trim(strings.TrimSpace(raw), `"'`)
		if !ok || inner == "null" {
			return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitNull, Type: types.GUID, Raw: it.lit + "(null)"}
		}
		g, good := canonicalGUID(inner)
		if !good {
			p.errorAt(it.pos, end, CodeBadLiteral, "Invalid guid literal '%s'", raw)
		}
		return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitGUID, Type: types.GUID, Value: g, Raw: it.lit + "(" + raw + ")"}
	case types.Dynamic:
		lp := p.next()
		v := p.dynamicValue()
		rp := p.cur()
		p.expect(RPAREN)
		kind := LitDynamic
		if v == nil {
			kind = LitDynamic
		}
		return &Literal{ValuePos: it.pos, EndPos: rp.end, Kind: kind, Type: types.Dynamic, Value: v, Raw: p.text[it.pos:rp.end], ValueText: p.text[lp.end:rp.pos]}
	case types.String:
		p.p = start
		return nil
	}
	// bool, int, long, real, decimal: one (possibly signed) literal or null.
	p.next() // (
	neg := false
	if p.is(SUB) {
		neg = true
		p.next()
	} else if p.is(ADD) {
		p.next()
	}
	v := p.cur()
	var lit *Literal
	switch {
	case v.tok == IDENT && v.lit == "null":
		p.next()
		lit = &Literal{ValuePos: it.pos, Kind: LitNull, Type: t}
	case t == types.Bool && v.tok == IDENT && (strings.EqualFold(v.lit, "true") || strings.EqualFold(v.lit, "false")):
		p.next()
		lit = &Literal{ValuePos: it.pos, Kind: LitBool, Type: t, Value: strings.EqualFold(v.lit, "true")}
	case (v.tok == INT || v.tok == REAL) && t != types.Bool:
		p.next()
		switch t {
		case types.Int, types.Long:
			n, err := strconv.ParseInt(v.lit, 0, 64)
			if err != nil {
				f, ferr := strconv.ParseFloat(v.lit, 64)
				if ferr != nil {
					p.errorAt(v.pos, v.end, CodeBadLiteral, "Invalid %s literal '%s'", t, v.lit)
				}
				n = int64(f)
			}
			if neg {
				n = -n
			}
			kind := LitLong
			if t == types.Int {
				kind = LitInt
			}
			lit = &Literal{ValuePos: it.pos, Kind: kind, Type: t, Value: n}
		case types.Real:
			f, _ := strconv.ParseFloat(v.lit, 64)
			if neg {
				f = -f
			}
			lit = &Literal{ValuePos: it.pos, Kind: LitReal, Type: t, Value: f}
		case types.Decimal:
			s := v.lit
			if neg {
				s = "-" + s
			}
			lit = &Literal{ValuePos: it.pos, Kind: LitDecimal, Type: t, Value: s}
		}
	case v.tok == IDENT && t == types.Real && (v.lit == "nan" || v.lit == "NaN" || v.lit == "inf" || v.lit == "infinity" || v.lit == "Infinity"):
		p.next()
		f := math.NaN()
		if v.lit != "nan" && v.lit != "NaN" {
			f = math.Inf(1)
			if neg {
				f = math.Inf(-1)
			}
		}
		lit = &Literal{ValuePos: it.pos, Kind: LitReal, Type: t, Value: f}
	default:
		// Not a literal: a conversion call such as int(x) is not valid
		// KQL, but leave it to the caller as a call.
		p.p = start
		return nil
	}
	rp := p.cur()
	if rp.tok != RPAREN {
		p.p = start
		return nil
	}
	p.next()
	lit.EndPos = rp.end
	lit.Raw = p.text[it.pos:rp.end]
	return lit
}

func canonicalGUID(s string) (string, bool) {
	h := strings.ToLower(strings.NewReplacer("-", "", "{", "", "}", "").Replace(s))
	if len(h) != 32 {
		return s, false
	}
	for _, c := range h {
		if hexVal(c) < 0 {
			return s, false
		}
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// dynamicValue parses the JSON-like body of dynamic(…): objects, arrays,
// numbers, strings, true/false/null and typed literals, into a Go tree.
func (p *parser) dynamicValue() any {
	p.enter()
	defer p.leave()
	it := p.cur()
	switch it.tok {
	case LBRACE:
		p.next()
		m := map[string]any{}
		for !p.is(RBRACE) && !p.is(EOF) {
			k := p.cur()
			var key string
			switch k.tok {
			case STRING, IDENT:
				key = k.lit
				p.next()
			default:
				p.unexpected()
				p.skipTo(RBRACE)
				continue
			}
			p.expect(COLON)
			m[key] = p.dynamicValue()
			if !p.is(COMMA) {
				break
			}
			p.next()
		}
		p.expect(RBRACE)
		return m
	case LBRACK:
		p.next()
		arr := []any{}
		for !p.is(RBRACK) && !p.is(EOF) {
			arr = append(arr, p.dynamicValue())
			if !p.is(COMMA) {
				break
			}
			p.next()
		}
		p.expect(RBRACK)
		return arr
	case RPAREN:
		return nil
	}
	x := p.unaryExpr()
	l, ok := x.(*Literal)
	if !ok {
		p.errorAt(x.Pos(), x.End(), CodeBadLiteral, "Only constants are allowed in a dynamic literal")
		return nil
	}
	return DynamicOf(l)
}

// DynamicOf converts a scalar literal to its value inside a dynamic tree,
// as Kusto prints it (datetimes and timespans become strings).
func DynamicOf(l *Literal) any {
	switch v := l.Value.(type) {
	case time.Time:
		return v.UTC().Format("2006-01-02T15:04:05.0000000Z")
	case time.Duration:
		return FormatTimespan(v)
	case nil:
		return nil
	}
	if l.Kind == LitDecimal {
		if f, err := strconv.ParseFloat(l.Value.(string), 64); err == nil {
			return f
		}
	}
	return l.Value
}

// FormatTimespan renders a duration in Kusto's [-][d.]hh:mm:ss[.fffffff].
func FormatTimespan(d time.Duration) string {
	neg := d < 0
	ticks := int64(d / 100)
	if neg {
		ticks = -ticks
	}
	days := ticks / 864000000000
	rest := ticks % 864000000000
	h := rest / 36000000000
	m := rest / 600000000 % 60
	s := rest / 10000000 % 60
	f := rest % 10000000
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	if days > 0 {
		sb.WriteString(strconv.FormatInt(days, 10) + ".")
	}
	sb.WriteString(pad2(h) + ":" + pad2(m) + ":" + pad2(s))
	if f > 0 {
		fs := strconv.FormatInt(f, 10)
		sb.WriteString("." + strings.Repeat("0", 7-len(fs)) + fs)
	}
	return sb.String()
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
