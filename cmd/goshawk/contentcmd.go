package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/rules"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/content"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/hunting"
	"github.com/goshawk-sec/goshawk/workspace"
)

// siem is the SIEM's services over one workspace, as the server and the
// CLI's --data mode build them.
type siem struct {
	conns    *connector.Service
	endpoint *connector.Endpoint
	hub      *content.Service
	hunt     *hunting.Store
	rules    *rules.Service
	// incidents is the incidents service the rules feed.
	incidents *incidents.Service
}

// openSIEM builds the connectors (the endpoint connector routing the EDR
// backend's rows), the saved hunting queries and the content hub.
func openSIEM(ctx context.Context, ws *workspace.Workspace, e *edr.Service, log *slog.Logger) (*siem, error) {
	conns, err := connector.New(ctx, ws, log)
	if err != nil {
		return nil, err
	}
	end := conns.Endpoint()
	e.SetConnector(end)
	conns.SetSource(connector.EndpointID, connector.DeviceSource{EDR: e})
	hunt, err := hunting.Open(ctx, ws.Store().DB(), ws.Engine().Catalogue)
	if err != nil {
		return nil, err
	}
	rs, err := rules.OpenStore(ctx, ws.Store().DB())
	if err != nil {
		return nil, err
	}
	hub, err := content.New(ctx, ws.Store().DB(), conns, hunt, rs, log)
	if err != nil {
		return nil, err
	}
	inc, err := incidents.New(ctx, ws, log)
	if err != nil {
		return nil, err
	}
	cfg := rules.DefaultConfig()
	rsvc := &rules.Service{Store: rs, Engine: rules.New(ws, rs, incidents.ForRules{Service: inc}, cfg, log), Importer: &rules.Importer{Store: rs, Hunting: hunt,
		Checker: func() *analytics.Importer {
			return &analytics.Importer{Catalog: query.Catalog{C: ws.Engine().Catalogue()}}
		}}}
	end.OnWrite(rsvc.Engine.Wake)
	return &siem{conns: conns, endpoint: end, hub: hub, hunt: hunt, rules: rsvc, incidents: inc}, nil
}

// contentBackend is the SIEM's services as the CLI uses them: local, or a
// server's API (*client.Client).
type contentBackend interface {
	Connectors(ctx context.Context) ([]connector.Status, error)
	Connector(ctx context.Context, id string) (connector.Status, error)
	SetConnector(ctx context.Context, id string, dataTypes []string, on bool) (connector.Status, error)
	Doctor(ctx context.Context) (connector.Report, error)
	Solutions(ctx context.Context) ([]content.State, error)
	Solution(ctx context.Context, name string) (content.State, error)
	InstallSolution(ctx context.Context, name string, install bool) (content.State, error)
	HuntingQueries(ctx context.Context) ([]hunting.Query, error)
	HuntingQuery(ctx context.Context, id string) (hunting.Query, error)
}

var _ contentBackend = (*client.Client)(nil)
var _ contentBackend = localContent{}

type localContent struct {
	s  *siem
	by string
}

func (l localContent) Connectors(ctx context.Context) ([]connector.Status, error) {
	return l.s.conns.List(ctx)
}
func (l localContent) Connector(ctx context.Context, id string) (connector.Status, error) {
	return l.s.conns.Status(ctx, id)
}
func (l localContent) SetConnector(ctx context.Context, id string, dataTypes []string, on bool) (connector.Status, error) {
	return l.s.conns.SetEnabled(ctx, id, dataTypes, on, l.by)
}
func (l localContent) Doctor(ctx context.Context) (connector.Report, error) {
	return l.s.conns.Doctor(ctx)
}
func (l localContent) Solutions(ctx context.Context) ([]content.State, error) {
	return l.s.hub.List(ctx)
}
func (l localContent) Solution(ctx context.Context, name string) (content.State, error) {
	return l.s.hub.Get(ctx, name)
}
func (l localContent) InstallSolution(ctx context.Context, name string, install bool) (content.State, error) {
	if install {
		return l.s.hub.Install(ctx, name, l.by)
	}
	return l.s.hub.Uninstall(ctx, name, l.by)
}
func (l localContent) HuntingQueries(ctx context.Context) ([]hunting.Query, error) {
	return l.s.hunt.List(ctx)
}
func (l localContent) HuntingQuery(ctx context.Context, id string) (hunting.Query, error) {
	return l.s.hunt.Get(ctx, id)
}

// withContent opens the workspace t names and runs f on its SIEM
// services.
func (c *cli) withContent(ctx context.Context, t *target, command string, f func(b contentBackend) error) error {
	return c.withBackend(ctx, t, command, func(b backend) error {
		switch b := b.(type) {
		case *client.Client:
			return f(b)
		case local:
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			e, err := edr.New(ctx, b.Workspace, nil, edr.DefaultConfig(), log)
			if err != nil {
				return err
			}
			s, err := openSIEM(ctx, b.Workspace, e, log)
			if err != nil {
				return err
			}
			by := "cli"
			if u := c.getenv("USER"); u != "" {
				by = "cli/" + u
			}
			return f(localContent{s: s, by: by})
		}
		return fmt.Errorf("unexpected backend %T", b)
	})
}

// positionalContent is positional for these commands.
func (c *cli) positionalContent(ctx context.Context, args []string, name, synopsis string, n int, f func(b contentBackend, pos []string) error) error {
	t, pos, err := c.parsePositional(args, name, synopsis, n)
	if err != nil {
		return err
	}
	return c.withContent(ctx, t, name, func(b contentBackend) error { return f(b, pos) })
}

var connectorVerbs = map[string]subcommand{
	"list":    {"list WORKSPACE", (*cli).connectorList},
	"show":    {"show ID WORKSPACE", (*cli).connectorShow},
	"enable":  {"enable ID [--data-type T]... WORKSPACE", (*cli).connectorEnable},
	"disable": {"disable ID [--data-type T]... WORKSPACE", (*cli).connectorDisable},
}

func (c *cli) connectors(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "connectors", connectorVerbs, args)
}

func ago(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func (c *cli) connectorList(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "connectors list", "connectors list WORKSPACE", 0, func(b contentBackend, _ []string) error {
		sts, err := b.Connectors(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTITLE\tENABLED\tCONNECTED\tLAST DATA\tROWS (1H)\tROWS (1D)")
		for _, st := range sts {
			var last *time.Time
			var hour, day int64
			for _, dt := range st.DataTypes {
				if dt.LastReceived != nil && (last == nil || dt.LastReceived.After(*last)) {
					last = dt.LastReceived
				}
				hour += dt.RowsLastHour
				day += dt.RowsLastDay
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", st.ID, st.Title, yesNo(st.Enabled), connected(st), ago(last), hour, day)
		}
		return tw.Flush()
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func connected(st connector.Status) string {
	if st.Connected {
		return "yes"
	}
	return "no (" + st.Reason + ")"
}

func (c *cli) printConnector(st connector.Status) {
	fmt.Fprintf(c.stdout, "%s — %s (%s)\n%s\n\nenabled: %s\nconnected: %s\n", st.ID, st.Title, st.Publisher, st.Description, yesNo(st.Enabled), connected(st))
	if st.LastError != "" {
		fmt.Fprintf(c.stdout, "last error: %s (%s)\n", st.LastError, ago(st.LastErrorTime))
	}
	fmt.Fprintln(c.stdout)
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATA TYPE\tTABLES\tENABLED\tLAST RECEIVED\tROWS (1H)\tROWS (1D)")
	for _, dt := range st.DataTypes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n", dt.Name, strings.Join(dt.Tables, ", "), yesNo(dt.Enabled), ago(dt.LastReceived), dt.RowsLastHour, dt.RowsLastDay)
	}
	tw.Flush()
	if len(st.Validation) > 0 {
		fmt.Fprintln(c.stdout, "\nvalidation queries:")
		for _, q := range st.Validation {
			fmt.Fprintln(c.stdout, "  "+q)
		}
	}
}

func (c *cli) connectorShow(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "connectors show", "connectors show ID WORKSPACE", 1, func(b contentBackend, pos []string) error {
		st, err := b.Connector(ctx, pos[0])
		if err != nil {
			return err
		}
		c.printConnector(st)
		return nil
	})
}

func (c *cli) connectorEnable(ctx context.Context, args []string) error {
	return c.connectorSet(ctx, args, true)
}

func (c *cli) connectorDisable(ctx context.Context, args []string) error {
	return c.connectorSet(ctx, args, false)
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *cli) connectorSet(ctx context.Context, args []string, on bool) error {
	verb := "disable"
	if on {
		verb = "enable"
	}
	synopsis := "connectors " + verb + " ID [--data-type T]... WORKSPACE"
	fs := c.newFlags("connectors "+verb, synopsis)
	t := targetFlags(fs)
	var types multiFlag
	fs.Var(&types, "data-type", "a data type to "+verb+" (repeat; default: all)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, synopsis); err != nil {
		return err
	}
	return c.withContent(ctx, t, "connectors "+verb, func(b contentBackend) error {
		st, err := b.SetConnector(ctx, pos[0], types, on)
		if err != nil {
			return err
		}
		c.printConnector(st)
		return nil
	})
}

var contentVerbs = map[string]subcommand{
	"list":      {"list WORKSPACE", (*cli).contentList},
	"show":      {"show NAME WORKSPACE", (*cli).contentShow},
	"install":   {"install NAME WORKSPACE", (*cli).contentInstall},
	"uninstall": {"uninstall NAME WORKSPACE", (*cli).contentUninstall},
}

func (c *cli) content(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "content", contentVerbs, args)
}

func (c *cli) contentList(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "content list", "content list WORKSPACE", 0, func(b contentBackend, _ []string) error {
		sols, err := b.Solutions(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tTITLE\tVERSION\tINSTALLED")
		for _, s := range sols {
			inst := "no"
			if s.Installed {
				inst = s.InstalledVersion + " (" + ago(s.InstalledAt) + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Title, s.Version, inst)
		}
		return tw.Flush()
	})
}

func (c *cli) printSolution(s content.State) {
	fmt.Fprintf(c.stdout, "%s — %s %s\n%s\n", s.Name, s.Title, s.Version, s.Description)
	if s.Installed {
		fmt.Fprintf(c.stdout, "installed: version %s, %s by %s\n", s.InstalledVersion, ago(s.InstalledAt), s.InstalledBy)
	} else {
		fmt.Fprintln(c.stdout, "installed: no")
	}
	fmt.Fprintln(c.stdout, "content:")
	for _, it := range s.Items {
		fmt.Fprintln(c.stdout, "  "+it)
	}
}

func (c *cli) contentShow(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "content show", "content show NAME WORKSPACE", 1, func(b contentBackend, pos []string) error {
		s, err := b.Solution(ctx, pos[0])
		if err != nil {
			return err
		}
		c.printSolution(s)
		return nil
	})
}

func (c *cli) contentInstall(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "content install", "content install NAME WORKSPACE", 1, func(b contentBackend, pos []string) error {
		s, err := b.InstallSolution(ctx, pos[0], true)
		if err != nil {
			return err
		}
		c.printSolution(s)
		return nil
	})
}

func (c *cli) contentUninstall(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "content uninstall", "content uninstall NAME WORKSPACE", 1, func(b contentBackend, pos []string) error {
		s, err := b.InstallSolution(ctx, pos[0], false)
		if err != nil {
			return err
		}
		c.printSolution(s)
		return nil
	})
}

var huntingVerbs = map[string]subcommand{
	"list": {"list WORKSPACE", (*cli).huntingList},
	"show": {"show ID WORKSPACE", (*cli).huntingShow},
}

func (c *cli) hunting(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "hunting", huntingVerbs, args)
}

func (c *cli) huntingList(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "hunting list", "hunting list WORKSPACE", 0, func(b contentBackend, _ []string) error {
		qs, err := b.HuntingQueries(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tTACTICS\tSOURCE")
		for _, q := range qs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", q.ID, q.Name, strings.Join(q.Tactics, ", "), q.Source)
		}
		return tw.Flush()
	})
}

func (c *cli) huntingShow(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "hunting show", "hunting show ID WORKSPACE", 1, func(b contentBackend, pos []string) error {
		q, err := b.HuntingQuery(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s — %s\n%s\n", q.ID, q.Name, q.Description)
		if len(q.Tactics) > 0 {
			fmt.Fprintf(c.stdout, "tactics: %s\n", strings.Join(q.Tactics, ", "))
		}
		if len(q.Techniques) > 0 {
			fmt.Fprintf(c.stdout, "techniques: %s\n", strings.Join(q.Techniques, ", "))
		}
		fmt.Fprintf(c.stdout, "source: %s\n\n%s\n", q.Source, q.Query)
		return nil
	})
}

// errUnhealthy is doctor's exit status when a connector is unhealthy.
var errUnhealthy = errors.New("a connector is unhealthy")

// doctor checks every enabled connector and says what to fix.
func (c *cli) doctor(ctx context.Context, args []string) error {
	return c.positionalContent(ctx, args, "doctor", "doctor WORKSPACE", 0, func(b contentBackend, _ []string) error {
		rep, err := b.Doctor(ctx)
		if err != nil {
			return err
		}
		writeReport(c.stdout, rep)
		if !rep.Healthy {
			return errUnhealthy
		}
		return nil
	})
}

// writeReport prints a doctor report for people.
func writeReport(w io.Writer, rep connector.Report) {
	for i, cr := range rep.Connectors {
		if i > 0 {
			fmt.Fprintln(w)
		}
		state := "healthy"
		switch {
		case !cr.Enabled:
			state = "disabled"
		case !cr.Healthy:
			state = "UNHEALTHY"
		}
		fmt.Fprintf(w, "%s (%s): %s\n", cr.Title, cr.ID, state)
		for _, ch := range cr.Checks {
			mark := "ok  "
			switch {
			case ch.Warn:
				mark = "warn"
			case !ch.OK:
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  [%s] %-8s %s\n", mark, ch.Name, ch.Detail)
			if ch.Fix != "" && (!ch.OK || ch.Warn) {
				fmt.Fprintf(w, "         %-8s fix: %s\n", "", ch.Fix)
			}
		}
		for _, v := range cr.Validation {
			fmt.Fprintf(w, "\n  validation query: %s\n", v.Query)
			if v.Error != "" {
				fmt.Fprintf(w, "  error: %s\n", v.Error)
				continue
			}
			fmt.Fprintf(w, "  %d row(s)", v.Rows)
			if v.Rows > len(v.Sample) {
				fmt.Fprintf(w, ", the first %d shown", len(v.Sample))
			}
			fmt.Fprintln(w)
			if len(v.Sample) > 0 {
				writeSample(w, v)
			}
		}
	}
}

// sampleColumns are the columns of a validation sample worth a person's
// screen, when the query returns them; otherwise the first six.
var sampleColumns = []string{"TimeGenerated", "AlertName", "AlertSeverity", "CompromisedEntity", "ProductName", "Status"}

func writeSample(w io.Writer, v connector.Validation) {
	var idx []int
	for _, name := range sampleColumns {
		for i, c := range v.Columns {
			if c == name {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) == 0 {
		for i := range min(6, len(v.Columns)) {
			idx = append(idx, i)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var head []string
	for _, i := range idx {
		head = append(head, v.Columns[i])
	}
	fmt.Fprintln(tw, "  "+strings.Join(head, "\t"))
	for _, row := range v.Sample {
		var cells []string
		for _, i := range idx {
			cells = append(cells, row[i])
		}
		fmt.Fprintln(tw, "  "+strings.Join(cells, "\t"))
	}
	tw.Flush()
}
