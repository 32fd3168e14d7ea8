package sampledata

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// proc is a running process of the simulation.
type proc struct {
	bin          *binary
	pid          int64
	cmd          string
	folder       string
	created      time.Time
	user         *user
	logonID      int64
	session      int64
	integrity    string
	elevation    string
	parent       *proc
	expires      time.Time
	uniqueID     string
	remoteIP     string
	remoteDevice string
	threat       *threat
	bx           procBox
}

// procBox holds a process's strings boxed once (see binBox).
type procBox struct {
	cmd, folder, integrity, elevation, uniqueID, created any
}

func (p *proc) box() {
	p.bx = procBox{cmd: p.cmd, folder: p.folder, integrity: p.integrity, elevation: p.elevation, uniqueID: p.uniqueID, created: p.created}
}

// logonRec is a logon the endpoint simulation produced, reused by the
// Windows security event log.
type logonRec struct {
	t         time.Time
	dev       *device
	acct      *user
	logonType string
	logonID   int64
	ok        bool
	remoteIP  string
	failure   string
}

var roleOS = map[string]osKind{"workstation": osWindows, "dc": osWindows, "file": osWindows, "sql": osWindows,
	"web": osWindows, "linux-web": osLinux, "k8s": osLinux, "mac": osMac}

func (g *gen) buildScenarios() {
	g.scen = map[string]*weighted[*scenario]{}
	for role, os := range roleOS {
		var list []*scenario
		for i := range scenarioSpecs {
			s := &scenarioSpecs[i]
			if g.bins.get(s.child, os) == nil || g.bins.get(s.parent, os) == nil {
				continue
			}
			if s.roles != "" && !strings.Contains(","+s.roles+",", ","+role+",") {
				continue
			}
			if s.parsed == nil {
				for _, c := range s.cmds {
					s.parsed = append(s.parsed, parseTmpl(c))
				}
			}
			list = append(list, s)
		}
		g.scen[role] = newWeighted(list, func(s *scenario) float64 { return s.w })
	}
}

// rootsFor lists the boot processes of a device, parent first.
func (g *gen) bootRoots(d *device) {
	var names []string
	switch d.os {
	case osWindows:
		names = []string{"smss.exe", "wininit.exe", "winlogon.exe", "services.exe", "lsass.exe", "svchost.exe", "MsMpEng.exe", "MsSense.exe"}
		switch d.role {
		case "workstation":
			names = append(names, "IntuneManagementExtension.exe")
		case "sql":
			names = append(names, "sqlservr.exe")
		case "dc":
			names = append(names, "dns.exe")
		}
	case osLinux:
		names = []string{"systemd", "sshd", "cron"}
		if d.role == "k8s" {
			names = append(names, "kubelet", "containerd-shim-runc-v2")
		} else {
			names = append(names, "nginx")
		}
	case osMac:
		names = []string{"launchd"}
	}
	parents := map[string]string{"wininit.exe": "smss.exe", "winlogon.exe": "smss.exe", "services.exe": "wininit.exe",
		"lsass.exe": "wininit.exe"}
	for _, n := range names {
		b := g.bins.get(n, d.os)
		p := &proc{bin: b, created: d.boot.Add(time.Duration(len(d.roots)) * 700 * time.Millisecond), user: g.systemAcct(d),
			logonID: 999, integrity: "System", elevation: "TokenElevationTypeDefault"}
		switch {
		case n == "systemd" || n == "launchd":
			p.pid = 1
		case n == "smss.exe":
			p.pid = int64(300 + 4*g.r.n(60))
		default:
			p.pid = g.newPID(d)
		}
		if pn, ok := parents[n]; ok {
			p.parent = d.roots[g.bins.get(pn, d.os).idx]
		} else if n != "smss.exe" && n != "systemd" && n != "launchd" {
			if d.os == osWindows {
				p.parent = d.roots[g.bins.get("services.exe", d.os).idx]
			} else {
				p.parent = d.roots[g.bins.get(map[osKind]string{osLinux: "systemd", osMac: "launchd"}[d.os], d.os).idx]
			}
		}
		p.cmd = g.render(pick(g.r, b.cmds), d, p.user, p)
		p.folder = b.path
		p.uniqueID = strconv.FormatInt(p.pid*7919+int64(d.idx), 10)
		p.box()
		d.roots[b.idx] = p
	}
}

func (g *gen) systemAcct(d *device) *user {
	if d.os == osWindows {
		return acctSystem
	}
	return acctRoot
}

func (g *gen) newPID(d *device) int64 {
	if d.os == osWindows {
		d.nextPID += int64(4 * g.r.between(1, 180))
		if d.nextPID > 65000 {
			d.nextPID = 1000 + int64(4*g.r.n(200))
		}
		return d.nextPID
	}
	d.nextPID += int64(g.r.between(1, 60))
	if d.nextPID > 4_000_000 {
		d.nextPID = 2000
	}
	return d.nextPID
}

// interactiveUser is the person working on a device.
func (g *gen) interactiveUser(d *device) *user {
	if d.primary != nil {
		return d.primary
	}
	if len(g.w.admins) > 0 {
		return g.w.admins[d.idx%len(g.w.admins)]
	}
	return g.w.users[d.idx%len(g.w.users)]
}

// endpointSim is the state of the process simulation.
type endpointSim struct {
	g                                 *gen
	dpe, dne, dfe, dre, dil, dve, dle *tableOut
	logons                            []logonRec
	procSamples                       []*procSample
	sessions                          map[*device]*session
	files                             []fileRec
	dlls                              []fileRec
	limit                             int64
}

type session struct {
	user    *user
	logonID int64
	start   time.Time
	expires time.Time
	remote  string
}

type procSample struct {
	t   time.Time
	dev *device
	p   *proc
}

func (g *gen) genEndpoint() error {
	s := &endpointSim{g: g, sessions: map[*device]*session{}, limit: int64(g.opts.Rows)}
	var err error
	open := func(name string) *tableOut {
		if err != nil {
			return nil
		}
		var o *tableOut
		o, err = g.out(name, nil, 0)
		return o
	}
	s.dpe = open("DeviceProcessEvents")
	s.dne = open("DeviceNetworkEvents")
	s.dfe = open("DeviceFileEvents")
	s.dre = open("DeviceRegistryEvents")
	s.dil = open("DeviceImageLoadEvents")
	s.dve = open("DeviceEvents")
	s.dle = open("DeviceLogonEvents")
	if err != nil {
		return err
	}
	s.buildFiles()
	for _, d := range g.w.devices {
		g.bootRoots(d)
	}
	g.endpoint = s
	r := g.r
	n := s.limit
	for i := int64(0); ; i++ {
		rows := int64(0)
		if s.dpe != nil {
			rows = s.dpe.rows
		} else {
			rows = i
		}
		if rows >= n {
			break
		}
		if i&1023 == 0 {
			if err := g.ctx.Err(); err != nil {
				return err
			}
		}
		t := g.timeAt((float64(rows) + r.f()) / float64(n))
		d := g.w.devPick.pick(r)
		if err := s.step(d, t); err != nil {
			return err
		}
	}
	return g.finish("DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceRegistryEvents",
		"DeviceImageLoadEvents", "DeviceEvents", "DeviceLogonEvents")
}

// step simulates one process creation on d at t and the activity around it.
func (s *endpointSim) step(d *device, t time.Time) error {
	g, r := s.g, s.g.r
	sc := g.scen[d.role].pick(r)
	parentBin := g.bins.get(sc.parent, d.os)
	childBin := g.bins.get(sc.child, d.os)
	parent, err := s.ensure(d, parentBin, t.Add(-time.Duration(r.between(50, 4000))*time.Millisecond))
	if err != nil || parent == nil {
		return err
	}
	var cmd *tmpl
	if len(sc.parsed) > 0 {
		cmd = pick(r, sc.parsed)
	}
	child := g.spawn(d, childBin, parent, t, cmd, sc.elevated || (sc.threat != nil && r.chance(0.5)))
	child.threat = sc.threat
	if err := s.emitProcess(d, child, t); err != nil {
		return err
	}
	if sc.threat != nil {
		g.recordThreat(d, child, t, sc.threat)
	}
	// Activity of the new process (and sometimes of its parent).
	actor := child
	if r.chance(0.2) {
		actor = parent
	}
	if err := s.activity(d, actor, t); err != nil {
		return err
	}
	if r.chance(0.04) {
		if err := s.logon(d, t.Add(time.Duration(r.n(60000))*time.Millisecond)); err != nil {
			return err
		}
	}
	if r.chance(0.012) && d.os == osWindows {
		return s.openProcess(d, child, t.Add(time.Duration(r.between(10, 900))*time.Millisecond))
	}
	return nil
}

// ensure returns a running instance of b on d, starting it (and its own
// parents) when needed.
func (s *endpointSim) ensure(d *device, b *binary, t time.Time) (*proc, error) {
	if p := d.roots[b.idx]; p != nil {
		return p, nil
	}
	if p := d.active[b.idx]; p != nil && (p.expires.IsZero() || p.expires.After(t)) {
		return p, nil
	}
	if b.parent == "" {
		return nil, nil
	}
	pb := s.g.bins.get(b.parent, d.os)
	if pb == nil {
		return nil, nil
	}
	parent, err := s.ensure(d, pb, t.Add(-time.Duration(s.g.r.between(200, 3000))*time.Millisecond))
	if err != nil || parent == nil {
		return parent, err
	}
	p := s.g.spawn(d, b, parent, t, nil, false)
	if err := s.emitProcess(d, p, t); err != nil {
		return nil, err
	}
	return p, nil
}

// spawn creates a process of b under parent at t.
func (g *gen) spawn(d *device, b *binary, parent *proc, t time.Time, cmd *tmpl, elevated bool) *proc {
	r := g.r
	p := &proc{bin: b, parent: parent, created: t, pid: g.newPID(d)}
	switch b.run {
	case runSystem:
		p.user = g.systemAcct(d)
	case runLocalService:
		p.user = acctLocal
	case runNetworkService:
		p.user = acctNetwork
	case runUser:
		if parent != nil && parent.user != nil && !parent.user.service {
			p.user = parent.user
		} else {
			p.user = g.interactiveUser(d)
		}
	default:
		if parent != nil {
			p.user = parent.user
		} else {
			p.user = g.systemAcct(d)
		}
	}
	if d.os == osWindows && p.user.service && parent != nil && parent.bin.run == runUser && b.run == runInherit {
		p.user = parent.user
	}
	switch p.user {
	case acctSystem, acctRoot:
		p.logonID, p.integrity, p.elevation = 999, "System", "TokenElevationTypeDefault"
	case acctLocal:
		p.logonID, p.integrity, p.elevation = 997, "System", "TokenElevationTypeDefault"
	case acctNetwork:
		p.logonID, p.integrity, p.elevation = 996, "System", "TokenElevationTypeDefault"
	default:
		if parent != nil && parent.user == p.user {
			p.logonID, p.session = parent.logonID, parent.session
		} else {
			sess := g.endpoint.session(d, p.user, t)
			p.logonID, p.session = sess.logonID, 1
			p.remoteIP = sess.remote
		}
		p.integrity, p.elevation = "Medium", "TokenElevationTypeLimited"
		if parent != nil && parent.elevation == "TokenElevationTypeFull" {
			p.integrity, p.elevation = "High", "TokenElevationTypeFull"
		}
		if elevated || p.user.admin && r.chance(0.3) {
			p.integrity, p.elevation = "High", "TokenElevationTypeFull"
		}
		if b.cat == catBrowser && parent != nil && parent.bin == b {
			p.integrity = "Low"
		}
		if d.os != osWindows {
			p.elevation = "TokenElevationTypeDefault"
			if b.name == "sudo" {
				p.user, p.integrity = acctRoot, "System"
			}
		}
	}
	if parent != nil && parent.remoteIP != "" {
		p.remoteIP, p.remoteDevice = parent.remoteIP, parent.remoteDevice
	}
	if cmd == nil && len(b.cmds) > 0 {
		cmd = pick(r, b.cmds)
	}
	if cmd != nil {
		p.cmd = g.render(cmd, d, p.user, p)
	}
	p.folder = b.path
	if strings.IndexByte(b.path, '{') >= 0 {
		p.folder = strings.ReplaceAll(b.path, "{user}", userDir(p.user))
	}
	p.uniqueID = strconv.FormatInt(p.pid*7919+t.UnixMilli()%1_000_000*65536+int64(d.idx), 10)
	if b.life > 0 {
		p.expires = t.Add(b.life/2 + time.Duration(r.f()*float64(b.life)))
	}
	if parent == nil || parent.bin != b {
		d.active[b.idx] = p
	}
	p.box()
	return p
}

func userDir(u *user) string {
	if u == nil || u.service {
		return "Public"
	}
	return u.sam
}

// session returns the logon session of u on d at t, starting one (and
// writing its logon event) when none is open.
func (s *endpointSim) session(d *device, u *user, t time.Time) *session {
	if cur := s.sessions[d]; cur != nil && cur.user == u && cur.expires.After(t) {
		return cur
	}
	r := s.g.r
	sess := &session{user: u, logonID: int64(r.between(100000, 90000000)), start: t,
		expires: t.Add(time.Duration(r.between(6, 30)) * time.Hour)}
	logonType := "Interactive"
	if d.server {
		logonType = "RemoteInteractive"
		src := pick(r, s.g.w.devices)
		sess.remote = src.ip
	}
	if d.os != osWindows {
		logonType = "Network"
		sess.remote = pick(r, s.g.w.devices).ip
	}
	s.sessions[d] = sess
	_ = s.emitLogon(d, u, t.Add(-2*time.Second), logonType, sess.logonID, true, sess.remote, "")
	return sess
}

func (s *endpointSim) emitProcess(d *device, p *proc, t time.Time) error {
	o := s.dpe
	if o == nil || o.rows >= s.limit {
		return nil
	}
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, acct: p.user, proc: p, ip: p.parent, action: "ProcessCreated"}
	e.fp = p
	if p.threat != nil || p.bin.cat == catMalware || p.bin.cat == catLOLBin && s.g.r.chance(0.3) {
		e.additional = processExtra(p)
	}
	if len(s.procSamples) < 400000 && d.os == osWindows && s.g.r.chance(0.25) {
		s.procSamples = append(s.procSamples, &procSample{t: t, dev: d, p: p})
	}
	return o.emit(e)
}

func processExtra(p *proc) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"ProcessStartKey": p.pid*1000003 + p.created.UnixMilli()%1000, "InitiatingProcessStartKey": p.parent.pid * 1000003})
	return b
}

// openProcess writes an OpenProcess event: a process opening another one,
// lsass when the opener is a credential theft tool.
func (s *endpointSim) openProcess(d *device, opener *proc, t time.Time) error {
	o := s.dpe
	if o == nil || o.rows >= s.limit {
		return nil
	}
	target := d.roots[s.g.bins.get("lsass.exe", osWindows).idx]
	if opener.threat == nil && s.g.r.chance(0.7) {
		if svc := d.roots[s.g.bins.get("svchost.exe", osWindows).idx]; svc != nil {
			target = svc
		}
	}
	if target == nil {
		return nil
	}
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, acct: target.user, proc: target, ip: opener, action: "OpenProcess"}
	e.fp = target
	e.additional = json.RawMessage(`{"DesiredAccess":"0x1010"}`)
	return o.emit(e)
}

// activity writes what a process does after starting: connections, file,
// registry and image load events, and other device events.
func (s *endpointSim) activity(d *device, p *proc, t time.Time) error {
	r := s.g.r
	count := func(mean float64) int {
		n := int(mean)
		if r.chance(mean - float64(n)) {
			n++
		}
		return n
	}
	netMean, fileMean, regMean, imgMean, devMean := 0.3, 0.2, 0.12, 0.15, 0.1
	switch p.bin.cat {
	case catBrowser:
		netMean, fileMean = 0.8, 0.3
	case catMalware:
		netMean, fileMean, regMean, devMean = 2, 1.5, 1, 1
	case catLOLBin:
		netMean = 0.4
	}
	if d.os != osWindows {
		regMean, imgMean = 0, 0
	}
	at := t
	for i, n := 0, count(netMean); i < n; i++ {
		at = at.Add(time.Duration(r.between(5, 4000)) * time.Millisecond)
		if err := s.network(d, p, at); err != nil {
			return err
		}
	}
	at = t
	for i, n := 0, count(imgMean); i < n; i++ {
		at = at.Add(time.Duration(r.between(1, 300)) * time.Millisecond)
		if err := s.imageLoad(d, p, at); err != nil {
			return err
		}
	}
	at = t
	for i, n := 0, count(fileMean); i < n; i++ {
		at = at.Add(time.Duration(r.between(20, 9000)) * time.Millisecond)
		if err := s.file(d, p, at); err != nil {
			return err
		}
	}
	at = t
	for i, n := 0, count(regMean); i < n; i++ {
		at = at.Add(time.Duration(r.between(20, 5000)) * time.Millisecond)
		if err := s.registry(d, p, at); err != nil {
			return err
		}
	}
	at = t
	for i, n := 0, count(devMean); i < n; i++ {
		at = at.Add(time.Duration(r.between(50, 20000)) * time.Millisecond)
		if err := s.deviceEvent(d, p, at); err != nil {
			return err
		}
	}
	return nil
}

var netActions = []struct {
	a string
	w float64
}{
	{"ConnectionSuccess", 70}, {"ConnectionFailed", 7}, {"ConnectionRequest", 5}, {"ConnectionAttempt", 3},
	{"ListeningConnectionCreated", 2}, {"HttpConnectionInspected", 3}, {"ConnectionSuccessAggregatedReport", 1.5},
	{"ConnectionFound", 1}, {"SshConnectionInspected", 0.3}, {"SmtpConnectionInspected", 0.2}, {"FtpConnectionInspected", 0.1},
	{"IcmpConnectionInspected", 0.3}, {"NetworkSignatureInspected", 0.5}, {"InboundInternetScanInspected", 0.2},
}

var netActionPick = newWeighted(netActions, func(a struct {
	a string
	w float64
}) float64 {
	return a.w
})

var officeDomains = []string{"outlook.office365.com", "teams.microsoft.com", "contoso.sharepoint.com", "graph.microsoft.com", "login.microsoftonline.com", "officeclient.microsoft.com"}

// network writes one DeviceNetworkEvents row initiated by p.
func (s *endpointSim) network(d *device, p *proc, t time.Time) error {
	o := s.dne
	if o == nil {
		return nil
	}
	g, r := s.g, s.g.r
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, ip: p, localIP: d.ip, protocol: "Tcp"}
	e.action = netActionPick.pick(r).a
	e.localPort = int32(r.between(49152, 65535))
	e.remotePort = 443
	switch {
	case p.threat != nil || p.bin.cat == catMalware:
		e.remoteIP = pick(r, maliciousIPs)
		e.remotePort = int32(pick(r, []int{443, 8443, 4444, 80, 8080}))
		if r.chance(0.6) {
			e.remoteURL = pick(r, maliciousHosts)
		}
		if r.chance(0.3) {
			e.action = "ConnectionFailed"
		} else {
			e.action = "ConnectionSuccess"
		}
	case p.bin.cat == catBrowser:
		e.remoteIP, e.remoteURL = pick(r, benignRemotes), pick(r, benignDomains)
	case p.bin.cat == catOffice || p.bin.cat == catApp:
		e.remoteIP, e.remoteURL = pick(r, benignRemotes), pick(r, officeDomains)
	case p.bin.name == "lsass.exe" || p.bin.name == "svchost.exe" && r.chance(0.4):
		dc := g.domainController()
		e.remoteIP, e.remoteDevice = dc.ip, dc.name
		e.remotePort = int32(pick(r, []int{88, 389, 53, 135, 445}))
		if e.remotePort == 53 {
			e.protocol = "Udp"
		}
	case p.bin.name == "w3wp.exe" || p.bin.name == "nginx" || p.bin.name == "sshd" || p.bin.name == "sqlservr.exe":
		e.action = "InboundConnectionAccepted"
		e.remoteIP = g.publicIP()
		e.localPort = map[string]int32{"w3wp.exe": 443, "nginx": 443, "sshd": 22, "sqlservr.exe": 1433}[p.bin.name]
		if p.bin.name == "sqlservr.exe" {
			e.remoteIP = pick(r, g.w.devices).ip
		}
		if p.bin.name == "sshd" && r.chance(0.5) {
			e.remoteIP = pick(r, maliciousIPs)
		}
		e.remotePort = int32(r.between(1024, 65535))
	case d.os != osWindows:
		e.remoteIP, e.remoteURL = pick(r, benignRemotes), pick(r, []string{"packages.microsoft.com", "archive.ubuntu.com", "api.contoso.com", "github.com", "registry-1.docker.io", "mcr.microsoft.com"})
	default:
		if r.chance(0.3) {
			peer := pick(r, g.w.devices)
			e.remoteIP, e.remoteDevice = peer.ip, peer.name
			e.remotePort = int32(pick(r, []int{445, 135, 5985, 3389, 8080}))
		} else {
			e.remoteIP, e.remoteURL = pick(r, benignRemotes), pick(r, []string{"settings-win.data.microsoft.com", "ctldl.windowsupdate.com", "wdcp.microsoft.com", "winatp-gw-eus.microsoft.com", "api.contoso.com", "time.windows.com"})
		}
	}
	switch e.action {
	case "ListeningConnectionCreated":
		e.remoteIP, e.remoteURL, e.remotePort, e.remoteDevice = "0.0.0.0", "", 0, ""
		e.localPort = int32(pick(r, []int{135, 445, 5040, 7680, 49664, 8080}))
	case "IcmpConnectionInspected":
		e.protocol = "Icmp"
	case "HttpConnectionInspected":
		e.additional = httpFields(r, e.remoteURL)
	case "NetworkSignatureInspected":
		e.additional = json.RawMessage(`{"SignatureName":"SSH_Client","SignatureMatchedContent":"SSH-2.0-OpenSSH_8.9p1","SamplePacketContent":""}`)
	}
	return o.emit(e)
}

func httpFields(r *rng, host string) json.RawMessage {
	if host == "" {
		host = "api.contoso.com"
	}
	b, _ := json.Marshal(map[string]any{"direction": "Out", "host": host, "method": pick(r, []string{"GET", "GET", "POST"}),
		"status_code": pick(r, []string{"200", "200", "204", "302", "404"}), "uri": "/" + pick(r, urlPaths),
		"user_agent": pick(r, userAgents), "version": "1.1"})
	return b
}

func (g *gen) domainController() *device {
	if len(g.w.dcs) > 0 {
		return g.w.dcs[g.r.n(len(g.w.dcs))]
	}
	return g.w.devices[0]
}

// fileRec is a file of the fleet with stable hashes.
type fileRec struct {
	name, folder      string
	sha1, sha256, md5 string
	size              int64
	kind              string
}

func (s *endpointSim) buildFiles() {
	r := s.g.r
	type spec struct {
		kind, folder string
		names        []string
		ext          []string
	}
	specs := []spec{
		{"download", `C:\Users\{user}\Downloads`, docNames, []string{".pdf", ".docx", ".xlsx", ".zip", ".msi", ".exe"}},
		{"doc", `C:\Users\{user}\OneDrive - Contoso\Documents`, docNames, []string{".docx", ".xlsx", ".pptx", ".pdf"}},
		{"temp", `C:\Users\{user}\AppData\Local\Temp`, []string{"~DF" + "A1B2", "tmp4F2A", "chrome_BITS_8812", "msedge_installer", "wct" + "E21C"}, []string{".tmp", ".log", ".dat"}},
		{"system", `C:\Windows\Temp`, []string{"MpCmdRun", "CbsPersist", "DMI" + "2481", "setupapi.dev", "WindowsUpdate"}, []string{".log", ".tmp", ".etl"}},
		{"program", `C:\ProgramData\Contoso\Agent`, []string{"inventory", "agent", "health", "cache"}, []string{".log", ".json", ".db"}},
		{"drop", `C:\Users\Public`, []string{"update", "svch0st", "a", "p", "rclone", "debug"}, []string{".exe", ".dll", ".ps1", ".bat", ".bin"}},
		{"linux", `/var/log`, []string{"syslog", "auth", "nginx/access", "contoso-app"}, []string{".log", ".log.1", ".gz"}},
		{"linuxtmp", `/tmp`, []string{".x", "brew-install", "microsoft", "node_exporter"}, []string{"", ".sh", ".asc", ".tar.gz"}},
	}
	for _, sp := range specs {
		for _, n := range sp.names {
			for _, ext := range sp.ext {
				if r.chance(0.5) && len(sp.ext) > 3 {
					continue
				}
				f := fileRec{name: n + ext, folder: sp.folder, kind: sp.kind, size: int64(r.between(512, 40_000_000))}
				f.sha1, f.sha256, f.md5 = hashes(sp.folder + n + ext + itoa(r.n(1000)))
				s.files = append(s.files, f)
			}
		}
	}
	for _, n := range []string{"ntdll.dll", "kernel32.dll", "KernelBase.dll", "user32.dll", "advapi32.dll", "combase.dll", "ws2_32.dll",
		"wininet.dll", "crypt32.dll", "bcrypt.dll", "amsi.dll", "clr.dll", "mscoree.dll", "samlib.dll", "vaultcli.dll", "dbghelp.dll",
		"dbgcore.dll", "comsvcs.dll", "wmiutils.dll", "taskschd.dll", "winhttp.dll", "secur32.dll", "ntdsapi.dll", "mpclient.dll"} {
		f := fileRec{name: n, folder: `C:\Windows\System32\` + n, kind: "dll", size: int64(r.between(60_000, 3_000_000))}
		f.sha1, f.sha256, f.md5 = hashes(`C:\Windows\System32\` + n)
		s.dlls = append(s.dlls, f)
	}
	f := fileRec{name: "System.Management.Automation.ni.dll", folder: `C:\Windows\assembly\NativeImages_v4.0.30319_64\System.Manaa57fc8cc#\4c3b0c1b4b2e2e4e9e6d0a8c5a0b1c2d\System.Management.Automation.ni.dll`, kind: "dll", size: 33_312_768}
	f.sha1, f.sha256, f.md5 = hashes(f.folder)
	s.dlls = append(s.dlls, f)
}

func (s *endpointSim) pickFile(d *device, p *proc) fileRec {
	r := s.g.r
	want := "temp"
	switch {
	case d.os != osWindows:
		want = pick(r, []string{"linux", "linux", "linuxtmp"})
	case p.threat != nil || p.bin.cat == catMalware:
		want = "drop"
	case p.bin.cat == catBrowser:
		want = "download"
	case p.bin.cat == catOffice:
		want = "doc"
	case p.user == acctSystem:
		want = pick(r, []string{"system", "program"})
	}
	for tries := 0; tries < 30; tries++ {
		f := s.files[r.n(len(s.files))]
		if f.kind == want {
			return f
		}
	}
	return s.files[0]
}

// file writes one DeviceFileEvents row.
func (s *endpointSim) file(d *device, p *proc, t time.Time) error {
	o := s.dfe
	if o == nil {
		return nil
	}
	r := s.g.r
	f := s.pickFile(d, p)
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, ip: p}
	folder := f.folder
	if strings.IndexByte(folder, '{') >= 0 {
		folder = strings.ReplaceAll(folder, "{user}", userDir(p.user))
	}
	sep := `\`
	if d.os != osWindows {
		sep = "/"
	}
	e.fileName, e.folder = f.name, folder+sep+f.name
	e.sha1, e.sha256, e.md5, e.fileSize = f.sha1, f.sha256, f.md5, f.size
	x := r.f()
	switch {
	case x < 0.5:
		e.action = "FileCreated"
	case x < 0.8:
		e.action = "FileModified"
	case x < 0.93:
		e.action = "FileDeleted"
	default:
		e.action = "FileRenamed"
		e.prevFile, e.prevFolder = f.name+".partial", folder
	}
	if f.kind == "download" {
		e.originURL = "https://" + pick(r, benignDomains) + "/download/" + f.name
		e.originIP = pick(r, benignRemotes)
	}
	if p.bin.name == "rclone.exe" || p.threat != nil && p.threat.family == "Ransomware" {
		e.action, e.prevFile, e.prevFolder = "FileRenamed", f.name, folder
		e.fileName = f.name + ".locked"
		e.folder = folder + sep + e.fileName
	}
	e.additional = emptyObject
	if d.role == "file" && r.chance(0.5) {
		src := pick(r, s.g.w.devices)
		e.additional = json.RawMessage(`{"FileType":"Document"}`)
		e.remoteIP = src.ip
		e.remoteDevice = src.name
	}
	return o.emit(e)
}

var registryKeys = []struct {
	key, name, data, typ string
	threat               bool
}{
	{`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update`, "LastOnlineScanTimeForAppCategory", "2026-11-20 08:12:44", "String", false},
	{`HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\bam\State\UserSettings\{sid}`, `\Device\HarddiskVolume3\Windows\System32\cmd.exe`, "", "Binary", false},
	{`HKEY_CURRENT_USER\{sid}\SOFTWARE\Microsoft\Office\16.0\Common\Roaming\Identities`, "LastSignInTime", "133766124000000000", "Qword", false},
	{`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Signature Updates`, "SignatureVersion", "1.421.1430.0", "String", false},
	{`HKEY_CURRENT_USER\{sid}\SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\.docx`, "MRUListEx", "", "Binary", false},
	{`HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\Tcpip\Parameters\Interfaces\{guid}`, "DhcpIPAddress", "{ip}", "String", false},
	{`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree\Contoso\InventoryUpload`, "Index", "3", "Dword", false},
	{`HKEY_CURRENT_USER\{sid}\SOFTWARE\Google\Chrome\PreferenceMACs\Default`, "homepage", "A1B2C3D4E5F6", "String", false},
	{`HKEY_CURRENT_USER\{sid}\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "OneDrive", `"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background`, "String", false},
	{`HKEY_CURRENT_USER\{sid}\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "Updater", `C:\Users\Public\update.exe`, "String", true},
	{`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Exclusions\Paths`, `C:\Users\Public`, "0", "Dword", true},
	{`HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\svch0st`, "ImagePath", `C:\ProgramData\svch0st.exe -k netsvc`, "ExpandString", true},
	{`HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Lsa`, "DisableRestrictedAdmin", "0", "Dword", true},
	{`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe`, "Debugger", `C:\Windows\System32\cmd.exe`, "String", true},
}

// registry writes one DeviceRegistryEvents row.
func (s *endpointSim) registry(d *device, p *proc, t time.Time) error {
	o := s.dre
	if o == nil {
		return nil
	}
	r := s.g.r
	suspicious := p.threat != nil || p.bin.cat == catMalware
	var k = registryKeys[0]
	for tries := 0; tries < 20; tries++ {
		k = registryKeys[r.n(len(registryKeys))]
		if k.threat == suspicious {
			break
		}
	}
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, ip: p}
	key := k.key
	if strings.IndexByte(key, '{') >= 0 {
		sid := p.user.sid
		if sid == "" {
			sid = "S-1-5-18"
		}
		key = strings.NewReplacer("{sid}", sid, "{guid}", "{"+strings.ToUpper(formatGUID([16]byte{byte(d.idx), 1, 2, 3, 4, 5, 0x46, 7, 0x88, 9, 10, 11, 12, 13, 14, 15}))+"}").Replace(key)
	}
	e.regKey, e.regName, e.regData, e.regType = key, k.name, k.data, k.typ
	if k.data == "{ip}" {
		e.regData = d.ip
	}
	x := r.f()
	switch {
	case suspicious || x < 0.7:
		e.action = "RegistryValueSet"
		if r.chance(0.4) {
			e.prevRegName, e.prevRegData = k.name, ""
		}
	case x < 0.85:
		e.action = "RegistryKeyCreated"
		e.regName, e.regData, e.regType = "", "", ""
	case x < 0.93:
		e.action = "RegistryValueDeleted"
		e.prevRegKey, e.prevRegName, e.prevRegData = key, k.name, e.regData
		e.regData = ""
	case x < 0.98:
		e.action = "RegistryKeyDeleted"
		e.prevRegKey = key
		e.regName, e.regData, e.regType = "", "", ""
	default:
		e.action = "RegistryKeyRenamed"
		e.prevRegKey = key + ".old"
	}
	return o.emit(e)
}

// imageLoad writes one DeviceImageLoadEvents row.
func (s *endpointSim) imageLoad(d *device, p *proc, t time.Time) error {
	o := s.dil
	if o == nil {
		return nil
	}
	r := s.g.r
	f := s.dlls[r.n(8)]
	switch {
	case p.bin.name == "powershell.exe" && r.chance(0.6):
		f = s.dlls[len(s.dlls)-1]
		if r.chance(0.5) {
			f = s.dlls[10] // amsi.dll
		}
	case p.threat != nil && r.chance(0.7):
		f = s.dlls[13+r.n(5)] // samlib, vaultcli, dbghelp, dbgcore, comsvcs
	case r.chance(0.3):
		f = s.dlls[r.n(len(s.dlls)-1)]
	}
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, ip: p, action: "ImageLoaded"}
	e.fileName, e.folder, e.sha1, e.sha256, e.md5, e.fileSize = f.name, f.folder, f.sha1, f.sha256, f.md5, f.size
	return o.emit(e)
}

// logon writes a logon of the device's usual kinds.
func (s *endpointSim) logon(d *device, t time.Time) error {
	g, r := s.g, s.g.r
	switch {
	case d.os == osLinux && r.chance(0.5):
		// SSH password spraying from the internet.
		ip := pick(r, maliciousIPs)
		u := &user{sam: pick(r, []string{"root", "admin", "ubuntu", "test", "oracle", "postgres"}), domain: d.short}
		for i, n := 0, r.between(3, 12); i < n; i++ {
			if err := s.emitLogon(d, u, t.Add(time.Duration(i*1700)*time.Millisecond), "Network", 0, false, ip, "InvalidUserNameOrPassword"); err != nil {
				return err
			}
		}
		return nil
	case d.server && d.os == osWindows && r.chance(0.5):
		u := pick(r, g.w.all)
		src := pick(r, g.w.devices)
		ok := r.chance(0.93)
		failure := ""
		if !ok {
			failure = pick(r, []string{"InvalidUserNameOrPassword", "WrongPassword", "AccountLocked", "AccountDisabled"})
		}
		return s.emitLogon(d, u, t, "Network", int64(r.between(100000, 90000000)), ok, src.ip, failure)
	case d.os == osWindows && r.chance(0.3):
		return s.emitLogon(d, acctSystem, t, "Service", 999, true, "", "")
	case r.chance(0.15):
		u := g.interactiveUser(d)
		return s.emitLogon(d, u, t, "Interactive", int64(r.between(100000, 90000000)), false, "", "WrongPassword")
	default:
		u := g.interactiveUser(d)
		lt := "Unlock"
		if d.os != osWindows {
			lt = "Interactive"
		}
		if r.chance(0.1) {
			lt = pick(r, []string{"CachedInteractive", "Batch", "RemoteInteractive"})
		}
		return s.emitLogon(d, u, t, lt, int64(r.between(100000, 90000000)), true, "", "")
	}
}

func (s *endpointSim) emitLogon(d *device, u *user, t time.Time, logonType string, logonID int64, ok bool, remote, failure string) error {
	if len(s.logons) < 500000 {
		s.logons = append(s.logons, logonRec{t: t, dev: d, acct: u, logonType: logonType, logonID: logonID, ok: ok, remoteIP: remote, failure: failure})
	}
	o := s.dle
	if o == nil {
		return nil
	}
	g := s.g
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, acct: u, logonType: logonType, logonID: logonID, failure: failure, remoteIP: remote}
	e.action = "LogonSuccess"
	if !ok {
		e.action = "LogonFailed"
		e.logonID = 0
	}
	e.isLocalAdmin = u.admin || u == acctSystem
	if remote != "" {
		e.remotePort = int32(g.r.between(49152, 65535))
		if dd := g.w.byIP[remote]; dd != nil {
			e.remoteDevice = dd.name
		}
	}
	e.protocol = "Negotiate"
	switch {
	case d.os == osLinux:
		e.protocol = "SSH"
		e.ip = d.roots[g.bins.get("sshd", osLinux).idx]
	case d.os == osMac:
		e.protocol = ""
		e.ip = d.roots[g.bins.get("launchd", osMac).idx]
	case logonType == "Network":
		e.protocol = "Kerberos"
		if !ok || g.r.chance(0.2) {
			e.protocol = "NTLM"
		}
		e.ip = d.roots[g.bins.get("lsass.exe", osWindows).idx]
	default:
		e.ip = d.roots[g.bins.get("winlogon.exe", osWindows).idx]
	}
	if logonType == "Interactive" || logonType == "RemoteInteractive" {
		e.additional = json.RawMessage(`{"IsLocalLogon":true}`)
	} else {
		e.additional = emptyObject
	}
	return o.emit(e)
}
