package connector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// check returns the named check of the endpoint connector's report.
func check(t *testing.T, f *fixture, name string) (Check, ConnectorReport) {
	t.Helper()
	rep, err := f.svc.Doctor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, cr := range rep.Connectors {
		if cr.ID != EndpointID {
			continue
		}
		for _, c := range cr.Checks {
			if c.Name == name {
				return c, cr
			}
		}
		t.Fatalf("no %q check in %+v", name, cr.Checks)
	}
	t.Fatal("no endpoint connector in the report")
	return Check{}, ConnectorReport{}
}

// TestDoctorSaysWhy: each reason nothing arrives is named, with what to
// do about it.
func TestDoctorSaysWhy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	now := time.Now()

	hb := func(h agentproto.Heartbeat) {
		t.Helper()
		if _, err := f.edr.Heartbeat(ctx, f.dev.ID, h); err != nil {
			t.Fatal(err)
		}
	}
	hb(agentproto.Heartbeat{Time: now, Health: agentproto.Health{SensorHealthState: "Active"}})
	if c, _ := check(t, f, "devices"); !c.OK || !strings.Contains(c.Detail, "1 of 1") {
		t.Errorf("devices with an active device: %+v", c)
	}
	// Enrollment wrote the device's inventory.
	if c, _ := check(t, f, "data"); !c.OK || !strings.Contains(c.Detail, "DeviceInfo 1") {
		t.Errorf("data check with the inventory row: %+v", c)
	}

	// A clock ten minutes ahead.
	hb(agentproto.Heartbeat{Time: time.Now().Add(10 * time.Minute)})
	if c, cr := check(t, f, "clock"); c.OK || !strings.Contains(c.Detail, "ahead of") || c.Fix == "" || cr.Healthy {
		t.Errorf("clock ahead: %+v (healthy %v)", c, cr.Healthy)
	}
	// A backlog on the device.
	hb(agentproto.Heartbeat{Time: time.Now(), Health: agentproto.Health{QueueBytes: 20 << 20, QueueDropped: 3}})
	if c, _ := check(t, f, "queue"); c.OK || !strings.Contains(c.Detail, "20.0 MiB") || !strings.Contains(c.Detail, "dropped 3") {
		t.Errorf("queue backlog: %+v", c)
	}
	// A collector that cannot run is a warning, not a failure.
	hb(agentproto.Heartbeat{Time: time.Now(), Health: agentproto.Health{Collectors: []agentproto.CollectorState{{Name: "file", State: "unsupported", Reason: "no fanotify"}}}})
	if c, _ := check(t, f, "sensors"); !c.Warn || !strings.Contains(c.Detail, "no fanotify") {
		t.Errorf("unsupported collector: %+v", c)
	}
	if c, _ := check(t, f, "clock"); !c.OK {
		t.Errorf("clock after a right heartbeat: %+v", c)
	}

	// Silent longer than the inactive window.
	f.edr.SetClock(func() time.Time { return time.Now().Add(2 * f.edr.Config().InactiveAfter) })
	if c, _ := check(t, f, "devices"); c.OK || !strings.Contains(c.Detail, "none active") || !strings.Contains(c.Detail, f.dev.ID) {
		t.Errorf("inactive device: %+v", c)
	}
	if c, _ := check(t, f, "data"); c.OK || !strings.Contains(c.Detail, "no onboarded device is active") {
		t.Errorf("data check with an inactive device: %+v", c)
	}

	// Data arriving makes the data check pass and the validation query
	// answer.
	f.edr.SetClock(time.Now)
	eicar, _ := sensorAlerts(t)
	f.send(t, eicar)
	if _, err := f.end.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	c, cr := check(t, f, "data")
	if !c.OK || len(cr.Validation) != 1 || cr.Validation[0].Rows != 1 || !strings.Contains(strings.Join(cr.Validation[0].Sample[0], " "), "EICAR") {
		t.Errorf("data %+v, validation %+v", c, cr.Validation)
	}
}

// TestDoctorWithoutDevices: a workspace where nothing is onboarded.
func TestDoctorWithoutDevices(t *testing.T) {
	f := newFixture(t)
	if err := f.edr.Offboard(context.Background(), f.dev.ID, "test"); err != nil {
		t.Fatal(err)
	}
	c, cr := check(t, f, "devices")
	if c.OK || c.Detail != "no device is onboarded" || !strings.Contains(c.Fix, "goshawk onboarding create") || cr.Healthy {
		t.Errorf("no device: %+v", c)
	}
}
