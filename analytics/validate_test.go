package analytics

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// validRule is a scheduled rule using every query-rule field; it passes
// Check against the built-in catalogue.
func validRule() Definition {
	return Definition{
		ID:          "0b0f3c8e-5b8f-4a52-9d0e-6f1f6b0a1c2d",
		Kind:        Scheduled,
		Name:        "Encoded PowerShell",
		Description: "PowerShell started with an encoded command.\n",
		Severity:    Medium,
		Enabled:     true,
		Query: `DeviceProcessEvents
| where FileName =~ "powershell.exe" and ProcessCommandLine has "-enc"
| extend HostName = tostring(split(DeviceName, ".")[0]), Sev = "High", Tac = "Execution", Link = "https://example.com"
`,
		QueryFrequency:   time.Hour,
		QueryPeriod:      2 * time.Hour,
		TriggerOperator:  GreaterThan,
		TriggerThreshold: 0,
		Tactics:          []string{"Execution", "DefenseEvasion"},
		Techniques:       []string{"T1059", "T1059.001"},
		RequiredDataConnectors: []DataConnector{
			{ConnectorID: "MicrosoftThreatProtection", DataTypes: []string{"DeviceProcessEvents"}},
		},
		EntityMappings: []EntityMapping{
			{EntityType: Host, FieldMappings: []FieldMapping{{Identifier: "FullName", ColumnName: "DeviceName"}, {Identifier: "HostName", ColumnName: "HostName"}}},
			{EntityType: Account, FieldMappings: []FieldMapping{{Identifier: "Name", ColumnName: "AccountName"}, {Identifier: "NTDomain", ColumnName: "AccountDomain"}}},
			{EntityType: Process, FieldMappings: []FieldMapping{{Identifier: "ProcessId", ColumnName: "ProcessId"}, {Identifier: "CommandLine", ColumnName: "ProcessCommandLine"}}},
			{EntityType: FileHash, FieldMappings: []FieldMapping{{Identifier: "Algorithm", ColumnName: "Sev"}, {Identifier: "Value", ColumnName: "SHA256"}}},
		},
		CustomDetails: []CustomDetail{{Key: "Parent", Column: "InitiatingProcessFileName"}, {Key: "Folder", Column: "FolderPath"}},
		AlertDetailsOverride: &AlertDetailsOverride{
			DisplayNameFormat: "Encoded PowerShell on {{DeviceName}} by {{AccountName}}",
			DescriptionFormat: "{{ProcessCommandLine}}",
			SeverityColumn:    "Sev",
			TacticsColumn:     "Tac",
			DynamicProperties: []AlertDynamicProperty{{Property: "AlertLink", Column: "Link"}},
		},
		EventGrouping:       &EventGrouping{AggregationKind: AlertPerResult},
		SuppressionEnabled:  true,
		SuppressionDuration: 5 * time.Hour,
		Incident: &IncidentConfiguration{
			CreateIncident: true,
			Grouping: &GroupingConfiguration{
				Enabled:              true,
				ReopenClosedIncident: true,
				LookbackDuration:     5 * time.Hour,
				MatchingMethod:       Selected,
				GroupByEntities:      []EntityType{Host, Account},
				GroupByAlertDetails:  []string{"DisplayName"},
				GroupByCustomDetails: []string{"Parent"},
			},
		},
		Version:  "1.2.3",
		Metadata: map[string]any{"status": "Available", "tags": []any{"PowerShell"}},
	}
}

func validMSIC() Definition {
	return Definition{
		ID:      "7a6b4d2e-1c3f-4e5a-8b9c-0d1e2f3a4b5c",
		Kind:    MicrosoftSecurityIncidentCreation,
		Name:    "Create incidents from Defender for Cloud Apps",
		Enabled: true,
		MicrosoftSecurity: &MicrosoftSecurityFilter{
			Product:             "Microsoft Cloud App Security",
			Severities:          []Severity{High, Medium},
			DisplayNames:        []string{"mass download"},
			DisplayNamesExclude: []string{"test"},
		},
	}
}

func TestValidDefinitions(t *testing.T) {
	for _, d := range []Definition{validRule(), validMSIC()} {
		if err := (&Importer{}).Check(&d); err != nil {
			t.Errorf("Check(%s) = %v, want nil", d.Name, err)
		}
	}
}

// TestValidate has one case per rule Validate and Check enforce, each
// asserting the field paths reported.
func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		base   func() Definition
		change func(d *Definition)
		want   []string // field paths, in order
		text   string   // part of the first message
	}{
		{"no kind", validRule, func(d *Definition) { d.Kind = "" }, []string{"kind"}, "missing"},
		{"unsupported kind", validRule, func(d *Definition) { d.Kind = "Fusion" }, []string{"kind"}, `"Fusion" is not a supported kind`},
		{"no id", validRule, func(d *Definition) { d.ID = "" }, []string{"id"}, "missing"},
		{"id not a GUID", validRule, func(d *Definition) { d.ID = "rule-1" }, []string{"id"}, "not a GUID"},
		{"no name", validRule, func(d *Definition) { d.Name = " " }, []string{"name"}, "missing"},
		{"long name", validRule, func(d *Definition) { d.Name = strings.Repeat("n", 257) }, []string{"name"}, "256"},
		{"long description", validRule, func(d *Definition) { d.Description = strings.Repeat("d", 5001) }, []string{"description"}, "5000"},
		{"no severity", validRule, func(d *Definition) { d.Severity = "" }, []string{"severity"}, "missing"},
		{"bad severity", validRule, func(d *Definition) { d.Severity = "Critical" }, []string{"severity"}, `"Critical" is not a severity`},
		{"bad version", validRule, func(d *Definition) { d.Version = "1.0" }, []string{"version"}, "X.Y.Z"},
		{"bad template version", validRule, func(d *Definition) { d.TemplateVersion = "v2" }, []string{"templateVersion"}, "X.Y.Z"},
		{"connector without id", validRule, func(d *Definition) { d.RequiredDataConnectors[0].ConnectorID = "" }, []string{"requiredDataConnectors[0].connectorId"}, "missing"},
		{"bad tactic", validRule, func(d *Definition) { d.Tactics[1] = "Evasion" }, []string{"tactics[1]"}, `"Evasion" is not a tactic`},
		{"tactic twice", validRule, func(d *Definition) { d.Tactics[1] = "Execution" }, []string{"tactics[1]"}, "twice"},
		{"bad technique", validRule, func(d *Definition) { d.Techniques = []string{"T1059", "T1059.1", "1078"} }, []string{"relevantTechniques[1]", "relevantTechniques[2]"}, "not a MITRE ATT&CK technique"},
		{"unknown metadata", validRule, func(d *Definition) { d.Metadata["owner"] = "me" }, []string{"owner"}, "not a descriptive field"},

		{"no query", validRule, func(d *Definition) { d.Query = "" }, []string{"query"}, "missing"},
		{"long query", validRule, func(d *Definition) { d.Query = "print x = 1 //" + strings.Repeat("x", 10000) }, []string{"query"}, "10000"},
		{"search star", validRule, func(d *Definition) { d.Query = "search * | take 1" }, []string{"query"}, "search *"},
		{"union star", validRule, func(d *Definition) { d.Query = "union * | take 1" }, []string{"query"}, "union *"},
		{"query does not bind", validRule, func(d *Definition) {
			d.Query = "NoSuchTable | take 1"
			d.EntityMappings, d.CustomDetails, d.AlertDetailsOverride, d.Incident = nil, nil, nil, nil
		}, []string{"query"}, "1:1: KQL2002:"},

		{"no frequency", validRule, func(d *Definition) { d.QueryFrequency = 0 }, []string{"queryFrequency"}, "missing"},
		{"no period", validRule, func(d *Definition) { d.QueryPeriod = 0 }, []string{"queryPeriod"}, "missing"},
		{"frequency too short", validRule, func(d *Definition) { d.QueryFrequency = time.Minute }, []string{"queryFrequency"}, "shorter than 5 minutes"},
		{"period too long", validRule, func(d *Definition) { d.QueryPeriod = 15 * day }, []string{"queryPeriod"}, "longer than 14 days"},
		{"frequency above period", validRule, func(d *Definition) { d.QueryFrequency = 3 * time.Hour }, []string{"queryFrequency"}, "longer than queryPeriod"},
		{"long period runs hourly", validRule, func(d *Definition) { d.QueryFrequency, d.QueryPeriod = 30*time.Minute, 2*day }, []string{"queryFrequency"}, "2 days or more"},
		{"no trigger operator", validRule, func(d *Definition) { d.TriggerOperator = "" }, []string{"triggerOperator"}, "missing"},
		{"bad trigger operator", validRule, func(d *Definition) { d.TriggerOperator = "ge" }, []string{"triggerOperator"}, `"ge"`},
		{"threshold too big", validRule, func(d *Definition) { d.TriggerThreshold = 10001 }, []string{"triggerThreshold"}, "0 to 10000"},
		{"negative threshold", validRule, func(d *Definition) { d.TriggerThreshold = -1 }, []string{"triggerThreshold"}, "0 to 10000"},

		{"NRT with schedule", validRule, func(d *Definition) { d.Kind = NRT }, []string{"queryFrequency", "queryPeriod", "triggerOperator"}, "NRT rules have no queryFrequency"},

		{"too many entities", validRule, func(d *Definition) {
			for len(d.EntityMappings) <= MaxEntityMappings {
				d.EntityMappings = append(d.EntityMappings, d.EntityMappings[0])
			}
		}, []string{"entityMappings"}, "at most 10"},
		{"bad entity type", validRule, func(d *Definition) { d.EntityMappings[2].EntityType = "User" }, []string{"entityMappings[2].entityType"}, `"User" is not an entity type`},
		{"no field mappings", validRule, func(d *Definition) { d.EntityMappings[1].FieldMappings = nil }, []string{"entityMappings[1].fieldMappings"}, "missing"},
		{"four identifiers", validRule, func(d *Definition) {
			d.EntityMappings[0].FieldMappings = append(d.EntityMappings[0].FieldMappings,
				FieldMapping{Identifier: "DnsDomain", ColumnName: "DeviceName"}, FieldMapping{Identifier: "NTDomain", ColumnName: "DeviceName"})
		}, []string{"entityMappings[0].fieldMappings"}, "at most 3"},
		{"bad identifier", validRule, func(d *Definition) { d.EntityMappings[0].FieldMappings[1].Identifier = "Foo" }, []string{"entityMappings[0].fieldMappings[1].identifier"},
			`"Foo" is not an identifier of Host (FullName, HostName, DnsDomain, NTDomain, NetBiosName, AzureID, OMSAgentID, OSFamily, OSVersion, IsDomainJoined)`},
		{"identifier twice", validRule, func(d *Definition) { d.EntityMappings[0].FieldMappings[1].Identifier = "FullName" }, []string{"entityMappings[0].fieldMappings[1].identifier"}, "twice"},
		{"no required identifier", validRule, func(d *Definition) {
			d.EntityMappings[0].FieldMappings = []FieldMapping{{Identifier: "DnsDomain", ColumnName: "DeviceName"}}
		}, []string{"entityMappings[0].fieldMappings"}, "FullName, HostName, NetBiosName, AzureID or OMSAgentID"},
		{"file hash needs both", validRule, func(d *Definition) { d.EntityMappings[3].FieldMappings = d.EntityMappings[3].FieldMappings[1:] }, []string{"entityMappings[3].fieldMappings"}, "Algorithm+Value"},
		{"bad column name", validRule, func(d *Definition) { d.EntityMappings[1].FieldMappings[0].ColumnName = "Account Name" }, []string{"entityMappings[1].fieldMappings[0].columnName"}, "not a column name"},
		{"column not in results", validRule, func(d *Definition) { d.EntityMappings[1].FieldMappings[0].ColumnName = "accountname" }, []string{"entityMappings[1].fieldMappings[0].columnName"}, `did you mean "AccountName"?`},

		{"too many custom details", validRule, func(d *Definition) {
			d.CustomDetails = nil
			for i := range MaxCustomDetails + 1 {
				d.CustomDetails = append(d.CustomDetails, CustomDetail{Key: "D" + strings.Repeat("x", i%10) + string(rune('a'+i)), Column: "FileName"})
			}
			d.Incident.Grouping.GroupByCustomDetails = nil
		}, []string{"customDetails"}, "at most 20"},
		{"custom detail name", validRule, func(d *Definition) { d.CustomDetails[1].Key = "1st" }, []string{"customDetails.1st"}, "not a detail name"},
		{"custom detail name too long", validRule, func(d *Definition) { d.CustomDetails[1].Key = strings.Repeat("k", 21) }, []string{"customDetails." + strings.Repeat("k", 21)}, "longer than 20"},
		{"custom detail twice", validRule, func(d *Definition) { d.CustomDetails[1].Key = "Parent" }, []string{"customDetails.Parent"}, "twice"},
		{"custom detail column not in results", validRule, func(d *Definition) { d.CustomDetails[1].Column = "Folder" }, []string{"customDetails.Folder"}, "not in the query's results"},

		{"four placeholders", validRule, func(d *Definition) {
			d.AlertDetailsOverride.DisplayNameFormat = "{{DeviceName}} {{AccountName}} {{FileName}} {{FolderPath}}"
		}, []string{"alertDetailsOverride.alertDisplayNameFormat"}, "at most 3"},
		{"long display name format", validRule, func(d *Definition) { d.AlertDetailsOverride.DisplayNameFormat = strings.Repeat("a", 257) }, []string{"alertDetailsOverride.alertDisplayNameFormat"}, "256"},
		{"placeholder not a column", validRule, func(d *Definition) { d.AlertDetailsOverride.DescriptionFormat = "{{Process Command}}" }, []string{"alertDetailsOverride.alertDescriptionFormat"}, "does not name a column"},
		{"placeholder not in results", validRule, func(d *Definition) { d.AlertDetailsOverride.DescriptionFormat = "{{CommandLine}}" }, []string{"alertDetailsOverride.alertDescriptionFormat"}, `"CommandLine" is not in the query's results`},
		{"severity column not in results", validRule, func(d *Definition) { d.AlertDetailsOverride.SeverityColumn = "Severity" }, []string{"alertDetailsOverride.alertSeverityColumnName"}, "not in the query's results"},
		{"bad alert property", validRule, func(d *Definition) { d.AlertDetailsOverride.DynamicProperties[0].Property = "Owner" }, []string{"alertDetailsOverride.alertDynamicProperties[0].alertProperty"}, `"Owner" is not an alert property`},
		{"dynamic property column", validRule, func(d *Definition) { d.AlertDetailsOverride.DynamicProperties[0].Column = "Url" }, []string{"alertDetailsOverride.alertDynamicProperties[0].value"}, "not in the query's results"},

		{"bad aggregation", validRule, func(d *Definition) { d.EventGrouping.AggregationKind = "PerRow" }, []string{"eventGroupingSettings.aggregationKind"}, "SingleAlert or AlertPerResult"},
		{"suppression without duration", validRule, func(d *Definition) { d.SuppressionDuration = 0 }, []string{"suppressionDuration"}, "missing"},
		{"suppression too long", validRule, func(d *Definition) { d.SuppressionDuration = 25 * time.Hour }, []string{"suppressionDuration"}, "longer than 1 day"},

		{"lookback too short", validRule, func(d *Definition) { d.Incident.Grouping.LookbackDuration = time.Minute }, []string{"incidentConfiguration.groupingConfiguration.lookbackDuration"}, "shorter than 5 minutes"},
		{"lookback too long", validRule, func(d *Definition) { d.Incident.Grouping.LookbackDuration = 8 * day }, []string{"incidentConfiguration.groupingConfiguration.lookbackDuration"}, "longer than 7 days"},
		{"grouping without lookback", validRule, func(d *Definition) { d.Incident.Grouping.LookbackDuration = 0 }, []string{"incidentConfiguration.groupingConfiguration.lookbackDuration"}, "missing"},
		{"bad matching method", validRule, func(d *Definition) { d.Incident.Grouping.MatchingMethod = "Some" }, []string{"incidentConfiguration.groupingConfiguration.matchingMethod"}, "AllEntities, AnyAlert or Selected"},
		{"selected with nothing", validRule, func(d *Definition) {
			g := d.Incident.Grouping
			g.GroupByEntities, g.GroupByAlertDetails, g.GroupByCustomDetails = nil, nil, nil
		}, []string{"incidentConfiguration.groupingConfiguration.matchingMethod"}, "Selected needs"},
		{"group by unmapped entity", validRule, func(d *Definition) { d.Incident.Grouping.GroupByEntities = []EntityType{IP} }, []string{"incidentConfiguration.groupingConfiguration.groupByEntities[0]"}, "not mapped"},
		{"group by bad detail", validRule, func(d *Definition) { d.Incident.Grouping.GroupByAlertDetails = []string{"Name"} }, []string{"incidentConfiguration.groupingConfiguration.groupByAlertDetails[0]"}, "DisplayName or Severity"},
		{"group by undefined custom detail", validRule, func(d *Definition) { d.Incident.Grouping.GroupByCustomDetails = []string{"Nope"} }, []string{"incidentConfiguration.groupingConfiguration.groupByCustomDetails[0]"}, "not defined in customDetails"},

		{"hunting with rule fields", validRule, func(d *Definition) {
			d.Kind = Hunting
			d.QueryFrequency, d.QueryPeriod, d.TriggerOperator = 0, 0, ""
		}, []string{"alertDetailsOverride", "eventGroupingSettings", "suppressionEnabled", "incidentConfiguration"}, "only scheduled and NRT rules have alertDetailsOverride"},

		{"MSIC without product", validMSIC, func(d *Definition) { d.MicrosoftSecurity.Product = "" }, []string{"productFilter"}, "missing"},
		{"MSIC bad product", validMSIC, func(d *Definition) { d.MicrosoftSecurity.Product = "Defender" }, []string{"productFilter"}, `"Defender" is not a product`},
		{"MSIC no filter", validMSIC, func(d *Definition) { d.MicrosoftSecurity = nil }, []string{"productFilter"}, "missing"},
		{"MSIC bad severity filter", validMSIC, func(d *Definition) { d.MicrosoftSecurity.Severities = []Severity{"Urgent"} }, []string{"severitiesFilter[0]"}, "not a severity"},
		{"MSIC empty name filter", validMSIC, func(d *Definition) { d.MicrosoftSecurity.DisplayNamesExclude = []string{""} }, []string{"displayNamesExcludeFilter[0]"}, "empty"},
		{"MSIC with query fields", validMSIC, func(d *Definition) {
			d.Query = "SecurityAlert"
			d.Severity = High
			d.QueryFrequency = time.Hour
			d.Tactics = []string{"Execution"}
			d.EntityMappings = []EntityMapping{{EntityType: IP, FieldMappings: []FieldMapping{{Identifier: "Address", ColumnName: "IP"}}}}
		}, []string{"severity", "tactics", "query", "queryFrequency", "entityMappings"}, "MicrosoftSecurityIncidentCreation rules take the severity"},
		{"product filter on scheduled rule", validRule, func(d *Definition) { d.MicrosoftSecurity = validMSIC().MicrosoftSecurity }, []string{"productFilter"}, "only MicrosoftSecurityIncidentCreation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.base()
			tt.change(&d)
			err := (&Importer{}).Check(&d)
			if got := Fields(err); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Check: fields %q, want %q\nerror: %v", got, tt.want, err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("Check: %v\nwant a message containing %q", err, tt.text)
			}
		})
	}
}

// TestValidateWithoutCatalogue checks that Validate alone leaves the
// query's meaning alone.
func TestValidateWithoutCatalogue(t *testing.T) {
	d := validRule()
	d.Query = "NoSuchTable"
	if err := d.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil (the query is Check's business)", err)
	}
	d.Name = ""
	if got := Fields(d.Validate()); !reflect.DeepEqual(got, []string{"name"}) {
		t.Errorf("Validate() fields = %q, want [name]", got)
	}
}

func TestTriggered(t *testing.T) {
	tests := []struct {
		op        TriggerOperator
		rows, thr int
		want      bool
	}{
		{GreaterThan, 1, 0, true},
		{GreaterThan, 0, 0, false},
		{"", 3, 2, true},
		{LessThan, 1, 2, true},
		{LessThan, 2, 2, false},
		{Equal, 2, 2, true},
		{NotEqual, 2, 2, false},
		{NotEqual, 0, 2, true},
	}
	for _, tt := range tests {
		if got := tt.op.Triggered(tt.rows, tt.thr); got != tt.want {
			t.Errorf("%q.Triggered(%d, %d) = %v, want %v", tt.op, tt.rows, tt.thr, got, tt.want)
		}
	}
}

func TestMicrosoftSecurityMatch(t *testing.T) {
	f := validMSIC().MicrosoftSecurity
	tests := []struct {
		product, severity, name string
		want                    bool
	}{
		{"Microsoft Cloud App Security", "High", "Mass download by a single user", true},
		{"microsoft cloud app security", "medium", "MASS DOWNLOAD", true},
		{"Azure Security Center", "High", "Mass download", false},
		{"Microsoft Cloud App Security", "Low", "Mass download", false},
		{"Microsoft Cloud App Security", "High", "Impossible travel", false},
		{"Microsoft Cloud App Security", "High", "Mass download (test)", false},
	}
	for _, tt := range tests {
		if got := f.Match(tt.product, tt.severity, tt.name); got != tt.want {
			t.Errorf("Match(%q, %q, %q) = %v, want %v", tt.product, tt.severity, tt.name, got, tt.want)
		}
	}
	all := &MicrosoftSecurityFilter{Product: "Azure Security Center"}
	if !all.Match("Azure Security Center", "Informational", "anything") {
		t.Error("a filter with only a product should keep every alert of it")
	}
}

func TestDefaults(t *testing.T) {
	var d Definition
	if got := d.IncidentSettings(); !got.CreateIncident || got.Grouping != nil {
		t.Errorf("IncidentSettings() of a definition without one = %+v, want create, no grouping", got)
	}
	if got := d.Aggregation(); got != SingleAlert {
		t.Errorf("Aggregation() = %q, want SingleAlert", got)
	}
}

func TestEntityTypes(t *testing.T) {
	if n := len(EntityTypes()); n != 19 {
		t.Errorf("%d entity types, want 19", n)
	}
	for _, e := range EntityTypes() {
		if len(e.Identifiers()) == 0 {
			t.Errorf("%s has no identifiers", e)
		}
		for _, combo := range entitySpecs[e].required {
			for _, id := range combo {
				if _, ok := canonical(entitySpecs[e].identifiers, id); !ok {
					t.Errorf("%s requires %s, which is not one of its identifiers", e, id)
				}
			}
		}
	}
}
