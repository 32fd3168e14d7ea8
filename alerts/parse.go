package alerts

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FromRow reads an alert back from a SecurityAlert row keyed by column
// name (as a KQL result gives it: times as time.Time, the JSON columns as
// strings). Entities keep their order and references.
func FromRow(row map[string]any) (Alert, error) {
	s := func(k string) string {
		v, _ := row[k].(string)
		return v
	}
	t := func(k string) time.Time {
		v, _ := row[k].(time.Time)
		return v
	}
	a := Alert{
		SystemAlertID: s("SystemAlertId"), VendorOriginalID: s("VendorOriginalId"),
		Name: s("AlertName"), Description: s("Description"), Severity: s("AlertSeverity"),
		ProductName: s("ProductName"), ProductComponentName: s("ProductComponentName"),
		ProviderName: s("ProviderName"), VendorName: s("VendorName"), AlertType: s("AlertType"), Status: s("Status"),
		StartTime: t("StartTime"), EndTime: t("EndTime"), TimeGenerated: t("TimeGenerated"),
		CompromisedEntity: s("CompromisedEntity"), ConfidenceLevel: s("ConfidenceLevel"),
		ResourceID: s("ResourceId"), SourceComputerID: s("SourceComputerId"), AlertLink: s("AlertLink"),
	}
	if a.Name == "" {
		a.Name = s("DisplayName")
	}
	for _, tac := range strings.Split(s("Tactics"), ",") {
		if tac = strings.TrimSpace(tac); tac != "" {
			a.Tactics = append(a.Tactics, tac)
		}
	}
	for k, dst := range map[string]*[]string{"Techniques": &a.Techniques, "SubTechniques": &a.SubTechniques, "RemediationSteps": &a.RemediationSteps} {
		if v := s(k); v != "" {
			if err := json.Unmarshal([]byte(v), dst); err != nil {
				return a, fmt.Errorf("SecurityAlert %s: %s: %w", a.SystemAlertID, k, err)
			}
		}
	}
	if v := s("ExtendedProperties"); v != "" && v != "{}" {
		var raw map[string]any
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			return a, fmt.Errorf("SecurityAlert %s: ExtendedProperties: %w", a.SystemAlertID, err)
		}
		a.ExtendedProperties = map[string]string{}
		for k, x := range raw {
			if str, ok := x.(string); ok {
				a.ExtendedProperties[k] = str
			} else {
				b, _ := json.Marshal(x)
				a.ExtendedProperties[k] = string(b)
			}
		}
	}
	if v := s("Entities"); v != "" {
		es, err := ParseEntities(v)
		if err != nil {
			return a, fmt.Errorf("SecurityAlert %s: Entities: %w", a.SystemAlertID, err)
		}
		a.Entities = es
	}
	return a, nil
}

// ParseEntities reads Sentinel's entity JSON. References ({"$ref": "N"})
// become Refs to the entity whose $id is N.
func ParseEntities(text string) (Entities, error) {
	var raw []map[string]any
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return Entities{}, err
	}
	pos := map[string]int{} // $id → position from 1
	for i, obj := range raw {
		if id, ok := obj["$id"].(string); ok {
			pos[id] = i + 1
		}
	}
	var es Entities
	for _, obj := range raw {
		typ, _ := obj["Type"].(string)
		props := map[string]any{}
		for k, v := range obj {
			if k == "$id" || k == "Type" {
				continue
			}
			props[k] = resolveRefs(v, pos)
		}
		es.items = append(es.items, entity{typ: typ, props: props})
	}
	return es, nil
}

// resolveRefs turns {"$ref": "N"} objects (alone or in arrays) into Refs.
func resolveRefs(v any, pos map[string]int) any {
	switch v := v.(type) {
	case map[string]any:
		if r, ok := v["$ref"]; ok && len(v) == 1 {
			id := fmt.Sprint(r)
			if n, ok := pos[id]; ok {
				return Ref{n}
			}
			if n, err := strconv.Atoi(id); err == nil {
				return Ref{n}
			}
		}
		return v
	case []any:
		refs := make([]Ref, 0, len(v))
		for _, x := range v {
			r, ok := resolveRefs(x, pos).(Ref)
			if !ok {
				return v
			}
			refs = append(refs, r)
		}
		return refs
	}
	return v
}
