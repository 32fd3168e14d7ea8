package analytics

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FormatYAML writes d in Sentinel's YAML shape, with the field names and
// order of the Azure/Azure-Sentinel repository (id, name, description,
// severity, requiredDataConnectors, queryFrequency, queryPeriod,
// triggerOperator, triggerThreshold, tactics, relevantTechniques, query,
// entityMappings, customDetails, alertDetailsOverride,
// eventGroupingSettings, incidentConfiguration, version, kind), durations
// in the shorthand (5m, 1h, 14d) and trigger operators short (gt).
// Descriptive metadata is written back where the repository puts it.
// Hunting queries get no kind and no trigger fields, as in the
// repository. ParseYAML of the result gives d back.
//
// FormatYAML does not validate d; it fails only for metadata values YAML
// cannot hold.
func FormatYAML(d Definition) ([]byte, error) {
	w := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
	w.str("id", d.ID)
	w.str("name", d.Name)
	w.str("description", d.Description)
	if err := w.meta(d.Metadata, "description-detailed"); err != nil {
		return nil, err
	}
	if d.Severity != "" {
		w.str("severity", string(d.Severity))
	}
	if err := w.meta(d.Metadata, "status"); err != nil {
		return nil, err
	}
	if len(d.RequiredDataConnectors) > 0 || d.Kind == Scheduled {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, c := range d.RequiredDataConnectors {
			cw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
			cw.str("connectorId", c.ConnectorID)
			cw.strs("dataTypes", c.DataTypes, true)
			seq.Content = append(seq.Content, cw.n)
		}
		w.node("requiredDataConnectors", seq)
	}
	if d.Kind == Scheduled || d.QueryFrequency != 0 || d.QueryPeriod != 0 || d.TriggerOperator != "" {
		w.duration("queryFrequency", d.QueryFrequency)
		w.duration("queryPeriod", d.QueryPeriod)
		op := string(d.TriggerOperator)
		if short, ok := yamlOperator[d.TriggerOperator]; ok {
			op = short
		}
		w.str("triggerOperator", op)
		w.scalar("triggerThreshold", "!!int", strconv.Itoa(d.TriggerThreshold))
	}
	w.strs("tactics", d.Tactics, false)
	w.strs("relevantTechniques", d.Techniques, false)
	if err := w.meta(d.Metadata, "tags"); err != nil {
		return nil, err
	}
	if d.Query != "" {
		w.str("query", d.Query)
	}
	if len(d.EntityMappings) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, m := range d.EntityMappings {
			mw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
			mw.str("entityType", string(m.EntityType))
			fms := &yaml.Node{Kind: yaml.SequenceNode}
			for _, fm := range m.FieldMappings {
				fw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
				fw.str("identifier", fm.Identifier)
				fw.str("columnName", fm.ColumnName)
				fms.Content = append(fms.Content, fw.n)
			}
			mw.node("fieldMappings", fms)
			seq.Content = append(seq.Content, mw.n)
		}
		w.node("entityMappings", seq)
	}
	if len(d.CustomDetails) > 0 {
		cw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
		for _, c := range d.CustomDetails {
			cw.str(c.Key, c.Column)
		}
		w.node("customDetails", cw.n)
	}
	if o := d.AlertDetailsOverride; o != nil {
		ow := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
		ow.optStr("alertDisplayNameFormat", o.DisplayNameFormat)
		ow.optStr("alertDescriptionFormat", o.DescriptionFormat)
		ow.optStr("alertTacticsColumnName", o.TacticsColumn)
		ow.optStr("alertSeverityColumnName", o.SeverityColumn)
		if len(o.DynamicProperties) > 0 {
			seq := &yaml.Node{Kind: yaml.SequenceNode}
			for _, p := range o.DynamicProperties {
				pw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
				pw.str("alertProperty", p.Property)
				pw.str("value", p.Column)
				seq.Content = append(seq.Content, pw.n)
			}
			ow.node("alertDynamicProperties", seq)
		}
		w.node("alertDetailsOverride", ow.n)
	}
	if g := d.EventGrouping; g != nil {
		gw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
		gw.optStr("aggregationKind", string(g.AggregationKind))
		w.node("eventGroupingSettings", gw.n)
	}
	if d.SuppressionEnabled || d.SuppressionDuration != 0 {
		w.boolean("suppressionEnabled", d.SuppressionEnabled)
		w.duration("suppressionDuration", d.SuppressionDuration)
	}
	if inc := d.Incident; inc != nil {
		iw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
		iw.boolean("createIncident", inc.CreateIncident)
		if g := inc.Grouping; g != nil {
			gw := &mapWriter{n: &yaml.Node{Kind: yaml.MappingNode}}
			gw.boolean("enabled", g.Enabled)
			gw.boolean("reopenClosedIncident", g.ReopenClosedIncident)
			if g.LookbackDuration != 0 {
				gw.duration("lookbackDuration", g.LookbackDuration)
			}
			gw.optStr("matchingMethod", string(g.MatchingMethod))
			var ents []string
			for _, e := range g.GroupByEntities {
				ents = append(ents, string(e))
			}
			gw.strs("groupByEntities", ents, false)
			gw.strs("groupByAlertDetails", g.GroupByAlertDetails, false)
			gw.strs("groupByCustomDetails", g.GroupByCustomDetails, false)
			iw.node("groupingConfiguration", gw.n)
		}
		w.node("incidentConfiguration", iw.n)
	}
	if f := d.MicrosoftSecurity; f != nil {
		w.optStr("productFilter", f.Product)
		var sev []string
		for _, s := range f.Severities {
			sev = append(sev, string(s))
		}
		w.strs("severitiesFilter", sev, false)
		w.strs("displayNamesFilter", f.DisplayNames, false)
		w.strs("displayNamesExcludeFilter", f.DisplayNamesExclude, false)
	}
	w.optStr("version", d.Version)
	if d.Kind != Hunting {
		w.optStr("kind", string(d.Kind))
	}
	if !d.Enabled {
		w.boolean("enabled", false)
	}
	w.optStr("alertRuleTemplateName", d.TemplateName)
	w.optStr("templateVersion", d.TemplateVersion)
	for _, k := range []string{"lastUpdatedDateUTC", "createdDateUTC", "metadata"} {
		if err := w.meta(d.Metadata, k); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(w.n); err != nil {
		return nil, fmt.Errorf("format %s as YAML: %w", d.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("format %s as YAML: %w", d.ID, err)
	}
	return buf.Bytes(), nil
}

// mapWriter appends keys and values to a mapping node.
type mapWriter struct{ n *yaml.Node }

func (w *mapWriter) node(key string, v *yaml.Node) {
	w.n.Content = append(w.n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

func (w *mapWriter) scalar(key, tag, value string) {
	w.node(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value})
}

func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func (w *mapWriter) str(key, s string) { w.node(key, strNode(s)) }

func (w *mapWriter) optStr(key, s string) {
	if s != "" {
		w.str(key, s)
	}
}

// strs writes a list of text; an empty list only when always.
func (w *mapWriter) strs(key string, xs []string, always bool) {
	if len(xs) == 0 && !always {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, x := range xs {
		seq.Content = append(seq.Content, strNode(x))
	}
	w.node(key, seq)
}

func (w *mapWriter) boolean(key string, b bool) { w.scalar(key, "!!bool", strconv.FormatBool(b)) }

func (w *mapWriter) duration(key string, d time.Duration) { w.str(key, FormatDuration(d)) }

// meta writes the descriptive field key of m, if present.
func (w *mapWriter) meta(m map[string]any, key string) error {
	v, ok := m[key]
	if !ok {
		return nil
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return fmt.Errorf("format %s as YAML: %w", key, err)
	}
	w.node(key, &n)
	return nil
}
