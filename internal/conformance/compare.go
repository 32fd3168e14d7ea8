package conformance

import (
	"errors"
	"fmt"
	"slices"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/result"
)

// Compare checks an actual result against the case. It returns nil on a
// match, or an error describing the first difference: the column list, the
// row count, or the first row and column whose cell differs, with the
// page's text and the actual value. The rules are in the package comment.
func Compare(c Case, got *result.Table) error {
	_, err := compare(c, got)
	return err
}

// compare is Compare that also reports whether a made-up column name was
// matched by position.
func compare(c Case, got *result.Table) (positional bool, err error) {
	if got == nil {
		return false, errors.New("no result table")
	}
	positional, err = compareColumns(c, got.Columns)
	if err != nil {
		return false, err
	}
	for i, r := range got.Rows {
		if len(r) != len(got.Columns) {
			return positional, fmt.Errorf("actual row %d has %d values for %d columns", i, len(r), len(got.Columns))
		}
	}
	if len(got.Rows) != len(c.Rows) {
		return positional, fmt.Errorf("row count: got %d, want %d", len(got.Rows), len(c.Rows))
	}
	if c.Ordered {
		for i := range c.Rows {
			if d := rowDiff(c.Rows[i], got.Rows[i], got.Columns); d != nil {
				return positional, fmt.Errorf("row %d (ordered): %s", i, d)
			}
		}
		return positional, nil
	}
	return positional, matchRows(c.Rows, got.Rows, got.Columns)
}

// compareColumns checks the column names. A name the notes mark as made up
// may differ; positional reports that one did.
func compareColumns(c Case, got []result.Column) (positional bool, err error) {
	names := make([]string, len(got))
	for i, col := range got {
		names[i] = col.Name
	}
	if len(got) != len(c.Columns) {
		return false, fmt.Errorf("columns: got %d %q, want %d %q", len(got), names, len(c.Columns), c.Columns)
	}
	madeUp := c.MadeUpColumns()
	for i, want := range c.Columns {
		if names[i] == want {
			continue
		}
		if slices.Contains(madeUp, want) {
			positional = true
			continue
		}
		return false, fmt.Errorf("column %d: got name %q, want %q (got %q, want %q)", i, names[i], want, names, c.Columns)
	}
	return positional, nil
}

// cellDiff is the first cell of a row that does not match.
type cellDiff struct {
	col  int
	name string
	typ  types.Type
	want string
	got  any
	why  string
}

func (d *cellDiff) String() string {
	s := fmt.Sprintf("column %q (%s): want %q, got %s", d.name, d.typ, d.want, describe(d.got, d.typ))
	if d.why != "" {
		s += " (" + d.why + ")"
	}
	return s
}

// describe renders an actual value for a message: null, or the value as
// Kusto prints it, quoted.
func describe(v any, t types.Type) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%q", result.FormatValue(v, t))
}

// rowDiff returns the first cell of got that does not match want, or nil.
func rowDiff(want []string, got []any, cols []result.Column) *cellDiff {
	for i := range want {
		if ok, why := cellMatch(want[i], got[i], cols[i].Type); !ok {
			return &cellDiff{col: i, name: cols[i].Name, typ: cols[i].Type, want: want[i], got: got[i], why: why}
		}
	}
	return nil
}

// rowMatches reports whether every cell of got matches want.
func rowMatches(want []string, got []any, cols []result.Column) bool {
	for i := range want {
		if ok, _ := cellMatch(want[i], got[i], cols[i].Type); !ok {
			return false
		}
	}
	return true
}

// matchCount returns how many cells of got match want.
func matchCount(want []string, got []any, cols []result.Column) int {
	n := 0
	for i := range want {
		if ok, _ := cellMatch(want[i], got[i], cols[i].Type); ok {
			n++
		}
	}
	return n
}

// matchRows compares rows as multisets: each expected row must match a
// different actual row. Because a page cell can match several actual values
// (tolerances, null rules), this is a bipartite matching, not a sort.
func matchRows(want [][]string, got [][]any, cols []result.Column) error {
	n := len(want)
	// Fast path: the rows are already in the same order.
	inOrder := true
	for i := 0; i < n && inOrder; i++ {
		inOrder = rowMatches(want[i], got[i], cols)
	}
	if inOrder {
		return nil
	}
	adj := make([][]int, n)
	for i := range want {
		for j := range got {
			if rowMatches(want[i], got[j], cols) {
				adj[i] = append(adj[i], j)
			}
		}
	}
	matchOfGot := make([]int, len(got)) // got row -> want row, or -1
	for j := range matchOfGot {
		matchOfGot[j] = -1
	}
	var augment func(i int, seen []bool) bool
	augment = func(i int, seen []bool) bool {
		for _, j := range adj[i] {
			if seen[j] {
				continue
			}
			seen[j] = true
			if matchOfGot[j] < 0 || augment(matchOfGot[j], seen) {
				matchOfGot[j] = i
				return true
			}
		}
		return false
	}
	unmatched := -1
	for i := range want {
		if !augment(i, make([]bool, len(got))) && unmatched < 0 {
			unmatched = i
		}
	}
	if unmatched < 0 {
		return nil
	}
	return unmatchedRowError(unmatched, want, got, cols, adj[unmatched], matchOfGot)
}

// unmatchedRowError describes why expected row i found no actual row: the
// actual rows it would match that other expected rows took, if any, and the
// closest actual row left over with its first differing cell.
func unmatchedRowError(i int, want [][]string, got [][]any, cols []result.Column, candidates []int, matchOfGot []int) error {
	best, bestScore := -1, -1
	for j := range got {
		if matchOfGot[j] >= 0 {
			continue // taken by another expected row
		}
		if score := matchCount(want[i], got[j], cols); score > bestScore {
			best, bestScore = j, score
		}
	}
	prefix := fmt.Sprintf("row %d %q (unordered): ", i, want[i])
	if len(candidates) > 0 {
		prefix += fmt.Sprintf("the actual rows it matches, %v, are matched to other expected rows (it occurs more often on the page than in the result); ", candidates)
	} else {
		prefix += "no actual row matches; "
	}
	if best < 0 {
		return fmt.Errorf("%sno actual row is left", prefix)
	}
	return fmt.Errorf("%sclosest unmatched is actual row %d, %s", prefix, best, rowDiff(want[i], got[best], cols))
}
