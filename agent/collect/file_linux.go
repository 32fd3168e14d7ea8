package collect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
	"golang.org/x/sys/unix"
)

// skipFSTypes are pseudo filesystems whose changes are not file activity.
var skipFSTypes = map[string]bool{
	"proc": true, "sysfs": true, "cgroup": true, "cgroup2": true, "devpts": true,
	"devtmpfs": true, "mqueue": true, "debugfs": true, "tracefs": true,
	"securityfs": true, "pstore": true, "bpf": true, "autofs": true,
	"configfs": true, "fusectl": true, "hugetlbfs": true, "binfmt_misc": true,
	"nsfs": true, "efivarfs": true, "rpc_pipefs": true, "selinuxfs": true,
	"squashfs": true, "iso9660": true, "ramfs": true,
}

// mountRescan is how often new mounts are looked for.
const mountRescan = 5 * time.Second

const fileEventMask = unix.FAN_CREATE | unix.FAN_DELETE | unix.FAN_RENAME | unix.FAN_CLOSE_WRITE

// fsMount is one marked filesystem: a descriptor of its mount point for
// open_by_handle_at.
type fsMount struct {
	fd   int
	path string
}

// fileState is the file collector's working state.
type fileState struct {
	cfg     Config
	out     sensor.Emitter
	domain  string
	mounts  map[[2]int32]fsMount
	dirs    map[string]dirEntry // handle bytes → resolved directory
	created map[string]createdFile
	retry   []retryEmit
	marked  map[string]bool // device numbers of the marked filesystems
}

// retryEmit is an event whose process was not yet known: a short-lived
// process can exit before its exec record reaches the process table, so
// the row waits a moment for it.
type retryEmit struct {
	action, path, oldPath string
	pid                   int
	written               bool
	at                    time.Time
}

// retryDelay bounds how long a row waits for its process's exec record.
// The audit records of an exec storm, or of a loaded machine, can trail
// the file events by more than a second; 3 s keeps those rows described
// (measured: a full test run on 2 busy cores missed rm's record at 1 s).
const retryDelay = 3 * time.Second

// flushRetries emits the waiting rows older than age.
func (st *fileState) flushRetries(ctx context.Context, age time.Duration) {
	n := 0
	for _, r := range st.retry {
		if time.Since(r.at) < age {
			st.retry[n] = r
			n++
			continue
		}
		st.emit(ctx, r.action, r.path, r.oldPath, r.pid, r.written, true)
	}
	st.retry = st.retry[:n]
}

type dirEntry struct {
	path string
	at   time.Time
}

// createdFile is a file seen created and not yet closed after writing: its
// FileCreated row waits for the content (hash) unless it never comes.
type createdFile struct {
	pid int
	at  time.Time
}

func runFile(ctx context.Context, cfg Config, out sensor.Emitter) error {
	fd, err := unix.FanotifyInit(unix.FAN_CLASS_NOTIF|unix.FAN_CLOEXEC|unix.FAN_NONBLOCK|unix.FAN_REPORT_DFID_NAME,
		unix.O_RDONLY|unix.O_LARGEFILE|unix.O_CLOEXEC)
	if err != nil {
		return unsupported("file collector: fanotify with FAN_REPORT_DFID_NAME", err)
	}
	defer unix.Close(fd)
	st := &fileState{cfg: cfg, out: out, domain: hostName(), mounts: make(map[[2]int32]fsMount),
		dirs: make(map[string]dirEntry), created: make(map[string]createdFile), marked: make(map[string]bool)}
	defer func() {
		for _, m := range st.mounts {
			unix.Close(m.fd)
		}
	}()
	if err := st.markAll(fd); err != nil {
		return unsupported("file collector", err)
	}

	buf := make([]byte, 64<<10)
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	lastMark := time.Now()
	for ctx.Err() == nil {
		// Filesystems mounted since are marked too.
		if time.Since(lastMark) > mountRescan {
			lastMark = time.Now()
			_ = st.markAll(fd)
		}
		st.flushCreated(time.Second)
		st.flushRetries(ctx, retryDelay)
		if _, err := unix.Poll(pfd, 100); err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("file collector: poll fanotify: %w", err)
		}
		n, err := unix.Read(fd, buf)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("file collector: read fanotify: %w", err)
		}
		st.handle(ctx, buf[:n])
	}
	st.flushCreated(0)
	st.flushRetries(ctx, 0)
	return nil
}

// markAll marks every local filesystem once, skipping pseudo filesystems
// and those that cannot report file handles.
func (st *fileState) markAll(fd int) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("read mounts: %w", err)
	}
	defer f.Close()
	seen := st.marked
	var lastErr error
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint opts ... - fstype source superopts
		left, right, ok := strings.Cut(sc.Text(), " - ")
		lf, rf := strings.Fields(left), strings.Fields(right)
		if !ok || len(lf) < 5 || len(rf) < 1 {
			continue
		}
		dev, mnt, fstype := lf[2], unescapeMount(lf[4]), rf[0]
		if seen[dev] || skipFSTypes[fstype] || excluded(st.cfg.ExcludePaths, mnt) {
			continue
		}
		var sfs unix.Statfs_t
		if err := unix.Statfs(mnt, &sfs); err != nil {
			continue
		}
		if err := unix.FanotifyMark(fd, unix.FAN_MARK_ADD|unix.FAN_MARK_FILESYSTEM, fileEventMask, unix.AT_FDCWD, mnt); err != nil {
			lastErr = fmt.Errorf("mark %s (%s): %w", mnt, fstype, err)
			continue
		}
		mfd, err := unix.Open(mnt, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		seen[dev] = true
		st.mounts[sfs.Fsid.Val] = fsMount{fd: mfd, path: mnt}
	}
	if len(st.mounts) == 0 {
		if lastErr == nil {
			lastErr = errors.New("no filesystem to watch")
		}
		return lastErr
	}
	return nil
}

// unescapeMount decodes the octal escapes of mountinfo paths.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fanEvent is one decoded fanotify event.
type fanEvent struct {
	mask      uint64
	pid       int
	path      string // DFID_NAME or NEW_DFID_NAME
	oldPath   string // OLD_DFID_NAME (FAN_RENAME)
	unresolve bool   // a directory handle could not be resolved
}

// handle decodes a buffer of events and emits their rows.
func (st *fileState) handle(ctx context.Context, b []byte) {
	const metaLen = 24
	for len(b) >= metaLen {
		evLen := int(binary.NativeEndian.Uint32(b[0:]))
		if evLen < metaLen || evLen > len(b) {
			return
		}
		hdrLen := int(binary.NativeEndian.Uint16(b[6:]))
		ev := fanEvent{
			mask: binary.NativeEndian.Uint64(b[8:]),
			pid:  int(int32(binary.NativeEndian.Uint32(b[20:]))),
		}
		if fd := int32(binary.NativeEndian.Uint32(b[16:])); fd >= 0 {
			unix.Close(int(fd))
		}
		if hdrLen >= metaLen && hdrLen <= evLen {
			st.infos(&ev, b[hdrLen:evLen])
		}
		b = b[evLen:]
		if ev.mask&unix.FAN_Q_OVERFLOW != 0 || ev.path == "" || ev.unresolve {
			continue
		}
		st.event(ctx, ev)
	}
}

// infos decodes the information records of one event.
func (st *fileState) infos(ev *fanEvent, b []byte) {
	for len(b) >= 4 {
		typ, l := b[0], int(binary.NativeEndian.Uint16(b[2:]))
		if l < 4 || l > len(b) {
			return
		}
		rec := b[4:l]
		b = b[l:]
		switch typ {
		case unix.FAN_EVENT_INFO_TYPE_DFID_NAME, unix.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME, unix.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME:
		default:
			continue
		}
		if len(rec) < 16 {
			continue
		}
		fsid := [2]int32{int32(binary.NativeEndian.Uint32(rec[0:])), int32(binary.NativeEndian.Uint32(rec[4:]))}
		hlen := int(binary.NativeEndian.Uint32(rec[8:]))
		htype := int32(binary.NativeEndian.Uint32(rec[12:]))
		if 16+hlen > len(rec) {
			continue
		}
		handle := rec[16 : 16+hlen]
		name := rec[16+hlen:]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		dir, ok := st.resolve(fsid, htype, handle)
		if !ok {
			ev.unresolve = true
			continue
		}
		p := dir
		if len(name) > 0 && string(name) != "." {
			p = filepath.Join(dir, string(name))
		}
		if typ == unix.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME {
			ev.oldPath = p
		} else {
			ev.path = p
		}
	}
}

// resolve turns a directory handle into its current path.
func (st *fileState) resolve(fsid [2]int32, htype int32, handle []byte) (string, bool) {
	m, ok := st.mounts[fsid]
	if !ok {
		return "", false
	}
	key := string(handle) + "\x00" + strconv.Itoa(int(htype)) + "\x00" + strconv.Itoa(m.fd)
	if d, ok := st.dirs[key]; ok && time.Since(d.at) < time.Second {
		return d.path, true
	}
	fd, err := unix.OpenByHandleAt(m.fd, unix.NewFileHandle(htype, handle), unix.O_PATH|unix.O_CLOEXEC)
	if err != nil {
		return "", false
	}
	p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	unix.Close(fd)
	if err != nil || strings.HasSuffix(p, " (deleted)") {
		return "", false
	}
	if len(st.dirs) >= 4096 {
		clear(st.dirs)
	}
	st.dirs[key] = dirEntry{path: p, at: time.Now()}
	return p, true
}

// event emits the rows of one event.
func (st *fileState) event(ctx context.Context, ev fanEvent) {
	if st.cfg.AgentPID != 0 && ev.pid == st.cfg.AgentPID {
		return
	}
	if excluded(st.cfg.ExcludePaths, ev.path) {
		return
	}
	switch {
	case ev.mask&unix.FAN_RENAME != 0:
		if ev.oldPath == "" {
			return
		}
		delete(st.created, ev.oldPath)
		st.emit(ctx, "FileRenamed", ev.path, ev.oldPath, ev.pid, false, false)
	case ev.mask&unix.FAN_DELETE != 0:
		if _, ok := st.created[ev.path]; ok {
			delete(st.created, ev.path)
			st.emit(ctx, "FileCreated", ev.path, "", ev.pid, false, false)
		}
		st.emit(ctx, "FileDeleted", ev.path, "", ev.pid, false, false)
	case ev.mask&unix.FAN_CLOSE_WRITE != 0:
		action := "FileModified"
		if _, ok := st.created[ev.path]; ok || ev.mask&unix.FAN_CREATE != 0 {
			delete(st.created, ev.path)
			action = "FileCreated"
		}
		st.emit(ctx, action, ev.path, "", ev.pid, true, false)
	case ev.mask&unix.FAN_CREATE != 0:
		st.created[ev.path] = createdFile{pid: ev.pid, at: time.Now()}
	}
}

// flushCreated emits FileCreated for files created longer than age ago
// and never closed after writing (links, empty files kept open).
func (st *fileState) flushCreated(age time.Duration) {
	for p, c := range st.created {
		if time.Since(c.at) >= age {
			delete(st.created, p)
			st.emit(context.Background(), "FileCreated", p, "", c.pid, false, false)
		}
	}
}

// emit builds a DeviceFileEvents row; written files are hashed and shown
// to the FileWatcher.
func (st *fileState) emit(ctx context.Context, action, path, oldPath string, pid int, written, retried bool) {
	ip, parent := st.cfg.Processes.initiating(pid)
	if (ip == nil || ip.Path == "") && !retried {
		// Detection does not wait for the row.
		if (written || action == "FileCreated") && st.cfg.FileWatcher != nil {
			st.cfg.FileWatcher.FileWritten(ctx, path, sensor.Process{PID: pid})
		}
		st.retry = append(st.retry, retryEmit{action, path, oldPath, pid, false, time.Now()})
		return
	}
	_, name := splitPath(path)
	row := map[string]any{
		"ActionType": action,
		"Timestamp":  time.Now().UTC().Format(time.RFC3339Nano),
		"FileName":   name,
		"FolderPath": path,
	}
	if oldPath != "" {
		_, oldName := splitPath(oldPath)
		row["PreviousFileName"] = oldName
		row["PreviousFolderPath"] = oldPath
	}
	if action != "FileDeleted" {
		h, size := st.cfg.Processes.hashFile(path, "")
		if h.sha256 != "" {
			row["SHA256"], row["SHA1"], row["MD5"] = h.sha256, h.sha1, h.md5
		}
		row["FileSize"] = size
	}
	putInitiating(row, ip, parent, st.domain)
	if ip == nil {
		row["InitiatingProcessId"] = pid
	}
	st.out.Emit(agentproto.Event{Table: "DeviceFileEvents", Row: row})
	if (written || action == "FileCreated") && !retried && st.cfg.FileWatcher != nil {
		var by sensor.Process
		if ip != nil {
			by = ip.Process
		} else {
			by.PID = pid
		}
		st.cfg.FileWatcher.FileWritten(ctx, path, by)
	}
}

// excluded reports whether path lies under one of the prefixes.
func excluded(prefixes []string, path string) bool {
	for _, p := range prefixes {
		p = strings.TrimSuffix(p, "/")
		if path == p || strings.HasPrefix(path, p+"/") || p == "" {
			return true
		}
	}
	return false
}
