package analytics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

func TestImportPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a-rule.yaml", baseYAML)
	write("b-bad.yml", withLine("queryPeriod:", "queryPeriod: 30d"))
	arm, err := os.ReadFile("testdata/arm/scheduled-template.json")
	if err != nil {
		t.Fatal(err)
	}
	write("c/export.json", string(arm))
	write("c/notes.txt", "not a rule")
	write("d/broken.json", "{")
	rule := write("rule.txt", baseYAML) // named directly: read whatever its extension
	missing := filepath.Join(dir, "missing.yaml")

	results := ImportPaths([]string{filepath.Join(dir, "a-rule.yaml"), dir, rule, missing})
	type line struct {
		file     string
		ok       bool
		kind, id string
		err      string
	}
	var got []line
	for _, r := range results {
		rel, _ := filepath.Rel(dir, r.File)
		got = append(got, line{rel, r.OK, string(r.Kind), r.ID, r.Error})
		if r.OK != (r.Definition != nil) || r.OK == (r.Err != nil) {
			t.Errorf("%s: OK %v with Definition %v and Err %v", rel, r.OK, r.Definition != nil, r.Err)
		}
	}
	want := []line{
		{"a-rule.yaml", true, "Scheduled", "5bdc1504-880c-4b30-a39c-7c746535928d", ""},
		{"a-rule.yaml", true, "Scheduled", "5bdc1504-880c-4b30-a39c-7c746535928d", ""},
		{"b-bad.yml", false, "Scheduled", "5bdc1504-880c-4b30-a39c-7c746535928d", "queryPeriod: 30d is longer than 14 days (Sentinel's maximum)"},
		{"c/export.json", true, "Scheduled", "3b1c2a94-5f1e-4c1d-9b0a-2f4e6d8c0a11", ""},
		{"c/export.json", true, "NRT", "9d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a", ""},
		{"d/broken.json", false, "", "", "line 1 column 2: not valid JSON: unexpected EOF"},
		{"rule.txt", true, "Scheduled", "5bdc1504-880c-4b30-a39c-7c746535928d", ""},
		{"missing.yaml", false, "", "", "stat " + missing + ": no such file or directory"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ImportPaths =\n%+v\nwant\n%+v", got, want)
	}

	// The JSON line the CLI prints.
	b, err := json.Marshal(results[2])
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "error,file,id,kind,ok" {
		t.Errorf("JSON line %s has keys %v, want file, ok, kind, id, error", b, keys)
	}
	if b, _ := json.Marshal(results[0]); strings.Contains(string(b), "error") {
		t.Errorf("a successful import's JSON line %s has an error", b)
	}
}

// TestImporterCatalog checks that an Importer binds against the catalogue
// it is given: a workspace's custom table, and a catalogue without a table.
func TestImporterCatalog(t *testing.T) {
	cat := schema.Default()
	custom, err := cat.CustomTable("Firewall_CL", []schema.Column{{Name: "SrcIp_s", Type: types.String}, {Name: "Action_s", Type: types.String}})
	if err != nil {
		t.Fatal(err)
	}
	im := &Importer{Catalog: SchemaCatalog(cat.WithTable(custom))}
	rule := strings.Replace(baseYAML, "  DeviceProcessEvents\n  | where FileName =~ \"sc.exe\" and ProcessCommandLine has \"stop\"",
		"  Firewall_CL\n  | where Action_s == \"deny\" | extend DeviceName = SrcIp_s", 1)
	if _, err := im.ParseYAML("", []byte(rule)); err != nil {
		t.Errorf("with the custom table: %v", err)
	}
	if _, err := ParseYAML("", []byte(rule)); err == nil || !strings.Contains(err.Error(), "KQL2002") {
		t.Errorf("without the custom table: %v, want KQL2002", err)
	}
	cols, err := im.QueryColumns("Firewall_CL | project SrcIp_s, _ResourceId")
	if err != nil || len(cols) != 2 {
		t.Errorf("QueryColumns = %v, %v", cols, err)
	}
	var _ kql.Catalog = im.Catalog
}
