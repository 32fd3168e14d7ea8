package collect

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Audit netlink message and record types (linux/audit.h).
const (
	auditGet       = 1000
	auditSet       = 1001
	auditAddRule   = 1011
	auditDelRule   = 1012
	auditUserAuth  = 1100
	auditUserStart = 1105
	auditUserLogin = 1112
	auditSyscall   = 1300
	auditPath      = 1302
	auditCWD       = 1307
	auditExecve    = 1309
	auditEOE       = 1320
	auditProctitle = 1327

	auditStatusEnabled = 0x1
	auditStatusPID     = 0x4

	auditFilterExit = 0x04
	auditAlways     = 2
	auditFieldArch  = 11
	auditFilterKey  = 210
	auditSuccess    = 104
	auditEqual      = 0x40000000
	auditBitmaskLen = 64
	auditMaxFields  = 64

	auditListRules = 1013

	// execRuleKey, then the agent's pid, tags the execve rule an agent
	// installs: each agent on a machine (tests run several) removes only
	// its own, and rules left by agents that died are removed at start.
	execRuleKey = "goshawk_exec_"
)

// auditConn is an audit netlink socket: requests go to the kernel, records
// come back (see listen).
type auditConn struct {
	fd     int
	seq    uint32
	buf    []byte
	daemon bool // registered as the audit daemon
}

// openAudit opens the socket; records flow after listen.
func openAudit() (*auditConn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_AUDIT)
	if err != nil {
		return nil, fmt.Errorf("audit socket: %w", err)
	}
	sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind audit socket: %w", err)
	}
	// A large buffer absorbs bursts; overflow loses records, never blocks
	// the kernel.
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	// A timeout lets the reader notice cancellation.
	tv := unix.Timeval{Usec: 200000}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	return &auditConn{fd: fd, buf: make([]byte, 1<<16)}, nil
}

func (c *auditConn) Close() error { return unix.Close(c.fd) }

// request sends one message and waits for the kernel's ack (or reply,
// which is returned).
func (c *auditConn) request(typ uint16, payload []byte) ([]byte, error) {
	c.seq++
	msg := make([]byte, unix.NLMSG_HDRLEN+len(payload))
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	binary.NativeEndian.PutUint32(msg[8:], c.seq)
	copy(msg[unix.NLMSG_HDRLEN:], payload)
	if err := unix.Sendto(c.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("audit request %d: %w", typ, err)
	}
	var reply []byte
	for range 256 { // records may arrive before the answer
		n, _, err := unix.Recvfrom(c.fd, c.buf, 0)
		if err != nil {
			return nil, fmt.Errorf("audit request %d: %w", typ, err)
		}
		msgs, err := syscall.ParseNetlinkMessage(c.buf[:n])
		if err != nil {
			continue // a record with the daemon length quirk, not our answer
		}
		for _, m := range msgs {
			if m.Header.Seq != c.seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_ERROR:
				if len(m.Data) < 4 {
					return nil, fmt.Errorf("audit request %d: short error", typ)
				}
				if e := int32(binary.NativeEndian.Uint32(m.Data)); e != 0 {
					return reply, fmt.Errorf("audit request %d: %w", typ, unix.Errno(-e))
				}
				if typ != auditGet || reply != nil {
					return reply, nil
				}
			default:
				reply = append([]byte(nil), m.Data...)
				if typ == auditGet {
					return reply, nil
				}
			}
		}
	}
	return reply, fmt.Errorf("audit request %d: no answer", typ)
}

// status returns the audit enabled flag and the audit daemon's pid.
func (c *auditConn) status() (enabled, pid uint32, err error) {
	r, err := c.request(auditGet, nil)
	if err != nil {
		return 0, 0, err
	}
	if len(r) < 16 {
		return 0, 0, errors.New("audit status: short reply")
	}
	return binary.NativeEndian.Uint32(r[4:]), binary.NativeEndian.Uint32(r[12:]), nil
}

// setPID registers this socket as the audit daemon (pid = this process) or
// unregisters it (pid 0).
func (c *auditConn) setPID(pid uint32) error {
	st := make([]byte, 11*4)
	binary.NativeEndian.PutUint32(st[0:], auditStatusPID)
	binary.NativeEndian.PutUint32(st[12:], pid)
	_, err := c.request(auditSet, st)
	return err
}

// listen makes records flow to c: as the audit daemon when there is none
// (records then skip the kernel log, which on a serial console throttles
// every audited syscall), otherwise from the read-log multicast group
// next to the running daemon. It reports whether c registered.
func (c *auditConn) listen() (registered bool, err error) {
	_, pid, err := c.status()
	if err != nil {
		return false, err
	}
	if pid == 0 {
		if err := c.setPID(uint32(os.Getpid())); err == nil {
			c.daemon = true
			return true, nil
		}
	}
	if err := unix.SetsockoptInt(c.fd, unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, unix.AUDIT_NLGRP_READLOG); err != nil {
		return false, fmt.Errorf("join audit read-log group: %w", err)
	}
	return false, nil
}

// setEnabled turns audit on or off.
func (c *auditConn) setEnabled(v uint32) error {
	st := make([]byte, 11*4)
	binary.NativeEndian.PutUint32(st[0:], auditStatusEnabled)
	binary.NativeEndian.PutUint32(st[4:], v)
	_, err := c.request(auditSet, st)
	return err
}

// execRule is the audit_rule_data for "-a always,exit -F arch=ARCH -S
// execve -S execveat -F success=1 -k goshawk_exec". Failed execs (a shell
// trying each PATH entry) are not recorded at all.
func execRule() ([]byte, error) { return execRuleKeyed(execRuleKey + strconv.Itoa(os.Getpid())) }

// execRuleKeyed is execRule with the given key.
func execRuleKeyed(key string) ([]byte, error) {
	arch, nrs := execSyscalls()
	if nrs == nil {
		return nil, fmt.Errorf("exec audit rule for %s: %w", runtime.GOARCH, errors.ErrUnsupported)
	}
	const words = 3 + auditBitmaskLen + 3*auditMaxFields + 1
	b := make([]byte, words*4+len(key))
	put := func(i int, v uint32) { binary.NativeEndian.PutUint32(b[i*4:], v) }
	put(0, auditFilterExit)
	put(1, auditAlways)
	put(2, 3) // field count
	for _, nr := range nrs {
		i := 3 + nr/32
		put(i, binary.NativeEndian.Uint32(b[i*4:])|1<<(nr%32))
	}
	fields, values, flags := 3+auditBitmaskLen, 3+auditBitmaskLen+auditMaxFields, 3+auditBitmaskLen+2*auditMaxFields
	put(fields, auditFieldArch)
	put(values, arch)
	put(flags, auditEqual)
	put(fields+1, auditSuccess)
	put(values+1, 1)
	put(flags+1, auditEqual)
	put(fields+2, auditFilterKey)
	put(values+2, uint32(len(key)))
	put(flags+2, auditEqual)
	put(words-1, uint32(len(key)))
	copy(b[words*4:], key)
	return b, nil
}

// execSyscalls returns the audit architecture and the execve and execveat
// syscall numbers of this build's architecture.
func execSyscalls() (arch uint32, nrs []int) {
	switch runtime.GOARCH {
	case "amd64":
		return 0xC000003E, []int{59, 322}
	case "arm64":
		return 0xC00000B7, []int{221, 281}
	}
	return 0, nil
}

// isExecSyscall reports whether a SYSCALL record's number is an exec.
func isExecSyscall(nr string) bool {
	_, nrs := execSyscalls()
	n, err := strconv.Atoi(nr)
	return err == nil && slices.Contains(nrs, n)
}

// stringField marks the rule fields whose value is a string in the rule's
// buffer (subject/object labels, watch, dir, exe, key).
var stringField = map[uint32]bool{13: true, 14: true, 15: true, 16: true, 17: true, 19: true, 20: true,
	21: true, 22: true, 23: true, 105: true, 107: true, 112: true, auditFilterKey: true}

// removeStaleRules deletes exec rules of agents that are no longer
// running.
func (c *auditConn) removeStaleRules() {
	c.seq++
	msg := make([]byte, unix.NLMSG_HDRLEN)
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], auditListRules)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(msg[8:], c.seq)
	if err := unix.Sendto(c.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return
	}
	var stale [][]byte
	const words = 3 + auditBitmaskLen + 3*auditMaxFields + 1
recv:
	for range 256 {
		n, _, err := unix.Recvfrom(c.fd, c.buf, 0)
		if err != nil {
			break
		}
		msgs, err := syscall.ParseNetlinkMessage(c.buf[:n])
		if err != nil {
			continue
		}
		for _, m := range msgs {
			if m.Header.Seq != c.seq {
				continue
			}
			if m.Header.Type != auditListRules {
				break recv // NLMSG_DONE or an error
			}
			d := m.Data
			if len(d) < words*4 {
				continue
			}
			word := func(i int) uint32 { return binary.NativeEndian.Uint32(d[i*4:]) }
			// String values sit in buf in field order.
			off := words * 4
			for i := range int(min(word(2), auditMaxFields)) {
				field, val := word(3+auditBitmaskLen+i), int(word(3+auditBitmaskLen+auditMaxFields+i))
				if !stringField[field] {
					continue
				}
				if off+val > len(d) {
					break
				}
				key := string(d[off : off+val])
				off += val
				if field != auditFilterKey {
					continue
				}
				if pid, ok := strings.CutPrefix(key, execRuleKey); ok {
					if p, err := strconv.Atoi(pid); err == nil && p != os.Getpid() && unix.Kill(p, 0) == unix.ESRCH {
						stale = append(stale, append([]byte(nil), d...))
					}
				}
			}
		}
	}
	for _, r := range stale {
		_, _ = c.request(auditDelRule, r)
	}
}

// auditRecord is one record: its type, event serial and time, and the
// raw key=value text after "audit(...): ".
type auditRecord struct {
	typ    uint16
	serial uint64
	timeNS int64
	text   string
}

// receive reads the next batch of records; it returns (nil, nil) on the
// read timeout.
func (c *auditConn) receive() ([]auditRecord, error) {
	n, _, err := unix.Recvfrom(c.fd, c.buf, 0)
	if err != nil {
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			return nil, nil
		}
		if errors.Is(err, unix.ENOBUFS) { // overflow: records were lost
			return nil, nil
		}
		return nil, err
	}
	var recs []auditRecord
	b := c.buf[:n]
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b[0:]))
		typ := binary.NativeEndian.Uint16(b[4:])
		// Records sent to the audit daemon carry the payload length in
		// nlmsg_len (an old userspace compatibility quirk); multicast
		// copies carry the full length.
		if c.daemon {
			l += unix.NLMSG_HDRLEN
		}
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			l = len(b)
		}
		if r, ok := parseAuditHeader(typ, b[unix.NLMSG_HDRLEN:l]); ok {
			recs = append(recs, r)
		}
		l = (l + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if l >= len(b) {
			break
		}
		b = b[l:]
	}
	return recs, nil
}

// parseAuditHeader splits "audit(1700000000.123:456): text".
func parseAuditHeader(typ uint16, data []byte) (auditRecord, bool) {
	data = bytes.TrimRight(data, "\x00\n")
	rest, ok := bytes.CutPrefix(data, []byte("audit("))
	if !ok {
		return auditRecord{}, false
	}
	head, text, ok := bytes.Cut(rest, []byte("): "))
	if !ok {
		head, text, ok = bytes.Cut(rest, []byte("):"))
		if !ok {
			return auditRecord{}, false
		}
	}
	ts, ser, ok := bytes.Cut(head, []byte(":"))
	if !ok {
		return auditRecord{}, false
	}
	sec, ms, _ := bytes.Cut(ts, []byte("."))
	s, err1 := strconv.ParseInt(string(sec), 10, 64)
	m, _ := strconv.ParseInt(string(ms), 10, 64)
	serial, err2 := strconv.ParseUint(string(ser), 10, 64)
	if err1 != nil || err2 != nil {
		return auditRecord{}, false
	}
	return auditRecord{typ: typ, serial: serial, timeNS: s*1e9 + m*1e6, text: string(text)}, true
}

// auditFields parses key=value pairs; values may be "quoted", 'quoted'
// (the msg='...' of user records, whose pairs are parsed too) or hex
// encoded (left as is: see auditString).
func auditFields(text string) map[string]string {
	f := make(map[string]string, 16)
	for len(text) > 0 {
		text = strings.TrimLeft(text, " ")
		eq := strings.IndexByte(text, '=')
		if eq < 0 {
			break
		}
		key := text[:eq]
		text = text[eq+1:]
		var val string
		switch {
		case strings.HasPrefix(text, `"`):
			end := strings.IndexByte(text[1:], '"')
			if end < 0 {
				val, text = text[1:], ""
			} else {
				val, text = text[1:1+end], text[2+end:]
			}
			f[key] = val
			continue
		case strings.HasPrefix(text, "'"):
			end := strings.IndexByte(text[1:], '\'')
			if end < 0 {
				val, text = text[1:], ""
			} else {
				val, text = text[1:1+end], text[2+end:]
			}
			for k, v := range auditFields(val) {
				f[k] = v
			}
			continue
		}
		sp := strings.IndexByte(text, ' ')
		if sp < 0 {
			val, text = text, ""
		} else {
			val, text = text[:sp], text[sp:]
		}
		// Kernel-written strings that need escaping arrive hex encoded.
		f[key] = val
		f["\x00hex\x00"+key] = "1"
	}
	return f
}

// hexFields are the untrusted strings audit writes quoted or, when they
// hold blanks, quotes or control characters, hex encoded. Other unquoted
// values (numbers, addresses, PAM's hostname and terminal) are literal.
var hexFields = map[string]bool{"acct": true, "exe": true, "comm": true, "cwd": true, "name": true,
	"proctitle": true, "key": true, "old-acct": true, "new-acct": true}

// isArgField reports whether key is an EXECVE argument: aN or aN[M].
func isArgField(key string) bool {
	if len(key) < 2 || key[0] != 'a' {
		return false
	}
	k := strings.TrimRight(strings.TrimPrefix(key, "a"), "]")
	k = strings.Replace(k, "[", "", 1)
	for _, c := range k {
		if c < '0' || c > '9' {
			return false
		}
	}
	return !strings.HasSuffix(key, "_len")
}

// auditString returns field key as text, decoding the hex form of the
// untrusted string fields.
func auditString(f map[string]string, key string) string {
	v, ok := f[key]
	if !ok {
		return ""
	}
	if f["\x00hex\x00"+key] != "" && (hexFields[key] || isArgField(key)) && len(v)%2 == 0 && v != "(null)" && v != "?" {
		if b, err := hex.DecodeString(v); err == nil {
			return string(bytes.TrimRight(b, "\x00"))
		}
	}
	return v
}

// auditEnable makes sure audit is on, remembering whether it was off so
// it can be restored when the last user stops.
type auditEnabler struct {
	mu      sync.Mutex
	users   int
	wasOff  bool
	ruleSet bool
	// suspended is set while the exec rule is taken out of the kernel to
	// shed load (see suspendRule).
	suspended bool
}

// suspendRule takes the exec rule out of the kernel, so that execs cost
// nothing until resumeRule puts it back: the kernel neither builds nor
// sends their records. It is how the process collector samples while the
// agent is over its CPU cap. c must not be the connection records are
// read from (the acknowledgement would interleave with them).
func (a *auditEnabler) suspendRule(c *auditConn) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.ruleSet || a.suspended {
		return nil
	}
	rule, err := execRule()
	if err != nil {
		return err
	}
	if _, err := c.request(auditDelRule, rule); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("suspend exec audit rule: %w", err)
	}
	a.suspended = true
	return nil
}

// resumeRule puts a suspended exec rule back.
func (a *auditEnabler) resumeRule(c *auditConn) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.ruleSet || !a.suspended {
		return nil
	}
	rule, err := execRule()
	if err != nil {
		return err
	}
	if _, err := c.request(auditAddRule, rule); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("resume exec audit rule: %w", err)
	}
	a.suspended = false
	return nil
}

func (a *auditEnabler) acquire(c *auditConn, wantRule bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.users == 0 {
		on, _, err := c.status()
		if err != nil {
			return err
		}
		if on == 0 {
			if err := c.setEnabled(1); err != nil {
				return err
			}
			a.wasOff = true
		}
	}
	if wantRule && !a.ruleSet {
		c.removeStaleRules()
		rule, err := execRule()
		if err == nil {
			if _, err = c.request(auditAddRule, rule); errors.Is(err, unix.EEXIST) {
				err = nil // left by an agent that did not stop cleanly
			}
		}
		if err != nil {
			if a.users == 0 && a.wasOff {
				_ = c.setEnabled(0)
				a.wasOff = false
			}
			return fmt.Errorf("add exec audit rule: %w", err)
		}
		a.ruleSet = true
	}
	a.users++
	return nil
}

func (a *auditEnabler) release(c *auditConn, hadRule bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users--
	if hadRule && a.ruleSet {
		if rule, err := execRule(); err == nil && !a.suspended {
			_, _ = c.request(auditDelRule, rule)
		}
		a.ruleSet, a.suspended = false, false
	}
	if a.users == 0 && a.wasOff {
		_ = c.setEnabled(0)
		a.wasOff = false
	}
}

// auditState is shared by the collectors of one process: the exec rule and
// the enabled flag are machine-wide.
var auditState auditEnabler

// auditAvailable explains why audit cannot be used, or returns nil.
func auditAvailable() error {
	if _, err := os.Stat("/proc/self/loginuid"); err != nil {
		return errors.New("kernel built without audit")
	}
	return nil
}
