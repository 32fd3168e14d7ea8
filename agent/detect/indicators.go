package detect

import (
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// Indicators holds the custom indicators in force on the device and
// matches files, addresses, domains and URLs against them. It is safe for
// concurrent use; the agent replaces the set with Set whenever the server
// reports a new version.
type Indicators struct {
	now func() time.Time

	mu      sync.RWMutex
	version string
	hashes  map[string]agentproto.Indicator // "FileSha256:" + lower-case hex
	ips     map[netip.Addr]agentproto.Indicator
	domains map[string]agentproto.Indicator // lower case, no trailing dot
	urls    map[string]agentproto.Indicator // normalized by normalizeURL
	// urlHosts are the host names of URL indicators (the first URL
	// indicator of each host), and resolved the addresses indicator host
	// names resolved to (address → host name), so that a connection,
	// which carries no name, can be matched.
	urlHosts map[string]agentproto.Indicator
	resolved map[netip.Addr]string
}

// NewIndicators returns an empty set.
func NewIndicators() *Indicators {
	return &Indicators{now: time.Now}
}

// Set replaces the indicators. Entries of unknown types or with values
// that do not parse are skipped; the number kept is returned.
func (s *Indicators) Set(set agentproto.IndicatorSet) int {
	hashes := map[string]agentproto.Indicator{}
	ips := map[netip.Addr]agentproto.Indicator{}
	domains := map[string]agentproto.Indicator{}
	urls := map[string]agentproto.Indicator{}
	urlHosts := map[string]agentproto.Indicator{}
	n := 0
	for _, ind := range set.Indicators {
		v := strings.TrimSpace(ind.Value)
		switch ind.Type {
		case agentproto.IndicatorFileSha256, agentproto.IndicatorFileSha1, agentproto.IndicatorFileMd5:
			hashes[ind.Type+":"+strings.ToLower(v)] = ind
		case agentproto.IndicatorIPAddress:
			a, err := netip.ParseAddr(v)
			if err != nil {
				continue
			}
			ips[a.Unmap()] = ind
		case agentproto.IndicatorDomainName:
			d := normalizeDomain(v)
			if d == "" {
				continue
			}
			domains[d] = ind
		case agentproto.IndicatorURL:
			u := normalizeURL(v)
			if u == "" {
				continue
			}
			urls[u] = ind
			if h := urlHost(u); h != "" {
				if _, ok := urlHosts[h]; !ok {
					urlHosts[h] = ind
				}
			}
		default:
			continue
		}
		n++
	}
	s.mu.Lock()
	s.version, s.hashes, s.ips, s.domains, s.urls, s.urlHosts = set.Version, hashes, ips, domains, urls, urlHosts
	s.mu.Unlock()
	return n
}

// Version is the version of the set in force ("" before the first Set).
func (s *Indicators) Version() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version
}

// HasFileHashes reports whether any file-hash indicator is in force, that
// is whether scanning must hash files.
func (s *Indicators) HasFileHashes() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.hashes) > 0
}

func (s *Indicators) live(ind agentproto.Indicator, ok bool) (agentproto.Indicator, bool) {
	if !ok || (!ind.Expires.IsZero() && !s.now().Before(ind.Expires)) {
		return agentproto.Indicator{}, false
	}
	return ind, true
}

// MatchFile returns the indicator matching a file's hashes (hex, any
// case; empty ones are not looked up), SHA256 first.
func (s *Indicators) MatchFile(sha256, sha1, md5 string) (agentproto.Indicator, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range [...][2]string{
		{agentproto.IndicatorFileSha256, sha256},
		{agentproto.IndicatorFileSha1, sha1},
		{agentproto.IndicatorFileMd5, md5},
	} {
		if k[1] == "" {
			continue
		}
		ind, found := s.hashes[k[0]+":"+strings.ToLower(k[1])]
		if ind, ok := s.live(ind, found); ok {
			return ind, true
		}
	}
	return agentproto.Indicator{}, false
}

// MatchIP returns the indicator for an address (IPv4-mapped IPv6
// addresses match their IPv4 form).
func (s *Indicators) MatchIP(a netip.Addr) (agentproto.Indicator, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ind, ok := s.ips[a.Unmap()]
	return s.live(ind, ok)
}

// MatchDomain returns the indicator for a host name or any of its parent
// domains, as Defender's domain indicators apply to subdomains.
func (s *Indicators) MatchDomain(host string) (agentproto.Indicator, bool) {
	d := normalizeDomain(host)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for d != "" {
		if ind, ok := s.live(s.domains[d], s.hasDomain(d)); ok {
			return ind, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	return agentproto.Indicator{}, false
}

func (s *Indicators) hasDomain(d string) bool { _, ok := s.domains[d]; return ok }

// MatchURL returns the indicator for a URL: an URL indicator equal to it
// or a prefix of it at a path boundary, else the domain and IP indicators
// of its host.
func (s *Indicators) MatchURL(raw string) (agentproto.Indicator, bool) {
	u := normalizeURL(raw)
	if u != "" {
		s.mu.RLock()
		for p := u; p != ""; {
			if ind, ok := s.live(s.urls[p], s.hasURL(p)); ok {
				s.mu.RUnlock()
				return ind, true
			}
			i := strings.LastIndexByte(strings.TrimSuffix(p, "/"), '/')
			if i < len("x://") {
				break
			}
			p = p[:i]
		}
		s.mu.RUnlock()
	}
	pu, err := url.Parse(withScheme(raw))
	if err != nil {
		return agentproto.Indicator{}, false
	}
	if a, err := netip.ParseAddr(strings.Trim(pu.Hostname(), "[]")); err == nil {
		return s.MatchIP(a)
	}
	return s.MatchDomain(pu.Hostname())
}

func (s *Indicators) hasURL(u string) bool { _, ok := s.urls[u]; return ok }

func normalizeDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

func withScheme(raw string) string {
	if !strings.Contains(raw, "://") {
		return "http://" + raw
	}
	return raw
}

// normalizeURL lower-cases scheme and host, drops the default port, the
// query, the fragment and a trailing slash: "HTTP://Evil.example:80/a/"
// and "http://evil.example/a" match alike.
func normalizeURL(raw string) string {
	u, err := url.Parse(withScheme(strings.TrimSpace(raw)))
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	scheme := strings.ToLower(u.Scheme)
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	return scheme + "://" + host + strings.TrimSuffix(u.EscapedPath(), "/")
}
