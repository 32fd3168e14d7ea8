package alerts

import (
	"encoding/json"
	"strings"
	"time"
)

// Severities, as SecurityAlert.AlertSeverity takes them.
const (
	SeverityInformational = "Informational"
	SeverityLow           = "Low"
	SeverityMedium        = "Medium"
	SeverityHigh          = "High"
)

// Statuses of SecurityAlert.Status.
const (
	StatusNew        = "New"
	StatusInProgress = "InProgress"
	StatusResolved   = "Resolved"
	StatusDismissed  = "Dismissed"
)

// Alert is one SecurityAlert row.
type Alert struct {
	// SystemAlertID identifies the alert in the workspace (a GUID);
	// VendorOriginalID is the producer's own id (Defender's "da…" alert
	// id, an analytics rule run's result id).
	SystemAlertID    string
	VendorOriginalID string

	// Name is AlertName and DisplayName.
	Name        string
	Description string
	Severity    string
	// ProductName, ProductComponentName, ProviderName and VendorName say
	// where the alert comes from ("Goshawk Endpoint", "Goshawk").
	ProductName          string
	ProductComponentName string
	ProviderName         string
	VendorName           string
	// AlertType is the producer's alert kind: a detection source for the
	// endpoint, the rule id for analytics rules.
	AlertType string
	// Status is New unless the producer says otherwise.
	Status string

	// Tactics are MITRE ATT&CK tactic names without spaces
	// (InitialAccess, CommandAndControl); Techniques are technique ids
	// (T1105) and SubTechniques sub-technique ids (T1204.002).
	Tactics       []string
	Techniques    []string
	SubTechniques []string

	// StartTime and EndTime bound the activity; TimeGenerated is when the
	// alert was raised.
	StartTime, EndTime, TimeGenerated time.Time

	RemediationSteps []string
	// CompromisedEntity names the main impacted entity (the device name
	// for endpoint alerts).
	CompromisedEntity string
	// ConfidenceLevel is Low, Medium, High or Unknown (empty: not set).
	ConfidenceLevel string
	// ExtendedProperties go into the column as a JSON object of strings.
	ExtendedProperties map[string]string
	Entities           Entities
	// ResourceID and SourceComputerID link the alert to the resource it
	// is about (the device id for endpoint alerts).
	ResourceID       string
	SourceComputerID string
	AlertLink        string
}

// Row returns the alert as a SecurityAlert row keyed by column name, in
// the Logs Ingestion API's value forms (times in RFC 3339, JSON columns as
// strings).
func (a *Alert) Row() map[string]any {
	status := a.Status
	if status == "" {
		status = StatusNew
	}
	ts := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	row := map[string]any{
		"TimeGenerated":        ts(a.TimeGenerated),
		"DisplayName":          a.Name,
		"AlertName":            a.Name,
		"AlertSeverity":        a.Severity,
		"Description":          a.Description,
		"ProviderName":         a.ProviderName,
		"VendorName":           a.VendorName,
		"VendorOriginalId":     a.VendorOriginalID,
		"SystemAlertId":        a.SystemAlertID,
		"ResourceId":           a.ResourceID,
		"SourceComputerId":     a.SourceComputerID,
		"IsIncident":           false,
		"StartTime":            ts(a.StartTime),
		"EndTime":              ts(a.EndTime),
		"ProcessingEndTime":    ts(a.TimeGenerated),
		"RemediationSteps":     jsonArray(a.RemediationSteps),
		"ExtendedProperties":   jsonObject(a.ExtendedProperties),
		"Entities":             a.Entities.String(),
		"ProductName":          a.ProductName,
		"ProductComponentName": a.ProductComponentName,
		"AlertLink":            a.AlertLink,
		"CompromisedEntity":    a.CompromisedEntity,
		"Status":               status,
		// Sentinel writes tactics comma-separated and techniques as JSON
		// arrays.
		"Tactics":       strings.Join(a.Tactics, ", "),
		"Techniques":    jsonArray(a.Techniques),
		"SubTechniques": jsonArray(a.SubTechniques),
		"AlertType":     a.AlertType,
	}
	if a.ConfidenceLevel != "" {
		row["ConfidenceLevel"] = a.ConfidenceLevel
	}
	for k, v := range row {
		if v == nil {
			delete(row, k)
		}
	}
	return row
}

func jsonArray(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonObject(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}
