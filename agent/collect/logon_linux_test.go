package collect

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogonSu logs on through PAM with su (root needs no password), which
// writes USER_AUTH and USER_START audit records.
func TestLogonSu(t *testing.T) {
	su, err := exec.LookPath("su")
	if err != nil {
		t.Skip("no su(1) to log on with")
	}
	rec := start(t, NewLogon(Config{WtmpPath: "-", BtmpPath: "-"}), 300*time.Millisecond)
	if out, err := exec.Command(su, "-s", "/bin/true", "nobody").CombinedOutput(); err != nil {
		t.Fatalf("su: %s: %v", out, err)
	}
	rec.await(t, "DeviceLogonEvents", map[string]any{
		"ActionType": "LogonSuccess", "AccountName": "nobody", "LogonType": "Interactive",
		"IsLocalAdmin": false, "InitiatingProcessFileName": "su",
	}, 5*time.Second)
}

// TestLogonFailedSu has an unprivileged user give su a wrong password on a
// pseudo-terminal (script(1)), which PAM reports as a failed USER_AUTH.
func TestLogonFailedSu(t *testing.T) {
	for _, tool := range []string{"su", "script", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s(1) to fail a logon with", tool)
		}
	}
	rec := start(t, NewLogon(Config{WtmpPath: "-", BtmpPath: "-"}), 300*time.Millisecond)
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"script", "-qc", "su -c true root", "/dev/null")
	cmd.Stdin = strings.NewReader("not-the-password\n")
	_ = cmd.Run() // su fails, which is the point
	rec.await(t, "DeviceLogonEvents", map[string]any{
		"ActionType": "LogonFailed", "AccountName": "root", "LogonType": "Interactive",
		"FailureReason": "InvalidUserNameOrPassword", "IsLocalAdmin": true,
	}, 10*time.Second)
}

// TestLogonUtmp appends synthetic records to test wtmp and btmp files.
func TestLogonUtmp(t *testing.T) {
	dir := t.TempDir()
	wtmp, btmp := filepath.Join(dir, "wtmp"), filepath.Join(dir, "btmp")
	for _, p := range []string{wtmp, btmp} {
		// One old record that must not be reported.
		if err := os.WriteFile(p, utmpEntry(7, 1, "pts/9", "old", "", nil), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rec := start(t, NewLogon(Config{WtmpPath: wtmp, BtmpPath: btmp}), 500*time.Millisecond)
	appendFile(t, wtmp, utmpEntry(7, 4242, "pts/3", "alice", "198.51.100.7", []byte{198, 51, 100, 7}))
	appendFile(t, btmp, utmpEntry(6, 4243, "ssh:notty", "mallory", "203.0.113.9", []byte{203, 0, 113, 9}))
	rec.await(t, "DeviceLogonEvents", map[string]any{
		"ActionType": "LogonSuccess", "AccountName": "alice", "RemoteIP": "198.51.100.7",
		"LogonType": "RemoteInteractive", "RemoteIPType": "Public", "Timestamp": "2026-01-02T03:04:05Z",
	}, 3*time.Second)
	rec.await(t, "DeviceLogonEvents", map[string]any{
		"ActionType": "LogonFailed", "AccountName": "mallory", "RemoteIP": "203.0.113.9",
		"FailureReason": "InvalidUserNameOrPassword",
	}, 3*time.Second)
	rec.none(t, "DeviceLogonEvents", map[string]any{"AccountName": "old"})
}

// utmpEntry builds a glibc utmp record.
func utmpEntry(typ int16, pid int32, line, user, host string, addr []byte) []byte {
	b := make([]byte, utmpSize)
	binary.NativeEndian.PutUint16(b[0:], uint16(typ))
	binary.NativeEndian.PutUint32(b[4:], uint32(pid))
	copy(b[8:40], line)
	copy(b[44:76], user)
	copy(b[76:332], host)
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Unix()
	binary.NativeEndian.PutUint32(b[340:], uint32(ts))
	copy(b[348:352], addr)
	return b
}

func appendFile(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}
