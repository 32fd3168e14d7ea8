package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/analytics"
)

// Alert provenance of analytics rules.
const (
	ProductName        = "Goshawk Analytics"
	ScheduledProvider  = "Goshawk Scheduled Alerts"
	NRTProvider        = "Goshawk NRT Alerts"
	maxAlertsPerRun    = 150
	maxCustomDetailVal = 10
)

// entityTypes maps Sentinel's entity mapping types to the Type of the
// entity JSON.
var entityTypes = map[analytics.EntityType]string{
	"Account": alerts.TypeAccount, "Host": alerts.TypeHost, "IP": alerts.TypeIP, "Process": alerts.TypeProcess,
	"File": alerts.TypeFile, "FileHash": alerts.TypeFileHash, "URL": alerts.TypeURL, "DNS": alerts.TypeDNS,
	"RegistryKey": alerts.TypeRegKey, "RegistryValue": alerts.TypeRegValue, "Malware": alerts.TypeMalware,
	"CloudApplication": "cloud-application", "AzureResource": "azure-resource", "Mailbox": "mailbox",
	"MailMessage": "MailMessage", "MailCluster": "MailCluster", "SecurityGroup": "security-group",
	"SubmissionMail": "SubmissionMail", "IoTDevice": "iotdevice",
}

// window is one evaluation's time range.
type window struct{ from, to time.Time }

var subTechnique = regexp.MustCompile(`^T\d{4}\.\d{3}$`)

// splitTechniques separates technique ids (T1078) from sub-technique ids
// (T1078.004), adding a sub-technique's parent to the techniques.
func splitTechniques(all []string) (techniques, subs []string) {
	for _, t := range all {
		t = strings.TrimSpace(t)
		if subTechnique.MatchString(t) {
			subs = append(subs, t)
			t = t[:5]
		}
		if t != "" && !slices.Contains(techniques, t) {
			techniques = append(techniques, t)
		}
	}
	return techniques, subs
}

// builder makes a run's alerts.
type builder struct {
	def         *analytics.Definition
	workspaceID string
	w           window
	now         time.Time
	total       int // the query's rows
}

// alerts returns the alerts of a triggered run: one per row (at most 150:
// the 150th sums up the rest) or one for all of them.
func (b *builder) alerts(rows []map[string]any) []alerts.Alert {
	if b.def.Aggregation() == analytics.AlertPerResult {
		var out []alerts.Alert
		for i, row := range rows {
			if i == maxAlertsPerRun-1 && len(rows) > maxAlertsPerRun {
				out = append(out, b.summary(i, rows[i:]))
				break
			}
			out = append(out, b.alert(i, []map[string]any{row}))
		}
		return out
	}
	if len(rows) > maxAlertsPerRun {
		rows = rows[:maxAlertsPerRun]
	}
	return []alerts.Alert{b.alert(0, rows)}
}

// base fills what every alert of the run shares.
func (b *builder) base(i int) alerts.Alert {
	provider := ScheduledProvider
	if b.def.Kind == analytics.NRT {
		provider = NRTProvider
	}
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("%s/%d/%d", strings.ToLower(b.def.ID), b.w.to.UnixNano(), i))).String()
	techniques, subs := splitTechniques(b.def.Techniques)
	a := alerts.Alert{
		SystemAlertID: id, VendorOriginalID: id,
		Name: b.def.Name, Description: b.def.Description, Severity: string(b.def.Severity),
		ProductName: ProductName, ProductComponentName: "Scheduled Alerts", ProviderName: provider, VendorName: "Goshawk",
		AlertType: b.workspaceID + "_" + b.def.ID, Status: alerts.StatusNew,
		Tactics: b.def.Tactics, Techniques: techniques, SubTechniques: subs,
		StartTime: b.w.from, EndTime: b.w.to, TimeGenerated: b.now,
		ExtendedProperties: map[string]string{
			"Analytic Rule Ids":                  jsonString([]string{b.def.ID}),
			"Analytic Rule Name":                 b.def.Name,
			"Event Grouping":                     string(b.def.Aggregation()),
			"Query":                              b.def.Query,
			"Query Start Time UTC":               b.w.from.UTC().Format("2006-01-02 15:04:05Z"),
			"Query End Time UTC":                 b.w.to.UTC().Format("2006-01-02 15:04:05Z"),
			"Search Query Results Overall Count": strconv.Itoa(b.total),
		},
	}
	if b.def.Kind == analytics.NRT {
		a.ProductComponentName = "NRT Alerts"
	} else {
		a.ExtendedProperties["Query Period"] = analytics.FormatDuration(b.def.QueryPeriod)
		a.ExtendedProperties["Trigger Operator"] = string(b.def.TriggerOperator)
		a.ExtendedProperties["Trigger Threshold"] = strconv.Itoa(b.def.TriggerThreshold)
	}
	return a
}

// alert makes the alert of rows (one row per alert, or all of them):
// entities and custom details from every row, overrides from the first.
func (b *builder) alert(i int, rows []map[string]any) alerts.Alert {
	a := b.base(i)
	custom := map[string][]string{}
	var customOrder []string
	for _, row := range rows {
		b.entities(&a.Entities, row)
		for _, cd := range b.def.CustomDetails {
			v := analytics.FormatValue(row[cd.Column])
			if _, seen := custom[cd.Key]; !seen {
				customOrder = append(customOrder, cd.Key)
			}
			if v != "" && len(custom[cd.Key]) < maxCustomDetailVal && !slices.Contains(custom[cd.Key], v) {
				custom[cd.Key] = append(custom[cd.Key], v)
			} else if custom[cd.Key] == nil {
				custom[cd.Key] = []string{}
			}
		}
	}
	if len(customOrder) > 0 {
		b, _ := json.Marshal(custom)
		a.ExtendedProperties["Custom Details"] = string(b)
	}
	if len(rows) > 0 {
		b.override(&a, rows[0])
	}
	return a
}

// summary is the last alert of a run with more results than alerts.
func (b *builder) summary(i int, rest []map[string]any) alerts.Alert {
	a := b.base(i)
	a.Description = fmt.Sprintf("%s This alert sums up %d further results of the rule's run: at most %d alerts are raised per run.",
		strings.TrimSpace(b.def.Description), len(rest), maxAlertsPerRun)
	return a
}

// entities adds the mapped entities of one row; a mapping with no value
// in the row adds nothing.
func (b *builder) entities(es *alerts.Entities, row map[string]any) {
	for _, m := range b.def.EntityMappings {
		props := map[string]any{}
		for _, fm := range m.FieldMappings {
			if v := analytics.FormatValue(row[fm.ColumnName]); v != "" {
				props[fm.Identifier] = v
			}
		}
		if len(props) == 0 {
			continue
		}
		typ, ok := entityTypes[m.EntityType]
		if !ok {
			typ = strings.ToLower(string(m.EntityType))
		}
		es.Add(typ, props)
	}
}

// override applies alertDetailsOverride from a row.
func (b *builder) override(a *alerts.Alert, row map[string]any) {
	o := b.def.AlertDetailsOverride
	if o == nil {
		return
	}
	if o.DisplayNameFormat != "" {
		if n := strings.TrimSpace(analytics.RenderFormat(o.DisplayNameFormat, row)); n != "" {
			a.Name = n
		}
	}
	if o.DescriptionFormat != "" {
		a.Description = analytics.RenderFormat(o.DescriptionFormat, row)
	}
	if o.SeverityColumn != "" {
		v := analytics.FormatValue(row[o.SeverityColumn])
		for _, s := range []string{alerts.SeverityInformational, alerts.SeverityLow, alerts.SeverityMedium, alerts.SeverityHigh} {
			if strings.EqualFold(v, s) {
				a.Severity = s
			}
		}
	}
	if o.TacticsColumn != "" {
		if v := analytics.FormatValue(row[o.TacticsColumn]); v != "" {
			var ts []string
			if err := json.Unmarshal([]byte(v), &ts); err != nil {
				ts = strings.Split(v, ",")
			}
			a.Tactics = nil
			for _, t := range ts {
				if t = strings.TrimSpace(t); t != "" {
					a.Tactics = append(a.Tactics, t)
				}
			}
		}
	}
	for _, p := range o.DynamicProperties {
		v := analytics.FormatValue(row[p.Column])
		if v == "" {
			continue
		}
		switch p.Property {
		case "AlertLink":
			a.AlertLink = v
		case "ConfidenceLevel":
			a.ConfidenceLevel = v
		case "ProductComponentName":
			a.ProductComponentName = v
		case "ProductName":
			a.ProductName = v
		case "ProviderName":
			a.ProviderName = v
		case "RemediationSteps":
			a.RemediationSteps = []string{v}
		case "Techniques":
			var ts []string
			if err := json.Unmarshal([]byte(v), &ts); err != nil {
				ts = strings.Split(v, ",")
			}
			a.Techniques, a.SubTechniques = splitTechniques(ts)
		default:
			a.ExtendedProperties[p.Property] = v
		}
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
