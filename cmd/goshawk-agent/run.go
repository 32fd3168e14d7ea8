package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/goshawk-sec/goshawk/agent"
	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agent/inventory"
	"github.com/goshawk-sec/goshawk/agent/queue"
	"github.com/goshawk-sec/goshawk/agent/respond"
	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agent/state"
	"github.com/goshawk-sec/goshawk/agent/transport"
	"github.com/goshawk-sec/goshawk/agentproto"
)

func cmdRun(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	dir := fs.String("state", "", "state directory of an onboarded agent")
	cfgFile := fs.String("config", "", "configuration file (JSON)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"--state is required"}
	}
	stateDir, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	fc, err := readConfig(*cfgFile)
	if err != nil {
		return err
	}
	log := newLogger(stderr, fc.LogLevel)
	creds, err := state.Load(stateDir)
	if err != nil {
		return err
	}
	q, err := queue.Open(fc.queueConfig(filepath.Join(stateDir, state.QueueDir)))
	if err != nil {
		return err
	}
	client := transport.New(creds.ServerURL, creds.Cert, creds.CAs)

	// The emitter exists before the parts that emit; the loop is built
	// last, so they reach it through this forwarder.
	var loop *agent.Agent
	emit := emitFunc(func(e agentproto.Event) { loop.Emit(e) })

	vault, err := respond.NewVault(respond.Config{StateDir: stateDir}.VaultDir())
	if err != nil {
		return err
	}
	// Resolving indicator host names changes the addresses to block.
	var resp *respond.Responder
	det, err := detect.New(detect.Config{Exclude: append([]string{stateDir}, fc.FileExclusions...),
		OnResolved: func() { resp.RefreshBlocks() }}, emit, vault)
	if err != nil {
		return err
	}
	resp, err = respond.New(respond.Config{StateDir: stateDir, ServerURL: creds.ServerURL, ScanExclude: fc.FileExclusions}, vault, det, emit)
	if err != nil {
		return err
	}
	// Isolation outlives the agent and the host: restore it before
	// anything else talks to the network.
	if isolated, err := resp.Reapply(ctx); err != nil {
		log.Error("re-apply network isolation", "err", err)
	} else if isolated {
		log.Warn("the device is isolated; only the Goshawk server is reachable until released")
	}

	env := platformEnv{PID: os.Getpid(), StateDir: stateDir, Exclude: fc.FileExclusions,
		Watchers: []sensor.FileWatcher{det}, Network: det, Emitter: emit, Log: log}
	invCfg := inventory.Config{MachineGroup: fc.MachineGroup, DeviceType: fc.DeviceType, ClientVersion: version}
	parts := agent.Parts{
		Collectors: platformCollectors(env),
		Handlers:   []sensor.CommandHandler{resp},
		Indicators: []agent.IndicatorSink{blockSink{resp, log}},
		Runners:    []agent.Runner{det, &renewer{dir: stateDir, creds: creds, client: client, log: log}},
		Inventory: func(ctx context.Context, health string) agentproto.Inventory {
			return inventory.Collect(ctx, invCfg, health).Inventory
		},
		Isolated: resp.Isolated,
		Upload: func(ctx context.Context, id, path string) error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			return client.Upload(ctx, id, f)
		},
	}
	loop, err = agent.New(fc.loopConfig(creds.HeartbeatSeconds, filepath.Join(stateDir, state.HealthFile)),
		agent.Identity{DeviceID: creds.DeviceID, DeviceName: inventory.Hostname(ctx), ClientVersion: version}, client, q, parts, log)
	if err != nil {
		return err
	}
	defer resp.Close()
	log.Info("goshawk-agent running", "version", version, "device", creds.DeviceID, "server", creds.ServerURL, "collectors", len(parts.Collectors))
	if err := loop.Run(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("goshawk-agent stopped")
	return nil
}

// emitFunc adapts a function to sensor.Emitter.
type emitFunc func(agentproto.Event)

func (f emitFunc) Emit(e agentproto.Event) { f(e) }

// blockSink hands the indicators to the responder, which passes them to
// the detector and blocks the addresses of Block indicators, and logs when
// it cannot.
type blockSink struct {
	resp *respond.Responder
	log  *slog.Logger
}

func (s blockSink) SetIndicators(ctx context.Context, set agentproto.IndicatorSet) {
	s.resp.SetIndicators(ctx, set)
	if err := s.resp.BlockError(); err != nil {
		s.log.Warn("block IP address indicators", "err", err)
	}
}
