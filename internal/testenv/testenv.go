// Package testenv locates the fixtures that tests share: the repository root
// and the read-only shared/ folder that lies beside the repository.
package testenv

import (
	"bufio"
	"encoding/json"
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

// CorpusQuery is one line of shared/kql-corpus/defender-hunting.jsonl.
type CorpusQuery struct {
	ID       string   `json:"id"`
	Query    string   `json:"query"`
	Tables   []string `json:"tables"`
	ValidKQL bool     `json:"valid_kql"`
}

// Corpus loads the real-world hunting query corpus.
func Corpus(t testing.TB) []CorpusQuery {
	t.Helper()
	f, err := os.Open(filepath.Join(SharedDir(t), "kql-corpus", "defender-hunting.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []CorpusQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var q CorpusQuery
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
