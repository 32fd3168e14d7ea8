package sampledata

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

var logonTypeNumber = map[string]int32{"Interactive": 2, "Network": 3, "Batch": 4, "Service": 5, "Unlock": 7,
	"NetworkCleartext": 8, "NewCredentials": 9, "RemoteInteractive": 10, "CachedInteractive": 11}

var eventActivity = map[int32]string{
	4624: "4624 - An account was successfully logged on.", 4625: "4625 - An account failed to log on.",
	4634: "4634 - An account was logged off.", 4672: "4672 - Special privileges assigned to new logon.",
	4688: "4688 - A new process has been created.", 4720: "4720 - A user account was created.",
	4732: "4732 - A member was added to a security-enabled local group.", 4740: "4740 - A user account was locked out.",
	4768: "4768 - A Kerberos authentication ticket (TGT) was requested.", 4769: "4769 - A Kerberos service ticket was requested.",
	4776: "4776 - The computer attempted to validate the credentials for an account.", 1102: "1102 - The audit log was cleared.",
	4698: "4698 - A scheduled task was created.", 5140: "5140 - A network share object was accessed.",
	4648: "4648 - A logon was attempted using explicit credentials.",
}

// secEvent is one Windows security log record.
type secEvent struct {
	id        int32
	dev       *device
	target    *user
	subject   *user
	logonType string
	logonID   int64
	ip        string
	ok        bool
	p         *proc
}

func hexID(n int64) string { return "0x" + strconv.FormatInt(n, 16) }

func acctName(u *user) string {
	if u == nil {
		return ""
	}
	if u.domain == "nt authority" {
		return "NT AUTHORITY\\" + strings.ToUpper(u.sam)
	}
	return strings.ToUpper(u.domain) + "\\" + u.sam
}

func (g *gen) genSentinel() error {
	if err := g.genSecurityEvent(); err != nil {
		return err
	}
	if err := g.genSyslog(); err != nil {
		return err
	}
	if err := g.genCommonSecurityLog(); err != nil {
		return err
	}
	return g.genHeartbeat()
}

func (g *gen) genSecurityEvent() error {
	r := g.r
	var s secEvent
	subj := func() *user {
		if s.subject != nil {
			return s.subject
		}
		return acctSystem
	}
	se := map[string]colDef{
		"Account":         str(func(*ev) string { return acctName(s.target) }),
		"AccountType":     str(func(*ev) string { return map[bool]string{true: "Machine", false: "User"}[s.target == acctSystem] }),
		"Computer":        str(func(*ev) string { return s.dev.name }),
		"EventSourceName": constStr("Microsoft-Windows-Security-Auditing"),
		"Channel":         constStr("Security"),
		"Task": i32(func(*ev) int32 {
			return map[int32]int32{4624: 12544, 4625: 12544, 4634: 12545, 4672: 12548, 4688: 13312, 4768: 14339, 4769: 14337, 4776: 14336}[s.id]
		}),
		"Level":          constStr("8"),
		"EventLevelName": constStr("Information"),
		"EventID":        i32(func(*ev) int32 { return s.id }),
		"Activity":       str(func(*ev) string { return eventActivity[s.id] }),
		"SourceComputerId": str(func(*ev) string {
			return s.dev.vmID
		}),
		"ManagementGroupName": constStr("AOI-" + workspaceID),
		"AccountDomain":       str(func(*ev) string { return strings.ToUpper(s.target.domain) }),
		"AccountName":         str(func(*ev) string { return s.target.sam }),
		"TargetUserName":      str(func(*ev) string { return s.target.sam }),
		"TargetDomainName":    str(func(*ev) string { return strings.ToUpper(s.target.domain) }),
		"TargetUserSid":       str(func(*ev) string { return s.target.sid }),
		"TargetSid":           str(func(*ev) string { return s.target.sid }),
		"TargetAccount":       str(func(*ev) string { return acctName(s.target) }),
		"TargetLogonId":       str(func(*ev) string { return map[bool]string{true: hexID(s.logonID), false: ""}[s.logonID != 0] }),
		"SubjectUserName":     str(func(*ev) string { return subj().sam }),
		"SubjectDomainName":   str(func(*ev) string { return strings.ToUpper(subj().domain) }),
		"SubjectUserSid":      str(func(*ev) string { return subj().sid }),
		"SubjectAccount":      str(func(*ev) string { return acctName(subj()) }),
		"SubjectLogonId":      str(func(*ev) string { return map[bool]string{true: "0x3e7", false: hexID(s.logonID)}[subj() == acctSystem] }),
		"LogonType": colDef{kind: types.Int, f: func(*ev) any {
			if n, ok := logonTypeNumber[s.logonType]; ok {
				return n
			}
			return nil
		}},
		"LogonTypeName": str(func(*ev) string {
			if n, ok := logonTypeNumber[s.logonType]; ok {
				return strconv.Itoa(int(n)) + " - " + s.logonType
			}
			return ""
		}),
		"LogonProcessName": str(func(*ev) string {
			return map[string]string{"Network": "NtLmSsp ", "Interactive": "User32 ", "RemoteInteractive": "User32 ", "Service": "Advapi  ", "Unlock": "User32 "}[s.logonType]
		}),
		"AuthenticationPackageName": str(func(*ev) string {
			return map[string]string{"Network": "NTLM", "Interactive": "Negotiate", "RemoteInteractive": "Negotiate", "Service": "Negotiate"}[s.logonType]
		}),
		"WorkstationName": str(func(*ev) string {
			if d := g.w.byIP[s.ip]; d != nil {
				return strings.ToUpper(d.short)
			}
			return map[bool]string{true: "-", false: ""}[s.logonType != ""]
		}),
		"IpAddress": str(func(*ev) string { return map[bool]string{true: s.ip, false: "-"}[s.ip != ""] }),
		"IpPort":    str(func(*ev) string { return map[bool]string{true: itoa(r.between(49152, 65535)), false: "-"}[s.ip != ""] }),
		"Status":    str(func(*ev) string { return map[bool]string{true: "", false: "0xc000006d"}[s.ok] }),
		"SubStatus": str(func(*ev) string { return map[bool]string{true: "", false: "0xc000006a"}[s.ok] }),
		"FailureReason": str(func(*ev) string {
			return map[bool]string{true: "", false: "%%2313"}[s.ok]
		}),
		"ElevatedToken":      str(func(*ev) string { return map[bool]string{true: "%%1842", false: "%%1843"}[s.target.admin] }),
		"VirtualAccount":     constStr("%%1843"),
		"LogonGuid":          str(func(*ev) string { return "{00000000-0000-0000-0000-000000000000}" }),
		"ImpersonationLevel": constStr("%%1833"),
		"NewProcessName": str(func(*ev) string {
			if s.p != nil {
				return s.p.folder
			}
			return ""
		}),
		"NewProcessId": str(func(*ev) string {
			if s.p != nil {
				return hexID(s.p.pid)
			}
			return ""
		}),
		"CommandLine": str(func(*ev) string {
			if s.p != nil {
				return s.p.cmd
			}
			return ""
		}),
		"ParentProcessName": str(func(*ev) string {
			if s.p != nil && s.p.parent != nil {
				return s.p.parent.folder
			}
			return ""
		}),
		"ProcessId": str(func(*ev) string {
			if s.p != nil && s.p.parent != nil {
				return hexID(s.p.parent.pid)
			}
			return "0x2d0"
		}),
		"ProcessName": str(func(*ev) string {
			if s.p != nil && s.p.parent != nil {
				return s.p.parent.folder
			}
			return `C:\Windows\System32\lsass.exe`
		}),
		"TokenElevationType": str(func(*ev) string {
			if s.p != nil {
				return map[string]string{"TokenElevationTypeDefault": "%%1936", "TokenElevationTypeFull": "%%1937", "TokenElevationTypeLimited": "%%1938"}[s.p.elevation]
			}
			return ""
		}),
		"MandatoryLabel": str(func(*ev) string {
			if s.p != nil {
				return map[string]string{"System": "S-1-16-16384", "High": "S-1-16-12288", "Medium": "S-1-16-8192", "Low": "S-1-16-4096"}[s.p.integrity]
			}
			return ""
		}),
		"PrivilegeList": str(func(*ev) string {
			return map[bool]string{true: "SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege", false: ""}[s.id == 4672]
		}),
		"MemberName": str(func(*ev) string { return map[bool]string{true: "-", false: ""}[s.id == 4732] }),
		"MemberSid":  str(func(*ev) string { return map[bool]string{true: s.target.sid, false: ""}[s.id == 4732] }),
		"ShareName":  str(func(*ev) string { return map[bool]string{true: `\\*\departments`, false: ""}[s.id == 5140] }),
		"ServiceName": str(func(*ev) string {
			return map[bool]string{true: "krbtgt", false: ""}[s.id == 4768] + map[bool]string{true: pick(r, g.w.devices).short + "$", false: ""}[s.id == 4769]
		}),
		"EventData": str(func(*ev) string {
			return `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data Name="TargetUserName">` + s.target.sam +
				`</Data><Data Name="TargetDomainName">` + strings.ToUpper(s.target.domain) + `</Data><Data Name="LogonType">` +
				strconv.Itoa(int(logonTypeNumber[s.logonType])) + `</Data><Data Name="IpAddress">` + s.ip + `</Data></EventData>`
		}),
		"EventRecordId": str(func(e *ev) string { return strconv.FormatInt(e.reportID*13, 10) }),
		"Keywords": str(func(*ev) string {
			return map[bool]string{true: "0x8020000000000000", false: "0x8010000000000000"}[s.ok]
		}),
		"Opcode":          constStr("0"),
		"SystemProcessId": i32(func(*ev) int32 { return 720 }),
		"SystemThreadId":  i32(func(*ev) int32 { return int32(r.between(700, 9000)) }),
		"SystemUserId":    constStr("-"),
		"Version":         i32(func(*ev) int32 { return map[int32]int32{4624: 2, 4688: 2, 4625: 0}[s.id] }),
		"SourceSystem":    constStr("OpsManager"),
	}
	var logons []logonRec
	var procs []*procSample
	if g.endpoint != nil {
		for _, l := range g.endpoint.logons {
			if l.dev.os == osWindows {
				logons = append(logons, l)
			}
		}
		procs = g.endpoint.procSamples
	}
	n := g.scaled(400, 150)
	other := []int32{4634, 4672, 4768, 4769, 4776, 4720, 4732, 4740, 1102, 4698, 5140, 4648}
	return g.table("SecurityEvent", n, se, 0.05, func(i int, e *ev) {
		s = secEvent{dev: pick(r, g.w.windows), target: g.randomUser(), ok: true}
		switch x := r.f(); {
		case x < 0.4 && len(logons) > 0:
			l := logons[r.n(len(logons))]
			s.dev, s.target, s.logonType, s.logonID, s.ip, s.ok = l.dev, l.acct, l.logonType, l.logonID, l.remoteIP, l.ok
			s.id = 4624
			if !l.ok {
				s.id = 4625
			}
			e.t = l.t
		case x < 0.75 && len(procs) > 0:
			ps := procs[r.n(len(procs))]
			s.dev, s.p, s.id, s.target = ps.dev, ps.p, 4688, ps.p.user
			s.subject, s.logonID = ps.p.user, ps.p.logonID
			e.t = ps.t
		default:
			s.id = pick(r, other)
			if s.id == 4768 || s.id == 4769 || s.id == 4776 || s.id == 4740 || s.id == 4720 {
				s.dev = g.domainController()
				s.ip = pick(r, g.w.devices).ip
			}
			if s.id == 4720 || s.id == 4732 {
				s.subject = pick(r, g.w.all)
			}
			s.logonID = int64(r.between(100000, 90000000))
		}
		if s.dev.os != osWindows {
			s.dev = pick(r, g.w.windows)
		}
		e.dev, e.acct = s.dev, s.target
	})
}

func (g *gen) genSyslog() error {
	r := g.r
	var d *device
	var facility, severity, proc, msg string
	var pid int32
	sl := map[string]colDef{
		"Computer":          str(func(*ev) string { return d.short }),
		"EventTime":         dt(func(e *ev) time.Time { return e.t }),
		"Facility":          str(func(*ev) string { return facility }),
		"HostName":          str(func(*ev) string { return d.short }),
		"SeverityLevel":     str(func(*ev) string { return severity }),
		"SyslogMessage":     str(func(*ev) string { return msg }),
		"ProcessID":         i32(func(*ev) int32 { return pid }),
		"HostIP":            str(func(*ev) string { return d.ip }),
		"ProcessName":       str(func(*ev) string { return proc }),
		"CollectorHostName": str(func(*ev) string { return d.short }),
		"MG":                colDef{kind: types.GUID, f: func(*ev) any { return "00000000-0000-0000-0000-000000000002" }},
		"SourceSystem":      constStr("Linux"),
	}
	linux := g.w.linux
	if len(linux) == 0 {
		linux = g.w.devices
	}
	admins := g.w.admins
	if len(admins) == 0 {
		admins = g.w.users
	}
	return g.table("Syslog", g.scaled(300, 100), sl, 0, func(i int, e *ev) {
		d = pick(r, linux)
		e.dev = d
		port := itoa(r.between(32768, 65535))
		switch x := r.f(); {
		case x < 0.25:
			facility, severity, proc = "authpriv", "info", "sshd"
			ip := pick(r, maliciousIPs)
			msg = "Failed password for invalid user " + pick(r, []string{"admin", "oracle", "test", "ubuntu", "postgres"}) + " from " + ip + " port " + port + " ssh2"
			if r.chance(0.3) {
				msg = "Disconnected from authenticating user root " + ip + " port " + port + " [preauth]"
			}
		case x < 0.35:
			facility, severity, proc = "authpriv", "info", "sshd"
			u := pick(r, admins)
			msg = "Accepted publickey for " + u.sam + " from " + pick(r, g.w.devices).ip + " port " + port + " ssh2: RSA SHA256:" + g.b64[0][:43]
		case x < 0.55:
			facility, severity, proc = "cron", "info", "CRON"
			msg = "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"
		case x < 0.65:
			facility, severity, proc = "authpriv", "notice", "sudo"
			u := pick(r, admins)
			msg = "  " + u.sam + " : TTY=pts/0 ; PWD=/home/" + u.sam + " ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"
		case x < 0.8:
			facility, severity, proc = "kern", "warning", "kernel"
			msg = "[UFW BLOCK] IN=eth0 OUT= MAC=" + strings.ToLower(strings.ReplaceAll(d.mac, "-", ":")) + " SRC=" + pick(r, maliciousIPs) + " DST=" + d.ip + " LEN=40 TOS=0x00 PREC=0x00 TTL=243 ID=54321 PROTO=TCP SPT=" + port + " DPT=" + pick(r, []string{"23", "3389", "445", "6379"}) + " WINDOW=1024 RES=0x00 SYN URGP=0"
		case x < 0.93:
			facility, severity, proc = "daemon", "info", "systemd"
			msg = "Started Session " + itoa(r.between(100, 9999)) + " of User " + pick(r, admins).sam + "."
		default:
			facility, severity, proc = "daemon", pick(r, []string{"err", "crit", "warning"}), "contoso-app"
			msg = "ERROR [worker-" + itoa(r.n(8)) + "] upstream request to https://api.contoso.com/v1/orders failed: context deadline exceeded"
		}
		pid = int32(r.between(300, 90000))
	})
}

func (g *gen) genCommonSecurityLog() error {
	r := g.r
	var src *device
	var dst, act, app, url, threatName string
	var dport int32
	var threat bool
	cs := map[string]colDef{
		"ReceiptTime":        str(func(e *ev) string { return e.t.Format("Jan 02 2006 15:04:05") }),
		"DeviceVendor":       constStr("Palo Alto Networks"),
		"DeviceProduct":      constStr("PAN-OS"),
		"DeviceVersion":      constStr("10.2.4"),
		"DeviceEventClassID": str(func(*ev) string { return map[bool]string{true: "THREAT", false: "TRAFFIC"}[threat] }),
		"Activity":           str(func(*ev) string { return map[bool]string{true: "THREAT", false: "TRAFFIC"}[threat] }),
		"LogSeverity":        str(func(*ev) string { return map[bool]string{true: "8", false: "1"}[threat] }),
		"DeviceAction":       str(func(*ev) string { return act }),
		"SimplifiedDeviceAction": str(func(*ev) string {
			return map[string]string{"allow": "Allow", "deny": "Deny", "drop": "Drop", "reset-both": "Deny"}[act]
		}),
		"Computer":                constStr("syslog-collector01"),
		"ApplicationProtocol":     str(func(*ev) string { return app }),
		"EventCount":              i32(func(*ev) int32 { return 1 }),
		"CommunicationDirection":  constStr("Outbound"),
		"DeviceName":              constStr("pa-fw01"),
		"DeviceInboundInterface":  constStr("ethernet1/2"),
		"DeviceOutboundInterface": constStr("ethernet1/1"),
		"DeviceExternalID":        constStr("013101009876"),
		"SourceIP":                str(func(*ev) string { return src.ip }),
		"SourcePort":              i32(func(*ev) int32 { return int32(r.between(49152, 65535)) }),
		"SourceHostName":          str(func(*ev) string { return src.short }),
		"SourceUserName": str(func(*ev) string {
			if src.primary != nil {
				return netbiosDomain + "\\" + src.primary.sam
			}
			return ""
		}),
		"SourceTranslatedAddress":  str(func(*ev) string { return src.publicIP }),
		"SourceTranslatedPort":     i32(func(*ev) int32 { return int32(r.between(1024, 65535)) }),
		"DestinationIP":            str(func(*ev) string { return dst }),
		"DestinationPort":          i32(func(*ev) int32 { return dport }),
		"DestinationHostName":      str(func(*ev) string { return urlHost(url) }),
		"Protocol":                 str(func(*ev) string { return map[bool]string{true: "udp", false: "tcp"}[dport == 53] }),
		"ReceivedBytes":            lng(func(*ev) int64 { return int64(r.between(60, 5_000_000)) }),
		"SentBytes":                lng(func(*ev) int64 { return int64(r.between(60, 400_000)) }),
		"RequestURL":               str(func(*ev) string { return url }),
		"RequestMethod":            str(func(*ev) string { return map[bool]string{true: "GET", false: ""}[app == "web-browsing"] }),
		"DeviceCustomString1":      constStr("Outbound-Internet"),
		"DeviceCustomString1Label": constStr("Rule"),
		"DeviceCustomString2":      constStr("trust"),
		"DeviceCustomString2Label": constStr("SrcZone"),
		"DeviceCustomString3":      constStr("untrust"),
		"DeviceCustomString3Label": constStr("DstZone"),
		"DeviceCustomNumber1":      i32(func(*ev) int32 { return int32(r.between(1, 900)) }),
		"DeviceCustomNumber1Label": constStr("SessionDuration"),
		"ThreatSeverity":           colDef{kind: types.Int, f: func(*ev) any { return map[bool]any{true: int32(4), false: nil}[threat] }},
		"IndicatorThreatType":      str(func(*ev) string { return map[bool]string{true: "Botnet", false: ""}[threat] }),
		"MaliciousIP":              str(func(*ev) string { return map[bool]string{true: dst, false: ""}[threat] }),
		"ThreatDescription":        str(func(*ev) string { return threatName }),
		"ThreatConfidence":         str(func(*ev) string { return map[bool]string{true: "High", false: ""}[threat] }),
		"MaliciousIPCountry":       str(func(*ev) string { return map[bool]string{true: "Russia", false: ""}[threat] }),
		"MaliciousIPLatitude":      colDef{kind: types.Real, f: func(*ev) any { return map[bool]any{true: 55.7558, false: nil}[threat] }},
		"MaliciousIPLongitude":     colDef{kind: types.Real, f: func(*ev) any { return map[bool]any{true: 37.6173, false: nil}[threat] }},
		"StartTime":                dt(func(e *ev) time.Time { return e.t.Add(-time.Duration(r.n(300)) * time.Second) }),
		"EndTime":                  dt(func(e *ev) time.Time { return e.t }),
		"EventOutcome": str(func(*ev) string {
			return map[string]string{"allow": "Success", "deny": "Failure", "drop": "Failure", "reset-both": "Failure"}[act]
		}),
		"CollectorHostName": constStr("syslog-collector01"),
		"AdditionalExtensions": str(func(*ev) string {
			return "PanOSSourceLocation=10.0.0.0-10.255.255.255;PanOSDestinationLocation=United States;PanOSSessionID=" + itoa(r.between(100000, 999999))
		}),
		"SourceSystem": constStr("OpsManager"),
	}
	return g.table("CommonSecurityLog", g.scaled(300, 100), cs, 0.05, func(i int, e *ev) {
		src = pick(r, g.w.devices)
		threat = r.chance(0.04)
		act, app, dport, threatName = "allow", "ssl", 443, ""
		dst = pick(r, benignRemotes)
		url = "https://" + pick(r, benignDomains) + "/"
		switch x := r.f(); {
		case threat:
			dst = pick(r, maliciousIPs)
			url = "http://" + pick(r, maliciousHosts) + "/gate.php"
			act, app, dport = pick(r, []string{"reset-both", "drop", "allow"}), "web-browsing", 80
			threatName = pick(r, []string{"Cobalt Strike Beacon C2 Traffic Detection(86446)", "Suspicious DNS Query (generic:files-share.xyz)(109001001)", "Emotet Command and Control Traffic Detection(21201)"})
		case x < 0.1:
			dport, app, url = 53, "dns", ""
			dst = g.domainController().ip
		case x < 0.2:
			act = pick(r, []string{"deny", "drop"})
			dport = int32(pick(r, []int{25, 445, 3389, 6667}))
			app, url = "incomplete", ""
		case x < 0.4:
			app, dport = "web-browsing", 80
			url = "http://" + pick(r, benignDomains) + "/" + pick(r, urlPaths)
		}
		e.dev = src
	})
}

func (g *gen) genHeartbeat() error {
	r := g.r
	var d *device
	hb := map[string]colDef{
		"ManagementGroupName": constStr("AOI-" + workspaceID),
		"ComputerIP":          str(func(*ev) string { return d.publicIP }),
		"Computer":            str(func(*ev) string { return d.name }),
		"Category":            constStr("Azure Monitor Agent"),
		"OSType": str(func(*ev) string {
			return map[osKind]string{osWindows: "Windows", osLinux: "Linux", osMac: "macOS"}[d.os]
		}),
		"OSName": str(func(*ev) string {
			if d.os == osLinux {
				return d.osDistro
			}
			return map[string]string{"WindowsServer2019": "Windows Server 2019 Datacenter", "WindowsServer2022": "Windows Server 2022 Datacenter"}[d.platform]
		}),
		"OSMajorVersion":      str(func(*ev) string { return strings.Split(d.osVersion, ".")[0] }),
		"OSMinorVersion":      str(func(*ev) string { return strings.Split(d.osVersion+".0", ".")[1] }),
		"Version":             constStr("1.31.0.0"),
		"SCAgentChannel":      constStr("Direct"),
		"IsGatewayInstalled":  bl(func(*ev) bool { return false }),
		"RemoteIPLongitude":   rl(func(*ev) float64 { return -79.4 }),
		"RemoteIPLatitude":    rl(func(*ev) float64 { return 36.7 }),
		"RemoteIPCountry":     constStr("United States"),
		"SubscriptionId":      constStr(subscriptionID),
		"ResourceGroup":       constStr(resourceGroup),
		"ResourceProvider":    constStr("Microsoft.Compute"),
		"Resource":            str(func(*ev) string { return d.short }),
		"ResourceId":          str(func(*ev) string { return vmResourceID(d) }),
		"ResourceType":        constStr("virtualMachines"),
		"ComputerEnvironment": constStr("Azure"),
		"Solutions":           constStr(`"security", "changeTracking", "updates"`),
		"VMUUID":              str(func(*ev) string { return d.vmID }),
		"ComputerPrivateIPs":  dyn(func(*ev) json.RawMessage { return json.RawMessage(`["` + d.ip + `"]`) }),
		"_ResourceId":         str(func(*ev) string { return strings.ToLower(vmResourceID(d)) }),
		"SourceSystem":        str(func(*ev) string { return map[bool]string{true: "Linux", false: "OpsManager"}[d.os == osLinux] }),
	}
	servers := g.w.servers
	if len(servers) == 0 {
		servers = g.w.devices
	}
	o, err := g.out("Heartbeat", hb, 0)
	if err != nil || o == nil {
		return err
	}
	every := time.Hour
	if g.opts.Rows < 5000 {
		every = 6 * time.Hour
	}
	for t := g.w.start.Add(time.Minute); t.Before(g.w.now); t = t.Add(every) {
		for _, x := range servers {
			if x.sensorHealth == "Inactive" && r.chance(0.7) {
				continue
			}
			d = x
			e := &o.e
			*e = ev{table: "Heartbeat", t: t.Add(time.Duration(x.idx*13%3000) * time.Second), dev: x}
			if err := o.emit(e); err != nil {
				return err
			}
		}
	}
	return g.finish("Heartbeat")
}

func vmResourceID(d *device) string {
	return "/subscriptions/" + subscriptionID + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.Compute/virtualMachines/" + d.short
}
