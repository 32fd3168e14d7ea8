package sampledata

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

type app struct{ name, id, resource, resourceID string }

var cloudApps = []app{
	{"Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"},
	{"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams Services", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"},
	{"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Graph", "00000003-0000-0000-c000-000000000000"},
	{"OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca"},
	{"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"},
	{"Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"},
	{"Microsoft Graph Command Line Tools", "14d82eec-204b-4c2f-b7e8-296a70dab67e", "Microsoft Graph", "00000003-0000-0000-c000-000000000000"},
	{"Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"},
	{"Salesforce", "5e0f2b3c-7a1d-4e9f-8c6b-2a4d1e7f9b3c", "Salesforce", "5e0f2b3c-7a1d-4e9f-8c6b-2a4d1e7f9b3c"},
}

var signinResults = []struct {
	code, desc string
	w          float64
}{
	{"0", "", 86}, {"50126", "Error validating credentials due to invalid username or password.", 5},
	{"50074", "Strong Authentication is required.", 3}, {"50140", "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.", 3},
	{"53003", "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", 1},
	{"50053", "Account is locked because user tried to sign in too many times with an incorrect user ID or password.", 0.5},
	{"50076", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access.", 1.5},
}

// signin is one Entra ID sign-in, written to the sign-in tables.
type signin struct {
	u                   *user
	app                 app
	ip                  string
	p                   place
	code, desc          string
	dev                 *device
	ua                  string
	corr, id, sessionID string
	mfa, interactive    bool
	risk                string
	spray               bool
}

func (g *gen) newSignin(interactive bool) *signin {
	r := g.r
	s := &signin{u: g.randomUser(), app: pick(r, cloudApps), interactive: interactive, corr: r.guid(), id: r.guid(), sessionID: r.guid(), risk: "none"}
	res := g.signinPick.pick(r)
	s.code, s.desc = res.code, res.desc
	s.p = place{s.u.city, s.u.state, s.u.country, s.u.lat, s.u.long}
	switch x := r.f(); {
	case x < 0.55:
		s.ip = pick(r, officeEgress)
	case x < 0.97:
		s.ip = s.u.homeIP
	default:
		s.p = pick(r, foreignPlaces)
		s.ip = pick(r, maliciousIPs)
		s.risk = pick(r, []string{"medium", "high", "low"})
	}
	for _, d := range g.w.devices {
		if d.primary == s.u {
			s.dev = d
			break
		}
	}
	s.ua = pick(r, userAgents)
	s.mfa = r.chance(0.6)
	return s
}

func (g *gen) genIdentity() error {
	r := g.r
	g.signinPick = newWeighted(signinResults, func(x struct {
		code, desc string
		w          float64
	}) float64 {
		return x.w
	})
	var s *signin
	status := func() json.RawMessage {
		code, _ := strconv.Atoi(s.code)
		b, _ := json.Marshal(map[string]any{"errorCode": code, "failureReason": map[bool]string{true: "Other.", false: s.desc}[s.code == "0"],
			"additionalDetails": map[bool]string{true: "MFA requirement satisfied by claim in the token", false: "MFA completed in Azure AD"}[s.mfa]})
		return b
	}
	devDetail := func() json.RawMessage {
		m := map[string]any{"deviceId": "", "operatingSystem": "Windows10", "browser": "Chrome 131.0.0"}
		if s.dev != nil {
			m = map[string]any{"deviceId": s.dev.aadID, "displayName": s.dev.short, "operatingSystem": "Windows10", "browser": "Edge 131.0.0", "isCompliant": true, "isManaged": true, "trustType": "Hybrid Azure AD joined"}
		}
		b, _ := json.Marshal(m)
		return b
	}
	location := func() json.RawMessage {
		b, _ := json.Marshal(map[string]any{"city": s.p.city, "state": s.p.state, "countryOrRegion": s.p.country, "geoCoordinates": map[string]float64{"latitude": s.p.lat, "longitude": s.p.long}})
		return b
	}
	ca := func() json.RawMessage {
		res := "success"
		if s.code == "53003" {
			res = "failure"
		}
		b, _ := json.Marshal([]map[string]any{{"id": "2b8d6a1e-4c3f-4e9a-9d7b-1f0a2c3e4d5b", "displayName": "Require MFA for all users", "enforcedGrantControls": []string{"Mfa"}, "result": res},
			{"id": "7c1e9f3a-2b4d-4a6e-8f0c-3d5b7a9e1c2f", "displayName": "Block legacy authentication", "enforcedGrantControls": []string{"Block"}, "result": "notApplied"}})
		return b
	}
	sl := map[string]colDef{
		"ResourceId":       str(func(*ev) string { return "/tenants/" + aadTenantID + "/providers/Microsoft.aadiam" }),
		"OperationName":    constStr("Sign-in activity"),
		"OperationVersion": constStr("1.0"),
		"Category": str(func(*ev) string {
			return map[bool]string{true: "SignInLogs", false: "NonInteractiveUserSignInLogs"}[s.interactive]
		}),
		"ResultType":        str(func(*ev) string { return s.code }),
		"ResultSignature":   constStr("None"),
		"ResultDescription": str(func(*ev) string { return s.desc }),
		"DurationMs":        lng(func(*ev) int64 { return 0 }),
		"CorrelationId":     str(func(*ev) string { return s.corr }),
		"Resource":          constStr("Microsoft.aadiam"),
		"ResourceGroup":     constStr("Microsoft.aadiam"),
		"ResourceProvider":  constStr("Microsoft.aadiam"),
		"Identity":          str(func(*ev) string { return s.u.display }),
		"Level":             constStr("4"),
		"Location":          str(func(*ev) string { return s.p.country }),
		"AppDisplayName":    str(func(*ev) string { return s.app.name }),
		"AppId":             str(func(*ev) string { return s.app.id }),
		"ClientAppUsed": str(func(*ev) string {
			return map[bool]string{true: "Browser", false: "Mobile Apps and Desktop clients"}[strings.Contains(s.ua, "Chrome")]
		}),
		"ConditionalAccessPolicies": dyn(func(*ev) json.RawMessage { return ca() }),
		"ConditionalAccessStatus":   str(func(*ev) string { return map[bool]string{true: "failure", false: "success"}[s.code == "53003"] }),
		"CreatedDateTime":           dt(func(e *ev) time.Time { return e.t }),
		"DeviceDetail":              dyn(func(*ev) json.RawMessage { return devDetail() }),
		"Id":                        str(func(*ev) string { return s.id }),
		"IPAddress":                 str(func(*ev) string { return s.ip }),
		"IsRisky":                   bl(func(*ev) bool { return s.risk != "none" }),
		"LocationDetails":           dyn(func(*ev) json.RawMessage { return location() }),
		"RiskDetail":                constStr("none"),
		"RiskLevelAggregated":       str(func(*ev) string { return s.risk }),
		"RiskState":                 str(func(*ev) string { return map[bool]string{true: "atRisk", false: "none"}[s.risk != "none"] }),
		"RiskLevelDuringSignIn":     str(func(*ev) string { return s.risk }),
		"RiskLevel":                 str(func(*ev) string { return s.risk }),
		"RiskEventTypes": str(func(*ev) string {
			return map[bool]string{true: `["unfamiliarFeatures"]`, false: "[]"}[s.risk != "none"]
		}),
		"RiskEventTypes_V2": str(func(*ev) string {
			return map[bool]string{true: `["unfamiliarFeatures"]`, false: "[]"}[s.risk != "none"]
		}),
		"Status":              dyn(func(*ev) json.RawMessage { return status() }),
		"UserDisplayName":     str(func(*ev) string { return s.u.display }),
		"UserId":              str(func(*ev) string { return s.u.objectID }),
		"UserPrincipalName":   str(func(*ev) string { return s.u.upn }),
		"AADTenantId":         constStr(aadTenantID),
		"HomeTenantId":        constStr(aadTenantID),
		"ResourceTenantId":    constStr(aadTenantID),
		"ResourceDisplayName": str(func(*ev) string { return s.app.resource }),
		"ResourceIdentity":    str(func(*ev) string { return s.app.resourceID }),
		"OriginalRequestId":   str(func(*ev) string { return s.id }),
		"AlternateSignInName": str(func(*ev) string { return s.u.upn }),
		"AuthenticationRequirement": str(func(*ev) string {
			return map[bool]string{true: "multiFactorAuthentication", false: "singleFactorAuthentication"}[s.mfa]
		}),
		"AuthenticationDetails": str(func(e *ev) string {
			return `[{"authenticationStepDateTime":"` + e.t.Format(time.RFC3339) + `","authenticationMethod":"Password","succeeded":` + strconv.FormatBool(s.code == "0") + `}]`
		}),
		"AuthenticationMethodsUsed": constStr(`["Password"]`),
		"IsInteractive":             bl(func(*ev) bool { return s.interactive }),
		"MfaDetail": dyn(func(*ev) json.RawMessage {
			if !s.mfa {
				return emptyObject
			}
			return json.RawMessage(`{"authMethod":"Mobile app notification","authDetail":null}`)
		}),
		"UserAgent":                   str(func(*ev) string { return s.ua }),
		"UserType":                    constStr("Member"),
		"TokenIssuerType":             constStr("AzureAD"),
		"TokenIssuerName":             constStr(""),
		"SessionId":                   str(func(*ev) string { return s.sessionID }),
		"UniqueTokenIdentifier":       str(func(*ev) string { return strings.ReplaceAll(s.id[:22], "-", "") + "AA" }),
		"CrossTenantAccessType":       constStr("none"),
		"AuthenticationProtocol":      constStr("none"),
		"SignInIdentifierType":        constStr("userPrincipalName"),
		"SignInIdentifier":            str(func(*ev) string { return s.u.upn }),
		"AutonomousSystemNumber":      str(func(*ev) string { return pick(r, []string{"8075", "7922", "3320", "7018"}) }),
		"IsThroughGlobalSecureAccess": bl(func(*ev) bool { return false }),
		// Defender's sign-in tables.
		"Application":   str(func(*ev) string { return s.app.name }),
		"ApplicationId": str(func(*ev) string { return s.app.id }),
		"LogonType": str(func(*ev) string {
			return map[bool]string{true: `["interactiveUser"]`, false: `["nonInteractiveUser"]`}[s.interactive]
		}),
		"ErrorCode":          i32(func(*ev) int32 { n, _ := strconv.Atoi(s.code); return int32(n) }),
		"AccountDisplayName": str(func(*ev) string { return s.u.display }),
		"AccountObjectId":    str(func(*ev) string { return s.u.objectID }),
		"AccountUpn":         str(func(*ev) string { return s.u.upn }),
		"IsExternalUser":     i32(func(*ev) int32 { return 0 }),
		"IsGuestUser":        bl(func(*ev) bool { return false }),
		"DeviceName":         str(func(*ev) string { return devName(s.dev) }),
		"AadDeviceId":        str(func(*ev) string { return devAAD(s.dev) }),
		"EntraIdDeviceId":    str(func(*ev) string { return devAAD(s.dev) }),
		"OSPlatform":         str(func(*ev) string { return map[bool]string{true: "Windows 10", false: ""}[s.dev != nil] }),
		"DeviceTrustType":    str(func(*ev) string { return map[bool]string{true: "Hybrid Azure AD joined", false: ""}[s.dev != nil] }),
		"IsManaged":          i32(func(*ev) int32 { return map[bool]int32{true: 1, false: 0}[s.dev != nil] }),
		"IsCompliant":        i32(func(*ev) int32 { return map[bool]int32{true: 1, false: 0}[s.dev != nil] }),
		"RiskDetails":        i32(func(*ev) int32 { return 0 }),
		"Browser": str(func(*ev) string {
			return map[bool]string{true: "Chrome 131.0.0", false: "Edge 131.0.0"}[strings.Contains(s.ua, "Chrome/")]
		}),
		"Country":                     str(func(*ev) string { return s.p.country }),
		"State":                       str(func(*ev) string { return s.p.state }),
		"City":                        str(func(*ev) string { return s.p.city }),
		"Latitude":                    str(func(*ev) string { return strconv.FormatFloat(s.p.lat, 'f', 4, 64) }),
		"Longitude":                   str(func(*ev) string { return strconv.FormatFloat(s.p.long, 'f', 4, 64) }),
		"RequestId":                   str(func(*ev) string { return s.id }),
		"EndpointCall":                constStr("Login:login"),
		"LastPasswordChangeTimestamp": dt(func(e *ev) time.Time { return s.u.created.AddDate(0, 3, 0) }),
		"IsConfidentialClient":        bl(func(*ev) bool { return false }),
	}
	// Interactive sign-ins, with a password spray from one address.
	n := g.scaled(400, 150)
	sprayAt := g.randomTime()
	var signins []*signin
	if err := g.table("SigninLogs", n, sl, 0, func(i int, e *ev) {
		s = g.newSignin(true)
		if i%97 == 13 {
			s.spray, s.ip, s.p, s.code, s.desc = true, maliciousIPs[0], foreignPlaces[0], "50126", signinResults[1].desc
			e.t = sprayAt.Add(time.Duration(i) * time.Second)
		}
		e.acct, e.clientIP = s.u, s.ip
		if len(signins) < 200000 {
			signins = append(signins, s)
		}
	}); err != nil {
		return err
	}
	// The same sign-ins as Defender's hunting tables see them.
	replay := func(table string, interactiveOnly bool) error {
		i := 0
		return g.table(table, min(len(signins), g.scaled(400, 80)), sl, 0, func(_ int, e *ev) {
			s = signins[i%len(signins)]
			i += 2
			e.acct, e.clientIP, e.dev = s.u, s.ip, s.dev
		})
	}
	for _, t := range []string{"AADSignInEventsBeta", "EntraIdSignInEvents"} {
		if err := replay(t, true); err != nil {
			return err
		}
	}
	if err := g.table("AADNonInteractiveUserSignInLogs", g.scaled(400, 150), sl, 0, func(i int, e *ev) {
		s = g.newSignin(false)
		e.acct, e.clientIP = s.u, s.ip
	}); err != nil {
		return err
	}
	// Service principal and managed identity sign-ins.
	spns := []struct{ name, id string }{{"contoso-backup-automation", r.guid()}, {"contoso-ci-deploy", r.guid()}, {"sentinel-playbook-isolate", r.guid()}, {"aks-contoso-prod-agentpool", r.guid()}}
	var spn = spns[0]
	sp := map[string]colDef{
		"ServicePrincipalName":  str(func(*ev) string { return spn.name }),
		"ServicePrincipalId":    str(func(*ev) string { return spn.id }),
		"AppId":                 str(func(*ev) string { return spn.id }),
		"Application":           str(func(*ev) string { return spn.name }),
		"ApplicationId":         str(func(*ev) string { return spn.id }),
		"IsManagedIdentity":     bl(func(*ev) bool { return strings.HasPrefix(spn.name, "aks") }),
		"ResourceDisplayName":   constStr("Windows Azure Service Management API"),
		"ResourceIdentity":      constStr("797f4846-ba00-4fd7-ba43-dac1f8f63013"),
		"ResultType":            str(func(*ev) string { return pick(r, []string{"0", "0", "0", "0", "7000215"}) }),
		"ErrorCode":             i32(func(*ev) int32 { return 0 }),
		"IPAddress":             str(func(*ev) string { return pick(r, officeEgress) }),
		"Category":              constStr("ServicePrincipalSignInLogs"),
		"OperationName":         constStr("Sign-in activity"),
		"ClientCredentialType":  constStr("clientSecret"),
		"Location":              constStr("US"),
		"CorrelationId":         str(func(*ev) string { return r.guid() }),
		"Id":                    str(func(*ev) string { return r.guid() }),
		"AADTenantId":           constStr(aadTenantID),
		"AppOwnerTenantId":      constStr(aadTenantID),
		"ResourceOwnerTenantId": constStr(aadTenantID),
		"Country":               constStr("US"),
		"City":                  constStr("Seattle"),
		"State":                 constStr("Washington"),
		"RequestId":             str(func(*ev) string { return r.guid() }),
	}
	for _, t := range []string{"AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs", "AADSpnSignInEventsBeta"} {
		if err := g.table(t, g.scaled(150, 40), sp, 0, func(i int, e *ev) { spn = pick(r, spns) }); err != nil {
			return err
		}
	}
	if err := g.genDirectory(); err != nil {
		return err
	}
	return g.genOnPremIdentity()
}

func devName(d *device) string {
	if d == nil {
		return ""
	}
	return d.short
}

func devAAD(d *device) string {
	if d == nil {
		return ""
	}
	return d.aadID
}

type group struct {
	name, id, sid string
	members       []*user
	security      bool
}

// genDirectory writes the directory: IdentityInfo, the Entra snapshot
// tables, AuditLogs and the risk tables.
func (g *gen) genDirectory() error {
	r := g.r
	// Groups.
	var groups []*group
	byDept := map[string]*group{}
	all := &group{name: "Contoso All Staff", id: r.guid(), sid: domainSID + "-3101"}
	groups = append(groups, all)
	for i, d := range departments {
		if byDept[d.name] == nil {
			gr := &group{name: "SG-" + strings.ReplaceAll(d.name, " ", ""), id: r.guid(), sid: domainSID + "-" + itoa(3200+i), security: true}
			byDept[d.name] = gr
			groups = append(groups, gr)
		}
	}
	admins := &group{name: "SG-Tier0-Admins", id: r.guid(), sid: domainSID + "-512", security: true}
	groups = append(groups, admins)
	for _, u := range g.w.users {
		all.members = append(all.members, u)
		byDept[u.dept].members = append(byDept[u.dept].members, u)
	}
	admins.members = append(admins.members, g.w.admins...)
	groupsOf := func(u *user) []string {
		out := []string{all.name}
		if gr := byDept[u.dept]; gr != nil {
			out = append(out, gr.name)
		}
		if u.admin {
			out = append(out, admins.name)
		}
		return out
	}
	var u *user
	ii := map[string]colDef{
		"AccountCloudSID":         str(func(*ev) string { return "S-1-12-1-" + itoa(int(u.objectID[0])*7919) + "-" + itoa(len(u.sam)*104729) }),
		"AccountCreationTime":     dt(func(*ev) time.Time { return u.created }),
		"AccountDisplayName":      str(func(*ev) string { return u.display }),
		"AccountDomain":           constStr(adDomain),
		"AccountName":             str(func(*ev) string { return u.sam }),
		"AccountObjectId":         str(func(*ev) string { return u.objectID }),
		"AccountSID":              str(func(*ev) string { return u.sid }),
		"AccountTenantId":         constStr(aadTenantID),
		"AccountUPN":              str(func(*ev) string { return u.upn }),
		"AdditionalMailAddresses": dyn(func(*ev) json.RawMessage { return json.RawMessage(`["` + u.sam + `@contoso.onmicrosoft.com"]`) }),
		"AssignedRoles": dyn(func(*ev) json.RawMessage {
			if u.admin {
				return json.RawMessage(`["Security Administrator","Helpdesk Administrator"]`)
			}
			return json.RawMessage(`[]`)
		}),
		"BlastRadius":                     str(func(*ev) string { return map[bool]string{true: "High", false: "Low"}[u.admin] }),
		"ChangeSource":                    constStr("AzureActiveDirectory"),
		"City":                            str(func(*ev) string { return u.city }),
		"CompanyName":                     constStr(orgName),
		"Country":                         str(func(*ev) string { return u.country }),
		"DeletedDateTime":                 {kind: types.DateTime, f: func(*ev) any { return nil }},
		"Department":                      str(func(*ev) string { return u.dept }),
		"EmployeeId":                      str(func(*ev) string { return u.employeeID }),
		"EntityRiskScore":                 dyn(func(*ev) json.RawMessage { return json.RawMessage(`{"RiskScore":` + itoa(len(u.sam)%7) + `}`) }),
		"GivenName":                       str(func(*ev) string { return u.given }),
		"GroupMembership":                 dyn(func(*ev) json.RawMessage { b, _ := json.Marshal(groupsOf(u)); return b }),
		"InvestigationPriority":           i32(func(*ev) int32 { return int32(len(u.sam) % 6) }),
		"InvestigationPriorityPercentile": i32(func(*ev) int32 { return int32(len(u.sam) * 7 % 100) }),
		"IsAccountEnabled":                bl(func(*ev) bool { return true }),
		"IsMFARegistered":                 bl(func(*ev) bool { return !u.service }),
		"IsServiceAccount":                bl(func(*ev) bool { return u.service }),
		"JobTitle":                        str(func(*ev) string { return u.title }),
		"LastSeenDate":                    dt(func(e *ev) time.Time { return e.t.Add(-time.Hour) }),
		"MailAddress":                     str(func(*ev) string { return u.mail }),
		"Manager": str(func(*ev) string {
			if u.manager != nil {
				return u.manager.upn
			}
			return ""
		}),
		"OnPremisesDistinguishedName": str(func(*ev) string { return "CN=" + u.display + ",OU=" + u.dept + ",OU=Users,DC=contoso,DC=local" }),
		"Phone":                       str(func(*ev) string { return u.phone }),
		"RiskLevel":                   constStr("None"),
		"RiskLevelDetails":            constStr(""),
		"RiskState":                   constStr("none"),
		"SAMAccountName":              str(func(*ev) string { return u.sam }),
		"State":                       str(func(*ev) string { return u.state }),
		"StreetAddress":               constStr("1 Contoso Way"),
		"Surname":                     str(func(*ev) string { return u.surname }),
		"Tags":                        constStr(""),
		"UACFlags":                    str(func(*ev) string { return u.uac }),
		"UserAccountControl":          dyn(func(*ev) json.RawMessage { return json.RawMessage(`["NormalAccount"]`) }),
		"UserState":                   constStr("Active"),
		"UserStateChangedOn":          dt(func(*ev) time.Time { return u.created }),
		"UserType":                    constStr("Member"),
		"SourceSystem":                constStr("AzureActiveDirectory"),
		// EntraUsers.
		"accountEnabled":               bl(func(*ev) bool { return true }),
		"city":                         str(func(*ev) string { return u.city }),
		"companyName":                  constStr(orgName),
		"country":                      str(func(*ev) string { return u.country }),
		"createdDateTime":              dt(func(*ev) time.Time { return u.created }),
		"department":                   str(func(*ev) string { return u.dept }),
		"displayName":                  str(func(*ev) string { return u.display }),
		"employeeId":                   str(func(*ev) string { return u.employeeID }),
		"givenName":                    str(func(*ev) string { return u.given }),
		"id":                           str(func(*ev) string { return u.objectID }),
		"jobTitle":                     str(func(*ev) string { return u.title }),
		"mail":                         str(func(*ev) string { return u.mail }),
		"mailNickname":                 str(func(*ev) string { return u.sam }),
		"onPremisesDomainName":         constStr(adDomain),
		"onPremisesSamAccountName":     str(func(*ev) string { return u.sam }),
		"onPremisesSecurityIdentifier": str(func(*ev) string { return u.sid }),
		"onPremisesSyncEnabled":        bl(func(*ev) bool { return true }),
		"onPremisesUserPrincipalName":  str(func(*ev) string { return u.upn }),
		"onPremisesDistinguishedName":  str(func(*ev) string { return "CN=" + u.display + ",OU=" + u.dept + ",OU=Users,DC=contoso,DC=local" }),
		"state":                        str(func(*ev) string { return u.state }),
		"surname":                      str(func(*ev) string { return u.surname }),
		"userPrincipalName":            str(func(*ev) string { return u.upn }),
		"userType":                     constStr("Member"),
		"tenantId":                     constStr(aadTenantID),
		"organizationId":               constStr(aadTenantID),
		"deletedDateTime":              {kind: types.DateTime, f: func(*ev) any { return nil }},
		"_SnapshotTime":                dt(func(e *ev) time.Time { return e.t.Truncate(24 * time.Hour) }),
		"_ReceivedTime":                dt(func(e *ev) time.Time { return e.t }),
	}
	every := 3 * 24 * time.Hour
	for _, table := range []string{"IdentityInfo", "EntraUsers"} {
		o, err := g.out(table, ii, 0)
		if err != nil {
			return err
		}
		if o == nil {
			continue
		}
		for t := g.w.start.Add(2 * time.Hour); t.Before(g.w.now); t = t.Add(every) {
			for _, x := range g.w.all {
				u = x
				e := &o.e
				*e = ev{table: table, t: t.Add(time.Duration(x.idx%3600) * time.Second), acct: x}
				if err := o.emit(e); err != nil {
					return err
				}
			}
		}
		if err := g.finish(table); err != nil {
			return err
		}
	}
	// Groups and memberships.
	var gr *group
	gc := map[string]colDef{
		"classification":                constStr(""),
		"createdDateTime":               dt(func(e *ev) time.Time { return g.w.start.AddDate(-2, 0, 0) }),
		"description":                   str(func(*ev) string { return "Members of " + gr.name }),
		"displayName":                   str(func(*ev) string { return gr.name }),
		"groupTypes":                    dyn(func(*ev) json.RawMessage { return json.RawMessage(`[]`) }),
		"id":                            str(func(*ev) string { return gr.id }),
		"isAssignableToRole":            bl(func(*ev) bool { return gr == admins }),
		"mail":                          str(func(*ev) string { return strings.ToLower(gr.name) + "@" + upnDomain }),
		"mailEnabled":                   bl(func(*ev) bool { return !gr.security }),
		"mailNickname":                  str(func(*ev) string { return strings.ToLower(gr.name) }),
		"securityEnabled":               bl(func(*ev) bool { return gr.security }),
		"onPremisesSamAccountName":      str(func(*ev) string { return gr.name }),
		"onPremisesSecurityIdentifier":  str(func(*ev) string { return gr.sid }),
		"onPremisesDomainName":          constStr(adDomain),
		"onPremisesNetBiosName":         constStr(strings.ToUpper(netbiosDomain)),
		"uniqueName":                    str(func(*ev) string { return strings.ToLower(gr.name) }),
		"tenantId":                      constStr(aadTenantID),
		"organizationId":                constStr(aadTenantID),
		"deletedDateTime":               {kind: types.DateTime, f: func(*ev) any { return nil }},
		"membershipRule":                constStr(""),
		"membershipRuleProcessingState": constStr(""),
		"sourceId":                      str(func(*ev) string { return gr.id }),
		"targetId":                      str(func(*ev) string { return u.objectID }),
		"_SnapshotTime":                 dt(func(e *ev) time.Time { return e.t.Truncate(24 * time.Hour) }),
		"_ReceivedTime":                 dt(func(e *ev) time.Time { return e.t }),
	}
	if err := g.table("EntraGroups", len(groups), gc, 0, func(i int, e *ev) { gr = groups[i] }); err != nil {
		return err
	}
	type pair struct {
		g *group
		u *user
	}
	var pairs []pair
	for _, x := range groups {
		for _, m := range x.members {
			pairs = append(pairs, pair{x, m})
		}
	}
	if err := g.table("EntraGroupMemberships", len(pairs), gc, 0, func(i int, e *ev) { gr, u = pairs[i].g, pairs[i].u }); err != nil {
		return err
	}
	// AuditLogs.
	ops := []struct{ op, cat, typ string }{
		{"Add member to group", "GroupManagement", "Assign"}, {"Update user", "UserManagement", "Update"},
		{"Reset user password", "UserManagement", "Update"}, {"Add service principal credentials", "ApplicationManagement", "Update"},
		{"Consent to application", "ApplicationManagement", "Assign"}, {"Add user", "UserManagement", "Add"},
		{"Change user password", "UserManagement", "Update"}, {"Add member to role", "RoleManagement", "Assign"},
		{"Update conditional access policy", "Policy", "Update"}, {"Register device", "Device", "Add"},
	}
	var op = ops[0]
	var actor, target *user
	al := map[string]colDef{
		"OperationName":       str(func(*ev) string { return op.op }),
		"ActivityDisplayName": str(func(*ev) string { return op.op }),
		"Category":            str(func(*ev) string { return op.cat }),
		"AADOperationType":    str(func(*ev) string { return op.typ }),
		"OperationVersion":    constStr("1.0"),
		"Result":              str(func(*ev) string { return pick(r, []string{"success", "success", "success", "failure"}) }),
		"ResultType":          constStr(""),
		"ResultSignature":     constStr("None"),
		"ResultReason":        constStr(""),
		"ResultDescription":   constStr(""),
		"LoggedByService":     constStr("Core Directory"),
		"Id":                  str(func(*ev) string { return "Directory_" + r.guid() }),
		"CorrelationId":       str(func(*ev) string { return r.guid() }),
		"ActivityDateTime":    dt(func(e *ev) time.Time { return e.t }),
		"Identity":            str(func(*ev) string { return actor.display }),
		"Resource":            constStr("Microsoft.aadiam"),
		"ResourceGroup":       constStr("Microsoft.aadiam"),
		"ResourceProvider":    constStr("Microsoft.aadiam"),
		"ResourceId":          str(func(*ev) string { return "/tenants/" + aadTenantID + "/providers/Microsoft.aadiam" }),
		"Level":               constStr("4"),
		"Location":            constStr("US"),
		"AADTenantId":         constStr(aadTenantID),
		"InitiatedBy": dyn(func(*ev) json.RawMessage {
			b, _ := json.Marshal(map[string]any{"user": map[string]any{"id": actor.objectID, "displayName": nil, "userPrincipalName": actor.upn, "ipAddress": actor.homeIP}})
			return b
		}),
		"TargetResources": dyn(func(*ev) json.RawMessage {
			b, _ := json.Marshal([]map[string]any{{"id": target.objectID, "displayName": target.display, "type": "User", "userPrincipalName": target.upn,
				"modifiedProperties": []map[string]string{{"displayName": "Group.DisplayName", "oldValue": "null", "newValue": `"` + pick(r, groups).name + `"`}}}})
			return b
		}),
		"AdditionalDetails": dyn(func(*ev) json.RawMessage {
			return json.RawMessage(`[{"key":"User-Agent","value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}]`)
		}),
		"DurationMs": lng(func(*ev) int64 { return 0 }),
	}
	helpdesk := g.w.users[:1]
	if len(g.w.admins) > 0 {
		helpdesk = g.w.admins
	}
	if err := g.table("AuditLogs", g.scaled(200, 60), al, 0, func(i int, e *ev) {
		op, actor, target = ops[r.n(len(ops))], pick(r, helpdesk), g.randomUser()
		e.acct = target
	}); err != nil {
		return err
	}
	// Risky users and their risk events.
	risky := map[string]colDef{
		"Id":                      str(func(*ev) string { return u.objectID }),
		"UserId":                  str(func(*ev) string { return u.objectID }),
		"IsDeleted":               bl(func(*ev) bool { return false }),
		"IsProcessing":            bl(func(*ev) bool { return false }),
		"RiskDetail":              constStr("none"),
		"RiskLastUpdatedDateTime": dt(func(e *ev) time.Time { return e.t }),
		"RiskLevel":               str(func(*ev) string { return pick(r, []string{"low", "medium", "high"}) }),
		"RiskState":               str(func(*ev) string { return pick(r, []string{"atRisk", "atRisk", "remediated", "dismissed"}) }),
		"OperationName":           constStr("Risky user"),
		"RiskEventType": str(func(*ev) string {
			return pick(r, []string{"unfamiliarFeatures", "anonymizedIPAddress", "impossibleTravel", "passwordSpray", "leakedCredentials"})
		}),
		"DetectionTimingType": str(func(*ev) string { return pick(r, []string{"realtime", "offline"}) }),
		"Source":              constStr("IdentityProtection"),
		"Activity":            constStr("signin"),
		"IpAddress":           str(func(*ev) string { return pick(r, maliciousIPs) }),
		"Location": dyn(func(*ev) json.RawMessage {
			p := pick(r, foreignPlaces)
			return json.RawMessage(`{"city":"` + p.city + `","state":"` + p.state + `","countryOrRegion":"` + p.country + `"}`)
		}),
		"TokenIssuerType": constStr("AzureAD"),
	}
	fill := func(i int, e *ev) { u = g.randomUser(); e.acct = u }
	if err := g.table("AADRiskyUsers", g.scaled(10, 5), risky, 0, fill); err != nil {
		return err
	}
	return g.table("AADUserRiskEvents", g.scaled(25, 10), risky, 0, fill)
}

// genOnPremIdentity writes what Defender for Identity sees on the domain
// controllers.
func (g *gen) genOnPremIdentity() error {
	r := g.r
	var src *device
	var dc *device
	var u *user
	idc := map[string]colDef{
		"Application":              constStr("Active Directory"),
		"AccountName":              str(func(*ev) string { return u.sam }),
		"AccountDomain":            constStr(adDomain),
		"AccountUpn":               str(func(*ev) string { return u.upn }),
		"AccountSid":               str(func(*ev) string { return u.sid }),
		"AccountObjectId":          str(func(*ev) string { return u.objectID }),
		"AccountDisplayName":       str(func(*ev) string { return u.display }),
		"DeviceName":               str(func(*ev) string { return src.name }),
		"DeviceType":               str(func(*ev) string { return map[bool]string{true: "Server", false: "Workstation"}[src.server] }),
		"OSPlatform":               str(func(*ev) string { return src.platform }),
		"IPAddress":                str(func(*ev) string { return src.ip }),
		"Port":                     str(func(*ev) string { return itoa(r.between(49152, 65535)) }),
		"DestinationDeviceName":    str(func(*ev) string { return dc.name }),
		"DestinationIPAddress":     str(func(*ev) string { return dc.ip }),
		"TargetDeviceName":         str(func(*ev) string { return pick(r, g.w.devices).name }),
		"TargetAccountDisplayName": str(func(*ev) string { return g.randomUser().display }),
		"TargetAccountUpn":         str(func(*ev) string { return g.randomUser().upn }),
		"Location":                 str(func(*ev) string { return u.country }),
		"ISP":                      constStr("Contoso Corporate Network"),
		"ReportId":                 str(func(e *ev) string { return strconv.FormatInt(e.reportID, 10) }),
	}
	pickFill := func(e *ev) {
		src, dc, u = pick(r, g.w.devices), g.domainController(), g.randomUser()
		e.acct, e.dev = u, src
	}
	logon := map[string]colDef{}
	for k, v := range idc {
		logon[k] = v
	}
	logon["LogonType"] = str(func(*ev) string {
		return pick(r, []string{"Resource access", "Credentials validation", "Interactive", "Remote desktop"})
	})
	logon["Protocol"] = str(func(e *ev) string { return e.protocol })
	logon["DestinationPort"] = str(func(e *ev) string {
		return map[string]string{"Kerberos": "88", "Ntlm": "445", "Ldap": "389"}[e.protocol]
	})
	if err := g.table("IdentityLogonEvents", g.scaled(200, 60), logon, 0, func(i int, e *ev) {
		pickFill(e)
		e.protocol = pick(r, []string{"Kerberos", "Kerberos", "Ntlm", "Ldap"})
		e.action = "LogonSuccess"
		if r.chance(0.08) {
			e.action, e.failure = "LogonFailed", pick(r, []string{"WrongPassword", "AccountLocked", "UnknownUser"})
		}
	}); err != nil {
		return err
	}
	dir := map[string]colDef{}
	for k, v := range idc {
		dir[k] = v
	}
	dir["Protocol"] = str(func(e *ev) string { return e.protocol })
	dir["DestinationPort"] = str(func(e *ev) string { return "389" })
	dir["AdditionalFields"] = dyn(func(e *ev) json.RawMessage {
		return json.RawMessage(`{"TO.GROUP":"SG-Finance","FROM.GROUP":"","TARGET_OBJECT.USER":"` + u.display + `"}`)
	})
	if err := g.table("IdentityDirectoryEvents", g.scaled(150, 40), dir, 0, func(i int, e *ev) {
		pickFill(e)
		e.protocol = pick(r, []string{"Ldap", "Samr", "Drsr"})
		e.action = pick(r, []string{"Account Password changed", "Group Membership changed", "Directory Services replication", "Account Enabled changed", "Account Password Never Expires changed", "Potential lateral movement path identified"})
	}); err != nil {
		return err
	}
	q := map[string]colDef{}
	for k, v := range idc {
		q[k] = v
	}
	q["QueryType"] = str(func(e *ev) string { return e.category })
	q["QueryTarget"] = str(func(e *ev) string { return e.title })
	q["Query"] = str(func(e *ev) string { return e.regData })
	q["Protocol"] = str(func(e *ev) string { return e.protocol })
	q["DestinationPort"] = str(func(e *ev) string { return map[string]string{"Ldap": "389", "Dns": "53", "Samr": "445"}[e.protocol] })
	return g.table("IdentityQueryEvents", g.scaled(200, 40), q, 0, func(i int, e *ev) {
		pickFill(e)
		switch r.n(3) {
		case 0:
			e.action, e.protocol, e.category, e.title, e.regData = "LDAP query", "Ldap", "AllUsers", "", "(&(objectCategory=person)(objectClass=user))"
		case 1:
			e.action, e.protocol, e.category = "DNS query", "Dns", "A"
			e.title = pick(r, g.w.devices).name
			e.regData = e.title
		default:
			e.action, e.protocol, e.category, e.title, e.regData = "SAMR query", "Samr", "QueryGroup", "Domain Admins", "QueryGroup"
		}
	})
}
