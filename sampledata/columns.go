package sampledata

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

// ev is the event a row describes. Table generators fill the fields that
// matter for their table; column functions read them, so a column name
// means the same thing in every table (DeviceName, AccountUpn,
// InitiatingProcessId …).
type ev struct {
	t        time.Time
	table    string
	dev      *device
	acct     *user // Account* columns
	proc     *proc // Process* columns: the created or target process
	ip       *proc // InitiatingProcess* columns
	action   string
	reportID int64

	fileName, folder, sha1, sha256, md5 string
	fileSize                            int64
	prevFile, prevFolder                string
	originURL, originIP                 string

	remoteIP, localIP, remoteURL, protocol, remoteDevice string
	remotePort, localPort                                int32

	regKey, regName, regData, regType string
	prevRegKey, prevRegName           string
	prevRegData                       string

	logonType, failure string
	logonID            int64
	isLocalAdmin       bool

	additional json.RawMessage
	clientIP   string // the client address of cloud and identity events

	// Boxed values shared by several columns of the row (see binBox):
	// tb is t, set by emit; fp, when set, is the process whose binary the
	// File* columns describe.
	tb       any
	fp       *proc
	severity string
	title    string
	category string
}

// colFn computes one column of a row.
type colFn func(e *ev) any

// colDef is a column function with the KQL type of the values it returns.
type colDef struct {
	kind types.Type
	f    colFn
}

func str(f func(e *ev) string) colDef {
	return colDef{types.String, func(e *ev) any { return f(e) }}
}
func lng(f func(e *ev) int64) colDef { return colDef{types.Long, func(e *ev) any { return f(e) }} }
func i32(f func(e *ev) int32) colDef { return colDef{types.Int, func(e *ev) any { return f(e) }} }
func dt(f func(e *ev) time.Time) colDef {
	return colDef{types.DateTime, func(e *ev) any { return f(e) }}
}
func bl(f func(e *ev) bool) colDef    { return colDef{types.Bool, func(e *ev) any { return f(e) }} }
func rl(f func(e *ev) float64) colDef { return colDef{types.Real, func(e *ev) any { return f(e) }} }
func dyn(f func(e *ev) json.RawMessage) colDef {
	return colDef{types.Dynamic, func(e *ev) any { return f(e) }}
}
func constStr(s string) colDef {
	var v any = s
	return colDef{types.String, func(*ev) any { return v }}
}

// procField returns f(p) or the zero value when p is nil.
func pstr(p func(e *ev) *proc, f func(p *proc) string) colDef {
	return str(func(e *ev) string {
		if x := p(e); x != nil {
			return f(x)
		}
		return ""
	})
}

func plng(p func(e *ev) *proc, f func(p *proc) int64) colDef {
	return colDef{types.Long, func(e *ev) any {
		if x := p(e); x != nil {
			return f(x)
		}
		return nil
	}}
}

func ustr(f func(u *user) string) colDef {
	return str(func(e *ev) string {
		if e.acct != nil {
			return f(e.acct)
		}
		return ""
	})
}

var emptyString any = ""

// ubox reads a boxed account field of the event's account.
func ubox(f func(b *userBox) any) colDef {
	return colDef{types.String, func(e *ev) any {
		if e.acct != nil {
			return f(e.acct.boxed())
		}
		return emptyString
	}}
}

// pboxT reads the boxed creation time of a process of the event.
func pboxT(p func(e *ev) *proc) colDef {
	return colDef{types.DateTime, func(e *ev) any {
		if x := p(e); x != nil {
			return x.bx.created
		}
		return nil
	}}
}

// pbox reads a boxed field of a process of the event.
func pbox(p func(e *ev) *proc, f func(p *proc) any) colDef {
	return colDef{types.String, func(e *ev) any {
		if x := p(e); x != nil {
			return f(x)
		}
		return emptyString
	}}
}

func procOf(e *ev) *proc { return e.proc }
func initOf(e *ev) *proc { return e.ip }
func parentOf(e *ev) *proc {
	if e.ip != nil {
		return e.ip.parent
	}
	return nil
}

// commonColumns are the column meanings shared by every table.
func (g *gen) commonColumns() map[string]colDef {
	m := map[string]colDef{
		"TenantId":      constStr(workspaceID),
		"TimeGenerated": {types.DateTime, func(e *ev) any { return e.tb }},
		"Timestamp":     {types.DateTime, func(e *ev) any { return e.tb }},
		"Type":          str(func(e *ev) string { return e.table }),
		"_TimeReceived": dt(func(e *ev) time.Time { return e.t.Add(time.Duration(37+(e.reportID%180)) * time.Second) }),
		"_ItemId":       str(func(*ev) string { return g.r.guid() }),
		"_IsBillable":   bl(func(*ev) bool { return true }),
		"_BilledSize":   rl(func(e *ev) float64 { return float64(900 + e.reportID%1400) }),
		"_ResourceId": str(func(e *ev) string {
			if e.dev != nil && e.dev.server {
				return "/subscriptions/" + subscriptionID + "/resourcegroups/" + resourceGroup + "/providers/microsoft.compute/virtualmachines/" + e.dev.short
			}
			return ""
		}),
		"_SubscriptionId": constStr(subscriptionID),
		"ReportId":        lng(func(e *ev) int64 { return e.reportID }),
		"ActionType":      str(func(e *ev) string { return e.action }),
		"AdditionalFields": dyn(func(e *ev) json.RawMessage {
			if e.additional != nil {
				return e.additional
			}
			return emptyObject
		}),
		"AppGuardContainerId": constStr(""),
		"MachineGroup": str(func(e *ev) string {
			if e.dev != nil {
				return e.dev.group
			}
			return ""
		}),
		// Device.
		"DeviceId":   str(func(e *ev) string { return devField(e, func(d *device) string { return d.id }) }),
		"DeviceName": str(func(e *ev) string { return devField(e, func(d *device) string { return d.name }) }),
		"OSPlatform": str(func(e *ev) string { return devField(e, func(d *device) string { return d.platform }) }),
		"Computer":   str(func(e *ev) string { return devField(e, func(d *device) string { return d.name }) }),
		"AadDeviceId": str(func(e *ev) string {
			return devField(e, func(d *device) string { return d.aadID })
		}),
		"LocalIP":     str(func(e *ev) string { return e.localIP }),
		"LocalPort":   i32(func(e *ev) int32 { return e.localPort }),
		"RemoteIP":    str(func(e *ev) string { return e.remoteIP }),
		"RemotePort":  i32(func(e *ev) int32 { return e.remotePort }),
		"RemoteUrl":   str(func(e *ev) string { return e.remoteURL }),
		"Protocol":    str(func(e *ev) string { return e.protocol }),
		"LocalIPType": str(func(e *ev) string { return ipType(e.localIP) }),
		"RemoteIPType": str(func(e *ev) string {
			return ipType(e.remoteIP)
		}),
		"RemoteDeviceName": str(func(e *ev) string { return e.remoteDevice }),
		// Files.
		"FileName": {types.String, func(e *ev) any {
			if e.fp != nil {
				return e.fp.bin.bx.name
			}
			return e.fileName
		}},
		"FolderPath": {types.String, func(e *ev) any {
			if e.fp != nil {
				return e.fp.bx.folder
			}
			return e.folder
		}},
		"SHA1": {types.String, func(e *ev) any {
			if e.fp != nil {
				return e.fp.bin.bx.sha1
			}
			return e.sha1
		}},
		"SHA256": {types.String, func(e *ev) any {
			if e.fp != nil {
				return e.fp.bin.bx.sha256
			}
			return e.sha256
		}},
		"MD5": {types.String, func(e *ev) any {
			if e.fp != nil {
				return e.fp.bin.bx.md5
			}
			return e.md5
		}},
		"FileSize": {types.Long, func(e *ev) any {
			if e.fp != nil {
				return e.fp.bin.bx.size
			}
			return e.fileSize
		}},
		"PreviousFileName":      str(func(e *ev) string { return e.prevFile }),
		"PreviousFolderPath":    str(func(e *ev) string { return e.prevFolder }),
		"FileOriginUrl":         str(func(e *ev) string { return e.originURL }),
		"FileOriginIP":          str(func(e *ev) string { return e.originIP }),
		"FileOriginReferrerUrl": str(func(e *ev) string { return "" }),
		// Registry.
		"RegistryKey":               str(func(e *ev) string { return e.regKey }),
		"RegistryValueName":         str(func(e *ev) string { return e.regName }),
		"RegistryValueData":         str(func(e *ev) string { return e.regData }),
		"RegistryValueType":         str(func(e *ev) string { return e.regType }),
		"PreviousRegistryKey":       str(func(e *ev) string { return e.prevRegKey }),
		"PreviousRegistryValueName": str(func(e *ev) string { return e.prevRegName }),
		"PreviousRegistryValueData": str(func(e *ev) string { return e.prevRegData }),
		// Logons.
		"LogonType":     str(func(e *ev) string { return e.logonType }),
		"FailureReason": str(func(e *ev) string { return e.failure }),
		"IsLocalAdmin":  bl(func(e *ev) bool { return e.isLocalAdmin }),
		"LogonId": colDef{types.Long, func(e *ev) any {
			if e.logonID != 0 {
				return e.logonID
			}
			if e.proc != nil {
				return e.proc.logonID
			}
			return nil
		}},
		// Accounts.
		"AccountName":        ubox(func(b *userBox) any { return b.sam }),
		"AccountDomain":      ubox(func(b *userBox) any { return b.domain }),
		"AccountSid":         ubox(func(b *userBox) any { return b.sid }),
		"AccountUpn":         ubox(func(b *userBox) any { return b.upnD }),
		"AccountObjectId":    ubox(func(b *userBox) any { return b.objectID }),
		"AccountDisplayName": ustr(func(u *user) string { return u.display }),
		"UserPrincipalName":  ustr(func(u *user) string { return u.upn }),
		"UserDisplayName":    ustr(func(u *user) string { return u.display }),
		"UserId":             ustr(func(u *user) string { return u.objectID }),
		"UserName":           ustr(func(u *user) string { return u.sam }),
		"IPAddress":          str(func(e *ev) string { return e.clientIP }),
		"Severity":           str(func(e *ev) string { return e.severity }),
		"Title":              str(func(e *ev) string { return e.title }),
		"Category":           str(func(e *ev) string { return e.category }),
	}
	// The created process (DeviceProcessEvents) or target process.
	m["ProcessId"] = plng(procOf, func(p *proc) int64 { return p.pid })
	m["ProcessCommandLine"] = pbox(procOf, func(p *proc) any { return p.bx.cmd })
	m["ProcessCreationTime"] = pboxT(procOf)
	m["ProcessIntegrityLevel"] = pbox(procOf, func(p *proc) any { return p.bx.integrity })
	m["ProcessTokenElevation"] = pbox(procOf, func(p *proc) any { return p.bx.elevation })
	m["ProcessUniqueId"] = pbox(procOf, func(p *proc) any { return p.bx.uniqueID })
	m["CreatedProcessSessionId"] = plng(procOf, func(p *proc) int64 { return p.session })
	m["IsProcessRemoteSession"] = bl(func(e *ev) bool { return false })
	m["ProcessRemoteSessionDeviceName"] = constStr("")
	m["ProcessRemoteSessionIP"] = constStr("")
	m["ProcessVersionInfoCompanyName"] = pbox(procOf, func(p *proc) any { return p.bin.bx.company })
	m["ProcessVersionInfoProductName"] = pbox(procOf, func(p *proc) any { return p.bin.bx.product })
	m["ProcessVersionInfoProductVersion"] = pbox(procOf, func(p *proc) any { return p.bin.bx.version })
	m["ProcessVersionInfoInternalFileName"] = pbox(procOf, func(p *proc) any { return p.bin.bx.internal })
	m["ProcessVersionInfoOriginalFileName"] = pbox(procOf, func(p *proc) any { return p.bin.bx.internal })
	m["ProcessVersionInfoFileDescription"] = pbox(procOf, func(p *proc) any { return p.bin.bx.desc })
	// The initiating process and its parent.
	m["InitiatingProcessId"] = plng(initOf, func(p *proc) int64 { return p.pid })
	m["InitiatingProcessFileName"] = pbox(initOf, func(p *proc) any { return p.bin.bx.name })
	m["InitiatingProcessFolderPath"] = pbox(initOf, func(p *proc) any { return p.bx.folder })
	m["InitiatingProcessCommandLine"] = pbox(initOf, func(p *proc) any { return p.bx.cmd })
	m["InitiatingProcessCreationTime"] = pboxT(initOf)
	m["InitiatingProcessSHA1"] = pbox(initOf, func(p *proc) any { return p.bin.bx.sha1 })
	m["InitiatingProcessSHA256"] = pbox(initOf, func(p *proc) any { return p.bin.bx.sha256 })
	m["InitiatingProcessMD5"] = pbox(initOf, func(p *proc) any { return p.bin.bx.md5 })
	m["InitiatingProcessFileSize"] = plng(initOf, func(p *proc) int64 { return p.bin.size })
	m["InitiatingProcessVersionInfoCompanyName"] = pbox(initOf, func(p *proc) any { return p.bin.bx.company })
	m["InitiatingProcessVersionInfoProductName"] = pbox(initOf, func(p *proc) any { return p.bin.bx.product })
	m["InitiatingProcessVersionInfoProductVersion"] = pbox(initOf, func(p *proc) any { return p.bin.bx.version })
	m["InitiatingProcessVersionInfoInternalFileName"] = pbox(initOf, func(p *proc) any { return p.bin.bx.internal })
	m["InitiatingProcessVersionInfoOriginalFileName"] = pbox(initOf, func(p *proc) any { return p.bin.bx.internal })
	m["InitiatingProcessVersionInfoFileDescription"] = pbox(initOf, func(p *proc) any { return p.bin.bx.desc })
	m["InitiatingProcessIntegrityLevel"] = pbox(initOf, func(p *proc) any { return p.bx.integrity })
	m["InitiatingProcessTokenElevation"] = pbox(initOf, func(p *proc) any { return p.bx.elevation })
	m["InitiatingProcessLogonId"] = plng(initOf, func(p *proc) int64 { return p.logonID })
	m["InitiatingProcessSessionId"] = plng(initOf, func(p *proc) int64 { return p.session })
	m["InitiatingProcessUniqueId"] = pbox(initOf, func(p *proc) any { return p.bx.uniqueID })
	m["IsInitiatingProcessRemoteSession"] = bl(func(e *ev) bool { return e.ip != nil && e.ip.remoteIP != "" })
	m["InitiatingProcessRemoteSessionDeviceName"] = pstr(initOf, func(p *proc) string { return p.remoteDevice })
	m["InitiatingProcessRemoteSessionIP"] = pstr(initOf, func(p *proc) string { return p.remoteIP })
	m["InitiatingProcessSignerType"] = pbox(initOf, func(p *proc) any { return p.bin.bx.signerType })
	m["InitiatingProcessSignatureStatus"] = pbox(initOf, func(p *proc) any { return p.bin.bx.sigStatus })
	m["InitiatingProcessParentId"] = plng(parentOf, func(p *proc) int64 { return p.pid })
	m["InitiatingProcessParentFileName"] = pbox(parentOf, func(p *proc) any { return p.bin.bx.name })
	m["InitiatingProcessParentCreationTime"] = pboxT(parentOf)
	ia := func(f func(b *userBox) any) colDef {
		return colDef{types.String, func(e *ev) any {
			if e.ip != nil && e.ip.user != nil {
				return f(e.ip.user.boxed())
			}
			return emptyString
		}}
	}
	m["InitiatingProcessAccountName"] = ia(func(b *userBox) any { return b.sam })
	m["InitiatingProcessAccountDomain"] = ia(func(b *userBox) any { return b.domain })
	m["InitiatingProcessAccountSid"] = ia(func(b *userBox) any { return b.sid })
	m["InitiatingProcessAccountUpn"] = ia(func(b *userBox) any { return b.upnD })
	m["InitiatingProcessAccountObjectId"] = ia(func(b *userBox) any { return b.objectID })
	return m
}

var emptyObject = json.RawMessage(`{}`)

func devField(e *ev, f func(d *device) string) string {
	if e.dev != nil {
		return f(e.dev)
	}
	return ""
}

// upnIfDomain returns the UPN of a domain account, "" for local ones.
func (u *user) upnIfDomain() string {
	if u.domain == netbiosDomain {
		return u.upn
	}
	return ""
}

func internalName(b *binary) string {
	if b.company == "" {
		return ""
	}
	return b.name
}

// plan computes the rows of one table.
type plan []colFn

// compile builds the plan of t: the table's own column definitions first,
// then the common ones, then the generic fallback. Value-set columns are
// constrained to their value set. sparse, when > 0, is the share of rows in
// which fallback columns get a value (wide tables whose columns are mostly
// empty in any one row).
func (g *gen) compile(t *schema.Table, own map[string]colDef, sparse float64) plan {
	p := make(plan, len(t.Columns))
	for i, col := range t.Columns {
		def, ok := own[col.Name]
		if !ok {
			def, ok = g.common[col.Name]
		}
		var f colFn
		if ok {
			f = adapt(def, col.Type)
		}
		if f == nil {
			f = g.fallback(t, col)
			if sparse > 0 && col.Type != types.String {
				inner, r := f, g.r
				f = func(e *ev) any {
					if r.chance(sparse) {
						return inner(e)
					}
					return nil
				}
			} else if sparse > 0 {
				inner, r := f, g.r
				f = func(e *ev) any {
					if r.chance(sparse) {
						return inner(e)
					}
					return ""
				}
			}
		}
		if vs := g.cat.ValueSet(t.Name, col.Name); len(vs) > 0 && col.Type == types.String {
			f = constrain(f, vs, g.r)
		}
		p[i] = f
	}
	return p
}

// constrain keeps f's value when it is in the value set and otherwise
// picks a member of the set.
func constrain(f colFn, vs []string, r *rng) colFn {
	set := make(map[string]bool, len(vs))
	boxed := make([]any, len(vs))
	for i, v := range vs {
		set[v] = true
		boxed[i] = v
	}
	return func(e *ev) any {
		// The empty string is "not set" (a new incident has no
		// Classification yet) and stays.
		v := f(e)
		if s, _ := v.(string); s == "" || set[s] {
			return v
		}
		return boxed[r.n(len(boxed))]
	}
}

// adapt converts the values of def to the column type want, or returns nil
// when no sensible conversion exists (the fallback is used then).
func adapt(def colDef, want types.Type) colFn {
	if def.kind == want {
		return def.f
	}
	f := def.f
	switch want {
	case types.String:
		return func(e *ev) any { return toString(f(e)) }
	case types.Long:
		switch def.kind {
		case types.Int:
			return func(e *ev) any {
				if v, ok := f(e).(int32); ok {
					return int64(v)
				}
				return nil
			}
		case types.String:
			return func(e *ev) any {
				n, err := strconv.ParseInt(f(e).(string), 10, 64)
				if err != nil {
					return nil
				}
				return n
			}
		}
	case types.Int:
		switch def.kind {
		case types.Long:
			return func(e *ev) any {
				if v, ok := f(e).(int64); ok {
					return int32(v)
				}
				return nil
			}
		case types.String:
			return func(e *ev) any {
				n, err := strconv.ParseInt(f(e).(string), 10, 32)
				if err != nil {
					return nil
				}
				return int32(n)
			}
		}
	case types.Real:
		switch def.kind {
		case types.Long:
			return func(e *ev) any {
				if v, ok := f(e).(int64); ok {
					return float64(v)
				}
				return nil
			}
		case types.Int:
			return func(e *ev) any {
				if v, ok := f(e).(int32); ok {
					return float64(v)
				}
				return nil
			}
		}
	case types.Dynamic:
		if def.kind == types.String {
			return func(e *ev) any {
				s, _ := f(e).(string)
				if s == "" {
					return nil
				}
				if json.Valid([]byte(s)) && (s[0] == '{' || s[0] == '[') {
					return json.RawMessage(s)
				}
				b, _ := json.Marshal(s)
				return json.RawMessage(b)
			}
		}
	}
	return nil
}

func toString(v any) any {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	case json.RawMessage:
		return string(x)
	case nil:
		return ""
	}
	return ""
}

// fallback returns a plausible value generator for a column nothing else
// defines, from its type and name.
func (g *gen) fallback(t *schema.Table, col schema.Column) colFn {
	r := g.r
	name := col.Name
	lower := strings.ToLower(name)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(lower, s) {
				return true
			}
		}
		return false
	}
	suffix := func(subs ...string) bool {
		for _, s := range subs {
			if strings.HasSuffix(lower, s) {
				return true
			}
		}
		return false
	}
	boxedPick := func(vals ...string) colFn {
		b := make([]any, len(vals))
		for i, v := range vals {
			b[i] = v
		}
		return func(*ev) any { return b[r.n(len(b))] }
	}
	if acts := g.cat.ActionTypes(t.Name); len(acts) > 0 && name == "ActionType" {
		return boxedPick(acts...)
	}
	switch col.Type {
	case types.Bool:
		if strings.HasPrefix(name, "Is") || strings.HasPrefix(name, "is") || has("enabled", "active") {
			return func(*ev) any { return r.chance(0.15) }
		}
		return func(*ev) any { return r.chance(0.5) }
	case types.DateTime:
		switch {
		case has("expir", "end", "until", "valid"):
			return func(e *ev) any { return e.t.Add(time.Duration(r.between(1, 365*24)) * time.Hour) }
		case has("creat", "start", "first", "added", "published", "install", "registered", "hire", "password"):
			return func(e *ev) any { return e.t.Add(-time.Duration(r.between(1, 900*24)) * time.Hour) }
		case has("last", "modified", "updated", "seen"):
			return func(e *ev) any { return e.t.Add(-time.Duration(r.between(0, 72*60)) * time.Minute) }
		}
		return func(e *ev) any { return e.t.Add(-time.Duration(r.n(3000)) * time.Millisecond) }
	case types.TimeSpan:
		return func(*ev) any { return time.Duration(r.between(1, 600000)) * time.Millisecond }
	case types.GUID:
		return func(*ev) any { return r.guidBytes() }
	case types.Int, types.Long:
		var f func() int64
		switch {
		case has("port"):
			f = func() int64 { return int64(pick(r, []int{443, 80, 445, 135, 389, 3389, 22, 53, 8080, 1433})) }
		case has("count", "number", "quantity", "batches"):
			f = func() int64 { return int64(r.between(0, 40)) }
		case has("bytes", "size"):
			f = func() int64 { return int64(r.between(200, 2_000_000)) }
		case has("duration", "ms", "latency", "time"):
			f = func() int64 { return int64(r.between(1, 5000)) }
		case has("severity", "level", "priority", "risk"):
			f = func() int64 { return int64(r.between(0, 4)) }
		case has("code", "status"):
			f = func() int64 { return int64(pick(r, []int{0, 0, 0, 200, 200, 201, 204, 302, 401, 403, 404, 500})) }
		case has("processid", "pid", "threadid"):
			f = func() int64 { return int64(r.between(4, 16000)) * 4 }
		case has("asn"):
			f = func() int64 { return int64(pick(r, []int{8075, 15169, 16509, 13335, 7922, 3320})) }
		case suffix("id"):
			f = func() int64 { return int64(r.between(1, 99999)) }
		default:
			f = func() int64 { return int64(r.between(0, 100)) }
		}
		if col.Type == types.Int {
			return func(*ev) any { return int32(f()) }
		}
		return func(*ev) any { return f() }
	case types.Real:
		switch {
		case has("latitude"):
			return func(*ev) any { return pick(r, officePlaces).lat }
		case has("longitude"):
			return func(*ev) any { return pick(r, officePlaces).long }
		case has("score", "confidence", "impact"):
			return func(*ev) any { return round2(r.f() * 10) }
		case has("percent"):
			return func(*ev) any { return round2(r.f() * 100) }
		}
		return func(*ev) any { return round2(r.f() * 1000) }
	case types.Dynamic:
		return g.dynamicFallback(lower)
	case types.Decimal:
		return func(*ev) any { return round2(r.f() * 100) }
	}
	// Strings.
	switch {
	case name == "SourceSystem":
		return func(e *ev) any { return sourceSystem(t, e) }
	case has("tenantid"):
		return func(*ev) any { return aadTenantID }
	case has("subscriptionid"):
		return func(*ev) any { return subscriptionID }
	case has("resourcegroup"):
		return func(*ev) any { return resourceGroup }
	case has("mac"):
		return func(e *ev) any {
			if e.dev != nil {
				return e.dev.mac
			}
			return r.mac("00-15-5D", '-')
		}
	case has("ipaddress", "ipv4", "clientip", "sourceip", "destinationip", "remoteip", "callerip", "hostip", "ip_s") || lower == "ip" || suffix("ip"):
		return func(e *ev) any {
			if e.clientIP != "" && r.chance(0.7) {
				return e.clientIP
			}
			if r.chance(0.5) {
				return g.internalIP()
			}
			return g.publicIP()
		}
	case has("ipv6"):
		return func(e *ev) any {
			if e.dev != nil {
				return e.dev.ipv6
			}
			return "fe80::" + r.hexString(4) + ":" + r.hexString(4)
		}
	case has("url", "uri"):
		return func(*ev) any { return "https://" + pick(r, benignDomains) + "/" + pick(r, urlPaths) }
	case has("domain") && !has("user"):
		return func(*ev) any {
			return pick(r, []string{adDomain, upnDomain, "contoso.sharepoint.com", "outlook.office365.com"})
		}
	case has("upn", "principalname", "email", "mail", "recipient", "sender", "caller") && !has("id"):
		return func(e *ev) any {
			if e.acct != nil && e.acct.upn != "" {
				return e.acct.upn
			}
			return g.randomUser().upn
		}
	case has("computer", "hostname", "devicename", "machinename", "workstation", "host"):
		return func(e *ev) any {
			if e.dev != nil {
				return e.dev.name
			}
			return pick(r, g.w.devices).name
		}
	case has("sid"):
		return func(e *ev) any {
			if e.acct != nil && e.acct.sid != "" {
				return e.acct.sid
			}
			return g.randomUser().sid
		}
	case has("user", "account", "actor", "owner", "identity", "initiatedby", "modifiedby"):
		return func(e *ev) any {
			if e.acct != nil {
				if has("display") {
					return e.acct.display
				}
				if has("upn", "principal") {
					return e.acct.upn
				}
				return e.acct.sam
			}
			return g.randomUser().sam
		}
	case has("sha256", "hash") && !has("sha1", "md5"):
		return func(*ev) any { return r.hexString(64) }
	case has("sha1"):
		return func(*ev) any { return r.hexString(40) }
	case has("md5"):
		return func(*ev) any { return r.hexString(32) }
	case has("country"):
		return boxedPick("US", "US", "US", "GB", "DE", "IN")
	case has("city"):
		return boxedPick("Seattle", "New York", "London", "Berlin", "Bangalore")
	case has("location", "region"):
		return boxedPick("eastus", "westeurope", "westus2", "northeurope", "centralindia")
	case has("path", "folder", "directory"):
		return func(*ev) any { return pick(r, genericPaths) }
	case has("filename", "file") || suffix("name") && has("file"):
		return func(*ev) any { return pick(r, genericFiles) }
	case has("version"):
		return boxedPick("1.0", "2.0", "10.0.22621.3527", "4.18.24090.11", "16.0.17928.20216")
	case has("protocol"):
		return boxedPick("TCP", "UDP", "HTTPS", "HTTP", "Kerberos", "NTLM", "LDAP")
	case has("method"):
		return boxedPick("GET", "GET", "POST", "PUT", "DELETE", "PATCH")
	case has("agent"):
		return func(*ev) any { return pick(r, userAgents) }
	case has("status", "result", "outcome"):
		return boxedPick("Success", "Success", "Success", "Succeeded", "Failure")
	case has("severity", "level", "priority"):
		return boxedPick("Informational", "Low", "Medium", "High")
	case has("message", "description", "details", "reason", "comment", "text", "note"):
		return func(*ev) any { return pick(r, genericMessages) }
	case has("json", "properties", "parameters", "data", "info", "context", "extended", "fields", "policies", "insights", "claims", "authorization"):
		return func(*ev) any { return string(pick(r, genericJSON)) }
	case has("time", "date") && !has("zone"):
		return func(e *ev) any { return e.t.Add(-time.Duration(r.n(600)) * time.Second).UTC().Format(time.RFC3339) }
	case suffix("id", "_g", "guid") || has("correlation", "requestid", "sessionid", "objectid"):
		return func(*ev) any { return r.guid() }
	case has("name", "title"):
		return func(*ev) any { return pick(r, genericNames) }
	case has("type", "category", "kind", "class", "mode", "role", "group", "tier", "state"):
		return boxedPick("Standard", "Default", "Primary", "Managed", "Internal", "Other")
	case has("tag", "label"):
		return boxedPick("prod", "corp", "tier1", "pci", "")
	case has("port"):
		return boxedPick("443", "80", "445", "3389", "22", "53")
	}
	return func(*ev) any { return pick(r, genericTokens) }
}

func sourceSystem(t *schema.Table, e *ev) string {
	switch {
	case t.Source == schema.SourceDefender:
		return "Azure"
	case e.dev != nil && e.dev.os == osLinux:
		return "Linux"
	case e.dev != nil:
		return "OpsManager"
	}
	return "Azure"
}

func (g *gen) dynamicFallback(lower string) colFn {
	r := g.r
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(lower, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("ipaddresses", "ips", "privateips"):
		return func(e *ev) any {
			ip := g.internalIP()
			if e.dev != nil {
				ip = e.dev.ip
			}
			return json.RawMessage(`["` + ip + `"]`)
		}
	case has("tags", "categories", "labels", "roles", "techniques", "tactics", "scopes", "groups", "mails", "addresses", "types"):
		return func(*ev) any { return pick(r, genericArrays) }
	}
	return func(*ev) any { return pick(r, genericJSON) }
}

var (
	urlPaths        = []string{"", "api/v1/items", "index.html", "sites/finance/Shared%20Documents/report.xlsx", "search?q=quarterly+report", "login", "oauth2/v2.0/authorize", "download/setup.exe", "assets/app.js", "health"}
	genericPaths    = []string{`C:\Windows\System32`, `C:\Program Files\Contoso\Agent`, `C:\Users\Public\Documents`, `/var/log`, `/opt/contoso/app`, `/etc/nginx`, `C:\ProgramData\Microsoft\Windows Defender`, `\\srv-fs01.contoso.local\departments\Finance`}
	genericFiles    = []string{"report.xlsx", "setup.exe", "invoice.pdf", "notes.txt", "backup.bak", "config.json", "app.log", "image.png", "data.csv", "payload.dll"}
	genericMessages = []string{"Operation completed successfully.", "The request was processed.", "Access denied for the requested resource.", "Configuration updated by administrator.", "Connection timed out after 30 seconds.", "User session established.", "Policy evaluation completed with warnings.", "Scheduled job finished."}
	genericNames    = []string{"Contoso Portal", "Finance Reports", "Default", "Primary", "ContosoApp", "Backup Job", "Web Frontend", "HR Records", "Sales Pipeline", "Infrastructure"}
	genericTokens   = []string{"Standard", "Enabled", "Default", "None", "Primary", "Allowed", "Completed", "Normal"}
	userAgents      = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
		"python-requests/2.31.0",
		"Azure-CLI/2.66.0 (AZURECLI; Python 3.11.8; Windows 10)",
	}
	genericJSON = []json.RawMessage{
		json.RawMessage(`{}`),
		json.RawMessage(`{"Source":"Contoso","Version":"1.0"}`),
		json.RawMessage(`{"Count":3,"Enabled":true}`),
		json.RawMessage(`{"Reason":"Policy","Details":{"Rule":"Default"}}`),
		json.RawMessage(`{"key":"value","items":[1,2,3]}`),
	}
	genericArrays = []json.RawMessage{
		json.RawMessage(`[]`),
		json.RawMessage(`["prod"]`),
		json.RawMessage(`["corp","tier1"]`),
		json.RawMessage(`["Finance","All Users"]`),
	}
)
