//go:build !linux

package respond

import (
	"fmt"
	"net/netip"

	"github.com/goshawk-sec/goshawk/agent/sensor"
)

// IsolationTable is the nftables table isolation installs on Linux.
const IsolationTable = "goshawk_isolation"

func applyIsolation(netnsPath string, servers []netip.AddrPort, resolvers []netip.Addr) error {
	return fmt.Errorf("network isolation: %w", sensor.ErrUnsupported)
}

func removeIsolation(netnsPath string) error {
	return fmt.Errorf("network isolation: %w", sensor.ErrUnsupported)
}

func isolationInstalled(netnsPath string) (bool, error) {
	return false, fmt.Errorf("network isolation: %w", sensor.ErrUnsupported)
}

// BlockTable is the nftables table of blocked IP indicators on Linux.
const BlockTable = "goshawk_block"

func applyBlocks(netnsPath string, addrs []netip.Addr) error {
	if len(addrs) == 0 {
		return nil
	}
	return fmt.Errorf("block IP indicators: %w", sensor.ErrUnsupported)
}
