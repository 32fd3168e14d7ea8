package inventory

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// osInfo reads /etc/os-release (or /usr/lib/os-release) and the kernel
// release.
func osInfo() agentproto.OSInfo {
	info := agentproto.OSInfo{Platform: "Linux", Architecture: architecture(goarch())}
	rel := osRelease("/etc/os-release")
	if rel == nil {
		rel = osRelease("/usr/lib/os-release")
	}
	info.Distribution = rel["NAME"]
	if info.Distribution == "" {
		info.Distribution = rel["ID"]
	}
	info.Version = rel["VERSION_ID"]
	info.Kernel = readTrim("/proc/sys/kernel/osrelease")
	return info
}

// osRelease parses an os-release file (KEY=value, optionally quoted).
func osRelease(path string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		m[k] = strings.Trim(v, `"'`)
	}
	return m
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func machineID() string {
	if id := readTrim("/etc/machine-id"); id != "" {
		return id
	}
	return readTrim("/var/lib/dbus/machine-id")
}

// deviceType guesses Workstation for a machine that boots to a graphical
// target or has a display manager, Server otherwise.
func deviceType() string {
	if t, err := os.Readlink("/etc/systemd/system/default.target"); err == nil && strings.Contains(t, "graphical") {
		return "Workstation"
	}
	if _, err := os.Stat("/etc/systemd/system/display-manager.service"); err == nil {
		return "Workstation"
	}
	return "Server"
}

func hardware() hw {
	d := "/sys/class/dmi/id"
	return hw{vendor: readTrim(filepath.Join(d, "sys_vendor")), model: readTrim(filepath.Join(d, "product_name")), uuid: readTrim(filepath.Join(d, "product_uuid"))}
}

// adapterType names the interface's kind as Defender's
// NetworkAdapterType does.
func adapterType(ifc net.Interface) string {
	sys := filepath.Join("/sys/class/net", ifc.Name)
	if _, err := os.Stat(filepath.Join(sys, "wireless")); err == nil {
		return "Wireless80211"
	}
	if _, err := os.Stat(filepath.Join(sys, "device")); err == nil {
		return "Ethernet"
	}
	if ifc.Flags&net.FlagPointToPoint != 0 {
		return "Tunnel"
	}
	return "Virtual"
}

// users is DeviceInfo.LoggedOnUsers from the utmp file.
func users(host string) string { return loggedOnUsers("/run/utmp", host) }
