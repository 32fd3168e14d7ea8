package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/workspace"
)

func runToken(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: goshawk token create --data DIR --role ROLE [--name N]", errUsage)
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	dir := fs.String("data", "", "workspace directory")
	role := fs.String("role", "", "reader, ingestor, responder, contributor or owner")
	name := fs.String("name", "", "a name for the token")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg := workspace.DefaultConfig()
	cfg.Command = "token create"
	ws, err := workspace.Open(ctx, *dir, cfg)
	if err != nil {
		return err
	}
	defer ws.Close()
	secret, _, err := ws.CreateToken(ctx, r, *name)
	if err != nil {
		return err
	}
	fmt.Println(secret)
	return nil
}
