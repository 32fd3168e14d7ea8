package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/goshawk-sec/goshawk/agent/inventory"
	"github.com/goshawk-sec/goshawk/agent/state"
	"github.com/goshawk-sec/goshawk/agent/transport"
	"github.com/goshawk-sec/goshawk/agentproto"
)

func cmdOnboard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("onboard", flag.ContinueOnError)
	pkgFile := fs.String("package", "", "onboarding package (from `goshawk onboarding create`)")
	dir := fs.String("state", "", "state directory (created 0700)")
	force := fs.Bool("force", false, "replace an existing identity in the state directory")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *pkgFile == "" || *dir == "" {
		return usageError{"--package and --state are required"}
	}
	stateDir, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	if id, err := state.LoadIdentity(stateDir); err == nil && !*force {
		return fmt.Errorf("%s is already onboarded as device %s to %s; offboard first, or pass --force", stateDir, id.DeviceID, id.ServerURL)
	}
	pkg, err := readPackage(*pkgFile)
	if err != nil {
		return err
	}
	dev := inventory.Collect(ctx, inventory.Config{ClientVersion: version}, "Active")
	key, csr, err := state.Prepare(stateDir, dev.Hostname)
	if err != nil {
		return err
	}
	resp, err := transport.Enroll(ctx, pkg, agentproto.EnrollRequest{CSR: csr, Hostname: dev.Hostname, OS: dev.OS, ClientVersion: version, MachineID: dev.MachineID})
	if transport.IsStatus(err, http.StatusUnauthorized) {
		return fmt.Errorf("the server refused the package's enrollment token (expired, used up or revoked?): %w", err)
	}
	if err != nil {
		return fmt.Errorf("enroll with %s: %w", pkg.ServerURL, err)
	}
	id := state.Identity{DeviceID: resp.DeviceID, ServerURL: pkg.ServerURL, WorkspaceID: pkg.WorkspaceID, Hostname: dev.Hostname,
		Enrolled: time.Now().UTC(), HeartbeatSeconds: resp.HeartbeatSeconds}
	// Trust stays with the package's CA: the server's answer does not
	// get to choose the agent's root.
	if err := state.Save(stateDir, id, key, resp.Certificate, pkg.CACert); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "onboarded: device %s (%s) to %s; state in %s\n", resp.DeviceID, dev.Hostname, pkg.ServerURL, stateDir)
	return nil
}

func readPackage(path string) (agentproto.OnboardingPackage, error) {
	var pkg agentproto.OnboardingPackage
	b, err := os.ReadFile(path)
	if err != nil {
		return pkg, fmt.Errorf("read the onboarding package: %w", err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return pkg, fmt.Errorf("onboarding package %s: %w", path, err)
	}
	switch {
	case pkg.ServerURL == "":
		return pkg, errors.New("the onboarding package has no server URL")
	case pkg.CACert == "":
		return pkg, errors.New("the onboarding package has no CA certificate")
	case pkg.Token == "":
		return pkg, errors.New("the onboarding package has no enrollment token")
	case !pkg.Expires.IsZero() && time.Now().After(pkg.Expires):
		return pkg, fmt.Errorf("the onboarding package expired at %s", pkg.Expires.Format(time.RFC3339))
	}
	return pkg, nil
}
