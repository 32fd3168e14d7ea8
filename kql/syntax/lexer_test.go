package syntax

import (
	"strings"
	"testing"
)

func TestLexer(t *testing.T) {
	tests := []struct {
		in, want string // want: token kinds and values, space separated
	}{
		{"T | where x", "identifier:T |:| identifier:where identifier:x"},
		{"project-away", "identifier:project -:- identifier:away"},
		{"a!=b !has !in~ in~", "identifier:a !=:!= identifier:b !:! identifier:has !:! identifier:in~ identifier:in~"},
		{"1 1.5 1e3 2. 0x1F 10d 1.5h 3ms 2min 5Minutebin", "integer:1 real:1.5 real:1e3 real:2. integer:0x1F timespan:10d timespan:1.5h timespan:3ms timespan:2min identifier:5Minutebin"},
		{"1..5", "integer:1 ..:.. integer:5"},
		{`"a\"b" 'c' @"d\" h'e'`, `string:a"b string:c string:d\ string:e`},
		{"datetime(2020-01-01 10:00) int(null) long (1)", "literal:datetime literal:int identifier:long (:( integer:1 ):)"},
		{"a // comment\n b", "identifier:a identifier:b"},
		{"=~ !~ == = => <> <= >= < > . , ; : ( ) [ ] { } ? * / % + -", "=~:=~ !~:!~ ==:== =:= =>:=> <>:<> <=:<= >=:>= <:< >:> .:. ,:, ;:; ::: (:( ):) [:[ ]:] {:{ }:} ?:? *:* /:/ %:% +:+ -:-"},
		{"$left.a", "identifier:$left .:. identifier:a"},
		{"naïve €", "identifier:naïve ILLEGAL:€"},
		{"\u200bT\u00a0|", "identifier:T |:|"},
	}
	for _, tt := range tests {
		toks, _ := lex(tt.in)
		var got []string
		for _, it := range toks[:len(toks)-1] {
			got = append(got, it.tok.String()+":"+it.val)
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("lex(%q) = %s, want %s", tt.in, g, tt.want)
		}
	}
}

func TestLexerSpace(t *testing.T) {
	toks, _ := lex("a-b c - d")
	want := []bool{false, false, false, true, true, true}
	for i, w := range want {
		if toks[i].space != w {
			t.Errorf("lex(%q)[%d].space = %v, want %v", "a-b c - d", i, toks[i].space, w)
		}
	}
}

func TestLexerErrors(t *testing.T) {
	tests := []struct{ in, code string }{
		{`"abc`, CodeUnterminatedString},
		{"'abc\nx", CodeUnterminatedString},
		{"@'abc", CodeUnterminatedString},
		{"```abc", CodeUnterminatedString},
		{`"\q"`, CodeBadEscape},
		{"1.5e", CodeBadNumber},
		{"0xZZ", CodeBadNumber},
		{"#", CodeIllegalCharacter},
		{"datetime(2020", CodeExpected},
	}
	for _, tt := range tests {
		_, errs := lex(tt.in)
		if len(errs) != 1 || errs[0].Code != tt.code {
			t.Errorf("lex(%q) errors = %s, want one %s", tt.in, describe(errs), tt.code)
		}
	}
}
