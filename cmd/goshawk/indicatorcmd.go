package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

var indicatorVerbs = map[string]subcommand{
	"add":    {"add --type T --value V --title T [--action Alert|Block] [--severity S] [--expires 30d] WORKSPACE", (*cli).indicatorAdd},
	"list":   {"list WORKSPACE", (*cli).indicatorList},
	"delete": {"delete ID WORKSPACE", (*cli).indicatorDelete},
}

// indicator manages custom indicators.
func (c *cli) indicator(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "indicator", indicatorVerbs, args)
}

func (c *cli) indicatorAdd(ctx context.Context, args []string) error {
	const synopsis = "indicator add --type T --value V --title T [--action Alert|Block] [--severity S] [--expires 30d] WORKSPACE"
	fs := c.newFlags("indicator add", synopsis)
	t := targetFlags(fs)
	var in agentproto.Indicator
	fs.StringVar(&in.Type, "type", "", "FileSha256, FileSha1, FileMd5, IpAddress, DomainName or Url")
	fs.StringVar(&in.Value, "value", "", "the indicator's value")
	fs.StringVar(&in.Title, "title", "", "what it is")
	fs.StringVar(&in.Action, "action", "Alert", "Alert or Block")
	fs.StringVar(&in.Severity, "severity", "Medium", "Informational, Low, Medium or High")
	expires := fs.String("expires", "", "how long it stays in force (30d, 12h; default: forever)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	if *expires != "" {
		d, err := parseDays(*expires)
		if err != nil {
			return fmt.Errorf("%w: --expires: %v", errUsage, err)
		}
		in.Expires = time.Now().Add(d).UTC()
	}
	return c.withEDR(ctx, t, "indicator add", func(b edrBackend) error {
		out, err := b.CreateIndicator(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, out.ID)
		return nil
	})
}

func (c *cli) indicatorList(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "indicator list", "indicator list WORKSPACE", 0, func(b edrBackend, pos []string) error {
		ins, err := b.Indicators(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTYPE\tVALUE\tACTION\tSEVERITY\tEXPIRES\tTITLE")
		for _, in := range ins {
			exp := "never"
			if !in.Expires.IsZero() {
				exp = in.Expires.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.ID, in.Type, in.Value, in.Action, in.Severity, exp, in.Title)
		}
		return tw.Flush()
	})
}

func (c *cli) indicatorDelete(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "indicator delete", "indicator delete ID WORKSPACE", 1, func(b edrBackend, pos []string) error {
		if err := b.DeleteIndicator(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted indicator %s\n", pos[0])
		return nil
	})
}
