//go:build !linux

package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// platformCollectors reports each telemetry collector as unsupported:
// this OS has none yet, and health says so plainly.
func platformCollectors(env platformEnv) []sensor.Collector {
	var cs []sensor.Collector
	for _, name := range []string{"process", "network", "file", "logon"} {
		cs = append(cs, unsupportedCollector(name))
	}
	return cs
}

type unsupportedCollector string

func (c unsupportedCollector) Name() string { return string(c) }

func (c unsupportedCollector) Run(ctx context.Context, out sensor.Emitter) error {
	return fmt.Errorf("no %s collector for %s yet: %w", string(c), runtime.GOOS, sensor.ErrUnsupported)
}

func ownCgroup() string { return "" }
