// Package agentproto is the wire contract between the endpoint sensor
// (cmd/goshawk-agent) and the EDR backend in the server: the paths, the
// messages and their JSON encoding. It is the only package the two sides
// share; it has no dependencies beyond the standard library, so the agent
// stays pure Go.
//
// # Transport
//
// Everything is HTTPS to the server URL of the onboarding package, trusting
// only the workspace CA it carries. Enrollment authenticates with the
// package's enrollment token (Authorization: Bearer); every later request
// authenticates with the client certificate the server signed at
// enrollment (mutual TLS), whose subject common name is the DeviceId.
// Request and response bodies are JSON; agents gzip event batches
// (Content-Encoding: gzip).
//
// # Versioning
//
// Paths carry the protocol version (/agent/v1/…). A change that old agents
// or servers would misread gets a new version; added fields do not.
//
// # Delivery
//
// Events are delivered at least once: the agent keeps each batch in its
// on-disk queue until the server acknowledges it, and resends it after a
// failure. Every batch carries a per-device sequence number and every
// event a per-device ReportId; the server stores a batch once, recording
// the sequence in the same transaction as the rows, so a resent batch is
// acknowledged without being stored again.
package agentproto

import "time"

// Version is the protocol version in the paths.
const Version = 1

// Paths, relative to the server URL.
const (
	// PathEnroll: POST EnrollRequest → EnrollResponse. Bearer enrollment
	// token; no client certificate yet.
	PathEnroll = "/agent/v1/enroll"
	// PathHeartbeat: POST Heartbeat → HeartbeatResponse.
	PathHeartbeat = "/agent/v1/heartbeat"
	// PathInventory: POST Inventory → 204.
	PathInventory = "/agent/v1/inventory"
	// PathEvents: POST EventBatch (gzip) → BatchAck.
	PathEvents = "/agent/v1/events"
	// PathCommands: GET → CommandList. Long poll: the server answers when
	// a command is pending or after about 25 s with an empty list.
	PathCommands = "/agent/v1/commands"
	// PathCommandResult: POST CommandResult → 204.
	PathCommandResult = "/agent/v1/command-results"
	// PathIndicators: GET → IndicatorSet (custom indicators in force for
	// this device).
	PathIndicators = "/agent/v1/indicators"
	// PathUploads: PUT the body of a file the server asked for (an
	// investigation package) at PathUploads + "/" + Command.ID.
	PathUploads = "/agent/v1/uploads"
	// PathOffboard: POST → 204. The device is marked offboarded and its
	// certificate is refused from then on.
	PathOffboard = "/agent/v1/offboard"
	// PathRenew: POST RenewRequest → EnrollResponse, with the current
	// client certificate. The server signs a new certificate for the same
	// DeviceId; the old one keeps working until the new one is first
	// used, so a renewal lost on the way cannot lock the agent out.
	PathRenew = "/agent/v1/renew"
)

// RenewRequest asks for a new certificate before the current one
// expires.
type RenewRequest struct {
	// CSR is a PEM certificate signing request for the agent's key (a new
	// key or the same one).
	CSR string `json:"csr"`
}

// OnboardingPackage is the file `goshawk onboarding create` writes and
// `goshawk-agent onboard --package FILE` reads.
type OnboardingPackage struct {
	// ServerURL is the base URL agents connect to (https://host:port).
	ServerURL string `json:"serverUrl"`
	// CACert is the workspace CA certificate, PEM: the only root the agent
	// trusts for the server.
	CACert string `json:"caCert"`
	// Token is the enrollment token (a secret).
	Token string `json:"enrollmentToken"`
	// WorkspaceID names the workspace.
	WorkspaceID string `json:"workspaceId"`
	// Expires is when the token stops enrolling devices.
	Expires time.Time `json:"expires"`
	// TokenID names the enrollment token (not secret), so that an
	// administrator can revoke the package (goshawk onboarding revoke).
	TokenID string `json:"enrollmentTokenId,omitempty"`
}

// OSInfo describes the device's operating system.
type OSInfo struct {
	// Platform is DeviceInfo.OSPlatform: "Linux", "Windows10", "macOS"…
	Platform     string `json:"osPlatform"`
	Distribution string `json:"osDistribution,omitempty"`
	Version      string `json:"osVersion,omitempty"`
	Build        string `json:"osBuild,omitempty"`
	Architecture string `json:"osArchitecture"` // "64-bit", "32-bit", "arm64"
	Kernel       string `json:"kernel,omitempty"`
}

// EnrollRequest asks the server for a device identity.
type EnrollRequest struct {
	// CSR is a PEM certificate signing request for the agent's own key
	// (the private key never leaves the device).
	CSR           string `json:"csr"`
	Hostname      string `json:"hostname"`
	OS            OSInfo `json:"os"`
	ClientVersion string `json:"clientVersion"`
	// MachineID is a stable host identifier (/etc/machine-id), so that
	// re-onboarding the same machine keeps its DeviceId.
	MachineID string `json:"machineId,omitempty"`
}

// EnrollResponse carries the device's identity.
type EnrollResponse struct {
	DeviceID string `json:"deviceId"`
	// Certificate is the signed client certificate, PEM; its common name
	// is DeviceID.
	Certificate string `json:"certificate"`
	CACert      string `json:"caCert"`
	// HeartbeatSeconds is how often the agent should send a heartbeat.
	HeartbeatSeconds int `json:"heartbeatSeconds"`
}

// CollectorState is the health of one telemetry collector.
type CollectorState struct {
	Name string `json:"name"` // "process", "network", "file", "logon", "inventory"
	// State is "running", "unsupported" (this OS or kernel lacks it),
	// "failed" or "sampling" (running, but dropping events to stay within
	// resource limits).
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// Health is the agent's view of itself.
type Health struct {
	// SensorHealthState is DeviceInfo's: "Active", "ImpairedCommunication",
	// "NoSensorData", "Inactive".
	SensorHealthState string           `json:"sensorHealthState"`
	Collectors        []CollectorState `json:"collectors"`
	// QueueBytes and QueueDropped describe the on-disk event queue: its
	// size and how many events were dropped (oldest first) because it was
	// full.
	QueueBytes   int64 `json:"queueBytes"`
	QueueDropped int64 `json:"queueDropped"`
	// Sampled counts events dropped by sampling under load.
	Sampled    int64   `json:"sampled"`
	CPUPercent float64 `json:"cpuPercent"`
	RSSBytes   int64   `json:"rssBytes"`
	Isolated   bool    `json:"isolated"`
}

// Heartbeat is sent every HeartbeatSeconds.
type Heartbeat struct {
	Time          time.Time `json:"time"`
	ClientVersion string    `json:"clientVersion"`
	Health        Health    `json:"health"`
}

// HeartbeatResponse tells the agent what changed on the server's side.
type HeartbeatResponse struct {
	// IndicatorsVersion changes whenever the indicators in force for the
	// device change; the agent fetches PathIndicators when it differs
	// from the one it holds.
	IndicatorsVersion string `json:"indicatorsVersion"`
	// CommandsPending hints that PathCommands has work.
	CommandsPending bool `json:"commandsPending"`
}

// Inventory is the device's current description, sent at enrollment, on
// change and at least daily. Rows are DeviceInfo and DeviceNetworkInfo
// rows keyed by catalogue column name (see Event.Row for the encoding).
type Inventory struct {
	DeviceInfo        map[string]any   `json:"deviceInfo"`
	DeviceNetworkInfo []map[string]any `json:"deviceNetworkInfo"`
}

// Event is one row of a Device* table.
type Event struct {
	// Table is the catalogue table: DeviceProcessEvents,
	// DeviceNetworkEvents, DeviceFileEvents, DeviceLogonEvents,
	// DeviceEvents, AlertInfo, AlertEvidence…
	Table string `json:"table"`
	// ReportID is unique per device and increases with each event.
	ReportID int64 `json:"reportId"`
	// Row maps catalogue column names to values as the Logs Ingestion API
	// takes them: strings, numbers, booleans, RFC 3339 times for datetime
	// columns, JSON values for dynamic ones. DeviceId, DeviceName,
	// ReportId and Timestamp are filled by the agent.
	Row map[string]any `json:"row"`
}

// EventBatch is a set of events delivered together.
type EventBatch struct {
	// Seq increases by one with each batch a device sends; a batch is
	// resent with the same Seq until acknowledged.
	Seq    uint64  `json:"seq"`
	Events []Event `json:"events"`
}

// BatchAck acknowledges a batch: it is durable on the server (or was a
// duplicate of one that is).
type BatchAck struct {
	Seq       uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

// Command types.
const (
	CommandIsolate           = "isolate"
	CommandRelease           = "release"
	CommandKillProcess       = "kill_process"    // Params: "pid" (and optionally "sha256" to guard against pid reuse)
	CommandQuarantineFile    = "quarantine_file" // Params: "path" or "sha256"
	CommandRestoreFile       = "restore_file"    // Params: "quarantineId"
	CommandScan              = "scan"            // Params: "paths" (colon-separated) or "full"="true"
	CommandCollect           = "collect_package" // result uploaded to PathUploads/{id}
	CommandRefreshIndicators = "refresh_indicators"
)

// Command is a response action for the agent to carry out.
type Command struct {
	ID       string            `json:"id"`
	Type     string            `json:"type"`
	Params   map[string]string `json:"params,omitempty"`
	Issued   time.Time         `json:"issued"`
	IssuedBy string            `json:"issuedBy"`
	Comment  string            `json:"comment,omitempty"`
}

// CommandList is the answer to PathCommands.
type CommandList struct {
	Commands []Command `json:"commands"`
}

// Command statuses.
const (
	StatusSucceeded = "Succeeded"
	StatusFailed    = "Failed"
)

// CommandResult reports how a command went.
type CommandResult struct {
	ID       string            `json:"id"`
	Status   string            `json:"status"`
	Message  string            `json:"message,omitempty"`
	Output   map[string]string `json:"output,omitempty"`
	Finished time.Time         `json:"finished"`
}

// Indicator types, as Defender's indicator API names them.
const (
	IndicatorFileSha256 = "FileSha256"
	IndicatorFileSha1   = "FileSha1"
	IndicatorFileMd5    = "FileMd5"
	IndicatorIPAddress  = "IpAddress"
	IndicatorDomainName = "DomainName"
	IndicatorURL        = "Url"
)

// Indicator actions.
const (
	ActionAlert = "Alert"
	ActionBlock = "Block" // block and alert
)

// Indicator is a custom indicator of compromise.
type Indicator struct {
	ID       string    `json:"id"`
	Type     string    `json:"indicatorType"`
	Value    string    `json:"indicatorValue"`
	Action   string    `json:"action"`
	Title    string    `json:"title"`
	Severity string    `json:"severity"` // Informational, Low, Medium, High
	Expires  time.Time `json:"expirationTime,omitempty"`
	// MachineGroups scopes the indicator to devices of these groups
	// (DeviceInfo.MachineGroup); empty means every device. The server
	// sends each agent only the indicators in force for it.
	MachineGroups []string `json:"rbacGroupNames,omitempty"`
}

// IndicatorSet is the answer to PathIndicators.
type IndicatorSet struct {
	Version    string      `json:"version"`
	Indicators []Indicator `json:"indicators"`
}
