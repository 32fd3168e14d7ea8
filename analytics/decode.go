package analytics

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The decoder walks a yaml.Node tree (YAML files, and ARM JSON converted
// to the same tree) field by field, so that every key is matched against
// the fields Sentinel defines — ignoring case, as Sentinel's own content
// sometimes varies it — and anything else is refused with its path and
// line instead of being dropped.

// at is where a value sits: its path as the source names it (src) and as
// Validate names it (v, Sentinel's YAML names).
type at struct{ src, v string }

func (a at) key(k string) at { return a.keyAs(k, k) }

// keyAs descends into a field the source calls src and Validate calls v.
func (a at) keyAs(src, v string) at {
	join := func(p, k string) string {
		if p == "" {
			return k
		}
		return p + "." + k
	}
	return at{join(a.src, src), join(a.v, v)}
}

func (a at) index(i int) at {
	s := fmt.Sprintf("[%d]", i)
	return at{a.src + s, a.v + s}
}

type position struct{ line, col int }

type decoder struct {
	p problems
	// pos locates each decoded value by its Validate path, so that
	// Validate's errors can be given lines.
	pos map[string]position
	// arm refuses ARM template expressions in text values.
	arm bool
	// failed holds the Validate paths of values that could not be
	// decoded; Validate's findings under them would only repeat the
	// failure ("missing") and are dropped.
	failed map[string]bool
}

func newDecoder() *decoder { return &decoder{pos: map[string]position{}, failed: map[string]bool{}} }

func (dc *decoder) fail(n *yaml.Node, a at, format string, args ...any) {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	dc.p.add(a.src, line, col, format, args...)
	if a.v != "" {
		dc.failed[a.v] = true
	}
}

// undecoded reports whether the Validate path p lies in, under or above
// a value that could not be decoded: a finding there would only repeat
// the failure (a field "missing" because it was misspelled).
func (dc *decoder) undecoded(p string) bool {
	within := func(inner, outer string) bool {
		return inner == outer || strings.HasPrefix(inner, outer+".") || strings.HasPrefix(inner, outer+"[")
	}
	for f := range dc.failed {
		if within(p, f) || within(f, p) {
			return true
		}
	}
	return false
}

// plainValue converts a descriptive value to Go as written: numbers,
// booleans and null typed, every other scalar (dates included) as text.
func plainValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plainValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = plainValue(c)
		}
		return l
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err == nil {
				return v
			}
		}
		return n.Value
	}
	return nil
}

// mark records where the value at a is, unless already known (a field's
// key line is recorded before its value's).
func (dc *decoder) mark(n *yaml.Node, a at) {
	if _, ok := dc.pos[a.v]; !ok && n != nil {
		dc.pos[a.v] = position{n.Line, n.Column}
	}
}

// locate gives e the line of its field, or of the nearest enclosing one.
func (dc *decoder) locate(e *FieldError) {
	for p := e.Path; p != ""; {
		if pos, ok := dc.pos[p]; ok {
			e.Line, e.Column = pos.line, pos.col
			return
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return
		}
		p = p[:i]
	}
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// str reads a scalar as text.
func (dc *decoder) str(n *yaml.Node, a at) (string, bool) {
	s, ok := dc.plainStr(n, a)
	if ok && dc.arm {
		if isARMExpression(s) {
			dc.fail(n, a, "ARM template expressions such as %q are not supported; export the rule with its values", truncate(s, 40))
			return "", false
		}
		if strings.HasPrefix(s, "[[") {
			s = s[1:]
		}
	}
	return s, ok
}

// plainStr reads a scalar as text, as written.
func (dc *decoder) plainStr(n *yaml.Node, a at) (string, bool) {
	dc.mark(n, a)
	if n.Kind != yaml.ScalarNode {
		dc.fail(n, a, "expected text, found %s", describe(n))
		return "", false
	}
	return n.Value, true
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (dc *decoder) boolean(n *yaml.Node, a at) (bool, bool) {
	dc.mark(n, a)
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	dc.fail(n, a, "expected true or false, found %s", describe(n))
	return false, false
}

func (dc *decoder) integer(n *yaml.Node, a at) (int, bool) {
	dc.mark(n, a)
	if n.Kind == yaml.ScalarNode {
		if v, err := strconv.ParseInt(n.Value, 10, 32); err == nil {
			return int(v), true
		}
	}
	dc.fail(n, a, "expected a whole number, found %s", describe(n))
	return 0, false
}

func (dc *decoder) duration(n *yaml.Node, a at) (time.Duration, bool) {
	s, ok := dc.str(n, a)
	if !ok {
		return 0, false
	}
	v, err := ParseDuration(s)
	if err != nil {
		dc.fail(n, a, "%v", err)
		return 0, false
	}
	return v, true
}

// list calls item for each element of a sequence; null is an empty list.
func (dc *decoder) list(n *yaml.Node, a at, item func(*yaml.Node, at)) {
	dc.mark(n, a)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		dc.fail(n, a, "expected a list, found %s", describe(n))
		return
	}
	for i, c := range n.Content {
		ia := a.index(i)
		dc.mark(c, ia)
		item(c, ia)
	}
}

func (dc *decoder) strList(n *yaml.Node, a at) []string {
	var out []string
	dc.list(n, a, func(c *yaml.Node, ia at) {
		if s, ok := dc.str(c, ia); ok {
			out = append(out, s)
		}
	})
	return out
}

// field is one key a mapping may hold.
type field struct {
	name string // canonical spelling in the source
	v    string // Validate's name for it, when it differs
	set  func(n *yaml.Node, a at)
}

// ruleFields are the fields Sentinel's YAML and ARM JSON spell alike: the
// decoders of both take them, besides their own.
func (dc *decoder) ruleFields(d *Definition, ms *MicrosoftSecurityFilter) []field {
	return []field{
		{name: "description", set: func(n *yaml.Node, a at) { d.Description, _ = dc.str(n, a) }},
		{name: "severity", set: func(n *yaml.Node, a at) {
			s, _ := dc.str(n, a)
			d.Severity = parseSeverity(s)
		}},
		{name: "enabled", set: func(n *yaml.Node, a at) { d.Enabled, _ = dc.boolean(n, a) }},
		{name: "query", set: func(n *yaml.Node, a at) { d.Query, _ = dc.str(n, a) }},
		{name: "queryFrequency", set: func(n *yaml.Node, a at) { d.QueryFrequency, _ = dc.duration(n, a) }},
		{name: "queryPeriod", set: func(n *yaml.Node, a at) { d.QueryPeriod, _ = dc.duration(n, a) }},
		{name: "triggerOperator", set: func(n *yaml.Node, a at) {
			s, _ := dc.str(n, a)
			if op, ok := parseTriggerOperator(s); ok {
				d.TriggerOperator = op
			} else {
				d.TriggerOperator = TriggerOperator(s)
			}
		}},
		{name: "triggerThreshold", set: func(n *yaml.Node, a at) { d.TriggerThreshold, _ = dc.integer(n, a) }},
		{name: "suppressionEnabled", set: func(n *yaml.Node, a at) { d.SuppressionEnabled, _ = dc.boolean(n, a) }},
		{name: "suppressionDuration", set: func(n *yaml.Node, a at) { d.SuppressionDuration, _ = dc.duration(n, a) }},
		{name: "tactics", set: func(n *yaml.Node, a at) { d.Tactics = canonicalList(tactics, dc.strList(n, a)) }},
		{name: "alertRuleTemplateName", set: func(n *yaml.Node, a at) { d.TemplateName, _ = dc.str(n, a) }},
		{name: "templateVersion", set: func(n *yaml.Node, a at) { d.TemplateVersion, _ = dc.str(n, a) }},
		{name: "entityMappings", set: func(n *yaml.Node, a at) { d.EntityMappings = dc.entityMappings(n, a) }},
		{name: "customDetails", set: func(n *yaml.Node, a at) { d.CustomDetails = dc.customDetails(n, a) }},
		{name: "alertDetailsOverride", set: func(n *yaml.Node, a at) { d.AlertDetailsOverride = dc.alertDetailsOverride(n, a) }},
		{name: "eventGroupingSettings", set: func(n *yaml.Node, a at) { d.EventGrouping = dc.eventGrouping(n, a) }},
		{name: "incidentConfiguration", set: func(n *yaml.Node, a at) { d.Incident = dc.incident(n, a) }},
		{name: "productFilter", set: func(n *yaml.Node, a at) {
			ms.Product, _ = dc.str(n, a)
			if c, ok := canonical(products, ms.Product); ok {
				ms.Product = c
			}
		}},
		{name: "severitiesFilter", set: func(n *yaml.Node, a at) {
			for _, s := range dc.strList(n, a) {
				ms.Severities = append(ms.Severities, parseSeverity(s))
			}
		}},
		{name: "displayNamesFilter", set: func(n *yaml.Node, a at) { ms.DisplayNames = dc.strList(n, a) }},
		{name: "displayNamesExcludeFilter", set: func(n *yaml.Node, a at) { ms.DisplayNamesExclude = dc.strList(n, a) }},
	}
}

// fields matches the keys of mapping n against fs (ignoring case) and
// calls each one's set; null values count as absent. A key matching none
// of them is refused, unless other accepts it; also lists the names other
// accepts, for suggestions. It returns the canonical names of the keys
// present.
func (dc *decoder) fields(n *yaml.Node, a at, fs []field, other func(key string, k, v *yaml.Node) bool, also ...string) map[string]bool {
	dc.mark(n, a)
	present := map[string]bool{}
	if n.Kind != yaml.MappingNode {
		dc.fail(n, a, "expected a mapping, found %s", describe(n))
		return present
	}
	seen := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			dc.fail(k, a, "a key is %s, not a name", describe(k))
			continue
		}
		lower := strings.ToLower(k.Value)
		if first, dup := seen[lower]; dup {
			dc.fail(k, a.key(k.Value), "defined twice (first as %q)", first)
			continue
		}
		seen[lower] = k.Value
		var f *field
		for j := range fs {
			if strings.EqualFold(fs[j].name, k.Value) {
				f = &fs[j]
				break
			}
		}
		if f == nil {
			if other != nil && other(k.Value, k, v) {
				continue
			}
			msg := "unknown field"
			names := append([]string(nil), also...)
			for _, f := range fs {
				names = append(names, f.name)
			}
			if s := suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			dc.fail(k, at{src: a.key(k.Value).src}, "%s", msg)
			if a.v != "" {
				dc.failed[a.v] = true
			}
			continue
		}
		vname := f.v
		if vname == "" {
			vname = f.name
		}
		fa := a.keyAs(f.name, vname)
		dc.mark(k, fa)
		if isNull(v) {
			continue
		}
		present[f.name] = true
		f.set(v, fa)
	}
	return present
}

// suggest returns the name in names closest to s, if it is close: a few
// edits away, or one a prefix of the other.
func suggest(s string, names []string) string {
	ls := strings.ToLower(s)
	best, bestD := "", 3
	for _, n := range names {
		ln := strings.ToLower(n)
		d := editDistance(ls, ln)
		if len(ls) >= 3 && len(ln) >= 3 && (strings.HasPrefix(ln, ls) || strings.HasPrefix(ls, ln)) && d > 1 {
			d = 2
		}
		if d < bestD {
			best, bestD = n, d
		}
	}
	if bestD > 2 || bestD*3 > len(ls) {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// noAliases refuses anchors' aliases anywhere in the tree: Sentinel
// content has none, and following them could multiply the work.
func (dc *decoder) noAliases(n *yaml.Node, depth int) bool {
	if n == nil {
		return true
	}
	if depth > 100 {
		dc.p.add("", n.Line, n.Column, "nested more than 100 levels deep")
		return false
	}
	if n.Kind == yaml.AliasNode {
		dc.p.add("", n.Line, n.Column, "line %d: YAML aliases (*%s) are not supported", n.Line, n.Value)
		return false
	}
	for _, c := range n.Content {
		if !dc.noAliases(c, depth+1) {
			return false
		}
	}
	return true
}

// The parts shared by YAML and ARM.

func (dc *decoder) dataConnectors(n *yaml.Node, a at) []DataConnector {
	var out []DataConnector
	dc.list(n, a, func(c *yaml.Node, ia at) {
		var dcn DataConnector
		dc.fields(c, ia, []field{
			{name: "connectorId", set: func(n *yaml.Node, a at) { dcn.ConnectorID, _ = dc.str(n, a) }},
			{name: "dataTypes", set: func(n *yaml.Node, a at) { dcn.DataTypes = dc.strList(n, a) }},
		}, nil)
		out = append(out, dcn)
	})
	return out
}

func (dc *decoder) entityMappings(n *yaml.Node, a at) []EntityMapping {
	var out []EntityMapping
	dc.list(n, a, func(c *yaml.Node, ia at) {
		var m EntityMapping
		dc.fields(c, ia, []field{
			{name: "entityType", set: func(n *yaml.Node, a at) {
				s, _ := dc.str(n, a)
				if t, ok := parseEntityType(s); ok {
					m.EntityType = t
				} else {
					m.EntityType = EntityType(s)
				}
			}},
			{name: "fieldMappings", set: func(n *yaml.Node, a at) {
				dc.list(n, a, func(c *yaml.Node, ia at) {
					var fm FieldMapping
					dc.fields(c, ia, []field{
						{name: "identifier", set: func(n *yaml.Node, a at) { fm.Identifier, _ = dc.str(n, a) }},
						{name: "columnName", set: func(n *yaml.Node, a at) { fm.ColumnName, _ = dc.str(n, a) }},
					}, nil)
					m.FieldMappings = append(m.FieldMappings, fm)
				})
			}},
		}, nil)
		// Identifiers are matched ignoring case, like keys.
		for i, fm := range m.FieldMappings {
			if id, ok := canonical(entitySpecs[m.EntityType].identifiers, fm.Identifier); ok {
				m.FieldMappings[i].Identifier = id
			}
		}
		out = append(out, m)
	})
	return out
}

func (dc *decoder) customDetails(n *yaml.Node, a at) []CustomDetail {
	dc.mark(n, a)
	if n.Kind != yaml.MappingNode {
		dc.fail(n, a, "expected a mapping of detail names to columns, found %s", describe(n))
		return nil
	}
	var out []CustomDetail
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ka := a.key(k.Value)
		if k.Kind != yaml.ScalarNode {
			dc.fail(k, a, "a detail name is %s", describe(k))
			continue
		}
		if seen[k.Value] {
			dc.fail(k, ka, "defined twice")
			continue
		}
		seen[k.Value] = true
		dc.mark(k, ka)
		if col, ok := dc.str(v, ka); ok {
			out = append(out, CustomDetail{Key: k.Value, Column: col})
		}
	}
	return out
}

func (dc *decoder) alertDetailsOverride(n *yaml.Node, a at) *AlertDetailsOverride {
	o := &AlertDetailsOverride{}
	dc.fields(n, a, []field{
		{name: "alertDisplayNameFormat", set: func(n *yaml.Node, a at) { o.DisplayNameFormat, _ = dc.str(n, a) }},
		{name: "alertDescriptionFormat", set: func(n *yaml.Node, a at) { o.DescriptionFormat, _ = dc.str(n, a) }},
		{name: "alertSeverityColumnName", set: func(n *yaml.Node, a at) { o.SeverityColumn, _ = dc.str(n, a) }},
		{name: "alertTacticsColumnName", set: func(n *yaml.Node, a at) { o.TacticsColumn, _ = dc.str(n, a) }},
		{name: "alertDynamicProperties", set: func(n *yaml.Node, a at) {
			dc.list(n, a, func(c *yaml.Node, ia at) {
				var p AlertDynamicProperty
				dc.fields(c, ia, []field{
					{name: "alertProperty", set: func(n *yaml.Node, a at) {
						p.Property, _ = dc.str(n, a)
						if c, ok := canonical(alertProperties, p.Property); ok {
							p.Property = c
						}
					}},
					{name: "value", set: func(n *yaml.Node, a at) { p.Column, _ = dc.str(n, a) }},
				}, nil)
				o.DynamicProperties = append(o.DynamicProperties, p)
			})
		}},
	}, nil)
	return o
}

func (dc *decoder) eventGrouping(n *yaml.Node, a at) *EventGrouping {
	g := &EventGrouping{}
	dc.fields(n, a, []field{
		{name: "aggregationKind", set: func(n *yaml.Node, a at) {
			s, _ := dc.str(n, a)
			if c, ok := canonical([]string{string(SingleAlert), string(AlertPerResult)}, s); ok {
				s = c
			}
			g.AggregationKind = AggregationKind(s)
		}},
	}, nil)
	return g
}

func (dc *decoder) incident(n *yaml.Node, a at) *IncidentConfiguration {
	inc := &IncidentConfiguration{CreateIncident: true}
	dc.fields(n, a, []field{
		{name: "createIncident", set: func(n *yaml.Node, a at) { inc.CreateIncident, _ = dc.boolean(n, a) }},
		{name: "groupingConfiguration", set: func(n *yaml.Node, a at) {
			g := &GroupingConfiguration{}
			inc.Grouping = g
			dc.fields(n, a, []field{
				{name: "enabled", set: func(n *yaml.Node, a at) { g.Enabled, _ = dc.boolean(n, a) }},
				{name: "reopenClosedIncident", set: func(n *yaml.Node, a at) { g.ReopenClosedIncident, _ = dc.boolean(n, a) }},
				{name: "lookbackDuration", set: func(n *yaml.Node, a at) {
					g.LookbackDuration, _ = dc.duration(n, a)
				}},
				{name: "matchingMethod", set: func(n *yaml.Node, a at) {
					s, _ := dc.str(n, a)
					if c, ok := canonical([]string{string(AllEntities), string(AnyAlert), string(Selected)}, s); ok {
						s = c
					}
					g.MatchingMethod = MatchingMethod(s)
				}},
				{name: "groupByEntities", set: func(n *yaml.Node, a at) {
					for _, s := range dc.strList(n, a) {
						t, ok := parseEntityType(s)
						if !ok {
							t = EntityType(s)
						}
						g.GroupByEntities = append(g.GroupByEntities, t)
					}
				}},
				{name: "groupByAlertDetails", set: func(n *yaml.Node, a at) {
					for _, s := range dc.strList(n, a) {
						if c, ok := canonical(alertDetails, s); ok {
							s = c
						}
						g.GroupByAlertDetails = append(g.GroupByAlertDetails, s)
					}
				}},
				{name: "groupByCustomDetails", set: func(n *yaml.Node, a at) { g.GroupByCustomDetails = dc.strList(n, a) }},
			}, nil)
		}},
	}, nil)
	return inc
}

// canonicalList canonicalizes the members of xs found in set.
func canonicalList(set, xs []string) []string {
	for i, x := range xs {
		if c, ok := canonical(set, x); ok {
			xs[i] = c
		}
	}
	return xs
}

func parseSeverity(s string) Severity {
	if c, ok := canonical(severities, s); ok {
		return Severity(c)
	}
	return Severity(s)
}

func parseKind(s string) Kind {
	if c, ok := canonical([]string{string(Scheduled), string(NRT), string(MicrosoftSecurityIncidentCreation), string(Hunting)}, s); ok {
		return Kind(c)
	}
	return Kind(s)
}
