package detect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// pollWatcher plays the file collector: it hands every file of dir to the
// detector whenever its size changes (a real collector reports on
// close-write; a poll may first see the file empty).
func pollWatcher(ctx context.Context, dir string, w sensor.FileWatcher) {
	seen := map[string]int64{}
	for ctx.Err() == nil {
		des, _ := os.ReadDir(dir)
		for _, de := range des {
			fi, err := de.Info()
			if p := dir + "/" + de.Name(); err == nil && seen[p] != fi.Size()+1 {
				seen[p] = fi.Size() + 1
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

func TestProcessStartedBlockIndicator(t *testing.T) {
	dir := t.TempDir()
	img := dir + "/tool"
	if err := os.WriteFile(img, []byte("blocked image"), 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256Hex([]byte("blocked image"))
	out := &recorder{}
	q := &recordQuarantine{}
	d, _ := New(Config{}, out, q)
	d.SetIndicators(context.Background(), agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{ID: "b", Type: agentproto.IndicatorFileSha256, Value: sum, Action: agentproto.ActionBlock, Title: "Blocked tool", Severity: "High"},
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	d.ProcessStarted(ctx, sensor.Process{PID: 77, Path: dir + "/other", SHA256: "00"}) // no match: nothing queued
	d.ProcessStarted(ctx, sensor.Process{PID: 78, Path: img, SHA256: sum})
	deadline := time.Now().Add(5 * time.Second)
	for q.calls() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.got) != 1 || q.got[0] != img+" stop" {
		t.Errorf("quarantined %v, want [%s stop]", q.got, img)
	}
}

type recordQuarantine struct {
	mu  sync.Mutex
	got []string
}

func (q *recordQuarantine) Quarantine(ctx context.Context, path, threat string, stop bool) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := path
	if stop {
		s += " stop"
	}
	q.got = append(q.got, s)
	return "q", nil
}

func (q *recordQuarantine) calls() int { q.mu.Lock(); defer q.mu.Unlock(); return len(q.got) }

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
