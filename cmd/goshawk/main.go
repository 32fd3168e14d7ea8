// Command goshawk is the Goshawk server and its command-line interface.
//
//	goshawk query [--data DIR] [--format table|json|csv] QUERY
//	goshawk query [--data DIR] --batch FILE
//	goshawk kql check --batch FILE
//	goshawk sample-data --data DIR [--rows N]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of the CLI.
type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{
	"query":       {"run a KQL query on a workspace", runQuery},
	"kql":         {"check KQL without running it (kql check --batch FILE)", runKQL},
	"sample-data": {"fill a workspace with realistic synthetic data", runSampleData},
	"server":      {"serve a workspace over HTTPS", runServer},
	"token":       {"manage API tokens", runToken},
	"version":     {"print the version", func(context.Context, []string) error { fmt.Println("goshawk " + version); return nil }},
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// errUsage marks an error that is about how the command was called.
var errUsage = errors.New("usage")

func usage() {
	fmt.Fprintln(os.Stderr, "usage: goshawk COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", n, commands[n].summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		if os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
			usage()
			return
		}
		fmt.Fprintf(os.Stderr, "goshawk: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "goshawk "+os.Args[1]+": "+err.Error())
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
