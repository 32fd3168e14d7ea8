package sampledata

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// mail is one message delivered to (or sent by) the organisation.
type mail struct {
	t                      time.Time
	id, internetID         string
	from, fromDomain, name string
	senderIP               string
	to                     *user
	subject                string
	direction              string
	threat                 string // "", Phish, Malware, Spam
	action, location       string
	urls                   []string
	attach                 []fileRec
	cluster                int64
}

var externalSenders = []struct{ addr, name string }{
	{"noreply@fabrikam.com", "Fabrikam Billing"}, {"news@northwindtraders.com", "Northwind Newsletter"},
	{"support@adatum.com", "Adatum Support"}, {"invoices@tailspintoys.com", "Tailspin Accounts"},
	{"no-reply@docusign.net", "DocuSign"}, {"calendar-notification@google.com", "Google Calendar"},
}

var phishSenders = []struct{ addr, name string }{
	{"it-helpdesk@contoso-support.com", "IT Helpdesk"}, {"billing@micros0ft-support.com", "Microsoft 365"},
	{"ceo.office@contoso-mail.net", "Chief Executive"}, {"dhl-delivery@files-share.xyz", "DHL Express"},
}

var subjects = []string{"Q3 Budget Review", "Invoice #{n} due", "Meeting notes: Project Falcon", "Your weekly digest", "Action required: update your account",
	"RE: Vendor contract", "Shipping confirmation", "Payroll adjustment for November", "Please review and sign", "Team offsite agenda"}

func (g *gen) genEmail() error {
	r := g.r
	n := g.scaled(300, 80)
	mails := make([]*mail, 0, n)
	for i := 0; i < n; i++ {
		m := &mail{t: g.timeAt((float64(i) + r.f()) / float64(n)), id: r.guid(), to: g.randomUser(), cluster: int64(r.between(1000000, 9999999))}
		m.internetID = "<" + strings.ToUpper(r.hexString(20)) + "@" + pick(r, []string{"BN8PR12MB", "SA1PR05MB", "DM6PR11MB"}) + itoa(r.n(9999)) + ".namprd12.prod.outlook.com>"
		m.subject = strings.Replace(pick(r, subjects), "{n}", itoa(r.between(1000, 9999)), 1)
		m.direction, m.action, m.location = "Inbound", "Delivered", "Inbox/folder"
		switch x := r.f(); {
		case x < 0.25:
			peer := g.randomUser()
			m.from, m.name, m.direction = peer.mail, peer.display, "Intra-org"
			m.senderIP = ""
		case x < 0.35:
			m.direction = "Outbound"
			peer := m.to
			m.from, m.name = peer.mail, peer.display
			m.to = g.randomUser()
		case x < 0.9:
			s := pick(r, externalSenders)
			m.from, m.name = s.addr, s.name
			m.senderIP = pick(r, benignRemotes)
		default:
			s := pick(r, phishSenders)
			m.from, m.name, m.senderIP = s.addr, s.name, pick(r, maliciousIPs)
			m.threat = pick(r, []string{"Phish", "Phish", "Malware", "Spam"})
			m.subject = pick(r, []string{"Action required: password expires today", "Unusual sign-in activity", "Invoice overdue - final notice", "Shared document: Payroll Adjustments"})
			if r.chance(0.6) {
				m.action, m.location = "Junked", "Junk folder"
			}
			if r.chance(0.2) {
				m.action, m.location = "Blocked", "Quarantine"
			}
		}
		if m.from == "" {
			m.from = "someone@fabrikam.com"
		}
		m.fromDomain = m.from[strings.IndexByte(m.from, '@')+1:]
		for k := r.n(3); k > 0; k-- {
			host := pick(r, benignDomains)
			if m.threat != "" {
				host = pick(r, maliciousHosts)
			}
			m.urls = append(m.urls, "https://"+host+"/"+pick(r, urlPaths))
		}
		if r.chance(0.25) || m.threat == "Malware" {
			ext := pick(r, []string{".pdf", ".docx", ".xlsx", ".zip"})
			if m.threat == "Malware" {
				ext = pick(r, []string{".iso", ".zip", ".docm", ".html"})
			}
			f := fileRec{name: pick(r, docNames) + ext, size: int64(r.between(20_000, 4_000_000))}
			f.sha1, f.sha256, f.md5 = hashes(f.name + m.id)
			m.attach = append(m.attach, f)
		}
		mails = append(mails, m)
	}
	var m *mail
	var url string
	var att fileRec
	threats := func() string { return m.threat }
	common := map[string]colDef{
		"NetworkMessageId":      str(func(*ev) string { return m.id }),
		"InternetMessageId":     str(func(*ev) string { return m.internetID }),
		"SenderMailFromAddress": str(func(*ev) string { return m.from }),
		"SenderFromAddress":     str(func(*ev) string { return m.from }),
		"SenderDisplayName":     str(func(*ev) string { return m.name }),
		"SenderObjectId": str(func(*ev) string {
			if m.direction != "Inbound" {
				return m.to.objectID
			}
			return ""
		}),
		"SenderMailFromDomain":  str(func(*ev) string { return m.fromDomain }),
		"SenderFromDomain":      str(func(*ev) string { return m.fromDomain }),
		"SenderIPv4":            str(func(*ev) string { return m.senderIP }),
		"SenderIPv6":            constStr(""),
		"RecipientEmailAddress": str(func(*ev) string { return m.to.mail }),
		"RecipientObjectId":     str(func(*ev) string { return m.to.objectID }),
		"Subject":               str(func(*ev) string { return m.subject }),
		"EmailClusterId":        lng(func(*ev) int64 { return m.cluster }),
		"EmailDirection":        str(func(*ev) string { return m.direction }),
		"DeliveryAction":        str(func(*ev) string { return m.action }),
		"DeliveryLocation":      str(func(*ev) string { return m.location }),
		"LatestDeliveryAction":  str(func(*ev) string { return m.action }),
		"LatestDeliveryLocation": str(func(*ev) string {
			return m.location
		}),
		"ThreatTypes": str(threatsFn(threats)),
		"ThreatNames": str(func(*ev) string { return map[bool]string{true: "", false: "Phish.Generic"}[m.threat == ""] }),
		"DetectionMethods": str(func(*ev) string {
			return map[bool]string{true: "", false: `{"Phish":["URL detonation reputation"]}`}[m.threat == ""]
		}),
		"ConfidenceLevel": str(func(*ev) string { return map[bool]string{true: "", false: `{"Phish":"High"}`}[m.threat == ""] }),
		"BulkComplaintLevel": i32(func(*ev) int32 {
			return int32(len(m.from) % 8)
		}),
		"EmailAction": str(func(*ev) string {
			return map[bool]string{true: "No action taken", false: "Moved to junk folder"}[m.threat == ""]
		}),
		"EmailActionPolicy": str(func(*ev) string { return map[bool]string{true: "", false: "Antiphish"}[m.threat == ""] }),
		"EmailActionPolicyGuid": str(func(*ev) string {
			return map[bool]string{true: "", false: "c29a1f6e-5d3b-4b8a-9e2f-7a1c3d5e9b0f"}[m.threat == ""]
		}),
		"AuthenticationDetails": str(func(*ev) string {
			if m.threat != "" {
				return `{"SPF":"fail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}`
			}
			return `{"SPF":"pass","DKIM":"pass","DMARC":"pass","CompAuth":"pass"}`
		}),
		"AttachmentCount":  i32(func(*ev) int32 { return int32(len(m.attach)) }),
		"UrlCount":         i32(func(*ev) int32 { return int32(len(m.urls)) }),
		"EmailLanguage":    constStr("en"),
		"Connectors":       constStr(""),
		"OrgLevelAction":   constStr(""),
		"OrgLevelPolicy":   constStr(""),
		"UserLevelAction":  constStr(""),
		"UserLevelPolicy":  constStr(""),
		"DistributionList": constStr(""),
		"ReportId":         str(func(e *ev) string { return m.id + "-" + strconv.FormatInt(e.reportID%1000000, 10) }),
		"AdditionalFields": dyn(func(*ev) json.RawMessage { return emptyObject }),
		// Attachments and URLs.
		"FileName":      str(func(*ev) string { return att.name }),
		"FileType":      str(func(*ev) string { return strings.TrimPrefix(fileExt(att.name), ".") }),
		"FileExtension": str(func(*ev) string { return fileExt(att.name) }),
		"SHA256":        str(func(*ev) string { return att.sha256 }),
		"FileSize":      lng(func(*ev) int64 { return att.size }),
		"Url":           str(func(*ev) string { return url }),
		"UrlDomain":     str(func(*ev) string { return urlHost(url) }),
		"UrlLocation":   str(func(*ev) string { return pick(g.r, []string{"Body", "Body", "Attachment", "Subject"}) }),
	}
	emitEach := func(table string, each func(m *mail) int, per func(i int)) error {
		o, err := g.out(table, common, 0)
		if err != nil || o == nil {
			return err
		}
		for _, x := range mails {
			m = x
			for i, k := 0, each(x); i < k; i++ {
				per(i)
				e := &o.e
				*e = ev{table: table, t: x.t, acct: x.to}
				if err := o.emit(e); err != nil {
					return err
				}
			}
		}
		return g.finish(table)
	}
	if err := emitEach("EmailEvents", func(*mail) int { return 1 }, func(int) {}); err != nil {
		return err
	}
	if err := emitEach("EmailAttachmentInfo", func(x *mail) int { return len(x.attach) }, func(i int) { att = m.attach[i] }); err != nil {
		return err
	}
	if err := emitEach("EmailUrlInfo", func(x *mail) int { return len(x.urls) }, func(i int) { url = m.urls[i] }); err != nil {
		return err
	}
	// Post-delivery actions: ZAP and admin remediation of threats that got in.
	post := map[string]colDef{}
	for k, v := range common {
		post[k] = v
	}
	post["Action"] = str(func(*ev) string { return "Moved to quarantine" })
	post["ActionType"] = str(func(*ev) string { return pick(r, []string{"Phish ZAP", "Malware ZAP", "Manual Remediation"}) })
	post["ActionTrigger"] = str(func(*ev) string { return pick(r, []string{"SpecialAction", "AdminAction"}) })
	post["ActionResult"] = constStr("Success")
	post["SourceLocation"] = constStr("Inbox")
	post["DeliveryLocation"] = constStr("Quarantine")
	var threatMails []*mail
	for _, x := range mails {
		if x.threat != "" && x.action == "Delivered" || x.threat != "" && len(threatMails) == 0 {
			threatMails = append(threatMails, x)
		}
	}
	if len(threatMails) == 0 {
		threatMails = mails[:1]
	}
	if err := g.table("EmailPostDeliveryEvents", len(threatMails), post, 0, func(i int, e *ev) {
		m = threatMails[i]
		e.t = m.t.Add(time.Duration(r.between(5, 600)) * time.Minute)
		e.acct = m.to
	}); err != nil {
		return err
	}
	// URL clicks from the delivered mails.
	var clicks []*mail
	for _, x := range mails {
		if len(x.urls) > 0 && x.action == "Delivered" && r.chance(0.3) {
			clicks = append(clicks, x)
		}
	}
	if len(clicks) == 0 {
		clicks = mails[:1]
		if len(clicks[0].urls) == 0 {
			clicks[0].urls = []string{"https://" + benignDomains[0] + "/"}
		}
	}
	click := map[string]colDef{}
	for k, v := range common {
		click[k] = v
	}
	click["Url"] = str(func(*ev) string { return m.urls[0] })
	click["ActionType"] = str(func(*ev) string {
		if m.threat != "" {
			return pick(r, []string{"ClickBlocked", "ClickAllowed", "UrlScanInProgress"})
		}
		return "ClickAllowed"
	})
	click["AccountUpn"] = str(func(*ev) string { return m.to.upn })
	click["Workload"] = str(func(*ev) string { return pick(r, []string{"Email", "Email", "Teams", "Office"}) })
	click["IPAddress"] = str(func(*ev) string { return m.to.homeIP })
	click["IsClickedThrough"] = bl(func(*ev) bool { return m.threat != "" && r.chance(0.3) })
	click["UrlChain"] = str(func(*ev) string { return `["` + m.urls[0] + `"]` })
	click["AppName"] = str(func(*ev) string { return "Outlook" })
	click["AppVersion"] = constStr("16.0.17928.20216")
	click["SourceId"] = str(func(*ev) string { return m.id })
	return g.table("UrlClickEvents", len(clicks), click, 0, func(i int, e *ev) {
		m = clicks[i]
		e.t = m.t.Add(time.Duration(r.between(1, 240)) * time.Minute)
		e.acct = m.to
	})
}

func threatsFn(f func() string) func(*ev) string { return func(*ev) string { return f() } }

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

func urlHost(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[:i]
	}
	return u
}
