package main

import (
	"context"
	"log/slog"

	"github.com/goshawk-sec/goshawk/agent/collect"
	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// platformEnv is what the OS's collectors are built from.
type platformEnv struct {
	// PID is the agent's own: collectors exclude the agent's activity
	// (its processes and their children, connections and file writes).
	PID int
	// StateDir is never watched (the queue and quarantine live there).
	StateDir string
	// Exclude are path prefixes the file collector skips.
	Exclude []string
	// Watchers are told about every file created or written.
	Watchers []sensor.FileWatcher
	// Network is told about every connection (indicator matching).
	Network sensor.NetworkWatcher
	// Emitter is where events go (collectors also get it in Run).
	Emitter sensor.Emitter
	Log     *slog.Logger
}

// platformCollectors returns the telemetry collectors (process, network,
// file, logon). On a system or kernel without a mechanism, the collector
// reports itself unsupported and health says so.
func platformCollectors(env platformEnv) []sensor.Collector {
	// The state directory (queue, quarantine) is the agent's own.
	exclude := append(append([]string{}, collect.DefaultExcludePaths...), env.StateDir)
	exclude = append(exclude, env.Exclude...)
	var w sensor.FileWatcher
	switch len(env.Watchers) {
	case 0:
	case 1:
		w = env.Watchers[0]
	default:
		w = watchers(env.Watchers)
	}
	return collect.All(collect.Config{AgentPID: env.PID, ExcludePaths: exclude, FileWatcher: w, NetworkWatcher: env.Network, Log: env.Log})
}

// watchers tells several FileWatchers.
type watchers []sensor.FileWatcher

func (ws watchers) FileWritten(ctx context.Context, path string, by sensor.Process) {
	for _, w := range ws {
		w.FileWritten(ctx, path, by)
	}
}
