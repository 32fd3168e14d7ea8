package alerts

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestRowRoundTrip: an alert written as a row reads back the same,
// entities and their references included.
func TestRowRoundTrip(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a := Alert{SystemAlertID: "s1", VendorOriginalID: "v1", Name: "n", Description: "d", Severity: SeverityHigh,
		ProductName: "p", ProviderName: "pr", VendorName: "v", AlertType: "t", Status: StatusNew,
		Tactics: []string{"Execution", "Impact"}, Techniques: []string{"T1059"}, SubTechniques: []string{"T1059.004"},
		StartTime: now.Add(-time.Hour), EndTime: now, TimeGenerated: now, RemediationSteps: []string{"r1", "r2"},
		CompromisedEntity: "h", ExtendedProperties: map[string]string{"k": "v"}}
	host := a.Entities.Add(TypeHost, map[string]any{"HostName": "h", "OSFamily": "Linux"})
	h1 := a.Entities.Add(TypeFileHash, map[string]any{"Algorithm": "SHA256", "Value": "ab"})
	f := a.Entities.Add(TypeFile, map[string]any{"Name": "x", "FileHashes": []Ref{h1}, "Host": host})
	a.Entities.Add(TypeProcess, map[string]any{"ImageFile": f, "Host": host, "CommandLine": ""})
	if again := a.Entities.Add(TypeHost, map[string]any{"OSFamily": "Linux", "HostName": "h"}); again != host {
		t.Errorf("an equal entity was added twice")
	}
	row := a.Row()
	// As a query returns it: times as time.Time.
	for _, k := range []string{"TimeGenerated", "StartTime", "EndTime"} {
		ts, _ := time.Parse(time.RFC3339Nano, row[k].(string))
		row[k] = ts
	}
	b, err := FromRow(row)
	if err != nil {
		t.Fatal(err)
	}
	if b.Entities.String() != a.Entities.String() {
		t.Errorf("entities:\n%s\n%s", b.Entities.String(), a.Entities.String())
	}
	b.Entities, a.Entities = Entities{}, Entities{}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("round trip:\n%+v\n%+v", b, a)
	}
}

// FuzzParseEntities: entity JSON from any SecurityAlert row never makes
// the reader panic, and what it reads writes back as valid JSON.
func FuzzParseEntities(f *testing.F) {
	for _, s := range []string{`[]`, `[{"$id":"1","HostName":"h","Type":"host"},{"$id":"2","Host":{"$ref":"1"},"Type":"account"}]`,
		`[{"$id":"1","FileHashes":[{"$ref":"2"},{"$ref":"9"}],"Type":"file"}]`, `[{"$ref":1}]`, `{}`, `[null]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		es, err := ParseEntities(s)
		if err != nil {
			return
		}
		if !json.Valid([]byte(es.String())) {
			t.Errorf("ParseEntities(%q) writes back invalid JSON %q", s, es.String())
		}
	})
}
