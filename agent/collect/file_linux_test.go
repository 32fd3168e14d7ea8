package collect

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// watcher records the files a FileWatcher is told about.
type watcher struct {
	mu    sync.Mutex
	paths map[string]sensor.Process
}

func (w *watcher) FileWritten(_ context.Context, path string, by sensor.Process) {
	w.mu.Lock()
	w.paths[path] = by
	w.mu.Unlock()
}

func TestFileEvents(t *testing.T) {
	w := &watcher{paths: map[string]sensor.Process{}}
	// The process collector shares the table, so that short-lived writers
	// (mv, rm) are still described after they exit.
	procs := NewProcessTable()
	start(t, NewProcess(Config{Processes: procs}), 300*time.Millisecond)
	rec := start(t, NewFile(Config{FileWatcher: w, Processes: procs}), 300*time.Millisecond)
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir)
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	// A separate shell does the work, so the initiating process is sh.
	// The pauses let the collector read each state before the next step.
	script := "printf hello > " + a + "; sleep 0.5; printf more >> " + a + "; sleep 0.5; mv " + a + " " + b + "; sleep 0.5; rm " + b
	if out, err := exec.Command("/bin/sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	sh := filepath.Base(mustReal(t, "/bin/sh"))
	rec.await(t, "DeviceFileEvents", map[string]any{
		"ActionType": "FileCreated", "FileName": "a.txt", "FolderPath": a,
		"SHA256":                    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", // sha256("hello")
		"InitiatingProcessFileName": sh,
	}, 5*time.Second)
	rec.await(t, "DeviceFileEvents", map[string]any{
		"ActionType": "FileModified", "FolderPath": a, "FileSize": 9, "InitiatingProcessFileName": sh,
	}, 5*time.Second)
	rec.await(t, "DeviceFileEvents", map[string]any{
		"ActionType": "FileRenamed", "FileName": "b.txt", "FolderPath": b,
		"PreviousFileName": "a.txt", "PreviousFolderPath": a, "InitiatingProcessFileName": "mv",
	}, 5*time.Second)
	rec.await(t, "DeviceFileEvents", map[string]any{
		"ActionType": "FileDeleted", "FileName": "b.txt", "FolderPath": b, "InitiatingProcessFileName": "rm",
	}, 5*time.Second)
	w.mu.Lock()
	if _, ok := w.paths[a]; !ok {
		t.Errorf("FileWatcher not told about %s (told %v)", a, w.paths)
	}
	w.mu.Unlock()
}

func TestFileExclusions(t *testing.T) {
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir)
	skip := filepath.Join(dir, "skip")
	if err := os.Mkdir(skip, 0o755); err != nil {
		t.Fatal(err)
	}
	rec := start(t, NewFile(Config{ExcludePaths: []string{skip}, AgentPID: os.Getpid()}), 300*time.Millisecond)
	if err := exec.Command("/bin/sh", "-c", "echo x > "+skip+"/x; echo y > "+dir+"/y").Run(); err != nil {
		t.Fatal(err)
	}
	// The agent's own writes are not reported either.
	if err := os.WriteFile(filepath.Join(dir, "self"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec.await(t, "DeviceFileEvents", map[string]any{"ActionType": "FileCreated", "FolderPath": dir + "/y"}, 5*time.Second)
	time.Sleep(1500 * time.Millisecond) // past the pending-create flush
	rec.none(t, "DeviceFileEvents", map[string]any{"FolderPath": skip + "/x"})
	rec.none(t, "DeviceFileEvents", map[string]any{"FolderPath": dir + "/self"})
}

// TestFileNewMount: a filesystem mounted after the collector started is
// watched too.
func TestFileNewMount(t *testing.T) {
	rec := start(t, NewFile(Config{}), 300*time.Millisecond)
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir)
	if err := syscall.Mount("goshawk-test", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	defer syscall.Unmount(dir, syscall.MNT_DETACH)
	time.Sleep(mountRescan + 500*time.Millisecond)
	if err := exec.Command("/bin/sh", "-c", "echo hi > "+dir+"/new-mount.txt").Run(); err != nil {
		t.Fatal(err)
	}
	rec.await(t, "DeviceFileEvents", map[string]any{"ActionType": "FileCreated", "FolderPath": dir + "/new-mount.txt"}, 5*time.Second)
}
