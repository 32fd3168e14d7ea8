package main

import (
	"log/slog"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// platformEnv is what the OS's collectors are built from.
type platformEnv struct {
	// PID and Cgroup are the agent's own: collectors exclude the
	// agent's activity (its processes, connections and file writes).
	PID    int
	Cgroup string // cgroup v2 path, e.g. /system.slice/goshawk-agent.service
	// StateDir is never watched (the queue and quarantine live there).
	StateDir string
	// Exclude are path prefixes the file collector skips.
	Exclude []string
	// Watchers are told about every file created or written.
	Watchers []sensor.FileWatcher
	// Indicators are the custom indicators in force (IP, domain, URL
	// matching for the network collector).
	Indicators *detect.Indicators
	// Emitter is where events go (collectors also get it in Run).
	Emitter sensor.Emitter
	Log     *slog.Logger
}
