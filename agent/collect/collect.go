package collect

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// Config configures the collectors. The zero value is usable: see
// Defaults.
type Config struct {
	// AgentPID is the agent's own process; its activity is not reported.
	AgentPID int
	// ExcludePaths are path prefixes the file collector does not report
	// (directories; "/proc" excludes "/proc/1" but not "/processes").
	ExcludePaths []string
	// FileWatcher, when set, is told about every file created or written.
	FileWatcher sensor.FileWatcher
	// NetworkWatcher, when set, is told about every connection reported
	// (listeners excluded).
	NetworkWatcher sensor.NetworkWatcher
	// NetworkInterval is how often the network collector takes a socket
	// snapshot. Connections shorter than this may be missed.
	NetworkInterval time.Duration
	// WtmpPath and BtmpPath are the login record files the logon collector
	// follows ("" selects /var/log/wtmp and /var/log/btmp; "-" disables).
	WtmpPath, BtmpPath string
	// Processes describes processes; nil makes a new table.
	Processes *ProcessTable
	// Log receives the collectors' warnings (nil: discarded).
	Log *slog.Logger
}

// DefaultExcludePaths are pseudo and high-churn locations the file
// collector skips unless told otherwise.
var DefaultExcludePaths = []string{"/proc", "/sys", "/dev", "/run", "/var/log/journal"}

// Defaults returns c with unset fields filled.
func (c Config) Defaults() Config {
	if c.ExcludePaths == nil {
		c.ExcludePaths = DefaultExcludePaths
	}
	if c.NetworkInterval == 0 {
		c.NetworkInterval = 500 * time.Millisecond
	}
	if c.WtmpPath == "" {
		c.WtmpPath = "/var/log/wtmp"
	}
	if c.BtmpPath == "" {
		c.BtmpPath = "/var/log/btmp"
	}
	if c.Processes == nil {
		c.Processes = NewProcessTable()
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports a configuration the collectors cannot use.
func (c Config) Validate() error {
	if c.AgentPID < 0 {
		return fmt.Errorf("agent pid %d is negative", c.AgentPID)
	}
	if c.NetworkInterval < 0 {
		return fmt.Errorf("network interval %v is negative", c.NetworkInterval)
	}
	for _, p := range c.ExcludePaths {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("exclude path %q is not absolute", p)
		}
	}
	return nil
}

// All returns the four collectors sharing one configuration (and so one
// process table).
func All(cfg Config) []sensor.Collector {
	cfg = cfg.Defaults()
	return []sensor.Collector{NewProcess(cfg), NewNetwork(cfg), NewFile(cfg), NewLogon(cfg)}
}

// Process reports process creation as DeviceProcessEvents rows.
type Process struct{ cfg Config }

// NewProcess returns the process collector.
func NewProcess(cfg Config) *Process { return &Process{cfg: cfg.Defaults()} }

// Name implements sensor.Collector.
func (*Process) Name() string { return "process" }

// Run implements sensor.Collector.
func (p *Process) Run(ctx context.Context, out sensor.Emitter) error {
	return runProcess(ctx, p.cfg, out)
}

// Network reports connections and listeners as DeviceNetworkEvents rows.
type Network struct{ cfg Config }

// NewNetwork returns the network collector.
func NewNetwork(cfg Config) *Network { return &Network{cfg: cfg.Defaults()} }

// Name implements sensor.Collector.
func (*Network) Name() string { return "network" }

// Run implements sensor.Collector.
func (n *Network) Run(ctx context.Context, out sensor.Emitter) error {
	return runNetwork(ctx, n.cfg, out)
}

// File reports file creation, modification, renaming and deletion as
// DeviceFileEvents rows.
type File struct{ cfg Config }

// NewFile returns the file collector.
func NewFile(cfg Config) *File { return &File{cfg: cfg.Defaults()} }

// Name implements sensor.Collector.
func (*File) Name() string { return "file" }

// Run implements sensor.Collector.
func (f *File) Run(ctx context.Context, out sensor.Emitter) error {
	return runFile(ctx, f.cfg, out)
}

// Logon reports logons and failed logons as DeviceLogonEvents rows.
type Logon struct{ cfg Config }

// NewLogon returns the logon collector.
func NewLogon(cfg Config) *Logon { return &Logon{cfg: cfg.Defaults()} }

// Name implements sensor.Collector.
func (*Logon) Name() string { return "logon" }

// Run implements sensor.Collector.
func (l *Logon) Run(ctx context.Context, out sensor.Emitter) error {
	return runLogon(ctx, l.cfg, out)
}

// unsupported wraps sensor.ErrUnsupported with the reason.
func unsupported(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%s: %w", what, sensor.ErrUnsupported)
	}
	return fmt.Errorf("%s: %w: %w", what, sensor.ErrUnsupported, err)
}
