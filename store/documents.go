package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Documents is a table of JSON documents keyed by id, for the
// workspace's settings (saved queries, rules and their state, install
// records) in the goshawk schema of the same database as the logs.
type Documents[T any] struct {
	db    *sql.DB
	table string // qualified: goshawk.NAME
}

// OpenDocuments creates (if needed) the table goshawk.name of db.
func OpenDocuments[T any](ctx context.Context, db *sql.DB, name string) (*Documents[T], error) {
	d := &Documents[T]{db: db, table: "goshawk." + name}
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS goshawk; CREATE TABLE IF NOT EXISTS "+d.table+
		" (id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL)"); err != nil {
		return nil, fmt.Errorf("create %s: %w", d.table, err)
	}
	return d, nil
}

// PutStatement is the upsert of a document, to run with other writes in
// one transaction (Batch.Stmts).
func (d *Documents[T]) PutStatement(id string, v T) (Statement, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return Statement{}, err
	}
	return Statement{SQL: "INSERT INTO " + d.table + " VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
		Args: []any{id, string(body)}}, nil
}

// Put saves a document, replacing the one of the same id.
func (d *Documents[T]) Put(ctx context.Context, id string, v T) error {
	st, err := d.PutStatement(id, v)
	if err != nil {
		return err
	}
	if _, err := d.db.ExecContext(ctx, st.SQL, st.Args...); err != nil {
		return fmt.Errorf("save %s in %s: %w", id, d.table, err)
	}
	return nil
}

// Get returns a document; ok is false when there is none of that id.
func (d *Documents[T]) Get(ctx context.Context, id string) (v T, ok bool, err error) {
	var body string
	err = d.db.QueryRowContext(ctx, "SELECT body FROM "+d.table+" WHERE id = ?", id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("read %s from %s: %w", id, d.table, err)
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return v, false, fmt.Errorf("%s in %s: %w", id, d.table, err)
	}
	return v, true, nil
}

// Delete removes a document and reports whether there was one.
func (d *Documents[T]) Delete(ctx context.Context, id string) (bool, error) {
	res, err := d.db.ExecContext(ctx, "DELETE FROM "+d.table+" WHERE id = ?", id)
	if err != nil {
		return false, fmt.Errorf("delete %s from %s: %w", id, d.table, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// List returns every document, in no particular order.
func (d *Documents[T]) List(ctx context.Context) ([]T, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT id, body FROM "+d.table)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", d.table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			return nil, fmt.Errorf("%s in %s: %w", id, d.table, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
