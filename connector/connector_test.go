package connector

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/workspace"
)

type fixture struct {
	ws   *workspace.Workspace
	edr  *edr.Service
	svc  *Service
	end  *Endpoint
	dev  edr.Device
	seq  uint64
	rept int64
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newFixture opens a workspace with its EDR backend and connectors, and
// enrolls a device.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	ws, err := workspace.Open(ctx, dir, workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := edr.New(ctx, ws, bundle.CA, edr.DefaultConfig(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(ctx, ws, quiet())
	if err != nil {
		t.Fatal(err)
	}
	end := svc.Endpoint()
	e.SetConnector(end)
	svc.SetSource(EndpointID, DeviceSource{EDR: e})
	pkg, err := e.CreateOnboarding(ctx, edr.OnboardingRequest{ServerURL: "https://h:1"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	r, err := e.Enroll(ctx, pkg.Token, agentproto.EnrollRequest{CSR: csr, Hostname: "web01.corp.example", MachineID: "m1",
		OS: agentproto.OSInfo{Platform: "Linux", Version: "6.8"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	dev, err := e.Device(ctx, r.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{ws: ws, edr: e, svc: svc, end: end, dev: dev}
}

// send stores events as the device's next batch.
func (f *fixture) send(t *testing.T, evs []agentproto.Event) {
	t.Helper()
	for i := range evs {
		f.rept++
		evs[i].ReportID = f.rept
	}
	f.seq++
	if _, err := f.edr.IngestEvents(context.Background(), f.dev, agentproto.EventBatch{Seq: f.seq, Events: evs}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) rows(t *testing.T, kql string) []map[string]any {
	t.Helper()
	rs, err := f.ws.Query(context.Background(), kql, query.Options{})
	if err != nil {
		t.Fatalf("%s: %v", kql, err)
	}
	return firstTable(rs).Records()
}

// recorder keeps what a detector emits.
type recorder struct {
	mu  sync.Mutex
	evs []agentproto.Event
}

func (r *recorder) Emit(e agentproto.Event) { r.mu.Lock(); r.evs = append(r.evs, e); r.mu.Unlock() }

// sensorAlerts makes the sensor's own rows for two alerts: the EICAR file
// written by a process, and a connection to an indicator's domain.
func sensorAlerts(t *testing.T) (eicar, network []agentproto.Event) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "eicar.com")
	os.WriteFile(path, detect.EICAR(), 0o644)
	rec := &recorder{}
	d, err := detect.New(detect.Config{}, rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	by := sensor.Process{PID: 4242, ParentPID: 1, Name: "curl", Path: "/usr/bin/curl", CommandLine: "curl -o eicar.com http://x",
		AccountName: "alice", AccountUID: 1000, SHA256: strings.Repeat("ab", 32), SHA1: strings.Repeat("cd", 20), StartTime: time.Now().UnixNano()}
	if det, err := d.ScanFile(context.Background(), path, by); det == nil || err != nil {
		t.Fatalf("ScanFile = %v, %v", det, err)
	}
	for _, ev := range rec.evs {
		if strings.HasPrefix(ev.Table, "Alert") {
			eicar = append(eicar, ev)
		}
	}
	rec.evs = nil
	d.SetIndicators(context.Background(), agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{ID: "i1", Type: agentproto.IndicatorIPAddress, Value: "203.0.113.9", Action: agentproto.ActionAlert, Title: "Known C2", Severity: "High"}}})
	d.Connected(context.Background(), sensor.Connection{ActionType: "ConnectionSuccess", Protocol: "Tcp",
		Local: netip.MustParseAddrPort("10.0.0.5:40000"), Remote: netip.MustParseAddrPort("203.0.113.9:443"), Process: by})
	network = append(network, rec.evs...)
	return eicar, network
}

func TestEndpointAlertBecomesSecurityAlert(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	eicar, network := sensorAlerts(t)

	// An alert split over two batches is written once it is complete
	// (the device evidence comes last).
	f.send(t, eicar[:2])
	if n, err := f.end.Sync(ctx); n != 0 || err != nil {
		t.Fatalf("Sync with half an alert = %d, %v; want 0", n, err)
	}
	f.send(t, eicar[2:])
	f.send(t, network)
	if n, err := f.end.Sync(ctx); n != 2 || err != nil {
		t.Fatalf("Sync = %d, %v; want 2", n, err)
	}
	if n, err := f.end.Sync(ctx); n != 0 || err != nil {
		t.Fatalf("second Sync = %d, %v; want 0 (written once)", n, err)
	}
	got := f.rows(t, `SecurityAlert | where ProductName == "Goshawk Endpoint" | sort by AlertSeverity asc`)
	if testing.Verbose() {
		b, _ := json.MarshalIndent(got, "", "  ")
		t.Logf("%s", b)
	}
	if len(got) != 2 {
		t.Fatalf("%d SecurityAlert rows, want 2", len(got))
	}
	av, c2 := got[0], got[1] // High sorts before Informational
	if av["AlertSeverity"] != "Informational" {
		av, c2 = c2, av
	}
	eicarID, _ := eicar[0].Row["AlertId"].(string)
	for col, want := range map[string]any{
		"AlertName": detect.EICARTitle, "DisplayName": detect.EICARTitle, "AlertSeverity": "Informational",
		"ProductName": "Goshawk Endpoint", "ProviderName": "Goshawk Endpoint", "VendorName": "Goshawk",
		"ProductComponentName": "Antivirus", "AlertType": "Antivirus", "VendorOriginalId": eicarID,
		"CompromisedEntity": "web01.corp.example", "Status": "New", "ResourceId": f.dev.ID, "SourceComputerId": f.dev.ID,
		"Tactics": "CommandAndControl, Execution", "Techniques": `["T1105","T1204"]`, "SubTechniques": `["T1204.002"]`,
		"ConfidenceLevel": "High", "IsIncident": false,
	} {
		if av[col] != want {
			t.Errorf("EICAR alert %s = %#v, want %#v", col, av[col], want)
		}
	}
	if !strings.Contains(av["Description"].(string), "web01.corp.example") || !strings.Contains(av["RemediationSteps"].(string), "EICAR") {
		t.Errorf("Description %q, RemediationSteps %q", av["Description"], av["RemediationSteps"])
	}
	for _, col := range []string{"TimeGenerated", "StartTime", "EndTime", "ProcessingEndTime"} {
		if ts, ok := av[col].(time.Time); !ok || ts.IsZero() {
			t.Errorf("EICAR alert %s = %v, want a time", col, av[col])
		}
	}
	if len(av["SystemAlertId"].(string)) != 36 {
		t.Errorf("SystemAlertId %q is not a GUID", av["SystemAlertId"])
	}
	var ext map[string]string
	if err := json.Unmarshal([]byte(av["ExtendedProperties"].(string)), &ext); err != nil || ext["ThreatName"] == "" || ext["DeviceId"] != f.dev.ID {
		t.Errorf("ExtendedProperties %v (%v)", ext, err)
	}

	// Entities: Sentinel's JSON with $id/$ref.
	ents := entities(t, av["Entities"].(string))
	types := map[string]int{}
	for _, e := range ents {
		types[e["Type"].(string)]++
	}
	for _, typ := range []string{"host", "account", "process", "file", "filehash"} {
		if types[typ] == 0 {
			t.Errorf("EICAR alert has no %s entity: %v", typ, types)
		}
	}
	host := find(ents, "host")
	if host["HostName"] != "web01" || host["DnsDomain"] != "corp.example" || host["MdatpDeviceId"] != f.dev.ID || host["OSFamily"] != "Linux" {
		t.Errorf("host entity %v", host)
	}
	proc := find(ents, "process")
	if proc["CommandLine"] != "curl -o eicar.com http://x" || proc["ProcessId"] != "4242" || ref(proc["Host"]) != host["$id"] {
		t.Errorf("process entity %v", proc)
	}
	if img := byID(ents, ref(proc["ImageFile"])); img["Name"] != "curl" || img["Directory"] != "/usr/bin" {
		t.Errorf("process image %v", img)
	}
	if acc := byID(ents, ref(proc["Account"])); acc["Name"] != "alice" {
		t.Errorf("process account %v", acc)
	}
	var eicarFile map[string]any
	for _, e := range ents {
		if e["Type"] == "file" && e["Name"] == "eicar.com" {
			eicarFile = e
		}
	}
	if eicarFile == nil {
		t.Fatalf("no file entity for eicar.com: %v", ents)
	}
	var algs []string
	for _, h := range eicarFile["FileHashes"].([]any) {
		fh := byID(ents, ref(h))
		algs = append(algs, fh["Algorithm"].(string))
		if fh["Value"] == "" {
			t.Errorf("file hash %v has no value", fh)
		}
	}
	slices.Sort(algs)
	if !slices.Equal(algs, []string{"MD5", "SHA1", "SHA256"}) {
		t.Errorf("eicar.com hashes %v", algs)
	}

	// The network alert: IP entity, severity and tactic from the
	// indicator.
	if c2["AlertName"] != "Known C2" || c2["AlertSeverity"] != "High" || c2["Tactics"] != "CommandAndControl" || c2["AlertType"] != "CustomTI" {
		t.Errorf("network alert %v", c2)
	}
	if ip := find(entities(t, c2["Entities"].(string)), "ip"); ip == nil || ip["Address"] != "203.0.113.9" {
		t.Errorf("network alert ip entity %v", ip)
	}
}

func entities(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("Entities %q: %v", s, err)
	}
	for i, e := range out {
		if e["$id"] != strconv.Itoa(i+1) {
			t.Errorf("entity %d has $id %v", i, e["$id"])
		}
	}
	return out
}

func find(ents []map[string]any, typ string) map[string]any {
	for _, e := range ents {
		if e["Type"] == typ {
			return e
		}
	}
	return nil
}

func ref(v any) any {
	m, _ := v.(map[string]any)
	return m["$ref"]
}

func byID(ents []map[string]any, id any) map[string]any {
	for _, e := range ents {
		if e["$id"] == id {
			return e
		}
	}
	return nil
}

// TestDisabledDataTypesAreNotStored: disabling a data type stops its rows
// (the batch is still acknowledged); the others still arrive; status
// shows both.
func TestDisabledDataTypesAreNotStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	eicar, _ := sensorAlerts(t)
	proc := agentproto.Event{Table: "DeviceProcessEvents", Row: map[string]any{"ActionType": "ProcessCreated", "FileName": "before"}}
	f.send(t, append([]agentproto.Event{proc}, eicar...))
	if _, err := f.svc.SetEnabled(ctx, EndpointID, []string{"alerts"}, false, "test"); err != nil {
		t.Fatal(err)
	}
	eicar2, _ := sensorAlerts(t)
	proc.Row = map[string]any{"ActionType": "ProcessCreated", "FileName": "after"}
	f.send(t, append([]agentproto.Event{proc}, eicar2...))
	if n, err := f.end.Sync(ctx); n != 0 || err != nil {
		t.Errorf("Sync with alerts disabled = %d, %v", n, err)
	}
	if n := len(f.rows(t, "AlertInfo")); n != 1 {
		t.Errorf("%d AlertInfo rows, want 1 (the second alert came while disabled)", n)
	}
	if n := len(f.rows(t, "DeviceProcessEvents | where FileName in ('before', 'after')")); n != 2 {
		t.Errorf("%d DeviceProcessEvents rows, want 2", n)
	}
	st, err := f.svc.Status(ctx, EndpointID)
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range st.DataTypes {
		switch dt.Name {
		case AlertsDataType:
			if dt.Enabled {
				t.Error("Alerts still enabled")
			}
		case "DeviceProcessEvents":
			if !dt.Enabled || dt.RowsLastHour != 2 || dt.LastReceived == nil {
				t.Errorf("DeviceProcessEvents status %+v", dt)
			}
		}
	}
	if !st.Enabled {
		t.Error("connector reported disabled with telemetry enabled")
	}
	// Disabled entirely: nothing is stored, and a new Service (a
	// restart) remembers.
	if _, err := f.svc.SetEnabled(ctx, EndpointID, nil, false, "test"); err != nil {
		t.Fatal(err)
	}
	again, err := New(ctx, f.ws, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if again.Enabled(EndpointID, "DeviceProcessEvents") {
		t.Error("disabled state lost across a restart")
	}
	st, _ = again.Status(ctx, EndpointID)
	if st.Enabled || st.Connected || st.Reason != "the connector is disabled" {
		t.Errorf("status of a disabled connector: %+v", st)
	}
	if _, err := f.svc.SetEnabled(ctx, EndpointID, []string{"NoSuchTable"}, true, "test"); err == nil {
		t.Error("enabling an unknown data type succeeded")
	}
}

// TestDomainIndicatorAlertHasURLEntity: a connection to an address a
// domain indicator resolved to maps to ip and url entities.
func TestDomainIndicatorAlertHasURLEntity(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	d, err := detect.New(detect.Config{}, rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.SetIndicators(context.Background(), agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{ID: "d1", Type: agentproto.IndicatorDomainName, Value: "evil.example", Action: agentproto.ActionBlock}}})
	d.Indicators().SetResolved(map[string][]netip.Addr{"evil.example": {netip.MustParseAddr("198.51.100.7")}})
	d.Connected(context.Background(), sensor.Connection{ActionType: "ConnectionRequest", Protocol: "Tcp",
		Local: netip.MustParseAddrPort("10.0.0.5:40001"), Remote: netip.MustParseAddrPort("198.51.100.7:443"),
		Process: sensor.Process{PID: 7, Name: "wget", Path: "/usr/bin/wget", AccountName: "root"}})
	f.send(t, rec.evs)
	if n, err := f.end.Sync(context.Background()); n != 1 || err != nil {
		t.Fatalf("Sync = %d, %v", n, err)
	}
	row := f.rows(t, "SecurityAlert")[0]
	ents := entities(t, row["Entities"].(string))
	if u := find(ents, "url"); u == nil || u["Url"] != "evil.example" {
		t.Errorf("url entity %v", u)
	}
	if ip := find(ents, "ip"); ip == nil || ip["Address"] != "198.51.100.7" {
		t.Errorf("ip entity %v", ip)
	}
	if !strings.HasPrefix(row["AlertName"].(string), "Blocked connection to a custom indicator") {
		t.Errorf("AlertName %v", row["AlertName"])
	}
}
