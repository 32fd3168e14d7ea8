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
	lit string // source text (for STRING: the unescaped value)
	// spaceBefore reports whitespace or a comment right before the token
	// (so `project-away` can be told from `project - away`).
	spaceBefore bool
	err         string
}

// scanner turns query text into items. It never fails: problems become
// ILLEGAL items carrying a message.
type scanner struct {
	src string
	off int
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// scanAll lexes the whole text, dropping comments.
func scanAll(src string) []item {
	s := &scanner{src: src}
	var out []item
	for {
		it := s.next()
		out = append(out, it)
		if it.tok == EOF {
			return out
		}
	}
}

func (s *scanner) skipSpace() bool {
	skipped := false
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.off++
			skipped = true
		case c == '/' && s.off+1 < len(s.src) && s.src[s.off+1] == '/':
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
			skipped = true
		default:
			r, n := utf8.DecodeRuneInString(s.src[s.off:])
			if unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b' {
				s.off += n
				skipped = true
				continue
			}
			return skipped
		}
	}
	return skipped
}

func (s *scanner) next() item {
	space := s.skipSpace()
	start := s.off
	mk := func(t Token, n int) item {
		s.off += n
		return item{tok: t, pos: Pos(start), end: Pos(s.off), lit: s.src[start:s.off], spaceBefore: space}
	}
	if s.off >= len(s.src) {
		return item{tok: EOF, pos: Pos(start), end: Pos(start), spaceBefore: space}
	}
	c := s.src[s.off]
	peek := func(k int) byte {
		if s.off+k < len(s.src) {
			return s.src[s.off+k]
		}
		return 0
	}
	switch {
	case c == '"' || c == '\'':
		it := s.quoted(c)
		it.spaceBefore = space
		return it
	case (c == '@') && (peek(1) == '"' || peek(1) == '\''):
		it := s.verbatim(start, 1)
		it.spaceBefore = space
		return it
	case (c == 'h' || c == 'H') && (peek(1) == '"' || peek(1) == '\''):
		s.off++
		it := s.quoted(peek(0))
		it.pos = Pos(start)
		it.spaceBefore = space
		return it
	case (c == 'h' || c == 'H') && peek(1) == '@' && (peek(2) == '"' || peek(2) == '\''):
		it := s.verbatim(start, 2)
		it.spaceBefore = space
		return it
	case c == '`' && strings.HasPrefix(s.src[s.off:], "```"), c == '~' && strings.HasPrefix(s.src[s.off:], "~~~"):
		fence := s.src[s.off : s.off+3]
		end := strings.Index(s.src[s.off+3:], fence)
		if end < 0 {
			s.off = len(s.src)
			return item{tok: ILLEGAL, pos: Pos(start), end: Pos(s.off), err: "Unterminated multi-line string literal", spaceBefore: space}
		}
		val := s.src[s.off+3 : s.off+3+end]
		s.off += 3 + end + 3
		return item{tok: STRING, pos: Pos(start), end: Pos(s.off), lit: val, spaceBefore: space}
	case c >= '0' && c <= '9' || c == '.' && peek(1) >= '0' && peek(1) <= '9':
		it := s.number()
		it.spaceBefore = space
		return it
	}
	r, n := utf8.DecodeRuneInString(s.src[s.off:])
	if isIdentStart(r) {
		s.off += n
		for s.off < len(s.src) {
			r, n := utf8.DecodeRuneInString(s.src[s.off:])
			if !isIdentPart(r) {
				break
			}
			s.off += n
		}
		// in~ is one operator.
		if s.src[start:s.off] == "in" && s.off < len(s.src) && s.src[s.off] == '~' {
			s.off++
		}
		return item{tok: IDENT, pos: Pos(start), end: Pos(s.off), lit: s.src[start:s.off], spaceBefore: space}
	}
	switch c {
	case '+':
		return mk(ADD, 1)
	case '-':
		if peek(1) == '-' && peek(2) == '>' {
			return mk(ARROWR, 3)
		}
		if peek(1) == '-' {
			return mk(DASHDASH, 2)
		}
		return mk(SUB, 1)
	case '*':
		return mk(MUL, 1)
	case '/':
		return mk(QUO, 1)
	case '%':
		return mk(REM, 1)
	case '=':
		switch peek(1) {
		case '=':
			return mk(EQL, 2)
		case '~':
			return mk(EQTILDE, 2)
		case '>':
			return mk(ARROW, 2)
		}
		return mk(ASSIGN, 1)
	case '!':
		switch peek(1) {
		case '=':
			return mk(NEQ, 2)
		case '~':
			return mk(NEQTILDE, 2)
		}
		return mk(NOT, 1)
	case '<':
		switch peek(1) {
		case '=':
			return mk(LEQ, 2)
		case '>':
			return mk(LSSGTR, 2)
		case '-':
			if peek(2) == '-' {
				return mk(ARROWL, 3)
			}
		}
		return mk(LSS, 1)
	case '>':
		if peek(1) == '=' {
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
		if peek(1) == '.' {
			return mk(DOTDOT, 2)
		}
		return mk(DOT, 1)
	case '?':
		return mk(QUESTION, 1)
	}
	it := mk(ILLEGAL, n)
	it.err = "Unexpected character '" + string(r) + "'"
	return it
}

// quoted lexes a '…' or "…" string with backslash escapes.
func (s *scanner) quoted(q byte) item {
	start := s.off
	s.off++
	var sb strings.Builder
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == q:
			s.off++
			return item{tok: STRING, pos: Pos(start), end: Pos(s.off), lit: sb.String()}
		case c == '\n':
			return item{tok: ILLEGAL, pos: Pos(start), end: Pos(s.off), err: "Unterminated string literal"}
		case c == '\\' && s.off+1 < len(s.src):
			e := s.src[s.off+1]
			s.off += 2
			switch e {
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			case 'r':
				sb.WriteByte('\r')
			case '0':
				sb.WriteByte(0)
			case 'a':
				sb.WriteByte('\a')
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'v':
				sb.WriteByte('\v')
			case 'u', 'x', 'U':
				n := 4
				if e == 'x' {
					n = 2
				} else if e == 'U' {
					n = 8
				}
				if s.off+n <= len(s.src) {
					var v rune
					ok := true
					for _, h := range s.src[s.off : s.off+n] {
						d := hexVal(h)
						if d < 0 {
							ok = false
							break
						}
						v = v*16 + rune(d)
					}
					if ok {
						sb.WriteRune(v)
						s.off += n
						continue
					}
				}
				sb.WriteByte('\\')
				sb.WriteByte(e)
			default:
				sb.WriteByte(e)
			}
		default:
			sb.WriteByte(c)
			s.off++
		}
	}
	return item{tok: ILLEGAL, pos: Pos(start), end: Pos(s.off), err: "Unterminated string literal"}
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

// verbatim lexes @"…" (prefix bytes before the quote), where a doubled
// quote stands for one.
func (s *scanner) verbatim(start, prefix int) item {
	s.off = start + prefix
	q := s.src[s.off]
	s.off++
	var sb strings.Builder
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == q {
			if s.off+1 < len(s.src) && s.src[s.off+1] == q {
				sb.WriteByte(q)
				s.off += 2
				continue
			}
			s.off++
			return item{tok: STRING, pos: Pos(start), end: Pos(s.off), lit: sb.String()}
		}
		if c == '\n' {
			break
		}
		sb.WriteByte(c)
		s.off++
	}
	return item{tok: ILLEGAL, pos: Pos(start), end: Pos(s.off), err: "Unterminated string literal"}
}

var timespanUnits = map[string]int64{
	"d": 864000000000, "day": 864000000000, "days": 864000000000,
	"h": 36000000000, "hr": 36000000000, "hrs": 36000000000, "hour": 36000000000, "hours": 36000000000,
	"m": 600000000, "min": 600000000, "minute": 600000000, "minutes": 600000000,
	"s": 10000000, "sec": 10000000, "second": 10000000, "seconds": 10000000,
	"ms": 10000, "milli": 10000, "millis": 10000, "millisecond": 10000, "milliseconds": 10000,
	"microsecond": 10, "microseconds": 10, "micro": 10, "micros": 10,
	"nanosecond": 0, "nanoseconds": 0, "nano": 0, "nanos": 0,
	"tick": 1, "ticks": 1,
}

// number lexes integers, reals and timespan literals (a number directly
// followed by a unit).
func (s *scanner) number() item {
	start := s.off
	tok := INT
	if strings.HasPrefix(s.src[s.off:], "0x") || strings.HasPrefix(s.src[s.off:], "0X") {
		s.off += 2
		for s.off < len(s.src) && hexVal(rune(s.src[s.off])) >= 0 {
			s.off++
		}
		return item{tok: INT, pos: Pos(start), end: Pos(s.off), lit: s.src[start:s.off]}
	}
	digits := func() {
		for s.off < len(s.src) && s.src[s.off] >= '0' && s.src[s.off] <= '9' {
			s.off++
		}
	}
	digits()
	if s.off < len(s.src) && s.src[s.off] == '.' && !(s.off+1 < len(s.src) && s.src[s.off+1] == '.') {
		tok = REAL
		s.off++
		digits()
	}
	if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
		j := s.off + 1
		if j < len(s.src) && (s.src[j] == '+' || s.src[j] == '-') {
			j++
		}
		if j < len(s.src) && s.src[j] >= '0' && s.src[j] <= '9' {
			s.off = j
			digits()
			tok = REAL
		}
	}
	// A unit suffix makes a timespan.
	j := s.off
	for j < len(s.src) && (s.src[j] >= 'a' && s.src[j] <= 'z' || s.src[j] >= 'A' && s.src[j] <= 'Z') {
		j++
	}
	if j > s.off {
		unit := strings.ToLower(s.src[s.off:j])
		if _, ok := timespanUnits[unit]; ok && !(j < len(s.src) && isIdentPart(rune(s.src[j]))) {
			s.off = j
			return item{tok: TIMESPAN, pos: Pos(start), end: Pos(s.off), lit: s.src[start:s.off]}
		}
		if unit == "l" || unit == "f" {
			s.off = j
			return item{tok: tok, pos: Pos(start), end: Pos(s.off), lit: s.src[start : s.off-1]}
		}
		// Digits followed by letters make an identifier (Kusto accepts
		// names such as 5Minutebin); a real with a unit-less suffix is an
		// error.
		s.off = j
		for s.off < len(s.src) && isIdentPart(rune(s.src[s.off])) {
			s.off++
		}
		if tok == INT {
			return item{tok: IDENT, pos: Pos(start), end: Pos(s.off), lit: s.src[start:s.off]}
		}
		return item{tok: ILLEGAL, pos: Pos(start), end: Pos(s.off), lit: s.src[start:s.off], err: "Invalid number literal '" + s.src[start:s.off] + "'"}
	}
	return item{tok: tok, pos: Pos(start), end: Pos(s.off), lit: s.src[start:s.off]}
}
