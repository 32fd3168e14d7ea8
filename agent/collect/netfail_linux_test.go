package collect

import (
	"net"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestNetworkRequestFailed: a listener with a full accept queue drops new
// SYNs, leaving clients in SYN_SENT (ConnectionRequest); closing it then
// refuses their retries (ConnectionFailed).
func TestNetworkRequestFailed(t *testing.T) {
	rec := start(t, NewNetwork(Config{NetworkInterval: 100 * time.Millisecond}), 300*time.Millisecond)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			syscall.Close(fd)
		}
	}()
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	port := sa.(*syscall.SockaddrInet4).Port
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// Fill the queue, then leave a few clients waiting.
	done := make(chan error, 8)
	for range 4 {
		go func() {
			c, err := net.DialTimeout("tcp4", addr, 10*time.Second)
			if err == nil {
				time.Sleep(3 * time.Second)
				c.Close()
			}
			done <- err
		}()
	}
	rec.await(t, "DeviceNetworkEvents", map[string]any{
		"ActionType": "ConnectionRequest", "RemotePort": port, "InitiatingProcessId": os.Getpid(),
	}, 5*time.Second)
	syscall.Close(fd)
	closed = true
	rec.await(t, "DeviceNetworkEvents", map[string]any{
		"ActionType": "ConnectionFailed", "RemotePort": port, "RemoteIP": "127.0.0.1",
	}, 8*time.Second)
}
