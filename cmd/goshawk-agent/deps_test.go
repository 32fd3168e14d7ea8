package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAgentDependencies fails when the sensor pulls in cgo, DuckDB or a
// server package: it must cross-compile anywhere and stay small.
func TestAgentDependencies(t *testing.T) {
	for _, goos := range []string{"linux", "windows", "darwin"} {
		cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{if .CgoFiles}}cgo{{end}}", ".")
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0", "GOOS="+goos)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list for %s: %v\n%s", goos, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			pkg := f[0]
			if len(f) > 1 && f[1] == "cgo" {
				t.Errorf("%s: agent depends on cgo package %s", goos, pkg)
			}
			for _, banned := range []string{"duckdb", "goshawk/store", "goshawk/query", "goshawk/kql", "goshawk/server"} {
				if strings.Contains(pkg, banned) {
					t.Errorf("%s: agent depends on server-side package %s", goos, pkg)
				}
			}
		}
	}
}
