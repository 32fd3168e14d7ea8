package detect

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// hostsResolver answers from a fixed table, as /etc/hosts would.
type hostsResolver map[string][]netip.Addr

func (h hostsResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if as, ok := h[host]; ok {
		return as, nil
	}
	return nil, errors.New("no such host")
}

var addr = netip.MustParseAddr

func TestNetworkIndicatorMatching(t *testing.T) {
	s := NewIndicators()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	s.Set(agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{ID: "ip", Type: agentproto.IndicatorIPAddress, Value: "203.0.113.7", Action: agentproto.ActionAlert},
		{ID: "ipb", Type: agentproto.IndicatorIPAddress, Value: "203.0.113.8", Action: agentproto.ActionBlock, Expires: now.Add(time.Hour)},
		{ID: "dom", Type: agentproto.IndicatorDomainName, Value: "Bad.Example.", Action: agentproto.ActionBlock},
		{ID: "url", Type: agentproto.IndicatorURL, Value: "http://c2.example/beacon", Action: agentproto.ActionAlert},
		{ID: "urlip", Type: agentproto.IndicatorURL, Value: "http://198.51.100.1/x", Action: agentproto.ActionAlert},
		{ID: "old", Type: agentproto.IndicatorDomainName, Value: "old.example", Action: agentproto.ActionBlock, Expires: now.Add(-time.Minute)},
	}})
	if got, want := s.Hosts(), []string{"bad.example", "c2.example"}; !slices.Equal(got, want) {
		t.Errorf("Hosts() = %v, want %v (no expired indicator, no IP literal)", got, want)
	}
	s.SetResolved(map[string][]netip.Addr{
		"bad.example": {addr("192.0.2.10"), addr("2001:db8::10")},
		"c2.example":  {addr("::ffff:192.0.2.20")},
	})
	for _, c := range []struct {
		a        string
		id, host string
	}{
		{"203.0.113.7", "ip", ""},
		{"::ffff:203.0.113.7", "ip", ""},
		{"192.0.2.10", "dom", "bad.example"},
		{"2001:db8::10", "dom", "bad.example"},
		{"192.0.2.20", "url", "c2.example"},
		{"192.0.2.99", "", ""},
	} {
		ind, host, ok := s.MatchAddr(addr(c.a))
		if ok != (c.id != "") || ind.ID != c.id || host != c.host {
			t.Errorf("MatchAddr(%s) = %q, %q, %v; want %q, %q", c.a, ind.ID, host, ok, c.id, c.host)
		}
	}
	blocks, next := s.BlockAddrs()
	if want := []netip.Addr{addr("192.0.2.10"), addr("203.0.113.8"), addr("2001:db8::10")}; !slices.Equal(blocks, want) {
		t.Errorf("BlockAddrs() = %v, want %v", blocks, want)
	}
	if !next.Equal(now.Add(time.Hour)) {
		t.Errorf("next expiry = %v, want %v", next, now.Add(time.Hour))
	}
	now = now.Add(2 * time.Hour)
	if blocks, next = s.BlockAddrs(); len(blocks) != 2 || !next.IsZero() {
		t.Errorf("after the IP block expired: %v, %v", blocks, next)
	}
}

// TestConnectedRaisesAlerts: the detector resolves indicator host names
// when the set changes, and a connection to a resolved address raises an
// alert with IP, URL, process, user and device evidence, once per image
// and address.
func TestConnectedRaisesAlerts(t *testing.T) {
	out := &recorder{}
	var resolutions atomic.Int32
	d, err := New(Config{
		Resolver:   hostsResolver{"evil.example": {addr("192.0.2.66")}},
		OnResolved: func() { resolutions.Add(1) },
	}, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	d.SetIndicators(ctx, agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{ID: "d1", Type: agentproto.IndicatorDomainName, Value: "evil.example", Action: agentproto.ActionBlock, Severity: "High"},
	}})
	for deadline := time.Now().Add(5 * time.Second); resolutions.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no resolution within 5s of SetIndicators")
		}
	}
	p := sensor.Process{PID: 42, ParentPID: 1, Name: "curl", Path: "/usr/bin/curl", CommandLine: "curl http://evil.example", AccountName: "alice", AccountUID: 1000}
	conn := sensor.Connection{ActionType: "ConnectionRequest", Protocol: "Tcp",
		Local: netip.MustParseAddrPort("10.0.0.5:40000"), Remote: netip.MustParseAddrPort("192.0.2.66:443"), Process: p}
	d.Connected(ctx, conn)
	d.Connected(ctx, conn) // the same image and address: quiet
	d.Connected(ctx, sensor.Connection{Remote: netip.MustParseAddrPort("192.0.2.67:443"), Process: p})

	byEntity := map[string]map[string]any{}
	var info map[string]any
	for _, ev := range out.evs {
		switch ev.Table {
		case "AlertInfo":
			if info != nil {
				t.Fatalf("a second alert: %v", ev.Row)
			}
			info = ev.Row
		case "AlertEvidence":
			byEntity[ev.Row["EntityType"].(string)] = ev.Row
		}
	}
	if info == nil {
		t.Fatal("no AlertInfo row")
	}
	if info["Title"] != "Blocked connection to a custom indicator: DomainName evil.example" || info["Severity"] != "High" ||
		info["DetectionSource"] != DetectionSourceCustomTI || info["Category"] != "CommandAndControl" {
		t.Errorf("AlertInfo = %v", info)
	}
	for entity, want := range map[string]map[string]any{
		"Ip":      {"RemoteIP": "192.0.2.66", "EvidenceDirection": "Destination", "AlertId": info["AlertId"]},
		"Url":     {"RemoteUrl": "evil.example"},
		"Process": {"FileName": "curl", "FolderPath": "/usr/bin/curl", "ProcessCommandLine": p.CommandLine},
		"User":    {"AccountName": "alice"},
		"Machine": {"EvidenceRole": "Impacted"},
	} {
		row, ok := byEntity[entity]
		if !ok {
			t.Errorf("no %s evidence", entity)
			continue
		}
		for k, v := range want {
			if row[k] != v {
				t.Errorf("%s evidence %s = %v, want %v", entity, k, row[k], v)
			}
		}
	}
	if _, detected, _ := d.Stats(); detected != 1 {
		t.Errorf("detected = %d, want 1", detected)
	}
	// Another image connecting to the address alerts again.
	p.Path, p.Name = "/usr/bin/wget", "wget"
	d.Connected(ctx, sensor.Connection{Remote: conn.Remote, Process: p})
	if _, detected, _ := d.Stats(); detected != 2 {
		t.Errorf("detected = %d after a second image, want 2", detected)
	}
}
