package respond

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// Config configures a Responder.
type Config struct {
	// StateDir is the agent's state directory (see the package comment).
	StateDir string
	// ServerURL is the Goshawk server's URL (the onboarding package's);
	// isolation allows its addresses and port.
	ServerURL string
	// NetNSPath, when set, is the network namespace isolation applies to
	// (a path such as /run/netns/NAME); empty means the agent's own. Tests
	// use it.
	NetNSPath string
	// ScanExclude lists path prefixes a scan does not enter besides the
	// state directory and the kernel's pseudo file systems.
	ScanExclude []string
	// ResolvConf lists the resolver configurations whose name servers an
	// isolated device may still query (DNS only) when the server is given
	// by name, so that the agent can keep resolving it. Default
	// /etc/resolv.conf and systemd-resolved's upstream list.
	ResolvConf []string
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.StateDir == "" || !filepath.IsAbs(c.StateDir) {
		return fmt.Errorf("respond: the state directory must be an absolute path, not %q", c.StateDir)
	}
	if c.ServerURL != "" {
		if _, _, err := serverHostPort(c.ServerURL); err != nil {
			return fmt.Errorf("respond: %w", err)
		}
	}
	return nil
}

// VaultDir is where a Responder with this configuration keeps quarantined
// files; NewVault(cfg.VaultDir()) opens the vault for the detector.
func (c Config) VaultDir() string { return filepath.Join(c.StateDir, "quarantine") }

// Responder carries out response actions; it is a sensor.CommandHandler
// for every command type but refresh_indicators.
type Responder struct {
	cfg   Config
	vault *Vault
	det   *detect.Detector
	out   sensor.Emitter
	now   func() time.Time

	isoMu   sync.Mutex // serializes isolate, release and Reapply
	allowMu sync.Mutex // serializes allowed.json updates

	blockMu       sync.Mutex // guards the IP blocks of indicators
	blocked       []netip.Addr
	blocksApplied bool
	blockTimer    *time.Timer
	blockErr      error
}

// New returns a Responder. vault is the one the detector remediates
// through; det scans for the scan command; out receives the DeviceEvents
// rows of scans.
func New(cfg Config, vault *Vault, det *detect.Detector, out sensor.Emitter) (*Responder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if vault == nil || det == nil || out == nil {
		return nil, errors.New("respond: New needs a vault, a detector and an emitter")
	}
	r := &Responder{cfg: cfg, vault: vault, det: det, out: out, now: time.Now}
	allowed, err := r.readAllowed()
	if err != nil {
		return nil, err
	}
	for p, sum := range allowed {
		det.Allow(p, sum)
	}
	return r, nil
}

// allowedPath is allowed.json: the files restored from quarantine, path →
// SHA256, which the detector leaves alone while their content is unchanged.
func (r *Responder) allowedPath() string { return filepath.Join(r.cfg.StateDir, "allowed.json") }

func (r *Responder) readAllowed() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(r.allowedPath())
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err == nil {
		err = jsonUnmarshal(b, &m)
	}
	if err != nil {
		return nil, fmt.Errorf("respond: read %s: %w", r.allowedPath(), err)
	}
	return m, nil
}

// Types lists the command types the Responder handles.
func (r *Responder) Types() []string {
	return []string{
		agentproto.CommandIsolate, agentproto.CommandRelease, agentproto.CommandKillProcess,
		agentproto.CommandQuarantineFile, agentproto.CommandRestoreFile, agentproto.CommandScan,
		agentproto.CommandCollect,
	}
}

// Handle carries out one command. Output keys per type:
//
//	isolate          servers (comma-separated address:port allowed)
//	kill_process     pid, name
//	quarantine_file  quarantineId(s), path(s), killedPids
//	restore_file     path
//	scan             scanned, detections, quarantined, errors
//	collect_package  package (path of the zip to upload), sha256, size
func (r *Responder) Handle(ctx context.Context, cmd agentproto.Command) agentproto.CommandResult {
	var out map[string]string
	var err error
	switch cmd.Type {
	case agentproto.CommandIsolate:
		out, err = r.Isolate(ctx, cmd.ID)
	case agentproto.CommandRelease:
		err = r.Release(ctx)
	case agentproto.CommandKillProcess:
		out, err = r.killProcess(ctx, cmd.Params)
	case agentproto.CommandQuarantineFile:
		out, err = r.quarantineFile(ctx, cmd.ID, cmd.Params)
	case agentproto.CommandRestoreFile:
		out, err = r.restoreFile(cmd.Params)
	case agentproto.CommandScan:
		out, err = r.scan(ctx, cmd.Params)
	case agentproto.CommandCollect:
		out, err = r.collect(ctx, cmd.ID)
	default:
		err = fmt.Errorf("unknown command type %q", cmd.Type)
	}
	res := agentproto.CommandResult{ID: cmd.ID, Status: agentproto.StatusSucceeded, Output: out, Finished: r.now().UTC()}
	if err != nil {
		res.Status, res.Message = agentproto.StatusFailed, err.Error()
	}
	return res
}

// isolationState is isolation.json.
type isolationState struct {
	Servers   []string  `json:"servers"`             // address:port
	Resolvers []string  `json:"resolvers,omitempty"` // DNS servers allowed
	Since     time.Time `json:"since"`
	CommandID string    `json:"commandId,omitempty"`
}

func (r *Responder) statePath() string { return filepath.Join(r.cfg.StateDir, "isolation.json") }

func serverHostPort(raw string) (string, uint16, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "", 0, fmt.Errorf("server URL %q has no host", raw)
	}
	p := u.Port()
	if p == "" {
		p = map[bool]string{true: "80", false: "443"}[u.Scheme == "http"]
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("server URL %q: bad port", raw)
	}
	return u.Hostname(), uint16(n), nil
}

// serverAddrs resolves the server's host now: isolation allows addresses,
// since name resolution is cut once isolated.
func (r *Responder) serverAddrs(ctx context.Context) ([]netip.AddrPort, error) {
	if r.cfg.ServerURL == "" {
		return nil, errors.New("no server URL configured: isolating would cut the agent off")
	}
	host, port, err := serverHostPort(r.cfg.ServerURL)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host); err != nil {
		return nil, fmt.Errorf("resolve the server %q: %w", host, err)
	}
	var out []netip.AddrPort
	for _, a := range addrs {
		out = append(out, netip.AddrPortFrom(a.Unmap(), port))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the server %q resolves to no address", host)
	}
	return out, nil
}

// Isolate cuts the device off the network but for the server and
// loopback, and records it so that Reapply restores it after a restart.
// Isolating an isolated device refreshes the server addresses.
func (r *Responder) Isolate(ctx context.Context, commandID string) (map[string]string, error) {
	r.isoMu.Lock()
	defer r.isoMu.Unlock()
	servers, err := r.serverAddrs(ctx)
	if err != nil {
		return nil, fmt.Errorf("isolate: %w", err)
	}
	var resolvers []netip.Addr
	if host, _, _ := serverHostPort(r.cfg.ServerURL); !isAddr(host) {
		resolvers = r.resolvers()
	}
	if err := applyIsolation(r.cfg.NetNSPath, servers, resolvers); err != nil {
		return nil, fmt.Errorf("isolate: %w", err)
	}
	st := isolationState{Since: r.now().UTC(), CommandID: commandID}
	for _, s := range servers {
		st.Servers = append(st.Servers, s.String())
	}
	for _, a := range resolvers {
		st.Resolvers = append(st.Resolvers, a.String())
	}
	if err := os.MkdirAll(r.cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("isolate: %w", err)
	}
	if err := writeJSON(r.statePath(), st); err != nil {
		// Not persisted means not restored after a reboot: undo rather
		// than report an isolation that would silently lapse.
		removeIsolation(r.cfg.NetNSPath)
		return nil, fmt.Errorf("isolate: record the isolation: %w", err)
	}
	out := map[string]string{"servers": strings.Join(st.Servers, ",")}
	if len(st.Resolvers) > 0 {
		out["resolvers"] = strings.Join(st.Resolvers, ",")
	}
	return out, nil
}

// Release removes the isolation.
func (r *Responder) Release(ctx context.Context) error {
	r.isoMu.Lock()
	defer r.isoMu.Unlock()
	if err := removeIsolation(r.cfg.NetNSPath); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	if err := os.Remove(r.statePath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("release: %w", err)
	}
	return nil
}

// Isolated reports whether the device is isolated (by the state file),
// for health.
func (r *Responder) Isolated() bool {
	_, err := os.Stat(r.statePath())
	return err == nil
}

// Reapply re-installs a recorded isolation; the agent calls it at start,
// before anything else talks to the network. The table survives an agent
// restart by itself; after a host restart this is what restores it.
func (r *Responder) Reapply(ctx context.Context) (isolated bool, err error) {
	r.isoMu.Lock()
	defer r.isoMu.Unlock()
	st, err := r.readState()
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var servers []netip.AddrPort
	for _, s := range st.Servers {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return false, fmt.Errorf("reapply isolation: bad server %q in %s", s, r.statePath())
		}
		servers = append(servers, ap)
	}
	var resolvers []netip.Addr
	for _, s := range st.Resolvers {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false, fmt.Errorf("reapply isolation: bad resolver %q in %s", s, r.statePath())
		}
		resolvers = append(resolvers, a)
	}
	if err := applyIsolation(r.cfg.NetNSPath, servers, resolvers); err != nil {
		return false, fmt.Errorf("reapply isolation: %w", err)
	}
	return true, nil
}

func (r *Responder) readState() (isolationState, error) {
	var st isolationState
	b, err := os.ReadFile(r.statePath())
	if err != nil {
		return st, err
	}
	if err := jsonUnmarshal(b, &st); err != nil {
		return st, fmt.Errorf("read %s: %w", r.statePath(), err)
	}
	return st, nil
}

func (r *Responder) killProcess(ctx context.Context, p map[string]string) (map[string]string, error) {
	pid, err := strconv.Atoi(p["pid"])
	if err != nil || pid <= 0 {
		return nil, fmt.Errorf("kill_process: bad pid %q", p["pid"])
	}
	name := processName(pid)
	if err := killProcess(ctx, pid, p["sha256"]); err != nil {
		if errors.Is(err, errNoProcess) {
			return nil, fmt.Errorf("kill_process: pid %d: %w", pid, err)
		}
		return nil, fmt.Errorf("kill_process: %w", err)
	}
	return map[string]string{"pid": strconv.Itoa(pid), "name": name}, nil
}

func (r *Responder) quarantineFile(ctx context.Context, id string, p map[string]string) (map[string]string, error) {
	path, want := p["path"], strings.ToLower(p["sha256"])
	reason := "Quarantined by command " + id
	// A command delivered again (the agent died before reporting) finds
	// its own work done.
	if entries, err := r.vault.List(); err == nil {
		var ids, paths []string
		for _, e := range entries {
			if e.Threat == reason {
				ids, paths = append(ids, e.ID), append(paths, e.OriginalPath)
			}
		}
		if len(ids) > 0 {
			return map[string]string{"quarantineId": strings.Join(ids, ","), "path": strings.Join(paths, ","), "killedPids": ""}, nil
		}
	}
	var paths []string
	switch {
	case path != "":
		if !filepath.IsAbs(path) {
			return nil, fmt.Errorf("quarantine_file: path %q is not absolute", path)
		}
		if want != "" {
			got, err := fileSHA256(path)
			if err != nil {
				return nil, fmt.Errorf("quarantine_file: %w", err)
			}
			if got != want {
				return nil, fmt.Errorf("quarantine_file: %s has SHA256 %s, not %s", path, got, want)
			}
		}
		paths = []string{path}
	case want != "":
		// Without a path: the images of running processes with that hash.
		var err error
		if paths, err = imagesWithSHA256(want); err != nil {
			return nil, fmt.Errorf("quarantine_file: %w", err)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("quarantine_file: no running process image has SHA256 %s; give the path", want)
		}
	default:
		return nil, errors.New("quarantine_file: needs a path or a sha256")
	}
	var ids, killed []string
	for _, p := range paths {
		e, err := r.vault.QuarantineFile(ctx, p, reason, true)
		if err != nil {
			return nil, fmt.Errorf("quarantine_file: %w", err)
		}
		ids = append(ids, e.ID)
		for _, k := range e.KilledPIDs {
			killed = append(killed, strconv.Itoa(k))
		}
	}
	return map[string]string{"quarantineId": strings.Join(ids, ","), "path": strings.Join(paths, ","), "killedPids": strings.Join(killed, ",")}, nil
}

func (r *Responder) restoreFile(p map[string]string) (map[string]string, error) {
	id := p["quarantineId"]
	if id == "" {
		return nil, errors.New("restore_file: needs a quarantineId")
	}
	// Allow first: the file collector reports the restored file at once.
	e, err := r.vault.Entry(id)
	if err != nil {
		return nil, fmt.Errorf("restore_file: %w", err)
	}
	if err := r.allow(e.OriginalPath, e.SHA256); err != nil {
		return nil, fmt.Errorf("restore_file: %w", err)
	}
	if e, err = r.vault.Restore(id); err != nil {
		return nil, fmt.Errorf("restore_file: %w", err)
	}
	return map[string]string{"path": e.OriginalPath, "sha256": e.SHA256}, nil
}

// allow records a restored file in allowed.json and tells the detector.
func (r *Responder) allow(path, sum string) error {
	r.allowMu.Lock()
	defer r.allowMu.Unlock()
	m, err := r.readAllowed()
	if err != nil {
		return err
	}
	m[path] = sum
	if err := os.MkdirAll(r.cfg.StateDir, 0o700); err != nil {
		return err
	}
	if err := writeJSON(r.allowedPath(), m); err != nil {
		return fmt.Errorf("record the restored file as allowed: %w", err)
	}
	r.det.Allow(path, sum)
	return nil
}

func isAddr(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// resolvers returns the name servers of the resolver configurations,
// loopback ones excepted (loopback is allowed anyway).
func (r *Responder) resolvers() []netip.Addr {
	files := r.cfg.ResolvConf
	if files == nil {
		files = []string{"/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"}
	}
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			fl := strings.Fields(l)
			if len(fl) < 2 || fl[0] != "nameserver" {
				continue
			}
			a, err := netip.ParseAddr(fl[1])
			if err != nil || a.IsLoopback() || seen[a] {
				continue
			}
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}
