package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/goshawk-sec/goshawk/workspace"
)

var tableVerbs = map[string]subcommand{
	"list":      {"list WORKSPACE", (*cli).tableList},
	"show":      {"show NAME WORKSPACE", (*cli).tableShow},
	"create":    {"create NAME --column NAME:TYPE... [--retention DAYS] WORKSPACE, or create [NAME] --file DEF.json WORKSPACE", (*cli).tableCreate},
	"retention": {"retention NAME --days N WORKSPACE", (*cli).tableRetention},
}

// table manages tables: custom tables (*_CL) and every table's retention.
func (c *cli) table(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "table", tableVerbs, args)
}

func (c *cli) tableList(ctx context.Context, args []string) error {
	return c.positional(ctx, args, "table list", "table list WORKSPACE", 0, func(b backend, pos []string) error {
		tables, err := b.Tables(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tRETENTION")
		for _, ti := range tables {
			fmt.Fprintf(tw, "%s\t%s\t%d days\n", ti.Name, tableKind(ti), ti.RetentionInDays)
		}
		return tw.Flush()
	})
}

func tableKind(ti workspace.TableInfo) string {
	if ti.Custom {
		return "custom"
	}
	return "built-in"
}

// writeTable prints a table's description and columns.
func writeTable(w io.Writer, ti workspace.TableInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Table:\t%s (%s)\n", ti.Name, tableKind(ti))
	fmt.Fprintf(tw, "Retention:\t%d days\n", ti.RetentionInDays)
	fmt.Fprintf(tw, "Columns:\t%d\n", len(ti.Columns))
	if err := tw.Flush(); err != nil {
		return err
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, col := range ti.Columns {
		fmt.Fprintf(tw, "  %s\t%s\n", col.Name, col.Type)
	}
	return tw.Flush()
}

func (c *cli) tableShow(ctx context.Context, args []string) error {
	return c.positional(ctx, args, "table show", "table show NAME WORKSPACE", 1, func(b backend, pos []string) error {
		ti, err := b.TableInfo(ctx, pos[0])
		if err != nil {
			return err
		}
		return writeTable(c.stdout, ti)
	})
}

// columnFlags collects repeated --column NAME:TYPE flags.
type columnFlags []workspace.ColumnDef

func (f *columnFlags) String() string {
	var parts []string
	for _, c := range *f {
		parts = append(parts, c.Name+":"+c.Type)
	}
	return strings.Join(parts, ",")
}

func (f *columnFlags) Set(v string) error {
	name, typ, ok := strings.Cut(v, ":")
	name, typ = strings.TrimSpace(name), strings.TrimSpace(typ)
	if !ok || name == "" || typ == "" {
		return fmt.Errorf("%q is not NAME:TYPE", v)
	}
	*f = append(*f, workspace.ColumnDef{Name: name, Type: typ})
	return nil
}

// readTableDef reads a table definition: Goshawk's own shape
// ({"name","columns","retentionInDays"}) or a Log Analytics table
// resource ({"properties":{"schema":{"name","columns"},"retentionInDays"}}).
func readTableDef(path string) (workspace.TableDef, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return workspace.TableDef{}, err
	}
	var doc struct {
		workspace.TableDef
		Properties *struct {
			Schema struct {
				Name    string                `json:"name"`
				Columns []workspace.ColumnDef `json:"columns"`
			} `json:"schema"`
			RetentionInDays int `json:"retentionInDays"`
		} `json:"properties"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return workspace.TableDef{}, fmt.Errorf("table definition %s: %w", path, err)
	}
	def := doc.TableDef
	if p := doc.Properties; p != nil {
		if def.Name == "" {
			def.Name = p.Schema.Name
		}
		def.Columns = append(def.Columns, p.Schema.Columns...)
		if def.RetentionInDays == 0 {
			def.RetentionInDays = p.RetentionInDays
		}
	}
	return def, nil
}

// tableCreate creates a custom table or adds columns to one, and prints
// the table as "table show" does.
func (c *cli) tableCreate(ctx context.Context, args []string) error {
	const synopsis = "table create NAME --column NAME:TYPE... [--retention DAYS] WORKSPACE | table create [NAME] --file DEF.json WORKSPACE"
	fs := c.newFlags("table create", synopsis)
	t := targetFlags(fs)
	var cols columnFlags
	fs.Var(&cols, "column", "a column as `NAME:TYPE` (bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic); repeat for each")
	retention := fs.Int("retention", 0, "keep rows this many `days` (default: the workspace's, 90)")
	file := fs.String("file", "", "read the definition from a JSON `file` ({\"name\",\"columns\":[{\"name\",\"type\"}],\"retentionInDays\"} or a Log Analytics table resource)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var def workspace.TableDef
	switch {
	case *file != "" && len(cols) > 0:
		return fmt.Errorf("%w: give --column or --file, not both", errUsage)
	case *file != "":
		if len(pos) > 1 {
			return fmt.Errorf("%w: goshawk %s", errUsage, synopsis)
		}
		if def, err = readTableDef(*file); err != nil {
			return err
		}
		if len(pos) == 1 {
			if def.Name != "" && def.Name != pos[0] {
				return fmt.Errorf("%w: %s defines table %s, not %s", errUsage, *file, def.Name, pos[0])
			}
			def.Name = pos[0]
		}
		if def.Name == "" {
			return fmt.Errorf("%w: %s names no table: give NAME", errUsage, *file)
		}
	default:
		if err := wantArgs(pos, 1, synopsis); err != nil {
			return err
		}
		def.Name = pos[0]
		def.Columns = cols
	}
	if *retention < 0 || *retention > workspace.MaxRetentionDays {
		return fmt.Errorf("%w: --retention %d is out of range (1 to %d days)", errUsage, *retention, workspace.MaxRetentionDays)
	}
	if *retention > 0 {
		def.RetentionInDays = *retention
	}
	if len(def.Columns) == 0 {
		return fmt.Errorf("%w: a custom table needs at least one column (--column NAME:TYPE)", errUsage)
	}
	return c.withBackend(ctx, t, "table create", func(b backend) error {
		ti, err := b.CreateTable(ctx, def)
		if err != nil {
			return err
		}
		return writeTable(c.stdout, ti)
	})
}

func (c *cli) tableRetention(ctx context.Context, args []string) error {
	const synopsis = "table retention NAME --days N WORKSPACE"
	fs := c.newFlags("table retention", synopsis)
	t := targetFlags(fs)
	days := fs.Int("days", 0, "keep rows this many `days` (1 to 4383)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, synopsis); err != nil {
		return err
	}
	if *days < 1 || *days > workspace.MaxRetentionDays {
		return fmt.Errorf("%w: --days must be 1 to %d", errUsage, workspace.MaxRetentionDays)
	}
	return c.withBackend(ctx, t, "table retention", func(b backend) error {
		if err := b.SetRetention(ctx, pos[0], *days); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s: rows are kept %d days\n", pos[0], *days)
		return nil
	})
}
