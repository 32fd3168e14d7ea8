package detect

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

type recorder struct {
	mu  sync.Mutex
	evs []agentproto.Event
}

func (r *recorder) Emit(e agentproto.Event) { r.mu.Lock(); r.evs = append(r.evs, e); r.mu.Unlock() }

// removeQuarantine stands in for the vault: it deletes the file.
type removeQuarantine struct{}

func (removeQuarantine) Quarantine(ctx context.Context, path, threat string, stop bool) (string, error) {
	return "q1", os.Remove(path)
}

// pollWatcher plays the file collector: it hands every new file of dir to
// the detector.
func pollWatcher(ctx context.Context, dir string, w sensor.FileWatcher) {
	seen := map[string]bool{}
	for ctx.Err() == nil {
		des, _ := os.ReadDir(dir)
		for _, de := range des {
			if p := dir + "/" + de.Name(); !seen[p] {
				seen[p] = true
				w.FileWritten(ctx, p, sensor.Process{})
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunTestAlert(t *testing.T) {
	dir := t.TempDir()
	out := &recorder{}
	d, err := New(Config{}, out, removeQuarantine{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	go pollWatcher(ctx, dir, d)
	tctx, tcancel := context.WithTimeout(ctx, 5*time.Second)
	defer tcancel()
	res, err := RunTestAlert(tctx, dir)
	if err != nil || !res.Detected {
		t.Fatalf("RunTestAlert = %+v, %v", res, err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.evs) == 0 || out.evs[0].Table != "AlertInfo" || out.evs[0].Row["Title"] != EICARTitle {
		t.Errorf("events %v, want the EICAR alert first", out.evs)
	}

	// Nobody watching: not detected, and the file is cleaned up.
	idle := t.TempDir()
	tctx2, tcancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer tcancel2()
	res, err = RunTestAlert(tctx2, idle)
	if !errors.Is(err, ErrTestNotDetected) || res.Detected {
		t.Errorf("RunTestAlert without an agent = %+v, %v; want ErrTestNotDetected", res, err)
	}
	if des, _ := os.ReadDir(idle); len(des) != 0 {
		t.Errorf("test file left behind: %v", des)
	}
}
