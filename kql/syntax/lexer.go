package syntax

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// item is one lexed token.
type item struct {
	tok Token
	pos Pos
	end Pos
	// val is the decoded value of a STRING (escapes applied, quotes and
	// prefixes removed) and the keyword of a TYPED token. For the other
	// kinds it is the source text.
	val string
	// space reports whitespace or a comment right before the token, which
	// tells `project-away` from `project - away` and `!has` from `! has`.
	space bool
}

// lexer turns query text into items. It never fails: a problem is recorded
// as a diagnostic and the lexer produces the most plausible token so the
// parser can carry on.
type lexer struct {
	src      string
	off      int
	errs     ErrorList
	comments bool // a comment was skipped
}

// lex scans the whole text. The last item is always EOF.
func lex(src string) ([]item, ErrorList) {
	l := &lexer{src: src}
	out := make([]item, 0, len(src)/5+2)
	for {
		it := l.next()
		out = append(out, it)
		if it.tok == EOF {
			return out, l.errs
		}
	}
}

func (l *lexer) errorf(from, to int, code, msg string) {
	l.errs = append(l.errs, &Diagnostic{From: Pos(from), To: Pos(to), Code: code, Message: msg})
}

func (l *lexer) peek(k int) byte {
	if l.off+k < len(l.src) {
		return l.src[l.off+k]
	}
	return 0
}

// isSpaceRune reports Kusto's whitespace: ASCII blanks, the Unicode space
// separators, zero-width space and the byte-order mark.
func isSpaceRune(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u1680', '\u180e', '\u200b', '\u202f', '\u205f', '\u3000', '\ufeff', '\u2028', '\u2029', '\u0085':
		return true
	}
	return r >= '\u2000' && r <= '\u200a'
}

func isIdentStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// identPartAt reports whether an identifier character starts at byte i.
func (l *lexer) identPartAt(i int) bool {
	if i >= len(l.src) {
		return false
	}
	c := l.src[i]
	if c < utf8.RuneSelf {
		return isIdentPart(rune(c))
	}
	r, _ := utf8.DecodeRuneInString(l.src[i:])
	return isIdentPart(r)
}

// identEnd returns the end of the identifier characters from i.
func (l *lexer) identEnd(i int) int {
	for i < len(l.src) {
		c := l.src[i]
		if c < utf8.RuneSelf {
			if !isIdentPart(rune(c)) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(l.src[i:])
		if !isIdentPart(r) {
			break
		}
		i += n
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipSpace skips whitespace and // comments, reporting whether any was
// skipped.
func (l *lexer) skipSpace() bool {
	start := l.off
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.off++
		case c == '/' && l.peek(1) == '/':
			l.comments = true
			for l.off < len(l.src) && l.src[l.off] != '\n' && l.src[l.off] != '\r' {
				l.off++
			}
		case c < utf8.RuneSelf:
			return l.off > start
		default:
			r, n := utf8.DecodeRuneInString(l.src[l.off:])
			if !isSpaceRune(r) {
				return l.off > start
			}
			l.off += n
		}
	}
	return l.off > start
}

// typedWords are the type keywords that, glued to '(', make one literal
// token whose body runs to the next ')' on the same line, as in Kusto:
// datetime(2020-01-01 10:00) and int(null) are single tokens.
var typedWords = map[string]bool{
	"bool": true, "int": true, "int32": true, "long": true, "int64": true,
	"real": true, "double": true, "decimal": true, "datetime": true, "date": true,
	"time": true, "timespan": true, "guid": true,
}

func (l *lexer) next() item {
	space := l.skipSpace()
	start := l.off
	mk := func(t Token, n int) item {
		l.off += n
		return item{tok: t, pos: Pos(start), end: Pos(l.off), val: l.src[start:l.off], space: space}
	}
	if l.off >= len(l.src) {
		return item{tok: EOF, pos: Pos(start), end: Pos(start), space: space}
	}
	c := l.src[l.off]
	switch {
	case c == '"' || c == '\'':
		return l.str(start, start, space)
	case c == '@' && (l.peek(1) == '"' || l.peek(1) == '\''):
		return l.str(start, start, space)
	case (c == 'h' || c == 'H') && isStringStart(l.src[l.off+1:]):
		return l.str(start, start+1, space)
	case c == '`' && strings.HasPrefix(l.src[l.off:], "```"), c == '~' && strings.HasPrefix(l.src[l.off:], "~~~"):
		return l.str(start, start, space)
	case isDigit(c):
		it := l.number()
		it.space = space
		return it
	}
	r, n := rune(c), 1
	if c >= utf8.RuneSelf {
		r, n = utf8.DecodeRuneInString(l.src[l.off:])
	}
	if isIdentStart(r) {
		l.off = l.identEnd(l.off + n)
		word := l.src[start:l.off]
		if word == "in" && l.peek(0) == '~' {
			l.off++ // in~ is one operator
			word = "in~"
		} else if l.peek(0) == '(' && typedWords[word] {
			return l.typed(start, word, space)
		}
		return item{tok: IDENT, pos: Pos(start), end: Pos(l.off), val: word, space: space}
	}
	switch c {
	case '+':
		return mk(ADD, 1)
	case '-':
		return mk(SUB, 1)
	case '*':
		return mk(MUL, 1)
	case '/':
		return mk(QUO, 1)
	case '%':
		return mk(REM, 1)
	case '=':
		switch l.peek(1) {
		case '=':
			return mk(EQL, 2)
		case '~':
			return mk(EQTILDE, 2)
		case '>':
			return mk(ARROW, 2)
		}
		return mk(ASSIGN, 1)
	case '!':
		switch l.peek(1) {
		case '=':
			return mk(NEQ, 2)
		case '~':
			return mk(NEQTILDE, 2)
		}
		return mk(NOT, 1)
	case '<':
		switch l.peek(1) {
		case '=':
			return mk(LEQ, 2)
		case '>':
			return mk(LSSGTR, 2)
		}
		return mk(LSS, 1)
	case '>':
		if l.peek(1) == '=' {
			return mk(GEQ, 2)
		}
		return mk(GTR, 1)
	case '|':
		return mk(PIPE, 1)
	case '(':
		return mk(LPAREN, 1)
	case ')':
		return mk(RPAREN, 1)
	case '[':
		return mk(LBRACK, 1)
	case ']':
		return mk(RBRACK, 1)
	case '{':
		return mk(LBRACE, 1)
	case '}':
		return mk(RBRACE, 1)
	case ',':
		return mk(COMMA, 1)
	case ';':
		return mk(SEMI, 1)
	case ':':
		return mk(COLON, 1)
	case '.':
		if l.peek(1) == '.' {
			return mk(DOTDOT, 2)
		}
		return mk(DOT, 1)
	case '?':
		return mk(QUESTION, 1)
	}
	it := mk(ILLEGAL, n)
	l.errorf(start, l.off, CodeIllegalCharacter, "Unexpected character '"+string(r)+"'")
	return it
}

// isStringStart reports whether s starts with the opening of a string
// literal after an h/H prefix.
func isStringStart(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '"', '\'':
		return true
	case '@':
		return len(s) > 1 && (s[1] == '"' || s[1] == '\'')
	}
	return strings.HasPrefix(s, "```") || strings.HasPrefix(s, "~~~")
}

// str lexes a string literal starting at start; body is where the quote
// (or the verbatim '@') is, after an optional h/H prefix.
func (l *lexer) str(start, body int, space bool) item {
	l.off = body
	verbatim := false
	if l.src[l.off] == '@' {
		verbatim = true
		l.off++
	}
	var val string
	switch {
	case strings.HasPrefix(l.src[l.off:], "```") || strings.HasPrefix(l.src[l.off:], "~~~"):
		fence := l.src[l.off : l.off+3]
		l.off += 3
		end := strings.Index(l.src[l.off:], fence)
		if end < 0 {
			val = l.src[l.off:]
			l.off = len(l.src)
			l.errorf(start, l.off, CodeUnterminatedString, "Unterminated multi-line string literal: expected "+fence)
		} else {
			val = l.src[l.off : l.off+end]
			l.off += end + 3
		}
	case verbatim:
		val = l.verbatimBody(start)
	default:
		val = l.quotedBody(start)
	}
	return item{tok: STRING, pos: Pos(start), end: Pos(l.off), val: val, space: space}
}

// quotedBody lexes the rest of a '…' or "…" literal with backslash escapes.
// A line break ends an unterminated literal.
func (l *lexer) quotedBody(start int) string {
	q := l.src[l.off]
	l.off++
	bodyStart := l.off
	// Fast path: no escapes.
	for i := l.off; i < len(l.src); i++ {
		c := l.src[i]
		if c == q {
			l.off = i + 1
			return l.src[bodyStart:i]
		}
		if c == '\\' || c == '\n' || c == '\r' {
			break
		}
	}
	var sb strings.Builder
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == q:
			l.off++
			return sb.String()
		case c == '\n' || c == '\r':
			l.errorf(start, l.off, CodeUnterminatedString, "Unterminated string literal: expected "+string(q))
			return sb.String()
		case c == '\\':
			l.escape(&sb)
		default:
			sb.WriteByte(c)
			l.off++
		}
	}
	l.errorf(start, l.off, CodeUnterminatedString, "Unterminated string literal: expected "+string(q))
	return sb.String()
}

// escape decodes the backslash escape at l.off into sb.
func (l *lexer) escape(sb *strings.Builder) {
	at := l.off
	e := l.peek(1)
	var simple byte
	hexLen := 0
	switch e {
	case '\\', '\'', '"':
		simple = e
	case 'a':
		simple = '\a'
	case 'b':
		simple = '\b'
	case 'f':
		simple = '\f'
	case 'n':
		simple = '\n'
	case 'r':
		simple = '\r'
	case 't':
		simple = '\t'
	case 'v':
		simple = '\v'
	case 'x':
		hexLen = 2
	case 'u':
		hexLen = 4
	case 'U':
		hexLen = 8
	}
	switch {
	case simple != 0:
		sb.WriteByte(simple)
		l.off += 2
		return
	case hexLen > 0:
		if l.off+2+hexLen <= len(l.src) {
			var v rune
			good := true
			for i := 0; i < hexLen; i++ {
				d := hexVal(rune(l.src[l.off+2+i]))
				if d < 0 {
					good = false
					break
				}
				v = v*16 + rune(d)
			}
			if good && utf8.ValidRune(v) {
				sb.WriteRune(v)
				l.off += 2 + hexLen
				return
			}
		}
	case e >= '0' && e <= '7':
		// Octal: up to three digits; with three, the first is 0-3.
		v, n := 0, 0
		for n < 3 && l.off+1+n < len(l.src) {
			d := l.src[l.off+1+n]
			if d < '0' || d > '7' || n == 2 && v > 037 {
				break
			}
			v = v*8 + int(d-'0')
			n++
		}
		sb.WriteRune(rune(v))
		l.off += 1 + n
		return
	}
	// Not an escape Kusto knows: report it and keep the text as written.
	end := l.off + 2
	if end > len(l.src) || e == '\n' || e == '\r' {
		end = l.off + 1
	}
	l.errorf(at, end, CodeBadEscape, "Invalid escape sequence '"+l.src[at:end]+"' in string literal")
	sb.WriteByte('\\')
	l.off++
}

func hexVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}

// verbatimBody lexes the rest of @"…" or @'…', where a doubled quote
// stands for one and backslashes are plain characters.
func (l *lexer) verbatimBody(start int) string {
	q := l.src[l.off]
	l.off++
	var sb strings.Builder
	for l.off < len(l.src) {
		c := l.src[l.off]
		if c == q {
			if l.peek(1) == q {
				sb.WriteByte(q)
				l.off += 2
				continue
			}
			l.off++
			return sb.String()
		}
		if c == '\n' || c == '\r' {
			break
		}
		sb.WriteByte(c)
		l.off++
	}
	l.errorf(start, l.off, CodeUnterminatedString, "Unterminated string literal: expected "+string(q))
	return sb.String()
}

// typed lexes `word(body)`: the body runs to the first ')' on the line.
func (l *lexer) typed(start int, word string, space bool) item {
	l.off++ // (
	for l.off < len(l.src) {
		c := l.src[l.off]
		if c == ')' {
			l.off++
			return item{tok: TYPED, pos: Pos(start), end: Pos(l.off), val: word, space: space}
		}
		if c == '\n' || c == '\r' {
			break
		}
		l.off++
	}
	l.errorf(l.off, l.off, CodeExpected, "Expected: ) to close "+word+"(")
	return item{tok: TYPED, pos: Pos(start), end: Pos(l.off), val: word, space: space}
}

// timespanUnits maps each suffix Kusto accepts after a number to its length
// in 100 ns ticks. The nanosecond suffixes have 0 and are handled apart.
var timespanUnits = map[string]int64{
	"d": 864000000000, "day": 864000000000, "days": 864000000000,
	"h": 36000000000, "hr": 36000000000, "hrs": 36000000000, "hour": 36000000000, "hours": 36000000000,
	"m": 600000000, "min": 600000000, "minute": 600000000, "minutes": 600000000,
	"s": 10000000, "sec": 10000000, "second": 10000000, "seconds": 10000000,
	"ms": 10000, "milli": 10000, "millis": 10000, "millisec": 10000, "millisecond": 10000, "milliseconds": 10000,
	"micro": 10, "micros": 10, "microsec": 10, "microsecond": 10, "microseconds": 10,
	"nano": 0, "nanos": 0, "nanosec": 0, "nanosecond": 0, "nanoseconds": 0,
	"tick": 1, "ticks": 1,
}

// maxUnitLen is the length of the longest timespan suffix.
const maxUnitLen = len("milliseconds")

// number lexes at a digit: a real (1.5, 1e3, 1.), a timespan (2d, 1.5h), a
// long (12, 0x1F), or, as in Kusto, an identifier that starts with digits
// (5Minutebin). A fraction or exponent glued to letters is a bad number.
func (l *lexer) number() item {
	start := l.off
	mk := func(t Token, end int) item {
		l.off = end
		return item{tok: t, pos: Pos(start), end: Pos(end), val: l.src[start:end]}
	}
	digits := func(i int) int {
		for i < len(l.src) && isDigit(l.src[i]) {
			i++
		}
		return i
	}
	bad := func(end int) item {
		end = l.identEnd(end)
		l.errorf(start, end, CodeBadNumber, "Invalid number literal '"+l.src[start:end]+"'")
		return mk(REAL, end)
	}
	intEnd := digits(start)

	// Hexadecimal.
	if l.src[start] == '0' && intEnd == start+1 && (l.peek(1) == 'x' || l.peek(1) == 'X') {
		i := start + 2
		for i < len(l.src) && hexVal(rune(l.src[i])) >= 0 {
			i++
		}
		if i > start+2 && !l.identPartAt(i) {
			return mk(INT, i)
		}
		it := bad(i)
		it.tok = INT
		return it
	}

	// Real: digits '.' [digits] [exponent], or digits exponent.
	realEnd := -1
	i := intEnd
	if i < len(l.src) && l.src[i] == '.' && !(i+1 < len(l.src) && l.src[i+1] == '.') {
		i = digits(i + 1)
		if e := l.exponent(i); e > 0 {
			i = e
		}
		realEnd = i
	} else if e := l.exponent(i); e > 0 {
		realEnd = e
	}
	if realEnd >= 0 && !l.identPartAt(realEnd) {
		return mk(REAL, realEnd)
	}

	// Timespan: digits [. digits] unit.
	i = intEnd
	if i < len(l.src) && l.src[i] == '.' && i+1 < len(l.src) && isDigit(l.src[i+1]) {
		i = digits(i + 1)
	}
	if j := l.unitEnd(i); j > 0 {
		return mk(TIMESPAN, j)
	}
	if realEnd >= 0 {
		return bad(realEnd)
	}
	if !l.identPartAt(intEnd) {
		return mk(INT, intEnd)
	}
	// Digits then letters: an identifier such as 5Minutebin.
	return mk(IDENT, l.identEnd(intEnd))
}

// exponent returns the end of an exponent (e+12) at i, or -1.
func (l *lexer) exponent(i int) int {
	if i >= len(l.src) || l.src[i] != 'e' && l.src[i] != 'E' {
		return -1
	}
	i++
	if i < len(l.src) && (l.src[i] == '+' || l.src[i] == '-') {
		i++
	}
	if i >= len(l.src) || !isDigit(l.src[i]) {
		return -1
	}
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	return i
}

// unitEnd returns the end of the longest timespan suffix at i when no
// identifier character follows it, or -1.
func (l *lexer) unitEnd(i int) int {
	best := -1
	for n := 1; n <= maxUnitLen && i+n <= len(l.src); n++ {
		if _, ok := timespanUnits[l.src[i:i+n]]; ok {
			best = i + n
		}
	}
	if best < 0 || l.identPartAt(best) {
		return -1
	}
	return best
}
