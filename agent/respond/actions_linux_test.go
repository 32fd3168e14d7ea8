package respond

import (
	"archive/zip"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// newTestResponder returns a Responder over a fresh state directory, and
// the events it and its detector emit.
func newTestResponder(t *testing.T) (*Responder, *events) {
	t.Helper()
	cfg := Config{StateDir: t.TempDir(), ServerURL: "https://127.0.0.1:8443"}
	v, err := NewVault(cfg.VaultDir())
	if err != nil {
		t.Fatal(err)
	}
	out := &events{}
	det, err := detect.New(detect.Config{Exclude: []string{cfg.StateDir}}, out, v)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(cfg, v, det, out)
	if err != nil {
		t.Fatal(err)
	}
	return r, out
}

func run(t *testing.T, r *Responder, typ string, params map[string]string) agentproto.CommandResult {
	t.Helper()
	return r.Handle(context.Background(), agentproto.Command{ID: "cmd-" + typ, Type: typ, Params: params})
}

func TestKillProcess(t *testing.T) {
	requireRoot(t)
	r, _ := newTestResponder(t)
	sleeper := startTrigger(t, "sleep", "")
	pid := strconv.Itoa(sleeper.Process.Pid)

	// A wrong SHA256 (the pid reused by another program) is refused.
	res := run(t, r, agentproto.CommandKillProcess, map[string]string{"pid": pid, "sha256": strings.Repeat("0", 64)})
	if res.Status != agentproto.StatusFailed || !strings.Contains(res.Message, "does not match") {
		t.Fatalf("kill with a wrong sha256 = %+v, want Failed", res)
	}
	if err := syscall.Kill(sleeper.Process.Pid, 0); err != nil {
		t.Fatalf("sleeper gone after a refused kill: %v", err)
	}

	exe, _ := os.Executable()
	sum, err := fileSHA256(exe)
	if err != nil {
		t.Fatal(err)
	}
	res = run(t, r, agentproto.CommandKillProcess, map[string]string{"pid": pid, "sha256": strings.ToUpper(sum)})
	if res.Status != agentproto.StatusSucceeded || res.Output["pid"] != pid {
		t.Fatalf("kill = %+v", res)
	}
	if err := sleeper.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("sleeper exit = %v, want killed", err)
	}
	for _, bad := range []string{"", "0", "1", "x", strconv.Itoa(os.Getpid())} {
		if res := run(t, r, agentproto.CommandKillProcess, map[string]string{"pid": bad}); res.Status != agentproto.StatusFailed {
			t.Errorf("kill pid %q = %+v, want Failed", bad, res)
		}
	}
}

func TestStopAndQuarantineFileCommandAndRestore(t *testing.T) {
	requireRoot(t)
	r, _ := newTestResponder(t)
	path := filepath.Join(t.TempDir(), "tool.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho hi\n"), 0o751); err != nil {
		t.Fatal(err)
	}
	holder := startTrigger(t, "hold", path)
	res := run(t, r, agentproto.CommandQuarantineFile, map[string]string{"path": path})
	if res.Status != agentproto.StatusSucceeded || res.Output["killedPids"] != strconv.Itoa(holder.Process.Pid) {
		t.Fatalf("quarantine_file = %+v, want the holder %d killed", res, holder.Process.Pid)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file still there: %v", err)
	}
	// Delivered again, the command reports the work it did.
	again := run(t, r, agentproto.CommandQuarantineFile, map[string]string{"path": path})
	if again.Status != agentproto.StatusSucceeded || again.Output["quarantineId"] != res.Output["quarantineId"] {
		t.Fatalf("quarantine_file again = %+v, want the first quarantine id %s", again, res.Output["quarantineId"])
	}
	res = run(t, r, agentproto.CommandRestoreFile, map[string]string{"quarantineId": res.Output["quarantineId"]})
	if res.Status != agentproto.StatusSucceeded || res.Output["path"] != path {
		t.Fatalf("restore_file = %+v", res)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o751 {
		t.Errorf("restored mode = %v, %v; want 0751", fi.Mode(), err)
	}
	if res := run(t, r, agentproto.CommandRestoreFile, map[string]string{"quarantineId": strings.Repeat("a", 32)}); res.Status != agentproto.StatusFailed {
		t.Errorf("restore of an unknown id = %+v", res)
	}
	if res := run(t, r, agentproto.CommandQuarantineFile, map[string]string{"path": path, "sha256": strings.Repeat("0", 64)}); res.Status != agentproto.StatusFailed {
		t.Errorf("quarantine with a wrong sha256 = %+v", res)
	}
}

func TestScanFindsEICARAndBlockIndicator(t *testing.T) {
	requireRoot(t)
	r, out := newTestResponder(t)
	dir := t.TempDir()
	eicar := filepath.Join(dir, "sub", "eicar.txt")
	os.MkdirAll(filepath.Dir(eicar), 0o755)
	trigger(t, "eicar", eicar)
	bad := filepath.Join(dir, "bad.bin")
	os.WriteFile(bad, []byte("known bad content"), 0o644)
	alerted := filepath.Join(dir, "watched.bin")
	os.WriteFile(alerted, []byte("watched content"), 0o644)
	clean := filepath.Join(dir, "clean.txt")
	os.WriteFile(clean, []byte("hello"), 0o644)
	r.det.Indicators().Set(agentproto.IndicatorSet{Version: "1", Indicators: []agentproto.Indicator{
		{ID: "i1", Type: agentproto.IndicatorFileSha256, Value: sha256Hex([]byte("known bad content")), Action: agentproto.ActionBlock, Title: "Known bad", Severity: "High"},
		{ID: "i2", Type: agentproto.IndicatorFileSha256, Value: sha256Hex([]byte("watched content")), Action: agentproto.ActionAlert, Title: "Watched"},
	}})
	res := run(t, r, agentproto.CommandScan, map[string]string{"paths": dir})
	if res.Status != agentproto.StatusSucceeded || res.Output["scanned"] != "4" || res.Output["detections"] != "3" {
		t.Fatalf("scan = %+v, want 4 scanned, 3 detections", res)
	}
	if n := len(strings.Split(res.Output["quarantined"], ",")); n != 2 {
		t.Errorf("quarantined %q, want 2 ids", res.Output["quarantined"])
	}
	for p, gone := range map[string]bool{eicar: true, bad: true, alerted: false, clean: false} {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) != gone {
			t.Errorf("%s removed = %v, want %v", p, !gone, gone)
		}
	}
	titles := map[string]string{}
	for _, row := range out.table("AlertInfo") {
		titles[row["Title"].(string)] = row["DetectionSource"].(string) + "/" + row["Severity"].(string)
	}
	want := map[string]string{detect.EICARTitle: "Antivirus/Informational", "Known bad": "Custom TI/High", "Watched": "Custom TI/Medium"}
	for k, v := range want {
		if titles[k] != v {
			t.Errorf("alert %q = %q, want %q (all %v)", k, titles[k], v, titles)
		}
	}
	var completed bool
	for _, row := range out.table("DeviceEvents") {
		completed = completed || row["ActionType"] == "AntivirusScanCompleted"
	}
	if !completed {
		t.Error("no AntivirusScanCompleted event")
	}
	if res := run(t, r, agentproto.CommandScan, nil); res.Status != agentproto.StatusFailed {
		t.Errorf("scan without paths = %+v", res)
	}
}

func TestCollectPackage(t *testing.T) {
	requireRoot(t)
	r, _ := newTestResponder(t)
	sleeper := startTrigger(t, "sleep", "")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	res := run(t, r, agentproto.CommandCollect, nil)
	if res.Status != agentproto.StatusSucceeded {
		t.Fatalf("collect_package = %+v", res)
	}
	path := res.Output["package"]
	if filepath.Dir(path) != filepath.Join(r.cfg.StateDir, "packages") || res.Output["sha256"] == "" {
		t.Errorf("package output %v", res.Output)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	for _, want := range []string{"manifest.json", "processes.tsv", "connections.tsv", "listening_ports.tsv",
		"users/passwd", "kernel_modules.txt", "system/kernel-version.txt", "network/interfaces.txt"} {
		if files[want] == nil {
			t.Errorf("package lacks %s (has %v)", want, keys(files))
		}
	}
	read := func(name string) string {
		f, err := files[name].Open()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := f.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return b.String()
	}
	if procs := read("processes.tsv"); !strings.Contains(procs, "\n"+strconv.Itoa(sleeper.Process.Pid)+"\t"+strconv.Itoa(os.Getpid())+"\t") {
		t.Errorf("processes.tsv lacks the child %d of %d", sleeper.Process.Pid, os.Getpid())
	}
	wantListen := "tcp\t" + l.Addr().String() + "\t0.0.0.0:0\tLISTEN\t0\t"
	ports := read("listening_ports.tsv")
	if i := strings.Index(ports, wantListen); i < 0 || !strings.Contains(strings.SplitN(ports[i:], "\n", 2)[0], "\t"+strconv.Itoa(os.Getpid())+"\t") {
		t.Errorf("listening_ports.tsv lacks %q owned by %d:\n%s", wantListen, os.Getpid(), ports)
	}
}

func keys(m map[string]*zip.File) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRestoredFileIsNotDetectedAgain(t *testing.T) {
	requireRoot(t)
	r, out := newTestResponder(t)
	path := filepath.Join(t.TempDir(), "eicar.com")
	trigger(t, "eicar", path)
	ctx := context.Background()
	det, err := r.det.ScanFile(ctx, path, sensor.Process{})
	if err != nil || det == nil || det.QuarantineID == "" {
		t.Fatalf("ScanFile = %+v, %v; want a quarantined detection", det, err)
	}
	res := run(t, r, agentproto.CommandRestoreFile, map[string]string{"quarantineId": det.QuarantineID})
	if res.Status != agentproto.StatusSucceeded {
		t.Fatalf("restore_file = %+v", res)
	}
	if det, err := r.det.ScanFile(ctx, path, sensor.Process{}); det != nil || err != nil {
		t.Fatalf("restored file detected again: %+v, %v", det, err)
	}
	// The allowance survives an agent restart…
	r2, err := New(r.cfg, r.vault, mustDetector(t, r.cfg, out, r.vault), out)
	if err != nil {
		t.Fatal(err)
	}
	if det, err := r2.det.ScanFile(ctx, path, sensor.Process{}); det != nil || err != nil {
		t.Fatalf("restored file detected after a restart: %+v, %v", det, err)
	}
	// …but not a change of content.
	if err := os.WriteFile(path, append(detect.EICAR(), ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	if det, err := r2.det.ScanFile(ctx, path, sensor.Process{}); det == nil || err != nil {
		t.Fatalf("changed file not detected: %+v, %v", det, err)
	}
}

func mustDetector(t *testing.T, cfg Config, out *events, v *Vault) *detect.Detector {
	t.Helper()
	d, err := detect.New(detect.Config{Exclude: []string{cfg.StateDir}}, out, v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRestoreTempFileIsAllowed(t *testing.T) {
	r, _ := newTestResponder(t)
	dir := t.TempDir()
	content := append(detect.EICAR(), '\n')
	if err := r.allow(filepath.Join(dir, "eicar.com"), sha256Hex(content)); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, detect.RestoreTempPrefix+"123")
	os.WriteFile(tmp, content, 0o600)
	if det, err := r.det.ScanFile(context.Background(), tmp, sensor.Process{}); det != nil || err != nil {
		t.Errorf("restore's temporary file detected: %+v, %v", det, err)
	}
	// The name alone does not exempt other content.
	other := filepath.Join(dir, detect.RestoreTempPrefix+"456")
	os.WriteFile(other, append(detect.EICAR(), ' '), 0o600)
	if det, err := r.det.ScanFile(context.Background(), other, sensor.Process{}); det == nil || err != nil {
		t.Errorf("a file named like a restore's temporary file escaped: %+v, %v", det, err)
	}
}
