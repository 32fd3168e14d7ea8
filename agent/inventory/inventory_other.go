//go:build !linux

package inventory

import (
	"net"
	"runtime"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// osInfo reports what the standard library knows: the platform and
// architecture.
func osInfo() agentproto.OSInfo {
	p := runtime.GOOS
	switch p {
	case "windows":
		p = "Windows"
	case "darwin":
		p = "macOS"
	}
	return agentproto.OSInfo{Platform: p, Architecture: architecture(goarch())}
}

func machineID() string { return "" }

func deviceType() string { return "Workstation" }

func hardware() hw { return hw{} }

func adapterType(ifc net.Interface) string {
	if ifc.Flags&net.FlagPointToPoint != 0 {
		return "Tunnel"
	}
	return "Ethernet"
}

// users is unknown here.
func users(host string) string { return "" }

func networkExtras(rows []map[string]any) {}
