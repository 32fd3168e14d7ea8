package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/incidents"
)

// incidentBackend is the incidents as the CLI uses them: the workspace's
// incidents.Service (local) or a server's API (*client.Client).
type incidentBackend interface {
	Incidents(ctx context.Context, f incidents.Filter) ([]incidents.Incident, error)
	Incident(ctx context.Context, number int64) (incidents.Incident, error)
	UpdateIncident(ctx context.Context, number int64, u incidents.Update) (incidents.Incident, error)
	CommentIncident(ctx context.Context, number int64, message string) (incidents.Comment, error)
	IncidentAlerts(ctx context.Context, number int64) ([]incidents.Alert, error)
	IncidentEntities(ctx context.Context, number int64) ([]incidents.Entity, error)
}

var _ incidentBackend = (*client.Client)(nil)
var _ incidentBackend = localIncidents{}

// localIncidents is the incidents of a workspace this process opened;
// changes are attributed to by ("cli/$USER").
type localIncidents struct {
	svc *incidents.Service
	by  string
}

func (l localIncidents) Incidents(ctx context.Context, f incidents.Filter) ([]incidents.Incident, error) {
	return l.svc.List(ctx, f)
}
func (l localIncidents) Incident(ctx context.Context, n int64) (incidents.Incident, error) {
	return l.svc.Get(ctx, n)
}
func (l localIncidents) UpdateIncident(ctx context.Context, n int64, u incidents.Update) (incidents.Incident, error) {
	return l.svc.Update(ctx, n, u, l.by)
}
func (l localIncidents) CommentIncident(ctx context.Context, n int64, message string) (incidents.Comment, error) {
	return l.svc.AddComment(ctx, n, message, l.by)
}
func (l localIncidents) IncidentAlerts(ctx context.Context, n int64) ([]incidents.Alert, error) {
	return l.svc.Alerts(ctx, n)
}
func (l localIncidents) IncidentEntities(ctx context.Context, n int64) ([]incidents.Entity, error) {
	return l.svc.Entities(ctx, n)
}

// withIncidents opens the workspace t names and runs f on its incidents.
func (c *cli) withIncidents(ctx context.Context, t *target, command string, f func(b incidentBackend) error) error {
	return c.withBackend(ctx, t, command, func(b backend) error {
		switch b := b.(type) {
		case *client.Client:
			return f(b)
		case local:
			svc, err := incidents.New(ctx, b.Workspace, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				return err
			}
			by := "cli"
			if u := c.getenv("USER"); u != "" {
				by = "cli/" + u
			}
			return f(localIncidents{svc: svc, by: by})
		}
		return fmt.Errorf("unexpected backend %T", b)
	})
}

var incidentVerbs = map[string]subcommand{
	"list":    {"list [--status S]... [--severity S]... [--owner O] [--since D | --from T] [--to T] [--limit N] WORKSPACE", (*cli).incidentList},
	"show":    {"show NUMBER WORKSPACE", (*cli).incidentShow},
	"update":  {"update NUMBER [--status S] [--severity S] [--owner O | --unassign] [--classification C [--reason R] [--comment TEXT]] [--add-label L]... [--remove-label L]... WORKSPACE", (*cli).incidentUpdate},
	"comment": {"comment NUMBER TEXT WORKSPACE", (*cli).incidentComment},
	"alerts":  {"alerts NUMBER WORKSPACE", (*cli).incidentAlerts},
}

// incidents lists, shows and triages incidents.
func (c *cli) incidents(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "incidents", incidentVerbs, args)
}

// incidentNumber reads an incident number argument.
func incidentNumber(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: %q is not an incident number", errUsage, s)
	}
	return n, nil
}

// stamp prints a time for people: UTC, to the second; "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *cli) incidentList(ctx context.Context, args []string) error {
	const synopsis = "incidents list [--status S]... [--severity S]... [--owner O] [--since D | --from T] [--to T] [--limit N] WORKSPACE"
	fs := c.newFlags("incidents list", synopsis)
	t := targetFlags(fs)
	var f incidents.Filter
	var status, severity multiFlag
	fs.Var(&status, "status", "keep incidents in this `status`: New, Active or Closed (repeat, or separate with commas)")
	fs.Var(&severity, "severity", "keep incidents of this `severity`: Informational, Low, Medium or High (repeat, or separate with commas)")
	fs.StringVar(&f.Owner, "owner", "", "keep incidents assigned to this `name`")
	since := fs.Duration("since", 0, "keep incidents created within this `duration`")
	from := fs.String("from", "", "keep incidents created at or after this RFC 3339 `time`")
	to := fs.String("to", "", "keep incidents created before this RFC 3339 `time`")
	fs.IntVar(&f.Limit, "limit", 0, "keep the newest `N` incidents")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	f.Statuses, f.Severities = status, severity
	if *since > 0 && *from != "" {
		return fmt.Errorf("%w: give --since or --from, not both", errUsage)
	}
	if *since > 0 {
		f.From = time.Now().Add(-*since)
	}
	for _, tf := range []struct {
		flag, v string
		into    *time.Time
	}{{"--from", *from, &f.From}, {"--to", *to, &f.To}} {
		if tf.v == "" {
			continue
		}
		tm, err := time.Parse(time.RFC3339Nano, tf.v)
		if err != nil {
			return fmt.Errorf("%w: %s: want an RFC 3339 time such as 2026-05-04T10:00:00Z", errUsage, tf.flag)
		}
		*tf.into = tm
	}
	return c.withIncidents(ctx, t, "incidents list", func(b incidentBackend) error {
		incs, err := b.Incidents(ctx, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tSEVERITY\tSTATUS\tALERTS\tOWNER\tCREATED\tTITLE")
		for _, inc := range incs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", inc.Number, inc.Severity, inc.Status, len(inc.AlertIDs),
				orDash(inc.Owner.Name()), stamp(inc.CreatedTime), inc.Title)
		}
		return tw.Flush()
	})
}

// printIncident prints an incident's own fields.
func (c *cli) printIncident(inc incidents.Incident) {
	w := c.stdout
	fmt.Fprintf(w, "Incident %d: %s\n", inc.Number, inc.Title)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	status := inc.Status
	if inc.Classification != "" {
		status += " (" + inc.Classification
		if inc.ClassificationReason != "" {
			status += ", " + inc.ClassificationReason
		}
		status += ")"
	}
	var labels []string
	for _, l := range inc.Labels {
		labels = append(labels, l.Name)
	}
	closed := "-"
	if inc.ClosedTime != nil {
		closed = stamp(*inc.ClosedTime)
	}
	for _, kv := range [][2]string{
		{"status", status},
		{"severity", inc.Severity},
		{"owner", orDash(inc.Owner.Name())},
		{"labels", orDash(strings.Join(labels, ", "))},
		{"alerts", strconv.Itoa(len(inc.AlertIDs))},
		{"activity", stamp(inc.FirstActivityTime) + " .. " + stamp(inc.LastActivityTime)},
		{"created", stamp(inc.CreatedTime)},
		{"modified", stamp(inc.LastModifiedTime) + " by " + inc.ModifiedBy},
		{"closed", closed},
		{"rules", orDash(strings.Join(inc.RelatedAnalyticRuleIDs, ", "))},
		{"tactics", orDash(strings.Join(inc.AdditionalData.Tactics, ", "))},
		{"techniques", orDash(strings.Join(inc.AdditionalData.Techniques, ", "))},
		{"products", orDash(strings.Join(inc.AdditionalData.AlertProductNames, ", "))},
		{"name", inc.Name},
		{"url", inc.IncidentURL},
	} {
		fmt.Fprintf(tw, "  %s:\t%s\n", kv[0], kv[1])
	}
	tw.Flush()
	if inc.ClassificationComment != "" {
		fmt.Fprintf(w, "  closing comment: %s\n", inc.ClassificationComment)
	}
	if inc.Description != "" {
		fmt.Fprintf(w, "\n%s\n", inc.Description)
	}
}

func (c *cli) printComments(cs []incidents.Comment) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(c.stdout, "\ncomments (%d):\n", len(cs))
	for _, cm := range cs {
		fmt.Fprintf(c.stdout, "  %s %s: %s\n", stamp(cm.CreatedTime), cm.Author.Name, strings.ReplaceAll(cm.Message, "\n", "\n    "))
	}
}

func (c *cli) printAlerts(as []incidents.Alert) error {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSEVERITY\tSTATUS\tPRODUCT\tALERT ID\tNAME")
	for _, a := range as {
		if a.Missing {
			fmt.Fprintf(tw, "-\t-\t-\t-\t%s\t(no longer in SecurityAlert)\n", a.SystemAlertID)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", stamp(a.TimeGenerated), a.Severity, a.Status, orDash(a.ProductName), a.SystemAlertID, a.Name)
	}
	return tw.Flush()
}

func (c *cli) incidentShow(ctx context.Context, args []string) error {
	t, pos, err := c.parsePositional(args, "incidents show", "incidents show NUMBER WORKSPACE", 1)
	if err != nil {
		return err
	}
	n, err := incidentNumber(pos[0])
	if err != nil {
		return err
	}
	return c.withIncidents(ctx, t, "incidents show", func(b incidentBackend) error {
		inc, err := b.Incident(ctx, n)
		if err != nil {
			return err
		}
		as, err := b.IncidentAlerts(ctx, n)
		if err != nil {
			return err
		}
		es, err := b.IncidentEntities(ctx, n)
		if err != nil {
			return err
		}
		c.printIncident(inc)
		fmt.Fprintf(c.stdout, "\nalerts (%d):\n", len(as))
		if err := c.printAlerts(as); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "\nentities (%d):\n", len(es))
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TYPE\tNAME\tALERTS")
		for _, e := range es {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Type, e.Name, strings.Join(e.AlertIDs, ", "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		c.printComments(inc.Comments)
		return nil
	})
}

func (c *cli) incidentAlerts(ctx context.Context, args []string) error {
	t, pos, err := c.parsePositional(args, "incidents alerts", "incidents alerts NUMBER WORKSPACE", 1)
	if err != nil {
		return err
	}
	n, err := incidentNumber(pos[0])
	if err != nil {
		return err
	}
	return c.withIncidents(ctx, t, "incidents alerts", func(b incidentBackend) error {
		as, err := b.IncidentAlerts(ctx, n)
		if err != nil {
			return err
		}
		return c.printAlerts(as)
	})
}

func (c *cli) incidentUpdate(ctx context.Context, args []string) error {
	const synopsis = "incidents update NUMBER [--status S] [--severity S] [--owner O | --unassign] [--classification C [--reason R] [--comment TEXT]] [--add-label L]... [--remove-label L]... WORKSPACE"
	fs := c.newFlags("incidents update", synopsis)
	t := targetFlags(fs)
	var u incidents.Update
	var owner string
	var add, remove multiFlag
	fs.StringVar(&u.Status, "status", "", "New, Active or Closed (closing needs --classification)")
	fs.StringVar(&u.Severity, "severity", "", "Informational, Low, Medium or High")
	fs.StringVar(&owner, "owner", "", "assign the incident to this `name` (an e-mail address or any name)")
	fs.StringVar(&owner, "assign", "", "the same as --owner")
	unassign := fs.Bool("unassign", false, "leave the incident unassigned")
	fs.StringVar(&u.Classification, "classification", "", "on closing: Undetermined, TruePositive, BenignPositive or FalsePositive")
	fs.StringVar(&u.ClassificationReason, "reason", "", "on closing: SuspiciousActivity (TruePositive), SuspiciousButExpected (BenignPositive), IncorrectAlertLogic or InaccurateData (FalsePositive)")
	fs.StringVar(&u.ClassificationComment, "comment", "", "on closing: the closing comment")
	fs.Var(&add, "add-label", "add this `label` (repeat)")
	fs.Var(&remove, "remove-label", "remove this `label` (repeat)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, synopsis); err != nil {
		return err
	}
	n, err := incidentNumber(pos[0])
	if err != nil {
		return err
	}
	switch {
	case *unassign && owner != "":
		return fmt.Errorf("%w: give --owner or --unassign, not both", errUsage)
	case *unassign:
		u.Owner = new(string)
	case owner != "":
		u.Owner = &owner
	}
	u.AddLabels, u.RemoveLabels = add, remove
	if u.Status == "" && u.Severity == "" && u.Owner == nil && u.Classification == "" && u.ClassificationReason == "" &&
		u.ClassificationComment == "" && len(add) == 0 && len(remove) == 0 {
		return fmt.Errorf("%w: nothing to change; goshawk %s", errUsage, synopsis)
	}
	return c.withIncidents(ctx, t, "incidents update", func(b incidentBackend) error {
		inc, err := b.UpdateIncident(ctx, n, u)
		if err != nil {
			return err
		}
		c.printIncident(inc)
		return nil
	})
}

func (c *cli) incidentComment(ctx context.Context, args []string) error {
	t, pos, err := c.parsePositional(args, "incidents comment", "incidents comment NUMBER TEXT WORKSPACE", 2)
	if err != nil {
		return err
	}
	n, err := incidentNumber(pos[0])
	if err != nil {
		return err
	}
	return c.withIncidents(ctx, t, "incidents comment", func(b incidentBackend) error {
		cm, err := b.CommentIncident(ctx, n, pos[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "comment added to incident %d by %s at %s\n", n, cm.Author.Name, stamp(cm.CreatedTime))
		return nil
	})
}
