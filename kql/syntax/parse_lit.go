package syntax

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// numberLiteral converts an INT or REAL token.
func (p *parser) numberLiteral(it item) Expr {
	s := it.val
	if it.tok == INT {
		var v int64
		var err error
		if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') {
			var u uint64
			u, err = strconv.ParseUint(s[2:], 16, 64)
			v = int64(u)
		} else {
			v, err = strconv.ParseInt(s, 10, 64)
		}
		if err != nil {
			p.errorAt(it.pos, it.end, CodeBadNumber, "Invalid long literal '%s': out of range", s)
		}
		return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitLong, Type: types.Long, Value: v, Raw: s}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.errorAt(it.pos, it.end, CodeBadNumber, "Invalid real literal '%s'", s)
	}
	return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitReal, Type: types.Real, Value: f, Raw: s}
}

// negateLiteral returns -l for a numeric or timespan literal.
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
		if strings.HasPrefix(v, "-") {
			n.Value = v[1:]
		} else {
			n.Value = "-" + v
		}
	default:
		return nil, false
	}
	return &n, true
}

func (p *parser) timespanToken(it item) Expr {
	d, ok := parseTimespanUnit(it.val)
	if !ok {
		p.errorAt(it.pos, it.end, CodeBadLiteral, "Invalid timespan literal '%s': out of range", it.val)
	}
	return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitTimeSpan, Type: types.TimeSpan, Value: d, Raw: it.val}
}

// parseTimespanUnit reads `1.5h`, `10 ms`, `2d` into a duration.
func parseTimespanUnit(s string) (time.Duration, bool) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, strings.TrimSpace(s[1:])
	}
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
		i++
	}
	if i == 0 {
		return 0, false
	}
	ticks, ok := timespanUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if !ok {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s[:i])
	if !ok {
		return 0, false
	}
	if ticks > 0 { // 0 means nanoseconds, the unit of time.Duration
		r.Mul(r, big.NewRat(ticks*100, 1))
	}
	f, _ := r.Float64()
	if f > math.MaxInt64 {
		return 0, false
	}
	d := time.Duration(math.Round(f))
	if neg {
		d = -d
	}
	return d, true
}

// parseTimespanText reads the body of time(…) / timespan(…): a unit form
// (`1d`, `15 seconds`), a plain number of days, or [-][d.]hh:mm[:ss[.f]].
func parseTimespanText(s string) (time.Duration, bool) {
	s = unquote(strings.TrimSpace(s))
	if d, ok := parseTimespanUnit(s); ok {
		return d, true
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if !strings.Contains(s, ":") {
		r, ok := new(big.Rat).SetString(s)
		if !ok || s == "" || strings.ContainsAny(s, "eE/") {
			return 0, false
		}
		r.Mul(r, big.NewRat(int64(24*time.Hour), 1))
		f, _ := r.Float64()
		if f > math.MaxInt64 {
			return 0, false
		}
		d := time.Duration(math.Round(f))
		if neg {
			d = -d
		}
		return d, true
	}
	var days int64
	if dot, colon := strings.IndexByte(s, '.'), strings.IndexByte(s, ':'); dot >= 0 && dot < colon {
		v, err := strconv.ParseInt(s[:dot], 10, 64)
		if err != nil || v > 106751 {
			return 0, false
		}
		days, s = v, s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(parts[1]) != 2 {
		return 0, false
	}
	var ns int64
	if len(parts) == 3 {
		sec, frac, _ := strings.Cut(parts[2], ".")
		sv, err := strconv.Atoi(sec)
		if err != nil || sv < 0 || sv > 59 || len(sec) != 2 {
			return 0, false
		}
		ns = int64(sv) * int64(time.Second)
		if frac != "" {
			if len(frac) > 7 {
				return 0, false
			}
			fv, err := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
			if err != nil || fv < 0 {
				return 0, false
			}
			ns += int64(fv)
		}
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(ns)
	if neg {
		d = -d
	}
	return d, true
}

// unquote strips one pair of matching quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// dateLayouts are the forms Kusto documents for datetime literals: ISO
// 8601 with optional seconds, fraction and zone; RFC 822 and RFC 850 with
// two- or four-digit years; and the "sortable" form with a zone name.
var dateLayouts = []string{
	"2006-1-2T15:04:05Z07:00",
	"2006-1-2T15:04:05Z0700",
	"2006-1-2T15:04:05",
	"2006-1-2T15:04Z07:00",
	"2006-1-2T15:04",
	"2006-1-2 15:04:05Z07:00",
	"2006-1-2 15:04:05",
	"2006-1-2 15:04Z07:00",
	"2006-1-2 15:04",
	"2006-1-2 15:04:05 MST",
	"2006-1-2 15:04 MST",
	"2006-1-2T15:04:05 MST",
	"2006-1-2T15:04 MST",
	"2006-1-2T15Z07:00",
	"2006-1-2",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006/1/2",
	"Mon, 2 Jan 06 15:04:05 MST",
	"Mon, 2 Jan 06 15:04:05",
	"Mon, 2 Jan 06 15:04 MST",
	"Mon, 2 Jan 06 15:04",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04 MST",
	"Mon, 2 Jan 2006 15:04",
	"2 Jan 06 15:04:05 MST",
	"2 Jan 06 15:04:05",
	"2 Jan 06 15:04 MST",
	"2 Jan 06 15:04",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04",
	"2 Jan 2006",
	"Monday, 2-Jan-06 15:04:05 MST",
	"Monday, 2-Jan-06 15:04:05",
	"Monday, 2-Jan-06 15:04 MST",
	"Monday, 2-Jan-06 15:04",
	"2-Jan-06 15:04:05 MST",
	"2-Jan-06 15:04:05",
	"2-Jan-06 15:04 MST",
	"2-Jan-06 15:04",
	"1/2/2006 15:04:05",
	"1/2/2006 15:04",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 3:04 PM",
	"1/2/2006",
	"1-2-2006 15:04:05",
	"1-2-2006 15:04",
	"1-2-2006",
	"15:04:05",
	"15:04",
	"3:04:05 PM",
	"3:04 PM",
	"2006-1-2 15",
	"2006-1-2T15",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Jan 2 2006",
	"Jan 2, 2006",
	"2006-1",
	"2006",
}

// ParseDateTime reads a datetime in the forms Kusto accepts in datetime(…)
// literals, as UTC. A time without a zone is UTC. A time of day without a
// date (datetime("8:00 AM")), which Kusto reads as that time today, comes
// back on 0001-01-01 for the caller to rebase. The numeric form
// `2025, 6, 14[, h, m, s]` is accepted too.
func ParseDateTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	if strings.Contains(s, ",") && strings.Trim(s, "0123456789, ") == "" {
		var n []int
		for _, f := range strings.Split(s, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return time.Time{}, false
			}
			n = append(n, v)
		}
		if len(n) < 3 || len(n) > 7 {
			return time.Time{}, false
		}
		for len(n) < 7 {
			n = append(n, 0)
		}
		t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], n[6]*int(time.Millisecond), time.UTC)
		if n[0] < 1 || n[0] > 9999 || t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] || n[3] > 23 || n[4] > 59 || n[5] > 59 || n[6] > 999 {
			return time.Time{}, false
		}
		return t, true
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			if t.Year() == 0 {
				t = t.AddDate(1, 0, 0) // a time of day alone
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// typedLiteral converts a TYPED token: datetime(…), timespan(…), guid(…),
// int(…), long(…), real(…), decimal(…), bool(…) and their null forms.
func (p *parser) typedLiteral(it item) Expr {
	raw := p.text[it.pos:it.end]
	body := raw[len(it.val)+1:]
	body = strings.TrimSuffix(body, ")")
	inner := strings.TrimSpace(body)
	t, _ := types.Parse(it.val)
	lit := &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitNull, Type: t, Raw: raw}
	if inner == "null" {
		return lit
	}
	bad := func(what string) Expr {
		p.errorAt(it.pos, it.end, CodeBadLiteral, "Invalid %s literal '%s'", what, raw)
		return lit
	}
	switch t {
	case types.DateTime:
		inner = unquote(inner)
		if inner == "" {
			// datetime() is the current time.
			fun := &Ident{NamePos: it.pos, Name: "now", EndPos: it.pos + Pos(len(it.val))}
			return &CallExpr{Fun: fun, Lparen: fun.EndPos, Rparen: it.end - 1}
		}
		v, ok := ParseDateTime(inner)
		if !ok {
			return bad("datetime")
		}
		lit.Kind, lit.Value = LitDateTime, v
	case types.TimeSpan:
		d, ok := parseTimespanText(inner)
		if !ok {
			return bad("timespan")
		}
		lit.Kind, lit.Value = LitTimeSpan, d
	case types.GUID:
		g, ok := canonicalGUID(unquote(inner))
		if !ok {
			return bad("guid")
		}
		lit.Kind, lit.Value = LitGUID, g
	case types.Bool:
		switch strings.ToLower(inner) {
		case "true":
			lit.Value = true
		case "false":
			lit.Value = false
		default:
			return bad("bool")
		}
		lit.Kind = LitBool
	case types.Int, types.Long:
		v, ok := parseSignedInt(inner)
		if !ok || t == types.Int && (v < math.MinInt32 || v > math.MaxInt32) {
			return bad(t.String())
		}
		lit.Kind, lit.Value = LitLong, v
		if t == types.Int {
			lit.Kind = LitInt
		}
	case types.Real:
		v, ok := parseReal(inner)
		if !ok {
			return bad("real")
		}
		lit.Kind, lit.Value = LitReal, v
	case types.Decimal:
		s := strings.ReplaceAll(inner, " ", "")
		if _, err := strconv.ParseFloat(strings.TrimPrefix(s, "+"), 64); err != nil || strings.ContainsAny(s, "xXnN") {
			return bad("decimal")
		}
		lit.Kind, lit.Value = LitDecimal, strings.TrimPrefix(s, "+")
	default:
		return bad(it.val)
	}
	return lit
}

// parseSignedInt reads [+-]digits or [+-]0xhex.
func parseSignedInt(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = strings.TrimSpace(s[1:])
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	var u uint64
	var err error
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		u, err = strconv.ParseUint(s[2:], 16, 64)
	} else {
		u, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil || u > 1<<63 || u == 1<<63 && !neg {
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// parseReal reads a number, nan, inf, +inf or -inf.
func parseReal(s string) (float64, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, " ", "")) {
	case "nan":
		return math.NaN(), true
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	}
	s = strings.ReplaceAll(s, " ", "")
	if u := strings.TrimLeft(s, "+-"); u == "" || !isDigit(u[0]) || len(s)-len(u) > 1 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// canonicalGUID returns the lower-case 8-4-4-4-12 form of a guid written
// with or without dashes or braces.
func canonicalGUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		s = s[1 : len(s)-1]
	}
	h := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	if len(h) != 32 || len(s) != 32 && len(s) != 36 {
		return s, false
	}
	if len(s) == 36 && (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
		return s, false
	}
	for _, c := range h {
		if hexVal(c) < 0 {
			return s, false
		}
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// stringLiteral parses one or more adjacent string literals into one.
func (p *parser) stringLiteral() *Literal {
	first := p.next()
	val, end := first.val, first.end
	if p.is(STRING) {
		var sb strings.Builder
		sb.WriteString(val)
		for p.is(STRING) {
			it := p.next()
			sb.WriteString(it.val)
			end = it.end
		}
		val = sb.String()
	}
	return &Literal{ValuePos: first.pos, EndPos: end, Kind: LitString, Type: types.String, Value: val, Raw: p.text[first.pos:end]}
}

// dynamicLiteral parses `dynamic(json)`.
func (p *parser) dynamicLiteral() Expr {
	it := p.next()
	lp := p.next()
	var v any
	if !p.is(RPAREN) {
		v = p.dynamicValue()
	} else {
		p.expected("dynamic value")
	}
	p.closeParen(RPAREN)
	end := p.prevEnd()
	valueText := p.text[lp.end:end]
	if last := p.toks[p.p-1]; last.tok == RPAREN && last.pos >= lp.end {
		valueText = p.text[lp.end:last.pos]
	}
	return &Literal{ValuePos: it.pos, EndPos: end, Kind: LitDynamic, Type: types.Dynamic, Value: v,
		Raw: p.text[it.pos:end], ValueText: valueText}
}

// dynamicValue parses the JSON-like body of dynamic(…) into a Go tree:
// objects with string keys, arrays, numbers, strings, true/false/null,
// and datetime, timespan, guid and numeric literals, which become the
// values Kusto stores for them (datetimes and timespans as strings).
func (p *parser) dynamicValue() any {
	if !p.enter() {
		p.leave()
		return nil
	}
	defer p.leave()
	it := p.cur()
	switch it.tok {
	case LBRACE:
		p.next()
		m := map[string]any{}
		for !p.is(RBRACE) && !p.is(EOF) {
			if !p.is(STRING) {
				p.expected("string key")
				p.skipUntil(COMMA, RBRACE)
			} else {
				key := p.stringLiteral().Value.(string)
				p.expect(COLON)
				m[key] = p.dynamicValue()
			}
			if !p.is(COMMA) {
				break
			}
			p.next()
			p.noTrailingComma(RBRACE, "string key")
		}
		p.closeParen(RBRACE)
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
			p.noTrailingComma(RBRACK, "dynamic value")
		}
		p.closeParen(RBRACK)
		return arr
	case STRING:
		return p.stringLiteral().Value
	case INT, REAL, TIMESPAN, TYPED:
		return DynamicOf(p.constant())
	case SUB:
		if nx := p.peek(1).tok; nx == INT || nx == REAL || nx == TIMESPAN {
			p.next()
			l := p.constant()
			if neg, ok := negateLiteral(l); ok {
				return DynamicOf(neg)
			}
			return DynamicOf(l)
		}
	case IDENT:
		switch {
		case isBoolWord(it.val):
			p.next()
			return it.val[0] == 't' || it.val[0] == 'T'
		case it.val == "null":
			p.next()
			return nil
		case it.val == "dynamic" && p.peek(1).tok == LPAREN:
			return p.dynamicLiteral().(*Literal).Value
		}
	}
	p.errorAt(it.pos, it.end, CodeBadLiteral, "Expected: a constant in dynamic literal, found %s", p.tokenText(it))
	switch it.tok {
	case COMMA, RPAREN, RBRACK, RBRACE, EOF, PIPE, SEMI:
	default:
		p.next()
	}
	return nil
}

// constant parses one numeric, timespan or typed literal token.
func (p *parser) constant() *Literal {
	it := p.next()
	var x Expr
	switch it.tok {
	case INT, REAL:
		x = p.numberLiteral(it)
	case TIMESPAN:
		x = p.timespanToken(it)
	default:
		x = p.typedLiteral(it)
	}
	if l, ok := x.(*Literal); ok {
		return l
	}
	p.errorAt(it.pos, it.end, CodeBadLiteral, "Expected: a constant in dynamic literal, found %s", p.tokenText(it))
	return &Literal{ValuePos: it.pos, EndPos: it.end, Kind: LitNull, Type: types.Null}
}

// DynamicOf converts a scalar literal to its value inside a dynamic tree,
// as Kusto stores it: datetimes and timespans become their string forms,
// decimals become reals.
func DynamicOf(l *Literal) any {
	switch v := l.Value.(type) {
	case time.Time:
		return FormatDateTime(v)
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

// FormatDateTime renders a datetime as Kusto prints it:
// 2015-01-01T00:00:00.0000000Z.
func FormatDateTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

// FormatTimespan renders a duration in Kusto's [-][d.]hh:mm:ss[.fffffff].
func FormatTimespan(d time.Duration) string {
	neg := d < 0
	ticks := int64(d / 100)
	if neg {
		ticks = -ticks
	}
	const day = 864000000000
	days := ticks / day
	rest := ticks % day
	h := rest / 36000000000
	m := rest / 600000000 % 60
	s := rest / 10000000 % 60
	f := rest % 10000000
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	if days > 0 {
		sb.WriteString(strconv.FormatInt(days, 10))
		sb.WriteByte('.')
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
