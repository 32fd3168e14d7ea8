package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// MaxRetentionDays is the longest retention a table may have (Log
// Analytics' limit for interactive retention plus archive: 12 years).
const MaxRetentionDays = 4383

// SetRetention sets how many days rows of a table are kept, counted from
// their TimeGenerated.
func (w *Workspace) SetRetention(ctx context.Context, table string, days int) error {
	w.contentMu.Lock()
	defer w.contentMu.Unlock()
	return w.setRetention(ctx, table, days)
}

func (w *Workspace) setRetention(ctx context.Context, table string, days int) error {
	if _, ok := w.store.Table(table); !ok {
		return fmt.Errorf("table %q: %w", table, ErrNotFound)
	}
	if err := checkRetention(table, days); err != nil {
		return err
	}
	if _, err := w.store.DB().ExecContext(ctx, `INSERT INTO goshawk.retention VALUES (?, ?)
		ON CONFLICT (table_name) DO UPDATE SET days = excluded.days`, table, days); err != nil {
		return fmt.Errorf("set retention of %s: %w", table, err)
	}
	return nil
}

func checkRetention(table string, days int) error {
	if days < 1 || days > MaxRetentionDays {
		return fmt.Errorf("retention of %s: %d days is out of range (1 to %d)", table, days, MaxRetentionDays)
	}
	return nil
}

func (w *Workspace) retentionDays(ctx context.Context, table string) (int, error) {
	var days int
	err := w.store.DB().QueryRowContext(ctx, "SELECT days FROM goshawk.retention WHERE table_name = ?", table).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return int(w.cfg.DefaultRetention / (24 * time.Hour)), nil
	}
	if err != nil {
		return 0, fmt.Errorf("read retention of %s: %w", table, err)
	}
	return days, nil
}

func (w *Workspace) retentionSettings(ctx context.Context) (map[string]int, error) {
	rows, err := w.store.DB().QueryContext(ctx, "SELECT table_name, days FROM goshawk.retention")
	if err != nil {
		return nil, fmt.Errorf("read retention: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var t string
		var d int
		if err := rows.Scan(&t, &d); err != nil {
			return nil, err
		}
		out[t] = d
	}
	return out, rows.Err()
}

// EnforceRetention deletes, from every table, the rows whose TimeGenerated
// is older than the table's retention before now. Tables without a
// datetime TimeGenerated (a custom table may declare it with another type)
// are left alone. It returns the number of rows deleted per table (tables
// with none left out).
func (w *Workspace) EnforceRetention(ctx context.Context, now time.Time) (map[string]int64, error) {
	set, err := w.retentionSettings(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var errs []error
	for _, t := range w.store.Tables() {
		if c, ok := t.Column("TimeGenerated"); !ok || c.Type != types.DateTime {
			continue
		}
		keep := w.cfg.DefaultRetention
		if d, ok := set[t.Name]; ok {
			keep = time.Duration(d) * 24 * time.Hour
		}
		n, err := w.store.DeleteBefore(ctx, t.Name, "TimeGenerated", now.Add(-keep))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n > 0 {
			out[t.Name] = n
		}
	}
	return out, errors.Join(errs...)
}
