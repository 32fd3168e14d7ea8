package collect

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
	"golang.org/x/sys/unix"
)

// TCP states (include/net/tcp_states.h).
const (
	tcpEstablished = 1
	tcpSynSent     = 2
	tcpSynRecv     = 3
	tcpClose       = 7
	tcpListen      = 10
)

// sockKey identifies a socket by protocol and endpoints.
type sockKey struct {
	proto         uint8
	local, remote netip.AddrPort
}

// sockInfo is a socket of one snapshot.
type sockInfo struct {
	state uint8
	inode uint32
}

// netState is the network collector's memory between snapshots.
type netState struct {
	ctx    context.Context
	cfg    Config
	out    sensor.Emitter
	domain string
	prev   map[sockKey]sockInfo
	owners map[uint32]int // socket inode → pid
}

func runNetwork(ctx context.Context, cfg Config, out sensor.Emitter) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return unsupported("network collector: sock_diag", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return unsupported("network collector: sock_diag", err)
	}
	st := &netState{ctx: ctx, cfg: cfg, out: out, domain: hostName(), owners: make(map[uint32]int)}
	if st.prev, err = snapshot(fd); err != nil {
		return unsupported("network collector", err)
	}
	t := time.NewTicker(cfg.NetworkInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		cur, err := snapshot(fd)
		if err != nil {
			return fmt.Errorf("network collector: %w", err)
		}
		st.diff(cur)
	}
}

// snapshot dumps every TCP and UDP socket of both families.
func snapshot(fd int) (map[sockKey]sockInfo, error) {
	socks := make(map[sockKey]sockInfo, 256)
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		for _, proto := range []uint8{unix.IPPROTO_TCP, unix.IPPROTO_UDP} {
			if err := dumpSockets(fd, fam, proto, socks); err != nil {
				return nil, err
			}
		}
	}
	return socks, nil
}

// dumpSockets runs one inet_diag dump.
func dumpSockets(fd int, family, proto uint8, socks map[sockKey]sockInfo) error {
	const reqLen = 56
	msg := make([]byte, unix.NLMSG_HDRLEN+reqLen)
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], unix.SOCK_DIAG_BY_FAMILY)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(msg[8:], 1)
	req := msg[unix.NLMSG_HDRLEN:]
	req[0], req[1] = family, proto
	binary.NativeEndian.PutUint32(req[4:], 0xffffffff) // all states
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("sock_diag dump: %w", err)
	}
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("sock_diag dump: %w", err)
		}
		b := buf[:n]
		for len(b) >= unix.NLMSG_HDRLEN {
			l := int(binary.NativeEndian.Uint32(b[0:]))
			typ := binary.NativeEndian.Uint16(b[4:])
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				break
			}
			switch typ {
			case unix.NLMSG_DONE:
				return nil
			case unix.NLMSG_ERROR:
				if e := int32(binary.NativeEndian.Uint32(b[unix.NLMSG_HDRLEN:])); e != 0 {
					if unix.Errno(-e) == unix.ENOENT { // protocol not built in
						return nil
					}
					return fmt.Errorf("sock_diag dump: %w", unix.Errno(-e))
				}
			case unix.SOCK_DIAG_BY_FAMILY:
				if k, s, ok := parseDiag(b[unix.NLMSG_HDRLEN:l], proto); ok {
					socks[k] = s
				}
			}
			b = b[(l+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1):]
		}
	}
}

// parseDiag decodes an inet_diag_msg.
func parseDiag(m []byte, proto uint8) (sockKey, sockInfo, bool) {
	if len(m) < 72 {
		return sockKey{}, sockInfo{}, false
	}
	family, state := m[0], m[1]
	id := m[4:52]
	sport, dport := binary.BigEndian.Uint16(id[0:]), binary.BigEndian.Uint16(id[2:])
	var src, dst netip.Addr
	if family == unix.AF_INET {
		src = netip.AddrFrom4([4]byte(id[4:8]))
		dst = netip.AddrFrom4([4]byte(id[20:24]))
	} else {
		src = netip.AddrFrom16([16]byte(id[4:20]))
		dst = netip.AddrFrom16([16]byte(id[20:36]))
	}
	inode := binary.NativeEndian.Uint32(m[68:])
	return sockKey{proto: proto, local: netip.AddrPortFrom(src, sport), remote: netip.AddrPortFrom(dst, dport)},
		sockInfo{state: state, inode: inode}, true
}

// diff emits the rows for what changed since the previous snapshot.
func (st *netState) diff(cur map[sockKey]sockInfo) {
	listening := make(map[uint16]uint32) // TCP port → listener inode
	for k, s := range cur {
		if k.proto == unix.IPPROTO_TCP && s.state == tcpListen {
			listening[k.local.Port()] = s.inode
		}
	}
	type change struct {
		action string
		k      sockKey
		inode  uint32
	}
	var changes []change
	for k, s := range cur {
		p, seen := st.prev[k]
		if seen && p.state == s.state {
			continue
		}
		switch {
		case k.proto == unix.IPPROTO_TCP && s.state == tcpListen && !seen:
			changes = append(changes, change{"ListeningConnectionCreated", k, s.inode})
		case k.proto == unix.IPPROTO_TCP && s.state == tcpSynSent && !seen:
			changes = append(changes, change{"ConnectionRequest", k, s.inode})
		case k.proto == unix.IPPROTO_TCP && s.state != tcpListen && s.state != tcpSynSent && s.state != tcpSynRecv && s.state != tcpClose &&
			(!seen || p.state == tcpSynSent || p.state == tcpSynRecv):
			if l, ok := listening[k.local.Port()]; ok {
				inode := s.inode
				if inode == 0 { // not yet accepted: the listener's owner
					inode = l
				}
				changes = append(changes, change{"InboundConnectionAccepted", k, inode})
			} else {
				changes = append(changes, change{"ConnectionSuccess", k, s.inode})
			}
		case k.proto == unix.IPPROTO_UDP && !seen && s.state == tcpClose && k.local.Port() != 0:
			changes = append(changes, change{"ListeningConnectionCreated", k, s.inode})
		case k.proto == unix.IPPROTO_UDP && !seen && s.state == tcpEstablished:
			changes = append(changes, change{"ConnectionSuccess", k, s.inode})
		}
	}
	// A connection attempt that vanished without being established failed.
	for k, p := range st.prev {
		if _, ok := cur[k]; !ok && k.proto == unix.IPPROTO_TCP && p.state == tcpSynSent {
			changes = append(changes, change{"ConnectionFailed", k, p.inode})
		}
	}
	st.prev = cur
	if len(changes) == 0 {
		return
	}
	missing := false
	for _, c := range changes {
		if _, ok := st.owners[c.inode]; !ok && c.inode != 0 {
			missing = true
		}
	}
	if missing {
		st.scanOwners()
	}
	for _, c := range changes {
		st.emit(c.action, c.k, st.owners[c.inode])
	}
}

// scanOwners maps socket inodes to the processes holding them.
func (st *netState) scanOwners() {
	if len(st.owners) > 65536 {
		clear(st.owners)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := "/proc/" + e.Name() + "/fd/"
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			l, err := os.Readlink(dir + fd.Name())
			if err != nil || !strings.HasPrefix(l, "socket:[") {
				continue
			}
			if ino, err := strconv.ParseUint(l[8:len(l)-1], 10, 32); err == nil {
				st.owners[uint32(ino)] = pid
			}
		}
	}
}

// emit builds one DeviceNetworkEvents row.
func (st *netState) emit(action string, k sockKey, pid int) {
	if st.cfg.AgentPID != 0 && pid == st.cfg.AgentPID {
		return
	}
	proto := "Tcp"
	if k.proto == unix.IPPROTO_UDP {
		proto = "Udp"
	}
	row := map[string]any{
		"ActionType":  action,
		"Timestamp":   time.Now().UTC().Format(time.RFC3339Nano),
		"Protocol":    proto,
		"LocalIP":     k.local.Addr().String(),
		"LocalPort":   int(k.local.Port()),
		"LocalIPType": ipType(k.local.Addr()),
	}
	if action != "ListeningConnectionCreated" {
		row["RemoteIP"] = k.remote.Addr().String()
		row["RemotePort"] = int(k.remote.Port())
		row["RemoteIPType"] = ipType(k.remote.Addr())
	}
	by := sensor.Process{PID: pid}
	if pid != 0 {
		ip, parent := st.cfg.Processes.initiating(pid)
		putInitiating(row, ip, parent, st.domain)
		if ip == nil {
			row["InitiatingProcessId"] = pid
		} else {
			by = ip.Process
		}
	}
	st.out.Emit(agentproto.Event{Table: "DeviceNetworkEvents", Row: row})
	if st.cfg.NetworkWatcher != nil && action != "ListeningConnectionCreated" {
		st.cfg.NetworkWatcher.Connected(st.ctx, sensor.Connection{ActionType: action, Protocol: proto,
			Local: k.local, Remote: k.remote, Process: by})
	}
}

var (
	teredo = netip.MustParsePrefix("2001::/32")
	cgnat  = netip.MustParsePrefix("100.64.0.0/10")
)

// ipType classifies an address with the catalogue's LocalIPType and
// RemoteIPType values.
func ipType(a netip.Addr) string {
	switch {
	case a.Is4In6():
		return "FourToSixMapping"
	case a.IsLoopback():
		return "Loopback"
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "Broadcast"
	case teredo.Contains(a):
		return "Teredo"
	case a.IsPrivate() || a.IsLinkLocalUnicast() || cgnat.Contains(a):
		return "Private"
	case a.IsUnspecified() || a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast():
		return "Reserved"
	}
	return "Public"
}
