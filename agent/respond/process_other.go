//go:build !linux

package respond

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

func ownerOf(fi fs.FileInfo) owner { return owner{uid: -1, gid: -1, atime: fi.ModTime()} }

func restoreOwner(path string, uid, gid int) error { return nil }

func killHolders(ctx context.Context, path string) ([]int, error) {
	return nil, fmt.Errorf("find the processes holding a file: %w", sensor.ErrUnsupported)
}

var errNoProcess = errors.New("no such process")

// ErrImageMismatch is returned by kill_process when the process's image
// does not have the SHA256 the command gave (the pid was reused).
var ErrImageMismatch = errors.New("the process image does not match the given SHA256")

func killProcess(ctx context.Context, pid int, want string) error {
	return fmt.Errorf("kill a process: %w", sensor.ErrUnsupported)
}

func processName(pid int) string { return "" }
