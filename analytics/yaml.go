package analytics

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DescriptiveFields are the YAML fields that only describe a definition.
// They are accepted and kept verbatim in Definition.Metadata (and written
// back by FormatYAML), never interpreted: status, tags, metadata (source,
// author, support, categories), description-detailed (hunting queries),
// lastUpdatedDateUTC and createdDateUTC.
var DescriptiveFields = []string{"status", "tags", "metadata", "description-detailed", "lastUpdatedDateUTC", "createdDateUTC"}

// maxFileSize bounds what ParseYAML and ParseARM read.
const maxFileSize = 4 << 20

// decodeYAML turns Sentinel's YAML into a Definition, reporting every
// field it cannot take. It does not validate.
func decodeYAML(data []byte) (*Definition, *decoder) {
	dc := newDecoder()
	if len(data) > maxFileSize {
		dc.p.add("", 0, 0, "file is larger than %d bytes", maxFileSize)
		return nil, dc
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			dc.p.add("", 0, 0, "empty file")
		} else {
			dc.p.add("", 0, 0, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return nil, dc
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		dc.p.add("", more.Line, more.Column, "more than one YAML document (only one definition per file)")
		return nil, dc
	} else if !errors.Is(err, io.EOF) {
		dc.p.add("", 0, 0, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, dc
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if !dc.noAliases(root, 0) {
		return nil, dc
	}
	if isNull(root) {
		dc.p.add("", 0, 0, "empty file")
		return nil, dc
	}
	if root.Kind != yaml.MappingNode {
		dc.p.add("", root.Line, root.Column, "expected a mapping of Sentinel's fields, found %s", describe(root))
		return nil, dc
	}
	d := &Definition{Enabled: true}
	var ms MicrosoftSecurityFilter
	top := at{}
	present := dc.fields(root, top, append([]field{
		{name: "id", set: func(n *yaml.Node, a at) { d.ID, _ = dc.str(n, a) }},
		{name: "name", set: func(n *yaml.Node, a at) { d.Name, _ = dc.str(n, a) }},
		{name: "kind", set: func(n *yaml.Node, a at) {
			s, _ := dc.str(n, a)
			d.Kind = parseKind(s)
		}},
		{name: "requiredDataConnectors", set: func(n *yaml.Node, a at) { d.RequiredDataConnectors = dc.dataConnectors(n, a) }},
		{name: "relevantTechniques", set: func(n *yaml.Node, a at) { d.Techniques = dc.strList(n, a) }},
		{name: "version", set: func(n *yaml.Node, a at) { d.Version, _ = dc.str(n, a) }}}, dc.ruleFields(d, &ms)...), func(key string, k, v *yaml.Node) bool {
		name, ok := canonical(DescriptiveFields, key)
		if !ok {
			return false
		}
		if isNull(v) {
			return true
		}
		if d.Metadata == nil {
			d.Metadata = map[string]any{}
		}
		d.Metadata[name] = plainValue(v)
		return true
	}, DescriptiveFields...)
	if present["productFilter"] || present["severitiesFilter"] || present["displayNamesFilter"] || present["displayNamesExcludeFilter"] {
		d.MicrosoftSecurity = &ms
	}
	if !present["kind"] {
		// Sentinel's hunting queries have no kind and no trigger fields;
		// its scheduled rule templates sometimes omit the kind.
		switch {
		case present["queryFrequency"] || present["queryPeriod"] || present["triggerOperator"] || present["triggerThreshold"]:
			d.Kind = Scheduled
		case d.MicrosoftSecurity != nil:
			d.Kind = MicrosoftSecurityIncidentCreation
		default:
			d.Kind = Hunting
		}
	}
	return d, dc
}

// validate runs Validate on a decoded definition, giving each
// error the source's path and line.
func (dc *decoder) validate(d *Definition, srcPath func(string) string) {
	var p problems
	validate(d, &p)
	for _, e := range p.errs {
		if dc.undecoded(e.Path) {
			continue
		}
		if e.Path == "query" || e.Path == "kind" {
			dc.failed[e.Path] = true // nothing to bind, or no kind to check for
		}
		dc.locate(e)
		e.Path = srcPath(e.Path)
		dc.p.errs = append(dc.p.errs, e)
	}
}

// kindOf names the kind a definition that failed to import would have had,
// for Result.Kind.
func kindOf(d *Definition) Kind {
	if d == nil {
		return ""
	}
	switch d.Kind {
	case Scheduled, NRT, MicrosoftSecurityIncidentCreation, Hunting:
		return d.Kind
	}
	return ""
}
