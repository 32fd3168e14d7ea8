package syntax

import "testing"

// fuzzSeeds adds the corpus and conformance queries, the accepted forms
// and the error cases as seeds.
func fuzzSeeds(f *testing.F) {
	for _, q := range sharedQueries(f) {
		f.Add(q.text)
	}
	for _, q := range acceptQueries {
		f.Add(q)
	}
	queries, _ := errorCases(f)
	for _, q := range queries {
		f.Add(q)
	}
}

// FuzzParse: Parse never panics, always returns a script, reports no
// internal error, keeps every diagnostic inside the text, and the printer
// copes with whatever tree comes out. For text without errors, the printed
// form parses again.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, q string) {
		s, errs := Parse(q)
		if s == nil {
			t.Fatal("Parse returned a nil script")
		}
		src := NewSource(q)
		for _, d := range errs {
			if d.Code == CodeInternal {
				t.Fatalf("internal parser error: %s", d.Message)
			}
			if d.From < 0 || int(d.To) > len(q) || d.To < d.From {
				t.Fatalf("diagnostic %s at %d..%d outside %d bytes", d.Code, d.From, d.To, len(q))
			}
			_ = d.Format(src)
		}
		if bad := spanErrors(s, len(q)); len(bad) > 0 {
			t.Fatalf("nodes outside the text: %v", bad)
		}
		printed := Print(s)
		if len(errs) == 0 {
			if _, errs2 := Parse(printed); len(errs2) > 0 {
				t.Fatalf("printed form does not parse: %s\nquery: %q\nprinted: %q", errs2[0].Error(), q, printed)
			}
		}
		if x, errs := ParseExpr(q); x == nil {
			t.Fatalf("ParseExpr returned nil (%d errors)", len(errs))
		}
	})
}

// FuzzLex: the lexer terminates, its tokens are in order inside the text,
// and the last one is EOF.
func FuzzLex(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, q string) {
		toks, errs := lex(q)
		last := Pos(0)
		for _, it := range toks {
			if it.pos < last || it.end < it.pos || int(it.end) > len(q) {
				t.Fatalf("token %s at %d..%d out of order (previous end %d, %d bytes)", it.tok, it.pos, it.end, last, len(q))
			}
			last = it.end
		}
		if toks[len(toks)-1].tok != EOF {
			t.Fatal("no EOF token")
		}
		for _, d := range errs {
			if d.From < 0 || int(d.To) > len(q) || d.To < d.From {
				t.Fatalf("diagnostic %s at %d..%d outside %d bytes", d.Code, d.From, d.To, len(q))
			}
		}
	})
}
