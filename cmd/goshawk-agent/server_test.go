package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent"
	"github.com/goshawk-sec/goshawk/agent/inventory"
	"github.com/goshawk-sec/goshawk/agent/queue"
	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agent/state"
	"github.com/goshawk-sec/goshawk/agent/transport"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// goBuild compiles pkg into dir and returns the binary's path.
func goBuild(t testing.TB, dir, pkg, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func run(t testing.TB, bin string, args ...string) string {
	t.Helper()
	b, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, b)
	}
	return string(b)
}

var listening = regexp.MustCompile(`^goshawk server listening on (https://\S+) \(workspace ([0-9A-Fa-f-]{36})\)$`)

// testServer is a running `goshawk server`.
type testServer struct {
	url, id, token, caFile string
	goshawk, ws            string
	cmd                    *exec.Cmd
	// netns, when set, is the network namespace the server runs in and
	// dial connects into it.
	netns string
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
}

// startServer creates an owner token in ws and starts a server on it.
func startServer(t testing.TB, goshawk, ws string) *testServer {
	t.Helper()
	s := newServer(t, goshawk, ws)
	s.start(t, "127.0.0.1:0")
	return s
}

// newServer creates an owner token in ws for a server not yet started.
func newServer(t testing.TB, goshawk, ws string) *testServer {
	t.Helper()
	// The secret is the only thing on stdout.
	out, err := exec.Command(goshawk, "token", "create", "--data", ws, "--role", "owner", "--name", "agent-test").Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	f := strings.Fields(strings.TrimSpace(string(out)))
	return &testServer{token: f[len(f)-1], caFile: filepath.Join(ws, "ca.crt"), goshawk: goshawk, ws: ws}
}

// client is an HTTPS client for the server's API.
func (s *testServer) client(t testing.TB) *http.Client {
	t.Helper()
	c := httpsClient(t, s.caFile)
	if s.dial != nil {
		c.Transport.(*http.Transport).DialContext = s.dial
	}
	return c
}

// start runs the server listening on listen.
func (s *testServer) start(t testing.TB, listen string) {
	t.Helper()
	cmd := exec.Command(s.goshawk, "server", "--data", s.ws, "--listen", listen)
	if s.netns != "" {
		cmd = exec.Command("ip", "netns", "exec", s.netns, s.goshawk, "server", "--data", s.ws, "--listen", listen)
	}
	s.cmd = cmd
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server stderr:\n%s", stderr.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		line <- sc.Text()
		for sc.Scan() {
		}
	}()
	select {
	case l := <-line:
		m := listening.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("server said %q", l)
		}
		s.url, s.id = m[1], m[2]
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start within 60s")
	}
}

// kill stops the server at once (kill -9): an outage.
func (s *testServer) kill() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// restart starts the server again on the same address.
func (s *testServer) restart(t testing.TB) {
	t.Helper()
	s.start(t, strings.TrimPrefix(s.url, "https://"))
}

// onboard makes an onboarding package on the server and onboards the
// agent binary with it into a new state directory; it returns the
// directory and the device's id.
func (s *testServer) onboard(t testing.TB, agentBin string) (stateDir, deviceID string) {
	t.Helper()
	pkgFile := filepath.Join(t.TempDir(), "onboarding.json")
	run(t, s.goshawk, "onboarding", "create", "--out", pkgFile, "--server", s.url, "--token", s.token, "--ca", s.caFile)
	stateDir = filepath.Join(t.TempDir(), "state")
	run(t, agentBin, "onboard", "--package", pkgFile, "--state", stateDir)
	id, err := state.LoadIdentity(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	return stateDir, id.DeviceID
}

// syncBuffer is a bytes.Buffer safe for a writing process and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// count runs `T | where DeviceId == id [and where] | count` through the
// query API.
func (s *testServer) count(t testing.TB, table, deviceID string, where ...string) int64 {
	t.Helper()
	kql := fmt.Sprintf("%s | where DeviceId == '%s'", table, deviceID)
	for _, w := range where {
		kql += " | where " + w
	}
	body, _ := json.Marshal(map[string]string{"query": kql + " | count"})
	req, _ := http.NewRequest("POST", s.url+"/v1/workspaces/"+s.id+"/query", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Tables []struct {
			Rows [][]json.Number `json:"rows"`
		} `json:"tables"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 || len(r.Tables) == 0 || len(r.Tables[0].Rows) != 1 {
		t.Fatalf("query %s: HTTP %d, %v %+v", table, resp.StatusCode, err, r)
	}
	n, _ := r.Tables[0].Rows[0][0].Int64()
	return n
}

// burst emits n process events, closes emitted and waits.
type burst struct {
	n       int
	emitted chan struct{}
}

func (burst) Name() string { return "process" }
func (b burst) Run(ctx context.Context, out sensor.Emitter) error {
	for i := 0; i < b.n; i++ {
		out.Emit(agentproto.Event{Table: "DeviceProcessEvents", Row: map[string]any{"ActionType": "ProcessCreated", "FileName": fmt.Sprintf("agenttest-%d", i)}})
	}
	close(b.emitted)
	<-ctx.Done()
	return nil
}

// TestAgainstServer onboards with a package made by the real server,
// runs the agent binary (inventory, heartbeat, status), delivers events
// through the run loop and the real transport — twice over the same
// queue, the second after an agent restart — and offboards, after which
// the device's certificate is refused.
func TestAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bins := t.TempDir()
	goshawk := goBuild(t, bins, "github.com/goshawk-sec/goshawk/cmd/goshawk", "goshawk")
	agentBin := goBuild(t, bins, ".", "goshawk-agent")
	ws := filepath.Join(t.TempDir(), "ws")
	s := startServer(t, goshawk, ws)

	pkgFile := filepath.Join(t.TempDir(), "onboarding.json")
	run(t, goshawk, "onboarding", "create", "--out", pkgFile, "--uses", "1", "--server", s.url, "--token", s.token, "--ca", s.caFile)
	stateDir := filepath.Join(t.TempDir(), "state")
	out, err := exec.Command(agentBin, "onboard", "--package", pkgFile, "--state", stateDir).CombinedOutput()
	if err != nil && strings.Contains(string(out), "HTTP 404") {
		t.Skipf("the server has no %s yet: %s", agentproto.PathEnroll, out)
	}
	if err != nil {
		t.Fatalf("onboard: %v\n%s", err, out)
	}
	id, err := state.LoadIdentity(stateDir)
	if err != nil || !strings.Contains(string(out), id.DeviceID) {
		t.Fatalf("identity %+v, %v; onboard said %s", id, err, out)
	}
	for name, mode := range map[string]os.FileMode{".": 0o700, state.KeyFile: 0o600} {
		if st, err := os.Stat(filepath.Join(stateDir, name)); err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want mode %v", name, st.Mode(), err, mode)
		}
	}
	// Onboarding twice is refused without --force.
	if out, err := exec.Command(agentBin, "onboard", "--package", pkgFile, "--state", stateDir).CombinedOutput(); err == nil || !strings.Contains(string(out), "already onboarded") {
		t.Errorf("second onboard: %v %s", err, out)
	}

	cfgFile := filepath.Join(t.TempDir(), "agent.json")
	os.WriteFile(cfgFile, []byte(`{"heartbeatSeconds": 1, "batchIntervalMs": 100, "machineGroup": "lab"}`), 0o600)
	cmd := exec.Command(agentBin, "run", "--state", stateDir, "--config", cfgFile)
	var agentLog bytes.Buffer
	cmd.Stdout, cmd.Stderr = &agentLog, &agentLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for s.count(t, "DeviceInfo", id.DeviceID) == 0 || !fileExists(filepath.Join(stateDir, state.HealthFile)) {
		if time.Now().After(deadline) {
			t.Fatalf("no inventory or health within 20s; agent log:\n%s", agentLog.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("agent exited with %v after SIGTERM; log:\n%s", err, agentLog.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("agent did not stop within 15s of SIGTERM; log:\n%s", agentLog.String())
	}
	status := run(t, agentBin, "status", "--state", stateDir)
	t.Logf("agent log:\n%s\nstatus:\n%s", agentLog.String(), status)
	for _, want := range []string{id.DeviceID, "health:", "queue:", "collectors:"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	if ifs := inventory.Adapters(); len(ifs) > 0 {
		if n := s.count(t, "DeviceNetworkInfo", id.DeviceID); n == 0 {
			t.Error("no DeviceNetworkInfo rows")
		}
	}

	// Events through the run loop and the real transport, twice over the
	// same queue.
	creds, err := state.Load(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	client := transport.New(creds.ServerURL, creds.Cert, creds.CAs)
	deliver := func(n int) {
		t.Helper()
		q, err := queue.Open(queue.Config{Dir: filepath.Join(stateDir, state.QueueDir), MaxBytes: 1 << 20, BatchEvents: 40})
		if err != nil {
			t.Fatal(err)
		}
		b := burst{n: n, emitted: make(chan struct{})}
		cfg := agent.DefaultConfig()
		cfg.BatchInterval = 50 * time.Millisecond
		a, err := agent.New(cfg, agent.Identity{DeviceID: creds.DeviceID, DeviceName: creds.Hostname, ClientVersion: "test"}, client, q,
			agent.Parts{Collectors: []sensor.Collector{b}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { a.Run(ctx); close(stopped) }()
		<-b.emitted
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if st := q.Stats(); st.Batches == 0 && st.Pending == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("queue not drained: %+v", q.Stats())
			}
		}
		cancel()
		<-stopped
	}
	// The process collector reports real processes too (as root): count
	// the test's own events.
	const mine = "FileName startswith 'agenttest-'"
	deliver(100)
	deliver(70)
	if n := s.count(t, "DeviceProcessEvents", creds.DeviceID, mine); n != 170 {
		t.Errorf("DeviceProcessEvents rows = %d, want 170", n)
	}

	// Every column the inventory fills is taken, LoggedOnUsers included
	// (this machine may have no utmp).
	inv := inventory.Collect(context.Background(), inventory.Config{MachineGroup: "lab", ClientVersion: "test"}, "Active").Inventory
	inv.DeviceInfo["LoggedOnUsers"] = `[{"UserName":"alice","DomainName":"h","Sid":""}]`
	if err := client.Inventory(context.Background(), inv); err != nil {
		t.Fatalf("inventory: %v", err)
	}
	if n := s.count(t, "DeviceInfo", creds.DeviceID, "tostring(LoggedOnUsers) has 'alice'"); n == 0 {
		t.Error("LoggedOnUsers did not reach DeviceInfo")
	}

	// A server outage spanning an agent restart: events stay queued and
	// arrive once when the server is back.
	s.kill()
	outage := func(n int) {
		t.Helper()
		b := burst{n: n, emitted: make(chan struct{})}
		q, err := queue.Open(queue.Config{Dir: filepath.Join(stateDir, state.QueueDir), MaxBytes: 1 << 20, BatchEvents: 40})
		if err != nil {
			t.Fatal(err)
		}
		cfg := agent.DefaultConfig()
		cfg.BatchInterval = 50 * time.Millisecond
		a, _ := agent.New(cfg, agent.Identity{DeviceID: creds.DeviceID, DeviceName: creds.Hostname}, client, q, agent.Parts{Collectors: []sensor.Collector{b}}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { a.Run(ctx); close(stopped) }()
		<-b.emitted
		time.Sleep(300 * time.Millisecond) // a few failed sends
		cancel()
		<-stopped
		if st := q.Stats(); st.Batches == 0 {
			t.Fatalf("nothing queued during the outage: %+v", st)
		}
	}
	outage(60)
	outage(40)
	s.restart(t)
	deliver(0)
	if n := s.count(t, "DeviceProcessEvents", creds.DeviceID, mine); n != 270 {
		t.Errorf("after the outage DeviceProcessEvents rows = %d, want 270", n)
	}

	out = []byte(run(t, agentBin, "offboard", "--state", stateDir))
	if !strings.Contains(string(out), creds.DeviceID) {
		t.Errorf("offboard said %s", out)
	}
	if fileExists(filepath.Join(stateDir, state.KeyFile)) {
		t.Error("the key survived offboarding")
	}
	c := transport.New(creds.ServerURL, creds.Cert, creds.CAs)
	c.SetRetry(transport.Retry{Attempts: 1})
	if _, err := c.Heartbeat(context.Background(), agentproto.Heartbeat{}); !transport.IsStatus(err, http.StatusForbidden) && !transport.IsStatus(err, http.StatusUnauthorized) {
		t.Errorf("heartbeat after offboarding: %v, want refused", err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// httpsClient trusts the CA in caFile.
func httpsClient(t testing.TB, caFile string) *http.Client {
	t.Helper()
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
}

// TestRenewAgainstServer: a renewed certificate is saved and used.
func TestRenewAgainstServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bins := t.TempDir()
	goshawk := goBuild(t, bins, "github.com/goshawk-sec/goshawk/cmd/goshawk", "goshawk")
	s := startServer(t, goshawk, filepath.Join(t.TempDir(), "ws"))
	pkgFile := filepath.Join(t.TempDir(), "onboarding.json")
	run(t, goshawk, "onboarding", "create", "--out", pkgFile, "--server", s.url, "--token", s.token, "--ca", s.caFile)
	stateDir := filepath.Join(t.TempDir(), "state")
	var out bytes.Buffer
	if err := runCommand(context.Background(), "onboard", []string{"--package", pkgFile, "--state", stateDir}, &out, &out); err != nil {
		t.Fatalf("onboard: %v\n%s", err, out.String())
	}
	creds, err := state.Load(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	client := transport.New(creds.ServerURL, creds.Cert, creds.CAs)
	r := &renewer{dir: stateDir, creds: creds, client: client, log: newLogger(&out, "info")}
	if err := r.renew(context.Background()); err != nil {
		t.Fatalf("renew: %v", err)
	}
	again, err := state.Load(stateDir)
	if err != nil || bytes.Equal(again.Cert.Certificate[0], creds.Cert.Certificate[0]) {
		t.Fatalf("the saved certificate did not change (%v)", err)
	}
	if _, err := client.Heartbeat(context.Background(), agentproto.Heartbeat{Time: time.Now()}); err != nil {
		t.Errorf("heartbeat with the renewed certificate: %v", err)
	}
}
