package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/goshawk-sec/goshawk/ingest"
)

var dcrVerbs = map[string]subcommand{
	"put":    {"put --file RULE.json [--id ID] WORKSPACE", (*cli).dcrPut},
	"list":   {"list WORKSPACE", (*cli).dcrList},
	"show":   {"show ID WORKSPACE", (*cli).dcrShow},
	"delete": {"delete ID WORKSPACE", (*cli).dcrDelete},
}

// dcr manages data collection rules, which route Logs Ingestion API
// streams to tables.
func (c *cli) dcr(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "dcr", dcrVerbs, args)
}

// routes lists where each stream of r goes: "Custom-X -> Table".
func routes(r *ingest.Rule) []string {
	var out []string
	for _, s := range r.Streams() {
		for _, f := range r.DataFlows {
			for _, fs := range f.Streams {
				if fs != s {
					continue
				}
				line := s + " -> " + f.TableOf(s)
				if f.TransformKql != "" {
					line += " (transformed)"
				}
				out = append(out, line)
			}
		}
	}
	return out
}

// dcrPut creates or replaces a rule from a file holding an Azure DCR's
// properties or the whole ARM resource.
func (c *cli) dcrPut(ctx context.Context, args []string) error {
	const synopsis = "dcr put --file RULE.json [--id ID] WORKSPACE"
	fs := c.newFlags("dcr put", synopsis)
	t := targetFlags(fs)
	file := fs.String("file", "", "the rule as JSON: a data collection rule's properties or its ARM resource (`file`, '-' for stdin)")
	id := fs.String("id", "", "the rule's `id` (dcr-…), when the file has no immutableId")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("%w: --file is required: goshawk %s", errUsage, synopsis)
	}
	var data []byte
	if *file == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(*file)
	}
	if err != nil {
		return err
	}
	rule, err := ingest.ParseRule(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	switch {
	case *id != "" && rule.ID != "" && *id != rule.ID:
		return fmt.Errorf("%w: --id %s differs from the file's immutableId %s", errUsage, *id, rule.ID)
	case *id != "":
		rule.ID = *id
	case rule.ID == "":
		return fmt.Errorf("%w: %s has no immutableId: give --id dcr-…", errUsage, *file)
	}
	return c.withBackend(ctx, t, "dcr put", func(b backend) error {
		if err := b.PutRule(ctx, rule); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "saved data collection rule %s\n", rule.ID)
		for _, r := range routes(rule) {
			fmt.Fprintln(c.stdout, "  "+r)
		}
		return nil
	})
}

func (c *cli) dcrList(ctx context.Context, args []string) error {
	return c.positional(ctx, args, "dcr list", "dcr list WORKSPACE", 0, func(b backend, pos []string) error {
		rules, err := b.Rules(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROUTES")
		for _, r := range rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Name, strings.Join(routes(r), ", "))
		}
		return tw.Flush()
	})
}

// dcrShow prints a rule as JSON, in the shape dcr put reads.
func (c *cli) dcrShow(ctx context.Context, args []string) error {
	return c.positional(ctx, args, "dcr show", "dcr show ID WORKSPACE", 1, func(b backend, pos []string) error {
		r, err := b.Rule(ctx, pos[0])
		if err != nil {
			return err
		}
		out, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(c.stdout, string(out))
		return err
	})
}

func (c *cli) dcrDelete(ctx context.Context, args []string) error {
	return c.positional(ctx, args, "dcr delete", "dcr delete ID WORKSPACE", 1, func(b backend, pos []string) error {
		if err := b.DeleteRule(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted data collection rule %s\n", pos[0])
		return nil
	})
}
