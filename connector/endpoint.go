package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
)

// The Goshawk Endpoint connector.
const (
	EndpointID = "goshawk-endpoint"
	// ProductName is SecurityAlert.ProductName of endpoint alerts.
	ProductName = "Goshawk Endpoint"
	// AlertsDataType is the data type of the alerts: SecurityAlert, and
	// AlertInfo and AlertEvidence (the same alerts in Defender's shape).
	AlertsDataType = "Alerts"
)

// endpointTables are the tables the EDR backend writes, one data type
// each besides the alerts.
var endpointTables = []string{"DeviceInfo", "DeviceNetworkInfo", "DeviceProcessEvents", "DeviceNetworkEvents",
	"DeviceFileEvents", "DeviceLogonEvents", "DeviceEvents", "DeviceRegistryEvents", "DeviceImageLoadEvents",
	"DeviceFileCertificateInfo"}

// EndpointValidationQuery is the first validation query: the endpoint's
// alerts, newest first.
const EndpointValidationQuery = `SecurityAlert | where ProductName == "Goshawk Endpoint" | sort by TimeGenerated desc`

// EndpointDefinition is the Goshawk Endpoint connector.
func EndpointDefinition() Definition {
	d := Definition{
		ID:        EndpointID,
		Title:     "Goshawk Endpoint",
		Publisher: "Goshawk",
		Description: "Alerts and telemetry from the devices onboarded to Goshawk's endpoint sensor: alerts into " +
			"SecurityAlert (and AlertInfo/AlertEvidence), process, network, file, logon and device events into the Device* tables.",
		DataTypes: []DataTypeDef{{Name: AlertsDataType, Tables: []string{"SecurityAlert", "AlertInfo", "AlertEvidence"},
			Count: `SecurityAlert | where ProductName == "Goshawk Endpoint"`}},
		Validation: []string{EndpointValidationQuery},
	}
	for _, t := range endpointTables {
		d.DataTypes = append(d.DataTypes, DataTypeDef{Name: t, Tables: []string{t}, Count: t})
	}
	return d
}

// Endpoint is the endpoint connector at work: the EDR backend's
// edr.Connector, and the writer of SecurityAlert rows for the alerts the
// sensors raise.
type Endpoint struct {
	svc  *Service
	wake chan struct{}

	mu      sync.Mutex
	onWrite func()
}

// OnWrite sets a function called after SecurityAlert rows were written
// (the rule engine wakes, so that incidents follow at once).
func (e *Endpoint) OnWrite(f func()) {
	e.mu.Lock()
	e.onWrite = f
	e.mu.Unlock()
}

var _ edr.Connector = (*Endpoint)(nil)

// Endpoint returns the endpoint connector. Start Run to write the
// SecurityAlert rows.
func (s *Service) Endpoint() *Endpoint {
	return &Endpoint{svc: s, wake: make(chan struct{}, 1)}
}

// Collects implements edr.Connector: the table's data type is enabled.
func (e *Endpoint) Collects(table string) bool {
	switch table {
	case "AlertInfo", "AlertEvidence", "SecurityAlert":
		return e.svc.Enabled(EndpointID, AlertsDataType)
	}
	return e.svc.Enabled(EndpointID, table)
}

// Stored implements edr.Connector: stored alert evidence wakes the
// SecurityAlert writer.
func (e *Endpoint) Stored(deviceID string, rows map[string]int) {
	if rows["AlertEvidence"] == 0 {
		return
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Failed implements edr.Connector.
func (e *Endpoint) Failed(deviceID string, err error) {
	e.svc.recordError(EndpointID, fmt.Errorf("device %s: %w", deviceID, err))
}

// Run writes SecurityAlert rows for new endpoint alerts until ctx ends:
// when the EDR backend stores alert evidence, and every interval to catch
// up (after a restart, or a failed write).
func (e *Endpoint) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := e.Sync(ctx); err != nil && ctx.Err() == nil {
			e.svc.recordError(EndpointID, err)
			e.svc.log.Error("endpoint connector: write SecurityAlert rows", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-t.C:
		}
	}
}

// lookback bounds the alerts Sync considers, by ingestion time.
const lookback = "7d"

// Sync writes the SecurityAlert rows of the endpoint alerts stored
// without one and returns how many it wrote. An alert is complete once
// its device evidence (the sensor sends it last) is stored. Sync is not
// safe for concurrent use: Run calls it.
func (e *Endpoint) Sync(ctx context.Context) (int, error) {
	if !e.svc.Enabled(EndpointID, AlertsDataType) {
		return 0, nil
	}
	now := e.svc.now().UTC()
	opts := query.Options{Now: now}
	pending := fmt.Sprintf(`AlertEvidence
| where ingestion_time() > ago(%[1]s) and EntityType == "Machine" and isnotempty(DeviceId)
| distinct AlertId, DeviceId
| join kind=leftanti (SecurityAlert | where TimeGenerated > ago(%[1]s) and ProductName == %[2]s | project AlertId = VendorOriginalId) on AlertId
| take 100`, lookback, syntax.QuoteString(ProductName))
	rs, err := e.svc.ws.Query(ctx, pending, opts)
	if err != nil {
		return 0, fmt.Errorf("find new endpoint alerts: %w", err)
	}
	var ids, devices []string
	for _, r := range firstTable(rs).Records() {
		id, _ := r["AlertId"].(string)
		dev, _ := r["DeviceId"].(string)
		ids = append(ids, syntax.QuoteString(id))
		devices = append(devices, syntax.QuoteString(dev))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	in := strings.Join(ids, ", ")
	infos, err := e.svc.ws.Query(ctx, "AlertInfo | where AlertId in ("+in+")", opts)
	if err != nil {
		return 0, fmt.Errorf("read endpoint alerts: %w", err)
	}
	evidence, err := e.svc.ws.Query(ctx, "AlertEvidence | where AlertId in ("+in+") | sort by Timestamp asc", opts)
	if err != nil {
		return 0, fmt.Errorf("read endpoint alert evidence: %w", err)
	}
	devInfo, err := e.svc.ws.Query(ctx, "DeviceInfo | where DeviceId in ("+strings.Join(devices, ", ")+
		") | summarize arg_max(TimeGenerated, DeviceName, OSPlatform, OSVersion, OSDistribution, PublicIP, MachineGroup) by DeviceId", opts)
	if err != nil {
		return 0, fmt.Errorf("read device inventory: %w", err)
	}
	byAlert := map[string]*endpointAlert{}
	var order []string
	for _, r := range firstTable(infos).Records() {
		id, _ := r["AlertId"].(string)
		if _, ok := byAlert[id]; !ok {
			order = append(order, id)
		}
		byAlert[id] = &endpointAlert{info: r}
	}
	for _, r := range firstTable(evidence).Records() {
		id, _ := r["AlertId"].(string)
		if a, ok := byAlert[id]; ok {
			a.evidence = append(a.evidence, r)
		}
	}
	hosts := map[string]map[string]any{}
	for _, r := range firstTable(devInfo).Records() {
		id, _ := r["DeviceId"].(string)
		hosts[id] = r
	}
	sort.Strings(order)
	var rows []map[string]any
	for _, id := range order {
		a := byAlert[id]
		a.device = hosts[a.deviceID()]
		al := a.securityAlert(now)
		rows = append(rows, al.Row())
	}
	if len(rows) == 0 {
		return 0, nil
	}
	body, err := json.Marshal(rows)
	if err != nil {
		return 0, err
	}
	bs, _, err := e.svc.ws.Pipeline().Prepare(ctx, ingest.DefaultRuleID, "Custom-SecurityAlert", body, now)
	if err != nil {
		return 0, fmt.Errorf("shape SecurityAlert rows: %w", err)
	}
	if err := e.svc.ws.Pipeline().Commit(ctx, bs...); err != nil {
		return 0, fmt.Errorf("store SecurityAlert rows: %w", err)
	}
	e.mu.Lock()
	f := e.onWrite
	e.mu.Unlock()
	if f != nil {
		f()
	}
	return len(rows), nil
}

// DeviceSource is the endpoint connector's view of the devices.
type DeviceSource struct {
	EDR *edr.Service
}

// Connected implements Source: some device is onboarded and active.
func (d DeviceSource) Connected(ctx context.Context) (bool, string) {
	devs, err := d.EDR.Devices(ctx, edr.DeviceFilter{})
	if err != nil {
		return false, err.Error()
	}
	active := 0
	for _, dv := range devs {
		if dv.Offboarded == nil && dv.HealthStatus == "Active" {
			active++
		}
	}
	switch {
	case len(devs) == 0:
		return false, "no device is onboarded"
	case active == 0:
		return false, "no onboarded device is active"
	}
	return true, ""
}
