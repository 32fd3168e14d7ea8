package respond

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/internal/netnstest"
)

// hostsResolver answers from a fixed table, as /etc/hosts would.
type hostsResolver map[string][]netip.Addr

func (h hostsResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if as, ok := h[host]; ok {
		return as, nil
	}
	return nil, errors.New("no such host")
}

func TestIsolationInNetworkNamespace(t *testing.T) {
	requireRoot(t)
	netnstest.Require(t)
	p := netnstest.NewPair(t)
	dev, vd, vs := p.Dev, p.DevIf, p.SrvIf
	devNS, srvNS := p.DevPath, p.SrvPath
	const server, otherPort, otherHost, local = "169.254.77.2:7443", "169.254.77.2:7444", "169.254.77.3:7443", "127.0.0.1:7445"
	netnstest.Listen(t, srvNS, "169.254.77.2:7443")
	netnstest.Listen(t, srvNS, "169.254.77.2:7444")
	netnstest.Listen(t, srvNS, "169.254.77.3:7443")
	netnstest.Listen(t, devNS, local)
	netnstest.Listen(t, srvNS, "169.254.77.3:53")
	server6, other6 := "[fe80::2%"+vd+"]:7443", "[fe80::3%"+vd+"]:7443"
	netnstest.Listen(t, srvNS, "[fe80::2%"+vs+"]:7443")
	netnstest.Listen(t, srvNS, "[fe80::3%"+vs+"]:7443")

	check := func(when string, isolated bool) {
		t.Helper()
		// A dropped SYN times out; an accepted one connects at once.
		timeout := 2 * time.Second
		if isolated {
			timeout = 400 * time.Millisecond
		}
		if !netnstest.Reachable(devNS, server, 2*time.Second) {
			t.Errorf("%s: the server %s is unreachable", when, server)
		}
		if !netnstest.Reachable(devNS, local, 2*time.Second) {
			t.Errorf("%s: loopback %s is unreachable", when, local)
		}
		for _, a := range []string{otherPort, otherHost} {
			if got := netnstest.Reachable(devNS, a, timeout); got == isolated {
				t.Errorf("%s: %s reachable = %v, want %v", when, a, got, !isolated)
			}
		}
	}
	check("before isolation", false)

	state := t.TempDir()
	newResponder := func() *Responder {
		t.Helper()
		cfg := Config{StateDir: state, ServerURL: "https://" + server, NetNSPath: devNS}
		v, err := NewVault(cfg.VaultDir())
		if err != nil {
			t.Fatal(err)
		}
		out := &events{}
		det, err := detect.New(detect.Config{Exclude: []string{state}}, out, v)
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(cfg, v, det, out)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ctx := context.Background()
	r := newResponder()
	res := r.Handle(ctx, agentproto.Command{ID: "c1", Type: agentproto.CommandIsolate})
	if res.Status != agentproto.StatusSucceeded || res.Output["servers"] != server {
		t.Fatalf("isolate = %+v", res)
	}
	if !r.Isolated() {
		t.Error("Isolated() = false after isolate")
	}
	check("isolated", true)

	// An agent restart: the table stays, and a new Responder re-applying
	// the state file keeps it.
	r = newResponder()
	if ok, err := r.Reapply(ctx); !ok || err != nil {
		t.Fatalf("Reapply after an agent restart = %v, %v", ok, err)
	}
	check("after an agent restart", true)

	// A host restart loses the kernel's tables; the state file restores
	// isolation at the agent's start.
	if err := removeIsolation(devNS); err != nil {
		t.Fatal(err)
	}
	check("after a simulated reboot, before the agent starts", false)
	r = newResponder()
	if ok, err := r.Reapply(ctx); !ok || err != nil {
		t.Fatalf("Reapply after a host restart = %v, %v", ok, err)
	}
	if ok, err := isolationInstalled(devNS); !ok || err != nil {
		t.Fatalf("table installed after Reapply = %v, %v", ok, err)
	}
	check("after the agent re-applied isolation", true)

	res = r.Handle(ctx, agentproto.Command{ID: "c2", Type: agentproto.CommandRelease})
	if res.Status != agentproto.StatusSucceeded {
		t.Fatalf("release = %+v", res)
	}
	if r.Isolated() {
		t.Error("Isolated() = true after release")
	}
	if _, err := os.Stat(filepath.Join(state, "isolation.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file after release: %v", err)
	}
	check("released", false)
	if ok, err := r.Reapply(ctx); ok || err != nil {
		t.Errorf("Reapply after release = %v, %v; want false, nil", ok, err)
	}
	// An IPv6 server (link-local, reached through neighbour discovery):
	// it stays reachable, the IPv4 one no longer is.
	if !netnstest.Reachable(devNS, server6, 2*time.Second) || !netnstest.Reachable(devNS, other6, 2*time.Second) {
		t.Fatal("IPv6 listeners unreachable before isolation")
	}
	state6 := t.TempDir()
	cfg6 := Config{StateDir: state6, ServerURL: "https://" + strings.Replace(server6, "%", "%25", 1), NetNSPath: devNS}
	v6, _ := NewVault(cfg6.VaultDir())
	r6, err := New(cfg6, v6, mustDetector(t, cfg6, &events{}, v6), &events{})
	if err != nil {
		t.Fatal(err)
	}
	// Flush the neighbour cache so that isolation must let solicitation
	// through.
	netnstest.IP(t, "-n", dev, "neigh", "flush", "dev", vd)
	if res := r6.Handle(ctx, agentproto.Command{ID: "c6", Type: agentproto.CommandIsolate}); res.Status != agentproto.StatusSucceeded {
		t.Fatalf("isolate (IPv6 server) = %+v", res)
	}
	if !netnstest.Reachable(devNS, server6, 2*time.Second) {
		t.Errorf("IPv6 server %s unreachable while isolated", server6)
	}
	for _, a := range []string{other6, server} {
		if netnstest.Reachable(devNS, a, 400*time.Millisecond) {
			t.Errorf("%s reachable while isolated with the IPv6 server", a)
		}
	}
	if res := r6.Handle(ctx, agentproto.Command{ID: "c7", Type: agentproto.CommandRelease}); res.Status != agentproto.StatusSucceeded {
		t.Fatalf("release = %+v", res)
	}

	// A server given by name: DNS to the configured resolvers (and only
	// DNS) stays open, so that the agent can keep resolving it.
	stateDNS := t.TempDir()
	resolv := filepath.Join(stateDNS, "resolv.conf")
	os.WriteFile(resolv, []byte("# test\nnameserver 127.0.0.53\nnameserver 169.254.77.3\noptions edns0\n"), 0o644)
	cfgDNS := Config{StateDir: stateDNS, ServerURL: "https://localhost:7445", NetNSPath: devNS, ResolvConf: []string{resolv}}
	vDNS, _ := NewVault(cfgDNS.VaultDir())
	rDNS, err := New(cfgDNS, vDNS, mustDetector(t, cfgDNS, &events{}, vDNS), &events{})
	if err != nil {
		t.Fatal(err)
	}
	res = rDNS.Handle(ctx, agentproto.Command{ID: "c8", Type: agentproto.CommandIsolate})
	if res.Status != agentproto.StatusSucceeded || res.Output["resolvers"] != "169.254.77.3" {
		t.Fatalf("isolate (server by name) = %+v, want resolvers 169.254.77.3", res)
	}
	if !netnstest.Reachable(devNS, "169.254.77.3:53", 2*time.Second) {
		t.Error("the resolver's DNS port is blocked while isolated with a server given by name")
	}
	if netnstest.Reachable(devNS, otherHost, 400*time.Millisecond) {
		t.Errorf("%s (the resolver's other port) reachable while isolated", otherHost)
	}
	if ok, err := rDNS.Reapply(ctx); !ok || err != nil {
		t.Fatalf("Reapply with resolvers = %v, %v", ok, err)
	}
	if res := rDNS.Handle(ctx, agentproto.Command{ID: "c9", Type: agentproto.CommandRelease}); res.Status != agentproto.StatusSucceeded {
		t.Fatalf("release = %+v", res)
	}

	// IP indicators with the Block action: dropped until they expire or
	// leave the set; Alert ones and other addresses are untouched.
	r.SetIndicators(ctx, agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{Type: agentproto.IndicatorIPAddress, Value: "169.254.77.3", Action: agentproto.ActionBlock, Expires: time.Now().Add(1500 * time.Millisecond)},
		{Type: agentproto.IndicatorIPAddress, Value: "169.254.77.2", Action: agentproto.ActionAlert},
	}})
	if err := r.BlockError(); err != nil {
		t.Fatal(err)
	}
	if netnstest.Reachable(devNS, otherHost, 400*time.Millisecond) || !netnstest.Reachable(devNS, server, 2*time.Second) {
		t.Errorf("with 169.254.77.3 blocked: %s reachable = %v, %s reachable = %v; want false, true",
			otherHost, netnstest.Reachable(devNS, otherHost, 400*time.Millisecond), server, netnstest.Reachable(devNS, server, 2*time.Second))
	}
	time.Sleep(1600 * time.Millisecond)
	if !netnstest.Reachable(devNS, otherHost, 2*time.Second) {
		t.Errorf("%s still blocked after its indicator expired", otherHost)
	}
	r.SetIndicators(ctx, agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{Type: agentproto.IndicatorIPAddress, Value: "169.254.77.3", Action: agentproto.ActionBlock},
	}})
	if netnstest.Reachable(devNS, otherHost, 400*time.Millisecond) {
		t.Errorf("%s reachable while blocked", otherHost)
	}
	r.SetIndicators(ctx, agentproto.IndicatorSet{})
	if !netnstest.Reachable(devNS, otherHost, 2*time.Second) {
		t.Errorf("%s still blocked after its indicator left the set", otherHost)
	}
	r.Close()

	// A domain indicator with the Block action: the addresses its name
	// resolves to are dropped once the detector has resolved it.
	stateDom := t.TempDir()
	cfgDom := Config{StateDir: stateDom, ServerURL: "https://" + server, NetNSPath: devNS}
	vDom, _ := NewVault(cfgDom.VaultDir())
	var rDom *Responder
	resolved := make(chan struct{}, 16)
	detDom, err := detect.New(detect.Config{Exclude: []string{stateDom},
		Resolver:   hostsResolver{"bad.example": {netip.MustParseAddr("169.254.77.3")}},
		OnResolved: func() { rDom.RefreshBlocks(); resolved <- struct{}{} }}, &events{}, vDom)
	if err != nil {
		t.Fatal(err)
	}
	if rDom, err = New(cfgDom, vDom, detDom, &events{}); err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithCancel(ctx)
	defer dcancel()
	go detDom.Run(dctx)
	rDom.SetIndicators(ctx, agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{Type: agentproto.IndicatorDomainName, Value: "bad.example", Action: agentproto.ActionBlock},
	}})
	select {
	case <-resolved:
	case <-time.After(5 * time.Second):
		t.Fatal("the detector did not resolve the domain indicator within 5s")
	}
	if err := rDom.BlockError(); err != nil {
		t.Fatal(err)
	}
	if netnstest.Reachable(devNS, otherHost, 400*time.Millisecond) {
		t.Errorf("%s (bad.example) reachable while its domain is blocked", otherHost)
	}
	if !netnstest.Reachable(devNS, server, 2*time.Second) {
		t.Errorf("%s unreachable while only bad.example is blocked", server)
	}
	rDom.SetIndicators(ctx, agentproto.IndicatorSet{})
	<-resolved
	if !netnstest.Reachable(devNS, otherHost, 2*time.Second) {
		t.Errorf("%s still blocked after the domain indicator left the set", otherHost)
	}
	rDom.Close()

	// Release when not isolated is not an error.
	if res := r.Handle(ctx, agentproto.Command{ID: "c3", Type: agentproto.CommandRelease}); res.Status != agentproto.StatusSucceeded {
		t.Errorf("second release = %+v", res)
	}
}
