package edr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/agentproto"
)

func newUUID() string { return uuid.NewString() }

func (s *Service) loadIndicators(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "SELECT CAST(definition AS VARCHAR) FROM goshawk.indicators ORDER BY id")
	if err != nil {
		return fmt.Errorf("load indicators: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			return fmt.Errorf("load indicators: %w", err)
		}
		var in agentproto.Indicator
		if err := json.Unmarshal([]byte(def), &in); err != nil {
			return fmt.Errorf("load indicators: %w", err)
		}
		s.indicators = append(s.indicators, in)
	}
	return rows.Err()
}

var (
	hexPattern    = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	domainPattern = regexp.MustCompile(`^([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?\.)*[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?\.?$`)
)

// checkIndicator checks an indicator and puts its value in canonical form.
func checkIndicator(in *agentproto.Indicator) error {
	in.Value = strings.TrimSpace(in.Value)
	hexLen := map[string]int{agentproto.IndicatorFileSha256: 64, agentproto.IndicatorFileSha1: 40, agentproto.IndicatorFileMd5: 32}
	switch in.Type {
	case agentproto.IndicatorFileSha256, agentproto.IndicatorFileSha1, agentproto.IndicatorFileMd5:
		if len(in.Value) != hexLen[in.Type] || !hexPattern.MatchString(in.Value) {
			return fmt.Errorf("%w: a %s indicator is %d hex digits", ErrInvalid, in.Type, hexLen[in.Type])
		}
		in.Value = strings.ToLower(in.Value)
	case agentproto.IndicatorIPAddress:
		ip := net.ParseIP(in.Value)
		if ip == nil {
			return fmt.Errorf("%w: %q is not an IP address", ErrInvalid, in.Value)
		}
		in.Value = ip.String()
	case agentproto.IndicatorDomainName:
		if len(in.Value) > 253 || !domainPattern.MatchString(in.Value) || net.ParseIP(in.Value) != nil {
			return fmt.Errorf("%w: %q is not a domain name", ErrInvalid, in.Value)
		}
		in.Value = strings.ToLower(strings.TrimSuffix(in.Value, "."))
	case agentproto.IndicatorURL:
		u, err := url.Parse(in.Value)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || len(in.Value) > 2048 {
			return fmt.Errorf("%w: %q is not an http(s) URL", ErrInvalid, in.Value)
		}
	default:
		return fmt.Errorf("%w: indicatorType %q (FileSha256, FileSha1, FileMd5, IpAddress, DomainName, Url)", ErrInvalid, in.Type)
	}
	switch in.Action {
	case agentproto.ActionAlert, agentproto.ActionBlock:
	case "":
		in.Action = agentproto.ActionAlert
	default:
		return fmt.Errorf("%w: action %q (Alert, Block)", ErrInvalid, in.Action)
	}
	switch in.Severity {
	case "Informational", "Low", "Medium", "High":
	case "":
		in.Severity = "Medium"
	default:
		return fmt.Errorf("%w: severity %q (Informational, Low, Medium, High)", ErrInvalid, in.Severity)
	}
	if len(in.MachineGroups) > 100 {
		return fmt.Errorf("%w: at most 100 rbacGroupNames", ErrInvalid)
	}
	for _, g := range in.MachineGroups {
		if strings.TrimSpace(g) == "" || len(g) > 256 {
			return fmt.Errorf("%w: rbacGroupNames must be non-empty names of at most 256 characters", ErrInvalid)
		}
	}
	if strings.TrimSpace(in.Title) == "" || len(in.Title) > 512 {
		return fmt.Errorf("%w: an indicator needs a title of at most 512 characters", ErrInvalid)
	}
	return nil
}

// CreateIndicator adds an indicator, or replaces the one of the same type
// and value (as Defender's API does). by names who asked.
func (s *Service) CreateIndicator(ctx context.Context, in agentproto.Indicator, by string) (agentproto.Indicator, error) {
	if err := checkIndicator(&in); err != nil {
		return in, err
	}
	if !in.Expires.IsZero() {
		in.Expires = in.Expires.UTC()
		if !in.Expires.After(s.now()) {
			return in, fmt.Errorf("%w: expirationTime is in the past", ErrInvalid)
		}
	}
	s.indMu.Lock()
	defer s.indMu.Unlock()
	in.ID = ""
	for _, old := range s.indicators {
		if old.Type == in.Type && old.Value == in.Value {
			in.ID = old.ID
		}
	}
	if in.ID == "" {
		in.ID = newUUID()
	}
	def, _ := json.Marshal(in)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO goshawk.indicators VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition`,
		in.ID, string(def), s.now().UTC(), by); err != nil {
		return in, fmt.Errorf("record indicator: %w", err)
	}
	next := []agentproto.Indicator{}
	for _, old := range s.indicators {
		if old.ID != in.ID {
			next = append(next, old)
		}
	}
	s.indicators = append(next, in)
	s.audit(ctx, by, "CreateIndicator", "indicator/"+in.ID, string(def))
	return in, nil
}

// DeleteIndicator removes an indicator.
func (s *Service) DeleteIndicator(ctx context.Context, id, by string) error {
	s.indMu.Lock()
	defer s.indMu.Unlock()
	next := []agentproto.Indicator{}
	found := false
	for _, old := range s.indicators {
		if old.ID == id {
			found = true
			continue
		}
		next = append(next, old)
	}
	if !found {
		return fmt.Errorf("indicator %q: %w", id, ErrNotFound)
	}
	if _, err := s.db.ExecContext(ctx, "DELETE FROM goshawk.indicators WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete indicator: %w", err)
	}
	s.indicators = next
	s.audit(ctx, by, "DeleteIndicator", "indicator/"+id, "")
	return nil
}

// Indicators returns the indicators, expired ones included, by type and
// value.
func (s *Service) Indicators(ctx context.Context) []agentproto.Indicator {
	s.indMu.Lock()
	out := append([]agentproto.Indicator{}, s.indicators...)
	s.indMu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// IndicatorSet returns the indicators in force now for a device — not
// expired, and scoped to all devices or to the device's MachineGroup —
// and their version, which changes whenever that set does.
func (s *Service) IndicatorSet(ctx context.Context, deviceID string) agentproto.IndicatorSet {
	now := s.now()
	s.mu.Lock()
	group := ""
	if d, ok := s.devices[deviceID]; ok {
		group, _ = d.Inventory["MachineGroup"].(string)
	}
	s.mu.Unlock()
	set := agentproto.IndicatorSet{Indicators: []agentproto.Indicator{}}
	for _, in := range s.Indicators(ctx) {
		if !in.Expires.IsZero() && !in.Expires.After(now) {
			continue
		}
		if len(in.MachineGroups) > 0 && !slices.Contains(in.MachineGroups, group) {
			continue
		}
		set.Indicators = append(set.Indicators, in)
	}
	b, _ := json.Marshal(set.Indicators)
	sum := sha256.Sum256(b)
	set.Version = hex.EncodeToString(sum[:8])
	return set
}

// IndicatorsVersion is the version of the indicators in force now for a
// device.
func (s *Service) IndicatorsVersion(deviceID string) string {
	return s.IndicatorSet(context.Background(), deviceID).Version
}
