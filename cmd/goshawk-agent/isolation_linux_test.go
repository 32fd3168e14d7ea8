package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/goshawk-sec/goshawk/agent/state"
	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/internal/netnstest"
	"golang.org/x/sys/unix"
)

// TestIsolationAgainstServer: isolate and release issued through the
// server's API, carried out by the agent binary on a device in its own
// network namespace, with the server in another. While isolated the
// device reaches the server (it keeps heartbeating and takes the release)
// and loopback, nothing else; isolation survives an agent restart and a
// simulated host restart (the kernel's table gone), and a release issued
// while the agent is down is delivered when it comes back.
func TestIsolationAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	netnstest.Require(t)
	p := netnstest.NewPair(t)
	bins := t.TempDir()
	goshawk := goBuild(t, bins, "github.com/goshawk-sec/goshawk/cmd/goshawk", "goshawk")
	agentBin := goBuild(t, bins, ".", "goshawk-agent")

	const (
		serverAddr = netnstest.ServerIPv4 + ":7443"
		otherPort  = netnstest.ServerIPv4 + ":7444"
		otherHost  = netnstest.OtherIPv4 + ":7443"
		local      = "127.0.0.1:7445"
	)
	s := newServer(t, goshawk, filepath.Join(t.TempDir(), "ws"))
	s.netns = p.Srv
	s.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return netnstest.Dial(p.SrvPath, network, addr, 10*time.Second)
	}
	s.start(t, serverAddr)
	netnstest.Listen(t, p.SrvPath, otherPort)
	netnstest.Listen(t, p.SrvPath, otherHost)
	netnstest.Listen(t, p.DevPath, local)

	pkgFile := filepath.Join(t.TempDir(), "onboarding.json")
	inNS := func(ns, bin string, args ...string) {
		t.Helper()
		if out, err := netnstest.Exec(ns, bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v in %s: %v\n%s", filepath.Base(bin), args, ns, err, out)
		}
	}
	inNS(p.Srv, goshawk, "onboarding", "create", "--out", pkgFile, "--server", s.url, "--token", s.token, "--ca", s.caFile)
	stateDir := filepath.Join(t.TempDir(), "state")
	inNS(p.Dev, agentBin, "onboard", "--package", pkgFile, "--state", stateDir)
	id, err := state.LoadIdentity(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(t.TempDir(), "agent.json")
	os.WriteFile(cfgFile, []byte(`{"heartbeatSeconds": 1, "batchIntervalMs": 200}`), 0o600)

	var agent *exec.Cmd
	agentLog := &syncBuffer{}
	startAgent := func() {
		t.Helper()
		agent = netnstest.Exec(p.Dev, agentBin, "run", "--state", stateDir, "--config", cfgFile)
		agent.Stdout, agent.Stderr = agentLog, agentLog
		if err := agent.Start(); err != nil {
			t.Fatal(err)
		}
	}
	stopAgent := func() {
		t.Helper()
		agent.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- agent.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("agent exited with %v", err)
			}
		case <-time.After(20 * time.Second):
			agent.Process.Kill()
			t.Fatal("agent did not stop within 20s of SIGTERM")
		}
	}
	startAgent()
	t.Cleanup(func() {
		agent.Process.Kill()
		agent.Wait()
		// Whatever happened, leave no isolation behind (the namespace
		// goes too, but be explicit).
		deleteIsolationTable(p.DevPath)
		if t.Failed() {
			t.Logf("agent log:\n%s", agentLog.String())
		}
	})

	// check reports the device's reachability: the server and loopback
	// always; the other port and host only when not isolated.
	check := func(when string, isolated bool) {
		t.Helper()
		timeout := 2 * time.Second
		if isolated {
			timeout = 400 * time.Millisecond // a dropped SYN times out
		}
		if !netnstest.Reachable(p.DevPath, serverAddr, 2*time.Second) {
			t.Errorf("%s: the server %s is unreachable from the device", when, serverAddr)
		}
		if !netnstest.Reachable(p.DevPath, local, 2*time.Second) {
			t.Errorf("%s: loopback %s is unreachable", when, local)
		}
		for _, a := range []string{otherPort, otherHost} {
			if got := netnstest.Reachable(p.DevPath, a, timeout); got == isolated {
				t.Errorf("%s: %s reachable = %v, want %v", when, a, got, !isolated)
			}
		}
	}
	// reported waits for the device's heartbeat to report isolated.
	reported := func(when string, want bool) {
		t.Helper()
		var d struct {
			Sensor agentproto.Health `json:"sensorHealth"`
		}
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
			code, b := s.api(t, "GET", "/v1/devices/"+id.DeviceID, nil)
			if code != http.StatusOK || json.Unmarshal(b, &d) != nil {
				t.Fatalf("get device: HTTP %d %s", code, b)
			}
			if d.Sensor.Isolated == want {
				return
			}
		}
		t.Errorf("%s: the device reports isolated = %v, want %v", when, d.Sensor.Isolated, want)
	}

	check("before isolation", false)
	a := s.act(t, id.DeviceID, agentproto.CommandIsolate, nil)
	if a.Result.Status != agentproto.StatusSucceeded || a.Result.Output["servers"] != serverAddr {
		t.Fatalf("isolate: %+v", a.Result)
	}
	check("isolated", true)
	reported("isolated", true)

	// An agent restart keeps isolation.
	stopAgent()
	check("agent stopped", true)
	startAgent()
	reported("after an agent restart", true)
	check("after an agent restart", true)

	// A host restart empties the kernel's tables; the agent restores
	// isolation from its state when it starts.
	stopAgent()
	if err := deleteIsolationTable(p.DevPath); err != nil {
		t.Fatal(err)
	}
	check("simulated reboot, agent not started", false)
	startAgent()
	for deadline := time.Now().Add(15 * time.Second); netnstest.Reachable(p.DevPath, otherHost, 400*time.Millisecond); {
		if time.Now().After(deadline) {
			t.Fatal("the agent did not restore isolation within 15s of starting")
		}
	}
	check("after the agent restored isolation", true)

	// A release issued while the agent is down waits for it.
	stopAgent()
	code, b := s.api(t, "POST", "/v1/devices/"+id.DeviceID+"/actions", map[string]any{"type": agentproto.CommandRelease, "comment": "agent test"})
	var rel action
	if code != http.StatusCreated || json.Unmarshal(b, &rel) != nil {
		t.Fatalf("create release: HTTP %d %s", code, b)
	}
	time.Sleep(2 * time.Second)
	if code, b = s.api(t, "GET", "/v1/actions/"+rel.ID, nil); code != http.StatusOK || json.Unmarshal(b, &rel) != nil || rel.Result != nil {
		t.Fatalf("release with the agent down: HTTP %d %s", code, b)
	}
	check("release pending, agent down", true)
	startAgent()
	for deadline := time.Now().Add(30 * time.Second); rel.Result == nil; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the release was not delivered within 30s of the agent's start (status %s)", rel.Status)
		}
		if code, b = s.api(t, "GET", "/v1/actions/"+rel.ID, nil); code != http.StatusOK || json.Unmarshal(b, &rel) != nil {
			t.Fatalf("get release: HTTP %d %s", code, b)
		}
	}
	if rel.Result.Status != agentproto.StatusSucceeded {
		t.Fatalf("release: %+v", rel.Result)
	}
	check("released", false)
	reported("released", false)

	// Both actions are audited.
	code, b = s.api(t, "GET", "/v1/audit", nil)
	for _, want := range []string{a.ID, rel.ID} {
		if code != http.StatusOK || !json.Valid(b) || !bytes.Contains(b, []byte(want)) {
			t.Errorf("audit log (HTTP %d) lacks action %s", code, want)
		}
	}
}

// deleteIsolationTable drops the agent's nftables table in a namespace,
// as a reboot would.
func deleteIsolationTable(nsPath string) error {
	fd, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	c, err := nftables.New(nftables.WithNetNSFd(fd))
	if err != nil {
		return err
	}
	tables, err := c.ListTablesOfFamily(nftables.TableFamilyINet)
	if err != nil {
		return err
	}
	for _, tb := range tables {
		if tb.Name == "goshawk_isolation" {
			c.DelTable(tb)
			return c.Flush()
		}
	}
	return nil
}
