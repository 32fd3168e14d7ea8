package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultGatewaysAndNameservers(t *testing.T) {
	dir := t.TempDir()
	route := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" +
		"eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
	os.WriteFile(filepath.Join(dir, "route"), []byte(route), 0o644)
	want := "192.168.2.1"
	if !littleEndian() {
		want = "1.2.168.192"
	}
	if got := defaultGateways(filepath.Join(dir, "route")); fmt.Sprint(got) != fmt.Sprint(map[string][]string{"eth0": {want}}) {
		t.Errorf("defaultGateways = %v, want eth0 → %s", got, want)
	}
	os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("# c\nnameserver 10.0.0.53\nsearch x\nnameserver fe80::1\nnameserver bogus\n"), 0o644)
	if got := nameservers(filepath.Join(dir, "resolv.conf")); fmt.Sprint(got) != "[10.0.0.53 fe80::1]" {
		t.Errorf("nameservers = %v", got)
	}
}
