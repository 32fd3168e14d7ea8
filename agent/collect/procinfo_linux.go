package collect

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// procInfo is what the collectors know about a process: the sensor view
// plus the Linux identities the rows need.
type procInfo struct {
	sensor.Process
	EUID    int
	Session int64 // audit session id, -1 when unset
	Size    int64 // image file size
}

// ProcessTable describes processes from /proc, caching descriptions by
// (pid, start time, image) and image hashes by (device, inode, mtime,
// size), so that a busy machine does not hash the same binary twice.
// It is safe for concurrent use.
type ProcessTable struct {
	mu     sync.Mutex
	procs  map[int]*procInfo
	hashes map[fileKey]fileHashes
	users  map[int]string
	bootNS int64
}

type fileKey struct {
	dev, ino uint64
	mtime    int64
	size     int64
}

type fileHashes struct{ sha256, sha1, md5 string }

const (
	maxCachedProcs  = 8192
	maxCachedHashes = 4096
	maxHashSize     = 64 << 20 // larger images and files are not hashed
	clockTicks      = 100      // USER_HZ on every Linux architecture Go supports
)

// NewProcessTable returns an empty table.
func NewProcessTable() *ProcessTable {
	return &ProcessTable{
		procs:  make(map[int]*procInfo),
		hashes: make(map[fileKey]fileHashes),
		users:  make(map[int]string),
		bootNS: bootTime(),
	}
}

// ProcessInfo describes a running process: image, hashes, command line,
// user and parent.
func (t *ProcessTable) ProcessInfo(pid int) (sensor.Process, error) {
	p, err := t.info(pid)
	if err != nil {
		return sensor.Process{PID: pid}, err
	}
	return p.Process, nil
}

// info returns the cached description of pid when it is still the same
// process running the same image, and reads /proc otherwise.
func (t *ProcessTable) info(pid int) (*procInfo, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("describe process %d: no such process", pid)
	}
	dir := "/proc/" + strconv.Itoa(pid)
	start, ppid, err := t.readStat(dir)
	if err != nil {
		// Gone: the last description (from its exec record) still says
		// who it was.
		t.mu.Lock()
		c, ok := t.procs[pid]
		t.mu.Unlock()
		if ok {
			return c, nil
		}
		return nil, fmt.Errorf("describe process %d: %w", pid, err)
	}
	exe, _ := os.Readlink(dir + "/exe")
	t.mu.Lock()
	// An exiting process has lost its image link: its exec record (same
	// start time) still describes it.
	if c, ok := t.procs[pid]; ok && c.StartTime == start && (c.Path == exe || exe == "") {
		t.mu.Unlock()
		return c, nil
	}
	t.mu.Unlock()

	p := &procInfo{Session: -1}
	p.PID, p.ParentPID, p.StartTime, p.Path = pid, ppid, start, exe
	p.Name = filepath.Base(exe)
	if exe == "" { // kernel threads have no image
		comm, _ := os.ReadFile(dir + "/comm")
		p.Name = strings.TrimSpace(string(comm))
	}
	if cl, err := os.ReadFile(dir + "/cmdline"); err == nil && len(cl) > 0 {
		p.CommandLine = joinArgs(bytes.Split(bytes.TrimRight(cl, "\x00"), []byte{0}))
	}
	if st, err := os.ReadFile(dir + "/status"); err == nil {
		p.AccountUID, p.EUID = statusIDs(st)
	}
	if s, err := os.ReadFile(dir + "/sessionid"); err == nil {
		if v, err := strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64); err == nil && v != 4294967295 {
			p.Session = v
		}
	}
	p.AccountName = t.userName(p.AccountUID)
	if exe != "" {
		h, size := t.hashFile(dir+"/exe", exe)
		p.SHA256, p.SHA1, p.MD5, p.Size = h.sha256, h.sha1, h.md5, size
	}
	t.remember(p)
	return p, nil
}

// remember caches p, forgetting everything when the cache is full (pids
// are reused, so a stale entry is worse than a miss).
func (t *ProcessTable) remember(p *procInfo) {
	t.mu.Lock()
	if len(t.procs) >= maxCachedProcs {
		clear(t.procs)
	}
	t.procs[p.PID] = p
	t.mu.Unlock()
}

// readStat returns the start time (Unix ns) and parent pid from
// /proc/PID/stat.
func (t *ProcessTable) readStat(dir string) (start int64, ppid int, err error) {
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// The command name is parenthesised and may itself hold ") ".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("malformed %s/stat", dir)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): ppid is field 4, starttime field 22.
	if len(f) < 20 {
		return 0, 0, fmt.Errorf("malformed %s/stat", dir)
	}
	ppid, _ = strconv.Atoi(f[1])
	ticks, _ := strconv.ParseInt(f[19], 10, 64)
	return t.bootNS + ticks*(int64(time.Second)/clockTicks), ppid, nil
}

// statusIDs returns the real and effective uid from /proc/PID/status.
func statusIDs(st []byte) (uid, euid int) {
	for line := range bytes.SplitSeq(st, []byte{'\n'}) {
		if rest, ok := bytes.CutPrefix(line, []byte("Uid:")); ok {
			f := strings.Fields(string(rest))
			if len(f) >= 2 {
				uid, _ = strconv.Atoi(f[0])
				euid, _ = strconv.Atoi(f[1])
			}
			break
		}
	}
	return uid, euid
}

// bootTime is the boot time in Unix ns from /proc/stat's btime.
func bootTime() int64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			s, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return s * int64(time.Second)
		}
	}
	return 0
}

// userName resolves a uid through the user database, caching the answer;
// an unknown uid is reported as its number.
func (t *ProcessTable) userName(uid int) string {
	t.mu.Lock()
	name, ok := t.users[uid]
	t.mu.Unlock()
	if ok {
		return name
	}
	name = strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	t.mu.Lock()
	t.users[uid] = name
	t.mu.Unlock()
	return name
}

// hashFile returns the hashes and size of the file at open (a path, or
// /proc/PID/exe which works even when the image was replaced), falling
// back to fallback when open cannot be opened.
func (t *ProcessTable) hashFile(open, fallback string) (fileHashes, int64) {
	f, err := os.Open(open)
	if err != nil && fallback != "" && fallback != open {
		f, err = os.Open(fallback)
	}
	if err != nil {
		return fileHashes{}, 0
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return fileHashes{}, 0
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	var key fileKey
	if st != nil {
		key = fileKey{dev: st.Dev, ino: st.Ino, mtime: fi.ModTime().UnixNano(), size: fi.Size()}
		t.mu.Lock()
		h, ok := t.hashes[key]
		t.mu.Unlock()
		if ok {
			return h, fi.Size()
		}
	}
	if fi.Size() > maxHashSize {
		return fileHashes{}, fi.Size()
	}
	s256, s1, m5 := sha256.New(), sha1.New(), md5.New()
	if _, err := io.Copy(io.MultiWriter(s256, s1, m5), f); err != nil {
		return fileHashes{}, fi.Size()
	}
	h := fileHashes{hex.EncodeToString(s256.Sum(nil)), hex.EncodeToString(s1.Sum(nil)), hex.EncodeToString(m5.Sum(nil))}
	if st != nil {
		t.mu.Lock()
		if len(t.hashes) >= maxCachedHashes {
			clear(t.hashes)
		}
		t.hashes[key] = h
		t.mu.Unlock()
	}
	return h, fi.Size()
}

// joinArgs renders an argument vector as one command line, quoting
// arguments that hold blanks or quotes.
func joinArgs(args [][]byte) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		s := string(a)
		if s == "" || strings.ContainsAny(s, " \t\n\"'") {
			s = strconv.Quote(s)
		}
		b.WriteString(s)
	}
	return b.String()
}

// hostName is the short host name, used as the account domain of local
// accounts (as Defender does with the computer name).
func hostName() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	h, _, _ = strings.Cut(h, ".")
	return strings.ToLower(h)
}
