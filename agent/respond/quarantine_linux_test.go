package respond

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// wantRow fails unless row has every key of want with an equal value.
func wantRow(t *testing.T, row map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %#v, want %#v (row %v)", k, row[k], v, row)
		}
	}
}

func TestEICARWrittenByAnotherProcessIsAlertedAndQuarantined(t *testing.T) {
	requireRoot(t)
	state := t.TempDir()
	vault, err := NewVault(filepath.Join(state, "quarantine"))
	if err != nil {
		t.Fatal(err)
	}
	out := &events{}
	det, err := detect.New(detect.Config{Exclude: []string{state}}, out, vault)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go det.Run(ctx)

	dir := t.TempDir()
	path := filepath.Join(dir, "eicar.com")
	start := time.Now()
	trigger(t, "eicar", path)
	if err := os.Chown(path, 1234, 4321); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(path)
	det.FileWritten(ctx, path, sensor.Process{PID: 4242, Name: "trigger", Path: os.Args[0], AccountName: "root"})

	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := os.Lstat(path)
		if errors.Is(err, os.ErrNotExist) && len(out.table("DeviceEvents")) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("file not quarantined within 5 s (events %v)", out.evs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("alerted and quarantined in %v", time.Since(start))

	infos := out.table("AlertInfo")
	if len(infos) != 1 {
		t.Fatalf("AlertInfo rows = %d, want 1", len(infos))
	}
	wantRow(t, infos[0], map[string]any{
		"Title": detect.EICARTitle, "Category": "Malware", "Severity": "Informational",
		"ServiceSource": "Microsoft Defender for Endpoint", "DetectionSource": "Antivirus",
	})
	alertID := infos[0]["AlertId"]
	kinds := map[string]map[string]any{}
	for _, r := range out.table("AlertEvidence") {
		if r["AlertId"] != alertID {
			t.Errorf("evidence AlertId %v, want %v", r["AlertId"], alertID)
		}
		kinds[r["EntityType"].(string)] = r
	}
	wantRow(t, kinds["File"], map[string]any{
		"EvidenceRole": "Impacted", "FileName": "eicar.com", "FolderPath": path,
		"SHA256": sha256Hex(orig), "FileSize": int64(len(orig)), "ThreatFamily": "EICAR_Test_File",
	})
	wantRow(t, kinds["Process"], map[string]any{"EvidenceRole": "Related", "FileName": "trigger"})
	wantRow(t, kinds["Machine"], map[string]any{"EvidenceRole": "Impacted"})
	dev := out.table("DeviceEvents")[0]
	wantRow(t, dev, map[string]any{"ActionType": "AntivirusDetection", "FolderPath": path, "InitiatingProcessId": 4242})

	// The vault holds it obfuscated and unreadable.
	entries, err := vault.List()
	if err != nil || len(entries) != 1 {
		t.Fatalf("vault entries = %v, %v; want one", entries, err)
	}
	e := entries[0]
	content, _ := vault.paths(e.ID)
	fi, err := os.Stat(content)
	if err != nil || fi.Mode().Perm() != 0 {
		t.Errorf("quarantined content mode = %v, %v; want 0000", fi.Mode(), err)
	}
	raw, _ := os.ReadFile(content)
	if bytes.Contains(raw, []byte("EICAR")) || detect.IsEICAR(raw) {
		t.Error("quarantined content is stored in the clear")
	}
	if vfi, _ := os.Stat(vault.Dir()); vfi.Mode().Perm() != 0o700 {
		t.Errorf("vault mode %v, want 0700", vfi.Mode().Perm())
	}

	// Restore brings it back byte-identical, with its mode, owner and time.
	if _, err := vault.Restore(e.ID); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, orig) {
		t.Fatalf("restored content %q, %v; want %q", got, err, orig)
	}
	rfi, _ := os.Stat(path)
	st := rfi.Sys().(*syscall.Stat_t)
	if rfi.Mode().Perm() != 0o640 || st.Uid != 1234 || st.Gid != 4321 || !rfi.ModTime().Equal(mtime) {
		t.Errorf("restored mode %v owner %d:%d mtime %v; want 0640 1234:4321 %v", rfi.Mode().Perm(), st.Uid, st.Gid, rfi.ModTime(), mtime)
	}
	if _, err := vault.Entry(e.ID); !errors.Is(err, ErrNotQuarantined) {
		t.Errorf("entry after restore: %v, want ErrNotQuarantined", err)
	}
}

func TestQuarantineStopKillsHolder(t *testing.T) {
	requireRoot(t)
	vault, err := NewVault(filepath.Join(t.TempDir(), "q"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "held.bin")
	if err := os.WriteFile(path, []byte("payload"), 0o755); err != nil {
		t.Fatal(err)
	}
	holder := startTrigger(t, "hold", path)
	e, err := vault.QuarantineFile(context.Background(), path, "test", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.KilledPIDs) != 1 || e.KilledPIDs[0] != holder.Process.Pid {
		t.Errorf("killed %v, want [%d]", e.KilledPIDs, holder.Process.Pid)
	}
	if err := holder.Wait(); err == nil {
		t.Error("holder exited cleanly; want killed")
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("original still there: %v", err)
	}
	// A second restore target in the way is refused.
	os.WriteFile(path, []byte("new"), 0o600)
	if _, err := vault.Restore(e.ID); !errors.Is(err, ErrRestoreExists) {
		t.Errorf("restore over an existing file: %v, want ErrRestoreExists", err)
	}
}
