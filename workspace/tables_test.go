package workspace

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// columnsOf returns a table's visible columns as name:type strings.
func columnsOf(t *testing.T, ws *Workspace, table string) []string {
	t.Helper()
	info, err := ws.TableInfo(context.Background(), table)
	if err != nil {
		t.Fatalf("TableInfo(%s): %v", table, err)
	}
	var out []string
	for _, c := range info.Columns {
		out = append(out, c.Name+":"+c.Type)
	}
	return out
}

func TestCreateTable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)

	info, err := ws.CreateTable(ctx, TableDef{Name: "App_CL", Columns: []ColumnDef{
		{Name: "Msg", Type: "string"}, {Name: "Level", Type: "Long"}, {Name: "Ratio", Type: "double"}, {Name: "Props", Type: "dynamic"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"TenantId:string", "TimeGenerated:datetime", "Msg:string", "Level:long", "Ratio:real", "Props:dynamic", "Type:string"}
	if !info.Custom || info.Name != "App_CL" || info.RetentionInDays != 90 {
		t.Errorf("CreateTable = %+v", info)
	}
	if got := columnsOf(t, ws, "App_CL"); !reflect.DeepEqual(got, want) {
		t.Errorf("App_CL columns = %v, want %v", got, want)
	}
	now := time.Now().UTC()
	ingestRecords(t, ws, "App_CL", now,
		map[string]any{"Msg": "hello", "Level": 3, "Ratio": 0.5, "Props": map[string]any{"k": "v"}},
		map[string]any{"Msg": "bye", "Level": 1})
	closeWS()

	ws2, closeWS2 := openWorkspace(t, dir)
	if got := columnsOf(t, ws2, "App_CL"); !reflect.DeepEqual(got, want) {
		t.Errorf("App_CL columns after reopen = %v, want %v", got, want)
	}
	rows := runKQL(t, ws2, `App_CL | where Level > 2 | project Msg, Level, k = tostring(Props.k)`)
	if len(rows) != 1 || rows[0][0] != "hello" || rows[0][2] != "v" {
		t.Errorf("KQL over App_CL after reopen = %v, want [[hello 3 v]]", rows)
	}
	wsInfo, err := ws2.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wsInfo.CustomTables != 1 {
		t.Errorf("Info().CustomTables = %d, want 1", wsInfo.CustomTables)
	}

	// Adding a column keeps the old ones; repeating an old column with the
	// same type (another spelling of it included) is not a change.
	if _, err := ws2.CreateTable(ctx, TableDef{Name: "App_CL", Columns: []ColumnDef{{Name: "Level", Type: "int64"}, {Name: "Host", Type: "string"}}}); err != nil {
		t.Fatal(err)
	}
	want2 := []string{"TenantId:string", "TimeGenerated:datetime", "Msg:string", "Level:long", "Ratio:real", "Props:dynamic", "Host:string", "Type:string"}
	if got := columnsOf(t, ws2, "App_CL"); !reflect.DeepEqual(got, want2) {
		t.Errorf("App_CL columns after adding Host = %v, want %v", got, want2)
	}
	ingestRecords(t, ws2, "App_CL", now, map[string]any{"Msg": "new", "Level": 5, "Host": "h1"})
	if rows := runKQL(t, ws2, `App_CL | where Host == "h1" | project Msg`); len(rows) != 1 || rows[0][0] != "new" {
		t.Errorf("row with the new column = %v", rows)
	}

	// Retyping is refused and changes nothing.
	_, err = ws2.CreateTable(ctx, TableDef{Name: "App_CL", Columns: []ColumnDef{{Name: "Level", Type: "string"}, {Name: "Other", Type: "string"}}})
	if err == nil || !strings.Contains(err.Error(), "Level") {
		t.Errorf("retyping Level: err = %v, want an error naming Level", err)
	}
	if got := columnsOf(t, ws2, "App_CL"); !reflect.DeepEqual(got, want2) {
		t.Errorf("App_CL columns after a refused retype = %v, want %v", got, want2)
	}
	closeWS2()

	ws3, _ := openWorkspace(t, dir)
	if got := columnsOf(t, ws3, "App_CL"); !reflect.DeepEqual(got, want2) {
		t.Errorf("App_CL columns after the second reopen = %v, want %v", got, want2)
	}
	if rows := runKQL(t, ws3, `App_CL | summarize n = count()`); len(rows) != 1 || rows[0][0] != int64(3) {
		t.Errorf("App_CL | count = %v, want 3", rows)
	}
	if rows := runKQL(t, ws3, `App_CL | where Msg == "hello" | project Host`); len(rows) != 1 || rows[0][0] != "" {
		t.Errorf("old row's new column = %v, want an empty string", rows)
	}
}

func TestCreateTableRefused(t *testing.T) {
	ctx := context.Background()
	ws, _ := openWorkspace(t, t.TempDir())
	before := len(ws.Store().Tables())
	for _, tc := range []struct {
		def  TableDef
		want string
	}{
		{TableDef{Name: "Syslog_CL", Columns: []ColumnDef{{Name: "A", Type: "str"}}}, `unknown type "str"`},
		{TableDef{Name: "Syslog_CL", Columns: []ColumnDef{{Name: "A", Type: ""}}}, "unknown type"},
		{TableDef{Name: "Syslog_CL", Columns: []ColumnDef{{Name: "A", Type: "null"}}}, "unknown type"},
		{TableDef{Name: "Syslog", Columns: []ColumnDef{{Name: "A", Type: "string"}}}, "_CL"},
		{TableDef{Name: "MyTable", Columns: []ColumnDef{{Name: "A", Type: "string"}}}, "_CL"},
		{TableDef{Name: "MyTable_cl", Columns: []ColumnDef{{Name: "A", Type: "string"}}}, "_CL"},
		{TableDef{Name: "_CL", Columns: []ColumnDef{{Name: "A", Type: "string"}}}, "_CL"},
		{TableDef{Name: "A_CL", Columns: []ColumnDef{{Name: "", Type: "string"}}}, "name"},
		{TableDef{Name: "A_CL", Columns: []ColumnDef{{Name: "X", Type: "string"}, {Name: "X", Type: "long"}}}, "X"},
	} {
		if _, err := ws.CreateTable(ctx, tc.def); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CreateTable(%+v) = %v, want an error containing %q", tc.def, err, tc.want)
		}
	}
	if after := len(ws.Store().Tables()); after != before {
		t.Errorf("refused definitions created %d tables", after-before)
	}
	if _, err := ws.TableInfo(ctx, "NoSuch_CL"); !errors.Is(err, ErrNotFound) {
		t.Errorf("TableInfo(unknown) = %v, want ErrNotFound", err)
	}
}

func TestCreateTableRetention(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)
	info, err := ws.CreateTable(ctx, TableDef{Name: "Short_CL", Columns: []ColumnDef{{Name: "A", Type: "string"}}, RetentionInDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	if info.RetentionInDays != 7 {
		t.Errorf("RetentionInDays = %d, want 7", info.RetentionInDays)
	}
	// Redefining without a retention keeps it.
	if info, err = ws.CreateTable(ctx, TableDef{Name: "Short_CL", Columns: []ColumnDef{{Name: "B", Type: "long"}}}); err != nil || info.RetentionInDays != 7 {
		t.Errorf("CreateTable without retention = %+v, %v; want retention 7 kept", info, err)
	}
	if _, err := ws.CreateTable(ctx, TableDef{Name: "Long_CL", Columns: []ColumnDef{{Name: "A", Type: "string"}}, RetentionInDays: MaxRetentionDays + 1}); err == nil {
		t.Error("CreateTable with too long a retention succeeded")
	}
	if _, err := ws.TableInfo(ctx, "Long_CL"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused CreateTable created the table: TableInfo = %v", err)
	}
	closeWS()
	ws2, _ := openWorkspace(t, dir)
	if info, err := ws2.TableInfo(ctx, "Short_CL"); err != nil || info.RetentionInDays != 7 {
		t.Errorf("TableInfo after reopen = %+v, %v; want retention 7", info, err)
	}
}

// TestCreateTableConcurrent: columns added by concurrent calls are all
// kept, in the store and in the recorded definition (once, two calls at a
// time conflicted in DuckDB and the record lost columns the table had).
func TestCreateTableConcurrent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)
	if _, err := ws.CreateTable(ctx, TableDef{Name: "C_CL", Columns: []ColumnDef{{Name: "A", Type: "string"}}}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := ws.CreateTable(ctx, TableDef{Name: "C_CL", Columns: []ColumnDef{{Name: fmt.Sprint("X", i), Type: "long"}}}); err != nil {
				t.Errorf("CreateTable adding X%d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	before := columnsOf(t, ws, "C_CL")
	closeWS()
	ws2, _ := openWorkspace(t, dir)
	after := columnsOf(t, ws2, "C_CL")
	if !reflect.DeepEqual(before, after) {
		t.Errorf("C_CL columns before reopen %v, after %v", before, after)
	}
	has := map[string]bool{}
	for _, c := range after {
		has[c] = true
	}
	for i := 0; i < n; i++ {
		if c := fmt.Sprint("X", i, ":long"); !has[c] {
			t.Errorf("C_CL lacks %s after reopen: %v", c, after)
		}
	}
}
