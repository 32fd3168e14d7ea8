package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// api calls the server's management API as the owner.
func (s *testServer) api(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client(t).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type action struct {
	ID      string                    `json:"id"`
	Status  string                    `json:"status"`
	Result  *agentproto.CommandResult `json:"result"`
	Package bool                      `json:"hasPackage"`
}

// act issues a response action and waits for the agent's result.
func (s *testServer) act(t testing.TB, device, typ string, params map[string]string) action {
	t.Helper()
	code, b := s.api(t, "POST", "/v1/devices/"+device+"/actions", map[string]any{"type": typ, "params": params, "comment": "agent test"})
	var a action
	if code != http.StatusCreated || json.Unmarshal(b, &a) != nil {
		t.Fatalf("create %s action: HTTP %d %s", typ, code, b)
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		code, b := s.api(t, "GET", "/v1/actions/"+a.ID, nil)
		if code != http.StatusOK || json.Unmarshal(b, &a) != nil {
			t.Fatalf("get action %s: HTTP %d %s", a.ID, code, b)
		}
		if a.Result != nil {
			return a
		}
	}
	t.Fatalf("%s action %s: no result within 60s (status %s)", typ, a.ID, a.Status)
	return a
}

// TestActionsAgainstServer: response actions issued through the server's
// API reach the agent binary over the command channel and their results
// come back: kill_process kills, collect_package uploads a package, an
// action the agent cannot carry out reports Failed.
func TestActionsAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bins := t.TempDir()
	goshawk := goBuild(t, bins, "github.com/goshawk-sec/goshawk/cmd/goshawk", "goshawk")
	agentBin := goBuild(t, bins, ".", "goshawk-agent")
	s := startServer(t, goshawk, filepath.Join(t.TempDir(), "ws"))
	stateDir, deviceID := s.onboard(t, agentBin)
	cmd := exec.Command(agentBin, "run", "--state", stateDir)
	agentLog := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = agentLog, agentLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("agent log:\n%s", agentLog.String())
		}
	}()

	victim := exec.Command("sleep", "300")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { victim.Wait(); close(exited) }()
	defer victim.Process.Kill()
	a := s.act(t, deviceID, agentproto.CommandKillProcess, map[string]string{"pid": strconv.Itoa(victim.Process.Pid)})
	if a.Result.Status != agentproto.StatusSucceeded {
		t.Errorf("kill_process: %+v", a.Result)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Error("the process survived kill_process")
	}

	a = s.act(t, deviceID, agentproto.CommandRestoreFile, map[string]string{"quarantineId": "no-such-entry"})
	if a.Result.Status != agentproto.StatusFailed || a.Result.Message == "" {
		t.Errorf("restore_file of an unknown entry: %+v", a.Result)
	}

	if os.Geteuid() == 0 {
		a = s.act(t, deviceID, agentproto.CommandCollect, nil)
		if a.Result.Status != agentproto.StatusSucceeded || !a.Package {
			t.Errorf("collect_package: %+v, package uploaded %v", a.Result, a.Package)
		}
	}
}
