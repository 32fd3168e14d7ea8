package detect

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// ErrTestNotDetected is returned by RunTestAlert when the test file was
// still in place at the deadline: no running agent detected it (the agent
// is stopped, its file collector is unsupported here, or dir is excluded).
var ErrTestNotDetected = errors.New("the test file was not detected")

// TestAlertResult describes a detection test.
type TestAlertResult struct {
	Path     string
	Detected bool
	Elapsed  time.Duration
}

// RunTestAlert is `goshawk-agent test-alert`: Defender's detection test
// without a shell. It drops the harmless EICAR test file into dir (the
// system temporary directory when empty), which must be one the running
// agent's file collector watches, and waits until the agent has
// quarantined it (the file is gone) or ctx ends. The running agent raises
// the "EICAR test file detected" alert (Informational) and records the
// quarantine; this process raises nothing itself. When the file is not
// detected in time it is removed and ErrTestNotDetected returned.
func RunTestAlert(ctx context.Context, dir string) (TestAlertResult, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	start := time.Now()
	path, err := WriteTestFile(dir)
	if err != nil {
		return TestAlertResult{}, err
	}
	res := TestAlertResult{Path: path}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			res.Detected, res.Elapsed = true, time.Since(start)
			return res, nil
		}
		select {
		case <-ctx.Done():
			os.Remove(path)
			res.Elapsed = time.Since(start)
			return res, fmt.Errorf("%w within %v at %s", ErrTestNotDetected, res.Elapsed.Round(time.Millisecond), path)
		case <-t.C:
		}
	}
}
