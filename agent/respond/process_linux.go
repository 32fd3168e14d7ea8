package respond

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func ownerOf(fi fs.FileInfo) owner {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return owner{uid: -1, gid: -1, atime: fi.ModTime()}
	}
	return owner{uid: int(st.Uid), gid: int(st.Gid), atime: time.Unix(st.Atim.Sec, st.Atim.Nsec)}
}

func restoreOwner(path string, uid, gid int) error {
	if uid < 0 && gid < 0 {
		return nil
	}
	return os.Lchown(path, uid, gid)
}

// pids lists the processes in /proc.
func pids() ([]int, error) {
	des, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, de := range des {
		if pid, err := strconv.Atoi(de.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out, nil
}

// holders returns the processes running the file at path (/proc/PID/exe)
// or holding it open (/proc/PID/fd/*), matched by device and inode, the
// agent itself excepted.
func holders(path string) ([]int, error) {
	target, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	all, err := pids()
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	self := os.Getpid()
	var out []int
	for _, pid := range all {
		if pid == self {
			continue
		}
		base := "/proc/" + strconv.Itoa(pid)
		if fi, err := os.Stat(base + "/exe"); err == nil && os.SameFile(fi, target) {
			out = append(out, pid)
			continue
		}
		fds, err := os.ReadDir(base + "/fd")
		if err != nil {
			continue // gone, or a kernel thread
		}
		for _, fd := range fds {
			if fi, err := os.Stat(base + "/fd/" + fd.Name()); err == nil && os.SameFile(fi, target) {
				out = append(out, pid)
				break
			}
		}
	}
	return out, nil
}

// killHolders kills every holder of path and waits for them to exit.
func killHolders(ctx context.Context, path string) ([]int, error) {
	hs, err := holders(path)
	if err != nil {
		return nil, err
	}
	var killed []int
	var errs []error
	for _, pid := range hs {
		if err := killProcess(ctx, pid, ""); err != nil {
			if errors.Is(err, errNoProcess) {
				continue
			}
			errs = append(errs, fmt.Errorf("pid %d: %w", pid, err))
			continue
		}
		killed = append(killed, pid)
	}
	return killed, errors.Join(errs...)
}

var errNoProcess = errors.New("no such process")

// ErrImageMismatch is returned by kill_process when the process's image
// does not have the SHA256 the command gave (the pid was reused).
var ErrImageMismatch = errors.New("the process image does not match the given SHA256")

// processSHA256 hashes the image a process runs.
func processSHA256(pid int) (string, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// killProcess sends SIGKILL to pid through a pidfd (so that a pid reused
// after the checks cannot be hit), after checking its image's SHA256 when
// want is set, and waits until it has exited (a zombie counts as exited).
func killProcess(ctx context.Context, pid int, want string) error {
	if pid <= 1 || pid == os.Getpid() {
		return fmt.Errorf("refusing to kill pid %d", pid)
	}
	pfd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return errNoProcess
	}
	if err != nil {
		return fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	defer unix.Close(pfd)
	if want != "" {
		got, err := processSHA256(pid)
		if err != nil {
			return fmt.Errorf("hash the image of %d: %w", pid, err)
		}
		if !strings.EqualFold(got, want) {
			return fmt.Errorf("%w: pid %d runs %s", ErrImageMismatch, pid, got)
		}
	}
	if err := unix.PidfdSendSignal(pfd, unix.SIGKILL, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return errNoProcess
		}
		return fmt.Errorf("kill %d: %w", pid, err)
	}
	// The pidfd becomes readable when the process exits.
	fds := []unix.PollFd{{Fd: int32(pfd), Events: unix.POLLIN}}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		n, err := unix.Poll(fds, 100)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("wait for %d: %w", pid, err)
		}
		if n > 0 {
			return nil
		}
	}
	return fmt.Errorf("pid %d did not exit after SIGKILL", pid)
}

// processName reads /proc/PID/comm.
func processName(pid int) string {
	b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	return strings.TrimSpace(string(b))
}
