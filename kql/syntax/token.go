package syntax

import (
	"fmt"
	"sort"
)

// Pos is a byte offset into the query text. NoPos marks a missing position.
type Pos int

// NoPos is the zero position reported by synthesized nodes.
const NoPos Pos = -1

// IsValid reports whether p refers to a place in the source.
func (p Pos) IsValid() bool { return p >= 0 }

// Position is a human-readable location: 1-based line and column (in bytes).
type Position struct {
	Offset int
	Line   int
	Col    int
}

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Source is the text of one query with its line table, used to turn a Pos
// into a Position.
type Source struct {
	Text  string
	lines []int // offsets of line starts
}

// NewSource indexes the line starts of text.
func NewSource(text string) *Source {
	s := &Source{Text: text, lines: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// Position returns the line and column of p.
func (s *Source) Position(p Pos) Position {
	off := int(p)
	if off < 0 {
		off = 0
	}
	if off > len(s.Text) {
		off = len(s.Text)
	}
	i := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	return Position{Offset: off, Line: i + 1, Col: off - s.lines[i] + 1}
}

// Token is a lexical token kind.
type Token int

// Token kinds. Keywords are lexed as Ident: KQL's keywords are contextual
// (most may also name columns), so the parser decides by position.
const (
	ILLEGAL Token = iota
	EOF
	COMMENT

	IDENT    // foo, ['foo bar'], $left
	INT      // 123, 0x1F
	REAL     // 1.5, 1e3
	STRING   // "a", 'a', @"a", h"a", ```a```
	TIMESPAN // 1d, 2.5h, 10ms (a number with a timespan suffix)
	TYPED    // datetime(…), int(…), guid(…): a type keyword glued to a parenthesized body

	// Operators and punctuation.
	ADD      // +
	SUB      // -
	MUL      // *
	QUO      // /
	REM      // %
	EQL      // ==
	NEQ      // !=
	LSSGTR   // <>
	LSS      // <
	GTR      // >
	LEQ      // <=
	GEQ      // >=
	ASSIGN   // =
	EQTILDE  // =~
	NEQTILDE // !~
	NOT      // ! (prefix of !in, !has, !contains, …)
	PIPE     // |
	LPAREN   // (
	RPAREN   // )
	LBRACK   // [
	RBRACK   // ]
	LBRACE   // {
	RBRACE   // }
	COMMA    // ,
	SEMI     // ;
	COLON    // :
	DOT      // .
	DOTDOT   // ..
	ARROW    // =>
	DASHDASH // -- (not produced: graph edges lex as '-' tokens, as in Kusto)
	ARROWR   // --> (not produced)
	ARROWL   // <-- (not produced)
	QUESTION // ?
)

var tokenNames = map[Token]string{
	ILLEGAL: "ILLEGAL", EOF: "end of query", COMMENT: "comment",
	IDENT: "identifier", INT: "integer", REAL: "real", STRING: "string", TIMESPAN: "timespan", TYPED: "literal",
	ADD: "+", SUB: "-", MUL: "*", QUO: "/", REM: "%", EQL: "==", NEQ: "!=", LSSGTR: "<>",
	LSS: "<", GTR: ">", LEQ: "<=", GEQ: ">=", ASSIGN: "=", EQTILDE: "=~", NEQTILDE: "!~",
	NOT: "!", PIPE: "|", LPAREN: "(", RPAREN: ")", LBRACK: "[", RBRACK: "]", LBRACE: "{",
	RBRACE: "}", COMMA: ",", SEMI: ";", COLON: ":", DOT: ".", DOTDOT: "..", ARROW: "=>",
	DASHDASH: "--", ARROWR: "-->", ARROWL: "<--", QUESTION: "?",
}

func (t Token) String() string {
	if s, ok := tokenNames[t]; ok {
		return s
	}
	return fmt.Sprintf("token(%d)", int(t))
}
