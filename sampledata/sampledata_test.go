package sampledata

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// generated is one small workspace shared by the tests.
var generated struct {
	once  sync.Once
	st    *store.Store
	stats Stats
	err   error
}

const testRows = 20000

func workspace(t *testing.T) (*store.Store, Stats) {
	t.Helper()
	generated.once.Do(func() {
		ctx := context.Background()
		st, err := store.OpenMemory(ctx, schema.Default())
		if err != nil {
			generated.err = err
			return
		}
		generated.st = st
		generated.stats, generated.err = Generate(ctx, st, Options{Rows: testRows, Seed: 42, Now: testNow})
	})
	if generated.err != nil {
		t.Fatalf("generate: %v", generated.err)
	}
	return generated.st, generated.stats
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestEveryTableHasRows(t *testing.T) {
	st, stats := workspace(t)
	for _, tbl := range schema.Default().Tables() {
		n := queryInt(t, st.DB(), `SELECT count(*) FROM `+quote(tbl.Name))
		if n == 0 {
			t.Errorf("%s: no rows", tbl.Name)
		}
		if n != stats.Tables[tbl.Name] {
			t.Errorf("%s: %d rows stored, Stats says %d", tbl.Name, n, stats.Tables[tbl.Name])
		}
	}
	if got := stats.Tables["DeviceProcessEvents"]; got != testRows {
		t.Errorf("DeviceProcessEvents has %d rows, want Options.Rows = %d", got, testRows)
	}
	for name, n := range stats.Tables {
		if n > stats.Tables["DeviceProcessEvents"] {
			t.Errorf("%s has %d rows, more than DeviceProcessEvents (%d)", name, n, stats.Tables["DeviceProcessEvents"])
		}
	}
}

func TestStandardColumns(t *testing.T) {
	st, _ := workspace(t)
	db := st.DB()
	lo, hi := testNow.Add(-15*24*time.Hour), testNow.Add(24*time.Hour)
	for _, tbl := range schema.Default().Tables() {
		q := quote(tbl.Name)
		if n := queryInt(t, db, `SELECT count(*) FROM `+q+` WHERE "Type" <> ?`, tbl.Name); n != 0 {
			t.Errorf("%s: %d rows with Type <> %q", tbl.Name, n, tbl.Name)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM `+q+` WHERE "TimeGenerated" IS NULL OR "TimeGenerated" < ? OR "TimeGenerated" > ?`, lo, hi); n != 0 {
			t.Errorf("%s: %d rows with TimeGenerated null or outside the window", tbl.Name, n)
		}
		if _, ok := tbl.Column("Timestamp"); ok {
			if n := queryInt(t, db, `SELECT count(*) FROM `+q+` WHERE "TimeGenerated" IS DISTINCT FROM "Timestamp"`); n != 0 {
				t.Errorf("%s: %d rows with TimeGenerated <> Timestamp", tbl.Name, n)
			}
		}
		if _, ok := tbl.Column("TenantId"); ok {
			if n := queryInt(t, db, `SELECT count(*) FROM `+q+` WHERE "TenantId" <> ?`, workspaceID); n != 0 {
				t.Errorf("%s: %d rows with another TenantId", tbl.Name, n)
			}
		}
	}
}

func TestNoNullStrings(t *testing.T) {
	st, _ := workspace(t)
	for _, tbl := range schema.Default().Tables() {
		var conds []string
		for _, c := range tbl.Columns {
			if c.Type == types.String {
				conds = append(conds, quote(c.Storage)+" IS NULL")
			}
		}
		if len(conds) == 0 {
			continue
		}
		if n := queryInt(t, st.DB(), `SELECT count(*) FROM `+quote(tbl.Name)+` WHERE `+strings.Join(conds, " OR ")); n != 0 {
			t.Errorf("%s: %d rows with a NULL string", tbl.Name, n)
		}
	}
}

func TestValueSetsAndActionTypes(t *testing.T) {
	st, _ := workspace(t)
	cat := schema.Default()
	checked := 0
	for _, tbl := range cat.Tables() {
		for _, c := range tbl.Columns {
			allowed := cat.ValueSet(tbl.Name, c.Name)
			what := "value set"
			if c.Name == "ActionType" && len(cat.ActionTypes(tbl.Name)) > 0 {
				allowed, what = cat.ActionTypes(tbl.Name), "action types"
			}
			if len(allowed) == 0 || c.Type != types.String {
				continue
			}
			checked++
			vals := queryStrings(t, st.DB(), `SELECT DISTINCT `+quote(c.Storage)+` FROM `+quote(tbl.Name))
			nonEmpty := 0
			for _, v := range vals {
				if v == "" {
					continue // not set (an open incident has no Classification)
				}
				nonEmpty++
				if !slices.Contains(allowed, v) {
					t.Errorf("%s.%s = %q, not in its %s %q", tbl.Name, c.Name, v, what, allowed)
				}
			}
			if nonEmpty == 0 {
				t.Errorf("%s.%s: never set", tbl.Name, c.Name)
			}
		}
	}
	if checked < 25 {
		t.Errorf("only %d value-set columns checked", checked)
	}
}

func TestJoinsHuntingQueriesRelyOn(t *testing.T) {
	st, _ := workspace(t)
	db := st.DB()
	tests := []struct {
		name    string
		q       string
		atLeast int64
		atMost  int64 // -1: no bound
	}{
		{"process to network on DeviceId + InitiatingProcessId", `SELECT count(*) FROM DeviceNetworkEvents n JOIN DeviceProcessEvents p
			ON n.DeviceId = p.DeviceId AND n.InitiatingProcessId = p.ProcessId AND n.InitiatingProcessCreationTime = p.ProcessCreationTime
			AND p.ActionType = 'ProcessCreated'`, testRows / 10, -1},
		{"process to file events", `SELECT count(*) FROM DeviceFileEvents f JOIN DeviceProcessEvents p
			ON f.DeviceId = p.DeviceId AND f.InitiatingProcessId = p.ProcessId AND f.InitiatingProcessSHA256 = p.SHA256`, testRows / 20, -1},
		{"process to parent process", `SELECT count(*) FROM DeviceProcessEvents c JOIN DeviceProcessEvents p
			ON c.DeviceId = p.DeviceId AND c.InitiatingProcessId = p.ProcessId AND c.InitiatingProcessCreationTime = p.ProcessCreationTime
			WHERE p.ActionType = 'ProcessCreated'`, testRows / 4, -1},
		{"parent file names agree along the tree", `SELECT count(*) FROM DeviceProcessEvents c JOIN DeviceProcessEvents p
			ON c.DeviceId = p.DeviceId AND c.InitiatingProcessId = p.ProcessId AND c.InitiatingProcessCreationTime = p.ProcessCreationTime
			WHERE p.ActionType = 'ProcessCreated' AND (c.InitiatingProcessParentFileName <> p.InitiatingProcessFileName
			OR c.InitiatingProcessFileName <> p.FileName OR c.InitiatingProcessCommandLine <> p.ProcessCommandLine)`, 0, 0},
		{"one SHA256 per binary", `SELECT count(*) FROM (SELECT FileName FROM DeviceProcessEvents
			GROUP BY FileName, FolderPath, ProcessVersionInfoProductVersion HAVING count(DISTINCT SHA256) > 1)`, 0, 0},
		{"AlertEvidence.AlertId in AlertInfo", `SELECT count(*) FROM AlertEvidence WHERE AlertId NOT IN (SELECT AlertId FROM AlertInfo)`, 0, 0},
		{"every alert has evidence", `SELECT count(*) FROM AlertInfo WHERE AlertId NOT IN (SELECT AlertId FROM AlertEvidence)`, 0, 0},
		{"SecurityAlert mirrors AlertInfo", `SELECT count(*) FROM SecurityAlert WHERE VendorOriginalId NOT IN (SELECT AlertId FROM AlertInfo)`, 0, 0},
		{"incident alerts are SecurityAlerts", `SELECT count(*) FROM (SELECT unnest(CAST(AlertIds AS VARCHAR[])) AS id FROM SecurityIncident)
			WHERE id NOT IN (SELECT SystemAlertId FROM SecurityAlert)`, 0, 0},
		{"endpoint alert devices exist", `SELECT count(*) FROM AlertEvidence WHERE EntityType = 'Machine'
			AND DeviceId NOT IN (SELECT DeviceId FROM DeviceInfo)`, 0, 0},
		{"devices of events are in DeviceInfo", `SELECT count(DISTINCT DeviceId) FROM DeviceProcessEvents
			WHERE DeviceId NOT IN (SELECT DeviceId FROM DeviceInfo)`, 0, 0},
		{"process accounts are in IdentityInfo", `SELECT count(*) FROM DeviceProcessEvents WHERE AccountUpn <> ''
			AND AccountUpn NOT IN (SELECT AccountUPN FROM IdentityInfo)`, 0, 0},
		{"sign-in users are in IdentityInfo", `SELECT count(*) FROM SigninLogs WHERE UserId NOT IN (SELECT AccountObjectId FROM IdentityInfo)`, 0, 0},
		{"logon sessions match process LogonId", `SELECT count(*) FROM DeviceProcessEvents p JOIN DeviceLogonEvents l
			ON p.DeviceId = l.DeviceId AND p.LogonId = l.LogonId AND l.ActionType = 'LogonSuccess'`, 1, -1},
		{"email attachments belong to emails", `SELECT count(*) FROM EmailAttachmentInfo WHERE NetworkMessageId NOT IN (SELECT NetworkMessageId FROM EmailEvents)`, 0, 0},
		{"suspicious command lines", `SELECT count(*) FROM DeviceProcessEvents WHERE ProcessCommandLine ILIKE '%-enc%'
			OR ProcessCommandLine ILIKE '%urlcache%' OR ProcessCommandLine ILIKE '%delete shadows%' OR ProcessCommandLine ILIKE '%wevtutil% cl %'
			OR ProcessCommandLine ILIKE '%/add%' OR ProcessCommandLine ILIKE '%sekurlsa%' OR ProcessCommandLine ILIKE '%DownloadString%'`, 5, -1},
		{"SecurityEvent 4688 matches a created process", `SELECT count(*) FROM SecurityEvent s JOIN DeviceProcessEvents p
			ON s.Computer = p.DeviceName AND s.CommandLine = p.ProcessCommandLine AND s.TimeGenerated = p.Timestamp WHERE s.EventID = 4688`, 1, -1},
	}
	for _, tt := range tests {
		n := queryInt(t, db, tt.q)
		if n < int64(tt.atLeast) || tt.atMost >= 0 && n > tt.atMost {
			t.Errorf("%s: %d rows, want between %d and %d", tt.name, n, tt.atLeast, tt.atMost)
		}
	}
}

func TestCommandLinesLookReal(t *testing.T) {
	st, _ := workspace(t)
	var avg float64
	if err := st.DB().QueryRow(`SELECT avg(length(ProcessCommandLine)) FROM DeviceProcessEvents`).Scan(&avg); err != nil {
		t.Fatal(err)
	}
	if avg < 60 || avg > 400 {
		t.Errorf("average ProcessCommandLine length %.0f, want 60-400", avg)
	}
	for _, want := range []string{"powershell.exe", "cmd.exe", "chrome.exe", "bash", "rundll32.exe", "svchost.exe"} {
		if n := queryInt(t, st.DB(), `SELECT count(*) FROM DeviceProcessEvents WHERE FileName = ?`, want); n == 0 {
			t.Errorf("no %s process", want)
		}
	}
	if n := queryInt(t, st.DB(), `SELECT count(*) FROM DeviceProcessEvents WHERE ProcessCommandLine LIKE '%{%}%' AND ProcessCommandLine SIMILAR TO '.*\{(user|guid|n4|murl|b64)\}.*'`); n != 0 {
		t.Errorf("%d command lines with an unexpanded placeholder", n)
	}
}

func TestDeterministic(t *testing.T) {
	ctx := context.Background()
	sum := func() []string {
		st, err := store.OpenMemory(ctx, schema.Default())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := Generate(ctx, st, Options{Rows: 1500, Seed: 9, Now: testNow}); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, q := range []string{
			`SELECT sum(hash(ProcessCommandLine, ProcessId, Timestamp, DeviceName, _ItemId)) FROM DeviceProcessEvents`,
			`SELECT sum(hash(RemoteIP, RemotePort, InitiatingProcessId, Timestamp)) FROM DeviceNetworkEvents`,
			`SELECT sum(hash(UserPrincipalName, IPAddress, ResultType, TimeGenerated)) FROM SigninLogs`,
			`SELECT sum(hash(SystemAlertId, AlertName, TimeGenerated)) FROM SecurityAlert`,
		} {
			var s string
			if err := st.DB().QueryRow(`SELECT CAST((` + q + `) AS VARCHAR)`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	a, b := sum(), sum()
	if !slices.Equal(a, b) {
		t.Errorf("two generations with the same seed differ: %v vs %v", a, b)
	}
}

func TestCustomTablesAreFilled(t *testing.T) {
	ctx := context.Background()
	cat := schema.Default()
	custom, err := cat.CustomTable("AppLogs_CL", []schema.Column{
		{Name: "Message", Type: types.String}, {Name: "Level", Type: types.Int},
		{Name: "ClientIP", Type: types.String}, {Name: "Props", Type: types.Dynamic},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenMemory(ctx, cat.WithTable(custom))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, err := Generate(ctx, st, Options{Rows: 500, Seed: 1, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Tables["AppLogs_CL"] == 0 {
		t.Errorf("custom table not filled: %v", stats.Tables["AppLogs_CL"])
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := store.OpenMemory(context.Background(), schema.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Generate(ctx, st, Options{Rows: 1000, Now: testNow}); err == nil {
		t.Error("Generate with a cancelled context succeeded")
	}
}

// BenchmarkGenerate generates 50,000 DeviceProcessEvents rows (about
// 135,000 rows in all) into a workspace file, with the GC setting of the
// sample-data command, and reports rows per second.
func BenchmarkGenerate(b *testing.B) {
	ctx := context.Background()
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	const rows = 50000
	var total int64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), strconv.Itoa(i)), schema.Default())
		if err != nil {
			b.Fatal(err)
		}
		stats, err := Generate(ctx, st, Options{Rows: rows, Seed: int64(i), Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		total += stats.Rows
		elapsed += stats.Elapsed
		st.Close()
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "DeviceProcessEvents-rows/s")
}
