package respond

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// IsolationTable is the nftables table isolation installs (family inet).
const IsolationTable = "goshawk_isolation"

// nftConn opens an nftables connection in the network namespace at
// netnsPath ("" for the agent's own).
func nftConn(netnsPath string) (*nftables.Conn, func(), error) {
	if netnsPath == "" {
		c, err := nftables.New()
		return c, func() {}, err
	}
	f, err := os.Open(netnsPath)
	if err != nil {
		return nil, nil, fmt.Errorf("open network namespace: %w", err)
	}
	c, err := nftables.New(nftables.WithNetNSFd(int(f.Fd())))
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return c, func() { f.Close() }, nil
}

// applyIsolation replaces the isolation table, in one transaction, with
// one that allows only loopback, TCP with the servers, DNS with the
// resolvers (empty when the server is given by address), DHCP and IPv6
// neighbour discovery.
func applyIsolation(netnsPath string, servers []netip.AddrPort, resolvers []netip.Addr) error {
	c, done, err := nftConn(netnsPath)
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	defer done()
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: IsolationTable}
	// Adding before deleting makes the delete succeed whether or not the
	// table existed; the batch is one atomic transaction.
	c.AddTable(t)
	c.DelTable(t)
	c.AddTable(t)
	drop := nftables.ChainPolicyDrop
	in := c.AddChain(&nftables.Chain{Name: "input", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter, Policy: &drop})
	out := c.AddChain(&nftables.Chain{Name: "output", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityFilter, Policy: &drop})
	c.AddChain(&nftables.Chain{Name: "forward", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &drop})
	rule := func(ch *nftables.Chain, exprs ...expr.Any) {
		c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: append(exprs, &expr.Verdict{Kind: expr.VerdictAccept})})
	}
	rule(in, ifname(unix.NFT_META_IIFNAME, "lo")...)
	rule(out, ifname(unix.NFT_META_OIFNAME, "lo")...)
	for _, s := range servers {
		a := s.Addr().Unmap()
		rule(in, append(addr(a, true), port(unix.IPPROTO_TCP, s.Port(), true)...)...)
		rule(out, append(addr(a, false), port(unix.IPPROTO_TCP, s.Port(), false)...)...)
	}
	for _, a := range resolvers {
		a = a.Unmap()
		for _, l4 := range []byte{unix.IPPROTO_UDP, unix.IPPROTO_TCP} {
			rule(out, append(addr(a, false), port(l4, 53, false)...)...)
			rule(in, append(addr(a, true), port(l4, 53, true)...)...)
		}
	}
	// DHCP and DHCPv6, so that the device keeps its address.
	rule(out, append(port(unix.IPPROTO_UDP, 68, true), port(unix.IPPROTO_UDP, 67, false)[2:]...)...)
	rule(in, append(port(unix.IPPROTO_UDP, 67, true), port(unix.IPPROTO_UDP, 68, false)[2:]...)...)
	rule(out, append(port(unix.IPPROTO_UDP, 546, true), port(unix.IPPROTO_UDP, 547, false)[2:]...)...)
	rule(in, append(port(unix.IPPROTO_UDP, 547, true), port(unix.IPPROTO_UDP, 546, false)[2:]...)...)
	// IPv6 neighbour discovery (router/neighbour solicitation and
	// advertisement), without which no IPv6 server is reachable.
	for typ := byte(133); typ <= 136; typ++ {
		nd := []expr.Any{
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_ICMPV6}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{typ}},
		}
		rule(in, nd...)
		rule(out, nd...)
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: install table inet %s: %w", IsolationTable, err)
	}
	return nil
}

func ifname(key expr.MetaKey, name string) []expr.Any {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return []expr.Any{
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: b},
	}
}

// addr matches the source (src) or destination address a.
func addr(a netip.Addr, src bool) []expr.Any {
	proto, off, n := byte(unix.NFPROTO_IPV4), uint32(16), uint32(4)
	if src {
		off = 12
	}
	if a.Is6() {
		proto, off, n = unix.NFPROTO_IPV6, 24, 16
		if src {
			off = 8
		}
	}
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: n},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: a.AsSlice()},
	}
}

// port matches the layer-4 protocol and the source (src) or destination
// port; its first two expressions are the protocol match.
func port(l4 byte, p uint16, src bool) []expr.Any {
	off := uint32(2)
	if src {
		off = 0
	}
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{l4}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: off, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binary.BigEndian.AppendUint16(nil, p)},
	}
}

// removeIsolation deletes the isolation table; it is not an error when
// there is none.
func removeIsolation(netnsPath string) error {
	c, done, err := nftConn(netnsPath)
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	defer done()
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: IsolationTable}
	c.AddTable(t)
	c.DelTable(t)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: delete table inet %s: %w", IsolationTable, err)
	}
	return nil
}

// isolationInstalled reports whether the isolation table exists.
func isolationInstalled(netnsPath string) (bool, error) {
	c, done, err := nftConn(netnsPath)
	if err != nil {
		return false, fmt.Errorf("nftables: %w", err)
	}
	defer done()
	_, err = c.ListTableOfFamily(IsolationTable, nftables.TableFamilyINet)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		// The library wraps netlink errors; a missing table is ENOENT.
		var en unix.Errno
		if errors.As(err, &en) && en == unix.ENOENT {
			return false, nil
		}
		return false, fmt.Errorf("nftables: list table inet %s: %w", IsolationTable, err)
	}
	return true, nil
}

// BlockTable is the nftables table holding the IP address indicators with
// the Block action (family inet).
const BlockTable = "goshawk_block"

// applyBlocks replaces the block table with one dropping traffic to and
// from addrs; no addresses removes it.
func applyBlocks(netnsPath string, addrs []netip.Addr) error {
	c, done, err := nftConn(netnsPath)
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	defer done()
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: BlockTable}
	c.AddTable(t)
	c.DelTable(t)
	if len(addrs) > 0 {
		c.AddTable(t)
		accept := nftables.ChainPolicyAccept
		in := c.AddChain(&nftables.Chain{Name: "input", Table: t, Type: nftables.ChainTypeFilter,
			Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter, Policy: &accept})
		out := c.AddChain(&nftables.Chain{Name: "output", Table: t, Type: nftables.ChainTypeFilter,
			Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityFilter, Policy: &accept})
		for _, a := range addrs {
			c.AddRule(&nftables.Rule{Table: t, Chain: in, Exprs: append(addr(a.Unmap(), true), &expr.Verdict{Kind: expr.VerdictDrop})})
			c.AddRule(&nftables.Rule{Table: t, Chain: out, Exprs: append(addr(a.Unmap(), false), &expr.Verdict{Kind: expr.VerdictDrop})})
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: replace table inet %s: %w", BlockTable, err)
	}
	return nil
}
