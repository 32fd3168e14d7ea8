package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// timelineOfAllFourKinds makes an exec, a file write, a connection and a
// logon on this machine and finds each on the device's timeline through
// the server's API.
func timelineOfAllFourKinds(t *testing.T, s *testServer, device string) {
	t.Helper()
	marker := fmt.Sprintf("goshawk-timeline-%d", time.Now().UnixNano())
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
			go func() { time.Sleep(2 * time.Second); c.Close() }()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), marker)
	if out, err := exec.Command("/bin/sh", "-c", "echo x > "+file+"; /bin/true "+marker).CombinedOutput(); err != nil {
		t.Fatalf("sh: %v %s", err, out)
	}
	if _, err := exec.LookPath("su"); err != nil {
		t.Fatal("no su(1) to log on with")
	}
	if out, err := exec.Command("su", "-s", "/bin/true", "nobody").CombinedOutput(); err != nil {
		t.Fatalf("su: %s: %v", out, err)
	}
	time.Sleep(time.Second) // the connection outlives a network snapshot
	c.Close()

	want := map[string]func(ev map[string]any) bool{
		"DeviceProcessEvents": func(ev map[string]any) bool { return ev["ProcessCommandLine"] == "/bin/true "+marker },
		"DeviceFileEvents":    func(ev map[string]any) bool { return ev["FileName"] == marker && ev["ActionType"] == "FileCreated" },
		"DeviceNetworkEvents": func(ev map[string]any) bool {
			return ev["ActionType"] == "ConnectionSuccess" && fmt.Sprint(ev["RemotePort"]) == strconv.Itoa(port)
		},
		"DeviceLogonEvents": func(ev map[string]any) bool {
			return ev["AccountName"] == "nobody" && ev["ActionType"] == "LogonSuccess"
		},
	}
	for table, match := range want {
		found := false
		for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
			code, b := s.api(t, "GET", "/v1/devices/"+device+"/timeline?limit=1000&type="+table, nil)
			var tl struct {
				Events []map[string]any `json:"value"`
			}
			if code != http.StatusOK || json.Unmarshal(b, &tl) != nil {
				t.Fatalf("timeline?type=%s: HTTP %d %s", table, code, b)
			}
			for _, ev := range tl.Events {
				found = found || match(ev)
			}
		}
		if !found {
			t.Errorf("the device's timeline has no %s event of the test within 10s", table)
		}
	}
}

// TestEICARAgainstServer runs the agent binary as root against the real
// server: the device's timeline shows an exec, a file write, a connection
// and a logon; `goshawk-agent test-alert` drops the EICAR test file, the
// file collector reports it, the detector raises an alert the server
// stores and the file is quarantined, within 5 s; an IP indicator made on
// the server alerts on a connection to its address.
func TestEICARAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	d := newConnectedDevice(t)
	if d.fileState == "unsupported" {
		t.Skipf("the file collector is unsupported here: %s", d.fileReason)
	}
	s, agentBin, id := d.s, d.agentBin, d.id

	timelineOfAllFourKinds(t, s, id)

	dir := t.TempDir()
	start := time.Now()
	out := run(t, agentBin, "test-alert", "--dir", dir)
	path := strings.Fields(strings.SplitN(out, "test file ", 2)[1])[0]
	path = strings.TrimSuffix(path, ";")
	quarantined := false
	for deadline := start.Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			quarantined = true
			break
		}
	}
	if !quarantined {
		t.Errorf("%s not quarantined within 5s", path)
	}
	for deadline := start.Add(5 * time.Second); s.count(t, "AlertEvidence", id) == 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no alert on the server within 5s of the test file")
		}
	}
	t.Logf("alert stored %v after the test file", time.Since(start).Round(time.Millisecond))

	// An IP address indicator made on the server reaches the agent, and a
	// connection to the address (from this test process, not the agent)
	// raises an alert with the address as evidence.
	const bad = "127.0.0.77"
	code, b := s.api(t, "POST", "/v1/indicators", map[string]any{"indicatorType": "IpAddress", "indicatorValue": bad,
		"action": "Alert", "title": "Known C2 address", "severity": "High"})
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("create indicator: HTTP %d %s", code, b)
	}
	ln, err := net.Listen("tcp4", bad+":0")
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
			go func() { time.Sleep(3 * time.Second); c.Close() }()
		}
	}()
	// The agent takes the new set at its next heartbeat (1 s).
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond) // outlives a network snapshot
		c.Close()
		// AlertInfo has no DeviceId: the alert's IP evidence row is
		// the device's.
		if s.count(t, "AlertEvidence", id, "Title == 'Known C2 address'", "Severity == 'High'", "EntityType == 'Ip'", "RemoteIP == '"+bad+"'") > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no alert for the connection to the indicator address within 20s")
		}
	}
}
