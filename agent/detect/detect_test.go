package detect

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

func TestIsEICAR(t *testing.T) {
	e := string(EICAR())
	if len(e) != 68 {
		t.Fatalf("EICAR() is %d bytes, want 68", len(e))
	}
	for _, c := range []struct {
		content string
		want    bool
	}{
		{e, true},
		{e + "\r\n", true},
		{e + " \t\x1a", true},
		{e + strings.Repeat(" ", 128-68), true},
		{e + strings.Repeat(" ", 128-68+1), false}, // longer than 128 bytes
		{e + "x", false},                           // not whitespace after the string
		{" " + e, false},                           // the string must come first
		{e[:67], false},
		{"", false},
	} {
		if got := IsEICAR([]byte(c.content)); got != c.want {
			t.Errorf("IsEICAR(%q) = %v, want %v", c.content, got, c.want)
		}
	}
}

func TestIndicators(t *testing.T) {
	s := NewIndicators()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	n := s.Set(agentproto.IndicatorSet{Version: "v1", Indicators: []agentproto.Indicator{
		{ID: "1", Type: agentproto.IndicatorFileSha256, Value: "AB" + strings.Repeat("0", 62), Action: agentproto.ActionBlock},
		{ID: "2", Type: agentproto.IndicatorFileMd5, Value: strings.Repeat("1", 32), Action: agentproto.ActionAlert},
		{ID: "3", Type: agentproto.IndicatorIPAddress, Value: "203.0.113.9"},
		{ID: "4", Type: agentproto.IndicatorDomainName, Value: "Evil.Example."},
		{ID: "5", Type: agentproto.IndicatorURL, Value: "https://bad.example/drop/"},
		{ID: "6", Type: agentproto.IndicatorIPAddress, Value: "198.51.100.1", Expires: now.Add(-time.Second)},
		{ID: "7", Type: agentproto.IndicatorIPAddress, Value: "not an ip"},
		{ID: "8", Type: "CertificateThumbprint", Value: "x"},
	}})
	if n != 6 || s.Version() != "v1" || !s.HasFileHashes() {
		t.Fatalf("Set kept %d (version %q), want 6", n, s.Version())
	}
	check := func(what string, ind agentproto.Indicator, ok bool, want string) {
		t.Helper()
		if (want != "") != ok || ind.ID != want {
			t.Errorf("%s = %q, %v; want %q", what, ind.ID, ok, want)
		}
	}
	ind, ok := s.MatchFile("ab"+strings.Repeat("0", 62), "", "")
	check("MatchFile(sha256)", ind, ok, "1")
	ind, ok = s.MatchFile("ff", "ee", strings.Repeat("1", 32))
	check("MatchFile(md5)", ind, ok, "2")
	ind, ok = s.MatchFile("ff", "", "")
	check("MatchFile(other)", ind, ok, "")
	ind, ok = s.MatchIP(netip.MustParseAddr("::ffff:203.0.113.9"))
	check("MatchIP(mapped)", ind, ok, "3")
	ind, ok = s.MatchIP(netip.MustParseAddr("198.51.100.1"))
	check("MatchIP(expired)", ind, ok, "")
	ind, ok = s.MatchDomain("cdn.EVIL.example")
	check("MatchDomain(subdomain)", ind, ok, "4")
	ind, ok = s.MatchDomain("notevil.example")
	check("MatchDomain(other)", ind, ok, "")
	ind, ok = s.MatchURL("HTTPS://bad.example:443/drop/payload.exe?x=1")
	check("MatchURL(prefix)", ind, ok, "5")
	ind, ok = s.MatchURL("https://bad.example/dropper")
	check("MatchURL(not at a path boundary)", ind, ok, "")
	ind, ok = s.MatchURL("http://www.evil.example/")
	check("MatchURL(domain)", ind, ok, "4")
	ind, ok = s.MatchURL("http://203.0.113.9:8080/x")
	check("MatchURL(ip)", ind, ok, "3")
}
