package collect

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// BenchmarkProcessCollector runs the process collector in a child process
// and executes /bin/true at a fixed rate (one exec per iteration), then
// reports the collector's CPU (% of one core), peak RSS and the share of
// execs it reported. Run e.g.
//
//	go test -run '^$' -bench ProcessCollector -benchtime 3000x ./agent/collect
func BenchmarkProcessCollector(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("the process collector needs root")
	}
	// rate=0 is idle: each iteration is a millisecond without execs of
	// its own (other processes on the machine still run).
	for _, rate := range []int{0, 100, 1000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) { benchProcessRate(b, rate) })
	}
}

func benchProcessRate(b *testing.B, rate int) {
	dir := b.TempDir()
	countFile := filepath.Join(dir, "count")
	marker := fmt.Sprintf("goshawk-load-%d", time.Now().UnixNano())
	col := exec.Command(os.Args[0], "-test.run=^TestProcessCollectorHelper$")
	col.Env = append(os.Environ(), "GOSHAWK_LOAD_MARKER="+marker, "GOSHAWK_LOAD_COUNT="+countFile)
	col.Stderr = os.Stderr
	if err := col.Start(); err != nil {
		b.Fatal(err)
	}
	time.Sleep(time.Second) // collector set up
	cpu0 := procCPU(col.Process.Pid)
	truePath, _ := exec.LookPath("true")

	b.ResetTimer()
	start := time.Now()
	period := time.Millisecond
	if rate > 0 {
		period = time.Second / time.Duration(rate)
	}
	tick := time.NewTicker(period)
	var wg sync.WaitGroup
	var failed atomic.Int64
	sem := make(chan struct{}, 64)
	for i := 0; i < b.N; i++ {
		<-tick.C
		if rate == 0 {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if exec.Command(truePath, marker).Run() != nil {
				failed.Add(1)
			}
			<-sem
		}()
	}
	wg.Wait()
	tick.Stop()
	elapsed := time.Since(start)
	time.Sleep(500 * time.Millisecond) // let the collector drain
	b.StopTimer()
	cpu := procCPU(col.Process.Pid) - cpu0
	rss := procHWM(col.Process.Pid)
	col.Process.Signal(syscall.SIGTERM)
	col.Wait()
	data, _ := os.ReadFile(countFile)
	seen, _ := strconv.Atoi(strings.TrimSpace(string(data)))

	b.ReportMetric(100*cpu.Seconds()/elapsed.Seconds(), "cpu%")
	b.ReportMetric(float64(rss)/1024, "rss-MB")
	if rate > 0 {
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "execs/s")
		b.ReportMetric(100*float64(seen)/float64(b.N-int(failed.Load())), "reported%")
	}
}

// TestProcessCollectorHelper is the collector process of the benchmark.
func TestProcessCollectorHelper(t *testing.T) {
	marker := os.Getenv("GOSHAWK_LOAD_MARKER")
	if marker == "" {
		t.Skip("benchmark helper process only")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	var n counter
	n.marker = marker
	if err := NewProcess(Config{}).Run(ctx, &n); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(os.Getenv("GOSHAWK_LOAD_COUNT"), []byte(strconv.FormatInt(n.n.Load(), 10)), 0o600)
}

// counter counts the rows of the load's execs.
type counter struct {
	marker string
	n      atomic.Int64
}

func (c *counter) Emit(e agentproto.Event) {
	if s, _ := e.Row["ProcessCommandLine"].(string); strings.HasSuffix(s, c.marker) {
		c.n.Add(1)
	}
}

// procCPU is a process's user+system CPU time.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * time.Second / clockTicks
}

// procHWM is a process's peak RSS in KiB.
func procHWM(pid int) int64 {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}
