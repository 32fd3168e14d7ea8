// Command goshawk-agent is the Goshawk endpoint sensor. It is pure Go (no
// cgo) and shares only the wire-contract package (agentproto) with the
// server.
//
//	goshawk-agent onboard  --package FILE --state DIR [--force]
//	goshawk-agent run      --state DIR [--config FILE]
//	goshawk-agent status   --state DIR
//	goshawk-agent offboard --state DIR [--force]
//	goshawk-agent test-alert [--dir DIR]
//	goshawk-agent version
//
// Flags and the configuration file are read here only; the packages take
// Config structs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

var version = "dev"

const usage = `usage:
  goshawk-agent onboard  --package FILE --state DIR [--force]
  goshawk-agent run      --state DIR [--config FILE]
  goshawk-agent status   --state DIR
  goshawk-agent offboard --state DIR [--force]
  goshawk-agent test-alert [--dir DIR]
  goshawk-agent version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runCommand(ctx, os.Args[1], os.Args[2:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "goshawk-agent %s: %v\n", os.Args[1], err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func runCommand(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	switch name {
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "goshawk-agent %s (%s/%s)\n", version, runtime.GOOS, runtime.GOARCH)
		return nil
	case "onboard":
		return cmdOnboard(ctx, args, stdout, stderr)
	case "run":
		return cmdRun(ctx, args, stderr)
	case "status":
		return cmdStatus(args, stdout, stderr)
	case "offboard":
		return cmdOffboard(ctx, args, stdout, stderr)
	case "test-alert":
		return cmdTestAlert(args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", name)}
}

// flags parses a subcommand's flags, requiring --state.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected arguments %q", fs.Args())}
	}
	return nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
