package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"time"

	"github.com/goshawk-sec/goshawk/sampledata"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// runSampleData fills the workspace in --data with synthetic data:
//
//	goshawk sample-data --data DIR [--rows N] [--seed N] [--days N] [--now RFC3339] [-v]
func runSampleData(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sample-data", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	dir := fs.String("data", "", "workspace directory (required)")
	rows := fs.Int("rows", 10000, "rows of DeviceProcessEvents, the biggest table; the others are sized from it")
	seed := fs.Int64("seed", 1, "random seed: the same seed and --now give the same data")
	days := fs.Int("days", 14, "days of data, ending now")
	now := fs.String("now", "", "end of the generated window (RFC 3339; default: the current time)")
	verbose := fs.Bool("v", false, "print the rows written to each table")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: goshawk sample-data --data DIR [--rows N] [--seed N] [--days N] [--now TIME] [-v]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
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
	st, err := store.Open(ctx, *dir, schema.Default())
	if err != nil {
		return err
	}
	var existing int64
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM "DeviceProcessEvents"`).Scan(&existing); err != nil {
		st.Close()
		return err
	}
	if existing > 0 {
		st.Close()
		return fmt.Errorf("the workspace in %s already holds data (%d DeviceProcessEvents rows): give an empty --data directory", *dir, existing)
	}
	stats, err := sampledata.Generate(ctx, st, opts)
	if cerr := st.Close(); err == nil && cerr != nil {
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
			fmt.Printf("%-42s %10d\n", n, stats.Tables[n])
		}
	}
	size := int64(0)
	if fi, err := os.Stat(st.Path()); err == nil {
		size = fi.Size()
	}
	fmt.Printf("wrote %d rows to %d tables in %s (%.0f rows/s); %s is %.1f MiB\n",
		stats.Rows, len(stats.Tables), stats.Elapsed.Round(time.Millisecond), stats.RowsPerSecond(), st.Path(), float64(size)/(1<<20))
	return nil
}
