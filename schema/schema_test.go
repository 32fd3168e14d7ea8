package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/kql/types"
)

func TestEmbeddedCopyMatchesShared(t *testing.T) {
	shared := filepath.Join(testenv.SharedDir(t), "schema", "tables.json")
	want, err := os.ReadFile(shared)
	if err != nil {
		t.Fatalf("read shared catalogue: %v", err)
	}
	if !bytes.Equal(tablesJSON, want) {
		t.Fatalf("schema/tables.json differs from %s: run `go generate ./schema/`", shared)
	}
}

func TestTableCount(t *testing.T) {
	if n := len(Default().Tables()); n != 78 {
		t.Errorf("catalogue has %d tables, want 78", n)
	}
}

func TestEveryTableHasStandardColumns(t *testing.T) {
	for _, tbl := range Default().Tables() {
		for _, want := range []Column{
			{Name: "TimeGenerated", Type: types.DateTime},
			{Name: "Type", Type: types.String},
		} {
			col, ok := tbl.Column(want.Name)
			if !ok {
				t.Errorf("%s: no %s column", tbl.Name, want.Name)
				continue
			}
			if col.Type != want.Type || col.Hidden {
				t.Errorf("%s.%s: type %v hidden %v, want visible %v", tbl.Name, want.Name, col.Type, col.Hidden, want.Type)
			}
		}
		for _, name := range []string{"_ItemId", "_TimeReceived", "_BilledSize", "_IsBillable"} {
			col, ok := tbl.Column(name)
			if !ok || !col.Hidden {
				t.Errorf("%s: %s missing or not hidden (found %v, %+v)", tbl.Name, name, ok, col)
			}
		}
		for _, name := range []string{"_ResourceId", "_SubscriptionId"} {
			if _, ok := tbl.Column(name); !ok {
				t.Errorf("%s: no %s column", tbl.Name, name)
			}
		}
	}
}

func TestColumnsWellFormed(t *testing.T) {
	known := map[types.Type]bool{
		types.Bool: true, types.Int: true, types.Long: true, types.Real: true, types.Decimal: true,
		types.String: true, types.DateTime: true, types.TimeSpan: true, types.GUID: true, types.Dynamic: true,
	}
	for _, tbl := range Default().Tables() {
		if tbl.Source != SourceDefender && tbl.Source != SourceSentinel {
			t.Errorf("%s: source %q", tbl.Name, tbl.Source)
		}
		names := map[string]bool{}
		storage := map[string]bool{}
		seenHidden := false
		for i, col := range tbl.Columns {
			if names[col.Name] {
				t.Errorf("%s: duplicate column %s", tbl.Name, col.Name)
			}
			names[col.Name] = true
			if s := strings.ToLower(col.Storage); storage[s] {
				t.Errorf("%s: storage name %s collides (case-insensitively)", tbl.Name, col.Storage)
			} else {
				storage[s] = true
			}
			if !known[col.Type] {
				t.Errorf("%s.%s: type %v is not a known KQL type", tbl.Name, col.Name, col.Type)
			}
			if col.Hidden {
				seenHidden = true
			} else if seenHidden {
				t.Errorf("%s.%s: visible column after a hidden one", tbl.Name, col.Name)
			}
			if got := tbl.ColumnIndex(col.Name); got != i {
				t.Errorf("%s: ColumnIndex(%s) = %d, want %d", tbl.Name, col.Name, got, i)
			}
		}
		if len(tbl.KQLColumns()) != len(tbl.Columns) {
			t.Errorf("%s: KQLColumns has %d columns, want %d", tbl.Name, len(tbl.KQLColumns()), len(tbl.Columns))
		}
		for _, c := range tbl.Visible() {
			if strings.HasPrefix(c.Name, "_") && slices.Contains([]string{"_BilledSize", "_IsBillable", "_ItemId", "_TimeReceived"}, c.Name) {
				t.Errorf("%s: hidden column %s is visible", tbl.Name, c.Name)
			}
		}
	}
}

func TestWorkspaceShape(t *testing.T) {
	cat := Default()
	tests := []struct {
		table, column string
		typ           types.Type
		hidden        bool
		storage       string
	}{
		// Defender tables take their Log Analytics shape.
		{"DeviceProcessEvents", "TenantId", types.String, false, "TenantId"},
		{"DeviceProcessEvents", "Timestamp", types.DateTime, false, "Timestamp"},
		{"DeviceProcessEvents", "AdditionalFields", types.Dynamic, false, "AdditionalFields"},
		{"DeviceProcessEvents", "MachineGroup", types.String, false, "MachineGroup"},
		{"DeviceInfo", "LoggedOnUsers", types.Dynamic, false, "LoggedOnUsers"},
		{"IdentityLogonEvents", "Port", types.String, false, "Port"},
		// Tables without a Log Analytics shape get the standard columns.
		{"DeviceAlertEvents", "TimeGenerated", types.DateTime, false, "TimeGenerated"},
		{"ExposureGraphEdges", "TenantId", types.String, false, "TenantId"},
		// Hidden columns.
		{"SecurityAlert", "_BilledSize", types.Real, true, "_BilledSize"},
		{"SecurityAlert", "_ResourceId", types.String, true, "_ResourceId"},
		{"Heartbeat", "_ResourceId", types.String, false, "_ResourceId"},
		{"Syslog", "_TimeReceived", types.DateTime, true, "_TimeReceived"},
		// Case-insensitive collisions.
		{"AzureDiagnostics", "clientIP_s", types.String, false, "clientIP_s"},
		{"AzureDiagnostics", "clientIp_s", types.String, false, "clientIp_s#2"},
		{"EntraUsers", "tenantId", types.String, false, "tenantId"},
	}
	for _, tt := range tests {
		tbl, ok := cat.Table(tt.table)
		if !ok {
			t.Errorf("no table %s", tt.table)
			continue
		}
		col, ok := tbl.Column(tt.column)
		if !ok {
			t.Errorf("%s: no column %s", tt.table, tt.column)
			continue
		}
		if col.Type != tt.typ || col.Hidden != tt.hidden || col.Storage != tt.storage {
			t.Errorf("%s.%s = %+v, want type %v hidden %v storage %q", tt.table, tt.column, col, tt.typ, tt.hidden, tt.storage)
		}
	}
	entra, _ := cat.Table("EntraUsers")
	if _, ok := entra.Column("TenantId"); ok {
		t.Errorf("EntraUsers: TenantId added beside tenantId")
	}
	dpe, _ := cat.Table("DeviceProcessEvents")
	if first := dpe.Columns[0].Name; first != "TenantId" {
		t.Errorf("DeviceProcessEvents: first column %s, want TenantId", first)
	}
	vis := dpe.Visible()
	if last := vis[len(vis)-1].Name; last != "Type" {
		t.Errorf("DeviceProcessEvents: last visible column %s, want Type", last)
	}
}

func TestTableLookupIsCaseSensitive(t *testing.T) {
	cat := Default()
	if _, ok := cat.Table("DeviceProcessEvents"); !ok {
		t.Fatal("DeviceProcessEvents not found")
	}
	for _, name := range []string{"deviceprocessevents", "DEVICEPROCESSEVENTS", "DeviceProcessEvent", ""} {
		if _, ok := cat.Table(name); ok {
			t.Errorf("Table(%q) found a table", name)
		}
	}
	tables := cat.Tables()
	if !slices.IsSortedFunc(tables, func(a, b *Table) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Tables() is not sorted by name")
	}
}

func TestValueSets(t *testing.T) {
	cat := Default()
	tests := []struct {
		table, column string
		contains      string
		want          int // expected length; 0 means nil
	}{
		{"DeviceInfo", "OnboardingStatus", "Onboarded", 4},
		{"DeviceProcessEvents", "ProcessTokenElevation", "TokenElevationTypeFull", 3},
		{"DeviceEvents", "ProcessTokenElevation", "TokenElevationTypeDefault", 3},
		{"DeviceNetworkEvents", "LocalIPType", "Private", 7},
		{"DeviceNetworkEvents", "RemoteIPType", "Public", 7},
		{"DeviceLogonEvents", "RemoteIPType", "Loopback", 7},
		{"AlertInfo", "Severity", "High", 4},
		{"AlertEvidence", "Severity", "Informational", 4},
		{"DeviceLogonEvents", "LogonType", "RemoteInteractive", 7},
		{"SecurityAlert", "ProductName", "Microsoft Defender Advanced Threat Protection", 7},
		{"SecurityIncident", "Labels[].labelType", "AutoAssigned", 3},
		{"DeviceInfo", "ProcessTokenElevation", "", 0}, // wildcard, but DeviceInfo has no such column
		{"DeviceInfo", "DeviceName", "", 0},
		{"NoSuchTable", "LocalIPType", "", 0},
	}
	for _, tt := range tests {
		got := cat.ValueSet(tt.table, tt.column)
		if len(got) != tt.want {
			t.Errorf("ValueSet(%s, %s) = %q, want %d values", tt.table, tt.column, got, tt.want)
			continue
		}
		if tt.want > 0 && !slices.Contains(got, tt.contains) {
			t.Errorf("ValueSet(%s, %s) = %q, want it to contain %q", tt.table, tt.column, got, tt.contains)
		}
	}
	// The result is a copy.
	vs := cat.ValueSet("DeviceInfo", "OnboardingStatus")
	vs[0] = "changed"
	if cat.ValueSet("DeviceInfo", "OnboardingStatus")[0] == "changed" {
		t.Error("ValueSet returned the catalogue's own slice")
	}
}

func TestActionTypes(t *testing.T) {
	cat := Default()
	tests := []struct {
		table    string
		contains []string
	}{
		{"DeviceProcessEvents", []string{"ProcessCreated", "OpenProcess"}},
		{"DeviceNetworkEvents", []string{"ConnectionSuccess", "ConnectionFailed", "InboundConnectionAccepted", "ConnectionAttempt"}},
		{"DeviceEvents", []string{"AntivirusDetection", "PowerShellCommand", "AmsiScriptDetection"}},
		{"DeviceLogonEvents", []string{"LogonSuccess", "LogonFailed"}},
	}
	for _, tt := range tests {
		got := cat.ActionTypes(tt.table)
		for _, want := range tt.contains {
			if !slices.Contains(got, want) {
				t.Errorf("ActionTypes(%s) lacks %q (has %d values)", tt.table, want, len(got))
			}
		}
	}
	if got := cat.ActionTypes("SecurityAlert"); got != nil {
		t.Errorf("ActionTypes(SecurityAlert) = %q, want nil", got)
	}
}

func TestCustomTable(t *testing.T) {
	cat := Default()
	tbl, err := cat.CustomTable("MyApp_CL", []Column{
		{Name: "Message", Type: types.String},
		{Name: "Count", Type: types.Long},
		{Name: "Raw", Type: types.Dynamic},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tbl.Visible() {
		names = append(names, c.Name)
	}
	if want := []string{"TenantId", "TimeGenerated", "Message", "Count", "Raw", "Type"}; !slices.Equal(names, want) {
		t.Errorf("custom table visible columns = %q, want %q", names, want)
	}
	if _, ok := tbl.Column("_BilledSize"); !ok {
		t.Error("custom table lacks _BilledSize")
	}
	with := cat.WithTable(tbl)
	if _, ok := with.Table("MyApp_CL"); !ok {
		t.Error("WithTable: table not added")
	}
	if _, ok := cat.Table("MyApp_CL"); ok {
		t.Error("WithTable modified the original catalogue")
	}
	if len(with.Tables()) != len(cat.Tables())+1 {
		t.Errorf("WithTable: %d tables, want %d", len(with.Tables()), len(cat.Tables())+1)
	}
	bad := []struct {
		name string
		cols []Column
	}{
		{"NoSuffix", []Column{{Name: "A", Type: types.String}}},
		{"Dup_CL", []Column{{Name: "A", Type: types.String}, {Name: "A", Type: types.Long}}},
		{"Untyped_CL", []Column{{Name: "A"}}},
		{"Clash_CL", []Column{{Name: "TimeGenerated", Type: types.String}, {Name: "TimeGenerated", Type: types.DateTime}}},
	}
	for _, b := range bad {
		if _, err := cat.CustomTable(b.name, b.cols); err == nil {
			t.Errorf("CustomTable(%s) succeeded, want an error", b.name)
		}
	}
}
