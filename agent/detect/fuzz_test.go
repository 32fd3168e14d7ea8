package detect

import (
	"testing"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// FuzzIsEICAR checks the rule against its definition on any input: a
// panic or a disagreement fails.
func FuzzIsEICAR(f *testing.F) {
	f.Add(append(EICAR(), "\r\n"...))
	f.Add(EICAR()[:40])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got := IsEICAR(b)
		e := EICAR()
		want := len(b) <= EICARMaxSize && len(b) >= len(e) && string(b[:len(e)]) == string(e)
		if want {
			for _, c := range b[len(e):] {
				if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0x1a {
					want = false
				}
			}
		}
		if got != want {
			t.Errorf("IsEICAR(%q) = %v, want %v", b, got, want)
		}
	})
}

// FuzzMatchURL feeds arbitrary URLs and hosts to the matchers.
func FuzzMatchURL(f *testing.F) {
	s := NewIndicators()
	s.Set(agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
		{Type: agentproto.IndicatorURL, Value: "https://bad.example/drop"},
		{Type: agentproto.IndicatorDomainName, Value: "evil.example"},
		{Type: agentproto.IndicatorIPAddress, Value: "203.0.113.9"},
	}})
	for _, seed := range []string{"https://bad.example/drop/x", "http://[::1]:80/", "evil.example", "http://%zz", "://", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, u string) {
		s.MatchURL(u)
		s.MatchDomain(u)
	})
}
