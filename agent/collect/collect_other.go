//go:build !linux

package collect

import (
	"context"
	"runtime"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

func runProcess(context.Context, Config, sensor.Emitter) error {
	return unsupported("process collector on "+runtime.GOOS, nil)
}

func runNetwork(context.Context, Config, sensor.Emitter) error {
	return unsupported("network collector on "+runtime.GOOS, nil)
}

func runFile(context.Context, Config, sensor.Emitter) error {
	return unsupported("file collector on "+runtime.GOOS, nil)
}

func runLogon(context.Context, Config, sensor.Emitter) error {
	return unsupported("logon collector on "+runtime.GOOS, nil)
}

// ProcessTable describes processes; on this system it knows none.
type ProcessTable struct{}

// NewProcessTable returns an empty table.
func NewProcessTable() *ProcessTable { return &ProcessTable{} }

// ProcessInfo reports that processes cannot be described here.
func (*ProcessTable) ProcessInfo(pid int) (sensor.Process, error) {
	return sensor.Process{PID: pid}, unsupported("process information on "+runtime.GOOS, nil)
}
