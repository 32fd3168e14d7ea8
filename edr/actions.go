package edr

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// Action statuses besides agentproto's Succeeded and Failed.
const (
	StatusPending    = "Pending"
	StatusInProgress = "InProgress"
)

// Action is a response action on a device (Defender's machine action).
type Action struct {
	ID          string                    `json:"id"`
	DeviceID    string                    `json:"machineId"`
	Type        string                    `json:"type"`
	Params      map[string]string         `json:"params,omitempty"`
	Comment     string                    `json:"requestorComment,omitempty"`
	RequestedBy string                    `json:"requestor"`
	Requested   time.Time                 `json:"creationDateTimeUtc"`
	Status      string                    `json:"status"`
	Result      *agentproto.CommandResult `json:"result,omitempty"`
	Updated     time.Time                 `json:"lastUpdateDateTimeUtc"`
	// Package is set when the device uploaded a file for the action (an
	// investigation package).
	Package bool `json:"hasPackage,omitempty"`
}

// ActionRequest asks for a response action.
type ActionRequest struct {
	Type    string            `json:"type"`
	Params  map[string]string `json:"params,omitempty"`
	Comment string            `json:"comment,omitempty"`
}

// commandTypes are the action types the API takes.
var commandTypes = []string{agentproto.CommandIsolate, agentproto.CommandRelease, agentproto.CommandKillProcess, agentproto.CommandQuarantineFile,
	agentproto.CommandRestoreFile, agentproto.CommandScan, agentproto.CommandCollect, agentproto.CommandRefreshIndicators}

var sha256Pattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// checkAction checks an action's type and parameters.
func checkAction(req ActionRequest) error {
	p := req.Params
	has := func(k string) bool { return strings.TrimSpace(p[k]) != "" }
	allow := func(keys ...string) error {
		for k := range p {
			ok := false
			for _, a := range keys {
				ok = ok || k == a
			}
			if !ok {
				return fmt.Errorf("%w: action %s takes no parameter %q", ErrInvalid, req.Type, k)
			}
		}
		return nil
	}
	if len(req.Comment) > 4096 {
		return fmt.Errorf("%w: the comment exceeds 4096 characters", ErrInvalid)
	}
	switch req.Type {
	case agentproto.CommandIsolate, agentproto.CommandRelease, agentproto.CommandCollect, agentproto.CommandRefreshIndicators:
		return allow()
	case agentproto.CommandKillProcess:
		if n, err := strconv.Atoi(p["pid"]); err != nil || n <= 0 {
			return fmt.Errorf("%w: kill_process needs pid, a positive number", ErrInvalid)
		}
		if has("sha256") && !sha256Pattern.MatchString(p["sha256"]) {
			return fmt.Errorf("%w: sha256 must be 64 hex digits", ErrInvalid)
		}
		return allow("pid", "sha256")
	case agentproto.CommandQuarantineFile:
		if !has("path") && !has("sha256") {
			return fmt.Errorf("%w: quarantine_file needs path or sha256", ErrInvalid)
		}
		if has("sha256") && !sha256Pattern.MatchString(p["sha256"]) {
			return fmt.Errorf("%w: sha256 must be 64 hex digits", ErrInvalid)
		}
		return allow("path", "sha256")
	case agentproto.CommandRestoreFile:
		if !has("quarantineId") {
			return fmt.Errorf("%w: restore_file needs quarantineId", ErrInvalid)
		}
		return allow("quarantineId")
	case agentproto.CommandScan:
		if !has("paths") && p["full"] != "true" {
			return fmt.Errorf("%w: scan needs paths or full=true", ErrInvalid)
		}
		return allow("paths", "full")
	}
	return fmt.Errorf("%w: unknown action type %q (isolate, release, kill_process, quarantine_file, restore_file, scan, collect_package, refresh_indicators)", ErrInvalid, req.Type)
}

// CreateAction queues a response action for a device. by names who
// asked, for the audit trail.
func (s *Service) CreateAction(ctx context.Context, deviceID string, req ActionRequest, by string) (Action, error) {
	if err := checkAction(req); err != nil {
		return Action{}, err
	}
	dev, err := s.Device(ctx, deviceID)
	if err != nil {
		return Action{}, err
	}
	if dev.Offboarded != nil {
		return Action{}, fmt.Errorf("%w: device %s is offboarded", ErrInvalid, dev.ID)
	}
	if req.Params == nil {
		req.Params = map[string]string{}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	a := Action{ID: newUUID(), DeviceID: dev.ID, Type: req.Type, Params: req.Params, Comment: req.Comment, RequestedBy: by, Requested: now, Status: StatusPending, Updated: now}
	params, _ := json.Marshal(a.Params)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO goshawk.machine_actions (id, device_id, type, params, comment, requested_by, requested, status, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.DeviceID, a.Type, string(params), a.Comment, by, now, a.Status, now); err != nil {
		return Action{}, fmt.Errorf("record action: %w", err)
	}
	details, _ := json.Marshal(map[string]any{"action": a.ID, "type": a.Type, "params": a.Params, "comment": a.Comment})
	s.audit(ctx, by, "MachineAction:"+a.Type, "device/"+dev.ID, string(details))
	s.notify(dev.ID)
	return a, nil
}

// notify wakes a device's command long poll.
func (s *Service) notify(id string) {
	s.mu.Lock()
	if ch, ok := s.wake[id]; ok {
		close(ch)
		delete(s.wake, id)
	}
	s.mu.Unlock()
}

// wakeup returns the channel notify closes for a device.
func (s *Service) wakeup(id string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.wake[id]
	if !ok {
		ch = make(chan struct{})
		s.wake[id] = ch
	}
	return ch
}

const actionColumns = `id, device_id, type, CAST(params AS VARCHAR), comment, requested_by, requested, status, CAST(result AS VARCHAR), updated, package`

func scanAction(sc interface{ Scan(...any) error }) (Action, error) {
	var a Action
	var params string
	var result, pkg sql.NullString
	if err := sc.Scan(&a.ID, &a.DeviceID, &a.Type, &params, &a.Comment, &a.RequestedBy, &a.Requested, &a.Status, &result, &a.Updated, &pkg); err != nil {
		return a, err
	}
	_ = json.Unmarshal([]byte(params), &a.Params)
	if result.Valid && result.String != "" {
		var r agentproto.CommandResult
		if json.Unmarshal([]byte(result.String), &r) == nil {
			a.Result = &r
		}
	}
	a.Requested, a.Updated = a.Requested.UTC(), a.Updated.UTC()
	a.Package = pkg.Valid && pkg.String != ""
	return a, nil
}

// Action returns one action.
func (s *Service) Action(ctx context.Context, id string) (Action, error) {
	a, err := scanAction(s.db.QueryRowContext(ctx, "SELECT "+actionColumns+" FROM goshawk.machine_actions WHERE id = ?", id))
	if isNoRows(err) {
		return Action{}, fmt.Errorf("action %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Action{}, fmt.Errorf("read action %s: %w", id, err)
	}
	return a, nil
}

// Actions lists a device's actions, newest first.
func (s *Service) Actions(ctx context.Context, deviceID string) ([]Action, error) {
	dev, err := s.Device(ctx, deviceID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+actionColumns+" FROM goshawk.machine_actions WHERE device_id = ? ORDER BY requested DESC, id", dev.ID)
	if err != nil {
		return nil, fmt.Errorf("read actions: %w", err)
	}
	defer rows.Close()
	out := []Action{}
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("read actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Service) hasPending(ctx context.Context, deviceID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM goshawk.machine_actions WHERE device_id = ? AND (status = ? OR (status = ? AND delivered < ?))",
		deviceID, StatusPending, StatusInProgress, s.now().UTC().Add(-s.cfg.CommandRetry)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read actions: %w", err)
	}
	return n > 0, nil
}

// Commands returns the commands due for a device — pending ones, and
// those delivered longer than CommandRetry ago without a result — and
// marks them delivered. It waits up to wait for one to be queued.
func (s *Service) Commands(ctx context.Context, deviceID string, wait time.Duration) ([]agentproto.Command, error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		wake := s.wakeup(deviceID)
		cmds, err := s.takeCommands(ctx, deviceID)
		if err != nil || len(cmds) > 0 {
			return cmds, err
		}
		select {
		case <-wake:
		case <-deadline.C:
			return []agentproto.Command{}, nil
		case <-ctx.Done():
			return []agentproto.Command{}, nil
		case <-s.stopPolls:
			return []agentproto.Command{}, nil
		}
	}
}

func (s *Service) takeCommands(ctx context.Context, deviceID string) ([]agentproto.Command, error) {
	now := s.now().UTC()
	rows, err := s.db.QueryContext(ctx, "SELECT "+actionColumns+" FROM goshawk.machine_actions WHERE device_id = ? AND (status = ? OR (status = ? AND delivered < ?)) ORDER BY requested",
		deviceID, StatusPending, StatusInProgress, now.Add(-s.cfg.CommandRetry))
	if err != nil {
		return nil, fmt.Errorf("read actions: %w", err)
	}
	var due []Action
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read actions: %w", err)
		}
		due = append(due, a)
	}
	rows.Close()
	cmds := []agentproto.Command{}
	for _, a := range due {
		if _, err := s.db.ExecContext(ctx, "UPDATE goshawk.machine_actions SET status = ?, delivered = ?, updated = ? WHERE id = ?", StatusInProgress, now, now, a.ID); err != nil {
			return nil, fmt.Errorf("mark action %s delivered: %w", a.ID, err)
		}
		cmds = append(cmds, agentproto.Command{ID: a.ID, Type: a.Type, Params: a.Params, Issued: a.Requested, IssuedBy: a.RequestedBy, Comment: a.Comment})
	}
	return cmds, nil
}

// CommandResult records how a device carried out an action. A result for
// an action already finished is ignored.
func (s *Service) CommandResult(ctx context.Context, deviceID string, r agentproto.CommandResult) error {
	if r.Status != agentproto.StatusSucceeded && r.Status != agentproto.StatusFailed {
		return fmt.Errorf("%w: status must be %s or %s", ErrInvalid, agentproto.StatusSucceeded, agentproto.StatusFailed)
	}
	a, err := s.Action(ctx, r.ID)
	if err != nil || a.DeviceID != deviceID {
		return fmt.Errorf("action %q: %w", r.ID, ErrNotFound)
	}
	if a.Status == agentproto.StatusSucceeded || a.Status == agentproto.StatusFailed {
		return nil
	}
	if len(r.Message) > 64<<10 {
		r.Message = r.Message[:64<<10]
	}
	res, _ := json.Marshal(r)
	now := s.now().UTC()
	if _, err := s.db.ExecContext(ctx, "UPDATE goshawk.machine_actions SET status = ?, result = ?, updated = ? WHERE id = ?", r.Status, string(res), now, a.ID); err != nil {
		return fmt.Errorf("record the result of action %s: %w", a.ID, err)
	}
	details, _ := json.Marshal(map[string]any{"action": a.ID, "type": a.Type, "status": r.Status, "message": r.Message})
	s.audit(ctx, "device/"+deviceID, "MachineActionResult:"+a.Type, "device/"+deviceID, string(details))
	return nil
}

// uploadPath is where an action's uploaded file is kept.
func (s *Service) uploadPath(actionID string) string {
	return filepath.Join(s.ws.Dir(), "uploads", actionID)
}

// ErrTooLarge is returned for an upload beyond MaxUploadBytes.
var ErrTooLarge = errors.New("upload too large")

// Upload stores the file a device sends for one of its collect_package
// actions (mode 0600, at most MaxUploadBytes).
func (s *Service) Upload(ctx context.Context, deviceID, actionID string, body io.Reader) error {
	a, err := s.Action(ctx, actionID)
	if err != nil || a.DeviceID != deviceID {
		return fmt.Errorf("action %q: %w", actionID, ErrNotFound)
	}
	if a.Type != agentproto.CommandCollect {
		return fmt.Errorf("%w: action %s (%s) takes no upload", ErrInvalid, a.ID, a.Type)
	}
	dir := filepath.Join(s.ws.Dir(), "uploads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	n, err := io.Copy(f, io.LimitReader(body, s.cfg.MaxUploadBytes+1))
	if err == nil && n > s.cfg.MaxUploadBytes {
		err = fmt.Errorf("%w: the limit is %d bytes", ErrTooLarge, s.cfg.MaxUploadBytes)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.uploadPath(a.ID)); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE goshawk.machine_actions SET package = ?, updated = ? WHERE id = ?", a.ID, s.now().UTC(), a.ID); err != nil {
		return fmt.Errorf("record the upload of action %s: %w", a.ID, err)
	}
	s.audit(ctx, "device/"+deviceID, "UploadPackage", "device/"+deviceID, fmt.Sprintf(`{"action":%q,"bytes":%d}`, a.ID, n))
	return nil
}

// Package opens the file uploaded for an action. by names who asked, for
// the audit trail.
func (s *Service) Package(ctx context.Context, actionID, by string) (*os.File, error) {
	a, err := s.Action(ctx, actionID)
	if err != nil {
		return nil, err
	}
	if !a.Package {
		return nil, fmt.Errorf("action %s has no package: %w", a.ID, ErrNotFound)
	}
	f, err := os.Open(s.uploadPath(a.ID))
	if err != nil {
		return nil, fmt.Errorf("open the package of action %s: %w", a.ID, err)
	}
	s.audit(ctx, by, "DownloadPackage", "device/"+a.DeviceID, fmt.Sprintf(`{"action":%q}`, a.ID))
	return f, nil
}
