package collect

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// execEvent gathers the records of one audited execve: SYSCALL, EXECVE,
// CWD, PATH..., PROCTITLE, then EOE.
type execEvent struct {
	timeNS  int64
	syscall map[string]string
	execve  map[string]string // the EXECVE records' fields, merged: long argument vectors span several
	cwd     string
	seen    time.Time
}

func runProcess(ctx context.Context, cfg Config, out sensor.Emitter) error {
	if err := auditAvailable(); err != nil {
		return unsupported("process collector", err)
	}
	c, err := openAudit()
	if err != nil {
		return unsupported("process collector", err)
	}
	defer c.Close()
	if err := auditState.acquire(c, true); err != nil {
		return unsupported("process collector", err)
	}
	defer auditState.release(c, true)
	registered, err := c.listen()
	if err != nil {
		return unsupported("process collector", err)
	}
	if registered {
		defer c.setPID(0)
	}
	if s, ok := out.(sensor.Sampler); ok {
		go dutyCycle(ctx, s, cfg.Log)
	}

	domain := hostName()
	pending := make(map[uint64]*execEvent)
	lastSweep := time.Now()
	for ctx.Err() == nil {
		recs, err := c.receive()
		if err != nil {
			return fmt.Errorf("process collector: read audit: %w", err)
		}
		for _, r := range recs {
			switch r.typ {
			case auditSyscall, auditExecve, auditCWD:
			case auditEOE:
				if ev := pending[r.serial]; ev != nil {
					delete(pending, r.serial)
					emitExec(cfg, ev, domain, out)
				}
				continue
			default:
				continue
			}
			ev := pending[r.serial]
			if ev == nil {
				ev = &execEvent{timeNS: r.timeNS, seen: time.Now()}
				pending[r.serial] = ev
			}
			f := auditFields(r.text)
			switch r.typ {
			case auditSyscall:
				// Records of other rules (auditd's) are not execs unless
				// their syscall is one.
				if !isExecSyscall(f["syscall"]) {
					delete(pending, r.serial)
					continue
				}
				ev.syscall = f
			case auditExecve:
				if ev.execve == nil {
					ev.execve = f
				} else {
					maps.Copy(ev.execve, f)
				}
			case auditCWD:
				ev.cwd = auditString(f, "cwd")
			}
		}
		// Events whose EOE was lost are emitted (or dropped) after a while.
		if time.Since(lastSweep) > time.Second {
			lastSweep = time.Now()
			for k, ev := range pending {
				if time.Since(ev.seen) > 2*time.Second {
					delete(pending, k)
					emitExec(cfg, ev, domain, out)
				}
			}
		}
	}
	return nil
}

// Duty cycle of the exec rule while the agent samples: in each period the
// rule is in the kernel for execDutyOn only. Per-event sampling (Admit)
// saves the /proc reads and hashing but not reading and parsing the
// records, which is most of the cost of an exec storm; taking the rule out
// saves that too.
const (
	execDutyPeriod = time.Second
	execDutyOn     = 200 * time.Millisecond
)

// dutyCycle suspends and resumes the exec rule while s is sampling, on its
// own audit connection.
func dutyCycle(ctx context.Context, s sensor.Sampler, log *slog.Logger) {
	c, err := openAudit()
	if err != nil {
		log.Warn("process collector: cannot shed load under the CPU cap", "err", err)
		return
	}
	defer c.Close()
	defer auditState.resumeRule(c)
	sleep := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for {
		if !s.Sampling() {
			if err := auditState.resumeRule(c); err != nil {
				log.Warn("process collector", "err", err)
			}
			if !sleep(100 * time.Millisecond) {
				return
			}
			continue
		}
		if err := auditState.resumeRule(c); err != nil {
			log.Warn("process collector", "err", err)
		}
		if !sleep(execDutyOn) {
			return
		}
		if err := auditState.suspendRule(c); err != nil {
			log.Warn("process collector", "err", err)
		}
		// Off for the rest of the period, or until sampling ends.
		for off := execDutyOn; off < execDutyPeriod && s.Sampling(); off += 100 * time.Millisecond {
			if !sleep(100 * time.Millisecond) {
				return
			}
		}
	}
}

// execArgs decodes an EXECVE record: argc=N a0=... a1=..., with long
// arguments split into aN_len=L aN[0]=... aN[1]=....
func execArgs(f map[string]string) []string {
	argc, _ := strconv.Atoi(f["argc"])
	args := make([]string, 0, argc)
	for i := range argc {
		k := "a" + strconv.Itoa(i)
		if _, ok := f[k]; ok {
			args = append(args, auditString(f, k))
			continue
		}
		if _, ok := f[k+"_len"]; ok {
			var b strings.Builder
			for j := 0; ; j++ {
				part := k + "[" + strconv.Itoa(j) + "]"
				if _, ok := f[part]; !ok {
					break
				}
				b.WriteString(auditString(f, part))
			}
			args = append(args, b.String())
		}
	}
	return args
}

// emitExec turns a completed exec event into a ProcessCreated row.
func emitExec(cfg Config, ev *execEvent, domain string, out sensor.Emitter) {
	sc := ev.syscall
	if sc == nil || sc["success"] != "yes" {
		return
	}
	pid, _ := strconv.Atoi(sc["pid"])
	ppid, _ := strconv.Atoi(sc["ppid"])
	if cfg.AgentPID != 0 && (pid == cfg.AgentPID || ppid == cfg.AgentPID) {
		return
	}
	// Under a resource cap, decide before the /proc reads and hashing.
	if ad, ok := out.(sensor.Admitter); ok && !ad.Admit() {
		return
	}
	p := &procInfo{Session: -1}
	p.PID, p.ParentPID = pid, ppid
	p.Path = auditString(sc, "exe")
	p.Name = filepath.Base(p.Path)
	p.AccountUID, _ = strconv.Atoi(sc["uid"])
	p.EUID, _ = strconv.Atoi(sc["euid"])
	if s, err := strconv.ParseInt(sc["ses"], 10, 64); err == nil && s != 4294967295 {
		p.Session = s
	}
	argv := execArgs(ev.execve)
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = []byte(a)
	}
	p.CommandLine = joinArgs(args)
	p.AccountName = cfg.Processes.userName(p.AccountUID)
	p.StartTime = ev.timeNS
	dir := "/proc/" + strconv.Itoa(pid)
	if start, _, err := cfg.Processes.readStat(dir); err == nil {
		p.StartTime = start
	}
	h, size := cfg.Processes.hashFile(dir+"/exe", p.Path)
	p.SHA256, p.SHA1, p.MD5, p.Size = h.sha256, h.sha1, h.md5, size
	// Later events of this process, and of its children after it exits,
	// are described from this record.
	cfg.Processes.remember(p)

	row := map[string]any{
		"ActionType": "ProcessCreated",
		"Timestamp":  rfc3339(ev.timeNS),
	}
	putProcess(row, p, domain)
	ip, parent := cfg.Processes.initiating(ppid)
	putInitiating(row, ip, parent, domain)
	if ip == nil {
		row["InitiatingProcessId"] = ppid
	}
	add := map[string]any{"uid": p.AccountUID, "euid": p.EUID}
	if a, err := strconv.Atoi(sc["auid"]); err == nil && a != -1 && sc["auid"] != "4294967295" {
		add["auid"] = a
	}
	if ev.cwd != "" {
		add["cwd"] = ev.cwd
	}
	if tty := sc["tty"]; tty != "" && tty != "(none)" {
		add["tty"] = tty
	}
	row["AdditionalFields"] = add
	out.Emit(agentproto.Event{Table: "DeviceProcessEvents", Row: row})
}
