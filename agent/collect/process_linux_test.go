package collect

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProcessShortLived(t *testing.T) {
	rec := start(t, NewProcess(Config{}), 300*time.Millisecond)
	marker := fmt.Sprintf("goshawk-exec-%d", time.Now().UnixNano())
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) to run")
	}
	// sh runs true as its child, so the initiating process is sh and its
	// parent is this test.
	cmd := exec.Command("/bin/sh", "-c", truePath+" "+marker+" 'two words'; exit 0")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(truePath)
	row := rec.await(t, "DeviceProcessEvents", map[string]any{
		"ActionType":         "ProcessCreated",
		"ProcessCommandLine": truePath + " " + marker + ` "two words"`,
	}, 5*time.Second)
	self, _ := os.Executable()
	want := map[string]any{
		"FileName":                        filepath.Base(real),
		"FolderPath":                      real,
		"AccountName":                     "root",
		"InitiatingProcessFileName":       filepath.Base(mustReal(t, "/bin/sh")),
		"InitiatingProcessParentId":       os.Getpid(),
		"InitiatingProcessParentFileName": filepath.Base(self),
	}
	if !matches(row, want) {
		t.Errorf("row %v\ndoes not match %v", row, want)
	}
	if s, _ := row["SHA256"].(string); len(s) != 64 {
		t.Errorf("SHA256 = %q, want a hash of %s", s, real)
	}
	if !strings.Contains(fmt.Sprint(row["InitiatingProcessCommandLine"]), marker) {
		t.Errorf("InitiatingProcessCommandLine = %q, want the sh -c line", row["InitiatingProcessCommandLine"])
	}
}

func TestProcessAgentExcluded(t *testing.T) {
	rec := start(t, NewProcess(Config{AgentPID: os.Getpid()}), 300*time.Millisecond)
	marker := fmt.Sprintf("goshawk-agent-%d", time.Now().UnixNano())
	if err := exec.Command("/bin/true", marker).Run(); err != nil {
		t.Fatal(err)
	}
	// A process started by someone else still shows.
	other := marker + "-other"
	if err := exec.Command("/bin/sh", "-c", "/bin/true "+other+"; exit 0").Run(); err != nil {
		t.Fatal(err)
	}
	rec.await(t, "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "/bin/true " + other}, 5*time.Second)
	rec.none(t, "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "/bin/true " + marker})
}

func TestProcessInfo(t *testing.T) {
	tab := NewProcessTable()
	p, err := tab.ProcessInfo(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	if p.Path != mustReal(t, self) || p.ParentPID != os.Getppid() || len(p.SHA256) != 64 || p.StartTime == 0 {
		t.Errorf("ProcessInfo(self) = %+v", p)
	}
	if _, err := tab.ProcessInfo(1 << 30); err == nil {
		t.Error("ProcessInfo(no such pid) succeeded")
	}
}

func mustReal(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
