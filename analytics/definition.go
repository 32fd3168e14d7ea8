package analytics

import (
	"strings"
	"time"
)

// Kind is what a definition is: a kind of Sentinel analytics rule, or a
// saved hunting query.
type Kind string

// Kinds.
const (
	// Scheduled runs its query every QueryFrequency over the last
	// QueryPeriod and raises alerts when the number of result rows
	// satisfies the trigger.
	Scheduled Kind = "Scheduled"
	// NRT (near-real-time) runs its query every minute over the rows that
	// arrived since the previous run; it has no frequency, period or
	// trigger (any result row alerts).
	NRT Kind = "NRT"
	// MicrosoftSecurityIncidentCreation creates incidents from the
	// SecurityAlert rows of one product, filtered by severity and alert
	// name; it has no query.
	MicrosoftSecurityIncidentCreation Kind = "MicrosoftSecurityIncidentCreation"
	// Hunting is a saved hunting query: a query with its descriptive
	// fields, run on demand, never scheduled. Sentinel's YAML gives it no
	// kind; a file without trigger fields imports as one.
	Hunting Kind = "Hunting"
)

// HasQuery reports whether definitions of kind k carry a KQL query.
func (k Kind) HasQuery() bool { return k == Scheduled || k == NRT || k == Hunting }

// IsRule reports whether k is an analytics rule (it raises alerts), as
// opposed to a hunting query.
func (k Kind) IsRule() bool {
	return k == Scheduled || k == NRT || k == MicrosoftSecurityIncidentCreation
}

// Severity is the severity of the alerts a rule raises.
type Severity string

// Severities, lowest first.
const (
	Informational Severity = "Informational"
	Low           Severity = "Low"
	Medium        Severity = "Medium"
	High          Severity = "High"
)

var severities = []string{string(Informational), string(Low), string(Medium), string(High)}

// TriggerOperator compares a scheduled rule's result row count with its
// threshold.
type TriggerOperator string

// Trigger operators, with Sentinel's ARM names. Sentinel's YAML writes
// them gt, lt, eq and ne; both spellings are read.
const (
	GreaterThan TriggerOperator = "GreaterThan"
	LessThan    TriggerOperator = "LessThan"
	Equal       TriggerOperator = "Equal"
	NotEqual    TriggerOperator = "NotEqual"
)

// Triggered reports whether a run that returned rows result rows raises
// alerts under op and threshold. An empty operator means GreaterThan.
func (op TriggerOperator) Triggered(rows, threshold int) bool {
	switch op {
	case LessThan:
		return rows < threshold
	case Equal:
		return rows == threshold
	case NotEqual:
		return rows != threshold
	default:
		return rows > threshold
	}
}

// yamlOperator is the short YAML spelling of each operator.
var yamlOperator = map[TriggerOperator]string{GreaterThan: "gt", LessThan: "lt", Equal: "eq", NotEqual: "ne"}

// parseTriggerOperator reads either spelling, case-insensitively.
func parseTriggerOperator(s string) (TriggerOperator, bool) {
	for op, short := range yamlOperator {
		if strings.EqualFold(s, short) || strings.EqualFold(s, string(op)) {
			return op, true
		}
	}
	return "", false
}

// AggregationKind says whether a run raises one alert for all its rows or
// one alert per row.
type AggregationKind string

// Aggregation kinds.
const (
	SingleAlert    AggregationKind = "SingleAlert"
	AlertPerResult AggregationKind = "AlertPerResult"
)

// MatchingMethod says which alerts are grouped into one incident.
type MatchingMethod string

// Matching methods.
const (
	// AllEntities groups alerts whose mapped entities are all identical.
	AllEntities MatchingMethod = "AllEntities"
	// AnyAlert groups every alert of the rule within the lookback.
	AnyAlert MatchingMethod = "AnyAlert"
	// Selected groups alerts that agree on the chosen entity types, alert
	// details and custom details.
	Selected MatchingMethod = "Selected"
)

// Definition is one analytics rule or hunting query, as Sentinel defines
// it. The fields a kind does not use stay zero (Validate refuses them).
// Durations are time.Duration; the YAML and ARM spellings are converted on
// import and export.
type Definition struct {
	// ID is the rule's GUID as written in the source.
	ID   string
	Kind Kind
	// Name is the display name (YAML name, ARM displayName); it is also the
	// alert name unless AlertDetailsOverride renames alerts.
	Name        string
	Description string
	// Severity is required for rules and optional for hunting queries.
	Severity Severity
	// Enabled is true unless the source says otherwise (Sentinel's YAML
	// templates have no enabled field; a rule created from one is enabled).
	Enabled bool

	// Query is the KQL text (Scheduled, NRT and Hunting).
	Query string
	// QueryFrequency and QueryPeriod are how often a scheduled rule runs
	// and how far back each run looks; both between 5 minutes and 14
	// days, with QueryFrequency ≤ QueryPeriod.
	QueryFrequency time.Duration
	QueryPeriod    time.Duration
	// TriggerOperator and TriggerThreshold compare a scheduled run's row
	// count; see TriggerOperator.Triggered.
	TriggerOperator  TriggerOperator
	TriggerThreshold int

	// Tactics are MITRE ATT&CK tactics in Sentinel's spelling
	// (InitialAccess, CommandAndControl, …).
	Tactics []string
	// Techniques are MITRE ATT&CK technique and sub-technique IDs (T1078,
	// T1078.004): YAML relevantTechniques, ARM techniques + subTechniques.
	Techniques []string
	// RequiredDataConnectors are kept as information only: Goshawk's
	// tables are filled by whatever sends to them.
	RequiredDataConnectors []DataConnector

	EntityMappings []EntityMapping
	// CustomDetails attach query columns to each alert, in source order.
	CustomDetails        []CustomDetail
	AlertDetailsOverride *AlertDetailsOverride
	// EventGrouping is nil when the source has none (SingleAlert).
	EventGrouping *EventGrouping

	// SuppressionEnabled stops a scheduled rule from running again for
	// SuppressionDuration after it raised alerts.
	SuppressionEnabled  bool
	SuppressionDuration time.Duration

	// Incident is nil when the source has none; see IncidentSettings.
	Incident *IncidentConfiguration

	// MicrosoftSecurity holds the filters of a
	// MicrosoftSecurityIncidentCreation rule.
	MicrosoftSecurity *MicrosoftSecurityFilter

	// Version is the content version (X.Y.Z).
	Version string
	// TemplateName and TemplateVersion are ARM's alertRuleTemplateName and
	// templateVersion: the Sentinel template a rule was created from.
	TemplateName    string
	TemplateVersion string

	// Metadata holds the purely descriptive fields of the source, kept
	// verbatim by their canonical key (see DescriptiveFields): status,
	// tags, metadata, description-detailed, dates. Goshawk does not
	// interpret them; FormatYAML writes them back.
	Metadata map[string]any
}

// DataConnector is one entry of requiredDataConnectors.
type DataConnector struct {
	ConnectorID string
	DataTypes   []string
}

// EntityMapping maps query columns to the identifiers of one entity.
type EntityMapping struct {
	EntityType    EntityType
	FieldMappings []FieldMapping
}

// FieldMapping maps one column to one identifier of an entity.
type FieldMapping struct {
	Identifier string
	ColumnName string
}

// CustomDetail attaches the value of Column to each alert under Key.
type CustomDetail struct {
	Key    string
	Column string
}

// AlertDetailsOverride derives alert properties from result columns.
type AlertDetailsOverride struct {
	// DisplayNameFormat and DescriptionFormat hold {{Column}}
	// placeholders (at most three each); see RenderFormat.
	DisplayNameFormat string
	DescriptionFormat string
	SeverityColumn    string
	TacticsColumn     string
	DynamicProperties []AlertDynamicProperty
}

// AlertDynamicProperty sets one alert property from a column.
type AlertDynamicProperty struct {
	// Property is one of AlertLink, ConfidenceLevel, ConfidenceScore,
	// ExtendedLinks, ProductComponentName, ProductName, ProviderName,
	// RemediationSteps, Techniques.
	Property string
	Column   string
}

var alertProperties = []string{"AlertLink", "ConfidenceLevel", "ConfidenceScore", "ExtendedLinks",
	"ProductComponentName", "ProductName", "ProviderName", "RemediationSteps", "Techniques"}

// EventGrouping is Sentinel's eventGroupingSettings.
type EventGrouping struct {
	AggregationKind AggregationKind
}

// IncidentConfiguration says whether alerts create incidents and how
// alerts are grouped into them.
type IncidentConfiguration struct {
	CreateIncident bool
	// Grouping is nil when the source has none (no grouping).
	Grouping *GroupingConfiguration
}

// GroupingConfiguration is Sentinel's groupingConfiguration.
type GroupingConfiguration struct {
	Enabled              bool
	ReopenClosedIncident bool
	// LookbackDuration limits a group to alerts created within it: 5
	// minutes to 7 days.
	LookbackDuration time.Duration
	MatchingMethod   MatchingMethod
	// GroupByEntities, GroupByAlertDetails (DisplayName, Severity) and
	// GroupByCustomDetails apply when MatchingMethod is Selected.
	GroupByEntities      []EntityType
	GroupByAlertDetails  []string
	GroupByCustomDetails []string
}

var alertDetails = []string{"DisplayName", "Severity"}

// MicrosoftSecurityFilter selects the SecurityAlert rows a
// MicrosoftSecurityIncidentCreation rule turns into incidents.
type MicrosoftSecurityFilter struct {
	// Product is the alerts' ProductName, e.g. "Microsoft Cloud App
	// Security".
	Product string
	// Severities keeps alerts of these severities; empty keeps all.
	Severities []Severity
	// DisplayNames keeps alerts whose name contains one of these texts;
	// empty keeps all. DisplayNamesExclude drops alerts whose name
	// contains one of these.
	DisplayNames        []string
	DisplayNamesExclude []string
}

// Products are the productFilter values Sentinel accepts, and Goshawk's
// own alert products.
var products = []string{
	"Goshawk Endpoint",
	"Azure Active Directory Identity Protection",
	"Azure Advanced Threat Protection",
	"Azure Security Center",
	"Azure Security Center for IoT",
	"Microsoft Cloud App Security",
	"Microsoft Defender Advanced Threat Protection",
	"Office 365 Advanced Threat Protection",
}

// Match reports whether a SecurityAlert row with the given ProductName,
// AlertSeverity and AlertName passes the filter. Names match when they
// contain a filter text, ignoring case, as the Sentinel portal's "alert
// name contains" filters do.
func (f *MicrosoftSecurityFilter) Match(product, severity, alertName string) bool {
	if !strings.EqualFold(product, f.Product) {
		return false
	}
	if len(f.Severities) > 0 {
		ok := false
		for _, s := range f.Severities {
			ok = ok || strings.EqualFold(string(s), severity)
		}
		if !ok {
			return false
		}
	}
	name := strings.ToLower(alertName)
	if len(f.DisplayNames) > 0 {
		ok := false
		for _, n := range f.DisplayNames {
			ok = ok || strings.Contains(name, strings.ToLower(n))
		}
		if !ok {
			return false
		}
	}
	for _, n := range f.DisplayNamesExclude {
		if strings.Contains(name, strings.ToLower(n)) {
			return false
		}
	}
	return true
}

// IncidentSettings returns the incident configuration in force: the
// definition's own, or Sentinel's default when it has none (create an
// incident per alert, no grouping).
func (d *Definition) IncidentSettings() IncidentConfiguration {
	if d.Incident != nil {
		return *d.Incident
	}
	return IncidentConfiguration{CreateIncident: true}
}

// Aggregation returns the aggregation kind in force (SingleAlert unless
// the definition says otherwise).
func (d *Definition) Aggregation() AggregationKind {
	if d.EventGrouping != nil && d.EventGrouping.AggregationKind != "" {
		return d.EventGrouping.AggregationKind
	}
	return SingleAlert
}

// tactics are the ATT&CK tactics Sentinel accepts, in its spelling.
var tactics = []string{"Reconnaissance", "ResourceDevelopment", "InitialAccess", "Execution",
	"Persistence", "PrivilegeEscalation", "DefenseEvasion", "CredentialAccess", "Discovery",
	"LateralMovement", "Collection", "Exfiltration", "CommandAndControl", "Impact", "PreAttack",
	"ImpairProcessControl", "InhibitResponseFunction"}

// canonical returns the member of set equal to s ignoring case.
func canonical(set []string, s string) (string, bool) {
	for _, v := range set {
		if strings.EqualFold(v, s) {
			return v, true
		}
	}
	return "", false
}
