package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/state"
)

// connectedDevice is a server with the endpoint solution installed and
// this machine's agent onboarded and running (as root).
type connectedDevice struct {
	s        *testServer
	goshawk  string
	agentBin string
	id       string
	name     string
	// fileState and fileReason are the file collector's, once started.
	fileState, fileReason string
}

func newConnectedDevice(t testing.TB) *connectedDevice {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the sensor's collectors need root")
	}
	bins := t.TempDir()
	d := &connectedDevice{
		goshawk:  goBuild(t, bins, "github.com/goshawk-sec/goshawk/cmd/goshawk", "goshawk"),
		agentBin: goBuild(t, bins, ".", "goshawk-agent"),
	}
	ws := filepath.Join(t.TempDir(), "ws")
	if out, err := exec.Command(d.goshawk, "content", "install", "endpoint", "--data", ws).CombinedOutput(); err != nil {
		t.Fatalf("content install: %v\n%s", err, out)
	}
	d.s = startServer(t, d.goshawk, ws)
	stateDir, id := d.s.onboard(t, d.agentBin)
	d.id = id
	cfgFile := filepath.Join(t.TempDir(), "agent.json")
	os.WriteFile(cfgFile, []byte(`{"heartbeatSeconds": 1, "batchIntervalMs": 100}`), 0o600)
	cmd := exec.Command(d.agentBin, "run", "--state", stateDir, "--config", cfgFile)
	agentLog := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = agentLog, agentLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("agent log:\n%s", agentLog.String())
		}
	})
	// Ready: the device is active and its file collector has marked the
	// filesystem.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the device did not report within 30s")
		}
		var st struct {
			Health struct {
				Collectors []struct{ Name, State, Reason string }
			} `json:"health"`
		}
		b, err := os.ReadFile(filepath.Join(stateDir, state.HealthFile))
		if err != nil || json.Unmarshal(b, &st) != nil {
			continue
		}
		ready := false
		for _, c := range st.Health.Collectors {
			if c.Name == "file" && c.State != "starting" {
				ready, d.fileState, d.fileReason = true, c.State, c.Reason
			}
		}
		if ready && d.s.count(t, "DeviceInfo", d.id) > 0 {
			break
		}
	}
	time.Sleep(500 * time.Millisecond)
	code, b := d.s.api(t, "GET", "/v1/devices/"+d.id, nil)
	var dev struct {
		Name string `json:"computerDnsName"`
	}
	if code != 200 || json.Unmarshal(b, &dev) != nil {
		t.Fatalf("get device: HTTP %d %s", code, b)
	}
	d.name = dev.Name
	return d
}

// cli runs the goshawk CLI against the server; it returns the output and
// whether it exited 0.
func (d *connectedDevice) cli(t testing.TB, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(d.goshawk, append(args, "--server", d.s.url, "--token", d.s.token, "--ca", d.s.caFile)...)
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return string(out), err == nil
}

// endpointAlerts counts the device's SecurityAlert rows.
func (d *connectedDevice) endpointAlerts(t testing.TB) int64 {
	t.Helper()
	rows := d.s.queryRows(t, fmt.Sprintf(`SecurityAlert | where ProductName == "Goshawk Endpoint" and ResourceId == "%s" | count`, d.id))
	n, _ := rows[0][0].(float64)
	return int64(n)
}

// queryObjects runs a query as the owner and returns the rows as maps.
func (s *testServer) queryObjects(t testing.TB, kql string) []map[string]any {
	t.Helper()
	code, b := s.api(t, "POST", "/v1/workspaces/"+s.id+"/query", map[string]string{"query": kql})
	var r struct {
		Tables []struct {
			Columns []struct{ Name string } `json:"columns"`
			Rows    [][]any                 `json:"rows"`
		} `json:"tables"`
	}
	if code != 200 || json.Unmarshal(b, &r) != nil || len(r.Tables) == 0 {
		t.Fatalf("query %q: HTTP %d %s", kql, code, b)
	}
	var out []map[string]any
	for _, row := range r.Tables[0].Rows {
		m := map[string]any{}
		for i, c := range r.Tables[0].Columns {
			m[c.Name] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// TestEndpointConnectorEndToEnd: the whole path from the sensor to the
// SIEM. The EICAR file written on this machine becomes a SecurityAlert row
// of the Goshawk Endpoint product with Sentinel entities naming the
// device and the file; the Device* tables hold the device's events; doctor
// calls the connector healthy; disabling the connector stops new rows and
// doctor says so.
func TestEndpointConnectorEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server and the agent")
	}
	d := newConnectedDevice(t)
	start := time.Now()
	run(t, d.agentBin, "test-alert", "--dir", t.TempDir())
	var row map[string]any
	for deadline := start.Add(10 * time.Second); row == nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no SecurityAlert row within 10s of the EICAR file")
		}
		rows := d.s.queryObjects(t, fmt.Sprintf(`SecurityAlert | where ProductName == "Goshawk Endpoint" and ResourceId == "%s"`, d.id))
		if len(rows) > 0 {
			row = rows[0]
		}
	}
	t.Logf("SecurityAlert row %v after the EICAR file", time.Since(start).Round(time.Millisecond))
	for col, want := range map[string]any{"AlertName": "EICAR test file detected", "AlertSeverity": "Informational",
		"ProviderName": "Goshawk Endpoint", "VendorName": "Goshawk", "CompromisedEntity": d.name, "Status": "New"} {
		if row[col] != want {
			t.Errorf("SecurityAlert.%s = %v, want %v", col, row[col], want)
		}
	}
	var ents []map[string]any
	if err := json.Unmarshal([]byte(row["Entities"].(string)), &ents); err != nil {
		t.Fatalf("Entities: %v", err)
	}
	var types []string
	for _, e := range ents {
		types = append(types, e["Type"].(string))
		if e["Type"] == "host" && e["MdatpDeviceId"] != d.id {
			t.Errorf("host entity %v does not name the device %s", e, d.id)
		}
		if e["Type"] == "file" && e["Name"] != nil && strings.HasPrefix(e["Name"].(string), "goshawk-test-alert-") {
			types = append(types, "eicar-file")
		}
	}
	for _, want := range []string{"host", "file", "filehash", "eicar-file"} {
		if !slices.Contains(types, want) {
			t.Errorf("entities %v lack %s", types, want)
		}
	}
	// The device's telemetry: its inventory, the test-alert exec, the
	// file it wrote, the alert in Defender's shape.
	for _, table := range []string{"DeviceInfo", "DeviceProcessEvents", "DeviceFileEvents", "AlertEvidence"} {
		for deadline := time.Now().Add(10 * time.Second); d.s.count(t, table, d.id) == 0; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("no %s rows of the device within 10s", table)
				break
			}
		}
	}
	// AlertInfo has no DeviceId column.
	if n := len(d.s.queryRows(t, "AlertInfo | where Title == 'EICAR test file detected'")); n == 0 {
		t.Errorf("no AlertInfo row")
	}

	// The endpoint solution's Microsoft security rule makes it an
	// incident within a minute; a responder can triage it.
	var inc struct {
		Number   int64    `json:"incidentNumber"`
		Title    string   `json:"title"`
		Status   string   `json:"status"`
		AlertIDs []string `json:"alertIds"`
	}
	for deadline := start.Add(60 * time.Second); inc.Number == 0; time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no incident within a minute of the EICAR file")
		}
		code, b := d.s.api(t, "GET", "/v1/incidents", nil)
		var list struct {
			Value []json.RawMessage `json:"value"`
		}
		if code != 200 || json.Unmarshal(b, &list) != nil {
			t.Fatalf("list incidents: HTTP %d %s", code, b)
		}
		if len(list.Value) > 0 {
			json.Unmarshal(list.Value[0], &inc)
		}
	}
	t.Logf("incident %d %v after the EICAR file", inc.Number, time.Since(start).Round(time.Millisecond))
	if inc.Title != "EICAR test file detected" || inc.Status != "New" || len(inc.AlertIDs) != 1 || inc.AlertIDs[0] != row["SystemAlertId"] {
		t.Errorf("incident %+v, want the EICAR alert %v", inc, row["SystemAlertId"])
	}

	out, ok := d.cli(t, "doctor")
	if !ok || !strings.Contains(out, "Goshawk Endpoint (goshawk-endpoint): healthy") || !strings.Contains(out, "EICAR test file detected") {
		t.Errorf("doctor (exit ok %v):\n%s", ok, out)
	}
	t.Logf("doctor:\n%s", out)

	// Disabled: the sensor's rows stop; doctor says so.
	if out, ok := d.cli(t, "connectors", "disable", "goshawk-endpoint"); !ok || !strings.Contains(out, "enabled: no") {
		t.Fatalf("connectors disable:\n%s", out)
	}
	time.Sleep(500 * time.Millisecond) // batches in flight land first
	alerts := d.endpointAlerts(t)
	procs := d.s.count(t, "DeviceProcessEvents", d.id)
	marker := fmt.Sprintf("goshawk-disabled-%d", time.Now().UnixNano())
	exec.Command("/bin/true", marker).Run()
	run(t, d.agentBin, "test-alert", "--dir", t.TempDir())
	time.Sleep(3 * time.Second)
	if n := d.endpointAlerts(t); n != alerts {
		t.Errorf("SecurityAlert rows went from %d to %d with the connector disabled", alerts, n)
	}
	if n := d.s.count(t, "DeviceProcessEvents", d.id, "ProcessCommandLine has '"+marker+"'"); n != 0 {
		t.Errorf("an exec reached DeviceProcessEvents with the connector disabled (%d rows; %d before)", n, procs)
	}
	out, ok = d.cli(t, "doctor")
	if ok || !strings.Contains(out, "disabled") || !strings.Contains(out, "goshawk connectors enable goshawk-endpoint") {
		t.Errorf("doctor with the connector disabled (exit ok %v):\n%s", ok, out)
	}
	// Enabled again: rows flow.
	d.cli(t, "connectors", "enable", "goshawk-endpoint")
	run(t, d.agentBin, "test-alert", "--dir", t.TempDir())
	for deadline := time.Now().Add(10 * time.Second); d.endpointAlerts(t) == alerts; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no new SecurityAlert row within 10s of enabling the connector again")
		}
	}
}

// TestQuickstart runs the README's first command as a new user would (as
// root): it prints the validation query's answer with the test alert, the
// API address and a token; Ctrl-C offboards the sensor and leaves nothing
// behind.
func TestQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server and the agent")
	}
	if os.Geteuid() != 0 {
		t.Skip("the quickstart onboards this machine only as root")
	}
	bins := t.TempDir()
	goshawk := goBuild(t, bins, "github.com/goshawk-sec/goshawk/cmd/goshawk", "goshawk")
	goBuild(t, bins, ".", "goshawk-agent")
	work := t.TempDir()
	cmd := exec.Command(goshawk, "quickstart", "--listen", "127.0.0.1:0")
	cmd.Dir = work
	stdout, _ := cmd.StdoutPipe()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var out []string
	wait := func(what string, timeout time.Duration) {
		t.Helper()
		deadline := time.After(timeout)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the quickstart ended before %q:\n%s\nstderr:\n%s", what, strings.Join(out, "\n"), stderr.String())
				}
				out = append(out, l)
				if strings.Contains(l, what) {
					return
				}
			case <-deadline:
				t.Fatalf("no %q within %v:\n%s\nstderr:\n%s", what, timeout, strings.Join(out, "\n"), stderr.String())
			}
		}
	}
	wait("Press Ctrl-C to stop.", 3*time.Minute)
	text := strings.Join(out, "\n")
	t.Logf("quickstart:\n%s", text)
	alertRow := regexp.MustCompile(`(?m)^\s+\S+Z\s+EICAR test file detected\s+Informational\s+\S+\s+Goshawk Endpoint\s+New$`)
	if !alertRow.MatchString(text) {
		t.Error("the validation query's table lacks the test alert")
	}
	for _, want := range []string{"API:        https://127.0.0.1:", "owner token: gsk_", "is active", `"EICAR test file detected" (Informational) opened`} {
		if !strings.Contains(text, want) {
			t.Errorf("the quickstart did not say %q", want)
		}
	}
	stateDir := regexp.MustCompile(`log: (/\S+)/agent\.log`).FindStringSubmatch(text)
	if stateDir == nil {
		t.Fatal("no sensor state directory in the output")
	}
	if b, err := os.ReadFile(filepath.Join(work, "goshawk-owner.token")); err != nil || !strings.HasPrefix(string(b), "gsk_") {
		t.Errorf("token file: %q, %v", b, err)
	}

	cmd.Process.Signal(os.Interrupt)
	wait("offboarded", time.Minute)
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the quickstart exited with %v after Ctrl-C; stderr:\n%s", err, stderr.String())
	}
	if _, err := os.Stat(stateDir[1]); !os.IsNotExist(err) {
		t.Errorf("the sensor's state %s (and its quarantine) survived: %v", stateDir[1], err)
	}
	if out, err := exec.Command("nft", "list", "tables").CombinedOutput(); err == nil && strings.Contains(string(out), "goshawk_isolation") {
		t.Error("an isolation table is left behind")
	}
}

// BenchmarkEICARToSecurityAlert measures the time from the EICAR file's
// write to its SecurityAlert row being returned by the query API, over
// b.N files (run with -benchtime 20x); it reports p50 and p99.
func BenchmarkEICARToSecurityAlert(b *testing.B) {
	d := newConnectedDevice(b)
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		before := d.endpointAlerts(b)
		start := time.Now()
		run(b, d.agentBin, "test-alert", "--dir", b.TempDir())
		for d.endpointAlerts(b) == before {
			if time.Since(start) > 30*time.Second {
				b.Fatalf("run %d: no SecurityAlert row within 30s", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.ReportMetric(float64(pct(0.5).Milliseconds()), "p50-ms")
	b.ReportMetric(float64(pct(0.99).Milliseconds()), "p99-ms")
}
