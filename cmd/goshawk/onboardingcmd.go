package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/edr"
)

// edrBackend is the EDR backend as the CLI uses it: the workspace's
// edr.Service (local) or a server's API (*client.Client).
type edrBackend interface {
	CreateOnboarding(ctx context.Context, req edr.OnboardingRequest) (agentproto.OnboardingPackage, error)
	Devices(ctx context.Context, f edr.DeviceFilter) ([]edr.Device, error)
	Device(ctx context.Context, idOrName string) (edr.Device, error)
	Timeline(ctx context.Context, idOrName string, q edr.TimelineQuery) (edr.Timeline, error)
	CreateAction(ctx context.Context, idOrName string, req edr.ActionRequest) (edr.Action, error)
	Action(ctx context.Context, id string) (edr.Action, error)
	Actions(ctx context.Context, idOrName string) ([]edr.Action, error)
	DownloadPackage(ctx context.Context, id string, w io.Writer) error
	Indicators(ctx context.Context) ([]agentproto.Indicator, error)
	CreateIndicator(ctx context.Context, in agentproto.Indicator) (agentproto.Indicator, error)
	DeleteIndicator(ctx context.Context, id string) error
	Offboard(ctx context.Context, idOrName string) error
	EnrollmentTokens(ctx context.Context) ([]edr.EnrollmentToken, error)
	RevokeEnrollmentToken(ctx context.Context, id string) error
}

var _ edrBackend = (*client.Client)(nil)
var _ edrBackend = localEDR{}

// localEDR is the EDR backend of a workspace this process opened. It
// signs nothing: enrollment needs the server.
type localEDR struct {
	svc *edr.Service
	by  string
}

func (l localEDR) CreateOnboarding(ctx context.Context, req edr.OnboardingRequest) (agentproto.OnboardingPackage, error) {
	return l.svc.CreateOnboarding(ctx, req, l.by)
}
func (l localEDR) Devices(ctx context.Context, f edr.DeviceFilter) ([]edr.Device, error) {
	return l.svc.Devices(ctx, f)
}
func (l localEDR) Device(ctx context.Context, id string) (edr.Device, error) {
	return l.svc.Device(ctx, id)
}
func (l localEDR) Timeline(ctx context.Context, id string, q edr.TimelineQuery) (edr.Timeline, error) {
	return l.svc.Timeline(ctx, id, q)
}
func (l localEDR) CreateAction(ctx context.Context, id string, req edr.ActionRequest) (edr.Action, error) {
	return l.svc.CreateAction(ctx, id, req, l.by)
}
func (l localEDR) Action(ctx context.Context, id string) (edr.Action, error) {
	return l.svc.Action(ctx, id)
}
func (l localEDR) Actions(ctx context.Context, id string) ([]edr.Action, error) {
	return l.svc.Actions(ctx, id)
}
func (l localEDR) DownloadPackage(ctx context.Context, id string, w io.Writer) error {
	f, err := l.svc.Package(ctx, id, l.by)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
func (l localEDR) Indicators(ctx context.Context) ([]agentproto.Indicator, error) {
	return l.svc.Indicators(ctx), nil
}
func (l localEDR) CreateIndicator(ctx context.Context, in agentproto.Indicator) (agentproto.Indicator, error) {
	return l.svc.CreateIndicator(ctx, in, l.by)
}
func (l localEDR) DeleteIndicator(ctx context.Context, id string) error {
	return l.svc.DeleteIndicator(ctx, id, l.by)
}

func (l localEDR) Offboard(ctx context.Context, idOrName string) error {
	d, err := l.svc.Device(ctx, idOrName)
	if err != nil {
		return err
	}
	return l.svc.Offboard(ctx, d.ID, l.by)
}

func (l localEDR) EnrollmentTokens(ctx context.Context) ([]edr.EnrollmentToken, error) {
	return l.svc.EnrollmentTokens(ctx)
}
func (l localEDR) RevokeEnrollmentToken(ctx context.Context, id string) error {
	return l.svc.RevokeEnrollmentToken(ctx, id, l.by)
}

// withEDR opens the workspace t names and runs f on its EDR backend.
func (c *cli) withEDR(ctx context.Context, t *target, command string, f func(b edrBackend) error) error {
	return c.withBackend(ctx, t, command, func(b backend) error {
		switch b := b.(type) {
		case *client.Client:
			return f(b)
		case local:
			svc, err := edr.New(ctx, b.Workspace, nil, edr.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				return err
			}
			by := "cli"
			if u := c.getenv("USER"); u != "" {
				by = "cli/" + u
			}
			return f(localEDR{svc: svc, by: by})
		}
		return fmt.Errorf("unexpected backend %T", b)
	})
}

var onboardingVerbs = map[string]subcommand{
	"create": {"create --out FILE [--server-url URL] [--expires 7d] [--uses N] WORKSPACE", (*cli).onboardingCreate},
	"list":   {"list WORKSPACE", (*cli).onboardingList},
	"revoke": {"revoke ID WORKSPACE", (*cli).onboardingRevoke},
}

// onboardingList lists the enrollment tokens of the packages issued.
func (c *cli) onboardingList(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "onboarding list", "onboarding list WORKSPACE", 0, func(b edrBackend, pos []string) error {
		toks, err := b.EnrollmentTokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tBY\tEXPIRES\tUSES LEFT\tSTATE")
		now := time.Now()
		for _, tok := range toks {
			uses, state := "unlimited", "active"
			if tok.UsesLeft != nil {
				uses = strconv.Itoa(*tok.UsesLeft)
			}
			switch {
			case tok.Revoked != nil:
				state = "revoked"
			case !now.Before(tok.Expires):
				state = "expired"
			case tok.UsesLeft != nil && *tok.UsesLeft <= 0:
				state = "used up"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", tok.ID, tok.Created.Format(time.RFC3339), tok.CreatedBy, tok.Expires.Format(time.RFC3339), uses, state)
		}
		return tw.Flush()
	})
}

// onboardingRevoke stops a package enrolling devices.
func (c *cli) onboardingRevoke(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "onboarding revoke", "onboarding revoke ID WORKSPACE", 1, func(b edrBackend, pos []string) error {
		if err := b.RevokeEnrollmentToken(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "revoked enrollment token %s\n", pos[0])
		return nil
	})
}

// onboarding issues onboarding packages for agents.
func (c *cli) onboarding(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "onboarding", onboardingVerbs, args)
}

// parseDays reads a duration that may be given in days ("7d").
func parseDays(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration (7d, 12h)", s)
	}
	return d, nil
}

func (c *cli) onboardingCreate(ctx context.Context, args []string) error {
	const synopsis = "onboarding create --out FILE [--server-url URL] [--expires 7d] [--uses N] WORKSPACE"
	fs := c.newFlags("onboarding create", synopsis)
	t := targetFlags(fs)
	out := fs.String("out", "", "`file` to write the onboarding package to (required; mode 0600: it holds a secret)")
	serverURL := fs.String("server-url", "", "`URL` agents connect to (default: the server's)")
	expires := fs.String("expires", "7d", "how long the package enrolls devices (7d, 12h)")
	uses := fs.Int("uses", 0, "how many devices the package may enroll (0: no limit)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out FILE is required: goshawk %s", errUsage, synopsis)
	}
	exp, err := parseDays(*expires)
	if err != nil {
		return fmt.Errorf("%w: --expires: %v", errUsage, err)
	}
	if *uses < 0 {
		return fmt.Errorf("%w: --uses must not be negative", errUsage)
	}
	return c.withEDR(ctx, t, "onboarding create", func(b edrBackend) error {
		pkg, err := b.CreateOnboarding(ctx, edr.OnboardingRequest{ServerURL: *serverURL, ExpiresInSeconds: int64(exp / time.Second), Uses: *uses})
		if err != nil {
			return err
		}
		data, _ := json.MarshalIndent(pkg, "", "  ")
		if err := writeSecretFile(*out, append(data, '\n')); err != nil {
			return err
		}
		limit := "any number of devices"
		if *uses > 0 {
			limit = fmt.Sprintf("%d device(s)", *uses)
		}
		fmt.Fprintf(c.stdout, "wrote onboarding package %s for %s: enrolls %s until %s (revoke: goshawk onboarding revoke %s)\n", *out, pkg.ServerURL, limit, pkg.Expires.UTC().Format(time.RFC3339), pkg.TokenID)
		return nil
	})
}

// writeSecretFile writes data to path with mode 0600, atomically.
func writeSecretFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".onboarding-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
