package edr

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// SensorHealthState values (DeviceInfo's value set).
const (
	HealthActive       = "Active"
	HealthInactive     = "Inactive"
	HealthMisconfigure = "Misconfigured"
	HealthImpaired     = "Impaired communications"
	HealthNoData       = "No sensor data"
)

// Device is a device as the API shows it (the shape of Defender's machine
// entity, where it has an equivalent).
type Device struct {
	ID             string `json:"id"`
	Name           string `json:"computerDnsName"`
	OSPlatform     string `json:"osPlatform"`
	OSDistribution string `json:"osDistribution,omitempty"`
	OSVersion      string `json:"osVersion,omitempty"`
	OSBuild        string `json:"osBuild,omitempty"`
	OSArchitecture string `json:"osArchitecture,omitempty"`
	Kernel         string `json:"kernel,omitempty"`
	ClientVersion  string `json:"agentVersion,omitempty"`
	// IPAddresses are the addresses the last inventory reported.
	IPAddresses []string  `json:"ipAddresses,omitempty"`
	FirstSeen   time.Time `json:"firstSeen"`
	LastSeen    time.Time `json:"lastSeen"`
	// HealthStatus is DeviceInfo.SensorHealthState now.
	HealthStatus     string `json:"healthStatus"`
	OnboardingStatus string `json:"onboardingStatus"`
	// Offboarded is when the device was offboarded; its certificate is
	// refused from then on.
	Offboarded *time.Time `json:"offboarded,omitempty"`
	// Sensor is the agent's last report of itself.
	Sensor agentproto.Health `json:"sensorHealth"`
	// ClockSkew is how far the device's clock was ahead of the server's
	// (negative: behind) at its last heartbeat, network delay included.
	ClockSkew time.Duration `json:"clockSkewNs,omitempty"`
}

// device is the registry's record of a device.
type device struct {
	Device
	MachineID  string `json:"machineId"`
	CertSerial string `json:"-"`
	// PrevSerial is the certificate a renewal replaced, accepted until
	// the new one is first used.
	PrevSerial string `json:"prevSerial,omitempty"`
	// Inventory is the last DeviceInfo row the agent reported and
	// InvHash/NetHash fingerprint the last inventory, to tell a change.
	Inventory map[string]any `json:"inventory,omitempty"`
	InvHash   string         `json:"invHash,omitempty"`
	NetHash   string         `json:"netHash,omitempty"`
	// Recorded is the SensorHealthState of the last DeviceInfo row and
	// RecordedAt when it was written.
	Recorded   string    `json:"recorded,omitempty"`
	RecordedAt time.Time `json:"recordedAt,omitempty"`
}

func (s *Service) loadDevices(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "SELECT id, machine_id, CAST(info AS VARCHAR), cert_serial, onboarded, last_seen, offboarded FROM goshawk.devices")
	if err != nil {
		return fmt.Errorf("load devices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d := &device{}
		var info string
		var off sql.NullTime
		var first, last time.Time
		var id, mid, serial string
		if err := rows.Scan(&id, &mid, &info, &serial, &first, &last, &off); err != nil {
			return fmt.Errorf("load devices: %w", err)
		}
		if err := json.Unmarshal([]byte(info), d); err != nil {
			return fmt.Errorf("load device %s: %w", id, err)
		}
		d.ID, d.MachineID, d.CertSerial = id, mid, serial
		d.FirstSeen, d.LastSeen = first.UTC(), last.UTC()
		d.Offboarded = nil
		if off.Valid {
			t := off.Time.UTC()
			d.Offboarded = &t
		}
		s.devices[id] = d
	}
	return rows.Err()
}

// persist writes d's record (the caller holds s.mu or owns d).
func (s *Service) persist(ctx context.Context, d *device) error {
	info, err := json.Marshal(d)
	if err != nil {
		return err
	}
	var off any
	if d.Offboarded != nil {
		off = *d.Offboarded
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE goshawk.devices SET info = ?, cert_serial = ?, last_seen = ?, health = ?, offboarded = ? WHERE id = ?`,
		string(info), d.CertSerial, d.LastSeen, d.Recorded, off, d.ID); err != nil {
		return fmt.Errorf("record device %s: %w", d.ID, err)
	}
	return nil
}

func (s *Service) recordEnrollment(ctx context.Context, id string, req agentproto.EnrollRequest, serial string) (*device, error) {
	now := s.now().UTC()
	s.mu.Lock()
	old := s.devices[id]
	s.mu.Unlock()
	d := &device{}
	if old != nil {
		cp := *old
		d = &cp
	} else {
		d.ID, d.FirstSeen = id, now
	}
	d.MachineID = req.MachineID
	d.Name = req.Hostname
	d.OSPlatform, d.OSDistribution, d.OSVersion, d.OSBuild = req.OS.Platform, req.OS.Distribution, req.OS.Version, req.OS.Build
	d.OSArchitecture, d.Kernel, d.ClientVersion = req.OS.Architecture, req.OS.Kernel, req.ClientVersion
	d.LastSeen, d.Offboarded, d.CertSerial = now, nil, serial
	d.OnboardingStatus = "Onboarded"
	d.Sensor = agentproto.Health{SensorHealthState: HealthActive}
	info, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	// Writes of a device's row are serialized by s.mu (heartbeats from
	// the old certificate may still arrive), so that DuckDB sees no
	// conflicting updates. The device's batch lock keeps an event batch
	// of the old agent from committing its Seq after the reset below.
	defer s.batches.lock(id)()
	s.mu.Lock()
	defer s.mu.Unlock()
	if old == nil {
		_, err = s.db.ExecContext(ctx, `INSERT INTO goshawk.devices (id, machine_id, info, cert_serial, onboarded, last_seen, health) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, req.MachineID, string(info), serial, now, now, HealthActive)
	} else {
		_, err = s.db.ExecContext(ctx, `UPDATE goshawk.devices SET machine_id = ?, info = ?, cert_serial = ?, last_seen = ?, offboarded = NULL WHERE id = ?`,
			req.MachineID, string(info), serial, now, id)
	}
	if err != nil {
		return nil, fmt.Errorf("record device %s: %w", id, err)
	}
	// A newly enrolled agent numbers its batches afresh.
	if _, err := s.db.ExecContext(ctx, "DELETE FROM goshawk.agent_cursor WHERE device_id = ?", id); err != nil {
		return nil, fmt.Errorf("reset the event cursor of %s: %w", id, err)
	}
	s.devices[id] = d
	return d, nil
}

// DeviceForCert returns the device a verified client certificate
// authenticates: ErrUnknownDevice when it names no device or is not the
// device's current certificate, ErrOffboarded after offboarding.
func (s *Service) DeviceForCert(cert *x509.Certificate) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[cert.Subject.CommonName]
	if !ok {
		return Device{}, ErrUnknownDevice
	}
	switch serial := cert.SerialNumber.Text(16); {
	case serial == d.CertSerial:
		d.PrevSerial = "" // the renewed certificate arrived: the old one is done
	case d.PrevSerial != "" && serial == d.PrevSerial:
	default:
		return Device{}, ErrUnknownDevice
	}
	if d.Offboarded != nil {
		return Device{}, ErrOffboarded
	}
	return d.Device, nil
}

// Renew signs a new certificate for an enrolled device, which presented
// the certificate whose serial is current (hex).
func (s *Service) Renew(ctx context.Context, id, current string, req agentproto.RenewRequest) (agentproto.EnrollResponse, error) {
	var resp agentproto.EnrollResponse
	if s.ca == nil {
		return resp, ErrNoCA
	}
	csr, err := parseCSR(req.CSR)
	if err != nil {
		return resp, err
	}
	certPEM, err := s.ca.SignClient(csr.PublicKey, id, s.cfg.CertValidity)
	if err != nil {
		return resp, err
	}
	blk, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return resp, err
	}
	s.mu.Lock()
	d, ok := s.devices[id]
	if !ok {
		s.mu.Unlock()
		return resp, ErrUnknownDevice
	}
	if current == d.CertSerial {
		d.PrevSerial = d.CertSerial
	}
	d.CertSerial = cert.SerialNumber.Text(16)
	cp := *d
	err = s.persist(ctx, &cp)
	s.mu.Unlock()
	if err != nil {
		return resp, err
	}
	s.audit(ctx, "device/"+id, "RenewCertificate", "device/"+id, fmt.Sprintf(`{"serial":%q,"expires":%q}`, cp.CertSerial, cert.NotAfter.UTC().Format(time.RFC3339)))
	return agentproto.EnrollResponse{DeviceID: id, Certificate: string(certPEM), CACert: string(s.ca.CertPEM), HeartbeatSeconds: int(s.cfg.HeartbeatInterval / time.Second)}, nil
}

// health is d's SensorHealthState at now (the caller holds s.mu).
func (s *Service) health(d *device, now time.Time) string {
	if d.Offboarded != nil || now.Sub(d.LastSeen) > s.cfg.InactiveAfter {
		return HealthInactive
	}
	return agentHealth(d.Sensor.SensorHealthState)
}

// InfoEvery is the longest a device goes without a DeviceInfo row, as in
// Defender, where every device has at least one a day.
const InfoEvery = 24 * time.Hour

// due reports whether d needs a DeviceInfo row at now: its health changed
// since the last one, or the last one is a day old (the caller holds s.mu
// or owns d).
func (s *Service) due(d *device, now time.Time) bool {
	if s.health(d, now) != d.Recorded {
		return true
	}
	return d.Offboarded == nil && now.Sub(d.RecordedAt) >= InfoEvery
}

// agentHealth maps the agent's SensorHealthState to the value set.
func agentHealth(v string) string {
	switch strings.ToLower(strings.ReplaceAll(v, " ", "")) {
	case "", "active":
		return HealthActive
	case "impairedcommunication", "impairedcommunications":
		return HealthImpaired
	case "nosensordata":
		return HealthNoData
	case "misconfigured":
		return HealthMisconfigure
	case "inactive":
		return HealthInactive
	}
	return HealthMisconfigure
}

// view is d as the API shows it at now (the caller holds s.mu).
func (s *Service) view(d *device, now time.Time) Device {
	v := d.Device
	v.HealthStatus = s.health(d, now)
	v.IPAddresses = slices.Clone(d.IPAddresses)
	v.Sensor.Collectors = slices.Clone(d.Sensor.Collectors)
	return v
}

// DeviceFilter selects devices.
type DeviceFilter struct {
	// Name matches a substring of the name, ignoring case.
	Name string
	// Health is a SensorHealthState.
	Health string
	// OS matches the OS platform, ignoring case.
	OS string
	// SeenAfter keeps devices seen at or after it.
	SeenAfter time.Time
}

// Devices lists the devices f selects, by name.
func (s *Service) Devices(ctx context.Context, f DeviceFilter) ([]Device, error) {
	now := s.now()
	s.mu.Lock()
	var out []Device
	for _, d := range s.devices {
		v := s.view(d, now)
		if f.Name != "" && !strings.Contains(strings.ToLower(v.Name), strings.ToLower(f.Name)) {
			continue
		}
		if f.Health != "" && !strings.EqualFold(v.HealthStatus, f.Health) {
			continue
		}
		if f.OS != "" && !strings.EqualFold(v.OSPlatform, f.OS) {
			continue
		}
		if !f.SeenAfter.IsZero() && v.LastSeen.Before(f.SeenAfter) {
			continue
		}
		out = append(out, v)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Device returns one device by id (or by name when one device has it).
func (s *Service) Device(ctx context.Context, idOrName string) (Device, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.devices[idOrName]; ok {
		return s.view(d, now), nil
	}
	var found *device
	for _, d := range s.devices {
		if strings.EqualFold(d.Name, idOrName) {
			if found != nil {
				return Device{}, fmt.Errorf("%w: several devices are named %q; give the id", ErrInvalid, idOrName)
			}
			found = d
		}
	}
	if found == nil {
		return Device{}, fmt.Errorf("device %q: %w", idOrName, ErrNotFound)
	}
	return s.view(found, now), nil
}

// Heartbeat records that a device is alive and how it is.
func (s *Service) Heartbeat(ctx context.Context, id string, hb agentproto.Heartbeat) (agentproto.HeartbeatResponse, error) {
	now := s.now().UTC()
	s.mu.Lock()
	d, ok := s.devices[id]
	if !ok {
		s.mu.Unlock()
		return agentproto.HeartbeatResponse{}, ErrUnknownDevice
	}
	d.LastSeen = now
	d.Sensor = hb.Health
	if !hb.Time.IsZero() {
		d.ClockSkew = hb.Time.Sub(now)
	}
	if len(d.Sensor.Collectors) > 64 {
		d.Sensor.Collectors = d.Sensor.Collectors[:64]
	}
	if hb.ClientVersion != "" && len(hb.ClientVersion) <= 64 {
		d.ClientVersion = hb.ClientVersion
	}
	changed := s.due(d, now)
	cp := *d
	err := s.persist(ctx, &cp)
	s.mu.Unlock()
	if err != nil {
		return agentproto.HeartbeatResponse{}, err
	}
	if changed {
		if err := s.writeDeviceInfo(ctx, &cp); err != nil {
			return agentproto.HeartbeatResponse{}, err
		}
	}
	pending, err := s.hasPending(ctx, id)
	if err != nil {
		return agentproto.HeartbeatResponse{}, err
	}
	return agentproto.HeartbeatResponse{IndicatorsVersion: s.IndicatorsVersion(id), CommandsPending: pending}, nil
}

// Sweep records a DeviceInfo row for every device whose health changed
// since its last one (typically: silent too long, now Inactive).
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	s.mu.Lock()
	var changed []device
	for _, d := range s.devices {
		if s.due(d, now) {
			changed = append(changed, *d)
		}
	}
	s.mu.Unlock()
	for i := range changed {
		if err := s.writeDeviceInfo(ctx, &changed[i]); err != nil {
			return err
		}
	}
	return nil
}

// Offboard marks a device offboarded: its certificate is refused from
// then on. by names who asked.
func (s *Service) Offboard(ctx context.Context, id, by string) error {
	now := s.now().UTC()
	s.mu.Lock()
	d, ok := s.devices[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("device %q: %w", id, ErrNotFound)
	}
	d.Offboarded = &now
	cp := *d
	err := s.persist(ctx, &cp)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.audit(ctx, by, "OffboardDevice", "device/"+id, "")
	return s.writeDeviceInfo(ctx, &cp)
}

// Inventory records a device's inventory: DeviceInfo and
// DeviceNetworkInfo rows when it changed since the last one.
func (s *Service) Inventory(ctx context.Context, id string, inv agentproto.Inventory) error {
	cat := s.ws.Store()
	info, _ := cat.Table("DeviceInfo")
	net, _ := cat.Table("DeviceNetworkInfo")
	if inv.DeviceInfo == nil {
		inv.DeviceInfo = map[string]any{}
	}
	if err := checkRow(info, inv.DeviceInfo); err != nil {
		return err
	}
	if len(inv.DeviceNetworkInfo) > 1024 {
		return fmt.Errorf("%w: more than 1024 network adapters", ErrInvalid)
	}
	for i, r := range inv.DeviceNetworkInfo {
		if err := checkRow(net, r); err != nil {
			return fmt.Errorf("deviceNetworkInfo[%d]: %w", i, err)
		}
	}
	invHash, netHash := fingerprint(inv.DeviceInfo), fingerprint(inv.DeviceNetworkInfo)
	now := s.now().UTC()
	s.mu.Lock()
	d, ok := s.devices[id]
	if !ok {
		s.mu.Unlock()
		return ErrUnknownDevice
	}
	d.LastSeen = now
	invChanged := invHash != d.InvHash
	netChanged := netHash != d.NetHash
	d.Inventory, d.InvHash, d.NetHash = inv.DeviceInfo, invHash, netHash
	if n, ok := inv.DeviceInfo["DeviceName"].(string); ok && n != "" && len(n) <= 255 {
		d.Name = n
	}
	d.IPAddresses = ipAddresses(inv.DeviceNetworkInfo)
	cp := *d
	err := s.persist(ctx, &cp)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if invChanged || s.due(&cp, now) {
		if err := s.writeDeviceInfo(ctx, &cp); err != nil {
			return err
		}
	}
	if netChanged && len(inv.DeviceNetworkInfo) > 0 {
		rows := make([]map[string]any, len(inv.DeviceNetworkInfo))
		base := reportBase(now)
		for i, r := range inv.DeviceNetworkInfo {
			row := map[string]any{}
			for k, v := range r {
				row[k] = v
			}
			row["Timestamp"] = now.Format(time.RFC3339Nano)
			row["DeviceId"], row["DeviceName"] = cp.ID, cp.Name
			row["OnboardingStatus"] = "Onboarded"
			row["ReportId"] = base + int64(i)
			rows[i] = row
		}
		if err := s.ingestRows(ctx, cp.ID, "DeviceNetworkInfo", rows); err != nil {
			return err
		}
	}
	return nil
}

// writeDeviceInfo appends a DeviceInfo row describing d now and records
// its health as the last one written.
func (s *Service) writeDeviceInfo(ctx context.Context, d *device) error {
	now := s.now().UTC()
	s.mu.Lock()
	health := s.health(d, now)
	s.mu.Unlock()
	row := map[string]any{}
	for k, v := range d.Inventory {
		row[k] = v
	}
	set := func(col, v string) {
		if cur, _ := row[col].(string); cur == "" && v != "" {
			row[col] = v
		}
	}
	set("OSPlatform", d.OSPlatform)
	set("OSVersion", d.OSVersion)
	set("OSDistribution", d.OSDistribution)
	set("ClientVersion", d.ClientVersion)
	set("DeviceCategory", "Endpoint")
	set("DeviceType", "Workstation")
	if a := architecture(d.OSArchitecture); a != "" {
		set("OSArchitecture", a)
	}
	if _, ok := row["OSBuild"]; !ok {
		if n, err := strconv.ParseInt(d.OSBuild, 10, 64); err == nil {
			row["OSBuild"] = n
		}
	}
	row["Timestamp"] = now.Format(time.RFC3339Nano)
	row["DeviceId"], row["DeviceName"] = d.ID, d.Name
	row["OnboardingStatus"] = "Onboarded"
	row["SensorHealthState"] = health
	row["ReportId"] = reportBase(now)
	if err := s.ingestRows(ctx, d.ID, "DeviceInfo", []map[string]any{row}); err != nil {
		return err
	}
	s.mu.Lock()
	if cur, ok := s.devices[d.ID]; ok {
		cur.Recorded, cur.RecordedAt = health, now
		d.Recorded, d.RecordedAt = health, now
		cp := *cur
		s.mu.Unlock()
		return s.persist(ctx, &cp)
	}
	s.mu.Unlock()
	return nil
}

// architecture maps an agent's architecture to DeviceInfo's value set.
func architecture(a string) string {
	switch strings.ToLower(a) {
	case "64-bit", "amd64", "x86_64", "x64", "arm64", "aarch64", "ppc64le", "s390x", "riscv64":
		return "64-bit"
	case "32-bit", "386", "i386", "i686", "x86", "arm", "armv7l":
		return "32-bit"
	}
	return ""
}

// reportBase makes ReportIds for rows the server writes: microseconds
// since the epoch, unique enough per device.
func reportBase(t time.Time) int64 { return t.UnixMicro() }

func fingerprint(v any) string {
	b, _ := json.Marshal(v) // maps marshal with sorted keys
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func ipAddresses(rows []map[string]any) []string {
	var out []string
	for _, r := range rows {
		switch v := r["IPAddresses"].(type) {
		case string:
			var list []struct {
				IPAddress string `json:"IPAddress"`
			}
			if json.Unmarshal([]byte(v), &list) == nil {
				for _, a := range list {
					out = append(out, a.IPAddress)
				}
			}
		case []any:
			for _, x := range v {
				if m, ok := x.(map[string]any); ok {
					if a, ok := m["IPAddress"].(string); ok {
						out = append(out, a)
					}
				}
			}
		}
	}
	return out
}
