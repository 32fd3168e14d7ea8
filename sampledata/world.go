package sampledata

import (
	"strings"
	"time"
)

// Fixed identities of the synthetic organisation, Contoso.
const (
	workspaceID    = "7f3c2a91-5b4d-4e8a-9c61-2d0e8f4b7a35" // TenantId: the workspace id
	aadTenantID    = "c3a1e5b7-2d4f-4b6a-8e9c-0f1a2b3c4d5e" // the Entra ID tenant
	subscriptionID = "5e8a1c3f-9b2d-4f6e-a7c0-3d1b5f9e2a4c"
	resourceGroup  = "rg-contoso-prod"
	workspaceName  = "law-contoso-sentinel"
	adDomain       = "contoso.local"
	netbiosDomain  = "contoso"
	upnDomain      = "contoso.com"
	domainSID      = "S-1-5-21-3623811015-3361044348-30300820"
	orgName        = "Contoso Ltd"
)

var workspaceResourceID = "/subscriptions/" + subscriptionID + "/resourceGroups/" + resourceGroup +
	"/providers/Microsoft.OperationalInsights/workspaces/" + workspaceName

type osKind uint8

const (
	osWindows osKind = iota
	osLinux
	osMac
)

// device is one machine of the fleet.
type device struct {
	idx          int
	id           string // Defender DeviceId: 40 hex digits
	name         string // FQDN, ws-0042.contoso.local
	short        string
	os           osKind
	server       bool
	role         string // workstation, dc, sql, web, file, app, linux-web, k8s, mac
	platform     string // OSPlatform
	osVersion    string
	osBuild      int64
	osVerInfo    string
	osDistro     string
	arch         string
	ip           string
	ipv6         string
	mac          string
	gateway      string
	publicIP     string
	aadID        string
	vmID         string
	group        string // MachineGroup
	clientVer    string
	model        string
	vendor       string
	exposure     string
	assetValue   string
	onboarding   string
	sensorHealth string
	primary      *user
	serial       string
	boot         time.Time
	weight       float64

	// Process simulation state.
	nextPID int64
	active  map[int]*proc // binary index → running instance
	roots   map[int]*proc
}

// user is one account of the organisation (people, admins and services).
type user struct {
	idx        int
	sam        string
	given      string
	surname    string
	display    string
	upn        string
	mail       string
	sid        string
	objectID   string
	dept       string
	title      string
	city       string
	country    string
	state      string
	lat, long  float64
	phone      string
	manager    *user
	admin      bool
	service    bool
	homeIP     string
	created    time.Time
	employeeID string
	domain     string // AccountDomain as Defender writes it
	uac        string
	bx         *userBox
}

// userBox holds an account's strings boxed once (see binBox).
type userBox struct{ sam, domain, sid, upnD, objectID, display, upn any }

// boxed returns the account's boxed strings, building them on first use.
// The well-known accounts are boxed at init, so that concurrent
// generations never write to them.
func (u *user) boxed() *userBox {
	if u.bx == nil {
		u.bx = &userBox{sam: u.sam, domain: u.domain, sid: u.sid, upnD: u.upnIfDomain(), objectID: u.objectID, display: u.display, upn: u.upn}
	}
	return u.bx
}

func init() {
	for _, u := range []*user{acctSystem, acctLocal, acctNetwork, acctRoot} {
		u.boxed()
	}
}

// Well-known local accounts.
var (
	acctSystem  = &user{sam: "system", display: "SYSTEM", sid: "S-1-5-18", domain: "nt authority", service: true}
	acctLocal   = &user{sam: "local service", display: "LOCAL SERVICE", sid: "S-1-5-19", domain: "nt authority", service: true}
	acctNetwork = &user{sam: "network service", display: "NETWORK SERVICE", sid: "S-1-5-20", domain: "nt authority", service: true}
	acctRoot    = &user{sam: "root", display: "root", domain: "", service: true}
)

var firstNames = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Lisa",
	"Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Steven", "Emily", "Andrew", "Michelle", "Joshua", "Amanda",
	"Kevin", "Melissa", "Brian", "Stephanie", "George", "Rebecca", "Priya", "Wei", "Fatima", "Carlos", "Yuki", "Olga",
	"Ahmed", "Ingrid", "Mateo", "Aisha", "Lars", "Sofia", "Raj", "Chen", "Hannah", "Noah", "Grace", "Omar", "Lucia", "Ivan"}

var lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez",
	"Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
	"Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Patel", "Kim", "Nakamura", "Schmidt", "Rossi", "Novak",
	"Larsen", "Dubois", "Kowalski", "Okafor", "Silva", "Chen", "Ivanova", "Haddad", "Fischer", "Murphy", "Ortiz", "Singh"}

var departments = []struct{ name, title string }{
	{"Finance", "Financial Analyst"}, {"Finance", "Accountant"}, {"Sales", "Account Executive"}, {"Sales", "Sales Manager"},
	{"Marketing", "Marketing Specialist"}, {"Engineering", "Software Engineer"}, {"Engineering", "Senior Software Engineer"},
	{"Engineering", "DevOps Engineer"}, {"IT", "Systems Administrator"}, {"IT", "Helpdesk Technician"},
	{"Human Resources", "HR Business Partner"}, {"Legal", "Counsel"}, {"Operations", "Operations Manager"},
	{"Security", "Security Analyst"}, {"Executive", "Chief Financial Officer"}, {"Customer Support", "Support Specialist"},
}

type place struct {
	city, state, country string
	lat, long            float64
}

var officePlaces = []place{
	{"Seattle", "Washington", "US", 47.6062, -122.3321},
	{"New York", "New York", "US", 40.7128, -74.0060},
	{"London", "England", "GB", 51.5072, -0.1276},
	{"Berlin", "Berlin", "DE", 52.5200, 13.4050},
	{"Bangalore", "Karnataka", "IN", 12.9716, 77.5946},
}

var foreignPlaces = []place{
	{"Moscow", "Moscow", "RU", 55.7558, 37.6173},
	{"Lagos", "Lagos", "NG", 6.5244, 3.3792},
	{"Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333},
	{"Hanoi", "Hanoi", "VN", 21.0278, 105.8342},
	{"Amsterdam", "North Holland", "NL", 52.3676, 4.9041},
	{"Singapore", "Singapore", "SG", 1.3521, 103.8198},
}

// Office egress addresses (the fleet's PublicIP) and other public pools.
var (
	officeEgress   = []string{"20.121.48.17", "20.121.48.18", "52.167.201.44", "40.114.92.130", "51.140.77.9"}
	benignRemotes  = []string{"13.107.42.14", "13.107.6.156", "20.190.151.68", "20.190.159.4", "40.126.31.1", "52.96.165.242", "142.250.72.196", "142.250.191.46", "151.101.1.69", "104.16.132.229", "140.82.112.3", "185.199.108.133", "23.35.69.170", "52.109.8.21", "20.42.65.92", "52.113.194.132", "34.107.221.82", "3.5.29.112", "54.231.165.114", "172.217.14.99"}
	maliciousIPs   = []string{"185.220.101.47", "45.137.21.9", "91.240.118.172", "193.142.146.35", "194.26.29.113", "5.188.206.14", "89.248.165.74", "141.98.11.52"}
	homeISPPool    = []string{"73.162.", "98.207.", "24.16.", "86.12.", "92.40.", "84.59.", "49.207.", "122.171."}
	benignDomains  = []string{"login.microsoftonline.com", "graph.microsoft.com", "outlook.office365.com", "teams.microsoft.com", "www.office.com", "contoso.sharepoint.com", "contoso-my.sharepoint.com", "settings-win.data.microsoft.com", "ctldl.windowsupdate.com", "www.google.com", "update.googleapis.com", "clients2.google.com", "github.com", "objects.githubusercontent.com", "cdn.jsdelivr.net", "www.linkedin.com", "slack.com", "zoom.us", "s3.amazonaws.com", "api.contoso.com", "intranet.contoso.com", "www.bing.com", "edge.microsoft.com", "nav.smartscreen.microsoft.com", "wdcp.microsoft.com", "winatp-gw-eus.microsoft.com", "time.windows.com", "docs.microsoft.com", "stackoverflow.com", "www.salesforce.com"}
	maliciousHosts = []string{"cdn-update-check.top", "micros0ft-support.com", "login-contoso.com", "files-share.xyz", "transfer.sh", "pastebin.com", "raw.githubusercontent.com", "d3k9x7q2.ngrok-free.app", "updates-office365.net"}
	internalSubnet = "10.20."
)

// world is the synthetic organisation every table describes.
type world struct {
	start, now time.Time
	devices    []*device
	windows    []*device
	servers    []*device
	linux      []*device
	users      []*user // people
	admins     []*user
	services   []*user
	all        []*user
	devPick    *weighted[*device]
	dcs        []*device
	byIP       map[string]*device
}

func (g *gen) buildWorld() {
	w := &g.w
	r := g.r
	nDev := g.opts.Rows / 5000
	if nDev < 12 {
		nDev = 12
	}
	if nDev > 1500 {
		nDev = 1500
	}
	nUsers := nDev + nDev/4
	if nUsers < 20 {
		nUsers = 20
	}
	// People.
	usedSam := map[string]bool{}
	for i := 0; i < nUsers; i++ {
		given, sur := pick(r, firstNames), pick(r, lastNames)
		sam := strings.ToLower(given[:1] + sur)
		for k := 2; usedSam[sam]; k++ {
			sam = strings.ToLower(given[:1]+sur) + itoa(k)
		}
		usedSam[sam] = true
		d := departments[r.n(len(departments))]
		p := officePlaces[r.n(len(officePlaces))]
		u := &user{
			idx: i, sam: sam, given: given, surname: sur, display: given + " " + sur,
			upn:  strings.ToLower(given+"."+sur) + strings.TrimPrefix(sam, strings.ToLower(given[:1]+sur)) + "@" + upnDomain,
			sid:  domainSID + "-" + itoa(1104+i*3+r.n(3)),
			dept: d.name, title: d.title, city: p.city, state: p.state, country: p.country,
			lat: p.lat, long: p.long, objectID: r.guid(), domain: netbiosDomain,
			phone:      "+1 425 555 " + pad(r.n(10000), 4),
			homeIP:     pick(r, homeISPPool) + itoa(r.between(1, 254)) + "." + itoa(r.between(1, 254)),
			created:    w.start.AddDate(0, 0, -r.between(30, 2500)),
			employeeID: pad(100000+i*7, 6),
			uac:        "NormalAccount",
		}
		u.mail = u.upn
		if d.name == "IT" || d.name == "Security" {
			u.admin = r.chance(0.5)
		}
		w.users = append(w.users, u)
	}
	for i, u := range w.users {
		if i > 0 {
			u.manager = w.users[r.n(i)]
		}
	}
	// Privileged and service accounts.
	for i, u := range w.users {
		if !u.admin {
			continue
		}
		a := &user{
			idx: nUsers + len(w.admins), sam: "adm-" + u.sam, given: u.given, surname: u.surname,
			display: u.display + " (Admin)", upn: "adm-" + u.sam + "@" + upnDomain, sid: domainSID + "-" + itoa(5104+i),
			dept: u.dept, title: u.title, city: u.city, state: u.state, country: u.country, lat: u.lat, long: u.long,
			objectID: r.guid(), domain: netbiosDomain, admin: true, homeIP: u.homeIP, created: u.created.AddDate(0, 1, 0),
			employeeID: u.employeeID, uac: "NormalAccount", manager: u.manager,
		}
		a.mail = a.upn
		w.admins = append(w.admins, a)
	}
	for i, name := range []string{"svc-sql", "svc-backup", "svc-web", "svc-scan", "svc-sccm", "svc-adsync"} {
		s := &user{
			idx: 10000 + i, sam: name, display: name, upn: name + "@" + upnDomain, sid: domainSID + "-" + itoa(8100+i),
			dept: "IT", title: "Service Account", objectID: r.guid(), domain: netbiosDomain, service: true,
			city: "Seattle", state: "Washington", country: "US", created: w.start.AddDate(-3, 0, 0),
			employeeID: "", uac: "NormalAccount, DontExpirePassword",
		}
		s.mail = s.upn
		w.services = append(w.services, s)
	}
	w.all = append(append(append([]*user{}, w.users...), w.admins...), w.services...)

	// Devices.
	roles := []struct {
		role   string
		share  float64
		os     osKind
		server bool
	}{
		{"workstation", 0.74, osWindows, false},
		{"mac", 0.05, osMac, false},
		{"dc", 0.02, osWindows, true},
		{"file", 0.02, osWindows, true},
		{"sql", 0.03, osWindows, true},
		{"web", 0.03, osWindows, true},
		{"linux-web", 0.06, osLinux, true},
		{"k8s", 0.05, osLinux, true},
	}
	counters := map[string]int{}
	for i := 0; i < nDev; i++ {
		// Deterministic role by position so small fleets still have every role.
		role := roles[0]
		if i < len(roles) {
			role = roles[i]
		} else {
			x := r.f()
			for _, rr := range roles {
				if x < rr.share {
					role = rr
					break
				}
				x -= rr.share
			}
		}
		counters[role.role]++
		n := counters[role.role]
		d := &device{idx: i, os: role.os, server: role.server, role: role.role, arch: "64-bit",
			active: map[int]*proc{}, roots: map[int]*proc{}, weight: 1}
		switch role.role {
		case "workstation":
			d.short = "ws-" + pad(n, 4)
		case "mac":
			d.short = "mac-" + pad(n, 4)
		case "dc":
			d.short = "srv-dc" + pad(n, 2)
		case "file":
			d.short = "srv-fs" + pad(n, 2)
		case "sql":
			d.short = "srv-sql" + pad(n, 2)
		case "web":
			d.short = "srv-web" + pad(n, 2)
		case "linux-web":
			d.short = "lnx-web-" + pad(n, 3)
		case "k8s":
			d.short = "aks-node-" + pad(n, 3)
		}
		d.name = d.short + "." + adDomain
		d.id = r.hexString(40)
		d.aadID = r.guid()
		d.vmID = r.guid()
		d.serial = strings.ToUpper(r.hexString(10))
		d.ip = internalSubnet + itoa(10+i/250) + "." + itoa(10+i%240)
		d.gateway = internalSubnet + itoa(10+i/250) + ".1"
		d.ipv6 = "fe80::" + r.hexString(4) + ":" + r.hexString(4) + ":" + r.hexString(4) + ":" + r.hexString(4)
		d.mac = r.mac("00-15-5D", '-')
		d.publicIP = pick(r, officeEgress)
		d.onboarding = "Onboarded"
		d.sensorHealth = "Active"
		d.exposure = pick(r, []string{"Low", "Low", "Medium", "Medium", "High", "None"})
		d.assetValue = "Normal"
		d.boot = w.start.Add(-time.Duration(r.between(1, 20*24)) * time.Hour)
		d.nextPID = int64(1000 + r.n(3000))
		switch role.os {
		case osWindows:
			if role.server {
				d.platform = pick(r, []string{"WindowsServer2019", "WindowsServer2022", "WindowsServer2022"})
				d.osVersion = "10.0"
				d.osBuild = map[string]int64{"WindowsServer2019": 17763, "WindowsServer2022": 20348}[d.platform]
				d.osVerInfo = map[string]string{"WindowsServer2019": "1809", "WindowsServer2022": "21H2"}[d.platform]
				d.group = "Servers"
				d.model = "Virtual Machine"
				d.vendor = "Microsoft Corporation"
				d.assetValue = "High"
				d.weight = 1.6
			} else {
				d.platform = pick(r, []string{"Windows11", "Windows11", "Windows11", "Windows10"})
				d.osVersion = "10.0"
				if d.platform == "Windows11" {
					d.osBuild = pick(r, []int64{22631, 22631, 26100})
					d.osVerInfo = map[int64]string{22631: "23H2", 26100: "24H2"}[d.osBuild]
				} else {
					d.osBuild, d.osVerInfo = 19045, "22H2"
				}
				d.group = "Workstations"
				d.model = pick(r, []string{"Latitude 7440", "Latitude 5540", "ThinkPad T14 Gen 4", "EliteBook 840 G10", "Surface Laptop 5"})
				d.vendor = map[string]string{"Latitude 7440": "Dell Inc.", "Latitude 5540": "Dell Inc.", "ThinkPad T14 Gen 4": "LENOVO", "EliteBook 840 G10": "HP", "Surface Laptop 5": "Microsoft Corporation"}[d.model]
			}
			d.clientVer = "10.8760." + itoa(int(d.osBuild)) + "." + itoa(1000+r.n(100))
		case osLinux:
			d.platform = "Linux"
			d.osDistro = pick(r, []string{"Ubuntu", "Ubuntu", "RedHatEnterpriseLinux"})
			if d.osDistro == "Ubuntu" {
				d.osVersion, d.osVerInfo = "22.04", "22.04.4 LTS"
			} else {
				d.osVersion, d.osVerInfo = "9.4", "9.4"
			}
			d.group = "Linux Servers"
			d.model = "Virtual Machine"
			d.vendor = "Microsoft Corporation"
			d.clientVer = "101.24082.0004"
			d.weight = 1.2
		case osMac:
			d.platform = "macOS"
			d.osVersion, d.osVerInfo = "14.6", "Sonoma"
			d.osDistro = "macOS"
			d.group = "Workstations"
			d.model = "MacBookPro18,3"
			d.vendor = "Apple Inc."
			d.clientVer = "101.24072.0001"
			d.arch = "64-bit"
		}
		if !role.server {
			d.primary = w.users[i%len(w.users)]
		}
		w.devices = append(w.devices, d)
		if d.os == osWindows {
			w.windows = append(w.windows, d)
		}
		if d.os == osLinux {
			w.linux = append(w.linux, d)
		}
		if d.server {
			w.servers = append(w.servers, d)
		}
		if d.role == "dc" {
			w.dcs = append(w.dcs, d)
		}
	}
	// A few devices with sensor trouble, as in real fleets.
	for i := 0; i < len(w.devices)/25; i++ {
		d := w.devices[r.n(len(w.devices))]
		d.sensorHealth = pick(r, []string{"Inactive", "Impaired communications", "No sensor data", "Misconfigured"})
	}
	w.byIP = map[string]*device{}
	for _, d := range w.devices {
		w.byIP[d.ip] = d
	}
	w.devPick = newWeighted(w.devices, func(d *device) float64 { return d.weight })
}

// randomUser picks a person, rarely an admin account.
func (g *gen) randomUser() *user {
	if len(g.w.admins) > 0 && g.r.chance(0.05) {
		return pick(g.r, g.w.admins)
	}
	return pick(g.r, g.w.users)
}

// internalIP returns a random address of the internal network.
func (g *gen) internalIP() string {
	return pick(g.r, g.w.devices).ip
}

// publicIP returns a benign public address.
func (g *gen) publicIP() string { return pick(g.r, benignRemotes) }

// ipType classifies an address as Defender's LocalIPType/RemoteIPType do.
func ipType(ip string) string {
	switch {
	case strings.HasPrefix(ip, "127.") || ip == "::1":
		return "Loopback"
	case strings.HasPrefix(ip, "10.") || strings.HasPrefix(ip, "192.168.") || strings.HasPrefix(ip, "172.16.") || strings.HasPrefix(ip, "fe80:"):
		return "Private"
	case strings.HasPrefix(ip, "255.") || strings.HasSuffix(ip, ".255"):
		return "Broadcast"
	case strings.HasPrefix(ip, "224.") || strings.HasPrefix(ip, "239.") || strings.HasPrefix(ip, "0."):
		return "Reserved"
	case strings.HasPrefix(ip, "::ffff:"):
		return "FourToSixMapping"
	case strings.HasPrefix(ip, "2001:0:"):
		return "Teredo"
	}
	return "Public"
}
