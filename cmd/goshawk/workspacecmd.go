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
	return c.positional(ctx, args, "workspace show", "workspace show WORKSPACE", 0, func(b backend, pos []string) error {
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
	return c.positional(ctx, args, "workspace keys", "workspace keys WORKSPACE", 0, func(b backend, pos []string) error {
		key, err := b.SharedKey(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, base64.StdEncoding.EncodeToString(key))
		return nil
	})
}
