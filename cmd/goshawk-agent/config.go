package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goshawk-sec/goshawk/agent"
	"github.com/goshawk-sec/goshawk/agent/queue"
)

// fileConfig is the agent's configuration file (JSON). Every field is
// optional.
type fileConfig struct {
	// MachineGroup is DeviceInfo.MachineGroup (indicators can be scoped
	// to it).
	MachineGroup string `json:"machineGroup"`
	// DeviceType overrides the guess: "Server" or "Workstation".
	DeviceType string `json:"deviceType"`
	// HeartbeatSeconds overrides the interval the server gave.
	HeartbeatSeconds int `json:"heartbeatSeconds"`
	// QueueMaxMB bounds the on-disk event queue (default 256).
	QueueMaxMB int64 `json:"queueMaxMB"`
	// BatchEvents and BatchIntervalMs shape batches (default 500, 1000).
	BatchEvents     int `json:"batchEvents"`
	BatchIntervalMs int `json:"batchIntervalMs"`
	// CPUPercent (of one core) and MemoryMB cap the agent; over them it
	// samples events. 0 means no cap.
	CPUPercent float64 `json:"cpuPercent"`
	MemoryMB   int64   `json:"memoryMB"`
	// FileExclusions are path prefixes the file collector and scans skip.
	FileExclusions []string `json:"fileExclusions"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"logLevel"`
}

func readConfig(path string) (fileConfig, error) {
	var c fileConfig
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("read config: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if c.DeviceType != "" && c.DeviceType != "Server" && c.DeviceType != "Workstation" {
		return c, fmt.Errorf("config %s: deviceType %q must be Server or Workstation", path, c.DeviceType)
	}
	for _, p := range c.FileExclusions {
		if !filepath.IsAbs(p) {
			return c, fmt.Errorf("config %s: file exclusion %q is not an absolute path", path, p)
		}
	}
	return c, nil
}

// loopConfig maps the file onto agent.Config; heartbeat is the server's
// interval from enrollment (0: the default).
func (c fileConfig) loopConfig(heartbeat int, statusFile string) agent.Config {
	cfg := agent.DefaultConfig()
	if c.HeartbeatSeconds > 0 {
		heartbeat = c.HeartbeatSeconds
	}
	if heartbeat > 0 {
		cfg.HeartbeatInterval = time.Duration(heartbeat) * time.Second
	}
	if c.BatchIntervalMs > 0 {
		cfg.BatchInterval = time.Duration(c.BatchIntervalMs) * time.Millisecond
	}
	cfg.CPUPercent = c.CPUPercent
	cfg.MemoryBytes = c.MemoryMB << 20
	cfg.StatusFile = statusFile
	return cfg
}

func (c fileConfig) queueConfig(dir string) queue.Config {
	q := queue.DefaultConfig(dir)
	if c.QueueMaxMB > 0 {
		q.MaxBytes = c.QueueMaxMB << 20
	}
	if c.BatchEvents > 0 {
		q.BatchEvents = c.BatchEvents
	}
	return q
}
