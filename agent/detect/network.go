package detect

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// Network indicators on Linux. A connection carries an address, not the
// name the process looked up, and HTTPS hides the URL, so domain and URL
// indicators are applied through their host names: the Detector resolves
// them (at each new indicator set and every ResolveInterval) and a
// connection to one of the addresses matches the indicator, as Defender's
// network protection does for traffic it cannot inspect. The path of a URL
// indicator is therefore not checked on the wire.

// urlHost is the host name of a normalized URL ("" for an IP literal,
// which MatchIP-style lookups need no resolution for).
func urlHost(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	h := strings.ToLower(pu.Hostname())
	if _, err := netip.ParseAddr(h); err == nil {
		return ""
	}
	return h
}

// Hosts returns the host names of the domain and URL indicators in force,
// sorted: the names to resolve.
func (s *Indicators) Hosts() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var hs []string
	for d, ind := range s.domains {
		if _, ok := s.live(ind, true); ok {
			hs = append(hs, d)
		}
	}
	for h, ind := range s.urlHosts {
		if _, ok := s.live(ind, true); ok && !slices.Contains(hs, h) {
			hs = append(hs, h)
		}
	}
	slices.Sort(hs)
	return hs
}

// SetResolved records the addresses each indicator host name resolved to,
// replacing the previous resolution.
func (s *Indicators) SetResolved(addrs map[string][]netip.Addr) {
	r := make(map[netip.Addr]string)
	for h, as := range addrs {
		for _, a := range as {
			r[a.Unmap()] = normalizeDomain(h)
		}
	}
	s.mu.Lock()
	s.resolved = r
	s.mu.Unlock()
}

// MatchAddr returns the indicator a connection to a is an instance of: an
// IP address indicator, else a domain or URL indicator whose host name
// resolved to a (host is then that name).
func (s *Indicators) MatchAddr(a netip.Addr) (ind agentproto.Indicator, host string, ok bool) {
	if ind, ok := s.MatchIP(a); ok {
		return ind, "", true
	}
	s.mu.RLock()
	h, found := s.resolved[a.Unmap()]
	s.mu.RUnlock()
	if !found {
		return agentproto.Indicator{}, "", false
	}
	if ind, ok := s.MatchDomain(h); ok {
		return ind, h, true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ind, ok = s.live(s.urlHosts[h], s.hasURLHost(h))
	return ind, h, ok
}

func (s *Indicators) hasURLHost(h string) bool { _, ok := s.urlHosts[h]; return ok }

// BlockAddrs returns the addresses to drop: those of IP address
// indicators with the Block action and those the host names of Block
// domain and URL indicators resolved to; next is the earliest expiry among
// them (zero when none expires), when the list must be computed again.
func (s *Indicators) BlockAddrs() (addrs []netip.Addr, next time.Time) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := s.now()
	add := func(a netip.Addr, ind agentproto.Indicator) {
		if ind.Action != agentproto.ActionBlock {
			return
		}
		if !ind.Expires.IsZero() {
			if !now.Before(ind.Expires) {
				return
			}
			if next.IsZero() || ind.Expires.Before(next) {
				next = ind.Expires
			}
		}
		if !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	for a, ind := range s.ips {
		add(a, ind)
	}
	for a, h := range s.resolved {
		for d := h; d != ""; {
			if ind, ok := s.domains[d]; ok {
				add(a, ind)
				break
			}
			i := strings.IndexByte(d, '.')
			if i < 0 {
				break
			}
			d = d[i+1:]
		}
		if ind, ok := s.urlHosts[h]; ok {
			add(a, ind)
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	return addrs, next
}

// Resolver looks up a host name's addresses; net.DefaultResolver
// implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var _ Resolver = net.DefaultResolver

// resolve looks up every indicator host name and records the result. A
// name that does not resolve keeps no addresses; OnResolved is called when
// the addresses changed.
func (d *Detector) resolve(ctx context.Context) {
	hosts := d.inds.Hosts()
	got := make(map[string][]netip.Addr, len(hosts))
	for _, h := range hosts {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		as, err := d.cfg.Resolver.LookupNetIP(lctx, "ip", h)
		cancel()
		if err == nil {
			got[h] = as
		}
	}
	d.inds.SetResolved(got)
	if d.cfg.OnResolved != nil {
		d.cfg.OnResolved()
	}
}

// Connected implements sensor.NetworkWatcher: a connection to an
// indicator's address raises an alert (for a Block indicator the firewall
// has dropped it: the alert says the attempt was blocked). The same
// indicator, process image and address alert once per AlertInterval.
func (d *Detector) Connected(ctx context.Context, c sensor.Connection) {
	ind, host, ok := d.inds.MatchAddr(c.Remote.Addr())
	if !ok {
		return
	}
	now := d.now()
	key := ind.ID + "|" + c.Process.Path + "|" + c.Remote.Addr().String()
	d.netMu.Lock()
	last, seen := d.netAlerted[key]
	if seen && now.Sub(last) < d.cfg.AlertInterval {
		d.netMu.Unlock()
		return
	}
	if len(d.netAlerted) > 10000 {
		for k, t := range d.netAlerted {
			if now.Sub(t) >= d.cfg.AlertInterval {
				delete(d.netAlerted, k)
			}
		}
	}
	d.netAlerted[key] = now
	d.netMu.Unlock()
	d.detected.Add(1)
	for _, ev := range networkAlertEvents(ind, host, c, newAlertID(now), now.UTC()) {
		d.out.Emit(ev)
	}
}

// networkTechniques is the MITRE ATT&CK mapping of a connection to a
// known-bad address: command and control over an application protocol.
var networkTechniques = []string{"Application Layer Protocol (T1071)"}

// networkAlertEvents returns the AlertInfo and AlertEvidence rows (IP,
// URL for a host name, process, user, device) of a connection matching
// an indicator.
func networkAlertEvents(ind agentproto.Indicator, host string, c sensor.Connection, alertID string, now time.Time) []agentproto.Event {
	title := ind.Title
	if title == "" {
		verb := "Connection to"
		if ind.Action == agentproto.ActionBlock {
			verb = "Blocked connection to"
		}
		title = verb + " a custom indicator: " + ind.Type + " " + ind.Value
	}
	severity := ind.Severity
	if severity == "" {
		severity = "Medium"
	}
	a := alertHeader{ID: alertID, Title: title, Category: "CommandAndControl", Severity: severity,
		Source: DetectionSourceCustomTI, Techniques: jsonString(networkTechniques), Time: now}
	evs := []agentproto.Event{a.info()}
	ip := a.evidence("Ip", "Related")
	ip["EvidenceDirection"] = "Destination"
	if c.ActionType == "InboundConnectionAccepted" {
		ip["EvidenceDirection"] = "Source"
	}
	ip["RemoteIP"] = c.Remote.Addr().Unmap().String()
	ip["AdditionalFields"] = map[string]any{"RemotePort": c.Remote.Port(), "LocalIP": c.Local.Addr().Unmap().String(),
		"LocalPort": c.Local.Port(), "Protocol": c.Protocol, "ActionType": c.ActionType, "IndicatorId": ind.ID, "IndicatorAction": ind.Action}
	evs = append(evs, agentproto.Event{Table: "AlertEvidence", Row: ip})
	if host != "" {
		u := a.evidence("Url", "Related")
		u["RemoteUrl"] = host
		evs = append(evs, agentproto.Event{Table: "AlertEvidence", Row: u})
	}
	evs = append(evs, a.processEvidence(c.Process)...)
	return append(evs, agentproto.Event{Table: "AlertEvidence", Row: a.evidence("Machine", "Impacted")})
}
