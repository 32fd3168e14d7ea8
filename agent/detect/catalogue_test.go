package detect

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/schema"
)

// TestRowsFitTheCatalogue checks every row a detection emits against the
// table catalogue as the server does (a column it lacks refuses the whole
// batch), and the columns with value sets against them.
func TestRowsFitTheCatalogue(t *testing.T) {
	dir := t.TempDir()
	eicarPath := filepath.Join(dir, "eicar.com")
	os.WriteFile(eicarPath, EICAR(), 0o644)
	badPath := filepath.Join(dir, "bad.bin")
	os.WriteFile(badPath, []byte("bad"), 0o644)
	out := &recorder{}
	d, _ := New(Config{}, out, removeQuarantine{})
	d.SetIndicators(context.Background(), agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{ID: "i", Type: agentproto.IndicatorFileSha256, Value: sha256Hex([]byte("bad")), Action: agentproto.ActionBlock, Title: "Bad", Severity: "High"},
	}})
	by := sensor.Process{PID: 10, ParentPID: 1, Name: "sh", Path: "/bin/sh", CommandLine: "sh -c x", AccountName: "root", SHA256: "ab", StartTime: 1}
	for _, p := range []string{eicarPath, badPath} {
		if det, err := d.ScanFile(context.Background(), p, by); det == nil || err != nil {
			t.Fatalf("ScanFile(%s) = %v, %v", p, det, err)
		}
	}
	// A connection to an IP indicator and one to a resolved domain.
	d.SetIndicators(context.Background(), agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{ID: "n", Type: agentproto.IndicatorIPAddress, Value: "192.0.2.1", Action: agentproto.ActionAlert},
		{ID: "m", Type: agentproto.IndicatorDomainName, Value: "evil.example", Action: agentproto.ActionBlock},
	}})
	d.inds.SetResolved(map[string][]netip.Addr{"evil.example": {netip.MustParseAddr("192.0.2.2")}})
	for _, remote := range []string{"192.0.2.1:80", "192.0.2.2:443"} {
		d.Connected(context.Background(), sensor.Connection{ActionType: "ConnectionSuccess", Protocol: "Tcp",
			Local: netip.MustParseAddrPort("10.0.0.1:5000"), Remote: netip.MustParseAddrPort(remote), Process: by})
	}
	cat := schema.Default()
	seen := map[string]bool{}
	for _, ev := range out.evs {
		seen[ev.Table] = true
		tab, ok := cat.Table(ev.Table)
		if !ok {
			t.Fatalf("no table %s", ev.Table)
		}
		for k, v := range ev.Row {
			c, ok := tab.Column(k)
			if !ok || c.Hidden || k == "TenantId" || k == "Type" || k == "SourceSystem" {
				t.Errorf("%s has no agent-writable column %s", ev.Table, k)
				continue
			}
			if vs := cat.ValueSet(ev.Table, k); len(vs) > 0 && !slices.Contains(vs, v.(string)) {
				t.Errorf("%s.%s = %q, not in its value set %v", ev.Table, k, v, vs)
			}
		}
		if at, ok := ev.Row["ActionType"].(string); ok && !slices.Contains(cat.ActionTypes(ev.Table), at) {
			t.Errorf("%s ActionType %q is not documented", ev.Table, at)
		}
	}
	for _, tab := range []string{"AlertInfo", "AlertEvidence", "DeviceEvents"} {
		if !seen[tab] {
			t.Errorf("no %s row", tab)
		}
	}
}
