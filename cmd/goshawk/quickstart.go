package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/workspace"
)

// quickstartTokenName names the owner token the quickstart makes (one at a
// time: the previous one is revoked).
const quickstartTokenName = "quickstart"

// quickstart is the README's first command: a server on the embedded
// store with the endpoint solution installed, this machine's sensor
// onboarded (as root), a test alert, and the validation query's answer.
// It runs until interrupted, then offboards the sensor and removes its
// state (the quarantined test file with it). It never isolates the host.
func (c *cli) quickstart(ctx context.Context, args []string) error {
	const synopsis = "quickstart [--data DIR] [--listen HOST:PORT] [--agent PATH] [--token-file FILE]"
	fs := c.newFlags("quickstart", synopsis)
	dir := fs.String("data", "goshawk-data", "the workspace `directory` (created when missing)")
	listen := fs.String("listen", "127.0.0.1:8443", "the server's `address`")
	agentPath := fs.String("agent", "", "the goshawk-agent `binary` (default: beside this one)")
	tokenFile := fs.String("token-file", "goshawk-owner.token", "where to write the owner token (mode 0600)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	say := func(format string, a ...any) { fmt.Fprintf(c.stdout, format+"\n", a...) }

	// 1. The workspace: the endpoint solution and an owner token, before
	// the server holds it.
	say("==> workspace %s", *dir)
	token, err := prepareQuickstart(ctx, *dir)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*tokenFile, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("write the token file: %w", err)
	}
	say("    endpoint solution installed (connector goshawk-endpoint, hunting queries)")

	// 2. The server, its log in a file so that this output stays
	// readable.
	logPath := filepath.Join(*dir, "server.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv, url, err := startChild(ctx, self, []string{"server", "--data", *dir, "--listen", *listen}, logFile)
	if err != nil {
		return fmt.Errorf("%w; its log: %s", err, logPath)
	}
	defer stopChild(srv, 30*time.Second)
	caFile := filepath.Join(*dir, "ca.crt")
	say("==> server listening on %s (log: %s)", url, logPath)
	cl, err := client.New(url, token, client.Options{CAFile: caFile})
	if err != nil {
		return err
	}
	defer cl.Close()

	// 3. This machine's sensor, as root.
	agentBin := *agentPath
	if agentBin == "" {
		agentBin = filepath.Join(filepath.Dir(self), "goshawk-agent")
	}
	var agent *exec.Cmd
	var agentState string
	switch {
	case os.Geteuid() != 0:
		say("==> not running as root: the endpoint sensor needs root (audit, fanotify, nftables), so this machine is not onboarded;")
		say("    the server runs alone. Run the quickstart as root to onboard this machine and see an endpoint alert.")
	case !fileExists(agentBin):
		say("==> no sensor binary at %s: build it (go build -o %s ./cmd/goshawk-agent) or give --agent PATH;", agentBin, filepath.Dir(agentBin))
		say("    the server runs alone.")
	default:
		agentState, err = os.MkdirTemp("", "goshawk-quickstart-agent-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(agentState)
		agent, err = onboardThisMachine(ctx, cl, agentBin, agentState, c.stderr, say)
		if err != nil {
			return err
		}
		defer func() {
			// Offboard cleanly: stop the sensor, tell the server, drop
			// the state (keys, queue, quarantine).
			stopChild(agent, 20*time.Second)
			if out, err := exec.Command(agentBin, "offboard", "--state", filepath.Join(agentState, "agent")).CombinedOutput(); err != nil {
				fmt.Fprintf(c.stderr, "offboard this machine: %v: %s\n", err, out)
			}
			say("==> this machine was offboarded and its sensor state removed")
		}()
		if err := testAlert(ctx, cl, agentBin, say); err != nil {
			say("    %v", err)
		} else {
			waitIncident(ctx, cl, say)
		}
	}

	// 4. The validation query, and where to go next.
	say("\n==> validation query: %s", connector.EndpointValidationQuery)
	rs, err := cl.Query(ctx, connector.EndpointValidationQuery, "")
	if err != nil {
		return err
	}
	printAlerts(c.stdout, rs.Primary())
	say(`
Goshawk is running.
  API:        %[1]s   (CA certificate: %[2]s)
  owner token: %[3]s   (also in %[4]s)

Try, from another shell:
  export GOSHAWK_TOKEN=$(cat %[4]s) GOSHAWK_CA=%[2]s
  %[5]s doctor --server %[1]s
  %[5]s device list --server %[1]s
  %[5]s query --server %[1]s 'DeviceProcessEvents | summarize count() by FileName | top 10 by count_'

Press Ctrl-C to stop.`, url, caFile, token, *tokenFile, self)
	<-ctx.Done()
	say("\n==> stopping")
	return nil
}

// prepareQuickstart opens (or creates) the workspace, installs the
// endpoint solution and makes a fresh owner token.
func prepareQuickstart(ctx context.Context, dir string) (string, error) {
	cfg := workspace.DefaultConfig()
	cfg.Command = "quickstart"
	ws, err := workspace.Open(ctx, dir, cfg)
	if err != nil {
		return "", err
	}
	defer ws.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := edr.New(ctx, ws, nil, edr.DefaultConfig(), log)
	if err != nil {
		return "", err
	}
	sm, err := openSIEM(ctx, ws, e, log)
	if err != nil {
		return "", err
	}
	if _, err := sm.hub.Install(ctx, "endpoint", "quickstart"); err != nil {
		return "", err
	}
	if _, err := ws.RevokeToken(ctx, quickstartTokenName); err != nil && !errors.Is(err, workspace.ErrNotFound) {
		return "", err
	}
	secret, _, err := ws.CreateToken(ctx, auth.Owner, quickstartTokenName)
	return secret, err
}

// listeningLine is the server's first line on stdout.
const listeningPrefix = "goshawk server listening on "

// startChild starts a goshawk server and returns it with its URL.
func startChild(ctx context.Context, bin string, args []string, stderr io.Writer) (*exec.Cmd, string, error) {
	cmd := ownGroup(exec.Command(bin, args...))
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case l := <-lines:
		rest, ok := strings.CutPrefix(l, listeningPrefix)
		if !ok {
			stopChild(cmd, time.Second)
			return nil, "", fmt.Errorf("the server said %q", l)
		}
		url, _, _ := strings.Cut(rest, " ")
		return cmd, url, nil
	case <-time.After(60 * time.Second):
	case <-ctx.Done():
	}
	stopChild(cmd, time.Second)
	return nil, "", errors.New("the server did not start (see its log above)")
}

// stopChild sends SIGTERM and waits, then kills.
func stopChild(cmd *exec.Cmd, grace time.Duration) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		cmd.Process.Kill()
		<-done
	}
}

// onboardThisMachine onboards the sensor with a one-use package and
// starts it, waiting for the device to report.
func onboardThisMachine(ctx context.Context, cl *client.Client, agentBin, state string, stderr io.Writer, say func(string, ...any)) (*exec.Cmd, error) {
	pkg, err := cl.CreateOnboarding(ctx, edr.OnboardingRequest{Uses: 1, ExpiresInSeconds: 600})
	if err != nil {
		return nil, err
	}
	pkgFile := filepath.Join(state, "onboarding.json")
	b, _ := json.Marshal(pkg)
	if err := os.WriteFile(pkgFile, b, 0o600); err != nil {
		return nil, err
	}
	if out, err := exec.Command(agentBin, "onboard", "--package", pkgFile, "--state", filepath.Join(state, "agent")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("onboard this machine: %v: %s", err, out)
	}
	os.Remove(pkgFile)
	cfg := filepath.Join(state, "agent.json")
	os.WriteFile(cfg, []byte(`{"heartbeatSeconds": 5, "batchIntervalMs": 500}`), 0o600)
	agent := ownGroup(exec.Command(agentBin, "run", "--state", filepath.Join(state, "agent"), "--config", cfg))
	logFile, err := os.Create(filepath.Join(state, "agent.log"))
	if err != nil {
		return nil, err
	}
	agent.Stdout, agent.Stderr = logFile, logFile
	if err := agent.Start(); err != nil {
		return nil, err
	}
	say("==> this machine is onboarded; its sensor runs (log: %s)", logFile.Name())
	// The device shows in the inventory once its first report arrives.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		devs, err := cl.Devices(ctx, edr.DeviceFilter{Health: "Active"})
		if err == nil && len(devs) > 0 {
			say("    device %s (%s) is active", devs[0].Name, devs[0].ID)
			break
		}
	}
	// The file collector marks the filesystem at its start.
	time.Sleep(2 * time.Second)
	return agent, nil
}

// testAlert drops the EICAR test file in a temporary folder and waits for
// the endpoint alert to reach SecurityAlert.
func testAlert(ctx context.Context, cl *client.Client, agentBin string, say func(string, ...any)) error {
	dir, err := os.MkdirTemp("", "goshawk-quickstart-test-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	if out, err := exec.Command(agentBin, "test-alert", "--dir", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("test alert: %v: %s", err, out)
	}
	say("==> wrote the EICAR test file (harmless) in %s; waiting for the alert", dir)
	q := connector.EndpointValidationQuery + " | where TimeGenerated >= datetime(" + start.UTC().Format(time.RFC3339Nano) + ") | take 1"
	for deadline := start.Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		rs, err := cl.Query(ctx, q, "")
		if err == nil && rs.Primary() != nil && len(rs.Primary().Rows) > 0 {
			say("    the alert reached SecurityAlert %s after the file was written", time.Since(start).Round(10*time.Millisecond))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return errors.New("no alert within 60 s: run 'goshawk doctor' to see why")
}

// waitIncident waits for the test alert's incident (the endpoint
// solution's Microsoft security rule makes it) and names it.
func waitIncident(ctx context.Context, cl *client.Client, say func(string, ...any)) {
	start := time.Now()
	for time.Since(start) < 60*time.Second && ctx.Err() == nil {
		incs, err := cl.Incidents(ctx, incidents.Filter{Limit: 1})
		if err == nil && len(incs) > 0 && incs[0].CreatedTime.After(start.Add(-time.Minute)) {
			say("    incident %d %q (%s) opened; triage it with 'goshawk incidents show %d'", incs[0].Number, incs[0].Title, incs[0].Severity, incs[0].Number)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	say("    no incident yet: the rule 'Create incidents based on Goshawk Endpoint alerts' opens one within a minute")
}

// printAlerts writes the validation query's rows as a table of the
// columns a person reads first.
func printAlerts(w io.Writer, t *result.Table) {
	if t == nil || len(t.Rows) == 0 {
		fmt.Fprintln(w, "    no endpoint alerts yet")
		return
	}
	v := connector.Validation{Rows: len(t.Rows)}
	for _, c := range t.Columns {
		v.Columns = append(v.Columns, c.Name)
	}
	for i, row := range t.Rows {
		if i == 10 {
			break
		}
		cells := make([]string, len(row))
		for j, cell := range row {
			cells[j] = result.FormatValue(cell, t.Columns[j].Type)
		}
		v.Sample = append(v.Sample, cells)
	}
	writeSample(w, v)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
