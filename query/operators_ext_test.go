package query_test

import (
	"context"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/sampledata"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// TestSearchFindOperators runs search, find and the other operators the
// conformance cases do not cover on a small sample workspace.
func TestSearchFindOperators(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a sample-data workspace")
	}
	ctx := context.Background()
	cat := schema.Default()
	st, err := store.OpenMemory(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	if _, err := sampledata.Generate(ctx, st, sampledata.Options{Rows: 200, Now: now, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	eng, err := query.New(ctx, st.DB(), cat, query.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, q  string
		firstCol string // "" to skip the check
	}{
		{"search source", `search in (Device*) "cmd" | take 5`, "$table"},
		{"search in", `search in (DeviceProcessEvents, DeviceNetworkEvents) Timestamp > ago(19d) and ("svchost" or "*.exe")`, "$table"},
		{"search pipe", `DeviceProcessEvents | search "administrator" and "cmd" | take 3`, ""},
		{"search wildcard tables", `search in (Device*) "powershell" | summarize count() by $table`, "$table"},
		{"find project", `find in (DeviceProcessEvents, DeviceNetworkEvents) where isnotempty(DeviceName) project DeviceName, ActionType, Timestamp | take 5`, "source_"},
		{"find pack", `find withsource=T in (DeviceProcessEvents, DeviceFileEvents) where SHA1 == "x" or InitiatingProcessSHA1 == "x"`, "T"},
		{"find skips tables", `find in (DeviceEvents, DeviceNetworkEvents) where RemoteIP == "1.2.3.4" project DeviceName`, "source_"},
		{"partition top", `DeviceProcessEvents | partition by DeviceName ( top 1 by Timestamp ) | order by DeviceName asc`, ""},
		{"partition summarize", `DeviceProcessEvents | partition hint.strategy=native by DeviceName ( summarize c=count() by FileName | top 2 by c )`, ""},
		{"top-hitters", `DeviceProcessEvents | top-hitters 3 of FileName`, "FileName"},
		{"top-hitters by", `DeviceProcessEvents | top-hitters 3 of FileName by ProcessId`, "FileName"},
		{"sample-distinct", `DeviceProcessEvents | sample-distinct 3 of DeviceName`, "DeviceName"},
		{"top-nested", `DeviceProcessEvents | top-nested 3 of DeviceName by c=count(), top-nested 2 of FileName by count()`, "DeviceName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Now()
			c, err := eng.Compile(ctx, tc.q, query.Options{Now: now})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			t1 := time.Now()
			res, err := eng.Exec(ctx, c)
			t.Logf("compile %v, exec %v", t1.Sub(t0), time.Since(t1))
			if err != nil {
				t.Fatalf("exec: %v", err)
			}
			tab := res.Primary()
			if tab == nil {
				t.Fatal("no result table")
			}
			if tc.firstCol != "" && (len(tab.Columns) == 0 || tab.Columns[0].Name != tc.firstCol) {
				t.Fatalf("first column: got %+v, want %s", tab.Columns, tc.firstCol)
			}
		})
	}
}
