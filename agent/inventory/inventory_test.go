package inventory

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"testing"

	"github.com/goshawk-sec/goshawk/schema"
)

// TestColumnsAndValueSets: every key is a catalogue column of its table
// (the server refuses others) and every value with a value set is in it.
func TestColumnsAndValueSets(t *testing.T) {
	d := Collect(context.Background(), Config{MachineGroup: "lab", ClientVersion: "1.2.3"}, "Active")
	cat := schema.Default()
	check := func(table string, row map[string]any) {
		t.Helper()
		tab, ok := cat.Table(table)
		if !ok {
			t.Fatalf("no table %s", table)
		}
		for k, v := range row {
			if _, ok := tab.Column(k); !ok {
				t.Errorf("%s has no column %q", table, k)
			}
			if set := cat.ValueSet(table, k); set != nil && !slices.Contains(set, v.(string)) {
				t.Errorf("%s.%s = %q, not in %v", table, k, v, set)
			}
		}
	}
	info := d.Inventory.DeviceInfo
	check("DeviceInfo", info)
	for k, want := range map[string]string{"OnboardingStatus": "Onboarded", "DeviceCategory": "Endpoint", "MachineGroup": "lab", "ClientVersion": "1.2.3"} {
		if info[k] != want {
			t.Errorf("DeviceInfo.%s = %v, want %q", k, info[k], want)
		}
	}
	if dt := info["DeviceType"]; dt != "Server" && dt != "Workstation" {
		t.Errorf("DeviceType = %v", dt)
	}
	if name := info["DeviceName"].(string); name == "" || name != d.Hostname {
		t.Errorf("DeviceName %q, hostname %q", name, d.Hostname)
	}
	for _, row := range d.Inventory.DeviceNetworkInfo {
		check("DeviceNetworkInfo", row)
		var addrs []address
		if err := json.Unmarshal([]byte(row["IPAddresses"].(string)), &addrs); err != nil {
			t.Errorf("IPAddresses %v: %v", row["IPAddresses"], err)
		}
		for _, a := range addrs {
			if _, err := netip.ParseAddr(a.IPAddress); err != nil || a.AddressType == "" {
				t.Errorf("address %+v", a)
			}
		}
	}
}

func TestAddressType(t *testing.T) {
	for in, want := range map[string]string{"10.1.2.3": "Private", "192.168.0.1": "Private", "8.8.8.8": "Public", "fe80::1": "LinkLocal",
		"127.0.0.1": "Loopback", "100.64.1.1": "Private", "fd00::1": "Private", "2001:4860::1": "Public"} {
		if got := addressType(netip.MustParseAddr(in)); got != want {
			t.Errorf("addressType(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestFingerprintIgnoresHealth(t *testing.T) {
	d := Collect(context.Background(), Config{}, "Active")
	a := Fingerprint(d.Inventory)
	d.Inventory.DeviceInfo["SensorHealthState"] = "Inactive"
	if Fingerprint(d.Inventory) != a {
		t.Error("health changed the fingerprint")
	}
	d.Inventory.DeviceInfo["OSVersion"] = "changed"
	if Fingerprint(d.Inventory) == a {
		t.Error("an OS version change kept the fingerprint")
	}
}
