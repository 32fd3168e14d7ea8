package incidents

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Entity is an entity of an incident's alerts.
type Entity struct {
	// Type is the lower-case type of Sentinel's entity JSON (account,
	// host, ip, process, file, filehash, url, dns, registry-key, …).
	Type string `json:"type"`
	// Name says which entity it is, for people: DOMAIN\user, a host name,
	// an address, a command line, a path, ALGORITHM:hash, a URL.
	Name string `json:"name"`
	// Properties are the entity's properties; a reference to another
	// entity is replaced by that entity's Name.
	Properties map[string]any `json:"properties"`
	// AlertIDs are the SystemAlertIds of the incident's alerts that name
	// the entity.
	AlertIDs []string `json:"alertIds,omitempty"`

	key string // identity, for comparing and deduplicating
}

// rawEntity is one entity as parsed, references not yet resolved.
type rawEntity struct {
	typ   string
	props map[string]any
}

// parseEntities reads Sentinel's entity JSON: an array of objects with a
// "$id", a "Type" and properties, where a property refers to another
// entity as {"$ref": "N"} or holds it inline (an object with its own
// "$id" and "Type"), alone or in an array.
func parseEntities(text string) ([]Entity, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var top []any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("entities: %w", err)
	}
	p := &entityParser{byID: map[string]int{}}
	for _, v := range top {
		obj, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if _, isRef := obj["$ref"]; isRef && obj["Type"] == nil {
			continue // the same entity again
		}
		p.add(obj)
	}
	r := &resolver{raw: p.list, byID: p.byID, keys: make([]string, len(p.list)), names: make([]string, len(p.list)), state: make([]int8, len(p.list))}
	out := make([]Entity, 0, len(p.list))
	for i, e := range p.list {
		props := make(map[string]any, len(e.props))
		for k, v := range e.props {
			props[k] = r.display(v)
		}
		out = append(out, Entity{Type: e.typ, Name: r.name(i), Properties: props, key: r.key(i)})
	}
	return out, nil
}

type entityParser struct {
	list []rawEntity
	byID map[string]int
}

// add registers an entity object (and the entities inline in it) and
// returns its index.
func (p *entityParser) add(obj map[string]any) int {
	i := len(p.list)
	p.list = append(p.list, rawEntity{})
	if id, ok := obj["$id"].(string); ok {
		p.byID[id] = i
	}
	typ, _ := obj["Type"].(string)
	props := map[string]any{}
	for k, v := range obj {
		if k == "$id" || k == "Type" {
			continue
		}
		props[k] = p.value(v)
	}
	p.list[i] = rawEntity{typ: strings.ToLower(typ), props: props}
	return i
}

// value replaces inline entities by references to them.
func (p *entityParser) value(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["$id"]; ok {
			if _, ok := v["Type"]; ok {
				return ref(p.add(v))
			}
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = p.value(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = p.value(x)
		}
		return out
	}
	return v
}

// ref is a resolved reference to the entity at an index.
type ref int

type resolver struct {
	raw   []rawEntity
	byID  map[string]int
	keys  []string
	names []string
	state []int8 // 0 not computed, 1 in progress, 2 done
}

// target returns the entity v refers to, if it is a reference.
func (r *resolver) target(v any) (int, bool) {
	switch v := v.(type) {
	case ref:
		return int(v), true
	case map[string]any:
		if len(v) == 1 {
			if id, ok := v["$ref"].(string); ok {
				i, ok := r.byID[id]
				return i, ok
			}
		}
	}
	return 0, false
}

// display is a property value for people: references become the
// referred entity's name.
func (r *resolver) display(v any) any {
	if i, ok := r.target(v); ok {
		return r.name(i)
	}
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = r.display(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.display(x)
		}
		return out
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return float64(n)
		}
		f, _ := v.Float64()
		return f
	}
	return v
}

// identifiers are the properties that identify an entity of each type,
// as Sentinel's entity identifiers; a type not listed is identified by
// all its properties.
var identifiers = map[string][]string{
	"host":              {"HostName", "DnsDomain", "NetBiosName", "AzureID", "OMSAgentID", "MdatpDeviceId"},
	"ip":                {"Address"},
	"process":           {"ProcessId", "CommandLine", "CreationTimeUtc", "Host"},
	"file":              {"Name", "Directory", "Host"},
	"filehash":          {"Algorithm", "Value"},
	"url":               {"Url"},
	"dns":               {"DomainName"},
	"registry-key":      {"Hive", "Key"},
	"registry-value":    {"Key", "Name"},
	"malware":           {"Name", "Category"},
	"cloud-application": {"AppId", "Name", "InstanceName"},
	"azure-resource":    {"ResourceId"},
	"mailbox":           {"MailboxPrimaryAddress"},
	"mail-message":      {"NetworkMessageId", "Recipient"},
	"security-group":    {"SID", "ObjectGuid", "DistinguishedName"},
}

// identifying returns the properties of e that identify it.
func identifying(e rawEntity) []string {
	has := func(names ...string) []string {
		var out []string
		for _, n := range names {
			if _, ok := e.props[n]; ok {
				out = append(out, n)
			}
		}
		return out
	}
	var present []string
	if e.typ == "account" {
		// A directory identifier when there is one; otherwise the name in
		// its domain, or on its host for a local account.
		if present = has("Sid", "AadUserId", "ObjectGuid", "PUID"); len(present) == 0 {
			if present = has("Name", "NTDomain", "UPNSuffix"); len(has("NTDomain", "UPNSuffix")) == 0 {
				present = append(present, has("Host")...)
			}
		}
	} else {
		present = has(identifiers[e.typ]...)
	}
	if len(present) == 0 {
		present = slices.Sorted(maps.Keys(e.props))
	}
	return present
}

// key is the entity's identity: its type and identifying properties,
// references replaced by the referred entity's identity, strings
// lower-cased. Entities with equal keys are the same entity.
func (r *resolver) key(i int) string {
	switch r.state[i] {
	case 2:
		return r.keys[i]
	case 1:
		return "cycle" // a reference loop: stop here
	}
	r.state[i] = 1
	e := r.raw[i]
	present := identifying(e)
	var b strings.Builder
	b.WriteString(normType(e.typ))
	for _, n := range present {
		b.WriteByte('|')
		b.WriteString(strings.ToLower(n))
		b.WriteByte('=')
		r.writeKey(&b, e.props[n])
	}
	r.keys[i], r.state[i] = b.String(), 2
	return r.keys[i]
}

func (r *resolver) writeKey(b *strings.Builder, v any) {
	if i, ok := r.target(v); ok {
		b.WriteByte('(')
		b.WriteString(r.key(i))
		b.WriteByte(')')
		return
	}
	switch v := v.(type) {
	case string:
		b.WriteString(strconv.Quote(strings.ToLower(v)))
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			var sb strings.Builder
			r.writeKey(&sb, x)
			parts[i] = sb.String()
		}
		sort.Strings(parts)
		b.WriteString("[" + strings.Join(parts, ",") + "]")
	case map[string]any:
		b.WriteByte('{')
		for j, k := range slices.Sorted(maps.Keys(v)) {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k) + ":")
			r.writeKey(b, v[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, v)
	}
}

// name says which entity it is, for people.
func (r *resolver) name(i int) string {
	if r.names[i] != "" {
		return r.names[i]
	}
	e := r.raw[i]
	s := func(k string) string {
		v, _ := e.props[k].(string)
		return v
	}
	var n string
	switch e.typ {
	case "account":
		switch {
		case s("NTDomain") != "" && s("Name") != "":
			n = s("NTDomain") + `\` + s("Name")
		case s("UPNSuffix") != "" && s("Name") != "":
			n = s("Name") + "@" + s("UPNSuffix")
		default:
			n = first(s("Name"), s("AadUserId"), s("Sid"), s("ObjectGuid"))
		}
	case "host":
		n = first(s("FQDN"), s("HostName"), s("NetBiosName"), s("AzureID"), s("MdatpDeviceId"))
		if s("FQDN") == "" && s("HostName") != "" && s("DnsDomain") != "" {
			n = s("HostName") + "." + s("DnsDomain")
		}
	case "ip":
		n = s("Address")
	case "process":
		n = first(s("CommandLine"), s("ProcessId"))
	case "file":
		n = s("Name")
		if d := s("Directory"); d != "" && n != "" {
			sep := "/"
			if strings.Contains(d, `\`) {
				sep = `\`
			}
			n = strings.TrimRight(d, `/\`) + sep + n
		}
	case "filehash":
		n = s("Value")
		if a := s("Algorithm"); a != "" && n != "" {
			n = a + ":" + n
		}
	case "url":
		n = s("Url")
	case "dns":
		n = s("DomainName")
	case "registry-key":
		n = s("Key")
		if h := s("Hive"); h != "" {
			n = h + `\` + n
		}
	}
	if n == "" {
		n = first(s("Name"), s("DisplayName"), s("FriendlyName"), s("Address"), s("Url"), s("Value"), s("ResourceId"))
	}
	if n == "" {
		n = e.typ
	}
	r.names[i] = n
	return n
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// normType makes Sentinel's entity type names (RegistryKey, FileHash)
// and the entity JSON's (registry-key, filehash) comparable.
func normType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	return strings.NewReplacer("-", "", "_", "", " ", "").Replace(t)
}
