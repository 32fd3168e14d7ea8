//go:build linux

// Package netnstest builds throw-away network namespaces for tests that
// need a real kernel network without touching the host's: a "device"
// namespace and a "server" namespace joined by a veth pair with
// link-local addresses only. It is imported by tests alone.
package netnstest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The pair's addresses. Link-local, so nothing is ever routed off the
// machine.
const (
	DevIPv4    = "169.254.77.1"
	ServerIPv4 = "169.254.77.2" // the Goshawk server's address
	OtherIPv4  = "169.254.77.3" // a second host on the server's side
	DevIPv6    = "fe80::1"
	ServerIPv6 = "fe80::2"
	OtherIPv6  = "fe80::3"
)

// Pair is two network namespaces joined by a veth pair.
type Pair struct {
	Dev, Srv         string // namespace names (for ip netns exec)
	DevPath, SrvPath string // /run/netns paths (for setns)
	DevIf, SrvIf     string // the veth ends
}

// Require skips the test unless it runs as root with the ip tool.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip tool to create network namespaces")
	}
}

// IP runs the ip tool and fails the test on error.
func IP(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %v: %v\n%s", args, err, out)
	}
}

// NewPair creates the namespaces, removed when the test ends.
func NewPair(t testing.TB) Pair {
	t.Helper()
	var rb [3]byte
	rand.Read(rb[:])
	sfx := hex.EncodeToString(rb[:])
	p := Pair{Dev: "gshk-d-" + sfx, Srv: "gshk-s-" + sfx, DevIf: "gvd" + sfx, SrvIf: "gvs" + sfx}
	p.DevPath, p.SrvPath = filepath.Join("/run/netns", p.Dev), filepath.Join("/run/netns", p.Srv)
	IP(t, "netns", "add", p.Dev)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", p.Dev).Run() })
	IP(t, "netns", "add", p.Srv)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", p.Srv).Run() })
	IP(t, "link", "add", p.DevIf, "netns", p.Dev, "type", "veth", "peer", "name", p.SrvIf, "netns", p.Srv)
	IP(t, "-n", p.Dev, "addr", "add", DevIPv4+"/24", "dev", p.DevIf)
	IP(t, "-n", p.Srv, "addr", "add", ServerIPv4+"/24", "dev", p.SrvIf)
	IP(t, "-n", p.Srv, "addr", "add", OtherIPv4+"/24", "dev", p.SrvIf)
	IP(t, "-n", p.Dev, "addr", "add", DevIPv6+"/64", "dev", p.DevIf, "nodad")
	IP(t, "-n", p.Srv, "addr", "add", ServerIPv6+"/64", "dev", p.SrvIf, "nodad")
	IP(t, "-n", p.Srv, "addr", "add", OtherIPv6+"/64", "dev", p.SrvIf, "nodad")
	for _, ns := range [][2]string{{p.Dev, p.DevIf}, {p.Srv, p.SrvIf}} {
		IP(t, "-n", ns[0], "link", "set", ns[1], "up")
		IP(t, "-n", ns[0], "link", "set", "lo", "up")
	}
	return p
}

// Exec returns a command that runs name in namespace ns.
func Exec(ns, name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// InNetNS runs fn on an OS thread moved into the network namespace at
// path. The thread is never unlocked, so it dies with the goroutine
// instead of returning to the pool in the wrong namespace.
func InNetNS(path string, fn func() error) error {
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

// Dial connects to addr from inside the namespace at path. The socket
// keeps its namespace after the thread is gone.
func Dial(path, network, addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := InNetNS(path, func() (err error) {
		c, err = net.DialTimeout(network, addr, timeout)
		return err
	})
	return c, err
}

// Listen starts a TCP listener in a namespace that accepts and closes.
func Listen(t testing.TB, path, addr string) {
	t.Helper()
	var l net.Listener
	if err := InNetNS(path, func() (err error) { l, err = net.Listen("tcp", addr); return err }); err != nil {
		t.Fatalf("listen %s in %s: %v", addr, path, err)
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

// Reachable reports whether a TCP connection to addr from the namespace
// at path succeeds within the timeout.
func Reachable(path, addr string, timeout time.Duration) bool {
	c, err := Dial(path, "tcp", addr, timeout)
	if err == nil {
		c.Close()
	}
	return err == nil
}
