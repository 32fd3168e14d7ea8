// Package testenv locates the fixtures that tests share: the repository root
// and the read-only shared/ folder that lies beside the repository.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, walking up from the
// working directory of the test.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// SharedDir returns the shared/ folder beside the repository (override with
// GOSHAWK_SHARED). When it is missing the test is skipped on a developer
// machine and fails under CI (CI=true), where it must be present.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("GOSHAWK_SHARED")
	if dir == "" {
		dir = filepath.Join(filepath.Dir(RepoRoot(t)), "shared")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("testenv: shared folder %s is missing: %v", dir, err)
		}
		t.Skipf("testenv: shared folder %s is missing", dir)
	}
	return dir
}
