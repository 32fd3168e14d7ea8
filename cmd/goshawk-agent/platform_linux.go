package main

import (
	"os"
	"strings"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// platformCollectors returns the Linux telemetry collectors (process,
// network, file, logon) built from env. The agent/collect/linux package
// registers here.
func platformCollectors(env platformEnv) []sensor.Collector {
	return nil
}

// ownCgroup is the agent's cgroup v2 path from /proc/self/cgroup.
func ownCgroup() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "0::"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
