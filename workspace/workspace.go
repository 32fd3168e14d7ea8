package workspace

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// Config configures an open workspace.
type Config struct {
	// Command names the opening process in the lock file ("server",
	// "query", …), for the message another process gets.
	Command string
	// Query holds the query engine's limits.
	Query query.Config
	// DefaultRetention applies to tables without their own (90 days).
	DefaultRetention time.Duration
	// Commit sizes the ingestion commit queue.
	Commit ingest.CommitterConfig
	// Transformer compiles transformKql in collection rules; nil refuses
	// rules with transformations.
	Transformer ingest.Transformer
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Command: "goshawk", Query: query.DefaultConfig(), DefaultRetention: 90 * 24 * time.Hour, Commit: ingest.DefaultCommitterConfig()}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.DefaultRetention <= 0 {
		return errors.New("workspace: DefaultRetention must be positive")
	}
	if err := c.Commit.Validate(); err != nil {
		return err
	}
	return c.Query.Validate()
}

// Workspace is an open workspace: its store, query engine and settings.
// It is safe for concurrent use.
type Workspace struct {
	dir    string
	cfg    Config
	lock   *lock
	store  *store.Store
	engine *query.Engine

	id        string
	sharedKey []byte

	rules     *ingest.Rules
	committer *ingest.Committer
	pipeline  *ingest.Pipeline
	commitRun chan struct{}

	mu     sync.RWMutex
	tokens map[string]auth.Token // by digest

	// contentMu serializes changes to custom tables, retention and
	// collection rules: each reads the current definition, changes the
	// store and records the result, and two at once would conflict in
	// DuckDB or record one's columns over the other's.
	contentMu sync.Mutex
}

// metaDDL creates the settings tables, kept in their own schema beside the
// log tables so that no KQL query can name them.
const metaDDL = `
CREATE SCHEMA IF NOT EXISTS goshawk;
CREATE TABLE IF NOT EXISTS goshawk.settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS goshawk.tokens (
	id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
	digest VARCHAR NOT NULL UNIQUE, created TIMESTAMP NOT NULL, revoked TIMESTAMP);
CREATE TABLE IF NOT EXISTS goshawk.custom_tables (name VARCHAR PRIMARY KEY, columns JSON NOT NULL, created TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS goshawk.retention (table_name VARCHAR PRIMARY KEY, days INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS goshawk.collection_rules (id VARCHAR PRIMARY KEY, definition JSON NOT NULL, updated TIMESTAMP NOT NULL);
`

// Open opens the workspace in dir, creating it on first use. It fails
// with a *HeldError when another process has the workspace open.
func Open(ctx context.Context, dir string, cfg Config) (*Workspace, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open workspace: %w", err)
	}
	lk, err := acquire(dir, cfg.Command)
	if err != nil {
		return nil, err
	}
	w := &Workspace{dir: dir, cfg: cfg, lock: lk, tokens: map[string]auth.Token{}, rules: ingest.NewRules()}
	if err := w.open(ctx); err != nil {
		if w.store != nil {
			w.store.Close()
		}
		lk.release()
		return nil, err
	}
	return w, nil
}

func (w *Workspace) open(ctx context.Context) error {
	st, err := store.Open(ctx, w.dir, schema.Default())
	if err != nil {
		return err
	}
	w.store = st
	db := st.DB()
	if _, err := db.ExecContext(ctx, metaDDL); err != nil {
		return fmt.Errorf("open workspace %s: settings: %w", w.dir, err)
	}
	id, err := w.setting(ctx, "workspace_id", func() (string, error) { return uuid.NewString(), nil })
	if err != nil {
		return err
	}
	w.id = id
	key, err := w.setting(ctx, "shared_key", func() (string, error) {
		b := make([]byte, 64)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return base64.StdEncoding.EncodeToString(b), nil
	})
	if err != nil {
		return err
	}
	if w.sharedKey, err = base64.StdEncoding.DecodeString(key); err != nil {
		return fmt.Errorf("open workspace %s: shared key: %w", w.dir, err)
	}
	if err := w.loadCustomTables(ctx); err != nil {
		return err
	}
	if err := w.loadTokens(ctx); err != nil {
		return err
	}
	eng, err := query.New(ctx, db, st.Catalogue(), w.cfg.Query)
	if err != nil {
		return err
	}
	eng.Follow(st.Catalogue)
	w.engine = eng
	if w.committer, err = ingest.NewCommitter(st, w.cfg.Commit); err != nil {
		return err
	}
	w.pipeline = ingest.NewPipeline(st, w.rules, w.committer, w.cfg.Transformer, w.id)
	if err := w.loadRules(ctx); err != nil {
		return err
	}
	w.commitRun = make(chan struct{})
	go func() {
		defer close(w.commitRun)
		w.committer.Run()
	}()
	return nil
}

// setting returns a stored setting, creating it with create on first use.
func (w *Workspace) setting(ctx context.Context, key string, create func() (string, error)) (string, error) {
	db := w.store.DB()
	var v string
	err := db.QueryRowContext(ctx, "SELECT value FROM goshawk.settings WHERE key = ?", key).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	if v, err = create(); err != nil {
		return "", err
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO goshawk.settings VALUES (?, ?)", key, v); err != nil {
		return "", fmt.Errorf("write setting %s: %w", key, err)
	}
	return v, nil
}

// Close commits what ingestion has queued, checkpoints the database and
// releases the workspace.
func (w *Workspace) Close() error {
	if w.commitRun != nil {
		w.committer.Close()
		<-w.commitRun
	}
	ctx := context.Background()
	errCP := w.store.Checkpoint(ctx)
	err := w.store.Close()
	w.lock.release()
	return errors.Join(errCP, err)
}

// SetURL records in the lock file where a server serves this workspace, so
// that CLI commands given --data can point at it.
func (w *Workspace) SetURL(url string) error {
	w.lock.info.URL = url
	return w.lock.write()
}

// ID is the workspace GUID, the {workspaceId} of the query API.
func (w *Workspace) ID() string { return w.id }

// Dir is the data directory.
func (w *Workspace) Dir() string { return w.dir }

// SharedKey is the key that signs Data Collector API requests.
func (w *Workspace) SharedKey() []byte { return w.sharedKey }

// Store is the workspace's table store.
func (w *Workspace) Store() *store.Store { return w.store }

// Engine is the workspace's query engine.
func (w *Workspace) Engine() *query.Engine { return w.engine }

// Info describes a workspace.
type Info struct {
	ID           string `json:"workspaceId"`
	Dir          string `json:"dataDirectory,omitempty"`
	Tables       int    `json:"tables"`
	CustomTables int    `json:"customTables"`
}

// Info returns the workspace's description.
func (w *Workspace) Info(ctx context.Context) (Info, error) {
	info := Info{ID: w.id, Dir: w.dir}
	for _, t := range w.store.Tables() {
		info.Tables++
		if t.Source == schema.SourceCustom {
			info.CustomTables++
		}
	}
	return info, nil
}

// Query runs a KQL query.
func (w *Workspace) Query(ctx context.Context, text string, opts query.Options) (*result.Set, error) {
	return w.engine.Run(ctx, text, opts)
}
