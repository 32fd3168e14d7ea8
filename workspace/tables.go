package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

// ColumnDef is a column of a custom table as the API and CLI take it
// (Log Analytics' table API shape).
type ColumnDef struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// TableDef defines a custom table.
type TableDef struct {
	Name    string      `json:"name"`
	Columns []ColumnDef `json:"columns"`
	// RetentionInDays, when positive, sets the table's retention.
	RetentionInDays int `json:"retentionInDays,omitempty"`
}

// TableInfo describes a table.
type TableInfo struct {
	Name            string      `json:"name"`
	Custom          bool        `json:"custom"`
	Columns         []ColumnDef `json:"columns,omitempty"`
	RetentionInDays int         `json:"retentionInDays"`
}

func (w *Workspace) loadCustomTables(ctx context.Context) error {
	rows, err := w.store.DB().QueryContext(ctx, "SELECT name, CAST(columns AS VARCHAR) FROM goshawk.custom_tables ORDER BY name")
	if err != nil {
		return fmt.Errorf("load custom tables: %w", err)
	}
	var defs []TableDef
	for rows.Next() {
		var d TableDef
		var cols string
		if err := rows.Scan(&d.Name, &cols); err != nil {
			rows.Close()
			return fmt.Errorf("load custom tables: %w", err)
		}
		if err := json.Unmarshal([]byte(cols), &d.Columns); err != nil {
			rows.Close()
			return fmt.Errorf("load custom table %s: %w", d.Name, err)
		}
		defs = append(defs, d)
	}
	rows.Close()
	for _, d := range defs {
		t, err := w.customTable(d)
		if err != nil {
			return err
		}
		if err := w.store.CreateTable(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

func (w *Workspace) customTable(d TableDef) (*schema.Table, error) {
	cols := make([]schema.Column, 0, len(d.Columns))
	for _, c := range d.Columns {
		t, ok := types.Parse(strings.ToLower(c.Type))
		if !ok || t == types.Unknown || t == types.Null {
			return nil, fmt.Errorf("custom table %s: column %s: unknown type %q (types: bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic)", d.Name, c.Name, c.Type)
		}
		cols = append(cols, schema.Column{Name: c.Name, Type: t})
	}
	return w.store.Catalogue().CustomTable(d.Name, cols)
}

// CreateTable creates a custom table, or adds the columns an existing one
// lacks (columns are never removed or retyped, as in Log Analytics).
func (w *Workspace) CreateTable(ctx context.Context, d TableDef) (TableInfo, error) {
	w.contentMu.Lock()
	defer w.contentMu.Unlock()
	t, err := w.customTable(d)
	if err != nil {
		return TableInfo{}, err
	}
	// Check the retention before anything is created, so that a refused
	// definition leaves no table behind.
	if d.RetentionInDays > 0 {
		if err := checkRetention(d.Name, d.RetentionInDays); err != nil {
			return TableInfo{}, err
		}
	}
	if old, ok := w.store.Table(d.Name); ok {
		if old.Source != schema.SourceCustom {
			return TableInfo{}, fmt.Errorf("table %s is a built-in table", d.Name)
		}
		// Keep every column the table had; add the new ones.
		merged := map[string]bool{}
		var cols []ColumnDef
		for _, c := range old.Visible() {
			merged[c.Name] = true
		}
		for _, c := range d.Columns {
			if oc, ok := old.Column(c.Name); ok {
				if nt, _ := types.Parse(strings.ToLower(c.Type)); nt != oc.Type {
					return TableInfo{}, fmt.Errorf("custom table %s: column %s is %s and cannot become %s", d.Name, c.Name, oc.Type, c.Type)
				}
			}
		}
		for _, c := range old.Columns {
			if !c.Hidden && !isStandard(c.Name) {
				cols = append(cols, ColumnDef{Name: c.Name, Type: c.Type.String()})
			}
		}
		for _, c := range d.Columns {
			if !merged[c.Name] {
				cols = append(cols, c)
			}
		}
		d.Columns = cols
		if t, err = w.customTable(d); err != nil {
			return TableInfo{}, err
		}
	}
	if err := w.store.CreateTable(ctx, t); err != nil {
		return TableInfo{}, err
	}
	colsJSON, _ := json.Marshal(d.Columns)
	if _, err := w.store.DB().ExecContext(ctx, `INSERT INTO goshawk.custom_tables VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET columns = excluded.columns`, d.Name, string(colsJSON), time.Now().UTC()); err != nil {
		return TableInfo{}, fmt.Errorf("record custom table %s: %w", d.Name, err)
	}
	if d.RetentionInDays > 0 {
		if err := w.setRetention(ctx, d.Name, d.RetentionInDays); err != nil {
			return TableInfo{}, err
		}
	}
	return w.TableInfo(ctx, d.Name)
}

func isStandard(name string) bool {
	switch name {
	case "TenantId", "TimeGenerated", "Type", "_ResourceId", "_SubscriptionId":
		return true
	}
	return false
}

// TableInfo describes one table.
func (w *Workspace) TableInfo(ctx context.Context, name string) (TableInfo, error) {
	t, ok := w.store.Table(name)
	if !ok {
		return TableInfo{}, fmt.Errorf("table %q: %w", name, ErrNotFound)
	}
	info := TableInfo{Name: t.Name, Custom: t.Source == schema.SourceCustom}
	for _, c := range t.Visible() {
		info.Columns = append(info.Columns, ColumnDef{Name: c.Name, Type: c.Type.String()})
	}
	days, err := w.retentionDays(ctx, name)
	if err != nil {
		return TableInfo{}, err
	}
	info.RetentionInDays = days
	return info, nil
}

// Tables lists every table (without columns) and its retention.
func (w *Workspace) Tables(ctx context.Context) ([]TableInfo, error) {
	set, err := w.retentionSettings(ctx)
	if err != nil {
		return nil, err
	}
	def := int(w.cfg.DefaultRetention / (24 * time.Hour))
	var out []TableInfo
	for _, t := range w.store.Tables() {
		days, ok := set[t.Name]
		if !ok {
			days = def
		}
		out = append(out, TableInfo{Name: t.Name, Custom: t.Source == schema.SourceCustom, RetentionInDays: days})
	}
	return out, nil
}
