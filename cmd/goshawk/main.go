// Command goshawk is the Goshawk server and its command-line interface.
//
// Every command that reads or changes a workspace takes either --data DIR,
// to open the workspace directory itself (no server may hold it), or
// --server URL --token T (or $GOSHAWK_TOKEN), to ask a running server;
// --ca FILE (or $GOSHAWK_CA) trusts the CA that signed the server's
// certificate, such as DIR/ca.crt. Both ways print the same output.
//
//	goshawk server --data DIR [--listen HOST:PORT] [--insecure-http]
//	goshawk workspace show|keys WORKSPACE
//	goshawk token create --role ROLE [--name N] WORKSPACE
//	goshawk token list WORKSPACE
//	goshawk token revoke ID|NAME WORKSPACE
//	goshawk table list WORKSPACE
//	goshawk table show NAME WORKSPACE
//	goshawk table create NAME --column NAME:TYPE... [--retention DAYS] WORKSPACE
//	goshawk table create --file DEF.json WORKSPACE
//	goshawk table retention NAME --days N WORKSPACE
//	goshawk dcr put --file RULE.json [--id ID] WORKSPACE
//	goshawk dcr list|show ID|delete ID WORKSPACE
//	goshawk query [WORKSPACE] [--timespan T] [--format table|json|csv] QUERY
//	goshawk query [WORKSPACE] [--timespan T] --batch FILE
//	goshawk kql check --batch FILE | QUERY
//	goshawk sample-data --data DIR [--rows N]
//	goshawk onboarding create --out FILE [--server-url URL] [--expires 7d] [--uses N] WORKSPACE
//	goshawk onboarding list|revoke ID WORKSPACE
//	goshawk device list [--name N] [--health H] [--os OS] WORKSPACE
//	goshawk device show|timeline|offboard DEVICE WORKSPACE
//	goshawk action isolate|release|collect|kill|quarantine|scan DEVICE [...] WORKSPACE
//	goshawk action show ID|list DEVICE|package ID --out FILE WORKSPACE
//	goshawk indicator add|list|delete WORKSPACE
//	goshawk connectors list|show ID|enable ID|disable ID [--data-type T]... WORKSPACE
//	goshawk content list|show NAME|install NAME|uninstall NAME WORKSPACE
//	goshawk hunting list|show ID WORKSPACE
//	goshawk incidents list [--status S]... [--severity S]... [--owner O] [--since D] WORKSPACE
//	goshawk incidents show N|alerts N|comment N TEXT WORKSPACE
//	goshawk incidents update N [--status S] [--severity S] [--owner O] [--classification C [--reason R] [--comment T]] [--add-label L] WORKSPACE
//	goshawk doctor WORKSPACE
//	goshawk rules import [--format json] PATH... | export ID | list | show ID | enable ID | disable ID | delete ID WORKSPACE
//	goshawk rules test ID --from T1 [--to T2] WORKSPACE
//	goshawk quickstart [--data DIR] [--listen HOST:PORT] [--agent PATH]
//
// where WORKSPACE is --data DIR or --server URL [--token T] [--ca FILE].
// Without either, query runs on an empty in-memory workspace.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// cli is where commands write and how they read their environment, so
// that tests can run them in-process.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand of the CLI.
type command struct {
	summary string
	run     func(c *cli, ctx context.Context, args []string) error
}

var commands = map[string]command{
	"query":       {"run a KQL query on a workspace", (*cli).query},
	"kql":         {"check KQL without running it (kql check --batch FILE)", (*cli).kql},
	"sample-data": {"fill a workspace with realistic synthetic data", (*cli).sampleData},
	"server":      {"serve a workspace over HTTPS", func(_ *cli, ctx context.Context, args []string) error { return runServer(ctx, args) }},
	"workspace":   {"show a workspace's GUID and tables, or its shared key (show, keys)", (*cli).workspace},
	"token":       {"manage API tokens (create, list, revoke)", (*cli).token},
	"table":       {"manage tables and retention (list, show, create, retention)", (*cli).table},
	"dcr":         {"manage data collection rules (put, list, show, delete)", (*cli).dcr},
	"onboarding":  {"issue and revoke onboarding packages for agents (create, list, revoke)", (*cli).onboarding},
	"device":      {"list devices, show one, its timeline, offboard it (list, show, timeline, offboard)", (*cli).device},
	"action":      {"run response actions on devices (isolate, release, kill, quarantine, collect, scan, show, list, package)", (*cli).action},
	"indicator":   {"manage custom indicators (add, list, delete)", (*cli).indicator},
	"connectors":  {"list, show, enable and disable data connectors", (*cli).connectors},
	"content":     {"list, install and uninstall solutions (content install endpoint)", (*cli).content},
	"hunting":     {"list and show saved hunting queries", (*cli).hunting},
	"incidents":   {"list, show and triage incidents (list, show, update, comment, alerts)", (*cli).incidents},
	"doctor":      {"check every enabled connector and say what to fix", (*cli).doctor},
	"rules":       {"import, export, list, enable, disable and backtest analytics rules", (*cli).rules},
	"quickstart":  {"run Goshawk here with the endpoint solution, this machine's sensor (as root) and a test alert", (*cli).quickstart},
	"version":     {"print the version", (*cli).printVersion},
}

func (c *cli) printVersion(context.Context, []string) error {
	_, err := fmt.Fprintln(c.stdout, "goshawk "+version)
	return err
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// errUsage marks an error that is about how the command was called.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: goshawk COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, `
Commands on a workspace take --data DIR (open the directory; no server may
hold it) or --server URL with --token T or $GOSHAWK_TOKEN, and --ca FILE or
$GOSHAWK_CA to trust a private CA such as DIR/ca.crt. Run a command with -h
for its flags.`)
}

func main() {
	c := &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		if os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
			usage(os.Stdout)
			return
		}
		fmt.Fprintf(os.Stderr, "goshawk: unknown command %q\n", os.Args[1])
		usage(os.Stderr)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(c, ctx, os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		if errors.Is(err, errUnhealthy) {
			os.Exit(1) // the report said why
		}
		fmt.Fprintln(os.Stderr, "goshawk "+os.Args[1]+": "+err.Error())
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// subcommand is one verb of a command group such as "token create".
type subcommand struct {
	usage string
	run   func(c *cli, ctx context.Context, args []string) error
}

// dispatch runs the verb args[0] of group.
func (c *cli) dispatch(ctx context.Context, group string, subs map[string]subcommand, args []string) error {
	if len(args) > 0 {
		if sub, ok := subs[args[0]]; ok {
			return sub.run(c, ctx, args[1:])
		}
	}
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	msg := "goshawk " + group + " VERB, where VERB is one of:"
	for _, n := range names {
		msg += "\n  goshawk " + group + " " + subs[n].usage
	}
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
		return fmt.Errorf("%w: unknown verb %q\n%s", errUsage, args[0], msg)
	}
	if len(args) > 0 {
		fmt.Fprintln(c.stdout, msg)
		return nil
	}
	return fmt.Errorf("%w: %s", errUsage, msg)
}

// newFlags returns a flag set for a command whose one-line synopsis is
// synopsis.
func (c *cli) newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: goshawk "+synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, which may mix flags and positional arguments
// ("table show X --data D"), and returns the positional ones. Everything
// after "--" is positional.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(pos []string, n int, synopsis string) error {
	if len(pos) != n {
		return fmt.Errorf("%w: goshawk %s", errUsage, synopsis)
	}
	return nil
}
