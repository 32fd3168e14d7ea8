package analytics

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// addSeeds adds every file of the given globs to the corpus.
func addSeeds(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParseYAML feeds arbitrary text to ParseYAML. It must not panic, and
// whatever imports must survive FormatYAML and import again unchanged.
func FuzzParseYAML(f *testing.F) {
	addSeeds(f, "../../shared/sentinel-rules/*.yaml")
	f.Add([]byte(baseYAML))
	f.Add([]byte("id: x\nkind: NRT\nquery: SecurityAlert\nentityMappings: [{entityType: Host, fieldMappings: [{identifier: HostName, columnName: Computer}]}]\n"))
	f.Add([]byte("a: &a [1]\nb: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseYAML("fuzz.yaml", data)
		if err != nil {
			return
		}
		out, err := FormatYAML(d)
		if err != nil {
			t.Fatalf("FormatYAML of an imported definition: %v", err)
		}
		back, err := ParseYAML("again.yaml", out)
		if err != nil {
			t.Fatalf("ParseYAML(FormatYAML(d)): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(d, back) {
			t.Fatalf("round trip changed the definition\nbefore: %+v\nafter:  %+v\n%s", d, back, out)
		}
	})
}

// FuzzParseARM feeds arbitrary text to ParseARM: any outcome but a panic
// is acceptable, and imported rules must survive the YAML round trip.
func FuzzParseARM(f *testing.F) {
	addSeeds(f, "testdata/arm/*.json")
	f.Add([]byte(`[{"name":"11111111-1111-4111-8111-111111111111","kind":"NRT","properties":{"displayName":"x","severity":"Low","query":"SecurityEvent"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, _ := ParseARM(data)
		for _, d := range defs {
			out, err := FormatYAML(d)
			if err != nil {
				t.Fatalf("FormatYAML: %v", err)
			}
			back, err := ParseYAML("again.yaml", out)
			if err != nil {
				t.Fatalf("ParseYAML(FormatYAML(d)): %v\n%s", err, out)
			}
			if !reflect.DeepEqual(d, back) {
				t.Fatalf("round trip changed the definition\nbefore: %+v\nafter:  %+v\n%s", d, back, out)
			}
		}
	})
}
