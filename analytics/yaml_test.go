package analytics

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql"
)

// A minimal scheduled rule, to which cases append or replace lines.
const baseYAML = `id: 5bdc1504-880c-4b30-a39c-7c746535928d
name: Stop services
description: Attempts to stop security services.
severity: High
requiredDataConnectors:
  - connectorId: MicrosoftThreatProtection
    dataTypes:
      - DeviceProcessEvents
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics:
  - DefenseEvasion
relevantTechniques:
  - T1562
query: |
  DeviceProcessEvents
  | where FileName =~ "sc.exe" and ProcessCommandLine has "stop"
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: FullName
        columnName: DeviceName
version: 1.0.0
kind: Scheduled
`

// withLine replaces the line starting with prefix (or, with prefix "+",
// appends line).
func withLine(prefix, line string) string {
	if prefix == "+" {
		return baseYAML + line + "\n"
	}
	lines := strings.Split(baseYAML, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			lines[i] = line
			return strings.Join(lines, "\n")
		}
	}
	panic("no line " + prefix)
}

func TestParseYAMLBase(t *testing.T) {
	d, err := ParseYAML("base.yaml", []byte(baseYAML))
	if err != nil {
		t.Fatal(err)
	}
	want := Definition{
		ID: "5bdc1504-880c-4b30-a39c-7c746535928d", Kind: Scheduled, Name: "Stop services",
		Description: "Attempts to stop security services.", Severity: High, Enabled: true,
		Query:          "DeviceProcessEvents\n| where FileName =~ \"sc.exe\" and ProcessCommandLine has \"stop\"\n",
		QueryFrequency: time.Hour, QueryPeriod: time.Hour, TriggerOperator: GreaterThan,
		Tactics: []string{"DefenseEvasion"}, Techniques: []string{"T1562"},
		RequiredDataConnectors: []DataConnector{{ConnectorID: "MicrosoftThreatProtection", DataTypes: []string{"DeviceProcessEvents"}}},
		EntityMappings:         []EntityMapping{{EntityType: Host, FieldMappings: []FieldMapping{{Identifier: "FullName", ColumnName: "DeviceName"}}}},
		Version:                "1.0.0",
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("ParseYAML(base) =\n%+v\nwant\n%+v", d, want)
	}
}

// TestParseYAMLErrors has one case per way a file is refused, with the
// paths and lines reported.
func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		paths []string
		line  int    // of the first error
		text  string // part of the message
	}{
		{"unknown field", withLine("+", "owner: me"), []string{"owner"}, 27, "unknown field"},
		{"unknown field suggestion", withLine("+", "tag: [x]"), []string{"tag"}, 27, `did you mean "tags"?`},
		{"nested unknown field", withLine("      - identifier: FullName", "      - identifies: FullName"),
			[]string{"entityMappings[0].fieldMappings[0].identifies"}, 23, `unknown field (did you mean "identifier"?)`},
		{"field twice", withLine("+", "Name: again"), []string{"Name"}, 27, `defined twice (first as "name")`},
		{"list expected", withLine("  - DefenseEvasion", "  DefenseEvasion"), []string{"tactics"}, 14, `expected a list, found "DefenseEvasion"`},
		{"text expected", withLine("name:", "name: [a, b]"), []string{"name"}, 2, "expected text, found a list"},
		{"mapping expected", baseYAML[:strings.Index(baseYAML, "entityMappings:")] + "entityMappings:\n  - Host\n",
			[]string{"entityMappings[0]"}, 21, "expected a mapping, found \"Host\""},
		{"bad duration", withLine("queryPeriod:", "queryPeriod: 1 hour"), []string{"queryPeriod"}, 10, `"1 hour"`},
		{"months", withLine("queryPeriod:", "queryPeriod: P1M"), []string{"queryPeriod"}, 10, "no fixed length"},
		{"bad threshold", withLine("triggerThreshold:", "triggerThreshold: many"), []string{"triggerThreshold"}, 12, "whole number"},
		{"bad boolean", withLine("+", "enabled: sometimes"), []string{"enabled"}, 27, "true or false"},
		{"validation error has its line", withLine("queryPeriod:", "queryPeriod: 30d"), []string{"queryPeriod"}, 10, "30d is longer than 14 days (Sentinel's maximum)"},
		{"bad identifier", withLine("      - identifier: FullName", "      - identifier: Foo"),
			[]string{"entityMappings[0].fieldMappings[0].identifier"}, 23, `"Foo" is not an identifier of Host (FullName, HostName, DnsDomain,`},
		{"unknown kind", withLine("kind:", "kind: Fusion"), []string{"kind"}, 26, `"Fusion" is not a supported kind`},
		{"NRT with a schedule", withLine("kind:", "kind: NRT"), []string{"queryFrequency", "queryPeriod", "triggerOperator"}, 9, "NRT rules have no queryFrequency"},
		{"query does not bind", withLine("  DeviceProcessEvents", "  DeviceProcessEvent"), []string{"query"}, 17,
			"query: 1:1: KQL2002: Failed to resolve table or column expression named 'DeviceProcessEvent'"},
		{"column not in results", withLine("        columnName: DeviceName", "        columnName: Computer"),
			[]string{"entityMappings[0].fieldMappings[0].columnName"}, 24, `column "Computer" is not in the query's results`},
		{"hunting query with incident settings", strings.Replace(strings.Replace(strings.Replace(strings.Replace(strings.Replace(baseYAML,
			"queryFrequency: 1h\n", "", 1), "queryPeriod: 1h\n", "", 1), "triggerOperator: gt\n", "", 1), "triggerThreshold: 0\n", "", 1), "kind: Scheduled\n", "incidentConfiguration:\n  createIncident: true\n", 1),
			[]string{"incidentConfiguration"}, 22, "a definition without queryFrequency or triggerOperator is a hunting query"},
		{"every error reported", withLine("+", "owner: me\nseverity2: x"), []string{"owner", "severity2"}, 27, "unknown field"},
		{"alias", withLine("+", "tags: &t [a]\nmetadata: *t"), []string{""}, 28, "aliases"},
		{"two documents", baseYAML + "---\nid: x\n", []string{""}, 27, "more than one YAML document"},
		{"not YAML", "id: [", []string{""}, 0, "not valid YAML"},
		{"empty", "", []string{""}, 0, "empty file"},
		{"not a mapping", "- a\n- b\n", []string{""}, 1, "expected a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML("", []byte(tt.yaml))
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("ParseYAML = %v, want an *Error", err)
			}
			var paths []string
			for _, e := range ie.Fields {
				paths = append(paths, e.Path)
			}
			if !reflect.DeepEqual(paths, tt.paths) {
				t.Errorf("fields %q, want %q\nerror: %v", paths, tt.paths, err)
			}
			if got := ie.Fields[0].Line; got != tt.line {
				t.Errorf("first error on line %d, want %d\nerror: %v", got, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
		})
	}
}

func TestParseYAMLQueryError(t *testing.T) {
	_, err := ParseYAML("", []byte(withLine("  DeviceProcessEvents", "  DeviceProcessEvent")))
	var ke *kql.Error
	if !errors.As(err, &ke) {
		t.Fatalf("error %v holds no *kql.Error", err)
	}
	if ke.Stage != kql.StageBind {
		t.Errorf("stage %s, want bind", ke.Stage)
	}
}

// TestParseYAMLSpellings checks what Sentinel's content varies and the
// importer therefore accepts.
func TestParseYAMLSpellings(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(d Definition) bool
	}{
		{"key case", strings.Replace(withLine("      - DeviceProcessEvents", "      - DeviceProcessEvents"), "    dataTypes:", "    datatypes:", 1),
			func(d Definition) bool { return d.RequiredDataConnectors[0].DataTypes[0] == "DeviceProcessEvents" }},
		{"lower-case kind", withLine("kind:", "kind: scheduled"), func(d Definition) bool { return d.Kind == Scheduled }},
		{"no kind with trigger", withLine("kind:", ""), func(d Definition) bool { return d.Kind == Scheduled }},
		{"long operator", withLine("triggerOperator:", "triggerOperator: GreaterThan"), func(d Definition) bool { return d.TriggerOperator == GreaterThan }},
		{"operator lt", withLine("triggerOperator:", "triggerOperator: lt"), func(d Definition) bool { return d.TriggerOperator == LessThan }},
		{"ISO durations", withLine("queryFrequency:", "queryFrequency: PT30M"), func(d Definition) bool { return d.QueryFrequency == 30*time.Minute }},
		{"severity case", withLine("severity:", "severity: high"), func(d Definition) bool { return d.Severity == High }},
		{"tactic case", withLine("  - DefenseEvasion", "  - defenseevasion"), func(d Definition) bool { return d.Tactics[0] == "DefenseEvasion" }},
		{"identifier case", withLine("      - identifier: FullName", "      - identifier: fullname"),
			func(d Definition) bool { return d.EntityMappings[0].FieldMappings[0].Identifier == "FullName" }},
		{"entity type case", withLine("  - entityType: Host", "  - entityType: host"), func(d Definition) bool { return d.EntityMappings[0].EntityType == Host }},
		{"disabled", withLine("+", "enabled: false"), func(d Definition) bool { return !d.Enabled }},
		{"null is absent", withLine("+", "customDetails:\ntags:"), func(d Definition) bool { return d.CustomDetails == nil && d.Metadata == nil }},
		{"descriptive fields kept", withLine("+", "status: Available\ntags:\n  - Schema: ASimNetworkSessions\n    SchemaVersion: 0.2.5\nmetadata:\n  source:\n    kind: Community\nlastUpdatedDateUTC: 2021-08-22"),
			func(d Definition) bool {
				return d.Metadata["status"] == "Available" && d.Metadata["lastUpdatedDateUTC"] == "2021-08-22" &&
					reflect.DeepEqual(d.Metadata["tags"], []any{map[string]any{"Schema": "ASimNetworkSessions", "SchemaVersion": "0.2.5"}})
			}},
		{"NRT", strings.Replace(strings.Replace(strings.Replace(strings.Replace(withLine("kind:", "kind: NRT"),
			"queryFrequency: 1h\n", "", 1), "queryPeriod: 1h\n", "", 1), "triggerOperator: gt\n", "", 1), "triggerThreshold: 0\n", "", 1),
			func(d Definition) bool { return d.Kind == NRT && d.QueryFrequency == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseYAML("", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("ParseYAML: %v", err)
			}
			if !tt.check(d) {
				t.Errorf("ParseYAML gave %+v", d)
			}
			roundTrip(t, tt.name, d)
		})
	}
}

func TestParseYAMLKinds(t *testing.T) {
	hunting := `id: 4d11f63f-5b64-416e-8d77-266e4c6d382e
name: Dropping payload via certutil
description: certutil copies
description-detailed: |
  longer text
requiredDataConnectors:
  - connectorId: MicrosoftThreatProtection
    dataTypes:
      - DeviceFileEvents
tactics:
  - DefenseEvasion
query: |
  DeviceFileEvents
  | where InitiatingProcessFileName !~ "certutil.exe"
version: 1.0.0
`
	d, err := ParseYAML("", []byte(hunting))
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != Hunting || d.Metadata["description-detailed"] != "longer text\n" {
		t.Errorf("hunting query parsed as %+v", d)
	}
	roundTrip(t, "hunting", d)

	msic := `id: 7a6b4d2e-1c3f-4e5a-8b9c-0d1e2f3a4b5c
name: Incidents from Defender for Cloud Apps
description: ""
productFilter: Microsoft Cloud App Security
severitiesFilter: [High, medium]
displayNamesFilter: [mass download]
displayNamesExcludeFilter: [test]
`
	d, err = ParseYAML("", []byte(msic))
	if err != nil {
		t.Fatal(err)
	}
	want := &MicrosoftSecurityFilter{Product: "Microsoft Cloud App Security", Severities: []Severity{High, Medium},
		DisplayNames: []string{"mass download"}, DisplayNamesExclude: []string{"test"}}
	if d.Kind != MicrosoftSecurityIncidentCreation || !reflect.DeepEqual(d.MicrosoftSecurity, want) {
		t.Errorf("MicrosoftSecurityIncidentCreation rule parsed as %+v", d)
	}
	roundTrip(t, "msic", d)
}

// TestRoundTripDefinitions round-trips definitions built in Go that use
// every field.
func TestRoundTripDefinitions(t *testing.T) {
	nrt := validRule()
	nrt.Kind, nrt.QueryFrequency, nrt.QueryPeriod, nrt.TriggerOperator = NRT, 0, 0, ""
	nrt.Enabled = false
	nrt.TemplateName, nrt.TemplateVersion = "0b0f3c8e-5b8f-4a52-9d0e-6f1f6b0a1c2e", "1.0.1"
	lessThan := validRule()
	lessThan.TriggerOperator, lessThan.TriggerThreshold = LessThan, 5
	lessThan.QueryPeriod = 90 * time.Minute
	lessThan.Metadata = map[string]any{"metadata": map[string]any{"author": map[string]any{"name": "Goshawk"}}, "createdDateUTC": "2024-01-01"}
	for name, d := range map[string]Definition{"scheduled": validRule(), "nrt": nrt, "lessThan": lessThan, "msic": validMSIC()} {
		if err := (&Importer{}).Check(&d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		roundTrip(t, name, d)
	}
}
