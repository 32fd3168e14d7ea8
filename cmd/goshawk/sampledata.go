package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"time"

	"github.com/goshawk-sec/goshawk/sampledata"
	"github.com/goshawk-sec/goshawk/workspace"
)

// sampleData fills the workspace in --data with synthetic data:
//
//	goshawk sample-data --data DIR [--rows N] [--seed N] [--days N] [--now RFC3339] [-v]
//
// It writes the workspace's tables directly, so it has no --server mode.
func (c *cli) sampleData(ctx context.Context, args []string) error {
	fs := c.newFlags("sample-data", "sample-data --data DIR [--rows N] [--seed N] [--days N] [--now TIME] [-v]")
	dir := fs.String("data", "", "workspace directory (required)")
	rows := fs.Int("rows", 10000, "rows of DeviceProcessEvents, the biggest table; the others are sized from it")
	seed := fs.Int64("seed", 1, "random seed: the same seed and --now give the same data")
	days := fs.Int("days", 14, "days of data, ending now")
	now := fs.String("now", "", "end of the generated window (RFC 3339; default: the current time)")
	verbose := fs.Bool("v", false, "print the rows written to each table")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: --data DIR is required and no arguments are taken", errUsage)
	}
	if *rows <= 0 || *days <= 0 {
		return fmt.Errorf("%w: --rows and --days must be positive", errUsage)
	}
	opts := sampledata.Options{Rows: *rows, Seed: *seed, Days: *days}
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return fmt.Errorf("%w: --now: %v", errUsage, err)
		}
		opts.Now = t
	}
	// Generation allocates many short-lived values while DuckDB holds the
	// data outside the Go heap: collecting less often saves a quarter of
	// the run time.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	cfg := workspace.DefaultConfig()
	cfg.Command = "sample-data"
	ws, err := workspace.Open(ctx, *dir, cfg)
	var held *workspace.HeldError
	if errors.As(err, &held) {
		by := "another process"
		if held.Holder.URL != "" {
			by = "the goshawk server at " + held.Holder.URL
		} else if held.Holder.PID != 0 {
			by = fmt.Sprintf("another goshawk process (pid %d, %q)", held.Holder.PID, held.Holder.Command)
		}
		return fmt.Errorf("workspace %s is open in %s: sample-data writes the workspace's files itself, so stop that process first", *dir, by)
	}
	if err != nil {
		return err
	}
	st := ws.Store()
	path := st.Path()
	var existing int64
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM "DeviceProcessEvents"`).Scan(&existing); err != nil {
		ws.Close()
		return err
	}
	if existing > 0 {
		ws.Close()
		return fmt.Errorf("the workspace in %s already holds data (%d DeviceProcessEvents rows): give an empty --data directory", *dir, existing)
	}
	stats, err := sampledata.Generate(ctx, st, opts)
	if cerr := ws.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if *verbose {
		names := make([]string, 0, len(stats.Tables))
		for n := range stats.Tables {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(c.stdout, "%-42s %10d\n", n, stats.Tables[n])
		}
	}
	size := int64(0)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(c.stdout, "wrote %d rows to %d tables in %s (%.0f rows/s); %s is %.1f MiB\n",
		stats.Rows, len(stats.Tables), stats.Elapsed.Round(time.Millisecond), stats.RowsPerSecond(), path, float64(size)/(1<<20))
	return nil
}
