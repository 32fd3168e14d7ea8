package workspace

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// LockFile is the file in the data directory whose lock marks the
// workspace as open, and which names the process holding it.
const LockFile = "goshawk.lock"

// Holder describes the process that has a workspace open.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	URL     string    `json:"url,omitempty"`
	Since   time.Time `json:"since"`
}

// HeldError is returned by Open when another process has the workspace
// open.
type HeldError struct {
	Dir    string
	Holder Holder
}

func (e *HeldError) Error() string {
	h := e.Holder
	switch {
	case h.URL != "":
		return fmt.Sprintf("workspace %s is open in a goshawk server (pid %d, since %s) listening on %s: run the command with --server %s --token TOKEN instead of --data",
			e.Dir, h.PID, h.Since.Format(time.RFC3339), h.URL, h.URL)
	case h.PID != 0:
		return fmt.Sprintf("workspace %s is open in another goshawk process (pid %d, %q, since %s); wait for it to finish or stop it",
			e.Dir, h.PID, h.Command, h.Since.Format(time.RFC3339))
	}
	return fmt.Sprintf("workspace %s is open in another process", e.Dir)
}

type lock struct {
	f    *os.File
	info Holder
}

func acquire(dir, command string) (*lock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock workspace: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock workspace %s: %w", dir, err)
	}
	if !ok {
		var h Holder
		b, _ := os.ReadFile(path)
		_ = json.Unmarshal(b, &h)
		f.Close()
		return nil, &HeldError{Dir: dir, Holder: h}
	}
	l := &lock{f: f, info: Holder{PID: os.Getpid(), Command: command, Since: time.Now().UTC().Truncate(time.Second)}}
	if err := l.write(); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

// write records the holder in the lock file.
func (l *lock) write() error {
	b, _ := json.Marshal(l.info)
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err := l.f.WriteAt(append(b, '\n'), 0)
	return err
}

func (l *lock) release() {
	_ = l.f.Truncate(0)
	l.f.Close()
}
