package collect

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// samplingRecorder is a recorder whose agent is over its CPU cap while
// over is set.
type samplingRecorder struct {
	recorder
	over atomic.Bool
}

func (r *samplingRecorder) Sampling() bool { return r.over.Load() }

// TestProcessDutyCycleUnderSampling: while the agent samples, the exec
// rule is in the kernel for only part of each second, so most execs of a
// storm produce no records at all; when sampling ends every exec shows
// again.
func TestProcessDutyCycleUnderSampling(t *testing.T) {
	rec := &samplingRecorder{}
	rec.over.Store(true)
	startWith(t, rec, &rec.recorder, NewProcess(Config{}), 300*time.Millisecond)

	marker := fmt.Sprintf("goshawk-duty-%d", time.Now().UnixNano())
	const storm = 60
	for i := 0; i < storm; i++ {
		exec.Command("/bin/true", marker).Run()
		time.Sleep(50 * time.Millisecond) // 3 s in all
	}
	time.Sleep(2 * time.Second) // late EOEs are swept after 2 s
	count := func(m string) int {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		n := 0
		for _, e := range rec.events {
			if e.Table == "DeviceProcessEvents" && e.Row["ProcessCommandLine"] == "/bin/true "+m {
				n++
			}
		}
		return n
	}
	// The rule is in for 200 ms of each second: about a fifth.
	if n := count(marker); n == 0 || n > storm/2 {
		t.Errorf("while sampling, %d of %d execs reported; want some, at most half", n, storm)
	}
	rec.over.Store(false)
	time.Sleep(300 * time.Millisecond) // the rule goes back within 100 ms
	after := marker + "-after"
	for i := 0; i < 10; i++ {
		exec.Command("/bin/true", after).Run()
	}
	rec.await(t, "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "/bin/true " + after}, 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	if n := count(after); n != 10 {
		t.Errorf("after sampling ended, %d of 10 execs reported", n)
	}
}
