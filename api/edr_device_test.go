package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/edr"
)

func enrolled(t *testing.T, e *edrEnv, machine string) *agent {
	t.Helper()
	pkg := e.onboarding(edr.OnboardingRequest{})
	a := newAgent(e)
	if st := a.enroll(pkg.Token, machine); st != http.StatusOK {
		t.Fatalf("enroll = %d", st)
	}
	return a
}

func TestInventoryAndHealth(t *testing.T) {
	cfg := testConfig()
	cfg.InactiveAfter = 500 * time.Millisecond
	cfg.HeartbeatInterval = 100 * time.Millisecond
	e := newEDREnv(t, cfg)
	a := enrolled(t, e, "m1")
	inv := agentproto.Inventory{
		DeviceInfo: map[string]any{"OSVersion": "12.5", "Vendor": "QEMU", "Model": "Standard PC", "ExposureLevel": "Low"},
		DeviceNetworkInfo: []map[string]any{{"NetworkAdapterName": "eth0", "MacAddress": "52-54-00-12-34-56", "NetworkAdapterStatus": "Up",
			"IPAddresses": `[{"IPAddress":"10.0.2.15","SubnetPrefix":24,"AddressType":"Private"}]`}},
	}
	a.must("POST", agentproto.PathInventory, inv, nil)
	a.must("POST", agentproto.PathInventory, inv, nil) // unchanged: no new rows
	if n := e.count(fmt.Sprintf("DeviceInfo | where DeviceId == %q and Vendor == 'QEMU' and OSVersion == '12.5' and OnboardingStatus == 'Onboarded' and SensorHealthState == 'Active'", a.id)); n != 1 {
		t.Errorf("DeviceInfo rows after inventory = %d, want 1", n)
	}
	if n := e.count(fmt.Sprintf("DeviceNetworkInfo | where DeviceId == %q and DeviceName == 'host-m1' and MacAddress == '52-54-00-12-34-56'", a.id)); n != 1 {
		t.Errorf("DeviceNetworkInfo rows = %d, want 1", n)
	}
	d := mustDevice(t, e, a.id)
	if len(d.IPAddresses) != 1 || d.IPAddresses[0] != "10.0.2.15" || d.HealthStatus != edr.HealthActive {
		t.Errorf("device = %+v", d)
	}
	if st, _ := a.do("POST", agentproto.PathInventory, agentproto.Inventory{DeviceInfo: map[string]any{"NoSuchColumn": 1}}, nil, false); st != http.StatusBadRequest {
		t.Errorf("inventory with an unknown column = %d, want 400", st)
	}

	// Silent past the window: Inactive, recorded once by the sweep.
	time.Sleep(700 * time.Millisecond)
	var devs struct{ Value []edr.Device }
	if e.call(auth.Reader, "GET", "/v1/devices?health=Inactive", nil, &devs); len(devs.Value) != 1 {
		t.Fatalf("inactive devices = %d, want 1", len(devs.Value))
	}
	if err := e.svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := fmt.Sprintf("DeviceInfo | where DeviceId == %q and SensorHealthState == 'Inactive'", a.id)
	if n := e.count(q); n != 1 {
		t.Errorf("Inactive DeviceInfo rows = %d, want 1", n)
	}
	// A heartbeat brings it back: Active again, recorded.
	a.must("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{Time: time.Now(), Health: agentproto.Health{SensorHealthState: "Active"}}, nil)
	if d := mustDevice(t, e, a.id); d.HealthStatus != edr.HealthActive {
		t.Errorf("after heartbeat: health %s", d.HealthStatus)
	}
	if n := e.count(fmt.Sprintf("DeviceInfo | where DeviceId == %q | summarize arg_max(Timestamp, SensorHealthState) | where SensorHealthState == 'Active'", a.id)); n != 1 {
		t.Errorf("latest DeviceInfo is not Active")
	}
	// Filters.
	for query, want := range map[string]int{"name=HOST-M": 1, "name=other": 0, "os=linux": 1, "os=Windows10": 0, "health=Active": 1,
		"lastSeenAfter=" + time.Now().Add(time.Hour).UTC().Format(time.RFC3339): 0} {
		if st := e.call(auth.Reader, "GET", "/v1/devices?"+query, nil, &devs); st != http.StatusOK || len(devs.Value) != want {
			t.Errorf("GET /v1/devices?%s = %d, %d devices; want %d", query, st, len(devs.Value), want)
		}
	}
	if st := e.call(auth.Reader, "GET", "/v1/devices/"+a.id, nil, &d); st != http.StatusOK || d.ID != a.id {
		t.Errorf("GET /v1/devices/{id} = %d, %+v", st, d)
	}
	if st := e.call(auth.Reader, "GET", "/v1/devices/nope", nil, nil); st != http.StatusNotFound {
		t.Errorf("GET unknown device = %d, want 404", st)
	}
	if st := e.call(auth.Ingestor, "GET", "/v1/devices", nil, nil); st != http.StatusForbidden {
		t.Errorf("GET /v1/devices as ingestor = %d, want 403", st)
	}
}

func TestTimeline(t *testing.T) {
	e := newEDREnv(t, testConfig())
	a := enrolled(t, e, "m1")
	other := enrolled(t, e, "m2")
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var events []agentproto.Event
	for i := 0; i < 10; i++ {
		events = append(events, processEvent(int64(i+1), fmt.Sprintf("cmd %d", i), base.Add(time.Duration(i)*time.Minute)))
	}
	events = append(events,
		agentproto.Event{Table: "DeviceNetworkEvents", ReportID: 20, Row: map[string]any{"Timestamp": base.Add(30 * time.Second).Format(time.RFC3339), "ActionType": "ConnectionSuccess", "RemoteIP": "10.1.1.1", "RemotePort": 22}},
		agentproto.Event{Table: "DeviceFileEvents", ReportID: 21, Row: map[string]any{"Timestamp": base.Add(90 * time.Second).Format(time.RFC3339), "ActionType": "FileCreated", "FileName": "x.txt", "FolderPath": "/tmp/x.txt"}},
		agentproto.Event{Table: "DeviceLogonEvents", ReportID: 22, Row: map[string]any{"Timestamp": base.Add(150 * time.Second).Format(time.RFC3339), "ActionType": "LogonSuccess", "AccountName": "root", "LogonType": "Interactive"}},
	)
	a.send(agentproto.EventBatch{Seq: 1, Events: events})
	other.send(agentproto.EventBatch{Seq: 1, Events: []agentproto.Event{processEvent(1, "elsewhere", base.Add(time.Hour))}})

	get := func(query string) edr.Timeline {
		t.Helper()
		var tl edr.Timeline
		if st := e.call(auth.Reader, "GET", "/v1/devices/"+a.id+"/timeline?"+query, nil, &tl); st != http.StatusOK {
			t.Fatalf("timeline?%s = %d", query, st)
		}
		return tl
	}
	all := get("limit=100")
	// Enrollment's DeviceInfo row is on the timeline too.
	if len(all.Events) != 14 || all.More {
		t.Fatalf("timeline has %d events (more %v), want 14", len(all.Events), all.More)
	}
	var prev string
	for i, ev := range all.Events {
		ts := fmt.Sprint(ev["Timestamp"])
		if i > 0 && ts > prev {
			t.Errorf("event %d at %s after %s: not newest first", i, ts, prev)
		}
		prev = ts
		if strings.Contains(fmt.Sprint(ev["ProcessCommandLine"]), "elsewhere") {
			t.Errorf("another device's event on the timeline: %v", ev)
		}
	}
	p1, p2 := get("limit=4"), get("limit=4&skip=4")
	if len(p1.Events) != 4 || !p1.More || len(p2.Events) != 4 || fmt.Sprint(p1.Events[3]) == fmt.Sprint(p2.Events[0]) {
		t.Errorf("pages: %d (more %v), %d", len(p1.Events), p1.More, len(p2.Events))
	}
	if fmt.Sprint(p2.Events[0]) != fmt.Sprint(all.Events[4]) {
		t.Errorf("page 2 starts with %v, want %v", p2.Events[0], all.Events[4])
	}
	if tl := get("type=DeviceProcessEvents&limit=100"); len(tl.Events) != 10 {
		t.Errorf("type=DeviceProcessEvents: %d events, want 10", len(tl.Events))
	}
	if tl := get("type=LogonSuccess"); len(tl.Events) != 1 || tl.Events[0]["AccountName"] != "root" {
		t.Errorf("type=LogonSuccess: %v", tl.Events)
	}
	from, to := base.Add(time.Minute).Format(time.RFC3339), base.Add(3*time.Minute).Format(time.RFC3339)
	if tl := get("from=" + from + "&to=" + to); len(tl.Events) != 4 {
		t.Errorf("from %s to %s: %d events, want 4 (2 processes, a file, a logon): %v", from, to, len(tl.Events), tl.Events)
	}
	// Response actions are on the timeline, newest first with the events.
	var act edr.Action
	if st := e.call(auth.Responder, "POST", "/v1/devices/"+a.id+"/actions", edr.ActionRequest{Type: agentproto.CommandScan, Params: map[string]string{"full": "true"}}, &act); st != http.StatusCreated {
		t.Fatalf("scan = %d", st)
	}
	if tl := get("limit=1"); len(tl.Events) != 1 || tl.Events[0]["Table"] != edr.ActionsTable || tl.Events[0]["ActionId"] != act.ID || !tl.More {
		t.Errorf("newest timeline entry = %v, want the scan action", tl.Events)
	}
	if tl := get("type=scan"); len(tl.Events) != 1 || tl.Events[0]["Status"] != edr.StatusPending {
		t.Errorf("type=scan: %v", tl.Events)
	}
	if tl := get("type=DeviceProcessEvents&limit=100"); len(tl.Events) != 10 {
		t.Errorf("type=DeviceProcessEvents with an action queued: %d events, want 10", len(tl.Events))
	}
	if tl := get("limit=100"); len(tl.Events) != 15 {
		t.Errorf("whole timeline: %d entries, want 15", len(tl.Events))
	}
	for _, bad := range []string{"limit=5000", "skip=-1", "from=yesterday", "from=" + to + "&to=" + from, "type=x%22%20or%201==1"} {
		if st := e.call(auth.Reader, "GET", "/v1/devices/"+a.id+"/timeline?"+bad, nil, nil); st != http.StatusBadRequest {
			t.Errorf("timeline?%s = %d, want 400", bad, st)
		}
	}
}

func TestActions(t *testing.T) {
	cfg := testConfig()
	cfg.CommandRetry = 300 * time.Millisecond
	e := newEDREnv(t, cfg)
	a := enrolled(t, e, "m1")
	path := "/v1/devices/" + a.id + "/actions"
	isolate := edr.ActionRequest{Type: agentproto.CommandIsolate, Comment: "incident 7"}
	if st := e.call(auth.Reader, "POST", path, isolate, nil); st != http.StatusForbidden {
		t.Errorf("isolate as reader = %d, want 403", st)
	}
	if st := e.call(auth.Responder, "POST", path, edr.ActionRequest{Type: "format_disk"}, nil); st != http.StatusBadRequest {
		t.Errorf("unknown action = %d, want 400", st)
	}
	if st := e.call(auth.Responder, "POST", path, edr.ActionRequest{Type: agentproto.CommandKillProcess, Params: map[string]string{"pid": "x"}}, nil); st != http.StatusBadRequest {
		t.Errorf("kill without a pid = %d, want 400", st)
	}

	// A long poll started before the action answers when it is queued.
	got := make(chan agentproto.CommandList, 1)
	go func() {
		var cl agentproto.CommandList
		a.do("GET", agentproto.PathCommands, nil, &cl, false)
		got <- cl
	}()
	time.Sleep(200 * time.Millisecond)
	var act edr.Action
	if st := e.call(auth.Responder, "POST", path, isolate, &act); st != http.StatusCreated || act.Status != edr.StatusPending {
		t.Fatalf("isolate as responder = %d, %+v", st, act)
	}
	cl := <-got
	if len(cl.Commands) != 1 || cl.Commands[0].ID != act.ID || cl.Commands[0].Type != agentproto.CommandIsolate || cl.Commands[0].IssuedBy != "token/responder" {
		t.Fatalf("commands = %+v", cl)
	}
	// Not acknowledged: delivered again after CommandRetry (isolation is
	// retried until the device comes back).
	time.Sleep(400 * time.Millisecond)
	var hb agentproto.HeartbeatResponse
	a.must("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, &hb)
	if !hb.CommandsPending {
		t.Error("heartbeat: no commands pending, want the undelivered isolate")
	}
	a.must("GET", agentproto.PathCommands, nil, &cl)
	if len(cl.Commands) != 1 || cl.Commands[0].ID != act.ID {
		t.Fatalf("redelivery: %+v", cl)
	}
	a.must("POST", agentproto.PathCommandResult, agentproto.CommandResult{ID: act.ID, Status: agentproto.StatusSucceeded, Message: "isolated", Finished: time.Now()}, nil)
	if st := e.call(auth.Reader, "GET", "/v1/actions/"+act.ID, nil, &act); st != http.StatusOK || act.Status != agentproto.StatusSucceeded || act.Result == nil || act.Result.Message != "isolated" {
		t.Fatalf("action after result = %d, %+v", st, act)
	}
	var list struct{ Value []edr.Action }
	if e.call(auth.Reader, "GET", path, nil, &list); len(list.Value) != 1 {
		t.Errorf("device actions = %+v", list)
	}
	var auditResp struct{ Value []edr.AuditEntry }
	if st := e.call(auth.Owner, "GET", "/v1/audit?target=device/"+a.id, nil, &auditResp); st != http.StatusOK {
		t.Fatalf("GET /v1/audit = %d", st)
	}
	if st := e.call(auth.Responder, "GET", "/v1/audit", nil, nil); st != http.StatusForbidden {
		t.Errorf("GET /v1/audit as responder = %d, want 403", st)
	}
	audit := auditResp.Value
	var kinds []string
	for _, en := range audit {
		kinds = append(kinds, en.Actor+":"+en.Action)
	}
	if s := strings.Join(kinds, " "); !strings.Contains(s, "token/responder:MachineAction:isolate") || !strings.Contains(s, "MachineActionResult:isolate") {
		t.Errorf("audit = %s", s)
	}

	// Collect: the package is uploaded and downloadable by responders.
	var coll edr.Action
	e.call(auth.Responder, "POST", path, edr.ActionRequest{Type: agentproto.CommandCollect}, &coll)
	if _, err := a.do("PUT", agentproto.PathUploads+"/"+act.ID, "x", nil, false); err == nil {
		t.Error("upload for an isolate action accepted")
	}
	hr, _ := http.NewRequest("PUT", e.srv.URL+agentproto.PathUploads+"/"+coll.ID, strings.NewReader("PK package bytes"))
	resp, err := a.hc.Do(hr)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("upload = %v, %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	hr, _ = http.NewRequest("GET", e.srv.URL+"/v1/actions/"+coll.ID+"/package", nil)
	hr.Header.Set("Authorization", "Bearer "+e.tokens[auth.Responder])
	resp, err = e.client(nil).Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "PK package bytes" {
		t.Errorf("download = %d %q", resp.StatusCode, body)
	}
	if st := e.call(auth.Reader, "GET", "/v1/actions/"+coll.ID+"/package", nil, nil); st != http.StatusForbidden {
		t.Errorf("download as reader = %d, want 403", st)
	}
	// Another device cannot report on this one's action.
	b := enrolled(t, e, "m2")
	if st, _ := b.do("POST", agentproto.PathCommandResult, agentproto.CommandResult{ID: coll.ID, Status: agentproto.StatusFailed}, nil, false); st != http.StatusNotFound {
		t.Errorf("result from another device = %d, want 404", st)
	}
}

func TestIndicators(t *testing.T) {
	e := newEDREnv(t, testConfig())
	a := enrolled(t, e, "m1")
	var set agentproto.IndicatorSet
	a.must("GET", agentproto.PathIndicators, nil, &set)
	v0 := set.Version
	in := agentproto.Indicator{Type: agentproto.IndicatorFileSha256, Value: strings.Repeat("AB", 32), Title: "bad tool", Action: agentproto.ActionBlock, Severity: "High"}
	if st := e.call(auth.Responder, "POST", "/v1/indicators", in, nil); st != http.StatusForbidden {
		t.Errorf("create indicator as responder = %d, want 403", st)
	}
	var created agentproto.Indicator
	if st := e.call(auth.Contributor, "POST", "/v1/indicators", in, &created); st != http.StatusOK || created.ID == "" || created.Value != strings.Repeat("ab", 32) {
		t.Fatalf("create = %d, %+v", st, created)
	}
	for _, bad := range []agentproto.Indicator{
		{Type: agentproto.IndicatorFileSha256, Value: "abc", Title: "x"},
		{Type: agentproto.IndicatorIPAddress, Value: "999.1.1.1", Title: "x"},
		{Type: "Registry", Value: "x", Title: "x"},
		{Type: agentproto.IndicatorDomainName, Value: "evil.example", Title: ""},
		{Type: agentproto.IndicatorURL, Value: "ftp://x", Title: "x"},
	} {
		if st := e.call(auth.Contributor, "POST", "/v1/indicators", bad, nil); st != http.StatusBadRequest {
			t.Errorf("create %+v = %d, want 400", bad, st)
		}
	}
	var hb agentproto.HeartbeatResponse
	a.must("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, &hb)
	if hb.IndicatorsVersion == v0 {
		t.Error("the version did not change when an indicator was added")
	}
	a.must("GET", agentproto.PathIndicators, nil, &set)
	if set.Version != hb.IndicatorsVersion || len(set.Indicators) != 1 || set.Indicators[0].Action != agentproto.ActionBlock {
		t.Errorf("set = %+v, heartbeat version %s", set, hb.IndicatorsVersion)
	}
	v1 := set.Version
	// An indicator that expires leaves the set, and the version changes.
	soon := agentproto.Indicator{Type: agentproto.IndicatorDomainName, Value: "Evil.Example", Title: "c2", Expires: time.Now().Add(300 * time.Millisecond)}
	e.call(auth.Contributor, "POST", "/v1/indicators", soon, nil)
	a.must("GET", agentproto.PathIndicators, nil, &set)
	if len(set.Indicators) != 2 || set.Version == v1 {
		t.Errorf("with the domain: %+v", set)
	}
	time.Sleep(400 * time.Millisecond)
	a.must("GET", agentproto.PathIndicators, nil, &set)
	if len(set.Indicators) != 1 || set.Version != v1 {
		t.Errorf("after expiry: %d indicators, version %s, want 1 and %s", len(set.Indicators), set.Version, v1)
	}
	var list struct{ Value []agentproto.Indicator }
	if st := e.call(auth.Reader, "GET", "/v1/indicators", nil, &list); st != http.StatusOK || len(list.Value) != 2 {
		t.Errorf("GET /v1/indicators = %d, %d", st, len(list.Value))
	}
	if st := e.call(auth.Contributor, "DELETE", "/v1/indicators/"+created.ID, nil, nil); st != http.StatusNoContent {
		t.Errorf("delete = %d", st)
	}
	a.must("GET", agentproto.PathIndicators, nil, &set)
	if len(set.Indicators) != 0 || set.Version != v0 {
		t.Errorf("after delete: %+v, want the empty set's version %s", set, v0)
	}

	// An indicator scoped to a device group reaches only its devices.
	srv := enrolled(t, e, "server-1")
	srv.must("POST", agentproto.PathInventory, agentproto.Inventory{DeviceInfo: map[string]any{"MachineGroup": "servers"}}, nil)
	scoped := agentproto.Indicator{Type: agentproto.IndicatorIPAddress, Value: "192.0.2.7", Title: "scanner", MachineGroups: []string{"servers"}}
	if st := e.call(auth.Contributor, "POST", "/v1/indicators", scoped, nil); st != http.StatusOK {
		t.Fatalf("create scoped = %d", st)
	}
	var other agentproto.IndicatorSet
	srv.must("GET", agentproto.PathIndicators, nil, &other)
	a.must("GET", agentproto.PathIndicators, nil, &set)
	if len(other.Indicators) != 1 || len(set.Indicators) != 0 || set.Version != v0 {
		t.Errorf("scoped indicator: the group's device has %d, another device %d (version %s, want %s)", len(other.Indicators), len(set.Indicators), set.Version, v0)
	}
	srv.must("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, &hb)
	if hb.IndicatorsVersion != other.Version {
		t.Errorf("heartbeat version %s, set version %s", hb.IndicatorsVersion, other.Version)
	}
}
