package store

import (
	"context"
	"strings"
	"testing"
)

// TestBatchStatements: statements commit with the rows, and a failing
// statement (here the guard the EDR backend uses against a duplicate
// batch) takes the rows down with it.
func TestBatchStatements(t *testing.T) {
	ctx := context.Background()
	cat, tbl := allTypesTable(t)
	s, err := OpenMemory(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.DB().ExecContext(ctx, "CREATE TABLE cursor_t (k VARCHAR PRIMARY KEY, seq UBIGINT)"); err != nil {
		t.Fatal(err)
	}
	batch := func(seq int) []Batch {
		return []Batch{
			{Table: tbl.Name, Rows: [][]any{row(tbl, map[string]any{"L": seq}), row(tbl, map[string]any{"L": seq})}},
			{Stmts: []Statement{
				{SQL: "SELECT error('duplicate') FROM cursor_t WHERE k = ? AND seq >= ?", Args: []any{"d", seq}},
				{SQL: "INSERT INTO cursor_t VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET seq = excluded.seq", Args: []any{"d", seq}},
			}},
		}
	}
	if err := s.AppendBatches(ctx, batch(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendBatches(ctx, batch(1)); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("second append of seq 1 = %v, want the guard's error", err)
	}
	if n := count(t, s, tbl.Name); n != 2 {
		t.Errorf("rows = %d, want 2: the refused batch must store nothing", n)
	}
	if err := s.AppendBatches(ctx, batch(2)); err != nil {
		t.Fatal(err)
	}
	var seq int
	if err := s.DB().QueryRow("SELECT seq FROM cursor_t WHERE k = 'd'").Scan(&seq); err != nil || seq != 2 {
		t.Errorf("seq = %d, %v; want 2", seq, err)
	}
	// Statements alone run too.
	if err := s.AppendBatches(ctx, []Batch{{Stmts: []Statement{{SQL: "UPDATE cursor_t SET seq = 9"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRow("SELECT seq FROM cursor_t").Scan(&seq); err != nil || seq != 9 {
		t.Errorf("seq = %d, %v; want 9", seq, err)
	}
}
