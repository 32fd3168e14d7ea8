package content

import (
	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/hunting"
)

// EndpointIncidentRuleID is the endpoint solution's Microsoft security
// rule: endpoint alerts into incidents.
const EndpointIncidentRuleID = "3f0c8e1a-6b7d-4e2f-9a10-5c4b3a2d1e0f"

// Solutions are the solutions Goshawk ships.
func Solutions() []Solution {
	return []Solution{endpoint()}
}

// endpoint is the Goshawk Endpoint solution: the endpoint connector and
// hunting queries over its tables.
func endpoint() Solution {
	return Solution{
		Name:    "endpoint",
		Title:   "Goshawk Endpoint",
		Version: "1.0.0",
		Description: "Connects the Goshawk endpoint sensor's alerts and telemetry to the workspace, " +
			"with hunting queries over the device tables.",
		Connector: connector.EndpointID,
		Rules: []analytics.Definition{{
			ID:      EndpointIncidentRuleID,
			Kind:    analytics.MicrosoftSecurityIncidentCreation,
			Name:    "Create incidents based on Goshawk Endpoint alerts",
			Enabled: true,
			Description: "Every alert of the Goshawk Endpoint connector becomes an incident, as Sentinel's " +
				"Microsoft security rules do for Defender's alerts.",
			MicrosoftSecurity: &analytics.MicrosoftSecurityFilter{Product: connector.ProductName},
		}},
		Hunting: []hunting.Query{
			{
				ID:          "endpoint-alerts-by-device",
				Name:        "Endpoint alerts by device",
				Description: "Each device's endpoint alerts, with when each alert was first and last raised.",
				Query: `SecurityAlert
| where ProductName == "Goshawk Endpoint"
| summarize Alerts = count(), FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated) by CompromisedEntity, AlertName, AlertSeverity
| sort by LastSeen desc`,
			},
			{
				ID:          "endpoint-exec-from-temp",
				Name:        "Programs run from temporary folders",
				Description: "Executables started from /tmp, /var/tmp or /dev/shm, where dropped tools often run from.",
				Query: `DeviceProcessEvents
| where ActionType == "ProcessCreated"
| where FolderPath startswith "/tmp/" or FolderPath startswith "/var/tmp/" or FolderPath startswith "/dev/shm/"
| project Timestamp, DeviceName, AccountName, FolderPath, ProcessCommandLine, InitiatingProcessFileName, SHA256
| sort by Timestamp desc`,
				Tactics:    []string{"Execution", "DefenseEvasion"},
				Techniques: []string{"T1204", "T1036"},
			},
			{
				ID:          "endpoint-rare-outbound",
				Name:        "Outbound connections by programs seen on one device only",
				Description: "Programs that connect to public addresses from a single device: rare network clients are worth a look.",
				Query: `DeviceNetworkEvents
| where ActionType == "ConnectionSuccess" and RemoteIPType == "Public"
| summarize Devices = dcount(DeviceId), Connections = count(), RemoteIPs = make_set(RemoteIP, 10) by InitiatingProcessFileName
| where Devices == 1
| sort by Connections desc`,
				Tactics:    []string{"CommandAndControl"},
				Techniques: []string{"T1071"},
			},
			{
				ID:          "endpoint-logon-failures-then-success",
				Name:        "Repeated failed logons followed by a success",
				Description: "Accounts with at least five failed logons and a successful one on the same device.",
				Query: `DeviceLogonEvents
| summarize Failures = countif(ActionType == "LogonFailed"), Successes = countif(ActionType == "LogonSuccess"), LastSuccess = maxif(Timestamp, ActionType == "LogonSuccess") by DeviceName, AccountName
| where Failures >= 5 and Successes > 0
| sort by Failures desc`,
				Tactics:    []string{"CredentialAccess"},
				Techniques: []string{"T1110"},
			},
			{
				ID:          "endpoint-detections",
				Name:        "Sensor detections and their remediation",
				Description: "Every file the sensor detected, and whether it was quarantined.",
				Query: `DeviceEvents
| where ActionType == "AntivirusDetection"
| extend ThreatName = tostring(AdditionalFields.ThreatName), WasRemediated = tobool(AdditionalFields.WasRemediated)
| project Timestamp, DeviceName, FolderPath, SHA256, ThreatName, WasRemediated, InitiatingProcessCommandLine
| sort by Timestamp desc`,
			},
			{
				ID:          "endpoint-listeners",
				Name:        "Programs listening on network ports",
				Description: "Programs that opened a listening port on a non-loopback address, and on how many devices.",
				Query: `DeviceNetworkEvents
| where ActionType == "ListeningConnectionCreated" and LocalIP !in ("127.0.0.1", "::1")
| summarize Devices = dcount(DeviceId), Ports = make_set(LocalPort, 20) by InitiatingProcessFileName, InitiatingProcessFolderPath
| sort by Devices asc`,
				Tactics:    []string{"Persistence", "CommandAndControl"},
				Techniques: []string{"T1571"},
			},
		},
	}
}
