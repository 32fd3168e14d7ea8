package detect

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// Column values of the alerts this package raises. ServiceSource is the
// product name Defender's AlertInfo uses for endpoint alerts; the
// detection sources are Defender's for antivirus detections and for custom
// indicators (its "Custom TI").
const (
	ServiceSource            = "Microsoft Defender for Endpoint"
	DetectionSourceAntivirus = "Antivirus"
	DetectionSourceCustomTI  = "Custom TI"
	CategoryMalware          = "Malware"
	// EICARSeverity is Informational: Defender raises the test file as an
	// informational alert, not as a threat.
	EICARSeverity = "Informational"
	EICARTitle    = "EICAR test file detected"
)

// eicarTechniques is the MITRE ATT&CK mapping of a malicious file
// dropped on the device: it arrived from outside (Ingress Tool Transfer)
// to be run by a user (User Execution).
var eicarTechniques = []string{"Ingress Tool Transfer (T1105)", "User Execution: Malicious File (T1204.002)"}

// newAlertID returns a Defender-style AlertId ("da" + ticks + "_" +
// random).
func newAlertID(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("da%d_%d", now.UnixNano()/100, int32(binary.BigEndian.Uint32(b[:])))
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (det *Detection) alertFields() (title, severity, source, techniques string) {
	if det.Indicator != nil {
		title = det.Indicator.Title
		if title == "" {
			title = "Custom indicator matched: " + det.Indicator.Type + " " + det.Indicator.Value
		}
		severity = det.Indicator.Severity
		if severity == "" {
			severity = "Medium"
		}
		return title, severity, DetectionSourceCustomTI, "[]"
	}
	return EICARTitle, EICARSeverity, DetectionSourceAntivirus, jsonString(eicarTechniques)
}

// alertHeader is what an alert's AlertInfo row and each of its
// AlertEvidence rows share.
type alertHeader struct {
	ID, Title, Category, Severity, Source string
	Techniques                            string // JSON array
	Time                                  time.Time
}

// info is the AlertInfo row.
func (a alertHeader) info() agentproto.Event {
	return agentproto.Event{Table: "AlertInfo", Row: map[string]any{
		"Timestamp":        a.Time.Format(time.RFC3339Nano),
		"AlertId":          a.ID,
		"Title":            a.Title,
		"Category":         a.Category,
		"Severity":         a.Severity,
		"ServiceSource":    ServiceSource,
		"DetectionSource":  a.Source,
		"AttackTechniques": a.Techniques,
	}}
}

// evidence starts an AlertEvidence row for an entity.
func (a alertHeader) evidence(entity, role string) map[string]any {
	return map[string]any{
		"Timestamp":        a.Time.Format(time.RFC3339Nano),
		"AlertId":          a.ID,
		"Title":            a.Title,
		"Categories":       jsonString([]string{a.Category}),
		"AttackTechniques": a.Techniques,
		"ServiceSource":    ServiceSource,
		"DetectionSource":  a.Source,
		"Severity":         a.Severity,
		"EntityType":       entity,
		"EvidenceRole":     role,
	}
}

// processEvidence returns the process's evidence row and its user's,
// none when the process is unknown.
func (a alertHeader) processEvidence(p sensor.Process) []agentproto.Event {
	if p.PID == 0 && p.Path == "" {
		return nil
	}
	proc := a.evidence("Process", "Related")
	proc["FileName"] = p.Name
	proc["FolderPath"] = p.Path
	proc["SHA1"] = p.SHA1
	proc["SHA256"] = p.SHA256
	proc["ProcessCommandLine"] = p.CommandLine
	proc["AccountName"] = p.AccountName
	proc["AdditionalFields"] = map[string]any{"ProcessId": p.PID, "ParentProcessId": p.ParentPID, "CreationTime": creationTime(p)}
	evs := []agentproto.Event{{Table: "AlertEvidence", Row: proc}}
	if p.AccountName != "" {
		user := a.evidence("User", "Related")
		user["AccountName"] = p.AccountName
		user["AdditionalFields"] = map[string]any{"UserId": p.AccountUID}
		evs = append(evs, agentproto.Event{Table: "AlertEvidence", Row: user})
	}
	return evs
}

// alertEvents returns the AlertInfo row and the AlertEvidence rows (file,
// process, device, and the account when known) of a detection. DeviceId
// and DeviceName are filled by the agent and the server; AdditionalFields
// is a dynamic column and goes as a JSON object.
func alertEvents(det *Detection, now time.Time) []agentproto.Event {
	title, severity, source, techniques := det.alertFields()
	a := alertHeader{ID: det.AlertID, Title: title, Category: CategoryMalware, Severity: severity,
		Source: source, Techniques: techniques, Time: now}
	evs := []agentproto.Event{a.info()}
	file := a.evidence("File", "Impacted")
	file["FileName"] = filepath.Base(det.Path)
	file["FolderPath"] = det.Path
	file["FileSize"] = det.Size
	file["SHA1"] = det.SHA1
	file["SHA256"] = det.SHA256
	file["ThreatFamily"] = det.threatFamily()
	file["AdditionalFields"] = map[string]any{"ThreatName": det.ThreatName, "MD5": det.MD5}
	evs = append(evs, agentproto.Event{Table: "AlertEvidence", Row: file})
	evs = append(evs, a.processEvidence(det.By)...)
	return append(evs, agentproto.Event{Table: "AlertEvidence", Row: a.evidence("Machine", "Impacted")})
}

func (det *Detection) threatFamily() string {
	if det.Indicator == nil {
		return "EICAR_Test_File"
	}
	return ""
}

func creationTime(p sensor.Process) string {
	if p.StartTime == 0 {
		return ""
	}
	return time.Unix(0, p.StartTime).UTC().Format(time.RFC3339Nano)
}

// detectionEvent is the DeviceEvents AntivirusDetection row of a
// detection, with the remediation's outcome in AdditionalFields as
// Defender reports it (ThreatName, WasRemediated).
func detectionEvent(det *Detection, now time.Time) agentproto.Event {
	add := map[string]any{
		"ThreatName":    det.ThreatName,
		"WasRemediated": det.QuarantineID != "",
		"AlertId":       det.AlertID,
	}
	if det.QuarantineID != "" {
		add["Action"] = "quarantine"
		add["QuarantineId"] = det.QuarantineID
	}
	if det.QuarantineErr != nil {
		add["RemediationError"] = det.QuarantineErr.Error()
	}
	if det.Indicator != nil {
		add["IndicatorId"] = det.Indicator.ID
		add["IndicatorAction"] = det.Indicator.Action
	}
	row := map[string]any{
		"Timestamp":        now.Format(time.RFC3339Nano),
		"ActionType":       "AntivirusDetection",
		"FileName":         filepath.Base(det.Path),
		"FolderPath":       det.Path,
		"SHA1":             det.SHA1,
		"SHA256":           det.SHA256,
		"MD5":              det.MD5,
		"FileSize":         det.Size,
		"AdditionalFields": add,
	}
	if p := det.By; p.PID != 0 || p.Path != "" {
		row["InitiatingProcessId"] = p.PID
		row["InitiatingProcessFileName"] = p.Name
		row["InitiatingProcessFolderPath"] = p.Path
		row["InitiatingProcessCommandLine"] = p.CommandLine
		row["InitiatingProcessAccountName"] = p.AccountName
		row["InitiatingProcessSHA1"] = p.SHA1
		row["InitiatingProcessSHA256"] = p.SHA256
		row["InitiatingProcessMD5"] = p.MD5
		row["InitiatingProcessParentId"] = p.ParentPID
		if ct := creationTime(p); ct != "" {
			row["InitiatingProcessCreationTime"] = ct
		}
	}
	return agentproto.Event{Table: "DeviceEvents", Row: row}
}
