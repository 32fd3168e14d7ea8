package main

import (
	"context"
	"encoding/base64"
	"fmt"
)

var workspaceVerbs = map[string]subcommand{
	"show": {"show WORKSPACE", (*cli).workspaceShow},
	"keys": {"keys WORKSPACE", (*cli).workspaceKeys},
}

// workspace describes a workspace.
func (c *cli) workspace(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "workspace", workspaceVerbs, args)
}

// workspaceShow prints the workspace GUID (the {workspaceId} of the query
// API) on a line of its own, "Workspace ID: GUID", and the table counts.
func (c *cli) workspaceShow(ctx context.Context, args []string) error {
	const synopsis = "workspace show WORKSPACE"
	fs := c.newFlags("workspace show", synopsis)
	t := targetFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	return c.withBackend(ctx, t, "workspace show", func(b backend) error {
		info, err := b.Info(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Workspace ID: %s\n", info.ID)
		fmt.Fprintf(c.stdout, "Tables: %d (%d built-in, %d custom)\n", info.Tables, info.Tables-info.CustomTables, info.CustomTables)
		return nil
	})
}

// workspaceKeys prints the primary shared key, which signs HTTP Data
// Collector API requests (owners only through a server).
func (c *cli) workspaceKeys(ctx context.Context, args []string) error {
	const synopsis = "workspace keys WORKSPACE"
	fs := c.newFlags("workspace keys", synopsis)
	t := targetFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	return c.withBackend(ctx, t, "workspace keys", func(b backend) error {
		key, err := b.SharedKey(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, base64.StdEncoding.EncodeToString(key))
		return nil
	})
}
