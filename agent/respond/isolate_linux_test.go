package respond

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/detect"
	"github.com/goshawk-sec/goshawk/agentproto"
	"golang.org/x/sys/unix"
)

func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %v: %v\n%s", args, err, out)
	}
}

// inNetNS runs fn on an OS thread moved into the network namespace at
// path. The thread is never unlocked, so it dies with the goroutine
// instead of returning to the pool in the wrong namespace.
func inNetNS(path string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", path, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// listen starts a TCP listener in a namespace that accepts and closes.
func listen(t *testing.T, ns, addr string) {
	t.Helper()
	var l net.Listener
	if err := inNetNS(ns, func() (err error) { l, err = net.Listen("tcp", addr); return err }); err != nil {
		t.Fatalf("listen %s in %s: %v", addr, ns, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// reachable reports whether a TCP connection to addr from namespace ns
// succeeds within the timeout.
func reachable(ns, addr string, timeout time.Duration) bool {
	err := inNetNS(ns, func() error {
		c, err := net.DialTimeout("tcp", addr, timeout)
		if err == nil {
			c.Close()
		}
		return err
	})
	return err == nil
}

func TestIsolationInNetworkNamespace(t *testing.T) {
	requireRoot(t)
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip tool to create network namespaces")
	}
	var rb [3]byte
	rand.Read(rb[:])
	sfx := hex.EncodeToString(rb[:])
	dev, srv := "gshk-d-"+sfx, "gshk-s-"+sfx
	ipCmd(t, "netns", "add", dev)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", dev).Run() })
	ipCmd(t, "netns", "add", srv)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", srv).Run() })
	vd, vs := "gvd"+sfx, "gvs"+sfx
	ipCmd(t, "link", "add", vd, "netns", dev, "type", "veth", "peer", "name", vs, "netns", srv)
	ipCmd(t, "-n", dev, "addr", "add", "169.254.77.1/24", "dev", vd)
	ipCmd(t, "-n", srv, "addr", "add", "169.254.77.2/24", "dev", vs)
	ipCmd(t, "-n", srv, "addr", "add", "169.254.77.3/24", "dev", vs)
	ipCmd(t, "-n", dev, "addr", "add", "fe80::1/64", "dev", vd, "nodad")
	ipCmd(t, "-n", srv, "addr", "add", "fe80::2/64", "dev", vs, "nodad")
	ipCmd(t, "-n", srv, "addr", "add", "fe80::3/64", "dev", vs, "nodad")
	for _, ns := range [][2]string{{dev, vd}, {srv, vs}} {
		ipCmd(t, "-n", ns[0], "link", "set", ns[1], "up")
		ipCmd(t, "-n", ns[0], "link", "set", "lo", "up")
	}
	devNS, srvNS := filepath.Join("/run/netns", dev), filepath.Join("/run/netns", srv)
	const server, otherPort, otherHost, local = "169.254.77.2:7443", "169.254.77.2:7444", "169.254.77.3:7443", "127.0.0.1:7445"
	listen(t, srvNS, "169.254.77.2:7443")
	listen(t, srvNS, "169.254.77.2:7444")
	listen(t, srvNS, "169.254.77.3:7443")
	listen(t, devNS, local)
	listen(t, srvNS, "169.254.77.3:53")
	server6, other6 := "[fe80::2%"+vd+"]:7443", "[fe80::3%"+vd+"]:7443"
	listen(t, srvNS, "[fe80::2%"+vs+"]:7443")
	listen(t, srvNS, "[fe80::3%"+vs+"]:7443")

	check := func(when string, isolated bool) {
		t.Helper()
		// A dropped SYN times out; an accepted one connects at once.
		timeout := 2 * time.Second
		if isolated {
			timeout = 400 * time.Millisecond
		}
		if !reachable(devNS, server, 2*time.Second) {
			t.Errorf("%s: the server %s is unreachable", when, server)
		}
		if !reachable(devNS, local, 2*time.Second) {
			t.Errorf("%s: loopback %s is unreachable", when, local)
		}
		for _, a := range []string{otherPort, otherHost} {
			if got := reachable(devNS, a, timeout); got == isolated {
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
	if !reachable(devNS, server6, 2*time.Second) || !reachable(devNS, other6, 2*time.Second) {
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
	ipCmd(t, "-n", dev, "neigh", "flush", "dev", vd)
	if res := r6.Handle(ctx, agentproto.Command{ID: "c6", Type: agentproto.CommandIsolate}); res.Status != agentproto.StatusSucceeded {
		t.Fatalf("isolate (IPv6 server) = %+v", res)
	}
	if !reachable(devNS, server6, 2*time.Second) {
		t.Errorf("IPv6 server %s unreachable while isolated", server6)
	}
	for _, a := range []string{other6, server} {
		if reachable(devNS, a, 400*time.Millisecond) {
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
	if !reachable(devNS, "169.254.77.3:53", 2*time.Second) {
		t.Error("the resolver's DNS port is blocked while isolated with a server given by name")
	}
	if reachable(devNS, otherHost, 400*time.Millisecond) {
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
	if reachable(devNS, otherHost, 400*time.Millisecond) || !reachable(devNS, server, 2*time.Second) {
		t.Errorf("with 169.254.77.3 blocked: %s reachable = %v, %s reachable = %v; want false, true",
			otherHost, reachable(devNS, otherHost, 400*time.Millisecond), server, reachable(devNS, server, 2*time.Second))
	}
	time.Sleep(1600 * time.Millisecond)
	if !reachable(devNS, otherHost, 2*time.Second) {
		t.Errorf("%s still blocked after its indicator expired", otherHost)
	}
	r.SetIndicators(ctx, agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{Type: agentproto.IndicatorIPAddress, Value: "169.254.77.3", Action: agentproto.ActionBlock},
	}})
	if reachable(devNS, otherHost, 400*time.Millisecond) {
		t.Errorf("%s reachable while blocked", otherHost)
	}
	r.SetIndicators(ctx, agentproto.IndicatorSet{})
	if !reachable(devNS, otherHost, 2*time.Second) {
		t.Errorf("%s still blocked after its indicator left the set", otherHost)
	}
	r.Close()

	// Release when not isolated is not an error.
	if res := r.Handle(ctx, agentproto.Command{ID: "c3", Type: agentproto.CommandRelease}); res.Status != agentproto.StatusSucceeded {
		t.Errorf("second release = %+v", res)
	}
}
