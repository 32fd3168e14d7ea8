package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/state"
)

// procUsage reads a process's CPU seconds and resident bytes.
func procUsage(pid int) (cpu float64, rss int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	m, _ := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	pages, _ := strconv.ParseInt(strings.Fields(string(m))[1], 10, 64)
	return (ut + st) / 100, pages * int64(os.Getpagesize())
}

// execAt runs /bin/true rate times a second for d.
func execAt(ctx context.Context, rate int, d time.Duration) int {
	if rate == 0 {
		time.Sleep(d)
		return 0
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	workers := 8
	end := time.Now().Add(d)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			interval := time.Duration(workers) * time.Second / time.Duration(rate)
			next := time.Now()
			for time.Now().Before(end) && ctx.Err() == nil {
				exec.Command("/bin/true").Run()
				mu.Lock()
				n++
				mu.Unlock()
				next = next.Add(interval)
				if w := time.Until(next); w > 0 {
					time.Sleep(w)
				}
			}
		}()
	}
	wg.Wait()
	return n
}

// TestSensorLoad measures the agent binary (as root, against the real
// server) at idle and under 100 and 1,000 process executions a second:
// its CPU (% of one core) and RSS, and the event-to-server latency
// (ingestion_time() - Timestamp) p50/p99. It prints numbers and asserts
// nothing about them; set GOSHAWK_AGENT_LOAD=1 to run it.
func TestSensorLoad(t *testing.T) {
	if os.Getenv("GOSHAWK_AGENT_LOAD") == "" {
		t.Skip("set GOSHAWK_AGENT_LOAD=1 to measure the sensor under load")
	}
	if os.Geteuid() != 0 {
		t.Skip("the process collector needs root")
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
	}()
	time.Sleep(3 * time.Second) // started, first inventory sent
	ctx := context.Background()
	for _, rate := range []int{0, 100, 1000} {
		before := s.count(t, "DeviceProcessEvents", deviceID, "FileName == 'true'")
		cpu0, _ := procUsage(cmd.Process.Pid)
		start := time.Now()
		var peak int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			for time.Since(start) < 10*time.Second {
				if _, rss := procUsage(cmd.Process.Pid); rss > peak {
					peak = rss
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
		n := execAt(ctx, rate, 10*time.Second)
		<-done
		cpu1, _ := procUsage(cmd.Process.Pid)
		el := time.Since(start).Seconds()
		time.Sleep(3 * time.Second) // last batches
		got := s.count(t, "DeviceProcessEvents", deviceID, "FileName == 'true'") - before
		t.Logf("%4d exec/s target (%d run, %.0f/s): agent CPU %.1f%% of a core, peak RSS %.1f MiB, %d events stored",
			rate, n, float64(n)/el, (cpu1-cpu0)/el*100, float64(peak)/(1<<20), got)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	// The same storm with a 10% CPU cap: the agent samples and says so.
	cfgFile := filepath.Join(t.TempDir(), "capped.json")
	os.WriteFile(cfgFile, []byte(`{"cpuPercent": 10, "heartbeatSeconds": 1}`), 0o600)
	cmd = exec.Command(agentBin, "run", "--state", stateDir, "--config", cfgFile)
	cmd.Stdout, cmd.Stderr = agentLog, agentLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	cpu0, _ := procUsage(cmd.Process.Pid)
	start := time.Now()
	n := execAt(ctx, 1000, 10*time.Second)
	cpu1, rss := procUsage(cmd.Process.Pid)
	el := time.Since(start).Seconds()
	time.Sleep(2 * time.Second)
	var st struct {
		Health struct {
			Sampled    int64 `json:"sampled"`
			Collectors []struct{ Name, State string }
		} `json:"health"`
	}
	b, _ := os.ReadFile(filepath.Join(stateDir, state.HealthFile))
	json.Unmarshal(b, &st)
	t.Logf("1000 exec/s with a 10%% CPU cap (%d run): agent CPU %.1f%% of a core, RSS %.1f MiB, %d events sampled, collectors %v",
		n, (cpu1-cpu0)/el*100, float64(rss)/(1<<20), st.Health.Sampled, st.Health.Collectors)

	for _, l := range strings.Split(agentLog.String(), "\n") {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			t.Logf("agent: %s", l)
		}
	}
	lat := s.queryRows(t, fmt.Sprintf("DeviceProcessEvents | where DeviceId == '%s' and FileName == 'true' | extend ms = (ingestion_time() - Timestamp) / 1ms | summarize p50 = percentile(ms, 50), p99 = percentile(ms, 99)", deviceID))
	t.Logf("event-to-server latency (ms): %v", lat)
}

// queryRows runs a query as the owner and returns the rows.
func (s *testServer) queryRows(t testing.TB, kql string) [][]any {
	t.Helper()
	code, b := s.api(t, "POST", "/v1/workspaces/"+s.id+"/query", map[string]string{"query": kql})
	var r struct {
		Tables []struct {
			Rows [][]any `json:"rows"`
		} `json:"tables"`
	}
	if code != 200 || json.Unmarshal(b, &r) != nil || len(r.Tables) == 0 {
		t.Fatalf("query %q: HTTP %d %s", kql, code, b)
	}
	return r.Tables[0].Rows
}
