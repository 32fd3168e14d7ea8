package connector

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/goshawk-sec/goshawk/alerts"
)

// endpointAlert is one alert as the sensor stored it: its AlertInfo row,
// its AlertEvidence rows and the device's latest DeviceInfo row.
type endpointAlert struct {
	info     map[string]any
	evidence []map[string]any
	device   map[string]any
}

// alertNamespace makes SystemAlertId a name-based UUID of the device and
// the sensor's alert id, so the same alert always maps to the same id.
var alertNamespace = uuid.MustParse("6f3c2b1e-8d4a-5b7c-9e0f-1a2b3c4d5e6f")

func str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case nil:
		return ""
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}

// dyn decodes a dynamic cell into a JSON object (nil when it is not one).
func dyn(m map[string]any, k string) map[string]any {
	switch v := m[k].(type) {
	case map[string]any:
		return v
	case json.RawMessage:
		var o map[string]any
		if json.Unmarshal(v, &o) == nil {
			return o
		}
	case string:
		var o map[string]any
		if json.Unmarshal([]byte(v), &o) == nil {
			return o
		}
	}
	return nil
}

func (a *endpointAlert) deviceID() string {
	for _, ev := range a.evidence {
		if id := str(ev, "DeviceId"); id != "" {
			return id
		}
	}
	return ""
}

func (a *endpointAlert) deviceName() string {
	if n := str(a.device, "DeviceName"); n != "" {
		return n
	}
	for _, ev := range a.evidence {
		if n := str(ev, "DeviceName"); n != "" {
			return n
		}
	}
	return ""
}

// techniqueID finds the ATT&CK id in Defender's "Name (T1204.002)" form.
var techniqueID = regexp.MustCompile(`\b(T\d{4})(\.\d{3})?\b`)

// techniqueTactics maps the techniques the sensor reports to their
// ATT&CK tactics.
var techniqueTactics = map[string][]string{
	"T1105": {"CommandAndControl"},
	"T1071": {"CommandAndControl"},
	"T1204": {"Execution"},
	"T1059": {"Execution"},
	"T1036": {"DefenseEvasion"},
	"T1027": {"DefenseEvasion"},
	"T1486": {"Impact"},
	"T1003": {"CredentialAccess"},
	"T1053": {"Persistence", "Execution", "PrivilegeEscalation"},
	"T1543": {"Persistence", "PrivilegeEscalation"},
	"T1021": {"LateralMovement"},
	"T1078": {"DefenseEvasion", "Persistence", "PrivilegeEscalation", "InitialAccess"},
}

// categoryTactic maps Defender alert categories that are ATT&CK tactics.
var categoryTactic = map[string]string{
	"InitialAccess": "InitialAccess", "Execution": "Execution", "Persistence": "Persistence",
	"PrivilegeEscalation": "PrivilegeEscalation", "DefenseEvasion": "DefenseEvasion",
	"CredentialAccess": "CredentialAccess", "Discovery": "Discovery", "LateralMovement": "LateralMovement",
	"Collection": "Collection", "CommandAndControl": "CommandAndControl", "Exfiltration": "Exfiltration",
	"Impact": "Impact",
}

// attack returns the tactics, techniques and sub-techniques of the alert.
func (a *endpointAlert) attack() (tactics, techniques, subs []string) {
	var list []string
	if err := json.Unmarshal([]byte(str(a.info, "AttackTechniques")), &list); err != nil {
		list = []string{str(a.info, "AttackTechniques")}
	}
	add := func(s *[]string, v string) {
		if v != "" && !slices.Contains(*s, v) {
			*s = append(*s, v)
		}
	}
	for _, t := range list {
		for _, m := range techniqueID.FindAllStringSubmatch(t, -1) {
			add(&techniques, m[1])
			if m[2] != "" {
				add(&subs, m[1]+m[2])
			}
			for _, tac := range techniqueTactics[m[1]] {
				add(&tactics, tac)
			}
		}
	}
	if tac, ok := categoryTactic[str(a.info, "Category")]; ok {
		add(&tactics, tac)
	}
	return tactics, techniques, subs
}

// securityAlert maps the alert as Sentinel's Defender connector maps
// Defender's alerts: names, severity, ATT&CK, times, the device as the
// compromised entity, and the evidence as Sentinel entities.
func (a *endpointAlert) securityAlert(now time.Time) alerts.Alert {
	id := str(a.info, "AlertId")
	devID := a.deviceID()
	devName := a.deviceName()
	source := str(a.info, "DetectionSource")
	tactics, techniques, subs := a.attack()
	al := alerts.Alert{
		SystemAlertID:        uuid.NewSHA1(alertNamespace, []byte(devID+"/"+id)).String(),
		VendorOriginalID:     id,
		Name:                 str(a.info, "Title"),
		Severity:             str(a.info, "Severity"),
		ProductName:          ProductName,
		ProductComponentName: source,
		ProviderName:         ProductName,
		VendorName:           "Goshawk",
		AlertType:            strings.ReplaceAll(source, " ", ""),
		Status:               alerts.StatusNew,
		Tactics:              tactics,
		Techniques:           techniques,
		SubTechniques:        subs,
		TimeGenerated:        now,
		CompromisedEntity:    devName,
		ResourceID:           devID,
		SourceComputerID:     devID,
		ConfidenceLevel:      "High",
		ExtendedProperties: map[string]string{
			"Category":        str(a.info, "Category"),
			"DetectionSource": source,
			"ServiceSource":   str(a.info, "ServiceSource"),
			"DeviceId":        devID,
		},
	}
	if al.Severity == "" {
		al.Severity = alerts.SeverityMedium
	}
	start, end := a.timeSpan()
	al.StartTime, al.EndTime = start, end

	host := a.hostEntity(&al.Entities, devID, devName)
	var subject []string
	for _, ev := range a.evidence {
		switch str(ev, "EntityType") {
		case "File":
			a.fileEntity(&al.Entities, ev, host)
			if add := dyn(ev, "AdditionalFields"); add != nil {
				if tn, _ := add["ThreatName"].(string); tn != "" {
					al.ExtendedProperties["ThreatName"] = tn
				}
			}
			if tf := str(ev, "ThreatFamily"); tf != "" {
				al.ExtendedProperties["ThreatFamily"] = tf
			}
			subject = append(subject, "file "+str(ev, "FolderPath"))
		case "Process":
			a.processEntity(&al.Entities, ev, host)
			if cl := str(ev, "ProcessCommandLine"); cl != "" {
				subject = append(subject, "process "+strconv.Quote(cl))
			}
		case "User":
			al.Entities.Add(alerts.TypeAccount, map[string]any{"Name": str(ev, "AccountName"), "NTDomain": str(ev, "AccountDomain"),
				"Sid": str(ev, "AccountSid"), "Host": host})
		case "Ip":
			al.Entities.Add(alerts.TypeIP, map[string]any{"Address": str(ev, "RemoteIP")})
			subject = append(subject, "address "+str(ev, "RemoteIP"))
		case "Url":
			al.Entities.Add(alerts.TypeURL, map[string]any{"Url": str(ev, "RemoteUrl")})
		}
	}
	al.Description = a.description(devName, subject)
	al.RemediationSteps = a.remediation()
	return al
}

// timeSpan is the first and last evidence time (the alert's time when
// there is none).
func (a *endpointAlert) timeSpan() (start, end time.Time) {
	for _, ev := range append([]map[string]any{a.info}, a.evidence...) {
		t, ok := ev["Timestamp"].(time.Time)
		if !ok || t.IsZero() {
			continue
		}
		if start.IsZero() || t.Before(start) {
			start = t
		}
		if t.After(end) {
			end = t
		}
	}
	return start, end
}

// hostEntity adds the device: its short name and DNS domain, OS, and its
// device id (as MdatpDeviceId, the property Sentinel queries read for
// Defender's device id).
func (a *endpointAlert) hostEntity(es *alerts.Entities, devID, name string) alerts.Ref {
	host, domain, _ := strings.Cut(name, ".")
	osFamily := str(a.device, "OSPlatform")
	if osFamily == "" {
		osFamily = "Linux"
	}
	return es.Add(alerts.TypeHost, map[string]any{
		"HostName":      host,
		"DnsDomain":     domain,
		"FQDN":          name,
		"OSFamily":      osFamily,
		"OSVersion":     strings.TrimSpace(str(a.device, "OSDistribution") + " " + str(a.device, "OSVersion")),
		"MdatpDeviceId": devID,
	})
}

// fileEntity adds a file with its hashes.
func (a *endpointAlert) fileEntity(es *alerts.Entities, ev map[string]any, host alerts.Ref) alerts.Ref {
	var hashes []alerts.Ref
	add := dyn(ev, "AdditionalFields")
	md5, _ := add["MD5"].(string)
	for _, h := range [][2]string{{"SHA1", str(ev, "SHA1")}, {"SHA256", str(ev, "SHA256")}, {"MD5", md5}} {
		if h[1] != "" {
			hashes = append(hashes, es.Add(alerts.TypeFileHash, map[string]any{"Algorithm": h[0], "Value": h[1]}))
		}
	}
	full := str(ev, "FolderPath")
	name := str(ev, "FileName")
	dir := path.Dir(full)
	if name == "" {
		name = path.Base(full)
	}
	if full == "" {
		dir = ""
	}
	return es.Add(alerts.TypeFile, map[string]any{"Name": name, "Directory": dir, "FileHashes": hashes, "Host": host})
}

// processEntity adds a process, its image file and its account.
func (a *endpointAlert) processEntity(es *alerts.Entities, ev map[string]any, host alerts.Ref) alerts.Ref {
	image := a.fileEntity(es, ev, host)
	var account alerts.Ref
	if n := str(ev, "AccountName"); n != "" {
		account = es.Add(alerts.TypeAccount, map[string]any{"Name": n, "NTDomain": str(ev, "AccountDomain"), "Sid": str(ev, "AccountSid"), "Host": host})
	}
	props := map[string]any{"CommandLine": str(ev, "ProcessCommandLine"), "ImageFile": image, "Account": account, "Host": host}
	if add := dyn(ev, "AdditionalFields"); add != nil {
		if pid, ok := add["ProcessId"].(float64); ok && pid > 0 {
			props["ProcessId"] = strconv.FormatInt(int64(pid), 10)
		}
		if ct, _ := add["CreationTime"].(string); ct != "" {
			props["CreationTimeUtc"] = ct
		}
	}
	return es.Add(alerts.TypeProcess, props)
}

func (a *endpointAlert) description(device string, subject []string) string {
	title := str(a.info, "Title")
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s", title, device)
	if len(subject) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(subject, ", "))
	}
	b.WriteString(".")
	if str(a.info, "ThreatFamily") == "EICAR_Test_File" || strings.Contains(strings.ToUpper(title), "EICAR") {
		b.WriteString(" The EICAR file is a harmless test file used to check that detection works end to end.")
	}
	return b.String()
}

func (a *endpointAlert) remediation() []string {
	title := strings.ToUpper(str(a.info, "Title"))
	switch {
	case strings.Contains(title, "EICAR"):
		return []string{"No action is needed: the EICAR file is a harmless test file and the sensor quarantined it."}
	case str(a.info, "Category") == "CommandAndControl":
		return []string{"Find the process that made the connection on the device's timeline.",
			"If it is not expected, stop it (kill_process) and isolate the device while you investigate.",
			"Keep the indicator in force, or set its action to Block."}
	}
	return []string{"Review the file and the process that wrote it on the device's timeline.",
		"If the file is malicious, keep it quarantined and run a full scan of the device; otherwise restore it from quarantine.",
		"Isolate the device if other suspicious activity follows."}
}
