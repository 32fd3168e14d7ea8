package collect

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestAllTogether runs the four collectors as the agent does (one
// configuration, one process table, the audit socket shared between the
// process and logon collectors) and sees an exec, a connect, a file write
// and a logon.
func TestAllTogether(t *testing.T) {
	rec := &recorder{}
	for _, c := range All(Config{NetworkInterval: 100 * time.Millisecond, WtmpPath: "-", BtmpPath: "-"}) {
		startInto(t, rec, c, 100*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	marker := fmt.Sprintf("goshawk-all-%d", time.Now().UnixNano())
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir)
	file := filepath.Join(dir, marker)
	client := exec.Command(os.Args[0], "-test.run=^TestNetworkHelper$")
	client.Env = append(os.Environ(), "GOSHAWK_CONNECT="+ln.Addr().String())
	if err := client.Run(); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("/bin/sh", "-c", "echo x > "+file+"; /bin/true "+marker+"; exit 0").Run(); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("su", "-s", "/bin/true", "nobody").CombinedOutput(); err != nil {
		t.Fatalf("su: %s: %v", out, err)
	}
	rec.await(t, "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "/bin/true " + marker}, 5*time.Second)
	rec.await(t, "DeviceFileEvents", map[string]any{"ActionType": "FileCreated", "FolderPath": file}, 5*time.Second)
	rec.await(t, "DeviceNetworkEvents", map[string]any{"ActionType": "ConnectionSuccess", "RemotePort": ln.Addr().(*net.TCPAddr).Port}, 5*time.Second)
	rec.await(t, "DeviceLogonEvents", map[string]any{"ActionType": "LogonSuccess", "AccountName": "nobody"}, 5*time.Second)
	// The logon's su was described from its exec record.
	rec.await(t, "DeviceProcessEvents", map[string]any{"FileName": "su", "AccountName": "root"}, time.Second)
}
