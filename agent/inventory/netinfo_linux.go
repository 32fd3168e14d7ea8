package inventory

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"strings"
)

// defaultGateways maps interface names to their IPv4 default gateways,
// from a /proc/net/route table.
func defaultGateways(path string) map[string][]string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		// Iface Destination Gateway Flags …
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 || fs[1] != "00000000" {
			continue
		}
		raw, err := hex.DecodeString(fs[2])
		if err != nil || len(raw) != 4 {
			continue
		}
		// The kernel prints the address's 32 bits as a host-order number.
		var a [4]byte
		if littleEndian() {
			a = [4]byte{raw[3], raw[2], raw[1], raw[0]}
		} else {
			a = [4]byte(raw)
		}
		gw := netip.AddrFrom4(a)
		if !gw.IsUnspecified() {
			out[fs[0]] = append(out[fs[0]], gw.String())
		}
	}
	return out
}

// nameservers returns the DNS servers of a resolv.conf.
func nameservers(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == "nameserver" {
			if a, err := netip.ParseAddr(fs[1]); err == nil {
				out = append(out, a.String())
			}
		}
	}
	return out
}

// networkExtras adds DefaultGateways and DnsAddresses (JSON arrays, as
// Defender's dynamic columns) to adapters that are up.
func networkExtras(rows []map[string]any) {
	gws := defaultGateways("/proc/net/route")
	dns := nameservers("/etc/resolv.conf")
	for _, r := range rows {
		if r["NetworkAdapterStatus"] != "Up" {
			continue
		}
		name, _ := r["NetworkAdapterName"].(string)
		if g := gws[name]; len(g) > 0 {
			r["DefaultGateways"] = jsonArray(g)
			if len(dns) > 0 {
				r["DnsAddresses"] = jsonArray(dns)
			}
		}
	}
}

func littleEndian() bool {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	return b[0] == 1
}

func jsonArray(v []string) string {
	b, _ := json.Marshal(v)
	return string(b)
}
