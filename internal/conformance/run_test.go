package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/result"
)

// compileError mimics kql.Error: a Stage field of a named string type.
type compileStage string

type compileError struct {
	Stage compileStage
	Msg   string
}

func (e *compileError) Error() string { return e.Msg }

func TestStageOf(t *testing.T) {
	tests := []struct {
		err  error
		want Stage
	}{
		{errors.New("boom"), StageExec},
		{&compileError{Stage: "parse", Msg: "x"}, StageParse},
		{&compileError{Stage: "bind", Msg: "x"}, StageBind},
		{&compileError{Stage: "compile", Msg: "x"}, StageCompile},
		{&compileError{Stage: "elsewhere", Msg: "x"}, StageExec},
		{fmt.Errorf("run: %w", &compileError{Stage: "bind", Msg: "x"}), StageBind},
		{&StageError{Stage: StageParse, Err: errors.New("x")}, StageParse},
		{(*compileError)(nil), StageExec},
	}
	se := &StageError{Stage: StageBind, Err: errors.New("unknown column")}
	if se.Error() != "unknown column" || !errors.Is(se, se.Err) {
		t.Errorf("StageError = %q, want it to wrap %q", se.Error(), se.Err)
	}
	for _, tt := range tests {
		if got := StageOf(tt.err); got != tt.want {
			t.Errorf("StageOf(%#v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// fakeCases are cases whose queries tell the fake exec what to do.
var fakeCases = []Case{
	{ID: "a#1", Query: "pass", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
	{ID: "a#2", Query: "parse", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
	{ID: "a#3", Query: "bind", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
	{ID: "a#4", Query: "exec", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
	{ID: "a#5", Query: "differ", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
	{ID: "a#6", Query: "panic", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
	{ID: "a#7", Query: "nil", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
	{ID: "a#8", Query: "positional", Columns: []string{"result"}, Rows: [][]string{{"1"}},
		Notes: "column name(s) not in the query text (engine-made name or doc error): result"},
	{ID: "a#9", Query: "pass", Columns: []string{"x"}, Rows: [][]string{{"1"}}},
}

func fakeExec(_ context.Context, q string) (*result.Table, error) {
	one := func(name string, v int64) *result.Table {
		return &result.Table{Columns: []result.Column{{Name: name, Type: types.Long}}, Rows: [][]any{{v}}}
	}
	switch q {
	case "pass":
		return one("x", 1), nil
	case "parse", "bind":
		return nil, &compileError{Stage: compileStage(q), Msg: q + " failed"}
	case "exec":
		return nil, errors.New("query execution failed: no such table")
	case "differ":
		return one("x", 2), nil
	case "panic":
		var s []int
		return nil, fmt.Errorf("unreachable %d", s[len(q)]) // index out of range
	case "positional":
		return one("print_0", 1), nil
	}
	return nil, nil
}

func TestRun(t *testing.T) {
	rep := Run(context.Background(), fakeCases, fakeExec)
	want := []struct {
		pass       bool
		stage      Stage
		err        string
		positional bool
	}{
		{true, "", "", false},
		{false, StageParse, "parse failed", false},
		{false, StageBind, "bind failed", false},
		{false, StageExec, "no such table", false},
		{false, StageCompare, `want "1", got "2"`, false},
		{false, StagePanic, "panic in exec: runtime error: index out of range [5] with length 0", false},
		{false, StageExec, "no table and no error", false},
		{true, "", "", true},
		{true, "", "", false},
	}
	if len(rep.Outcomes) != len(want) {
		t.Fatalf("Run returned %d outcomes, want %d", len(rep.Outcomes), len(want))
	}
	for i, w := range want {
		o := rep.Outcomes[i]
		if o.ID != fakeCases[i].ID || o.Pass != w.pass || o.Stage != w.stage || o.Positional != w.positional || !strings.Contains(o.Err, w.err) {
			t.Errorf("outcome %d = %+v, want pass=%v stage=%q positional=%v err containing %q", i, o, w.pass, w.stage, w.positional, w.err)
		}
	}
	if !strings.Contains(rep.Outcomes[5].Err, "run_test.go") {
		t.Errorf("panic outcome has no stack naming the panicking file: %q", rep.Outcomes[5].Err)
	}
	if rep.Total != 9 || rep.Passed != 3 || rep.Positional != 1 {
		t.Errorf("totals = %d/%d (%d positional), want 3/9 (1 positional)", rep.Passed, rep.Total, rep.Positional)
	}
	wantSummary := "3/9 cases pass (33.3%); failing: parse 1, bind 1, exec 2, compare 1, panic 1; 1 pass by column position"
	if got := rep.Summary(); got != wantSummary {
		t.Errorf("Summary() = %q, want %q", got, wantSummary)
	}
	if got := strings.Join(rep.Passing(), " "); got != "a#1 a#8 a#9" {
		t.Errorf("Passing() = %q, want %q", got, "a#1 a#8 a#9")
	}

	kw := rep.WithKnownWrong(map[string]string{"a#5": "page shows an old value", "a#9": "typo"})
	wantSummary = "2/7 cases pass (28.6%); failing: parse 1, bind 1, exec 2, panic 1; 1 pass by column position; 2 known-wrong not counted (1 of them pass)"
	if got := kw.Summary(); got != wantSummary {
		t.Errorf("WithKnownWrong Summary() = %q, want %q", got, wantSummary)
	}
	if got := strings.Join(kw.Passing(), " "); got != "a#1 a#8" {
		t.Errorf("WithKnownWrong Passing() = %q, want %q", got, "a#1 a#8")
	}
	if rep.Outcomes[4].KnownWrong != "" {
		t.Error("WithKnownWrong changed the original report")
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	rep := Run(ctx, fakeCases[:3], func(ctx context.Context, q string) (*result.Table, error) {
		calls++
		cancel()
		return fakeExec(ctx, "pass")
	})
	if calls != 1 {
		t.Errorf("exec ran %d times after cancellation, want 1", calls)
	}
	if !rep.Outcomes[0].Pass || rep.Outcomes[1].Pass || !strings.Contains(rep.Outcomes[1].Err, "not run: context canceled") {
		t.Errorf("outcomes = %+v", rep.Outcomes)
	}
}

func TestRunComparePanicIsContained(t *testing.T) {
	// A table whose row is shorter than its columns would index out of
	// range in a careless comparator; it must be a compare failure.
	c := Case{ID: "p#1", Query: "q", Columns: []string{"x", "y"}, Rows: [][]string{{"1", "2"}}}
	rep := Run(context.Background(), []Case{c}, func(context.Context, string) (*result.Table, error) {
		return &result.Table{Columns: []result.Column{{Name: "x", Type: types.Long}, {Name: "y", Type: types.Long}}, Rows: [][]any{{int64(1)}}}, nil
	})
	if o := rep.Outcomes[0]; o.Pass || o.Stage != StageCompare {
		t.Errorf("outcome = %+v, want a compare failure", o)
	}
}

func TestCheckBaseline(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "testdata", "conformance-baseline.txt")
	rep := Run(context.Background(), fakeCases, fakeExec)

	// A missing baseline is empty: nothing can regress.
	if err := CheckBaseline(rep, path, false); err != nil {
		t.Fatalf("CheckBaseline(no file) = %v", err)
	}
	// Update writes the sorted passing ids.
	if err := CheckBaseline(rep, path, true); err != nil {
		t.Fatalf("CheckBaseline(update) = %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), "a#1\na#8\na#9\n"; got != want {
		t.Errorf("baseline = %q, want %q", got, want)
	}
	if err := CheckBaseline(rep, path, false); err != nil {
		t.Errorf("CheckBaseline(same run) = %v", err)
	}

	// A case of the baseline that fails now is a regression.
	worse := Run(context.Background(), fakeCases, func(ctx context.Context, q string) (*result.Table, error) {
		if q == "positional" {
			return nil, &compileError{Stage: "bind", Msg: "unknown function\nwith detail"}
		}
		return fakeExec(ctx, q)
	})
	err = CheckBaseline(worse, path, false)
	if err == nil || !strings.Contains(err.Error(), "1 case(s) of the baseline no longer pass:\n  a#8 [bind]: unknown function\n") {
		t.Errorf("CheckBaseline(regression) = %v", err)
	}

	// A case listed as known-wrong beside the baseline is not counted.
	if err := os.WriteFile(filepath.Join(dir, "testdata", KnownWrongFile), []byte("# documented outputs that are wrong\na#8\tpage shows an old header\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckBaseline(worse, path, false); err != nil {
		t.Errorf("CheckBaseline(regression listed as known-wrong) = %v", err)
	}
	// And an update leaves it out of the baseline.
	if err := CheckBaseline(rep, path, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "a#1\na#9\n" {
		t.Errorf("baseline after update with known-wrong = %q, want %q", data, "a#1\na#9\n")
	}

	// New passes are not an error.
	if err := os.WriteFile(path, []byte("a#1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckBaseline(rep, path, false); err != nil {
		t.Errorf("CheckBaseline(new passes) = %v", err)
	}

	// A baseline id that is no longer a case is reported.
	if err := os.WriteFile(path, []byte("a#1\nold-page.md#3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = CheckBaseline(rep, path, false)
	if err == nil || !strings.Contains(err.Error(), "1 case(s) of the baseline are no longer in the cases: old-page.md#3") {
		t.Errorf("CheckBaseline(stale id) = %v", err)
	}

	// A malformed baseline line is an error.
	if err := os.WriteFile(path, []byte("a#1 a#2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckBaseline(rep, path, false); err == nil || !strings.Contains(err.Error(), "want one case id") {
		t.Errorf("CheckBaseline(malformed) = %v", err)
	}
}

func TestLoadKnownWrong(t *testing.T) {
	dir := t.TempDir()
	if kw, err := LoadKnownWrong(filepath.Join(dir, "missing.txt")); err != nil || len(kw) != 0 {
		t.Errorf("LoadKnownWrong(missing) = %v, %v, want an empty list", kw, err)
	}
	good := filepath.Join(dir, "good.txt")
	os.WriteFile(good, []byte("# comment\n\nx.md#1\tthe header names a column the query drops\r\ny.md#2\t typo in JSON \n"), 0o644)
	kw, err := LoadKnownWrong(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(kw) != 2 || kw["x.md#1"] != "the header names a column the query drops" || kw["y.md#2"] != "typo in JSON" {
		t.Errorf("LoadKnownWrong = %q", kw)
	}
	for name, body := range map[string]string{
		"no reason": "x.md#1\n",
		"no tab":    "x.md#1 reason with spaces\n",
		"twice":     "x.md#1\ta\nx.md#1\tb\n",
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadKnownWrong(p); err == nil {
			t.Errorf("LoadKnownWrong(%s) = nil error, want an error", name)
		}
	}
}

func TestLoad(t *testing.T) {
	cases, byID := loadShared(t)
	if len(cases) < 400 {
		t.Errorf("Load read %d cases, want the whole suite (470 when written)", len(cases))
	}
	c, ok := byID["abs-function.md#1"]
	if !ok {
		t.Skip("abs-function.md#1 is no longer a case")
	}
	if c.Doc != "abs-function.md" || c.Query != "print abs(-5)" || len(c.Columns) != 1 || c.Rows[0][0] != "5" || c.Ordered {
		t.Errorf("abs-function.md#1 = %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]string{
		"bad json":  `{"id": "a#1", "query": "print 1"`,
		"no id":     `{"query": "print 1", "columns": [], "rows": []}`,
		"no query":  `{"id": "a#1", "columns": [], "rows": []}`,
		"row width": `{"id": "a#1", "query": "print 1", "columns": ["x"], "rows": [["1", "2"]]}`,
		"duplicate": `{"id": "a#1", "query": "print 1", "columns": [], "rows": []}` + "\n" + `{"id": "a#1", "query": "print 2", "columns": [], "rows": []}`,
	}
	for name, body := range tests {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".jsonl")
		if err := os.WriteFile(p, []byte(body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); err == nil {
			t.Errorf("Load(%s) = nil error, want an error", name)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.jsonl")); err == nil {
		t.Error("Load(missing) = nil error, want an error")
	}
	p := filepath.Join(dir, "ok.jsonl")
	os.WriteFile(p, []byte("\n"+`{"id": "a#1", "doc": "a", "query": "print 1", "columns": ["x"], "rows": [["1"]], "ordered": true, "notes": "", "future": 1}`+"\n\n"), 0o644)
	cases, err := Load(p)
	if err != nil || len(cases) != 1 || !cases[0].Ordered {
		t.Errorf("Load(ok) = %+v, %v", cases, err)
	}
}

// TestKnownWrongList checks the repository's known-wrong list: it parses,
// and every id in it is a case.
func TestKnownWrongList(t *testing.T) {
	path := filepath.Join(testenv.RepoRoot(t), "query", "testdata", KnownWrongFile)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no known-wrong list at %s", path)
	}
	kw, err := LoadKnownWrong(path)
	if err != nil {
		t.Fatal(err)
	}
	_, byID := loadShared(t)
	for id := range kw {
		if _, ok := byID[id]; !ok {
			t.Errorf("%s lists %q, which is not a case", path, id)
		}
	}
}
