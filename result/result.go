package result

import (
	"math"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// PrimaryResult is the name of the main table of a result.
const PrimaryResult = "PrimaryResult"

// Column is a named, typed column of a result table.
type Column struct {
	Name string
	Type types.Type
}

// Table is one table of a result. Each row has one value per column; the Go
// value of a cell depends on the column's type (see the package comment).
type Table struct {
	Name    string
	Columns []Column
	Rows    [][]any
}

// Set is the result of one query.
type Set struct {
	Tables []*Table
	// Truncated reports that rows were left out because the result exceeded
	// a limit; TruncationReason says which.
	Truncated        bool
	TruncationReason string
}

// Primary returns the table named PrimaryResult, or the first table when
// none has that name, or nil when the set has no tables.
func (s *Set) Primary() *Table {
	if s == nil || len(s.Tables) == 0 {
		return nil
	}
	for _, t := range s.Tables {
		if t != nil && t.Name == PrimaryResult {
			return t
		}
	}
	return s.Tables[0]
}

// TickDuration is Kusto's timespan resolution: a tick is 100 ns.
const TickDuration = 100 * time.Nanosecond

// FromTicks converts a count of 100 ns ticks, the store's representation of
// a timespan, to a time.Duration. The conversion is exact within
// time.Duration's range (about ±292 years); beyond it the result saturates
// at the largest or smallest Duration.
func FromTicks(ticks int64) time.Duration {
	const limit = math.MaxInt64 / 100
	switch {
	case ticks > limit:
		return math.MaxInt64
	case ticks < -limit:
		return math.MinInt64
	}
	return time.Duration(ticks) * TickDuration
}

// Ticks converts d to whole 100 ns ticks, truncating toward zero.
func Ticks(d time.Duration) int64 { return int64(d / TickDuration) }

// Records returns the rows as maps from column name to value.
func (t *Table) Records() []map[string]any {
	if t == nil {
		return nil
	}
	out := make([]map[string]any, len(t.Rows))
	for i, row := range t.Rows {
		m := make(map[string]any, len(t.Columns))
		for j, c := range t.Columns {
			if j < len(row) {
				m[c.Name] = row[j]
			}
		}
		out[i] = m
	}
	return out
}
