package edr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// Connector carries a device's rows into the workspace (the endpoint
// connector): it says which tables are collected — rows of the others are
// acknowledged to the agent and dropped — and hears what was stored and
// what failed.
type Connector interface {
	Collects(table string) bool
	// Stored reports the rows of a device stored per table, after commit.
	Stored(deviceID string, rows map[string]int)
	// Failed reports a device's rows that could not be stored.
	Failed(deviceID string, err error)
}

// SetConnector routes the devices' rows through c (nil: every table is
// collected). Set it before serving.
func (s *Service) SetConnector(c Connector) { s.conn = c }

func (s *Service) collects(table string) bool { return s.conn == nil || s.conn.Collects(table) }

// MaxBatchEvents bounds the events of one batch.
const MaxBatchEvents = 100000

// agentTable reports whether agents may write to the table: the Device*
// and Alert* tables of the catalogue.
func agentTable(name string) bool {
	return strings.HasPrefix(name, "Device") || strings.HasPrefix(name, "Alert")
}

// checkRow checks that every key of row names a column of t that agents
// may fill: visible, and not one ingestion stamps.
func checkRow(t *schema.Table, row map[string]any) error {
	for k := range row {
		c, ok := t.Column(k)
		if !ok || c.Hidden {
			return fmt.Errorf("%w: table %s has no column %q", ErrInvalid, t.Name, k)
		}
		switch k {
		case "TenantId", "Type", "SourceSystem", "MachineGroup":
			if k == "MachineGroup" && t.Name == "DeviceInfo" {
				continue
			}
			return fmt.Errorf("%w: column %s of %s is filled by the server", ErrInvalid, k, t.Name)
		}
	}
	return nil
}

// cursors serializes the batches of each device.
type cursors struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (c *cursors) lock(id string) func() {
	c.mu.Lock()
	m, ok := c.locks[id]
	if !ok {
		m = &sync.Mutex{}
		c.locks[id] = m
	}
	c.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// errDuplicate is the guard statement's message.
const errDuplicate = "goshawk: duplicate agent batch"

// cursor returns the last batch number stored for a device (0 for none).
func (s *Service) cursor(ctx context.Context, id string) (uint64, error) {
	var seq uint64
	err := s.db.QueryRowContext(ctx, "SELECT seq FROM goshawk.agent_cursor WHERE device_id = ?", id).Scan(&seq)
	if err != nil && !isNoRows(err) {
		return 0, fmt.Errorf("read the event cursor of %s: %w", id, err)
	}
	return seq, nil
}

// IngestEvents stores a device's event batch exactly once: the rows and
// the batch's sequence number commit together, and a batch numbered at or
// below the recorded one is acknowledged as a duplicate without being
// stored. DeviceId and DeviceName are set to the authenticated device's.
func (s *Service) IngestEvents(ctx context.Context, dev Device, b agentproto.EventBatch) (agentproto.BatchAck, error) {
	ack := agentproto.BatchAck{Seq: b.Seq}
	if b.Seq == 0 {
		return ack, fmt.Errorf("%w: seq must be at least 1", ErrInvalid)
	}
	if len(b.Events) > MaxBatchEvents {
		return ack, fmt.Errorf("%w: %d events in one batch; the limit is %d", ErrInvalid, len(b.Events), MaxBatchEvents)
	}
	received := s.now()
	// Until the rows commit, readers by ingestion time stay below their
	// receive time.
	defer s.ws.Pipeline().Hold(received).Release()
	// Shape every event before taking the device's lock.
	byTable := map[string][]map[string]any{}
	var order []string
	for i, ev := range b.Events {
		if !agentTable(ev.Table) {
			return ack, fmt.Errorf("%w: events[%d]: table %q is not a Device* or Alert* table", ErrInvalid, i, ev.Table)
		}
		if ev.Table == "DeviceInfo" || ev.Table == "DeviceNetworkInfo" {
			// The server writes these (health and onboarding state are
			// its to say); agents send them as inventory.
			return ack, fmt.Errorf("%w: events[%d]: %s rows go to %s, not in event batches", ErrInvalid, i, ev.Table, agentproto.PathInventory)
		}
		t, ok := s.ws.Store().Table(ev.Table)
		if !ok {
			return ack, fmt.Errorf("%w: events[%d]: the workspace has no table %q", ErrInvalid, i, ev.Table)
		}
		if ev.Row == nil {
			ev.Row = map[string]any{}
		}
		if err := checkRow(t, ev.Row); err != nil {
			return ack, fmt.Errorf("events[%d]: %w", i, err)
		}
		if t.ColumnIndex("DeviceId") >= 0 {
			ev.Row["DeviceId"] = dev.ID
		}
		if t.ColumnIndex("DeviceName") >= 0 {
			ev.Row["DeviceName"] = dev.Name
		}
		if _, ok := ev.Row["Timestamp"]; !ok && t.ColumnIndex("Timestamp") >= 0 {
			ev.Row["Timestamp"] = received.UTC().Format(time.RFC3339Nano)
		}
		if _, ok := ev.Row["ReportId"]; !ok && t.ColumnIndex("ReportId") >= 0 && ev.ReportID != 0 {
			ev.Row["ReportId"] = ev.ReportID
		}
		if !s.collects(ev.Table) {
			continue
		}
		if _, seen := byTable[ev.Table]; !seen {
			order = append(order, ev.Table)
		}
		byTable[ev.Table] = append(byTable[ev.Table], ev.Row)
	}
	unlock := s.batches.lock(dev.ID)
	defer unlock()
	last, err := s.cursor(ctx, dev.ID)
	if err != nil {
		return ack, err
	}
	if b.Seq <= last {
		if last-b.Seq > 1000 {
			// Far below what was stored: more likely an agent whose state
			// was reset than a resend. Its batches are refused as
			// duplicates until it enrolls again, which resets the cursor.
			s.log.Warn("edr: event batch far below the device's recorded sequence; if the agent lost its state, onboard it again",
				"device", dev.ID, "seq", b.Seq, "recorded", last)
		}
		ack.Duplicate = true
		return ack, nil
	}
	var batches []store.Batch
	for _, table := range order {
		bs, err := s.prepare(ctx, table, byTable[table], received)
		if err != nil {
			return ack, err
		}
		batches = append(batches, bs...)
	}
	batches = append(batches, store.Batch{Stmts: []store.Statement{
		{SQL: "SELECT error('" + errDuplicate + "') FROM goshawk.agent_cursor WHERE device_id = ? AND seq >= ?", Args: []any{dev.ID, b.Seq}},
		{SQL: `INSERT INTO goshawk.agent_cursor VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, updated = excluded.updated`,
			Args: []any{dev.ID, b.Seq, received.UTC()}},
	}})
	if err := s.ws.Pipeline().Commit(ctx, batches...); err != nil {
		if strings.Contains(err.Error(), errDuplicate) {
			ack.Duplicate = true
			return ack, nil
		}
		if s.conn != nil {
			s.conn.Failed(dev.ID, err)
		}
		return ack, err
	}
	s.stored(dev.ID, byTable)
	return ack, nil
}

// stored tells the connector what was stored.
func (s *Service) stored(deviceID string, byTable map[string][]map[string]any) {
	if s.conn == nil || len(byTable) == 0 {
		return
	}
	counts := make(map[string]int, len(byTable))
	for t, rows := range byTable {
		counts[t] = len(rows)
	}
	s.conn.Stored(deviceID, counts)
}

// prepare turns rows of a table (keyed by column name, as JSON would
// carry them) into batches for the pipeline, without storing them.
func (s *Service) prepare(ctx context.Context, table string, rows []map[string]any, received time.Time) ([]store.Batch, error) {
	body, err := json.Marshal(rows)
	if err != nil {
		return nil, fmt.Errorf("%w: %s rows: %v", ErrInvalid, table, err)
	}
	bs, _, err := s.ws.Pipeline().Prepare(ctx, ingest.DefaultRuleID, "Custom-"+table, body, received)
	if err != nil {
		var de *ingest.DataError
		if errors.As(err, &de) {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, table, err)
		}
		return nil, err
	}
	return bs, nil
}

// ingestRows stores rows the server itself writes about a device, when
// the connector collects the table.
func (s *Service) ingestRows(ctx context.Context, deviceID, table string, rows []map[string]any) error {
	if !s.collects(table) || len(rows) == 0 {
		return nil
	}
	received := s.now()
	defer s.ws.Pipeline().Hold(received).Release()
	bs, err := s.prepare(ctx, table, rows, received)
	if err != nil {
		return err
	}
	if err := s.ws.Pipeline().Commit(ctx, bs...); err != nil {
		if s.conn != nil {
			s.conn.Failed(deviceID, err)
		}
		return err
	}
	s.stored(deviceID, map[string][]map[string]any{table: rows})
	return nil
}
