package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agent/respond"
	"github.com/goshawk-sec/goshawk/agent/state"
	"github.com/goshawk-sec/goshawk/agent/transport"
	"github.com/goshawk-sec/goshawk/agentproto"
)

func cmdOffboard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("offboard", flag.ContinueOnError)
	dir := fs.String("state", "", "state directory")
	force := fs.Bool("force", false, "remove the identity even if the server cannot be told")
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
	creds, err := state.Load(stateDir)
	if err != nil {
		return err
	}
	client := transport.New(creds.ServerURL, creds.Cert, creds.CAs)
	err = client.Offboard(ctx)
	switch {
	case err == nil:
	case transport.IsStatus(err, http.StatusForbidden), transport.IsStatus(err, http.StatusUnauthorized):
		// Already offboarded or revoked on the server's side.
		fmt.Fprintf(stderr, "goshawk-agent offboard: the server no longer accepts this device (%v); removing the identity\n", err)
	case *force:
		fmt.Fprintf(stderr, "goshawk-agent offboard: could not tell the server (%v); removing the identity anyway (--force)\n", err)
	default:
		return fmt.Errorf("tell the server: %w (pass --force to remove the identity anyway)", err)
	}
	// An offboarded device must not stay isolated with nobody to release it.
	if err := releaseIsolation(ctx, stateDir); err != nil {
		fmt.Fprintf(stderr, "goshawk-agent offboard: release network isolation: %v\n", err)
	}
	if err := state.Remove(stateDir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "offboarded: device %s removed from %s\n", creds.DeviceID, creds.ServerURL)
	return nil
}

// releaseIsolation lifts a network isolation recorded in the state
// directory.
func releaseIsolation(ctx context.Context, stateDir string) error {
	cfg := respond.Config{StateDir: stateDir}
	vault, err := respond.NewVault(cfg.VaultDir())
	if err != nil {
		return err
	}
	discard := emitFunc(func(agentproto.Event) {})
	det, err := detect.New(detect.Config{}, discard, vault)
	if err != nil {
		return err
	}
	resp, err := respond.New(cfg, vault, det, discard)
	if err != nil {
		return err
	}
	if !resp.Isolated() {
		return nil
	}
	return resp.Release(ctx)
}
