// Package sensor holds the small interfaces the agent's parts meet at:
// collectors produce events, detectors look at files and processes,
// responders carry out commands. The agent's run loop (package agent)
// wires them together; each part lives in its own package and knows only
// these interfaces and the wire contract.
package sensor

import (
	"context"
	"errors"
	"net/netip"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// ErrUnsupported marks a part that cannot run on this OS or kernel; the
// agent reports it in health ("unsupported" with the reason) and carries
// on without it.
var ErrUnsupported = errors.New("unsupported on this system")

// Emitter receives events. The agent fills ReportId, DeviceId, DeviceName
// and Timestamp when the row lacks them, queues the event durably and
// never blocks a collector for long: under pressure it samples and says
// so in health. Emit is safe for concurrent use.
type Emitter interface {
	Emit(e agentproto.Event)
}

// Admitter is an optional Emitter interface for collectors whose events
// are costly to build. While the agent is over a resource cap it keeps only
// a sample of events; a collector asks Admit before the costly part (/proc
// reads, hashing) and drops the event at once when it returns false, so
// sampling saves the work and not only the queue space. An admitted event
// is then emitted as usual and kept.
type Admitter interface {
	Admit() bool
}

// Sampler is an optional Emitter interface: Sampling reports whether the
// agent is over a resource cap. A collector whose cost is paid before it
// can ask Admit (the kernel producing records) may then reduce what the
// kernel produces.
type Sampler interface {
	Sampling() bool
}

// Collector is one telemetry source ("process", "network", "file",
// "logon").
type Collector interface {
	Name() string
	// Run collects until ctx ends. It returns an error wrapping
	// ErrUnsupported when the mechanism is missing here.
	Run(ctx context.Context, out Emitter) error
}

// Process describes a process as the Device* tables' process and
// initiating-process columns need it.
type Process struct {
	PID         int
	ParentPID   int
	Name        string // file name of the image
	Path        string // full path of the image
	CommandLine string
	AccountName string
	AccountUID  int
	SHA256      string
	SHA1        string
	MD5         string
	StartTime   int64 // Unix nanoseconds
}

// FileWatcher is told about every file created or written (after close),
// so that detection can scan it. FileWritten must return quickly; slow work
// belongs on the watcher's own goroutine.
type FileWatcher interface {
	FileWritten(ctx context.Context, path string, by Process)
}

// Connection is a network connection the network collector reported.
type Connection struct {
	// ActionType is the DeviceNetworkEvents ActionType
	// (ConnectionSuccess, ConnectionRequest, InboundConnectionAccepted).
	ActionType    string
	Protocol      string // "Tcp" or "Udp"
	Local, Remote netip.AddrPort
	Process       Process // the owning process (PID 0 when unknown)
}

// NetworkWatcher is told about every connection the network collector
// reports, so that detection can match its remote address against
// indicators. Connected must return quickly.
type NetworkWatcher interface {
	Connected(ctx context.Context, c Connection)
}

// CommandHandler carries out one kind of response action.
type CommandHandler interface {
	// Types lists the agentproto.Command types it handles.
	Types() []string
	Handle(ctx context.Context, cmd agentproto.Command) agentproto.CommandResult
}
