package sampledata

import (
	"encoding/json"
	"strings"
	"time"
)

// table writes n rows of table: fill prepares each row's event (its time
// is set beforehand, spread over the window in order), own defines the
// table's own columns. A table the workspace lacks is skipped.
func (g *gen) table(name string, n int, own map[string]colDef, sparse float64, fill func(i int, e *ev)) error {
	o, err := g.out(name, own, sparse)
	if err != nil || o == nil {
		return err
	}
	for i := 0; i < n; i++ {
		e := &o.e
		*e = ev{table: name, t: g.timeAt((float64(i) + g.r.f()) / float64(n))}
		fill(i, e)
		if err := o.emit(e); err != nil {
			return err
		}
	}
	return g.finish(name)
}

// snapshots calls f for every device at a regular interval over the window
// (inventory tables report a few times a day).
func (g *gen) snapshots(every time.Duration, f func(d *device, t time.Time) error) error {
	for t := g.w.start.Add(every / 3); t.Before(g.w.now); t = t.Add(every) {
		for _, d := range g.w.devices {
			if err := f(d, t.Add(time.Duration(d.idx*37%int(every/time.Second))*time.Second)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *gen) genDeviceInventory() error {
	var d *device
	r := g.r
	every := 8 * time.Hour
	if g.opts.Rows < 2000 {
		every = 24 * time.Hour
	}
	// DeviceInfo.
	info := map[string]colDef{
		"ClientVersion":     str(func(*ev) string { return d.clientVer }),
		"PublicIP":          str(func(*ev) string { return d.publicIP }),
		"OSArchitecture":    str(func(*ev) string { return d.arch }),
		"OSBuild":           lng(func(*ev) int64 { return d.osBuild }),
		"OSVersion":         str(func(*ev) string { return d.osVersion }),
		"OSVersionInfo":     str(func(*ev) string { return d.osVerInfo }),
		"OSDistribution":    str(func(*ev) string { return d.osDistro }),
		"IsAzureADJoined":   bl(func(*ev) bool { return d.os == osWindows && !d.server }),
		"JoinType":          str(func(*ev) string { return joinType(d) }),
		"AadDeviceId":       str(func(*ev) string { return d.aadID }),
		"DeviceObjectId":    str(func(*ev) string { return d.aadID }),
		"LoggedOnUsers":     dyn(func(*ev) json.RawMessage { return loggedOn(d, g) }),
		"RegistryDeviceTag": str(func(*ev) string { return map[bool]string{true: "Tier1", false: ""}[d.server] }),
		"OnboardingStatus":  str(func(*ev) string { return d.onboarding }),
		"DeviceCategory":    constStr("Endpoint"),
		"DeviceType":        str(func(*ev) string { return map[bool]string{true: "Server", false: "Workstation"}[d.server] }),
		"DeviceSubtype":     constStr(""),
		"Model":             str(func(*ev) string { return d.model }),
		"Vendor":            str(func(*ev) string { return d.vendor }),
		"MergedDeviceIds":   constStr(""),
		"MergedToDeviceId":  constStr(""),
		"IsInternetFacing":  bl(func(*ev) bool { return d.role == "web" || d.role == "linux-web" }),
		"SensorHealthState": str(func(*ev) string { return d.sensorHealth }),
		"IsExcluded":        bl(func(*ev) bool { return false }),
		"ExclusionReason":   constStr(""),
		"ExposureLevel":     str(func(*ev) string { return d.exposure }),
		"AssetValue":        str(func(*ev) string { return d.assetValue }),
		"DeviceManualTags":  str(func(*ev) string { return map[bool]string{true: `["Production"]`, false: "[]"}[d.server] }),
		"DeviceDynamicTags": str(func(*ev) string { return `["` + d.group + `"]` }),
		"ConnectivityType":  constStr("Standard"),
		"HostDeviceId":      constStr(""),
		"AzureResourceId": str(func(*ev) string {
			if d.server {
				return "/subscriptions/" + subscriptionID + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.Compute/virtualMachines/" + d.short
			}
			return ""
		}),
		"AwsResourceName":       constStr(""),
		"GcpFullResourceName":   constStr(""),
		"HardwareUuid":          str(func(*ev) string { return d.vmID }),
		"CloudPlatforms":        str(func(*ev) string { return map[bool]string{true: `["Azure"]`, false: ""}[d.server] }),
		"AzureVmId":             str(func(*ev) string { return map[bool]string{true: d.vmID, false: ""}[d.server] }),
		"AzureVmSubscriptionId": str(func(*ev) string { return map[bool]string{true: subscriptionID, false: ""}[d.server] }),
		"IsTransient":           bl(func(*ev) bool { return false }),
		"OsBuildRevision":       str(func(*ev) string { return itoa(3000 + d.idx%900) }),
		"MitigationStatus":      constStr(""),
		"Site":                  constStr(""),
		"DiscoverySources":      constStr(`["MDE"]`),
		"AdditionalFields":      dyn(func(*ev) json.RawMessage { return emptyObject }),
	}
	o, err := g.out("DeviceInfo", info, 0)
	if err != nil {
		return err
	}
	if o != nil {
		if err := g.snapshots(every, func(dev *device, t time.Time) error {
			d = dev
			e := &o.e
			*e = ev{table: "DeviceInfo", t: t, dev: dev}
			return o.emit(e)
		}); err != nil {
			return err
		}
		if err := g.finish("DeviceInfo"); err != nil {
			return err
		}
	}
	// DeviceNetworkInfo: one row per adapter per snapshot.
	var adapter int
	net := map[string]colDef{
		"NetworkAdapterName":   str(func(*ev) string { return []string{"Ethernet", "Wi-Fi", "vEthernet (Default Switch)"}[adapter] }),
		"MacAddress":           str(func(*ev) string { return d.mac }),
		"NetworkAdapterType":   str(func(*ev) string { return []string{"Ethernet", "Wireless80211", "Ethernet"}[adapter] }),
		"NetworkAdapterStatus": str(func(*ev) string { return []string{"Up", "Up", "Down"}[adapter] }),
		"TunnelType":           constStr("None"),
		"ConnectedNetworks": dyn(func(*ev) json.RawMessage {
			return json.RawMessage(`[{"Name":"contoso.local","Description":"contoso.local","IsConnectedToInternet":true,"Category":"Domain"}]`)
		}),
		"DnsAddresses": dyn(func(*ev) json.RawMessage { return json.RawMessage(`["` + g.domainController().ip + `"]`) }),
		"IPv4Dhcp":     str(func(*ev) string { return g.domainController().ip }),
		"IPv6Dhcp":     constStr(""),
		"DefaultGateways": dyn(func(*ev) json.RawMessage {
			return json.RawMessage(`["` + d.gateway + `"]`)
		}),
		"IPAddresses": dyn(func(*ev) json.RawMessage {
			return json.RawMessage(`[{"IPAddress":"` + d.ip + `","SubnetPrefix":24,"AddressType":"Private"},{"IPAddress":"` + d.ipv6 + `","SubnetPrefix":64,"AddressType":"Private"}]`)
		}),
		"NetworkAdapterVendor":    str(func(*ev) string { return []string{"Intel Corporation", "Intel Corporation", "Microsoft"}[adapter] }),
		"OnboardingStatus":        str(func(*ev) string { return d.onboarding }),
		"NetworkAdapterDnsSuffix": constStr(adDomain),
	}
	if o, err = g.out("DeviceNetworkInfo", net, 0); err != nil {
		return err
	}
	if o != nil {
		if err := g.snapshots(every, func(dev *device, t time.Time) error {
			d = dev
			n := 1
			if !dev.server && dev.os == osWindows {
				n = 2
			}
			for adapter = 0; adapter < n; adapter++ {
				e := &o.e
				*e = ev{table: "DeviceNetworkInfo", t: t, dev: dev}
				if err := o.emit(e); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := g.finish("DeviceNetworkInfo"); err != nil {
			return err
		}
	}
	// Certificates of the binaries seen on each device.
	var b *binary
	cert := map[string]colDef{
		"SHA1":     str(func(*ev) string { return b.sha1 }),
		"IsSigned": bl(func(*ev) bool { return b.sigStatus == "Valid" }),
		"SignatureType": str(func(*ev) string {
			return map[bool]string{true: "Embedded", false: "Catalog"}[b.company != msCo]
		}),
		"Signer":                          str(func(*ev) string { return signerOf(b) }),
		"SignerHash":                      str(func(*ev) string { return b.sha1[:40] }),
		"Issuer":                          str(func(*ev) string { return issuerOf(b) }),
		"IssuerHash":                      str(func(*ev) string { return b.md5 + b.md5[:8] }),
		"CertificateSerialNumber":         str(func(*ev) string { return strings.ToUpper(b.md5[:32]) }),
		"CrlDistributionPointUrls":        constStr(`["http://www.microsoft.com/pkiops/crl/MicCodSigPCA2011_2011-07-08.crl"]`),
		"CertificateCreationTime":         dt(func(e *ev) time.Time { return e.t.AddDate(-1, -2, 0) }),
		"CertificateExpirationTime":       dt(func(e *ev) time.Time { return e.t.AddDate(1, 3, 0) }),
		"CertificateCountersignatureTime": dt(func(e *ev) time.Time { return e.t.AddDate(0, -5, 0) }),
		"IsTrusted":                       bl(func(*ev) bool { return b.sigStatus == "Valid" }),
		"IsRootSignerMicrosoft":           bl(func(*ev) bool { return b.company == msCo }),
	}
	winBins := []*binary{}
	for _, bb := range g.bins.list {
		if bb.os == osWindows {
			winBins = append(winBins, bb)
		}
	}
	if err := g.table("DeviceFileCertificateInfo", g.scaled(150, 60), cert, 0, func(i int, e *ev) {
		e.dev = pick(r, g.w.windows)
		b = pick(r, winBins)
	}); err != nil {
		return err
	}
	return g.genTvm()
}

func joinType(d *device) string {
	switch {
	case d.os != osWindows:
		return ""
	case d.server:
		return "Domain Joined"
	}
	return "Hybrid Azure AD Join"
}

func loggedOn(d *device, g *gen) json.RawMessage {
	u := g.interactiveUser(d)
	b, _ := json.Marshal([]map[string]string{{"UserName": u.sam, "DomainName": strings.ToUpper(netbiosDomain), "Sid": u.sid}})
	return b
}

func signerOf(b *binary) string {
	switch {
	case b.company == msCo:
		return "Microsoft Windows"
	case b.company == "":
		return ""
	}
	return b.company
}

func issuerOf(b *binary) string {
	switch {
	case b.company == msCo:
		return "Microsoft Windows Production PCA 2011"
	case b.company == "":
		return ""
	}
	return "DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1"
}

type software struct {
	vendor, name, version, cve, sev, cpe string
	cvss                                 float64
}

var softwareList = []software{
	{"google", "chrome", "131.0.6778.86", "CVE-2024-12053", "High", "cpe:2.3:a:google:chrome:131.0.6778.86:*:*:*:*:*:*:*", 8.8},
	{"microsoft", "edge_chromium-based", "131.0.2903.70", "CVE-2024-49041", "Medium", "cpe:2.3:a:microsoft:edge_chromium-based:131.0.2903.70:*:*:*:*:*:*:*", 4.3},
	{"microsoft", "office", "16.0.17928.20216", "CVE-2024-49069", "High", "cpe:2.3:a:microsoft:office:16.0.17928.20216:*:*:*:*:*:*:*", 7.8},
	{"adobe", "acrobat", "24.4.20220.0", "CVE-2024-49530", "Critical", "cpe:2.3:a:adobe:acrobat:24.4.20220.0:*:*:*:*:*:*:*", 9.8},
	{"7-zip", "7-zip", "23.01", "CVE-2024-11477", "High", "cpe:2.3:a:7-zip:7-zip:23.01:*:*:*:*:*:*:*", 7.8},
	{"microsoft", "windows_11", "10.0.22631.4460", "CVE-2024-43451", "Medium", "cpe:2.3:o:microsoft:windows_11:10.0.22631.4460:*:*:*:*:*:*:*", 6.5},
	{"openssl", "openssl", "3.0.2", "CVE-2024-5535", "Medium", "cpe:2.3:a:openssl:openssl:3.0.2:*:*:*:*:*:*:*", 5.9},
	{"openbsd", "openssh", "8.9p1", "CVE-2024-6387", "High", "cpe:2.3:a:openbsd:openssh:8.9p1:*:*:*:*:*:*:*", 8.1},
	{"zoom", "zoom", "6.1.5", "CVE-2024-45421", "Critical", "cpe:2.3:a:zoom:zoom:6.1.5:*:*:*:*:*:*:*", 9.8},
	{"oracle", "jdk", "17.0.12", "CVE-2024-21147", "High", "cpe:2.3:a:oracle:jdk:17.0.12:*:*:*:*:*:*:*", 7.4},
}

var configs = []struct{ id, name, cat, sub string }{
	{"scid-2010", "Turn on Microsoft Defender Antivirus", "Security controls", "Antivirus"},
	{"scid-2011", "Update Microsoft Defender Antivirus definitions", "Security controls", "Antivirus"},
	{"scid-91", "Set 'Minimum password length' to '14 or more characters'", "Accounts", "Password Policy"},
	{"scid-3001", "Disable SMBv1 server", "Network", "SMB"},
	{"scid-4002", "Enable BitLocker on the OS drive", "OS", "Encryption"},
	{"scid-2090", "Enable 'Block credential stealing from lsass.exe' ASR rule", "Security controls", "Attack Surface Reduction"},
	{"scid-5001", "Disable 'Anonymous enumeration of SAM accounts and shares'", "Accounts", "Security Options"},
	{"scid-6110", "Ensure SSH root login is disabled", "OS", "SSH"},
}

func (g *gen) genTvm() error {
	r := g.r
	var sw software
	var cfg = configs[0]
	swCols := map[string]colDef{
		"OSVersion":                   str(func(e *ev) string { return e.dev.osVersion }),
		"OSArchitecture":              str(func(e *ev) string { return e.dev.arch }),
		"SoftwareVendor":              str(func(*ev) string { return sw.vendor }),
		"SoftwareName":                str(func(*ev) string { return sw.name }),
		"SoftwareVersion":             str(func(*ev) string { return sw.version }),
		"CveId":                       str(func(*ev) string { return sw.cve }),
		"VulnerabilitySeverityLevel":  str(func(*ev) string { return sw.sev }),
		"RecommendedSecurityUpdate":   str(func(*ev) string { return "Update " + sw.name + " to the latest version" }),
		"RecommendedSecurityUpdateId": str(func(*ev) string { return sw.cve[4:] }),
		"CveTags":                     dyn(func(*ev) json.RawMessage { return json.RawMessage(`["ExploitVerified"]`) }),
		"EndOfSupportStatus":          constStr(""),
		"ProductCodeCpe":              str(func(*ev) string { return sw.cpe }),
		"CvssScore":                   rl(func(*ev) float64 { return sw.cvss }),
		"IsExploitAvailable":          bl(func(*ev) bool { return sw.cvss > 8 }),
		"VulnerabilityDescription": str(func(*ev) string {
			return "A vulnerability in " + sw.name + " " + sw.version + " allows remote code execution."
		}),
		"AffectedSoftware":         dyn(func(*ev) json.RawMessage { return json.RawMessage(`["` + sw.vendor + `:` + sw.name + `"]`) }),
		"ConfigurationId":          str(func(*ev) string { return cfg.id }),
		"ConfigurationName":        str(func(*ev) string { return cfg.name }),
		"ConfigurationCategory":    str(func(*ev) string { return cfg.cat }),
		"ConfigurationSubcategory": str(func(*ev) string { return cfg.sub }),
		"ConfigurationImpact":      rl(func(*ev) float64 { return 5 + float64(len(cfg.name)%5) }),
		"IsCompliant":              bl(func(*ev) bool { return r.chance(0.7) }),
		"IsApplicable":             bl(func(*ev) bool { return true }),
		"Context":                  dyn(func(*ev) json.RawMessage { return json.RawMessage(`[["","","",null]]`) }),
		"IsExpectedUserImpact":     bl(func(*ev) bool { return false }),
		"ConfigurationDescription": str(func(*ev) string { return cfg.name + "." }),
		"RiskDescription":          str(func(*ev) string { return "Devices without this setting are more exposed to attacks." }),
		"ConfigurationBenchmarks": dyn(func(*ev) json.RawMessage {
			return json.RawMessage(`[{"BenchmarkName":"CIS","BenchmarkVersion":"1.12.0"}]`)
		}),
		"RemediationOptions": str(func(*ev) string { return "Configure the setting through Group Policy or Intune." }),
	}
	perDevice := func(i int, e *ev) {
		e.dev = pick(r, g.w.devices)
		sw = pick(r, softwareList)
		cfg = configs[r.n(len(configs))]
	}
	for _, name := range []string{"DeviceTvmSoftwareVulnerabilities", "DeviceTvmSoftwareInventory", "DeviceTvmSecureConfigurationAssessment"} {
		if err := g.table(name, g.scaled(150, 60), swCols, 0, perDevice); err != nil {
			return err
		}
	}
	if err := g.table("DeviceTvmSoftwareVulnerabilitiesKB", len(softwareList), swCols, 0, func(i int, e *ev) { sw = softwareList[i] }); err != nil {
		return err
	}
	return g.table("DeviceTvmSecureConfigurationAssessmentKB", len(configs), swCols, 0, func(i int, e *ev) { cfg = configs[i] })
}
