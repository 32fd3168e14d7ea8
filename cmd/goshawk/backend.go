package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
	"github.com/goshawk-sec/goshawk/workspace"
)

// querier runs KQL. timespan is the query API's parameter: an ISO 8601
// duration ending now, or an interval; empty means no restriction.
type querier interface {
	Query(ctx context.Context, text, timespan string) (*result.Set, error)
	Close() error
}

// backend is a workspace as the CLI commands use it: opened from its
// directory (local) or reached through a server (*client.Client). Both
// return the same values for the same workspace, so that each command
// prints the same output either way.
type backend interface {
	querier
	Info(ctx context.Context) (workspace.Info, error)
	SharedKey(ctx context.Context) ([]byte, error)
	CreateToken(ctx context.Context, role auth.Role, name string) (string, auth.Token, error)
	Tokens(ctx context.Context) ([]auth.Token, error)
	RevokeToken(ctx context.Context, idOrName string) (auth.Token, error)
	Tables(ctx context.Context) ([]workspace.TableInfo, error)
	TableInfo(ctx context.Context, name string) (workspace.TableInfo, error)
	CreateTable(ctx context.Context, def workspace.TableDef) (workspace.TableInfo, error)
	SetRetention(ctx context.Context, table string, days int) error
	PutRule(ctx context.Context, r *ingest.Rule) error
	Rule(ctx context.Context, id string) (*ingest.Rule, error)
	Rules(ctx context.Context) ([]*ingest.Rule, error)
	DeleteRule(ctx context.Context, id string) error
}

var _ backend = (*client.Client)(nil)
var _ backend = local{}

// local is a workspace this process has opened.
type local struct {
	*workspace.Workspace
}

// SharedKey returns the Data Collector API key.
func (l local) SharedKey(context.Context) ([]byte, error) { return l.Workspace.SharedKey(), nil }

// Query runs text with the query API's timespan semantics.
func (l local) Query(ctx context.Context, text, timespan string) (*result.Set, error) {
	opts, err := queryOptions(timespan)
	if err != nil {
		return nil, err
	}
	return l.Workspace.Query(ctx, text, opts)
}

// queryOptions turns a timespan into engine options, as the API does.
func queryOptions(timespan string) (query.Options, error) {
	if timespan == "" {
		return query.Options{}, nil
	}
	now := time.Now().UTC()
	win, err := api.ParseTimespan(timespan, now)
	if err != nil {
		return query.Options{}, err
	}
	return query.Options{Now: now, Window: win}, nil
}

// memory is an in-memory workspace with every catalogue table, empty:
// what query runs on without --data or --server.
type memory struct {
	st  *store.Store
	eng *query.Engine
}

func openMemory(ctx context.Context) (*memory, error) {
	cat := schema.Default()
	st, err := store.OpenMemory(ctx, cat)
	if err != nil {
		return nil, err
	}
	eng, err := query.New(ctx, st.DB(), cat, query.DefaultConfig())
	if err != nil {
		st.Close()
		return nil, err
	}
	return &memory{st: st, eng: eng}, nil
}

func (m *memory) Query(ctx context.Context, text, timespan string) (*result.Set, error) {
	opts, err := queryOptions(timespan)
	if err != nil {
		return nil, err
	}
	return m.eng.Run(ctx, text, opts)
}

func (m *memory) Close() error { return m.st.Close() }

// target is where a command finds its workspace, from its flags.
type target struct {
	data, server, token, ca string
}

// targetFlags declares --data, --server, --token and --ca on fs.
func targetFlags(fs *flag.FlagSet) *target {
	t := &target{}
	fs.StringVar(&t.data, "data", "", "open the workspace in `DIR` directly (no server may hold it)")
	fs.StringVar(&t.server, "server", "", "`URL` of a goshawk server, such as https://127.0.0.1:8443")
	fs.StringVar(&t.token, "token", "", "bearer `token` for --server (default $GOSHAWK_TOKEN)")
	fs.StringVar(&t.ca, "ca", "", "PEM `file` of the CA that signed the server's certificate, such as DIR/ca.crt (default $GOSHAWK_CA)")
	return t
}

// given reports whether the flags name a workspace.
func (t *target) given() bool { return t.data != "" || t.server != "" }

// open opens the workspace the flags name. command names this process in
// the workspace's lock file. A workspace directory a server holds gives a
// *workspace.HeldError, which says to use --server instead.
func (c *cli) open(ctx context.Context, t *target, command string) (backend, error) {
	switch {
	case t.data != "" && t.server != "":
		return nil, fmt.Errorf("%w: give --data DIR or --server URL, not both", errUsage)
	case t.data != "":
		if t.token != "" || t.ca != "" {
			return nil, fmt.Errorf("%w: --token and --ca go with --server, not --data", errUsage)
		}
		cfg := workspace.DefaultConfig()
		cfg.Command = command
		// The transformer lets collection rules' transformKql be checked
		// here as the server checks it.
		tr, err := newTransformer(ctx)
		if err != nil {
			return nil, err
		}
		cfg.Transformer = tr
		ws, err := workspace.Open(ctx, t.data, cfg)
		if err != nil {
			return nil, err
		}
		return local{ws}, nil
	case t.server != "":
		token := t.token
		if token == "" {
			token = c.getenv("GOSHAWK_TOKEN")
		}
		if token == "" {
			return nil, fmt.Errorf("%w: --server needs --token T or $GOSHAWK_TOKEN", errUsage)
		}
		ca := t.ca
		if ca == "" {
			ca = c.getenv("GOSHAWK_CA")
		}
		cl, err := client.New(t.server, token, client.Options{CAFile: ca})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		return cl, nil
	}
	return nil, fmt.Errorf("%w: give the workspace: --data DIR, or --server URL with --token T", errUsage)
}
