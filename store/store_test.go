package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

// allTypesTable is a custom table with one column of every KQL type.
func allTypesTable(t *testing.T) (*schema.Catalogue, *schema.Table) {
	t.Helper()
	cat := schema.Default()
	tbl, err := cat.CustomTable("AllTypes_CL", []schema.Column{
		{Name: "B", Type: types.Bool},
		{Name: "I", Type: types.Int},
		{Name: "L", Type: types.Long},
		{Name: "R", Type: types.Real},
		{Name: "D", Type: types.Decimal},
		{Name: "S", Type: types.String},
		{Name: "T", Type: types.DateTime},
		{Name: "Span", Type: types.TimeSpan},
		{Name: "G", Type: types.GUID},
		{Name: "Dyn", Type: types.Dynamic},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat.WithTable(tbl), tbl
}

// row builds a row of tbl from named values; other columns get nil.
func row(tbl *schema.Table, vals map[string]any) []any {
	out := make([]any, len(tbl.Columns))
	for name, v := range vals {
		i := tbl.ColumnIndex(name)
		if i < 0 {
			panic("no column " + name)
		}
		out[i] = v
	}
	return out
}

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM ` + quoteIdent(table)).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestOpenCreatesEveryTable(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx, schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tbl := range schema.Default().Tables() {
		rows, err := s.DB().QueryContext(ctx, `SELECT column_name, data_type, is_nullable FROM duckdb_columns()
			WHERE table_name = ? ORDER BY column_index`, tbl.Name)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for rows.Next() {
			var name, typ string
			var nullable bool
			if err := rows.Scan(&name, &typ, &nullable); err != nil {
				t.Fatal(err)
			}
			if i >= len(tbl.Columns) {
				t.Errorf("%s: extra stored column %s", tbl.Name, name)
				i++
				continue
			}
			col := tbl.Columns[i]
			if name != col.Storage {
				t.Errorf("%s: stored column %d is %s, want %s", tbl.Name, i, name, col.Storage)
			}
			if col.Type == types.String && nullable {
				t.Errorf("%s.%s: string column is nullable", tbl.Name, name)
			}
			i++
		}
		rows.Close()
		if i != len(tbl.Columns) {
			t.Errorf("%s: %d stored columns, want %d", tbl.Name, i, len(tbl.Columns))
		}
	}
}

func TestRoundTripEveryType(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, tbl := allTypesTable(t)
	when := time.Date(2026, 11, 20, 13, 45, 7, 123456000, time.UTC)
	g := uuid.MustParse("8f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
	rows := [][]any{
		row(tbl, map[string]any{
			"TimeGenerated": when, "Type": "AllTypes_CL", "TenantId": "t1",
			"B": true, "I": int32(-42), "L": int64(1) << 40, "R": 3.25, "D": "12.5",
			"S": "héllo \"world\"", "T": when.In(time.FixedZone("X", 3600)), "Span": 90 * time.Second,
			"G": g.String(), "Dyn": map[string]any{"a": 1, "b": []any{"x", true}},
			"_BilledSize": 123.0, "_IsBillable": true, "_ItemId": "item-1", "_TimeReceived": when.Add(time.Second),
		}),
		row(tbl, map[string]any{
			"TimeGenerated": when, "B": false, "I": 7, "L": int32(5), "R": int64(2), "D": 1.5,
			"S": nil, "T": time.Time{}, "Span": nil, "G": g, "Dyn": json.RawMessage(`[1,2,3]`),
		}),
		row(tbl, map[string]any{
			"TimeGenerated": when, "G": [16]byte(g), "Dyn": `{"k":"v"}`, "Span": -time.Millisecond,
		}),
	}

	s, err := Open(ctx, dir, cat)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, tbl.Name, rows); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("workspace file: %v", err)
	}

	s, err = Open(ctx, dir, cat)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	q := `SELECT B, I, L, R, CAST(D AS VARCHAR), S, T, Span, CAST(G AS VARCHAR), CAST(Dyn AS VARCHAR),
		TenantId, Type, _BilledSize, _IsBillable, _ItemId, _TimeReceived FROM "AllTypes_CL" ORDER BY rowid`
	res, err := s.DB().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	type got struct {
		B                    sql.NullBool
		I                    sql.NullInt32
		L                    sql.NullInt64
		R                    sql.NullFloat64
		D                    sql.NullString
		S                    string
		T                    sql.NullTime
		Span                 sql.NullInt64
		G, Dyn               sql.NullString
		Tenant, Type, ItemId string
		Billed               sql.NullFloat64
		Billable             sql.NullBool
		Received             sql.NullTime
	}
	var all []got
	for res.Next() {
		var g got
		if err := res.Scan(&g.B, &g.I, &g.L, &g.R, &g.D, &g.S, &g.T, &g.Span, &g.G, &g.Dyn,
			&g.Tenant, &g.Type, &g.Billed, &g.Billable, &g.ItemId, &g.Received); err != nil {
			t.Fatal(err)
		}
		all = append(all, g)
	}
	if len(all) != 3 {
		t.Fatalf("read %d rows, want 3", len(all))
	}
	r0, r1, r2 := all[0], all[1], all[2]
	checks := []struct {
		what      string
		got, want any
	}{
		{"B", r0.B.Bool, true},
		{"I", r0.I.Int32, int32(-42)},
		{"L", r0.L.Int64, int64(1) << 40},
		{"R", r0.R.Float64, 3.25},
		{"D", r0.D.String, "12.500000000000000000"},
		{"S", r0.S, "héllo \"world\""},
		{"T", r0.T.Time.UTC(), when},
		{"Span ticks", r0.Span.Int64, int64(90 * time.Second / 100)},
		{"G", r0.G.String, g.String()},
		{"Dyn", r0.Dyn.String, `{"a":1,"b":["x",true]}`},
		{"TenantId", r0.Tenant, "t1"},
		{"Type", r0.Type, "AllTypes_CL"},
		{"_BilledSize", r0.Billed.Float64, 123.0},
		{"_IsBillable", r0.Billable.Bool, true},
		{"_ItemId", r0.ItemId, "item-1"},
		{"_TimeReceived", r0.Received.Time.UTC(), when.Add(time.Second)},
		{"row 1 B", r1.B.Bool, false},
		{"row 1 I from int", r1.I.Int32, int32(7)},
		{"row 1 L from int32", r1.L.Int64, int64(5)},
		{"row 1 R from int64", r1.R.Float64, 2.0},
		{"row 1 D from float", r1.D.String, "1.500000000000000000"},
		{"row 1 nil string", r1.S, ""},
		{"row 1 zero time is null", r1.T.Valid, false},
		{"row 1 nil timespan is null", r1.Span.Valid, false},
		{"row 1 G from uuid.UUID", r1.G.String, g.String()},
		{"row 1 Dyn raw", r1.Dyn.String, `[1,2,3]`},
		{"row 1 unset strings", r1.Tenant + r1.ItemId, ""},
		{"row 1 unset bool is null", r1.B.Valid && r2.B.Valid, false},
		{"row 2 G from [16]byte", r2.G.String, g.String()},
		{"row 2 Dyn from string", r2.Dyn.String, `{"k":"v"}`},
		{"row 2 negative span", r2.Span.Int64, int64(-10000)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
}

func TestAppendRejectsBadRows(t *testing.T) {
	ctx := context.Background()
	cat, tbl := allTypesTable(t)
	s, err := Open(ctx, t.TempDir(), cat)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good := row(tbl, map[string]any{"S": "ok"})
	if err := s.Append(ctx, tbl.Name, [][]any{good}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		rows    [][]any
		errWant string
	}{
		{"short row", [][]any{good, good[:3]}, "row 1 has 3 values"},
		{"long row", [][]any{append(append([]any{}, good...), "x")}, "values, the table has"},
		{"string in int", [][]any{good, row(tbl, map[string]any{"I": "12"})}, "column I (int): cannot store a string"},
		{"int out of range", [][]any{row(tbl, map[string]any{"I": int64(1) << 40})}, "out of range"},
		{"int in string", [][]any{row(tbl, map[string]any{"S": 5})}, "column S (string): cannot store a int"},
		{"bad guid", [][]any{row(tbl, map[string]any{"G": "not-a-guid"})}, "is not a guid"},
		{"bad json", [][]any{good, good, row(tbl, map[string]any{"Dyn": "{not json"})}, "invalid JSON"},
		{"string in datetime", [][]any{row(tbl, map[string]any{"T": "2026-01-01"})}, "column T (datetime)"},
		{"int64 in timespan", [][]any{row(tbl, map[string]any{"Span": int64(5)})}, "column Span (timespan)"},
		{"float in bool", [][]any{row(tbl, map[string]any{"B": 1.0})}, "column B (bool)"},
		{"func in dynamic", [][]any{row(tbl, map[string]any{"Dyn": func() {}})}, "as JSON"},
	}
	for _, tt := range tests {
		err := s.Append(ctx, tbl.Name, tt.rows)
		if err == nil {
			t.Errorf("%s: Append succeeded, want an error", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.errWant) || !strings.Contains(err.Error(), tbl.Name) {
			t.Errorf("%s: error %q, want it to name the table and contain %q", tt.name, err, tt.errWant)
		}
		if n := count(t, s, tbl.Name); n != 1 {
			t.Errorf("%s: table has %d rows after a failed append, want 1", tt.name, n)
		}
	}
	if err := s.Append(ctx, "NoSuchTable", [][]any{{1}}); err == nil {
		t.Error("Append to a missing table succeeded")
	}
}

func TestWriterRollback(t *testing.T) {
	ctx := context.Background()
	cat, tbl := allTypesTable(t)
	s, err := OpenMemory(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.NewWriter(ctx, tbl.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5000; i++ {
		if err := w.Write(row(tbl, map[string]any{"L": i})); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(row(tbl, map[string]any{"L": "x"})); err == nil {
		t.Fatal("Write of a bad row succeeded")
	}
	if w.Rows() != 5000 {
		t.Errorf("Rows() = %d, want 5000", w.Rows())
	}
	if err := w.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, tbl.Name); n != 0 {
		t.Errorf("%d rows after rollback, want 0", n)
	}
	w, err = s.NewWriter(ctx, tbl.Name)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3000; i++ {
		if err := w.Write(row(tbl, map[string]any{"L": i})); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, tbl.Name); n != 3000 {
		t.Errorf("%d rows after commit, want 3000", n)
	}
	if err := w.Write(row(tbl, nil)); err == nil {
		t.Error("Write after Commit succeeded")
	}
}

func TestCaseCollidingColumns(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx, schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tbl, _ := s.Table("AzureDiagnostics")
	if err := s.Append(ctx, tbl.Name, [][]any{row(tbl, map[string]any{"clientIP_s": "10.0.0.1", "clientIp_s": "10.0.0.2"})}); err != nil {
		t.Fatal(err)
	}
	var a, b string
	if err := s.DB().QueryRow(`SELECT "clientIP_s", "clientIp_s#2" FROM "AzureDiagnostics"`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a != "10.0.0.1" || b != "10.0.0.2" {
		t.Errorf("clientIP_s, clientIp_s = %q, %q", a, b)
	}
}

func TestReopenAddsMissingColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat := schema.Default()
	small, err := cat.CustomTable("Evolving_CL", []schema.Column{{Name: "A", Type: types.String}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, cat.WithTable(small))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, small.Name, [][]any{row(small, map[string]any{"A": "first"})}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	big, err := cat.CustomTable("Evolving_CL", []schema.Column{{Name: "A", Type: types.String}, {Name: "N", Type: types.Long}})
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dir, cat.WithTable(big))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(ctx, big.Name, [][]any{row(big, map[string]any{"A": "second", "N": 2})}); err != nil {
		t.Fatal(err)
	}
	res, err := s.DB().Query(`SELECT A, N FROM "Evolving_CL" ORDER BY A`)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var got []string
	for res.Next() {
		var a string
		var n sql.NullInt64
		if err := res.Scan(&a, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, a+":"+map[bool]string{true: "set", false: "null"}[n.Valid])
	}
	if strings.Join(got, ",") != "first:null,second:set" {
		t.Errorf("rows = %v", got)
	}

	wrong, _ := cat.CustomTable("Evolving_CL", []schema.Column{{Name: "A", Type: types.Long}})
	if err := s.CreateTable(ctx, wrong); err == nil || !strings.Contains(err.Error(), "stored as VARCHAR") {
		t.Errorf("CreateTable with a changed type: err = %v", err)
	}
}

func TestCreateCustomTableAtRunTime(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx, schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tbl, err := schema.Default().CustomTable("Late_CL", []schema.Column{{Name: "Msg", Type: types.String}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, tbl.Name, [][]any{row(tbl, nil)}); err == nil {
		t.Error("append before CreateTable succeeded")
	}
	if err := s.CreateTable(ctx, tbl); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, tbl.Name, [][]any{row(tbl, map[string]any{"Msg": "hi"})}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, tbl.Name); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}

func TestStorageVersion(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var tags string
	if err := s.DB().QueryRow(`SELECT CAST(tags AS VARCHAR) FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&tags); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tags, "v1.5") {
		t.Errorf("workspace storage version tags = %s, want v1.5 or newer", tags)
	}
}
