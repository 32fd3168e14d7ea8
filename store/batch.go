package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// Batch is rows for one table, as Append takes them.
type Batch struct {
	Table string
	Rows  [][]any
	// Stmts run in the batch's transaction before any row is appended;
	// an error from one fails the whole transaction. They let a caller
	// record something with the rows atomically, such as the sequence
	// number of the agent batch the rows came from. Table may be empty
	// for a batch of statements alone.
	Stmts []Statement
	// Received is when ingestion received the rows (their _TimeReceived),
	// zero when not known; the committer tracks the oldest one not yet
	// committed (ingest.Committer.Watermark).
	Received time.Time
}

// Statement is one SQL statement and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// AppendBatches stores every batch in one transaction: all rows of all
// batches or none. Ingestion uses it to commit many requests at once
// (group commit), paying for one durable commit instead of one each.
func (s *Store) AppendBatches(ctx context.Context, batches []Batch) (err error) {
	// Group rows by table so that each table gets one appender.
	order := []string{}
	byTable := map[string][]Batch{}
	infos := map[string]*tableInfo{}
	var stmts []Statement
	for _, b := range batches {
		stmts = append(stmts, b.Stmts...)
		if len(b.Rows) == 0 {
			continue
		}
		info, err := s.tableInfo(b.Table)
		if err != nil {
			return fmt.Errorf("append to %s: %w", b.Table, err)
		}
		if _, seen := byTable[b.Table]; !seen {
			order = append(order, b.Table)
			infos[b.Table] = info
		}
		byTable[b.Table] = append(byTable[b.Table], b)
	}
	if len(order) == 0 && len(stmts) == 0 {
		return nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("append: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	for i, st := range stmts {
		if _, err := conn.ExecContext(ctx, st.SQL, st.Args...); err != nil {
			return fmt.Errorf("append: statement %d: %w", i, err)
		}
	}
	for _, table := range order {
		info := infos[table]
		err := conn.Raw(func(dc any) error {
			c, ok := dc.(driver.Conn)
			if !ok {
				return fmt.Errorf("unexpected driver connection %T", dc)
			}
			return appendRows(ctx, c, info, byTable[table])
		})
		if err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("append: commit: %w", err)
	}
	return nil
}

func appendRows(ctx context.Context, c driver.Conn, info *tableInfo, batches []Batch) (err error) {
	name := info.table.Name
	app, err := newAppender(c, info)
	if err != nil {
		return fmt.Errorf("append to %s: create appender: %w", name, err)
	}
	vals := make([]driver.Value, len(info.table.Columns))
	var n int64
	for _, b := range batches {
		for _, row := range b.Rows {
			if err := appendRow(app, info, vals, row, n); err != nil {
				app.Clear()
				return errors.Join(err, app.Close())
			}
			n++
		}
	}
	if err := app.CloseWithCancel(ctx); err != nil {
		return fmt.Errorf("append to %s: flush: %w", name, err)
	}
	return nil
}
