package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/goshawk-sec/goshawk/agent"
	"github.com/goshawk-sec/goshawk/agent/queue"
	"github.com/goshawk-sec/goshawk/agent/state"
)

func cmdStatus(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	dir := fs.String("state", "", "state directory")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"--state is required"}
	}
	creds, err := state.Load(*dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "device:      %s\nhost:        %s\nserver:      %s\nenrolled:    %s\n", creds.DeviceID, creds.Hostname, creds.ServerURL, creds.Enrolled.Format(time.RFC3339))
	if !creds.NotAfter.IsZero() {
		fmt.Fprintf(stdout, "certificate: valid until %s\n", creds.NotAfter.UTC().Format(time.RFC3339))
	}
	if st, err := queue.Inspect(filepath.Join(*dir, state.QueueDir)); err == nil {
		fmt.Fprintf(stdout, "queue:       %d batches, %d bytes, %d events dropped when full, %d corrupt segments skipped\n", st.Batches, st.Bytes, st.Dropped, st.Corrupt)
	} else if !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stdout, "queue:       %v\n", err)
	}
	b, err := os.ReadFile(filepath.Join(*dir, state.HealthFile))
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(stdout, "health:      none yet (the agent has not run)")
		return nil
	}
	var s agent.Status
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		return fmt.Errorf("read the last health: %w", err)
	}
	h := s.Health
	if s.Stopped {
		fmt.Fprintf(stdout, "agent:       stopped at %s; the last health follows\n", s.Written.Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "health:      %s (as of %s)\n", h.SensorHealthState, s.Written.Format(time.RFC3339))
	fmt.Fprintf(stdout, "resources:   %.1f%% CPU, %d MiB resident, %d events sampled\n", h.CPUPercent, h.RSSBytes>>20, h.Sampled)
	fmt.Fprintf(stdout, "isolated:    %v\n", h.Isolated)
	if s.IndicatorsVersion != "" {
		fmt.Fprintf(stdout, "indicators:  version %s\n", s.IndicatorsVersion)
	}
	fmt.Fprintln(stdout, "collectors:")
	if len(h.Collectors) == 0 {
		fmt.Fprintln(stdout, "  none registered")
	}
	for _, c := range h.Collectors {
		if c.Reason != "" {
			fmt.Fprintf(stdout, "  %-10s %s: %s\n", c.Name, c.State, c.Reason)
		} else {
			fmt.Fprintf(stdout, "  %-10s %s\n", c.Name, c.State)
		}
	}
	return nil
}
