package alerts

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
)

// Entity types, as the Type of Sentinel's entity JSON spells them.
const (
	TypeAccount  = "account"
	TypeHost     = "host"
	TypeIP       = "ip"
	TypeProcess  = "process"
	TypeFile     = "file"
	TypeFileHash = "filehash"
	TypeURL      = "url"
	TypeDNS      = "dns"
	TypeRegKey   = "registry-key"
	TypeRegValue = "registry-value"
	TypeMalware  = "malware"
)

// Entities is an alert's entity list. Add entities in order; an entity
// refers to an earlier one by the Ref that Add returned.
type Entities struct {
	items []entity
}

type entity struct {
	typ   string
	props map[string]any
}

// Ref is a reference to an entity of the list; it marshals as
// {"$ref": "N"}.
type Ref struct{ n int }

// IsZero reports whether r refers to nothing.
func (r Ref) IsZero() bool { return r.n == 0 }

// MarshalJSON implements json.Marshaler.
func (r Ref) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"$ref": strconv.Itoa(r.n)})
}

// Add appends an entity of the given type and returns its reference.
// Properties with zero values (empty strings, nil, zero Refs, empty
// slices) are left out. An entity equal to one already in the list is
// not added twice: its reference is returned.
func (es *Entities) Add(typ string, props map[string]any) Ref {
	clean := make(map[string]any, len(props))
	for k, v := range props {
		if !isZero(v) {
			clean[k] = v
		}
	}
	for i, e := range es.items {
		if e.typ == typ && reflect.DeepEqual(e.props, clean) {
			return Ref{i + 1}
		}
	}
	es.items = append(es.items, entity{typ, clean})
	return Ref{len(es.items)}
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case Ref:
		return v.IsZero()
	case []Ref:
		return len(v) == 0
	case []string:
		return len(v) == 0
	}
	return false
}

// MarshalJSON writes Sentinel's entity array: each entity's "$id" (its
// position from 1), its properties and its "Type".
func (es Entities) MarshalJSON() ([]byte, error) {
	out := make([]json.RawMessage, 0, len(es.items))
	for i, e := range es.items {
		obj := make(map[string]any, len(e.props)+2)
		maps.Copy(obj, e.props)
		obj["$id"] = strconv.Itoa(i + 1)
		obj["Type"] = e.typ
		b, err := marshalOrdered(obj)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return json.Marshal(out)
}

// marshalOrdered writes an object with "$id" first and "Type" last, the
// properties sorted between them, as Sentinel's own rows read.
func marshalOrdered(obj map[string]any) ([]byte, error) {
	keys := slices.Sorted(maps.Keys(obj))
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "$id" || k == "Type" })
	keys = append(append([]string{"$id"}, keys...), "Type")
	buf := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(obj[k])
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, kb...), ':'), vb...)
	}
	return append(buf, '}'), nil
}

// String is the JSON text of the list ("[]" when empty).
func (es Entities) String() string {
	b, err := es.MarshalJSON()
	if err != nil {
		return "[]"
	}
	return string(b)
}
