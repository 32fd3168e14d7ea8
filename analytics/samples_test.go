package analytics

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleDir returns shared/sentinel-rules and its YAML files.
func sampleDir(t *testing.T) (string, []string) {
	t.Helper()
	dir := filepath.Join(testenv.SharedDir(t), "sentinel-rules")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 41 {
		t.Fatalf("%s holds %d YAML files, want the 41 its README describes", dir, len(files))
	}
	return dir, files
}

// TestSentinelSamples imports every sample of shared/sentinel-rules: each
// either imports, with a query that binds, or is refused with errors that
// all name a field. The outcome of each file is kept in
// testdata/sentinel-rules.golden (one CLI JSON line per file), so a change
// in what imports shows as a diff; -update rewrites it.
func TestSentinelSamples(t *testing.T) {
	dir, files := sampleDir(t)
	results := ImportPaths([]string{dir})
	if len(results) != len(files) {
		t.Fatalf("ImportPaths(%s) gave %d results for %d files", dir, len(results), len(files))
	}
	var golden bytes.Buffer
	imported := 0
	for _, r := range results {
		name := filepath.Base(r.File)
		if r.OK {
			imported++
			d := r.Definition
			if d.Kind.HasQuery() {
				if _, err := (&Importer{}).QueryColumns(d.Query); err != nil {
					t.Errorf("%s: imported, but its query does not bind: %v", name, err)
				}
			}
		} else {
			var ie *Error
			if !errors.As(r.Err, &ie) || len(ie.Fields) == 0 {
				t.Errorf("%s: refused without field errors: %v", name, r.Err)
			} else {
				for _, fe := range ie.Fields {
					if fe.Path == "" {
						t.Errorf("%s: an error names no field: %v", name, fe)
					}
					if fe.Line == 0 {
						t.Errorf("%s: %v: no line", name, fe)
					}
				}
			}
		}
		r.File = name
		enc := json.NewEncoder(&golden)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d of %d samples import", imported, len(results))
	checkGolden(t, "testdata/sentinel-rules.golden", golden.Bytes())
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got: %s\nwant: %s", path, i+1, g, w)
			}
		}
		t.Errorf("%s differs (run with -update if the change is intended)", path)
	}
}

// TestSamplesRoundTrip exports every sample that imports and imports it
// again: the definition must come back equal.
func TestSamplesRoundTrip(t *testing.T) {
	_, files := sampleDir(t)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ParseYAML(f, data)
		if err != nil {
			continue
		}
		n++
		roundTrip(t, filepath.Base(f), d)
	}
	if n == 0 {
		t.Fatal("no sample imports")
	}
}

// roundTrip checks that FormatYAML then ParseYAML gives d back, and that
// formatting again gives the same text.
func roundTrip(t *testing.T, name string, d Definition) {
	t.Helper()
	out, err := FormatYAML(d)
	if err != nil {
		t.Errorf("%s: FormatYAML: %v", name, err)
		return
	}
	back, err := ParseYAML(name, out)
	if err != nil {
		t.Errorf("%s: ParseYAML(FormatYAML(d)): %v\n%s", name, err, out)
		return
	}
	if !reflect.DeepEqual(d, back) {
		t.Errorf("%s: round trip changed the definition\nbefore: %+v\nafter:  %+v\nYAML:\n%s", name, d, back, out)
	}
	again, err := FormatYAML(back)
	if err != nil || !bytes.Equal(out, again) {
		t.Errorf("%s: formatting twice differs (%v)\n%s\n---\n%s", name, err, out, again)
	}
}
