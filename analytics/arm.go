package analytics

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// armRule is one alert rule resource of an ARM file: its definition (what
// could be read) and what is wrong with it.
type armRule struct {
	def *Definition
	err error
}

// Resource types of Sentinel analytics rules in ARM: the workspace
// provider form of templates, and the extension resource of the REST API.
var armRuleTypes = []string{
	"Microsoft.OperationalInsights/workspaces/providers/alertRules",
	"Microsoft.SecurityInsights/alertRules",
}

// armTemplateFields are the top-level fields of an ARM deployment template.
// Only resources matter; the others are accepted and not interpreted.
var armTemplateFields = []string{"$schema", "contentVersion", "parameters", "variables", "functions",
	"outputs", "metadata", "apiProfile", "resources"}

// ParseARM imports the Sentinel analytics rules of an ARM file: a
// deployment template (as the Sentinel portal exports rules) whose
// resources are of type Microsoft.OperationalInsights/workspaces/providers/alertRules
// or Microsoft.SecurityInsights/alertRules, a REST list ({"value": […]}),
// or a single rule resource. Each resource has a kind (Scheduled, NRT,
// MicrosoftSecurityIncidentCreation) and properties with Sentinel's ARM
// names (displayName, queryFrequency as ISO 8601, triggerOperator
// GreaterThan, techniques and subTechniques, …); the rule's ID is the GUID
// at the end of the resource name.
//
// ParseARM returns the rules that import; when some do not, it also
// returns an *Error naming each field at fault (paths start at the
// resource, e.g. resources[1].properties.queryPeriod). ARM expressions
// ("[parameters('x')]") are refused in rule properties: export the rule
// with its values.
func (im *Importer) ParseARM(data []byte) ([]Definition, error) {
	rules, err := im.parseARM(data)
	if err != nil {
		return nil, err
	}
	var defs []Definition
	var all FieldErrors
	for _, r := range rules {
		if r.err != nil {
			all = append(all, errorFields(r.err)...)
			continue
		}
		defs = append(defs, *r.def)
	}
	if len(all) > 0 {
		return defs, &Error{Fields: all}
	}
	return defs, nil
}

// parseARM reads every rule resource; the error is for a file that holds
// no rule at all or cannot be read.
func (im *Importer) parseARM(data []byte) ([]armRule, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("file is larger than %d bytes", maxFileSize)
	}
	root, err := jsonNode(data)
	if err != nil {
		return nil, &Error{Fields: FieldErrors{{Message: err.Error()}}}
	}
	var resources []*yaml.Node
	var base []string
	fail := func(n *yaml.Node, path, format string, args ...any) ([]armRule, error) {
		var p problems
		p.add(path, n.Line, n.Column, format, args...)
		return nil, &Error{Fields: p.errs}
	}
	switch {
	case root.Kind == yaml.SequenceNode:
		for i, c := range root.Content {
			resources = append(resources, c)
			base = append(base, fmt.Sprintf("[%d].", i))
		}
	case root.Kind != yaml.MappingNode:
		return fail(root, "", "expected an ARM template, a REST list of alert rules or one alert rule, found %s", describe(root))
	case mapValue(root, "resources") != nil || mapValue(root, "$schema") != nil:
		dc := newDecoder()
		var list *yaml.Node
		dc.fields(root, at{}, []field{{name: "resources", set: func(n *yaml.Node, a at) { list = n }}},
			func(key string, _, _ *yaml.Node) bool {
				_, ok := canonical(armTemplateFields, key)
				return ok
			})
		if len(dc.p.errs) > 0 {
			return nil, &Error{Fields: dc.p.errs}
		}
		if list == nil || list.Kind != yaml.SequenceNode {
			return fail(root, "resources", "expected a list of resources")
		}
		for i, c := range list.Content {
			resources = append(resources, c)
			base = append(base, fmt.Sprintf("resources[%d].", i))
		}
	case mapValue(root, "value") != nil && mapValue(root, "properties") == nil:
		dc := newDecoder()
		var list *yaml.Node
		dc.fields(root, at{}, []field{
			{name: "value", set: func(n *yaml.Node, a at) { list = n }},
			{name: "nextLink", set: func(*yaml.Node, at) {}},
		}, nil)
		if len(dc.p.errs) > 0 {
			return nil, &Error{Fields: dc.p.errs}
		}
		if list.Kind != yaml.SequenceNode {
			return fail(list, "value", "expected a list of alert rules, found %s", describe(list))
		}
		for i, c := range list.Content {
			resources = append(resources, c)
			base = append(base, fmt.Sprintf("value[%d].", i))
		}
	default:
		resources, base = []*yaml.Node{root}, []string{""}
	}
	if len(resources) == 0 {
		return fail(root, "", "no alert rule resources")
	}
	var out []armRule
	for i, r := range resources {
		out = append(out, im.armResource(r, base[i]))
	}
	return out, nil
}

// mapValue returns the value of key in mapping n, ignoring case.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if strings.EqualFold(n.Content[i].Value, key) {
			return n.Content[i+1]
		}
	}
	return nil
}

var guidFindRE = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// armResource decodes one alert rule resource whose paths start with base.
func (im *Importer) armResource(n *yaml.Node, base string) armRule {
	dc := newDecoder()
	dc.arm = true
	if t := mapValue(n, "type"); t != nil && t.Kind == yaml.ScalarNode {
		if _, ok := canonical(armRuleTypes, t.Value); !ok {
			dc.fail(t, at{src: base + "type"}, "%q is not a Sentinel analytics rule (%s)", t.Value, strings.Join(armRuleTypes, " or "))
			return armRule{err: &Error{Fields: dc.p.errs}}
		}
	}
	d := &Definition{Enabled: true}
	var props *yaml.Node
	var nameID, idID string
	res := at{src: strings.TrimSuffix(base, ".")}
	present := dc.fields(n, res, []field{
		{name: "type", set: func(n *yaml.Node, a at) { dc.plainStr(n, a) }},
		{name: "apiVersion", set: func(*yaml.Node, at) {}},
		{name: "etag", set: func(*yaml.Node, at) {}},
		{name: "scope", set: func(*yaml.Node, at) {}},
		{name: "dependsOn", set: func(*yaml.Node, at) {}},
		{name: "systemData", set: func(*yaml.Node, at) {}},
		{name: "name", v: "id", set: func(n *yaml.Node, a at) {
			s, _ := dc.plainStr(n, a)
			nameID = lastGUID(s)
		}},
		{name: "id", v: "resourceId", set: func(n *yaml.Node, a at) {
			s, _ := dc.plainStr(n, a)
			idID = lastGUID(s)
		}},
		{name: "kind", set: func(n *yaml.Node, a at) {
			s, _ := dc.plainStr(n, a)
			d.Kind = parseKind(s)
			if d.Kind == Hunting {
				d.Kind = Kind(s) // hunting queries are not alert rules
			}
		}},
		{name: "properties", set: func(n *yaml.Node, a at) { props = n }},
	}, nil)
	switch {
	case nameID != "":
		d.ID = nameID
	case idID != "":
		d.ID = idID
	case present["name"] || present["id"]:
		dc.fail(mapValue(n, "name"), at{src: base + "name", v: "id"}, "no rule GUID at the end of the resource name")
	}
	if !present["kind"] {
		d.Kind = ""
	}
	if props == nil {
		if !present["properties"] {
			dc.fail(n, at{src: base + "properties"}, "missing")
		}
	} else {
		var ms MicrosoftSecurityFilter
		pa := at{src: base + "properties"}
		pp := dc.fields(props, pa, append([]field{
			{name: "displayName", v: "name", set: func(n *yaml.Node, a at) { d.Name, _ = dc.str(n, a) }},
			{name: "techniques", v: "relevantTechniques", set: func(n *yaml.Node, a at) {
				d.Techniques = append(dc.strList(n, a), d.Techniques...)
			}},
			{name: "subTechniques", v: "relevantSubTechniques", set: func(n *yaml.Node, a at) {
				d.Techniques = append(d.Techniques, dc.strList(n, a)...)
			}},
			// Read-only, set by the service.
			{name: "lastModifiedUtc", set: func(*yaml.Node, at) {}},
			{name: "startTimeUtc", set: func(n *yaml.Node, a at) {
				dc.fail(n, a, "not supported (a scheduled rule first runs when it is enabled)")
			}},
			{name: "sentinelEntitiesMappings", set: func(n *yaml.Node, a at) {
				if n.Kind != yaml.SequenceNode || len(n.Content) > 0 {
					dc.fail(n, a, "not supported (map the columns in entityMappings)")
				}
			}},
		}, dc.ruleFields(d, &ms)...), nil)
		if d.Kind == MicrosoftSecurityIncidentCreation || pp["productFilter"] || pp["severitiesFilter"] ||
			pp["displayNamesFilter"] || pp["displayNamesExcludeFilter"] {
			d.MicrosoftSecurity = &ms
		}
	}
	switch d.Kind {
	case Scheduled, NRT, MicrosoftSecurityIncidentCreation:
	case "":
		dc.fail(n, at{src: base + "kind", v: "kind"}, "missing (Scheduled, NRT or MicrosoftSecurityIncidentCreation)")
	default:
		dc.fail(mapValue(n, "kind"), at{src: base + "kind", v: "kind"}, "%q is not a supported alert rule kind (Scheduled, NRT or MicrosoftSecurityIncidentCreation)", d.Kind)
	}
	dc.validate(d, armPath(base))
	if !dc.failed["query"] && !dc.failed["kind"] {
		im.checkQuery(d, &dc.p, func(e *FieldError) {
			dc.locate(e)
			e.Path = armPath(base)(e.Path)
		})
	}
	if len(dc.p.errs) > 0 {
		return armRule{def: d, err: &Error{Fields: sortedByLine(dc.p.errs)}}
	}
	return armRule{def: d}
}

// armPath turns a Validate path (YAML names) into the path of the same
// field in an ARM resource.
func armPath(base string) func(string) string {
	return func(p string) string {
		i := strings.IndexAny(p, ".[")
		seg, rest := p, ""
		if i >= 0 {
			seg, rest = p[:i], p[i:]
		}
		switch seg {
		case "id":
			return base + "name" + rest
		case "kind":
			return base + "kind" + rest
		case "name":
			seg = "displayName"
		case "relevantTechniques":
			seg = "techniques"
		}
		return base + "properties." + seg + rest
	}
}

func lastGUID(s string) string {
	all := guidFindRE.FindAllString(s, -1)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

// isARMExpression reports whether an ARM string is a template expression
// ("[concat(…)]"); "[[" escapes a literal bracket.
func isARMExpression(s string) bool {
	return strings.HasPrefix(s, "[") && !strings.HasPrefix(s, "[[") && strings.HasSuffix(s, "]")
}
