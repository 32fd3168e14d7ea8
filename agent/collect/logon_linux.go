package collect

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// logonState is shared by the audit and wtmp readers of one Run.
type logonState struct {
	cfg    Config
	out    sensor.Emitter
	domain string

	mu     sync.Mutex
	recent map[string]time.Time // "user\x00pid" of logons reported from audit
}

func runLogon(ctx context.Context, cfg Config, out sensor.Emitter) error {
	st := &logonState{cfg: cfg, out: out, domain: hostName(), recent: make(map[string]time.Time)}
	auditErr := auditAvailable()
	var c *auditConn
	if auditErr == nil {
		c, auditErr = openAudit()
	}
	if auditErr == nil {
		defer c.Close()
		if auditErr = auditState.acquire(c, false); auditErr == nil {
			defer auditState.release(c, false)
			var registered bool
			if registered, auditErr = c.listen(); registered {
				defer c.setPID(0)
			}
		}
	}
	files := 0
	var wg sync.WaitGroup
	for _, f := range []struct {
		path   string
		failed bool
	}{{cfg.WtmpPath, false}, {cfg.BtmpPath, true}} {
		if f.path == "-" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			continue
		}
		files++
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.followUtmp(ctx, f.path, f.failed)
		}()
	}
	defer wg.Wait()
	if auditErr != nil {
		if files == 0 {
			return unsupported("logon collector: neither audit nor wtmp", auditErr)
		}
		<-ctx.Done()
		return nil
	}
	for ctx.Err() == nil {
		recs, err := c.receive()
		if err != nil {
			return fmt.Errorf("logon collector: read audit: %w", err)
		}
		for _, r := range recs {
			if r.typ == auditUserAuth || r.typ == auditUserStart {
				st.auditLogon(r)
			}
		}
	}
	return nil
}

// auditLogon reports a PAM record: a failed authentication is LogonFailed,
// an opened session LogonSuccess.
func (st *logonState) auditLogon(r auditRecord) {
	f := auditFields(r.text)
	res := f["res"]
	var action string
	switch {
	case r.typ == auditUserAuth && res == "failed":
		action = "LogonFailed"
	case r.typ == auditUserStart && res == "success":
		action = "LogonSuccess"
	default:
		return
	}
	pid, _ := strconv.Atoi(f["pid"])
	if st.cfg.AgentPID != 0 && pid == st.cfg.AgentPID {
		return
	}
	acct := auditString(f, "acct")
	if acct == "?" {
		acct = ""
	}
	exe := filepath.Base(auditString(f, "exe"))
	addr, host, term := f["addr"], auditString(f, "hostname"), auditString(f, "terminal")
	row := map[string]any{
		"ActionType":    action,
		"Timestamp":     rfc3339(r.timeNS),
		"AccountName":   acct,
		"AccountDomain": st.domain,
		"LogonType":     logonType(exe, term, addr),
	}
	if ses, err := strconv.ParseInt(f["ses"], 10, 64); err == nil && ses != 4294967295 {
		row["LogonId"] = ses
	}
	if a, err := netip.ParseAddr(addr); err == nil {
		row["RemoteIP"] = a.String()
		row["RemoteIPType"] = ipType(a)
	}
	if host != "" && host != "?" && host != addr && host != st.domain {
		row["RemoteDeviceName"] = host
	}
	if action == "LogonFailed" {
		row["FailureReason"] = "InvalidUserNameOrPassword"
	}
	if acct != "" {
		row["IsLocalAdmin"] = isLocalAdmin(acct)
	}
	row["AdditionalFields"] = map[string]any{"pam_op": f["op"], "terminal": term}
	ip, parent := st.cfg.Processes.initiating(pid)
	putInitiating(row, ip, parent, st.domain)
	if ip == nil {
		row["InitiatingProcessId"] = pid
	}
	st.mu.Lock()
	st.recent[acct+"\x00"+strconv.Itoa(pid)] = time.Now()
	st.mu.Unlock()
	st.out.Emit(agentproto.Event{Table: "DeviceLogonEvents", Row: row})
}

// logonType maps the PAM service's program and terminal onto Defender's
// logon types.
func logonType(exe, term, addr string) string {
	switch exe {
	case "sshd", "sshd-session":
		return "RemoteInteractive"
	case "cron", "crond", "atd", "anacron":
		return "Batch"
	case "systemd", "systemd-logind":
		return "Service"
	}
	if term == "ssh" {
		return "RemoteInteractive"
	}
	if _, err := netip.ParseAddr(addr); err == nil {
		return "Network"
	}
	return "Interactive"
}

// isLocalAdmin reports whether the account is root or in an
// administrators' group.
func isLocalAdmin(name string) bool {
	u, err := user.Lookup(name)
	if err != nil {
		return false
	}
	if u.Uid == "0" {
		return true
	}
	gids, _ := u.GroupIds()
	for _, g := range gids {
		if grp, err := user.LookupGroupId(g); err == nil {
			switch grp.Name {
			case "sudo", "wheel", "admin", "root":
				return true
			}
		}
	}
	return false
}

// utmp record layout (glibc, all 64-bit Linux architectures).
const (
	utmpSize        = 384
	utmpUserProcess = 7
)

// followUtmp reports records appended to a wtmp (logons) or btmp (failed
// logons) file, starting at its current end and following rotation.
func (st *logonState) followUtmp(ctx context.Context, path string, failed bool) {
	var (
		f      *os.File
		offset int64
		ino    uint64
	)
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	first := true
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		fi, err := os.Stat(path)
		if err == nil {
			cur := fi.Sys().(*syscall.Stat_t).Ino
			if f == nil || cur != ino || fi.Size() < offset {
				if f != nil {
					f.Close()
				}
				f, err = os.Open(path)
				if err != nil {
					f = nil
				} else {
					ino, offset = cur, 0
					if first {
						offset = fi.Size() - fi.Size()%utmpSize
					}
				}
			}
			first = false
			if f != nil && fi.Size() >= offset+utmpSize {
				n := (fi.Size() - offset) / utmpSize
				buf := make([]byte, n*utmpSize)
				if _, err := f.ReadAt(buf, offset); err == nil || errors.Is(err, io.EOF) {
					offset += n * utmpSize
					for i := int64(0); i < n; i++ {
						st.utmpRecord(buf[i*utmpSize:(i+1)*utmpSize], failed)
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// utmpRecord reports one login record unless audit already reported it.
func (st *logonState) utmpRecord(b []byte, failed bool) {
	typ := int16(binary.NativeEndian.Uint16(b[0:]))
	if !failed && typ != utmpUserProcess {
		return
	}
	pid := int(int32(binary.NativeEndian.Uint32(b[4:])))
	line := cstr(b[8:40])
	name := cstr(b[44:76])
	host := cstr(b[76:332])
	sec := int64(int32(binary.NativeEndian.Uint32(b[340:])))
	usec := int64(int32(binary.NativeEndian.Uint32(b[344:])))
	var addr netip.Addr
	if a := b[348:364]; !bytes.Equal(a[4:], make([]byte, 12)) {
		addr = netip.AddrFrom16([16]byte(a))
	} else if !bytes.Equal(a[:4], make([]byte, 4)) {
		addr = netip.AddrFrom4([4]byte(a[:4]))
	}
	if st.cfg.AgentPID != 0 && pid == st.cfg.AgentPID {
		return
	}
	st.mu.Lock()
	for k, at := range st.recent {
		if time.Since(at) > time.Minute {
			delete(st.recent, k)
		}
	}
	_, dup := st.recent[name+"\x00"+strconv.Itoa(pid)]
	st.mu.Unlock()
	if dup {
		return
	}
	action := "LogonSuccess"
	if failed {
		action = "LogonFailed"
	}
	row := map[string]any{
		"ActionType":    action,
		"Timestamp":     rfc3339(sec*1e9 + usec*1e3),
		"AccountName":   name,
		"AccountDomain": st.domain,
		"LogonType":     "Interactive",
	}
	if addr.IsValid() {
		row["RemoteIP"] = addr.String()
		row["RemoteIPType"] = ipType(addr)
		row["LogonType"] = "RemoteInteractive"
	} else if a, err := netip.ParseAddr(host); err == nil {
		row["RemoteIP"] = a.String()
		row["RemoteIPType"] = ipType(a)
		row["LogonType"] = "RemoteInteractive"
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil {
			row["RemoteDeviceName"] = host
		}
	}
	if failed {
		row["FailureReason"] = "InvalidUserNameOrPassword"
	}
	if name != "" {
		row["IsLocalAdmin"] = isLocalAdmin(name)
	}
	row["AdditionalFields"] = map[string]any{"terminal": line, "source": "utmp"}
	if pid > 0 {
		row["InitiatingProcessId"] = pid
		if ip, parent := st.cfg.Processes.initiating(pid); ip != nil {
			putInitiating(row, ip, parent, st.domain)
		}
	}
	st.out.Emit(agentproto.Event{Table: "DeviceLogonEvents", Row: row})
}

// cstr returns a NUL-padded field as a string.
func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
