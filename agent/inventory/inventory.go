package inventory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// Config is what the device cannot tell about itself.
type Config struct {
	// MachineGroup is DeviceInfo.MachineGroup (the device group).
	MachineGroup string
	// DeviceType overrides the guess ("Server" or "Workstation").
	DeviceType    string
	ClientVersion string
}

// Device is the inventory with the facts enrollment needs.
type Device struct {
	OS        agentproto.OSInfo
	Hostname  string // FQDN, lowercase
	MachineID string
	Inventory agentproto.Inventory
}

// Collect describes the device now. health is SensorHealthState.
func Collect(ctx context.Context, cfg Config, health string) Device {
	d := Device{OS: osInfo(), Hostname: Hostname(ctx), MachineID: machineID()}
	info := map[string]any{
		"DeviceName":        d.Hostname,
		"OSPlatform":        d.OS.Platform,
		"OSArchitecture":    architecture(runtime.GOARCH),
		"ClientVersion":     cfg.ClientVersion,
		"OnboardingStatus":  "Onboarded",
		"DeviceCategory":    "Endpoint",
		"ExposureLevel":     "None",
		"SensorHealthState": health,
	}
	set := func(k, v string) {
		if v != "" {
			info[k] = v
		}
	}
	set("OSDistribution", d.OS.Distribution)
	set("OSVersion", d.OS.Version)
	set("MachineGroup", cfg.MachineGroup)
	dt := cfg.DeviceType
	if dt == "" {
		dt = deviceType()
	}
	info["DeviceType"] = dt
	set("LoggedOnUsers", users(d.Hostname))
	hw := hardware()
	set("Vendor", hw.vendor)
	set("Model", hw.model)
	set("HardwareUuid", hw.uuid)
	extra := map[string]any{"Kernel": d.OS.Kernel, "GOOS": runtime.GOOS, "GOARCH": runtime.GOARCH}
	if b, err := json.Marshal(extra); err == nil {
		info["AdditionalFields"] = string(b)
	}
	d.Inventory = agentproto.Inventory{DeviceInfo: info, DeviceNetworkInfo: Adapters()}
	return d
}

// Fingerprint identifies an inventory's content, to tell a change. The
// health state is left out: the heartbeat carries it.
func Fingerprint(inv agentproto.Inventory) string {
	info := map[string]any{}
	for k, v := range inv.DeviceInfo {
		if k != "SensorHealthState" {
			info[k] = v
		}
	}
	b, _ := json.Marshal(agentproto.Inventory{DeviceInfo: info, DeviceNetworkInfo: inv.DeviceNetworkInfo})
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

// architecture maps GOARCH to DeviceInfo.OSArchitecture's value set.
func architecture(goarch string) string {
	switch goarch {
	case "386", "arm", "mips", "mipsle":
		return "32-bit"
	}
	return "64-bit"
}

// Hostname is the device's fully qualified name in lowercase: the host
// name, completed by the resolver's canonical name when it has no dot.
func Hostname(ctx context.Context) string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if strings.Contains(h, ".") {
		return h
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if cname, err := net.DefaultResolver.LookupCNAME(ctx, h); err == nil {
		cname = strings.ToLower(strings.TrimSuffix(cname, "."))
		if strings.HasPrefix(cname, h+".") {
			return cname
		}
	}
	return h
}

// address is one entry of DeviceNetworkInfo.IPAddresses.
type address struct {
	IPAddress    string `json:"IPAddress"`
	SubnetPrefix int    `json:"SubnetPrefix"`
	AddressType  string `json:"AddressType"`
}

// Adapters returns a DeviceNetworkInfo row per network interface except
// loopback, sorted by name.
func Adapters() []map[string]any {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var rows []map[string]any
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		row := map[string]any{
			"NetworkAdapterName":   ifc.Name,
			"NetworkAdapterType":   adapterType(ifc),
			"NetworkAdapterStatus": "Down",
			"TunnelType":           "None",
		}
		if ifc.Flags&net.FlagUp != 0 {
			row["NetworkAdapterStatus"] = "Up"
		}
		if mac := formatMAC(ifc.HardwareAddr); mac != "" {
			row["MacAddress"] = mac
		}
		addrs, _ := ifc.Addrs()
		list := []address{}
		for _, a := range addrs {
			p, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			list = append(list, address{IPAddress: p.Addr().String(), SubnetPrefix: p.Bits(), AddressType: addressType(p.Addr())})
		}
		b, _ := json.Marshal(list)
		row["IPAddresses"] = string(b)
		rows = append(rows, row)
	}
	networkExtras(rows)
	sort.Slice(rows, func(i, j int) bool {
		return rows[i]["NetworkAdapterName"].(string) < rows[j]["NetworkAdapterName"].(string)
	})
	return rows
}

// formatMAC writes a MAC address as Defender does: 00-15-5D-01-02-03.
func formatMAC(hw net.HardwareAddr) string {
	if len(hw) == 0 {
		return ""
	}
	return strings.ToUpper(strings.ReplaceAll(hw.String(), ":", "-"))
}

// addressType is IPAddresses' AddressType: Public, Private, LinkLocal or
// Loopback.
func addressType(a netip.Addr) string {
	switch {
	case a.IsLoopback():
		return "Loopback"
	case a.IsLinkLocalUnicast():
		return "LinkLocal"
	case a.IsPrivate(), isSharedAddress(a):
		return "Private"
	}
	return "Public"
}

// isSharedAddress reports carrier-grade NAT space (100.64.0.0/10).
func isSharedAddress(a netip.Addr) bool {
	return netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}

type hw struct{ vendor, model, uuid string }

func goarch() string { return runtime.GOARCH }
