package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/auth"
)

var tokenVerbs = map[string]subcommand{
	"create": {"create --role reader|ingestor|responder|contributor|owner [--name N] WORKSPACE", (*cli).tokenCreate},
	"list":   {"list WORKSPACE", (*cli).tokenList},
	"revoke": {"revoke ID|NAME WORKSPACE", (*cli).tokenRevoke},
}

// token manages API tokens (owners only through a server).
func (c *cli) token(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "token", tokenVerbs, args)
}

// withBackend opens the workspace t names, runs f on it and closes it.
// positional runs a command that takes only the workspace flags and n
// positional arguments, on the backend those flags select.
func (c *cli) positional(ctx context.Context, args []string, name, synopsis string, n int, f func(b backend, pos []string) error) error {
	t, pos, err := c.parsePositional(args, name, synopsis, n)
	if err != nil {
		return err
	}
	return c.withBackend(ctx, t, name, func(b backend) error { return f(b, pos) })
}

// positionalEDR is positional for the EDR commands.
func (c *cli) positionalEDR(ctx context.Context, args []string, name, synopsis string, n int, f func(b edrBackend, pos []string) error) error {
	t, pos, err := c.parsePositional(args, name, synopsis, n)
	if err != nil {
		return err
	}
	return c.withEDR(ctx, t, name, func(b edrBackend) error { return f(b, pos) })
}

// parsePositional parses the workspace flags and exactly n positional
// arguments.
func (c *cli) parsePositional(args []string, name, synopsis string, n int) (*target, []string, error) {
	fs := c.newFlags(name, synopsis)
	t := targetFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if err := wantArgs(pos, n, synopsis); err != nil {
		return nil, nil, err
	}
	return t, pos, nil
}

func (c *cli) withBackend(ctx context.Context, t *target, command string, f func(b backend) error) error {
	b, err := c.open(ctx, t, command)
	if err != nil {
		return err
	}
	err = f(b)
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	return err
}

// tokenCreate prints the new token's secret alone on stdout, so that a
// script can capture it; the details go to stderr.
func (c *cli) tokenCreate(ctx context.Context, args []string) error {
	const synopsis = "token create --role ROLE [--name N] WORKSPACE"
	fs := c.newFlags("token create", synopsis)
	t := targetFlags(fs)
	role := fs.String("role", "", "reader, ingestor, responder, contributor or owner")
	name := fs.String("name", "", "a name for the token (default ROLE-ID)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("%w: --role: %v", errUsage, err)
	}
	return c.withBackend(ctx, t, "token create", func(b backend) error {
		secret, tok, err := b.CreateToken(ctx, r, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, secret)
		fmt.Fprintf(c.stderr, "created token %q (id %s, role %s); the secret above is shown only once\n", tok.Name, tok.ID, tok.Role)
		return nil
	})
}

func (c *cli) tokenList(ctx context.Context, args []string) error {
	return c.positional(ctx, args, "token list", "token list WORKSPACE", 0, func(b backend, pos []string) error {
		toks, err := b.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED")
		for _, tok := range toks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", tok.ID, tok.Name, tok.Role, tok.Created.UTC().Format(time.RFC3339))
		}
		return tw.Flush()
	})
}

func (c *cli) tokenRevoke(ctx context.Context, args []string) error {
	return c.positional(ctx, args, "token revoke", "token revoke ID|NAME WORKSPACE", 1, func(b backend, pos []string) error {
		tok, err := b.RevokeToken(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "revoked token %q (id %s, role %s)\n", tok.Name, tok.ID, tok.Role)
		return nil
	})
}
