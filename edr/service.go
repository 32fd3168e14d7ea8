package edr

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/workspace"
)

// Config holds the EDR backend's settings.
type Config struct {
	// InactiveAfter is how long a device may stay silent before it is
	// reported Inactive (10 minutes).
	InactiveAfter time.Duration
	// HeartbeatInterval is what enrollment tells agents (1 minute).
	HeartbeatInterval time.Duration
	// CertValidity is the lifetime of a device certificate (1 year).
	CertValidity time.Duration
	// CommandWait is how long a command long poll waits (25 s).
	CommandWait time.Duration
	// CommandRetry is how long a delivered command waits for its result
	// before it is delivered again (2 minutes).
	CommandRetry time.Duration
	// MaxUploadBytes bounds one uploaded file (512 MB).
	MaxUploadBytes int64
	// MaxEventBytes bounds an event batch once decompressed (64 MB).
	MaxEventBytes int64
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		InactiveAfter:     10 * time.Minute,
		HeartbeatInterval: time.Minute,
		CertValidity:      365 * 24 * time.Hour,
		CommandWait:       25 * time.Second,
		CommandRetry:      2 * time.Minute,
		MaxUploadBytes:    512 << 20,
		MaxEventBytes:     64 << 20,
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.InactiveAfter <= 0 || c.HeartbeatInterval <= 0 || c.CertValidity <= 0 || c.CommandWait <= 0 || c.CommandRetry <= 0 {
		return errors.New("edr: InactiveAfter, HeartbeatInterval, CertValidity, CommandWait and CommandRetry must be positive")
	}
	if c.HeartbeatInterval >= c.InactiveAfter {
		return errors.New("edr: HeartbeatInterval must be shorter than InactiveAfter")
	}
	if c.MaxUploadBytes <= 0 || c.MaxEventBytes <= 0 {
		return errors.New("edr: MaxUploadBytes and MaxEventBytes must be positive")
	}
	return nil
}

// Errors the HTTP layer maps to statuses.
var (
	// ErrNotFound: no such device, action or indicator.
	ErrNotFound = workspace.ErrNotFound
	// ErrBadToken: the enrollment token is unknown, revoked, expired or
	// used up.
	ErrBadToken = errors.New("invalid enrollment token")
	// ErrUnknownDevice: a certificate naming no device, or not the
	// device's current one.
	ErrUnknownDevice = errors.New("unknown device certificate")
	// ErrOffboarded: the device was offboarded.
	ErrOffboarded = errors.New("device is offboarded")
	// ErrNoCA: enrollment on a server without TLS (or a process that did
	// not load the CA).
	ErrNoCA = errors.New("enrollment needs TLS and the workspace CA; this server runs without them")
	// ErrInvalid: a request the caller can fix.
	ErrInvalid = errors.New("invalid request")
)

const ddl = `
CREATE SCHEMA IF NOT EXISTS goshawk;
CREATE TABLE IF NOT EXISTS goshawk.enrollment_tokens (
	id VARCHAR PRIMARY KEY, digest VARCHAR NOT NULL UNIQUE, created TIMESTAMP NOT NULL,
	created_by VARCHAR NOT NULL, expires TIMESTAMP NOT NULL, uses_left INTEGER, revoked TIMESTAMP);
CREATE TABLE IF NOT EXISTS goshawk.devices (
	id VARCHAR PRIMARY KEY, machine_id VARCHAR NOT NULL, info JSON NOT NULL,
	cert_serial VARCHAR NOT NULL, onboarded TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL,
	health VARCHAR NOT NULL, offboarded TIMESTAMP);
CREATE TABLE IF NOT EXISTS goshawk.agent_cursor (device_id VARCHAR PRIMARY KEY, seq UBIGINT NOT NULL, updated TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS goshawk.machine_actions (
	id VARCHAR PRIMARY KEY, device_id VARCHAR NOT NULL, type VARCHAR NOT NULL, params JSON NOT NULL,
	comment VARCHAR NOT NULL, requested_by VARCHAR NOT NULL, requested TIMESTAMP NOT NULL,
	status VARCHAR NOT NULL, result JSON, updated TIMESTAMP NOT NULL, delivered TIMESTAMP, package VARCHAR);
CREATE TABLE IF NOT EXISTS goshawk.indicators (
	id VARCHAR PRIMARY KEY, definition JSON NOT NULL, created TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS goshawk.audit (
	time TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL, target VARCHAR NOT NULL, details JSON NOT NULL);
`

// Service is the EDR backend of one open workspace. It is safe for
// concurrent use.
type Service struct {
	ws  *workspace.Workspace
	db  *sql.DB
	ca  *pki.Authority // nil: enrollment is refused
	cfg Config
	log *slog.Logger
	now func() time.Time

	enrollMu sync.Mutex // enrollments consume token uses one at a time
	batches  cursors    // event batches of one device are stored one at a time

	mu      sync.Mutex
	devices map[string]*device // by id
	wake    map[string]chan struct{}

	indMu      sync.Mutex
	indicators []agentproto.Indicator

	conn Connector // nil: every table is collected

	stopPolls chan struct{} // closed by StopPolls
	stopOnce  sync.Once
}

// StopPolls ends every command long poll now (answering an empty list)
// and the ones that start later at once, so that a server shutting down
// need not wait for them.
func (s *Service) StopPolls() {
	s.stopOnce.Do(func() { close(s.stopPolls) })
}

// New opens the EDR backend of ws. ca signs device certificates; nil
// refuses enrollment (a workspace opened by the CLI needs none).
func New(ctx context.Context, ws *workspace.Workspace, ca *pki.Authority, cfg Config, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Service{ws: ws, db: ws.Store().DB(), ca: ca, cfg: cfg, log: log, now: time.Now,
		devices: map[string]*device{}, wake: map[string]chan struct{}{}, stopPolls: make(chan struct{}), batches: cursors{locks: map[string]*sync.Mutex{}}}
	if _, err := s.db.ExecContext(ctx, ddl); err != nil {
		return nil, fmt.Errorf("edr: create tables: %w", err)
	}
	if err := s.loadDevices(ctx); err != nil {
		return nil, err
	}
	if err := s.loadIndicators(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Config returns the service's configuration.
func (s *Service) Config() Config { return s.cfg }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Run sweeps device health until ctx ends.
func (s *Service) Run(ctx context.Context) {
	every := min(s.cfg.InactiveAfter/4, time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("edr: device health sweep", "err", err)
			}
		}
	}
}

// audit records who did what to which target.
func (s *Service) audit(ctx context.Context, actor, action, target string, details string) {
	if details == "" {
		details = "{}"
	}
	if _, err := s.db.ExecContext(ctx, "INSERT INTO goshawk.audit VALUES (?, ?, ?, ?, ?)", s.now().UTC(), actor, action, target, details); err != nil {
		s.log.Error("edr: audit", "err", err, "actor", actor, "action", action, "target", target)
	}
	s.log.Info("audit", "actor", actor, "action", action, "target", target, "details", details)
}

// AuditEntry is one line of the audit trail.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Details string    `json:"details"`
}

// Audit returns the audit entries about target (all when empty), oldest
// first.
func (s *Service) Audit(ctx context.Context, target string) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT time, actor, action, target, CAST(details AS VARCHAR) FROM goshawk.audit WHERE ? = '' OR target = ? ORDER BY time", target, target)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Time, &e.Actor, &e.Action, &e.Target, &e.Details); err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		e.Time = e.Time.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// newID returns n random bytes in hex.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// ServerTLS is the server's TLS configuration: its certificate, and
// client certificates requested and, when given, verified against the
// workspace CA. A verified certificate authenticates an agent on
// /agent/v1/; clients without one (bearer tokens) are unaffected.
func ServerTLS(b *pki.Bundle) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{b.Server},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    b.CA.Pool(),
	}
}
