package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/rules"
)

// rulesBackend is the analytics rules as the CLI uses them: local, or a
// server's API (*client.Client).
type rulesBackend interface {
	ImportAnalytics(ctx context.Context, files []rules.File) ([]analytics.Result, error)
	AnalyticsRules(ctx context.Context) ([]rules.Status, error)
	AnalyticsRule(ctx context.Context, id string) (rules.Status, error)
	ExportAnalyticsRule(ctx context.Context, id string) ([]byte, error)
	SetAnalyticsRuleEnabled(ctx context.Context, id string, on bool) (rules.Status, error)
	DeleteAnalyticsRule(ctx context.Context, id string) error
	TestAnalyticsRule(ctx context.Context, id string, from, to time.Time) (rules.Backtest, error)
}

var _ rulesBackend = (*client.Client)(nil)
var _ rulesBackend = localRules{}

type localRules struct {
	svc *rules.Service
	by  string
}

func (l localRules) ImportAnalytics(ctx context.Context, files []rules.File) ([]analytics.Result, error) {
	return l.svc.Import(ctx, files, l.by), nil
}
func (l localRules) AnalyticsRules(ctx context.Context) ([]rules.Status, error) {
	return l.svc.List(ctx)
}
func (l localRules) AnalyticsRule(ctx context.Context, id string) (rules.Status, error) {
	return l.svc.Get(ctx, id)
}
func (l localRules) ExportAnalyticsRule(ctx context.Context, id string) ([]byte, error) {
	return l.svc.Export(ctx, id)
}
func (l localRules) SetAnalyticsRuleEnabled(ctx context.Context, id string, on bool) (rules.Status, error) {
	return l.svc.SetEnabled(ctx, id, on, l.by)
}
func (l localRules) DeleteAnalyticsRule(ctx context.Context, id string) error {
	return l.svc.Delete(ctx, id)
}
func (l localRules) TestAnalyticsRule(ctx context.Context, id string, from, to time.Time) (rules.Backtest, error) {
	return l.svc.Test(ctx, id, from, to)
}

// withRules opens the workspace t names and runs f on its rules.
func (c *cli) withRules(ctx context.Context, t *target, command string, f func(b rulesBackend) error) error {
	return c.withContent(ctx, t, command, func(b contentBackend) error {
		switch b := b.(type) {
		case *client.Client:
			return f(b)
		case localContent:
			return f(localRules{svc: b.s.rules, by: b.by})
		}
		return fmt.Errorf("unexpected backend %T", b)
	})
}

var ruleVerbs = map[string]subcommand{
	"import":  {"import [--format text|json] PATH... WORKSPACE", (*cli).ruleImport},
	"export":  {"export ID [--out FILE] WORKSPACE", (*cli).ruleExport},
	"list":    {"list WORKSPACE", (*cli).ruleList},
	"show":    {"show ID WORKSPACE", (*cli).ruleShow},
	"enable":  {"enable ID WORKSPACE", (*cli).ruleEnable},
	"disable": {"disable ID WORKSPACE", (*cli).ruleDisable},
	"delete":  {"delete ID WORKSPACE", (*cli).ruleDelete},
	"test":    {"test ID --from T1 --to T2 WORKSPACE", (*cli).ruleTest},
}

func (c *cli) rules(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "rules", ruleVerbs, args)
}

// readRuleFiles reads files and walks folders for .yaml, .yml and .json.
func readRuleFiles(paths []string) ([]rules.File, error) {
	var out []rules.File
	add := func(p string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, rules.File{Name: p, Content: b})
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				if !e.IsDir() {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		for _, f := range found {
			if err := add(f); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// ruleImport prints, per definition, imported or the field it cannot
// honour; it fails when any was refused.
func (c *cli) ruleImport(ctx context.Context, args []string) error {
	const synopsis = "rules import [--format text|json] PATH... WORKSPACE"
	fs := c.newFlags("rules import", synopsis)
	t := targetFlags(fs)
	format := fs.String("format", "text", "text, or json: one line per definition {\"file\",\"ok\",\"kind\",\"id\",\"error\"}")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || (*format != "text" && *format != "json") {
		return fmt.Errorf("%w: %s", errUsage, synopsis)
	}
	files, err := readRuleFiles(pos)
	if err != nil {
		return err
	}
	return c.withRules(ctx, t, "rules import", func(b rulesBackend) error {
		res, err := b.ImportAnalytics(ctx, files)
		if err != nil {
			return err
		}
		refused := 0
		for _, r := range res {
			if !r.OK {
				refused++
			}
			if *format == "json" {
				line, _ := json.Marshal(r)
				fmt.Fprintln(c.stdout, string(line))
				continue
			}
			if r.OK {
				fmt.Fprintf(c.stdout, "%s: imported %s %s\n", r.File, r.Kind, r.ID)
			} else {
				fmt.Fprintf(c.stdout, "%s: refused: %s\n", r.File, r.Error)
			}
		}
		if *format == "text" {
			fmt.Fprintf(c.stdout, "%d imported, %d refused\n", len(res)-refused, refused)
		}
		if refused > 0 {
			return errUnhealthy
		}
		return nil
	})
}

func (c *cli) ruleExport(ctx context.Context, args []string) error {
	const synopsis = "rules export ID [--out FILE] WORKSPACE"
	fs := c.newFlags("rules export", synopsis)
	t := targetFlags(fs)
	out := fs.String("out", "", "write the YAML to `file` (default: standard output)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, synopsis); err != nil {
		return err
	}
	return c.withRules(ctx, t, "rules export", func(b rulesBackend) error {
		y, err := b.ExportAnalyticsRule(ctx, pos[0])
		if err != nil {
			return err
		}
		if *out != "" {
			return os.WriteFile(*out, y, 0o644)
		}
		_, err = c.stdout.Write(y)
		return err
	})
}

func (c *cli) positionalRules(ctx context.Context, args []string, name, synopsis string, n int, f func(b rulesBackend, pos []string) error) error {
	t, pos, err := c.parsePositional(args, name, synopsis, n)
	if err != nil {
		return err
	}
	return c.withRules(ctx, t, name, func(b rulesBackend) error { return f(b, pos) })
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func (c *cli) ruleList(ctx context.Context, args []string) error {
	return c.positionalRules(ctx, args, "rules list", "rules list WORKSPACE", 0, func(b rulesBackend, _ []string) error {
		rs, err := b.AnalyticsRules(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tSEVERITY\tENABLED\tLAST RUN\tSTATUS")
		for _, r := range rs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Kind, r.Severity, yesNo(r.Enabled), when(r.State.LastRun), r.State.LastStatus)
		}
		return tw.Flush()
	})
}

func (c *cli) printRule(r rules.Status) {
	fmt.Fprintf(c.stdout, "%s — %s\nkind: %s, severity: %s, enabled: %s\n", r.ID, r.Name, r.Kind, r.Severity, yesNo(r.Enabled))
	if r.Kind == analytics.Scheduled {
		fmt.Fprintf(c.stdout, "every %s over %s, trigger: %s %d\n", analytics.FormatDuration(r.QueryFrequency),
			analytics.FormatDuration(r.QueryPeriod), r.TriggerOperator, r.TriggerThreshold)
	}
	fmt.Fprintf(c.stdout, "last window end: %s, last run: %s %s\n", when(r.State.Last), when(r.State.LastRun), r.State.LastStatus)
	if r.Description != "" {
		fmt.Fprintf(c.stdout, "\n%s\n", strings.TrimSpace(r.Description))
	}
	if r.Query != "" {
		fmt.Fprintf(c.stdout, "\n%s\n", strings.TrimSpace(r.Query))
	}
}

func (c *cli) ruleShow(ctx context.Context, args []string) error {
	return c.positionalRules(ctx, args, "rules show", "rules show ID WORKSPACE", 1, func(b rulesBackend, pos []string) error {
		r, err := b.AnalyticsRule(ctx, pos[0])
		if err != nil {
			return err
		}
		c.printRule(r)
		return nil
	})
}

func (c *cli) ruleEnable(ctx context.Context, args []string) error {
	return c.ruleSet(ctx, args, true)
}

func (c *cli) ruleDisable(ctx context.Context, args []string) error {
	return c.ruleSet(ctx, args, false)
}

func (c *cli) ruleSet(ctx context.Context, args []string, on bool) error {
	verb := "disable"
	if on {
		verb = "enable"
	}
	return c.positionalRules(ctx, args, "rules "+verb, "rules "+verb+" ID WORKSPACE", 1, func(b rulesBackend, pos []string) error {
		r, err := b.SetAnalyticsRuleEnabled(ctx, pos[0], on)
		if err != nil {
			return err
		}
		c.printRule(r)
		return nil
	})
}

func (c *cli) ruleDelete(ctx context.Context, args []string) error {
	return c.positionalRules(ctx, args, "rules delete", "rules delete ID WORKSPACE", 1, func(b rulesBackend, pos []string) error {
		if err := b.DeleteAnalyticsRule(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted rule %s\n", pos[0])
		return nil
	})
}

// ruleTest backtests a rule and prints the windows that alerted.
func (c *cli) ruleTest(ctx context.Context, args []string) error {
	const synopsis = "rules test ID --from T1 --to T2 WORKSPACE"
	fs := c.newFlags("rules test", synopsis)
	t := targetFlags(fs)
	fromS := fs.String("from", "", "start, RFC 3339 or a duration ago (7d)")
	toS := fs.String("to", "", "end, RFC 3339 or a duration ago (default now)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, synopsis); err != nil {
		return err
	}
	now := time.Now().UTC()
	from, err := parseWhen(*fromS, now)
	if err != nil || *fromS == "" {
		return fmt.Errorf("%w: --from: give a time (2026-11-01T00:00:00Z) or a duration ago (7d)", errUsage)
	}
	to := now
	if *toS != "" {
		if to, err = parseWhen(*toS, now); err != nil {
			return fmt.Errorf("%w: --to: %v", errUsage, err)
		}
	}
	return c.withRules(ctx, t, "rules test", func(b rulesBackend) error {
		bt, err := b.TestAnalyticsRule(ctx, pos[0], from, to)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s — %s, %s to %s: %d windows, %d alerts, %d incidents\n", bt.RuleID, bt.RuleName,
			when(bt.From), when(bt.To), len(bt.Runs), bt.Alerts, bt.Incidents)
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "WINDOW END\tROWS\tALERTS\tNOTE")
		for _, r := range bt.Runs {
			note := ""
			switch {
			case r.Error != "":
				note = "error: " + r.Error
			case r.Suppressed:
				note = "suppressed"
			case len(r.Alerts) > 0:
				note = r.Alerts[0]
			}
			if r.Rows == 0 && note == "" {
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", when(r.To), r.Rows, len(r.Alerts), note)
		}
		return tw.Flush()
	})
}

// parseWhen reads an RFC 3339 time or a duration ago (7d, 12h).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := analytics.ParseDuration(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a time nor a duration", s)
	}
	return now.Add(-d), nil
}
