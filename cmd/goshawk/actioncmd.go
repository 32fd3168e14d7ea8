package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/edr"
)

var actionVerbs = map[string]subcommand{
	"isolate":    {"isolate DEVICE [--comment C] WORKSPACE", actionVerb(agentproto.CommandIsolate, 0)},
	"release":    {"release DEVICE [--comment C] WORKSPACE", actionVerb(agentproto.CommandRelease, 0)},
	"collect":    {"collect DEVICE [--comment C] WORKSPACE", actionVerb(agentproto.CommandCollect, 0)},
	"kill":       {"kill DEVICE PID [--sha256 H] [--comment C] WORKSPACE", actionVerb(agentproto.CommandKillProcess, 1)},
	"quarantine": {"quarantine DEVICE PATH|--sha256 H [--comment C] WORKSPACE", actionVerb(agentproto.CommandQuarantineFile, -1)},
	"restore":    {"restore DEVICE QUARANTINE-ID [--comment C] WORKSPACE", actionVerb(agentproto.CommandRestoreFile, 1)},
	"scan":       {"scan DEVICE [PATH[:PATH…]] [--comment C] WORKSPACE (no path: full scan)", actionVerb(agentproto.CommandScan, -1)},
	"show":       {"show ID WORKSPACE", (*cli).actionShow},
	"list":       {"list DEVICE WORKSPACE", (*cli).actionList},
	"package":    {"package ID --out FILE WORKSPACE", (*cli).actionPackage},
}

// action runs response actions on devices.
func (c *cli) action(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "action", actionVerbs, args)
}

// actionVerb makes the command for an action type taking nargs
// positional arguments after the device (-1: zero or one).
func actionVerb(typ string, nargs int) func(c *cli, ctx context.Context, args []string) error {
	return func(c *cli, ctx context.Context, args []string) error {
		synopsis := "action " + actionVerbName(typ) + " DEVICE … WORKSPACE"
		fs := c.newFlags("action "+actionVerbName(typ), synopsis)
		t := targetFlags(fs)
		comment := fs.String("comment", "", "why (recorded in the audit trail)")
		sha := fs.String("sha256", "", "SHA-256 of the file or process image")
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(pos) < 1 || (nargs >= 0 && len(pos) != 1+nargs) || (nargs < 0 && len(pos) > 2) {
			return fmt.Errorf("%w: goshawk %s", errUsage, synopsis)
		}
		req := edr.ActionRequest{Type: typ, Comment: *comment, Params: map[string]string{}}
		switch typ {
		case agentproto.CommandKillProcess:
			if _, err := strconv.Atoi(pos[1]); err != nil {
				return fmt.Errorf("%w: PID %q is not a number", errUsage, pos[1])
			}
			req.Params["pid"] = pos[1]
		case agentproto.CommandQuarantineFile:
			if len(pos) == 2 {
				req.Params["path"] = pos[1]
			}
		case agentproto.CommandRestoreFile:
			req.Params["quarantineId"] = pos[1]
		case agentproto.CommandScan:
			if len(pos) == 2 {
				req.Params["paths"] = pos[1]
			} else {
				req.Params["full"] = "true"
			}
		}
		if *sha != "" {
			req.Params["sha256"] = *sha
		}
		return c.withEDR(ctx, t, "action", func(b edrBackend) error {
			a, err := b.CreateAction(ctx, pos[0], req)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s\n", a.ID)
			fmt.Fprintf(c.stderr, "queued %s on device %s (action %s); follow it with: goshawk action show %s\n", a.Type, a.DeviceID, a.ID, a.ID)
			return nil
		})
	}
}

func actionVerbName(typ string) string {
	for name, v := range map[string]string{"isolate": agentproto.CommandIsolate, "release": agentproto.CommandRelease, "collect": agentproto.CommandCollect,
		"kill": agentproto.CommandKillProcess, "quarantine": agentproto.CommandQuarantineFile, "restore": agentproto.CommandRestoreFile, "scan": agentproto.CommandScan} {
		if v == typ {
			return name
		}
	}
	return typ
}

func (c *cli) actionShow(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "action show", "action show ID WORKSPACE", 1, func(b edrBackend, pos []string) error {
		a, err := b.Action(ctx, pos[0])
		if err != nil {
			return err
		}
		data, _ := json.MarshalIndent(a, "", "  ")
		fmt.Fprintln(c.stdout, string(data))
		return nil
	})
}

func (c *cli) actionList(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "action list", "action list DEVICE WORKSPACE", 1, func(b edrBackend, pos []string) error {
		as, err := b.Actions(ctx, pos[0])
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTYPE\tSTATUS\tREQUESTED\tBY")
		for _, a := range as {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.Type, a.Status, a.Requested.UTC().Format(time.RFC3339), a.RequestedBy)
		}
		return tw.Flush()
	})
}

func (c *cli) actionPackage(ctx context.Context, args []string) error {
	const synopsis = "action package ID --out FILE WORKSPACE"
	fs := c.newFlags("action package", synopsis)
	t := targetFlags(fs)
	out := fs.String("out", "", "`file` to write the investigation package to")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, synopsis); err != nil || *out == "" {
		return fmt.Errorf("%w: goshawk %s", errUsage, synopsis)
	}
	return c.withEDR(ctx, t, "action package", func(b edrBackend) error {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if err := b.DownloadPackage(ctx, pos[0], f); err != nil {
			f.Close()
			os.Remove(*out)
			return err
		}
		return f.Close()
	})
}
