package conformance

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/goshawk-sec/goshawk/result"
)

// Stage names the step at which a case failed.
type Stage string

// The stages of a failing case. Parse, bind and compile come from the
// compiler's error (kql.Error's Stage field); exec is any other error of
// the exec function; compare is a result that differs from the page; panic
// is a panic in the exec function or the comparison.
const (
	StageParse   Stage = "parse"
	StageBind    Stage = "bind"
	StageCompile Stage = "compile"
	StageExec    Stage = "exec"
	StageCompare Stage = "compare"
	StagePanic   Stage = "panic"
)

// stages lists the stages in pipeline order, for summaries.
var stages = []Stage{StageParse, StageBind, StageCompile, StageExec, StageCompare, StagePanic}

// Outcome is the result of one case.
type Outcome struct {
	ID   string
	Pass bool
	// Stage is the failing stage; empty when the case passes.
	Stage Stage
	// Err describes the failure; empty when the case passes.
	Err string
	// Positional reports a pass that matched a made-up column name by
	// position (see Case.MadeUpColumns).
	Positional bool
	// KnownWrong is the reason the documented output is listed as wrong;
	// such a case is left out of the totals whether it passes or not.
	KnownWrong string
}

// Report is the outcome of a run: one Outcome per case, in case order, and
// totals over the cases not listed as known-wrong.
type Report struct {
	Outcomes []Outcome
	// Total counts the cases that are not known-wrong; Passed those of them
	// that pass, Positional the passes that needed a positional column.
	Total, Passed, Positional int
	// Failed counts the failing cases by stage.
	Failed map[Stage]int
	// KnownWrong counts the cases listed as known-wrong, and
	// KnownWrongPassing those of them that pass anyway (the list may be
	// stale).
	KnownWrong, KnownWrongPassing int
}

// ExecFunc runs one query and returns its primary result table.
type ExecFunc func(ctx context.Context, query string) (*result.Table, error)

// Run executes every case with exec and compares the results. A failing
// case never stops the run: errors are recorded with their stage, and a
// panic in exec is recovered and recorded as a failure of that case. Once
// ctx is done, the remaining cases are recorded as exec failures without
// being run.
func Run(ctx context.Context, cases []Case, exec ExecFunc) Report {
	rep := Report{Outcomes: make([]Outcome, 0, len(cases))}
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			rep.Outcomes = append(rep.Outcomes, Outcome{ID: c.ID, Stage: StageExec, Err: "not run: " + err.Error()})
			continue
		}
		rep.Outcomes = append(rep.Outcomes, runCase(ctx, c, exec))
	}
	rep.tally()
	return rep
}

// runCase runs and compares one case, turning a panic into an outcome.
func runCase(ctx context.Context, c Case, exec ExecFunc) (o Outcome) {
	o.ID = c.ID
	step := "exec"
	defer func() {
		if r := recover(); r != nil {
			o.Pass, o.Positional = false, false
			o.Stage = StagePanic
			o.Err = fmt.Sprintf("panic in %s: %v\n%s", step, r, trimStack(debug.Stack()))
		}
	}()
	t, err := exec(ctx, c.Query)
	if err != nil {
		o.Stage = StageOf(err)
		o.Err = err.Error()
		return o
	}
	if t == nil {
		o.Stage = StageExec
		o.Err = "exec returned no table and no error"
		return o
	}
	step = "compare"
	positional, err := compare(c, t)
	if err != nil {
		o.Stage = StageCompare
		o.Err = err.Error()
		return o
	}
	o.Pass = true
	o.Positional = positional
	return o
}

// trimStack keeps the first frames of a stack trace.
func trimStack(stack []byte) string {
	lines := strings.Split(strings.TrimSpace(string(stack)), "\n")
	const maxLines = 41 // the goroutine line and 20 frames
	if len(lines) > maxLines {
		lines = append(lines[:maxLines], "\t...")
	}
	return strings.Join(lines, "\n")
}

// StageOf classifies an error of the exec function: the first error in
// its chain that is a struct (or pointer to one) with a string field named
// Stage holding parse, bind or compile gives that stage — kql.Error is such
// a type, and so is StageError; any other error is StageExec.
func StageOf(err error) Stage {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				break
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		f := v.FieldByName("Stage")
		if !f.IsValid() || f.Kind() != reflect.String {
			continue
		}
		switch s := Stage(f.String()); s {
		case StageParse, StageBind, StageCompile, StageExec:
			return s
		}
	}
	return StageExec
}

// StageError attributes an error to a stage, for exec functions whose
// compiler errors carry no Stage field of their own.
type StageError struct {
	Stage Stage
	Err   error
}

func (e *StageError) Error() string { return e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }

// tally recomputes the totals from the outcomes.
func (r *Report) tally() {
	r.Total, r.Passed, r.Positional = 0, 0, 0
	r.KnownWrong, r.KnownWrongPassing = 0, 0
	r.Failed = make(map[Stage]int)
	for _, o := range r.Outcomes {
		if o.KnownWrong != "" {
			r.KnownWrong++
			if o.Pass {
				r.KnownWrongPassing++
			}
			continue
		}
		r.Total++
		switch {
		case o.Pass:
			r.Passed++
			if o.Positional {
				r.Positional++
			}
		default:
			r.Failed[o.Stage]++
		}
	}
}

// WithKnownWrong returns a copy of the report in which the cases listed in
// knownWrong (id → reason) are marked and left out of the totals.
func (r Report) WithKnownWrong(knownWrong map[string]string) Report {
	out := r
	out.Outcomes = slices.Clone(r.Outcomes)
	for i := range out.Outcomes {
		out.Outcomes[i].KnownWrong = knownWrong[out.Outcomes[i].ID]
	}
	out.tally()
	return out
}

// Passing returns the ids of the passing cases that are not known-wrong,
// sorted.
func (r Report) Passing() []string {
	var ids []string
	for _, o := range r.Outcomes {
		if o.Pass && o.KnownWrong == "" {
			ids = append(ids, o.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Outcome returns the outcome of the case with the given id.
func (r Report) Outcome(id string) (Outcome, bool) {
	for _, o := range r.Outcomes {
		if o.ID == id {
			return o, true
		}
	}
	return Outcome{}, false
}

// Summary returns a one-line account of the run, for example
// "312/455 cases pass (68.6%); failing: parse 10, bind 50, exec 20,
// compare 63; 5 pass by column position; 15 known-wrong not counted".
func (r Report) Summary() string {
	var b strings.Builder
	pct := 0.0
	if r.Total > 0 {
		pct = 100 * float64(r.Passed) / float64(r.Total)
	}
	fmt.Fprintf(&b, "%d/%d cases pass (%.1f%%)", r.Passed, r.Total, pct)
	var failing []string
	for _, s := range stages {
		if n := r.Failed[s]; n > 0 {
			failing = append(failing, fmt.Sprintf("%s %d", s, n))
		}
	}
	if len(failing) > 0 {
		b.WriteString("; failing: " + strings.Join(failing, ", "))
	}
	if r.Positional > 0 {
		fmt.Fprintf(&b, "; %d pass by column position", r.Positional)
	}
	if r.KnownWrong > 0 {
		fmt.Fprintf(&b, "; %d known-wrong not counted", r.KnownWrong)
		if r.KnownWrongPassing > 0 {
			fmt.Fprintf(&b, " (%d of them pass)", r.KnownWrongPassing)
		}
	}
	return b.String()
}
