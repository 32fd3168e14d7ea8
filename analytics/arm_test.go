package analytics

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readARM(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/arm/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestParseARMTemplate reads a deployment template as the Sentinel portal
// exports rules: a scheduled rule using every property and an NRT rule.
func TestParseARMTemplate(t *testing.T) {
	defs, err := ParseARM(readARM(t, "scheduled-template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 2 {
		t.Fatalf("%d definitions, want 2", len(defs))
	}
	want := Definition{
		ID:               "3b1c2a94-5f1e-4c1d-9b0a-2f4e6d8c0a11",
		Kind:             Scheduled,
		Name:             "Encoded PowerShell command line",
		Description:      "PowerShell started with an encoded command.",
		Severity:         Medium,
		Enabled:          true,
		Query:            "DeviceProcessEvents\n| where FileName =~ \"powershell.exe\" and ProcessCommandLine has \"-enc\"\n| extend HostName = tostring(split(DeviceName, \".\")[0]), Link = \"https://example.com\"",
		QueryFrequency:   time.Hour,
		QueryPeriod:      24 * time.Hour,
		TriggerOperator:  GreaterThan,
		TriggerThreshold: 0,
		Tactics:          []string{"Execution"},
		Techniques:       []string{"T1059", "T1059.001"},
		EntityMappings: []EntityMapping{
			{EntityType: Host, FieldMappings: []FieldMapping{{"FullName", "DeviceName"}, {"HostName", "HostName"}}},
			{EntityType: Account, FieldMappings: []FieldMapping{{"Name", "AccountName"}}},
		},
		CustomDetails: []CustomDetail{{Key: "Parent", Column: "InitiatingProcessFileName"}},
		AlertDetailsOverride: &AlertDetailsOverride{
			DisplayNameFormat: "Encoded PowerShell on {{DeviceName}}",
			DescriptionFormat: "{{ProcessCommandLine}}",
			DynamicProperties: []AlertDynamicProperty{{Property: "AlertLink", Column: "Link"}},
		},
		EventGrouping:       &EventGrouping{AggregationKind: AlertPerResult},
		SuppressionDuration: 5 * time.Hour,
		Incident: &IncidentConfiguration{CreateIncident: true, Grouping: &GroupingConfiguration{
			Enabled: true, LookbackDuration: 5 * time.Hour, MatchingMethod: Selected,
			GroupByEntities: []EntityType{Host}, GroupByCustomDetails: []string{"Parent"},
		}},
	}
	if !reflect.DeepEqual(defs[0], want) {
		t.Errorf("scheduled rule =\n%+v\nwant\n%+v", defs[0], want)
	}
	nrt := defs[1]
	if nrt.Kind != NRT || nrt.Enabled || nrt.TemplateName != "a1b2c3d4-0000-4000-8000-000000000001" || nrt.TemplateVersion != "1.0.2" ||
		nrt.Incident.CreateIncident || nrt.EntityMappings[0].EntityType != File || nrt.Tactics != nil {
		t.Errorf("NRT rule = %+v", nrt)
	}
	for _, d := range defs {
		roundTrip(t, d.Name, d)
	}
}

func TestParseARMRest(t *testing.T) {
	defs, err := ParseARM(readARM(t, "msic-rest.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := Definition{
		ID:          "7a6b4d2e-1c3f-4e5a-8b9c-0d1e2f3a4b5c",
		Kind:        MicrosoftSecurityIncidentCreation,
		Name:        "Create incidents based on Microsoft Cloud App Security alerts",
		Description: "Create incidents from Defender for Cloud Apps alerts.",
		Enabled:     true,
		MicrosoftSecurity: &MicrosoftSecurityFilter{
			Product:             "Microsoft Cloud App Security",
			Severities:          []Severity{High, Medium},
			DisplayNamesExclude: []string{"test"},
		},
	}
	if len(defs) != 1 || !reflect.DeepEqual(defs[0], want) {
		t.Errorf("ParseARM(msic-rest.json) =\n%+v\nwant\n%+v", defs, want)
	}
	roundTrip(t, "msic", defs[0])

	defs, err = ParseARM(readARM(t, "rest-list.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 1 || defs[0].ID != "5e2f8c1d-3b4a-4c5d-9e6f-7a8b9c0d1e2f" || defs[0].QueryFrequency != 30*time.Minute ||
		defs[0].TriggerThreshold != 10 || !defs[0].SuppressionEnabled || defs[0].SuppressionDuration != time.Hour {
		t.Errorf("ParseARM(rest-list.json) = %+v", defs)
	}
}

// TestParseARMRefused checks that each faulty resource is refused with the
// path of the field at fault, and that the good one still imports.
func TestParseARMRefused(t *testing.T) {
	defs, err := ParseARM(readARM(t, "refused.json"))
	if len(defs) != 1 || defs[0].ID != "44444444-4444-4444-8444-444444444444" {
		t.Errorf("imported %+v, want only the good rule", defs)
	}
	var ie *Error
	if !errors.As(err, &ie) {
		t.Fatalf("ParseARM = %v, want an *Error", err)
	}
	want := []struct{ path, text string }{
		{"resources[0].properties.query", "ARM template expressions"},
		{"resources[1].kind", `"Fusion" is not a supported alert rule kind`},
		{"resources[2].properties.severity", `"Severe" is not a severity`},
		{"resources[2].properties.queryFrequency", `"1 hour"`},
		{"resources[2].properties.queryPeriod", "20d is longer than 14 days"},
		{"resources[2].properties.owner", "unknown field"},
		{"resources[3].type", `"Microsoft.Logic/workflows" is not a Sentinel analytics rule`},
	}
	var got []string
	for _, e := range ie.Fields {
		got = append(got, e.Path)
	}
	var wantPaths []string
	for _, w := range want {
		wantPaths = append(wantPaths, w.path)
	}
	if !reflect.DeepEqual(got, wantPaths) {
		t.Fatalf("fields %q\nwant   %q\nerror: %v", got, wantPaths, err)
	}
	for i, w := range want {
		if e := ie.Fields[i]; !strings.Contains(e.Message, w.text) || e.Line == 0 {
			t.Errorf("%s: %q (line %d), want a message containing %q and a line", e.Path, e.Message, e.Line, w.text)
		}
	}
}

func TestParseARMErrors(t *testing.T) {
	tests := []struct {
		name, json, path, text string
	}{
		{"not JSON", `{"resources": [`, "", "not valid JSON"},
		{"two values", `{} {}`, "", "more than one JSON value"},
		{"scalar", `"rule"`, "", "expected an ARM template"},
		{"no resources", `{"$schema": "x", "resources": []}`, "", "no alert rule resources"},
		{"unknown template field", `{"$schema": "x", "resourcez": []}`, "resourcez", `did you mean "resources"?`},
		{"no kind", `{"name": "11111111-1111-4111-8111-111111111111", "properties": {"displayName": "x"}}`, "kind", "missing"},
		{"no GUID", `{"name": "rule1", "kind": "NRT", "properties": {"displayName": "x", "severity": "Low", "query": "SecurityEvent"}}`, "name", "no rule GUID"},
		{"no properties", `{"name": "11111111-1111-4111-8111-111111111111", "kind": "NRT"}`, "properties", "missing"},
		{"hunting is not an alert rule", `{"name": "11111111-1111-4111-8111-111111111111", "kind": "Hunting", "properties": {}}`, "kind", "not a supported alert rule kind"},
		{"start time", `{"name": "11111111-1111-4111-8111-111111111111", "kind": "NRT", "properties": {"displayName": "x", "severity": "Low", "query": "SecurityEvent", "startTimeUtc": "2024-01-01T00:00:00Z"}}`, "properties.startTimeUtc", "not supported"},
		{"sentinel entities", `{"name": "11111111-1111-4111-8111-111111111111", "kind": "NRT", "properties": {"displayName": "x", "severity": "Low", "query": "SecurityEvent", "sentinelEntitiesMappings": [{"columnName": "Entities"}]}}`, "properties.sentinelEntitiesMappings", "not supported"},
		{"list", `[{"name": "11111111-1111-4111-8111-111111111111", "kind": "NRT", "properties": {"displayName": "x", "severity": "Low", "query": "NoTable"}}]`, "[0].properties.query", "KQL2002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseARM([]byte(tt.json))
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("ParseARM = %v, want an *Error", err)
			}
			if e := ie.Fields[0]; e.Path != tt.path || !strings.Contains(e.Message, tt.text) {
				t.Errorf("first error %q, want field %q with %q (all: %v)", e, tt.path, tt.text, err)
			}
		})
	}
}
