package sampledata

import (
	"encoding/json"
	"strings"
	"time"
)

var officeOps = []struct{ workload, op, recordType, item string }{
	{"Exchange", "MailItemsAccessed", "ExchangeItemAggregated", "Email"},
	{"Exchange", "Send", "ExchangeItem", "Email"},
	{"Exchange", "New-InboxRule", "ExchangeAdmin", ""},
	{"Exchange", "Set-Mailbox", "ExchangeAdmin", ""},
	{"Exchange", "MoveToDeletedItems", "ExchangeItemGroup", "Email"},
	{"SharePoint", "FileAccessed", "SharePointFileOperation", "File"},
	{"SharePoint", "FileDownloaded", "SharePointFileOperation", "File"},
	{"SharePoint", "FileModified", "SharePointFileOperation", "File"},
	{"SharePoint", "SharingSet", "SharePointSharingOperation", "File"},
	{"OneDrive", "FileUploaded", "SharePointFileOperation", "File"},
	{"OneDrive", "AnonymousLinkCreated", "SharePointSharingOperation", "File"},
	{"MicrosoftTeams", "MessageSent", "MicrosoftTeams", ""},
	{"MicrosoftTeams", "MemberAdded", "MicrosoftTeams", ""},
}

func (g *gen) genCloud() error {
	r := g.r
	var op = officeOps[0]
	var u *user
	var ip, doc string
	oa := map[string]colDef{
		"Application":      constStr(""),
		"UserDomain":       constStr(upnDomain),
		"Activity":         str(func(*ev) string { return op.op }),
		"UserAgent":        str(func(*ev) string { return pick(r, userAgents) }),
		"RecordType":       str(func(*ev) string { return op.recordType }),
		"Operation":        str(func(*ev) string { return op.op }),
		"OrganizationId":   constStr(aadTenantID),
		"OrganizationName": constStr("contoso.onmicrosoft.com"),
		"UserType":         constStr("Regular"),
		"UserKey":          str(func(*ev) string { return u.objectID }),
		"OfficeWorkload":   str(func(*ev) string { return op.workload }),
		"ResultStatus":     str(func(*ev) string { return pick(r, []string{"Succeeded", "Succeeded", "Succeeded", "Failed"}) }),
		"OfficeObjectId": str(func(*ev) string {
			if op.item == "File" {
				return "https://contoso.sharepoint.com/sites/Finance/Shared Documents/" + doc
			}
			return ""
		}),
		"UserId":           str(func(*ev) string { return u.upn }),
		"ClientIP":         str(func(*ev) string { return ip }),
		"Client_IPAddress": str(func(*ev) string { return ip }),
		"ActorIpAddress":   str(func(*ev) string { return ip }),
		"ItemType":         str(func(*ev) string { return op.item }),
		"EventSource":      str(func(*ev) string { return map[bool]string{true: "SharePoint", false: ""}[op.item == "File"] }),
		"Site_Url": str(func(*ev) string {
			return map[bool]string{true: "https://contoso.sharepoint.com/sites/Finance/", false: ""}[op.item == "File"]
		}),
		"SourceRelativeUrl": str(func(*ev) string { return map[bool]string{true: "Shared Documents", false: ""}[op.item == "File"] }),
		"SourceFileName":    str(func(*ev) string { return map[bool]string{true: doc, false: ""}[op.item == "File"] }),
		"SourceFileExtension": str(func(*ev) string {
			return map[bool]string{true: strings.TrimPrefix(fileExt(doc), "."), false: ""}[op.item == "File"]
		}),
		"MailboxOwnerUPN":      str(func(*ev) string { return map[bool]string{true: u.upn, false: ""}[op.workload == "Exchange"] }),
		"MailboxOwnerSid":      str(func(*ev) string { return map[bool]string{true: u.sid, false: ""}[op.workload == "Exchange"] }),
		"MailboxGuid":          str(func(*ev) string { return map[bool]string{true: u.objectID, false: ""}[op.workload == "Exchange"] }),
		"LogonUserSid":         str(func(*ev) string { return u.sid }),
		"LogonUserDisplayName": str(func(*ev) string { return u.display }),
		"Logon_Type":           constStr("0"),
		"InternalLogonType":    i32(func(*ev) int32 { return 0 }),
		"ExternalAccess":       constStr("false"),
		"OriginatingServer":    str(func(*ev) string { return "BN8PR12MB" + itoa(r.n(9999)) + " (15.20.8182.000)" }),
		"OfficeTenantId":       constStr(aadTenantID),
		"OfficeId":             str(func(*ev) string { return r.guid() }),
		"SourceRecordId":       str(func(*ev) string { return r.guid() }),
		"Start_Time":           dt(func(e *ev) time.Time { return e.t }),
		"TeamName": str(func(*ev) string {
			return map[bool]string{true: "Contoso " + u.dept, false: ""}[op.workload == "MicrosoftTeams"]
		}),
		"SourceSystem":           constStr("OfficeActivityManager"),
		"CrossMailboxOperations": bl(func(*ev) bool { return false }),
		"Parameters": str(func(*ev) string {
			if op.op == "New-InboxRule" {
				return `[{"Name":"Name","Value":".."},{"Name":"ForwardTo","Value":"collector@files-share.xyz"},{"Name":"DeleteMessage","Value":"True"}]`
			}
			return ""
		}),
	}
	if err := g.table("OfficeActivity", g.scaled(300, 100), oa, 0.15, func(i int, e *ev) {
		op, u = officeOps[r.n(len(officeOps))], g.randomUser()
		ip = pick(r, []string{pick(r, officeEgress), u.homeIP})
		doc = pick(r, docNames) + pick(r, []string{".docx", ".xlsx", ".pdf", ".pptx"})
		e.acct, e.clientIP = u, ip
	}); err != nil {
		return err
	}
	// CloudAppEvents: the same activity as Defender for Cloud Apps sees it.
	cae := map[string]colDef{
		"Application": str(func(*ev) string {
			return map[string]string{"Exchange": "Microsoft Exchange Online", "SharePoint": "Microsoft SharePoint Online", "OneDrive": "Microsoft OneDrive for Business", "MicrosoftTeams": "Microsoft Teams"}[op.workload]
		}),
		"ApplicationId": i32(func(*ev) int32 {
			return map[string]int32{"Exchange": 20893, "SharePoint": 20892, "OneDrive": 15600, "MicrosoftTeams": 28375}[op.workload]
		}),
		"AppInstanceId":      i32(func(*ev) int32 { return 0 }),
		"AccountObjectId":    str(func(*ev) string { return u.objectID }),
		"AccountId":          str(func(*ev) string { return u.objectID }),
		"AccountDisplayName": str(func(*ev) string { return u.display }),
		"IsAdminOperation":   bl(func(*ev) bool { return op.recordType == "ExchangeAdmin" }),
		"DeviceType":         constStr("Desktop"),
		"OSPlatform":         constStr("Windows 10"),
		"IPAddress":          str(func(*ev) string { return ip }),
		"IsAnonymousProxy":   bl(func(*ev) bool { return false }),
		"CountryCode":        str(func(*ev) string { return u.country }),
		"City":               str(func(*ev) string { return u.city }),
		"ISP":                constStr("Contoso Corporate Network"),
		"UserAgent":          str(func(*ev) string { return pick(r, userAgents) }),
		"ActivityType":       str(func(*ev) string { return pick(r, []string{"Read", "Edit", "Create", "Delete"}) }),
		"ActivityObjects": dyn(func(*ev) json.RawMessage {
			b, _ := json.Marshal([]map[string]string{{"Type": "File", "Role": "Target object", "Name": doc}})
			return b
		}),
		"ObjectName":  str(func(*ev) string { return doc }),
		"ObjectType":  constStr("File"),
		"ObjectId":    str(func(*ev) string { return "https://contoso.sharepoint.com/sites/Finance/Shared Documents/" + doc }),
		"ReportId":    str(func(*ev) string { return r.guid() }),
		"AccountType": constStr("Regular"),
		"ActionType":  str(func(*ev) string { return op.op }),
		"RawEventData": dyn(func(e *ev) json.RawMessage {
			b, _ := json.Marshal(map[string]any{"CreationTime": e.t.Format("2006-01-02T15:04:05"), "Operation": op.op, "Workload": op.workload, "UserId": u.upn, "ClientIP": ip, "RecordType": 6})
			return b
		}),
		"AuditSource": constStr("Defender for Cloud Apps access control"),
		"OAuthAppId":  constStr(""),
	}
	if err := g.table("CloudAppEvents", g.scaled(300, 80), cae, 0, func(i int, e *ev) {
		op, u = officeOps[r.n(len(officeOps))], g.randomUser()
		ip = pick(r, []string{pick(r, officeEgress), u.homeIP})
		doc = pick(r, docNames) + ".docx"
		e.acct, e.clientIP = u, ip
	}); err != nil {
		return err
	}
	// AzureActivity.
	ops := []struct{ name, value, cat string }{
		{"Create or Update Virtual Machine", "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", "Administrative"},
		{"Delete Virtual Machine", "MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE", "Administrative"},
		{"List Storage Account Keys", "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION", "Administrative"},
		{"Create role assignment", "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", "Administrative"},
		{"Create or Update Network Security Group", "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE", "Administrative"},
		{"Run Command on Virtual Machine", "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", "Administrative"},
		{"Update Key Vault", "MICROSOFT.KEYVAULT/VAULTS/WRITE", "Administrative"},
		{"Health Event Activated", "MICROSOFT.RESOURCEHEALTH/HEALTHEVENT/ACTIVATED/ACTION", "ResourceHealth"},
	}
	var az = ops[0]
	var res string
	corr := ""
	aa := map[string]colDef{
		"OperationName":       str(func(*ev) string { return az.name }),
		"OperationNameValue":  str(func(*ev) string { return az.value }),
		"Level":               constStr("Informational"),
		"ActivityStatus":      str(func(e *ev) string { return e.action }),
		"ActivityStatusValue": str(func(e *ev) string { return e.action }),
		"ActivitySubstatus":   constStr(""),
		"ActivitySubstatusValue": str(func(e *ev) string {
			return map[string]string{"Started": "", "Succeeded": "OK", "Failed": "Conflict"}[e.action]
		}),
		"ResourceGroup":   constStr(strings.ToUpper(resourceGroup)),
		"SubscriptionId":  constStr(subscriptionID),
		"CorrelationId":   str(func(*ev) string { return corr }),
		"Caller":          str(func(*ev) string { return u.upn }),
		"CallerIpAddress": str(func(*ev) string { return ip }),
		"Category":        str(func(*ev) string { return az.cat }),
		"CategoryValue":   str(func(*ev) string { return az.cat }),
		"HTTPRequest": str(func(*ev) string {
			return `{"clientRequestId":"` + corr + `","clientIpAddress":"` + ip + `","method":"PUT"}`
		}),
		"Properties": str(func(*ev) string { return `{"entity":"` + res + `","message":"` + az.value + `"}` }),
		"EventSubmissionTimestamp": dt(func(e *ev) time.Time {
			return e.t.Add(8 * time.Second)
		}),
		"Authorization": str(func(*ev) string { return `{"action":"` + az.value + `","scope":"` + res + `"}` }),
		"Authorization_d": dyn(func(*ev) json.RawMessage {
			return json.RawMessage(`{"action":"` + az.value + `","scope":"` + res + `"}`)
		}),
		"ResourceId":            str(func(*ev) string { return res }),
		"OperationId":           str(func(*ev) string { return r.guid() }),
		"ResourceProvider":      str(func(*ev) string { return strings.SplitN(az.value, "/", 2)[0] }),
		"ResourceProviderValue": str(func(*ev) string { return strings.SplitN(az.value, "/", 2)[0] }),
		"Resource":              str(func(*ev) string { return res[strings.LastIndexByte(res, '/')+1:] }),
		"EventDataId":           str(func(*ev) string { return r.guid() }),
		"Claims":                str(func(*ev) string { return `{"upn":"` + u.upn + `","ipaddr":"` + ip + `"}` }),
		"Claims_d":              dyn(func(*ev) json.RawMessage { return json.RawMessage(`{"upn":"` + u.upn + `","ipaddr":"` + ip + `"}`) }),
		"Properties_d":          dyn(func(*ev) json.RawMessage { return json.RawMessage(`{"entity":"` + res + `"}`) }),
		"Hierarchy":             constStr(aadTenantID + "/" + subscriptionID),
		"SourceSystem":          constStr("Azure"),
	}
	admins := g.w.admins
	if len(admins) == 0 {
		admins = g.w.users
	}
	n := g.scaled(200, 60)
	if err := g.table("AzureActivity", n, aa, 0, func(i int, e *ev) {
		if i%2 == 0 {
			az, u, corr = ops[r.n(len(ops))], pick(r, admins), r.guid()
			ip = u.homeIP
			srv := pick(r, g.w.devices)
			res = "/subscriptions/" + subscriptionID + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.Compute/virtualMachines/" + srv.short
			e.action = "Started"
		} else {
			e.action = pick(r, []string{"Succeeded", "Succeeded", "Succeeded", "Failed"})
		}
		e.acct, e.clientIP = u, ip
	}); err != nil {
		return err
	}
	return nil
}
