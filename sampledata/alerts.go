package sampledata

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

var techniqueNames = map[string]string{
	"T1059.001": "PowerShell", "T1566.001": "Spearphishing Attachment", "T1105": "Ingress Tool Transfer",
	"T1490": "Inhibit System Recovery", "T1070.001": "Clear Windows Event Logs", "T1136.001": "Local Account",
	"T1053.005": "Scheduled Task", "T1003.001": "LSASS Memory", "T1218.011": "Rundll32", "T1218.010": "Regsvr32",
	"T1218.005": "Mshta", "T1197": "BITS Jobs", "T1047": "Windows Management Instrumentation",
	"T1505.003": "Web Shell", "T1567.002": "Exfiltration to Cloud Storage", "T1219": "Remote Access Software",
	"T1036.005": "Match Legitimate Name or Location", "T1059.004": "Unix Shell", "T1003.008": "/etc/passwd and /etc/shadow",
	"T1056.002": "GUI Input Capture", "T1110.003": "Password Spraying", "T1078": "Valid Accounts",
	"T1566.002": "Spearphishing Link", "T1114.003": "Email Forwarding Rule",
}

// extraAlerts adds identity, cloud and email alerts beside the endpoint ones
// the process simulation raised, and makes sure there is at least one.
func (g *gen) extraAlerts() {
	r := g.r
	n := len(g.alerts)/4 + 3
	for i := 0; i < n; i++ {
		u := g.randomUser()
		a := &alertRec{t: g.randomTime(), acct: u, dev: pick(r, g.w.devices), systemID: r.guid()}
		switch i % 3 {
		case 0:
			a.th = &threat{"Password spray attack", "CredentialAccess", "T1110.003", "Medium", ""}
			a.service, a.source = "Microsoft Defender for Identity", "MDI"
		case 1:
			a.th = &threat{"Impossible travel activity", "InitialAccess", "T1078", "Medium", ""}
			a.service, a.source = "Microsoft Defender for Cloud Apps", "MCAS"
		default:
			a.th = &threat{"Email messages containing malicious URL removed after delivery", "InitialAccess", "T1566.002", "Informational", ""}
			a.service, a.source = "Microsoft Defender for Office 365", "OfficeATP"
		}
		a.id = strings.ToLower(a.source[:2]) + strconv.FormatInt(a.t.UnixNano()/100+621355968000000000, 10) + "_" + strconv.FormatInt(-int64(r.between(100000000, 2147483647)), 10)
		a.remoteIP = pick(r, maliciousIPs)
		a.remoteURL = pick(r, maliciousHosts)
		g.alerts = append(g.alerts, a)
	}
}

func (g *gen) genAlerts() error {
	r := g.r
	g.extraAlerts()
	// Incidents: alerts on the same device or user within a day are one
	// incident.
	type inc struct {
		num       int
		alerts    []*alertRec
		first     time.Time
		last      time.Time
		sev       string
		id        string
		status    string
		owner     *user
		class     string
		reason    string
		closed    time.Time
		byService string
	}
	var incidents []*inc
	sevRank := map[string]int{"Informational": 0, "Low": 1, "Medium": 2, "High": 3}
	for _, a := range g.alerts {
		var found *inc
		for _, in := range incidents {
			last := in.alerts[len(in.alerts)-1]
			if (a.dev == last.dev && a.dev != nil || a.acct == last.acct) && a.t.Sub(in.first) < 24*time.Hour && a.t.After(in.first) {
				found = in
				break
			}
		}
		if found == nil {
			found = &inc{num: 1000 + len(incidents), first: a.t, sev: "Informational", id: r.guid(), byService: a.service}
			incidents = append(incidents, found)
		}
		found.alerts = append(found.alerts, a)
		a.incident = found.num
		if a.t.After(found.last) {
			found.last = a.t
		}
		if sevRank[a.th.severity] > sevRank[found.sev] {
			found.sev = a.th.severity
		}
	}
	// SecurityAlert.
	var a *alertRec
	tech := func(a *alertRec) string { return a.th.technique }
	provider := func(a *alertRec) (provider, product string) {
		switch a.source {
		case "MDI":
			return "Azure Advanced Threat Protection", "Azure Advanced Threat Protection"
		case "MCAS":
			return "MCAS", "Microsoft Cloud App Security"
		case "OfficeATP":
			return "OATP", "Office 365 Advanced Threat Protection"
		}
		return "MDATP", "Microsoft Defender Advanced Threat Protection"
	}
	compromised := func(a *alertRec) string {
		if a.source == "EDR" || a.source == "Antivirus" || a.source == "CustomDetection" {
			return a.dev.name
		}
		return a.acct.upn
	}
	entities := func(a *alertRec) string {
		ents := []map[string]any{
			{"$id": "2", "HostName": a.dev.short, "DnsDomain": adDomain, "OSFamily": a.dev.platform, "MdatpDeviceId": a.dev.id, "Type": "host"},
			{"$id": "3", "Name": a.acct.sam, "NTDomain": strings.ToUpper(netbiosDomain), "Sid": a.acct.sid, "AadUserId": a.acct.objectID, "Type": "account"},
		}
		if a.p != nil {
			ents = append(ents, map[string]any{"$id": "4", "ProcessId": strconv.FormatInt(a.p.pid, 10), "CommandLine": a.p.cmd, "CreationTimeUtc": a.p.created.Format(time.RFC3339), "Type": "process"},
				map[string]any{"$id": "5", "Name": a.fileName, "Directory": strings.TrimSuffix(a.folder, a.fileName), "FileHashes": []map[string]string{{"Algorithm": "SHA256", "Value": a.sha256}}, "Type": "file"})
		}
		ents = append(ents, map[string]any{"$id": "6", "Address": a.remoteIP, "Type": "ip"})
		b, _ := json.Marshal(ents)
		return string(b)
	}
	status := func(a *alertRec) string {
		if a.t.Before(g.w.now.Add(-72 * time.Hour)) {
			return "Resolved"
		}
		return pick(r, []string{"New", "InProgress"})
	}
	sa := map[string]colDef{
		"DisplayName":      str(func(*ev) string { return a.th.title }),
		"AlertName":        str(func(*ev) string { return a.th.title }),
		"AlertSeverity":    str(func(*ev) string { return a.th.severity }),
		"Description":      str(func(*ev) string { return "A suspicious activity was observed: " + strings.ToLower(a.th.title) + "." }),
		"ProviderName":     str(func(*ev) string { p, _ := provider(a); return p }),
		"VendorName":       constStr("Microsoft"),
		"VendorOriginalId": str(func(*ev) string { return a.id }),
		"SystemAlertId":    str(func(*ev) string { return a.systemID }),
		"ResourceId":       constStr(""),
		"SourceComputerId": str(func(*ev) string { return a.dev.aadID }),
		"ConfidenceLevel":  constStr("High"),
		"ConfidenceScore":  rl(func(*ev) float64 { return 0.9 }),
		"IsIncident":       bl(func(*ev) bool { return false }),
		"StartTime":        dt(func(*ev) time.Time { return a.t.Add(-time.Minute) }),
		"EndTime":          dt(func(*ev) time.Time { return a.t }),
		"ProcessingEndTime": dt(func(*ev) time.Time {
			return a.t.Add(3 * time.Minute)
		}),
		"RemediationSteps": constStr(`["Review the alert and the device timeline.","Isolate the device if the activity is confirmed malicious."]`),
		"ExtendedProperties": str(func(*ev) string {
			b, _ := json.Marshal(map[string]string{"MicrosoftDefenderAtpAlertId": a.id, "Category": a.th.category, "DetectionSource": a.source, "IncidentId": strconv.Itoa(a.incident)})
			return string(b)
		}),
		"Entities":                str(func(*ev) string { return entities(a) }),
		"WorkspaceSubscriptionId": constStr(subscriptionID),
		"WorkspaceResourceGroup":  constStr(resourceGroup),
		"ExtendedLinks":           constStr(""),
		"ProductName":             str(func(*ev) string { _, p := provider(a); return p }),
		"ProductComponentName":    constStr(""),
		"AlertLink":               str(func(*ev) string { return "https://security.microsoft.com/alerts/" + a.id }),
		"CompromisedEntity":       str(func(*ev) string { return compromised(a) }),
		"Status":                  str(func(*ev) string { return status(a) }),
		"Tactics":                 str(func(*ev) string { return a.th.category }),
		"Techniques":              str(func(*ev) string { return `["` + strings.Split(tech(a), ".")[0] + `"]` }),
		"SubTechniques":           str(func(*ev) string { return `["` + tech(a) + `"]` }),
		"AlertType":               str(func(*ev) string { return strings.ReplaceAll(a.th.title, " ", "") }),
		"SourceSystem":            constStr("Detection"),
	}
	emitAlerts := func(table string, own map[string]colDef, per func(a *alertRec, e *ev)) error {
		o, err := g.out(table, own, 0)
		if err != nil || o == nil {
			return err
		}
		for _, x := range g.alerts {
			a = x
			e := &o.e
			*e = ev{table: table, t: x.t, dev: x.dev, acct: x.acct, severity: x.th.severity, title: x.th.title, category: x.th.category}
			per(x, e)
			if err := o.emit(e); err != nil {
				return err
			}
		}
		return g.finish(table)
	}
	if err := emitAlerts("SecurityAlert", sa, func(*alertRec, *ev) {}); err != nil {
		return err
	}
	// AlertInfo and the legacy DeviceAlertEvents.
	attack := func(a *alertRec) string {
		return `["` + techniqueNames[a.th.technique] + ` (` + a.th.technique + `)"]`
	}
	ai := map[string]colDef{
		"AlertId":          str(func(*ev) string { return a.id }),
		"ServiceSource":    str(func(*ev) string { return a.service }),
		"DetectionSource":  str(func(*ev) string { return a.source }),
		"AttackTechniques": str(func(*ev) string { return attack(a) }),
		"Categories":       str(func(*ev) string { return `["` + a.th.category + `"]` }),
		"Table":            constStr("DeviceProcessEvents"),
		"FileName":         str(func(*ev) string { return a.fileName }),
		"SHA1":             str(func(*ev) string { return a.sha1 }),
		"RemoteUrl":        str(func(*ev) string { return a.remoteURL }),
		"RemoteIP":         str(func(*ev) string { return a.remoteIP }),
	}
	if err := emitAlerts("AlertInfo", ai, func(*alertRec, *ev) {}); err != nil {
		return err
	}
	if err := emitAlerts("DeviceAlertEvents", ai, func(*alertRec, *ev) {}); err != nil {
		return err
	}
	// AlertEvidence: the entities of each alert.
	var kind, role string
	evid := map[string]colDef{
		"AlertId":          str(func(*ev) string { return a.id }),
		"Categories":       str(func(*ev) string { return `["` + a.th.category + `"]` }),
		"AttackTechniques": str(func(*ev) string { return attack(a) }),
		"ServiceSource":    str(func(*ev) string { return a.service }),
		"DetectionSource":  str(func(*ev) string { return a.source }),
		"EntityType":       str(func(*ev) string { return kind }),
		"EvidenceRole":     str(func(*ev) string { return role }),
		"EvidenceDirection": str(func(*ev) string {
			return map[bool]string{true: "Destination", false: "Source"}[kind == "Ip" || kind == "Url"]
		}),
		"ThreatFamily": str(func(*ev) string { return a.th.family }),
		"Application": str(func(*ev) string {
			return map[bool]string{true: "Microsoft Exchange Online", false: ""}[kind == "MailMessage"]
		}),
		"ApplicationId":      i32(func(*ev) int32 { return map[bool]int32{true: 20893, false: 0}[kind == "MailMessage"] }),
		"OAuthApplicationId": constStr(""),
		"NetworkMessageId":   str(func(*ev) string { return map[bool]string{true: a.systemID, false: ""}[kind == "MailMessage"] }),
		"EmailSubject": str(func(*ev) string {
			return map[bool]string{true: "Action required: " + pick(r, docNames), false: ""}[kind == "MailMessage"]
		}),
		"CloudResource":  constStr(""),
		"CloudPlatform":  constStr(""),
		"ResourceType":   str(func(*ev) string { return kind }),
		"ResourceID":     constStr(""),
		"SubscriptionId": constStr(""),
		"AdditionalFields": dyn(func(*ev) json.RawMessage {
			b, _ := json.Marshal(map[string]string{"Type": strings.ToLower(kind), "Role": role})
			return b
		}),
	}
	o, err := g.out("AlertEvidence", evid, 0)
	if err != nil {
		return err
	}
	if o != nil {
		for _, x := range g.alerts {
			a = x
			kinds := []string{"Machine", "User", "Ip"}
			if x.p != nil {
				kinds = append(kinds, "Process", "File")
			}
			if x.source == "OfficeATP" {
				kinds = []string{"User", "MailMessage", "Url"}
			}
			if x.source == "MCAS" {
				kinds = append(kinds, "CloudApplication")
			}
			for _, k := range kinds {
				kind, role = k, "Related"
				if k == "Machine" || k == "User" || k == "Process" {
					role = "Impacted"
				}
				e := &o.e
				*e = ev{table: "AlertEvidence", t: x.t, severity: x.th.severity, title: x.th.title}
				switch k {
				case "Machine":
					e.dev, e.localIP = x.dev, x.dev.ip
				case "User":
					e.acct = x.acct
				case "Ip":
					e.remoteIP = x.remoteIP
				case "Url", "CloudApplication":
					e.remoteURL = "http://" + x.remoteURL + "/login"
				case "Process", "File":
					e.dev, e.proc = x.dev, x.p
					e.fileName, e.folder, e.sha1, e.sha256, e.fileSize = x.fileName, x.folder, x.sha1, x.sha256, x.fileSize
				case "MailMessage":
					e.acct = x.acct
				}
				if err := o.emit(e); err != nil {
					return err
				}
			}
		}
		if err := g.finish("AlertEvidence"); err != nil {
			return err
		}
	}
	// BehaviorInfo and BehaviorEntities for the endpoint alerts.
	beh := map[string]colDef{
		"BehaviorId":       str(func(*ev) string { return "ba" + a.id[2:] }),
		"Description":      str(func(*ev) string { return "Behavior associated with " + strings.ToLower(a.th.title) }),
		"Categories":       str(func(*ev) string { return `["` + a.th.category + `"]` }),
		"AttackTechniques": str(func(*ev) string { return attack(a) }),
		"ServiceSource":    constStr("Microsoft Defender for Endpoint"),
		"DetectionSource":  constStr("EDR"),
		"DataSources":      constStr(`["Microsoft Defender for Endpoint"]`),
		"StartTime":        dt(func(*ev) time.Time { return a.t.Add(-10 * time.Minute) }),
		"EndTime":          dt(func(*ev) time.Time { return a.t }),
		"AdditionalFields": constStr("{}"),
		"ActionType":       constStr("SuspiciousProcessChain"),
		"EntityType":       str(func(*ev) string { return kind }),
		"EntityRole":       str(func(*ev) string { return role }),
		"DetailedEntityRole": str(func(*ev) string {
			return map[bool]string{true: "ImpactedMachine", false: "Related"}[kind == "Machine"]
		}),
		"ThreatFamily":        str(func(*ev) string { return a.th.family }),
		"EmailClusterId":      constStr(""),
		"ApplicationId":       constStr(""),
		"Application":         constStr(""),
		"OAuthApplicationId":  constStr(""),
		"NetworkMessageId":    constStr(""),
		"EmailSubject":        constStr(""),
		"CloudPlatform":       constStr(""),
		"CloudResourceType":   constStr(""),
		"CloudResourceId":     constStr(""),
		"CloudSubscriptionId": constStr(""),
	}
	var endpointAlerts []*alertRec
	for _, x := range g.alerts {
		if x.p != nil {
			endpointAlerts = append(endpointAlerts, x)
		}
	}
	if len(endpointAlerts) == 0 {
		endpointAlerts = g.alerts
	}
	for _, table := range []string{"BehaviorInfo", "BehaviorEntities"} {
		o, err := g.out(table, beh, 0)
		if err != nil {
			return err
		}
		if o == nil {
			continue
		}
		for _, x := range endpointAlerts {
			a = x
			for _, k := range []string{"Machine", "Process"} {
				kind, role = k, "Impacted"
				e := &o.e
				*e = ev{table: table, t: x.t, dev: x.dev, acct: x.acct, proc: x.p, title: x.th.title}
				e.fileName, e.folder, e.sha1, e.sha256, e.fileSize = x.fileName, x.folder, x.sha1, x.sha256, x.fileSize
				e.remoteIP, e.remoteURL, e.localIP = x.remoteIP, x.remoteURL, x.dev.ip
				if err := o.emit(e); err != nil {
					return err
				}
				if table == "BehaviorInfo" {
					break
				}
			}
		}
		if err := g.finish(table); err != nil {
			return err
		}
	}
	// SecurityIncident: one row per incident update (created, then
	// modified as analysts work it).
	var in *inc
	si := map[string]colDef{
		"AdditionalData": dyn(func(*ev) json.RawMessage {
			b, _ := json.Marshal(map[string]any{"alertsCount": len(in.alerts), "bookmarksCount": 0, "commentsCount": 0,
				"alertProductNames": []string{in.byService}, "tactics": []string{in.alerts[0].th.category}, "techniques": []string{strings.Split(in.alerts[0].th.technique, ".")[0]}})
			return b
		}),
		"AlertIds": dyn(func(*ev) json.RawMessage {
			ids := make([]string, len(in.alerts))
			for i, x := range in.alerts {
				ids[i] = x.systemID
			}
			b, _ := json.Marshal(ids)
			return b
		}),
		"BookmarkIds":           dyn(func(*ev) json.RawMessage { return json.RawMessage(`[]`) }),
		"Classification":        str(func(*ev) string { return in.class }),
		"ClassificationComment": str(func(*ev) string { return map[bool]string{true: "Confirmed by SOC triage.", false: ""}[in.class != ""] }),
		"ClassificationReason":  str(func(*ev) string { return in.reason }),
		"ClosedTime": {kind: types.DateTime, f: func(*ev) any {
			if in.closed.IsZero() {
				return nil
			}
			return in.closed
		}},
		"Comments":    dyn(func(*ev) json.RawMessage { return json.RawMessage(`[]`) }),
		"CreatedTime": dt(func(*ev) time.Time { return in.first.Add(5 * time.Minute) }),
		"Description": str(func(*ev) string {
			return "Incident created from " + strconv.Itoa(len(in.alerts)) + " alert(s): " + in.alerts[0].th.title
		}),
		"FirstActivityTime": dt(func(*ev) time.Time { return in.first.Add(-time.Minute) }),
		"FirstModifiedTime": dt(func(*ev) time.Time { return in.first.Add(5 * time.Minute) }),
		"IncidentName":      str(func(*ev) string { return in.id }),
		"IncidentNumber":    i32(func(*ev) int32 { return int32(in.num) }),
		"IncidentUrl": str(func(*ev) string {
			return "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident" + workspaceResourceID + "/providers/Microsoft.SecurityInsights/Incidents/" + in.id
		}),
		"Labels": dyn(func(*ev) json.RawMessage {
			return json.RawMessage(`[{"labelName":"Defender XDR","labelType":"System"}]`)
		}),
		"LastActivityTime": dt(func(*ev) time.Time { return in.last }),
		"LastModifiedTime": dt(func(e *ev) time.Time { return e.t }),
		"ModifiedBy": str(func(*ev) string {
			if in.owner != nil {
				return in.owner.upn
			}
			return "Microsoft 365 Defender"
		}),
		"Owner": dyn(func(*ev) json.RawMessage {
			if in.owner == nil {
				return json.RawMessage(`{"objectId":null,"email":null,"assignedTo":null,"userPrincipalName":null}`)
			}
			b, _ := json.Marshal(map[string]string{"objectId": in.owner.objectID, "email": in.owner.mail, "assignedTo": in.owner.display, "userPrincipalName": in.owner.upn})
			return b
		}),
		"ProviderIncidentId":     str(func(*ev) string { return strconv.Itoa(in.num) }),
		"ProviderName":           constStr("Microsoft XDR"),
		"RelatedAnalyticRuleIds": dyn(func(*ev) json.RawMessage { return json.RawMessage(`[]`) }),
		"Severity":               str(func(*ev) string { return in.sev }),
		"Status":                 str(func(*ev) string { return in.status }),
		"Tasks":                  dyn(func(*ev) json.RawMessage { return json.RawMessage(`[]`) }),
		"Title": str(func(*ev) string {
			return in.alerts[0].th.title + map[bool]string{true: " involving multiple alerts", false: ""}[len(in.alerts) > 1]
		}),
	}
	var analysts []*user
	for _, u := range g.w.users {
		if u.dept == "Security" {
			analysts = append(analysts, u)
		}
	}
	if len(analysts) == 0 {
		analysts = g.w.users[:1]
	}
	o, err = g.out("SecurityIncident", si, 0)
	if err != nil || o == nil {
		return err
	}
	for _, x := range incidents {
		in = x
		// Created.
		in.status, in.class, in.reason = "New", "", ""
		e := &o.e
		*e = ev{table: "SecurityIncident", t: in.first.Add(5 * time.Minute)}
		if err := o.emit(e); err != nil {
			return err
		}
		// Worked on, and closed when old enough.
		if in.first.Before(g.w.now.Add(-24 * time.Hour)) {
			in.owner = pick(r, analysts)
			in.status = "Active"
			*e = ev{table: "SecurityIncident", t: in.first.Add(time.Duration(r.between(30, 300)) * time.Minute)}
			if err := o.emit(e); err != nil {
				return err
			}
			if in.first.Before(g.w.now.Add(-72 * time.Hour)) {
				in.status = "Closed"
				in.closed = in.first.Add(time.Duration(r.between(6, 48)) * time.Hour)
				in.class = pick(r, []string{"TruePositive", "BenignPositive", "FalsePositive", "TruePositive"})
				in.reason = map[string]string{"TruePositive": "SuspiciousActivity", "BenignPositive": "SuspiciousButExpected", "FalsePositive": "IncorrectAlertLogic"}[in.class]
				*e = ev{table: "SecurityIncident", t: in.closed}
				if err := o.emit(e); err != nil {
					return err
				}
			}
		}
	}
	return g.finish("SecurityIncident")
}
