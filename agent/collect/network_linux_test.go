package collect

import (
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// TestNetworkLoopback has a separate process (nc or this test binary's
// helper) connect to a listener, so the owner is not the test itself.
func TestNetworkLoopback(t *testing.T) {
	w := &connWatcher{}
	rec := start(t, NewNetwork(Config{NetworkInterval: 100 * time.Millisecond, NetworkWatcher: w}), 300*time.Millisecond)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { time.Sleep(2 * time.Second); c.Close() }()
		}
	}()
	rec.await(t, "DeviceNetworkEvents", map[string]any{
		"ActionType": "ListeningConnectionCreated", "LocalPort": port, "Protocol": "Tcp",
		"LocalIP": "127.0.0.1", "LocalIPType": "Loopback", "InitiatingProcessId": os.Getpid(),
	}, 3*time.Second)

	// The client: a child holding the connection open for a second.
	cmd := exec.Command(os.Args[0], "-test.run=^TestNetworkHelper$")
	cmd.Env = append(os.Environ(), "GOSHAWK_CONNECT="+ln.Addr().String())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	self := filepath.Base(os.Args[0])
	out := rec.await(t, "DeviceNetworkEvents", map[string]any{
		"ActionType": "ConnectionSuccess", "RemoteIP": "127.0.0.1", "RemotePort": port, "Protocol": "Tcp",
		"RemoteIPType": "Loopback", "InitiatingProcessId": cmd.Process.Pid, "InitiatingProcessFileName": self,
		"InitiatingProcessParentId": os.Getpid(),
	}, 3*time.Second)
	rec.await(t, "DeviceNetworkEvents", map[string]any{
		"ActionType": "InboundConnectionAccepted", "LocalPort": port, "RemotePort": out["LocalPort"],
		"InitiatingProcessId": os.Getpid(),
	}, 3*time.Second)

	// The watcher (indicator matching) saw the connection with its owner,
	// and no listener.
	want := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	var found bool
	for _, c := range w.all() {
		if c.ActionType == "ListeningConnectionCreated" {
			t.Errorf("the watcher was told about a listener: %+v", c)
		}
		if c.ActionType == "ConnectionSuccess" && c.Remote == want {
			found = true
			if c.Process.PID != cmd.Process.Pid || c.Process.Name != self || c.Protocol != "Tcp" {
				t.Errorf("watched connection %+v, want pid %d (%s) over Tcp", c, cmd.Process.Pid, self)
			}
		}
	}
	if !found {
		t.Errorf("the watcher was not told about the connection to %s: %+v", want, w.all())
	}
}

// connWatcher records the connections it is told about.
type connWatcher struct {
	mu    sync.Mutex
	conns []sensor.Connection
}

func (w *connWatcher) Connected(_ context.Context, c sensor.Connection) {
	w.mu.Lock()
	w.conns = append(w.conns, c)
	w.mu.Unlock()
}

func (w *connWatcher) all() []sensor.Connection {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sensor.Connection(nil), w.conns...)
}

func TestNetworkUDPListener(t *testing.T) {
	rec := start(t, NewNetwork(Config{NetworkInterval: 100 * time.Millisecond}), 300*time.Millisecond)
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer c.Close()
	rec.await(t, "DeviceNetworkEvents", map[string]any{
		"ActionType": "ListeningConnectionCreated", "Protocol": "Udp", "LocalIP": "::1",
		"LocalPort": c.LocalAddr().(*net.UDPAddr).Port, "LocalIPType": "Loopback", "InitiatingProcessId": os.Getpid(),
	}, 3*time.Second)
}

// TestNetworkHelper is the client process of TestNetworkLoopback.
func TestNetworkHelper(t *testing.T) {
	addr := os.Getenv("GOSHAWK_CONNECT")
	if addr == "" {
		t.Skip("helper process only")
	}
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	c.Close()
}

func TestIPType(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "Loopback", "::1": "Loopback", "10.1.2.3": "Private", "192.168.1.1": "Private",
		"8.8.8.8": "Public", "::ffff:8.8.8.8": "FourToSixMapping", "255.255.255.255": "Broadcast",
		"2001:0:53aa:64c::1": "Teredo", "224.0.0.1": "Reserved", "0.0.0.0": "Reserved",
	} {
		if got := ipType(netip.MustParseAddr(in)); got != want {
			t.Errorf("ipType(%s) = %s, want %s", in, got, want)
		}
	}
}
