package respond

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// The test binary doubles as the tiny trigger program: run with
// GOSHAWK_TRIGGER set, it does one thing and exits (or waits).
//
//	eicar PATH   write the EICAR test file (joined from its halves) to PATH
//	hold PATH    open PATH, print "ready", wait to be killed
//	sleep        print "ready", wait to be killed
func TestMain(m *testing.M) {
	switch os.Getenv("GOSHAWK_TRIGGER") {
	case "":
		os.Exit(m.Run())
	case "eicar":
		if err := os.WriteFile(os.Getenv("GOSHAWK_PATH"), append(detect.EICAR(), "\r\n"...), 0o640); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "hold":
		f, err := os.Open(os.Getenv("GOSHAWK_PATH"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		fallthrough
	case "sleep":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		time.Sleep(time.Hour)
		os.Exit(0)
	}
	os.Exit(2)
}

// trigger runs the test binary as a trigger program and waits for it.
func trigger(t *testing.T, what, path string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "GOSHAWK_TRIGGER="+what, "GOSHAWK_PATH="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("trigger %s %s: %v\n%s", what, path, err, out)
	}
}

// startTrigger starts a long-running trigger and waits for its "ready".
func startTrigger(t *testing.T, what, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "GOSHAWK_TRIGGER="+what, "GOSHAWK_PATH="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf[:5]) != "ready" {
		t.Fatalf("trigger %s: no ready (%q, %v)", what, buf, err)
	}
	return cmd
}

// events is a sensor.Emitter that records.
type events struct {
	mu  sync.Mutex
	evs []agentproto.Event
}

func (e *events) Emit(ev agentproto.Event) {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
}

func (e *events) table(name string) []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []map[string]any
	for _, ev := range e.evs {
		if ev.Table == name {
			out = append(out, ev.Row)
		}
	}
	return out
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (quarantine keeps owners, kill and nftables need privileges)")
	}
}
