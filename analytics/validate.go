package analytics

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Limits Sentinel enforces on the other fields.
const (
	MaxNameLength              = 256
	MaxDescriptionLength       = 5000
	MaxQueryLength             = 10000
	MaxTriggerThreshold        = 10000
	MaxCustomDetails           = 20
	MaxCustomDetailKeyLength   = 20
	MaxColumnNameLength        = 500
	MaxFormatPlaceholders      = 3
	MaxDisplayNameFormatLength = 256
)

var (
	guidRE      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	techniqueRE = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	versionRE   = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	columnRE    = regexp.MustCompile(`^[A-Za-z_]\w*$`)
	detailKeyRE = regexp.MustCompile(`^[A-Za-z]\w*$`)
	starRE      = regexp.MustCompile(`(?i)\b(search|union)\s+\*`)
)

// Validate checks d against the rules Sentinel enforces, without looking
// at the query's meaning (Importer.Check binds the query and checks the
// columns the definition names). Every problem is reported, as
// FieldErrors whose paths use Sentinel's YAML field names.
func (d *Definition) Validate() error {
	var p problems
	validate(d, &p)
	return p.err()
}

// validate adds d's problems to p, naming fields as Sentinel's YAML does.
func validate(d *Definition, p *problems) {
	bad := func(field, format string, args ...any) {
		p.add(field, 0, 0, format, args...)
	}
	k := d.Kind
	switch k {
	case Scheduled, NRT, MicrosoftSecurityIncidentCreation, Hunting:
	case "":
		bad("kind", "missing")
	default:
		bad("kind", "%q is not a supported kind (Scheduled, NRT, MicrosoftSecurityIncidentCreation, Hunting)", k)
	}
	kindName := kindPhrase(k)
	if k != Scheduled && k != NRT && k != MicrosoftSecurityIncidentCreation && k != Hunting {
		return // what applies depends on the kind
	}

	switch {
	case d.ID == "":
		bad("id", "missing")
	case !guidRE.MatchString(d.ID):
		bad("id", "%q is not a GUID", d.ID)
	}
	switch {
	case strings.TrimSpace(d.Name) == "":
		bad("name", "missing")
	case len([]rune(d.Name)) > MaxNameLength:
		bad("name", "longer than %d characters", MaxNameLength)
	}
	if len([]rune(d.Description)) > MaxDescriptionLength {
		bad("description", "longer than %d characters", MaxDescriptionLength)
	}
	switch {
	case d.Severity == "" && (k == Scheduled || k == NRT):
		bad("severity", "missing (Informational, Low, Medium or High)")
	case d.Severity != "" && k == MicrosoftSecurityIncidentCreation:
		bad("severity", "%s take the severity of each alert; use severitiesFilter", kindName)
	case d.Severity != "":
		if _, ok := canonical(severities, string(d.Severity)); !ok || string(d.Severity) != severityCanon(d.Severity) {
			bad("severity", "%q is not a severity (Informational, Low, Medium or High)", d.Severity)
		}
	}
	if d.Version != "" && !versionRE.MatchString(d.Version) {
		bad("version", "%q is not a version of the form X.Y.Z (all numbers)", d.Version)
	}
	if d.TemplateVersion != "" && !versionRE.MatchString(d.TemplateVersion) {
		bad("templateVersion", "%q is not a version of the form X.Y.Z (all numbers)", d.TemplateVersion)
	}
	for k := range d.Metadata {
		if c, ok := canonical(DescriptiveFields, k); !ok || c != k {
			bad(k, "not a descriptive field (%s)", strings.Join(DescriptiveFields, ", "))
		}
	}
	for i, c := range d.RequiredDataConnectors {
		if strings.TrimSpace(c.ConnectorID) == "" {
			bad(fmt.Sprintf("requiredDataConnectors[%d].connectorId", i), "missing")
		}
	}
	if k == MicrosoftSecurityIncidentCreation {
		if len(d.Tactics) > 0 {
			bad("tactics", "%s take the tactics of each alert", kindName)
		}
		if len(d.Techniques) > 0 {
			bad("relevantTechniques", "%s take the techniques of each alert", kindName)
		}
	}
	seenTactic := map[string]bool{}
	for i, t := range d.Tactics {
		f := fmt.Sprintf("tactics[%d]", i)
		if c, ok := canonical(tactics, t); !ok || c != t {
			bad(f, "%q is not a tactic (%s)", t, strings.Join(tactics, ", "))
		} else if seenTactic[t] {
			bad(f, "%q is listed twice", t)
		}
		seenTactic[t] = true
	}
	for i, t := range d.Techniques {
		if !techniqueRE.MatchString(t) {
			bad(fmt.Sprintf("relevantTechniques[%d]", i), "%q is not a MITRE ATT&CK technique (T1234) or sub-technique (T1234.001)", t)
		}
	}

	// The query and its schedule.
	if k.HasQuery() {
		switch {
		case strings.TrimSpace(d.Query) == "":
			bad("query", "missing")
		case len(d.Query) > MaxQueryLength:
			bad("query", "longer than %d characters", MaxQueryLength)
		case k.IsRule() && starRE.MatchString(d.Query):
			bad("query", "rules cannot use %q (Sentinel refuses search * and union *)", starRE.FindString(d.Query))
		}
	} else if d.Query != "" {
		bad("query", "%s have no query", kindName)
	}
	if k == Scheduled {
		validateSchedule(d, bad)
	} else {
		why := "have no %s"
		if k == NRT {
			why = "have no %s (they run every minute over the rows that arrived since the last run)"
		}
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"queryFrequency", d.QueryFrequency != 0},
			{"queryPeriod", d.QueryPeriod != 0},
			{"triggerOperator", d.TriggerOperator != ""},
			{"triggerThreshold", d.TriggerThreshold != 0},
		} {
			if f.set {
				bad(f.name, "%s "+why, kindName, f.name)
			}
		}
	}

	// What alerts carry.
	if k == MicrosoftSecurityIncidentCreation {
		if len(d.EntityMappings) > 0 {
			bad("entityMappings", "%s take the entities of each alert", kindName)
		}
		if len(d.CustomDetails) > 0 {
			bad("customDetails", "%s have no query to take custom details from", kindName)
		}
	} else {
		validateEntityMappings(d, bad)
		validateCustomDetails(d, bad)
	}
	ruleOnly := func(field string) {
		if k == Hunting {
			bad(field, "only scheduled and NRT rules have %s; a definition without queryFrequency or triggerOperator is a hunting query", field)
		} else {
			bad(field, "%s have no %s", kindName, field)
		}
	}
	queryRule := k == Scheduled || k == NRT
	if o := d.AlertDetailsOverride; o != nil {
		if !queryRule {
			ruleOnly("alertDetailsOverride")
		} else {
			validateOverride(o, bad)
		}
	}
	if g := d.EventGrouping; g != nil {
		switch {
		case !queryRule:
			ruleOnly("eventGroupingSettings")
		case g.AggregationKind != SingleAlert && g.AggregationKind != AlertPerResult:
			bad("eventGroupingSettings.aggregationKind", "%q is not an aggregation kind (SingleAlert or AlertPerResult)", g.AggregationKind)
		}
	}
	if d.SuppressionEnabled || d.SuppressionDuration != 0 {
		switch {
		case !queryRule && d.SuppressionEnabled:
			ruleOnly("suppressionEnabled")
		case !queryRule:
			ruleOnly("suppressionDuration")
		case d.SuppressionEnabled && d.SuppressionDuration == 0:
			bad("suppressionDuration", "missing (suppressionEnabled is true)")
		default:
			checkRange(bad, "suppressionDuration", d.SuppressionDuration, MinSuppression, MaxSuppression)
		}
	}
	if inc := d.Incident; inc != nil {
		if !k.IsRule() {
			ruleOnly("incidentConfiguration")
		} else {
			validateIncident(d, inc, bad)
		}
	}
	if f := d.MicrosoftSecurity; f != nil && k != MicrosoftSecurityIncidentCreation {
		bad("productFilter", "only MicrosoftSecurityIncidentCreation rules filter alerts by product")
	}
	if k == MicrosoftSecurityIncidentCreation {
		f := d.MicrosoftSecurity
		if f == nil {
			f = &MicrosoftSecurityFilter{}
		}
		switch c, ok := canonical(products, f.Product); {
		case f.Product == "":
			bad("productFilter", "missing (%s)", orList(products))
		case !ok || c != f.Product:
			bad("productFilter", "%q is not a product Sentinel creates incidents for (%s)", f.Product, orList(products))
		}
		for i, s := range f.Severities {
			if c, ok := canonical(severities, string(s)); !ok || c != string(s) {
				bad(fmt.Sprintf("severitiesFilter[%d]", i), "%q is not a severity (Informational, Low, Medium or High)", s)
			}
		}
		for i, n := range f.DisplayNames {
			if strings.TrimSpace(n) == "" {
				bad(fmt.Sprintf("displayNamesFilter[%d]", i), "empty")
			}
		}
		for i, n := range f.DisplayNamesExclude {
			if strings.TrimSpace(n) == "" {
				bad(fmt.Sprintf("displayNamesExcludeFilter[%d]", i), "empty")
			}
		}
	}
}

func severityCanon(s Severity) string {
	c, _ := canonical(severities, string(s))
	return c
}

// kindPhrase names the definitions of kind k in messages.
func kindPhrase(k Kind) string {
	switch k {
	case Scheduled:
		return "scheduled rules"
	case NRT:
		return "NRT rules"
	case MicrosoftSecurityIncidentCreation:
		return "MicrosoftSecurityIncidentCreation rules"
	case Hunting:
		return "hunting queries"
	}
	return fmt.Sprintf("%s definitions", k)
}

type badFunc func(field, format string, args ...any)

func checkRange(bad badFunc, field string, d, lo, hi time.Duration) {
	switch {
	case d < lo:
		bad(field, "%s is shorter than %s (Sentinel's minimum)", FormatDuration(d), humanDuration(lo))
	case d > hi:
		bad(field, "%s is longer than %s (Sentinel's maximum)", FormatDuration(d), humanDuration(hi))
	}
}

func validateSchedule(d *Definition, bad badFunc) {
	if d.QueryFrequency == 0 {
		bad("queryFrequency", "missing")
	} else {
		checkRange(bad, "queryFrequency", d.QueryFrequency, MinQueryInterval, MaxQueryInterval)
	}
	if d.QueryPeriod == 0 {
		bad("queryPeriod", "missing")
	} else {
		checkRange(bad, "queryPeriod", d.QueryPeriod, MinQueryInterval, MaxQueryInterval)
	}
	if d.QueryFrequency != 0 && d.QueryPeriod != 0 {
		if d.QueryFrequency > d.QueryPeriod {
			bad("queryFrequency", "%s is longer than queryPeriod %s (a run would skip rows)", FormatDuration(d.QueryFrequency), FormatDuration(d.QueryPeriod))
		} else if d.QueryPeriod >= longPeriod && d.QueryFrequency < minLongPeriodPeriod {
			bad("queryFrequency", "%s is shorter than 1 hour, which Sentinel requires when queryPeriod is 2 days or more", FormatDuration(d.QueryFrequency))
		}
	}
	switch d.TriggerOperator {
	case GreaterThan, LessThan, Equal, NotEqual:
	case "":
		bad("triggerOperator", "missing (gt, lt, eq or ne)")
	default:
		bad("triggerOperator", "%q is not a trigger operator (gt, lt, eq, ne or GreaterThan, LessThan, Equal, NotEqual)", d.TriggerOperator)
	}
	if d.TriggerThreshold < 0 || d.TriggerThreshold > MaxTriggerThreshold {
		bad("triggerThreshold", "%d is outside 0 to %d", d.TriggerThreshold, MaxTriggerThreshold)
	}
}

func validateColumn(bad badFunc, field, col string) {
	switch {
	case col == "":
		bad(field, "missing")
	case len(col) > MaxColumnNameLength:
		bad(field, "longer than %d characters", MaxColumnNameLength)
	case !columnRE.MatchString(col):
		bad(field, "%q is not a column name (a letter or _, then letters, digits or _)", col)
	}
}

func validateEntityMappings(d *Definition, bad badFunc) {
	if n := len(d.EntityMappings); n > MaxEntityMappings {
		bad("entityMappings", "%d mappings; Sentinel allows at most %d", n, MaxEntityMappings)
	}
	for i, m := range d.EntityMappings {
		base := fmt.Sprintf("entityMappings[%d]", i)
		spec, ok := entitySpecs[m.EntityType]
		if !ok {
			if m.EntityType == "" {
				bad(base+".entityType", "missing")
			} else {
				bad(base+".entityType", "%q is not an entity type (%s)", m.EntityType, strings.Join(entityTypeNames, ", "))
			}
		}
		switch n := len(m.FieldMappings); {
		case n == 0:
			bad(base+".fieldMappings", "missing (at least one identifier)")
		case n > MaxFieldMappings:
			bad(base+".fieldMappings", "%d identifiers; Sentinel allows at most %d per entity", n, MaxFieldMappings)
		}
		used := map[string]bool{}
		allValid := true
		for j, fm := range m.FieldMappings {
			fb := fmt.Sprintf("%s.fieldMappings[%d]", base, j)
			switch c, found := canonical(spec.identifiers, fm.Identifier); {
			case !ok:
			case fm.Identifier == "":
				allValid = false
				bad(fb+".identifier", "missing")
			case !found || c != fm.Identifier:
				allValid = false
				bad(fb+".identifier", "%q is not an identifier of %s (%s)", fm.Identifier, m.EntityType, strings.Join(spec.identifiers, ", "))
			case used[c]:
				bad(fb+".identifier", "%q is mapped twice in this entity", fm.Identifier)
			}
			used[fm.Identifier] = true
			validateColumn(bad, fb+".columnName", fm.ColumnName)
		}
		if ok && allValid && len(m.FieldMappings) > 0 {
			has := false
			for _, combo := range spec.required {
				all := true
				for _, id := range combo {
					all = all && used[id]
				}
				has = has || all
			}
			if !has {
				bad(base+".fieldMappings", "a %s entity needs %s among its identifiers", m.EntityType, m.EntityType.requiredText())
			}
		}
	}
}

func validateCustomDetails(d *Definition, bad badFunc) {
	if n := len(d.CustomDetails); n > MaxCustomDetails {
		bad("customDetails", "%d details; Sentinel allows at most %d", n, MaxCustomDetails)
	}
	seen := map[string]bool{}
	for _, c := range d.CustomDetails {
		f := "customDetails." + c.Key
		switch {
		case c.Key == "":
			bad("customDetails", "a detail has no name")
		case len(c.Key) > MaxCustomDetailKeyLength:
			bad(f, "the name is longer than %d characters", MaxCustomDetailKeyLength)
		case !detailKeyRE.MatchString(c.Key):
			bad(f, "%q is not a detail name (a letter, then letters, digits or _)", c.Key)
		case seen[c.Key]:
			bad(f, "defined twice")
		}
		seen[c.Key] = true
		validateColumn(bad, f, c.Column)
	}
}

func validateOverride(o *AlertDetailsOverride, bad badFunc) {
	const base = "alertDetailsOverride."
	checkFormat := func(field, format string, maxLen int) {
		if format == "" {
			return
		}
		if strings.TrimSpace(format) == "" {
			bad(base+field, "empty")
		}
		if len([]rune(format)) > maxLen {
			bad(base+field, "longer than %d characters", maxLen)
		}
		if n := len(Placeholders(format)); n > MaxFormatPlaceholders {
			bad(base+field, "%d {{column}} placeholders; Sentinel allows at most %d", n, MaxFormatPlaceholders)
		}
		for _, ph := range Placeholders(format) {
			if !columnRE.MatchString(ph) {
				bad(base+field, "{{%s}} does not name a column", ph)
			}
		}
	}
	checkFormat("alertDisplayNameFormat", o.DisplayNameFormat, MaxDisplayNameFormatLength)
	checkFormat("alertDescriptionFormat", o.DescriptionFormat, MaxDescriptionLength)
	if o.SeverityColumn != "" {
		validateColumn(bad, base+"alertSeverityColumnName", o.SeverityColumn)
	}
	if o.TacticsColumn != "" {
		validateColumn(bad, base+"alertTacticsColumnName", o.TacticsColumn)
	}
	seen := map[string]bool{}
	for i, dp := range o.DynamicProperties {
		f := fmt.Sprintf("%salertDynamicProperties[%d]", base, i)
		switch c, ok := canonical(alertProperties, dp.Property); {
		case dp.Property == "":
			bad(f+".alertProperty", "missing")
		case !ok || c != dp.Property:
			bad(f+".alertProperty", "%q is not an alert property (%s)", dp.Property, strings.Join(alertProperties, ", "))
		case seen[c]:
			bad(f+".alertProperty", "%q is set twice", dp.Property)
		}
		seen[dp.Property] = true
		validateColumn(bad, f+".value", dp.Column)
	}
}

func validateIncident(d *Definition, inc *IncidentConfiguration, bad badFunc) {
	g := inc.Grouping
	if g == nil {
		return
	}
	const base = "incidentConfiguration.groupingConfiguration."
	if g.LookbackDuration == 0 {
		if g.Enabled {
			bad(base+"lookbackDuration", "missing")
		}
	} else {
		checkRange(bad, base+"lookbackDuration", g.LookbackDuration, MinLookback, MaxLookback)
	}
	switch g.MatchingMethod {
	case AllEntities, AnyAlert, Selected:
	case "":
		if g.Enabled {
			bad(base+"matchingMethod", "missing (AllEntities, AnyAlert or Selected)")
		}
	default:
		bad(base+"matchingMethod", "%q is not a matching method (AllEntities, AnyAlert or Selected)", g.MatchingMethod)
	}
	if g.MatchingMethod == Selected && g.Enabled &&
		len(g.GroupByEntities)+len(g.GroupByAlertDetails)+len(g.GroupByCustomDetails) == 0 {
		bad(base+"matchingMethod", "Selected needs groupByEntities, groupByAlertDetails or groupByCustomDetails")
	}
	mapped := map[EntityType]bool{}
	for _, m := range d.EntityMappings {
		mapped[m.EntityType] = true
	}
	for i, e := range g.GroupByEntities {
		f := fmt.Sprintf("%sgroupByEntities[%d]", base, i)
		if _, ok := entitySpecs[e]; !ok {
			bad(f, "%q is not an entity type (%s)", e, strings.Join(entityTypeNames, ", "))
		} else if !mapped[e] {
			bad(f, "%s is not mapped in entityMappings", e)
		}
	}
	for i, a := range g.GroupByAlertDetails {
		if c, ok := canonical(alertDetails, a); !ok || c != a {
			bad(fmt.Sprintf("%sgroupByAlertDetails[%d]", base, i), "%q is not an alert detail (DisplayName or Severity)", a)
		}
	}
	keys := map[string]bool{}
	for _, c := range d.CustomDetails {
		keys[c.Key] = true
	}
	for i, c := range g.GroupByCustomDetails {
		if !keys[c] {
			bad(fmt.Sprintf("%sgroupByCustomDetails[%d]", base, i), "%q is not defined in customDetails", c)
		}
	}
}
