package detect

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// A FIFO reported as written must not hang the scanner.
func TestScanFileSkipsFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	d, _ := New(Config{}, &recorder{}, nil)
	done := make(chan struct{})
	go func() {
		d.ScanFile(context.Background(), p, sensor.Process{})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ScanFile blocked on a FIFO")
	}
}
