package analytics

import (
	"strings"
)

// EntityType is the type of an entity an alert refers to.
type EntityType string

// Entity types that can be mapped from query columns.
const (
	Account          EntityType = "Account"
	Host             EntityType = "Host"
	IP               EntityType = "IP"
	Process          EntityType = "Process"
	File             EntityType = "File"
	FileHash         EntityType = "FileHash"
	URL              EntityType = "URL"
	DNS              EntityType = "DNS"
	RegistryKey      EntityType = "RegistryKey"
	RegistryValue    EntityType = "RegistryValue"
	CloudApplication EntityType = "CloudApplication"
	AzureResource    EntityType = "AzureResource"
	Mailbox          EntityType = "Mailbox"
	MailMessage      EntityType = "MailMessage"
	MailCluster      EntityType = "MailCluster"
	SecurityGroup    EntityType = "SecurityGroup"
	Malware          EntityType = "Malware"
	SubmissionMail   EntityType = "SubmissionMail"
	IoTDevice        EntityType = "IoTDevice"
)

// Limits Sentinel enforces on entity mappings.
const (
	MaxEntityMappings = 10
	MaxFieldMappings  = 3
)

// entitySpec is what Sentinel accepts for one entity type: its
// identifiers, and the combinations of which a mapping must contain at
// least one (an entity that lacks them cannot be identified).
type entitySpec struct {
	identifiers []string
	required    [][]string
}

// entitySpecs follows the entity identifiers of Sentinel's entity types
// reference and the identifier combinations its template validation
// requires.
var entitySpecs = map[EntityType]entitySpec{
	Account: {
		identifiers: []string{"Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix", "Sid", "AadTenantId", "AadUserId", "PUID", "IsDomainJoined", "DisplayName", "ObjectGuid"},
		required:    [][]string{{"FullName"}, {"Sid"}, {"Name"}, {"AadUserId"}, {"PUID"}, {"ObjectGuid"}},
	},
	Host: {
		identifiers: []string{"FullName", "HostName", "DnsDomain", "NTDomain", "NetBiosName", "AzureID", "OMSAgentID", "OSFamily", "OSVersion", "IsDomainJoined"},
		required:    [][]string{{"FullName"}, {"HostName"}, {"NetBiosName"}, {"AzureID"}, {"OMSAgentID"}},
	},
	IP: {
		identifiers: []string{"Address"},
		required:    [][]string{{"Address"}},
	},
	Process: {
		identifiers: []string{"ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"},
		required:    [][]string{{"CommandLine"}, {"ProcessId"}},
	},
	File: {
		identifiers: []string{"Name", "Directory"},
		required:    [][]string{{"Name"}},
	},
	FileHash: {
		identifiers: []string{"Algorithm", "Value"},
		required:    [][]string{{"Algorithm", "Value"}},
	},
	URL: {
		identifiers: []string{"Url"},
		required:    [][]string{{"Url"}},
	},
	DNS: {
		identifiers: []string{"DomainName"},
		required:    [][]string{{"DomainName"}},
	},
	RegistryKey: {
		identifiers: []string{"Hive", "Key"},
		required:    [][]string{{"Key"}, {"Hive"}},
	},
	RegistryValue: {
		identifiers: []string{"Name", "Value", "ValueType"},
		required:    [][]string{{"Name"}},
	},
	CloudApplication: {
		identifiers: []string{"AppId", "Name", "InstanceName"},
		required:    [][]string{{"AppId"}, {"Name"}},
	},
	AzureResource: {
		identifiers: []string{"ResourceId"},
		required:    [][]string{{"ResourceId"}},
	},
	Mailbox: {
		identifiers: []string{"MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId", "RiskLevel"},
		required:    [][]string{{"MailboxPrimaryAddress"}},
	},
	MailMessage: {
		identifiers: []string{"Recipient", "Urls", "Threats", "Sender", "P1Sender", "P1SenderDisplayName", "P1SenderDomain",
			"SenderIP", "P2Sender", "P2SenderDisplayName", "P2SenderDomain", "ReceivedDate", "NetworkMessageId",
			"InternetMessageId", "Subject", "BodyFingerprintBin1", "BodyFingerprintBin2", "BodyFingerprintBin3",
			"BodyFingerprintBin4", "BodyFingerprintBin5", "AntispamDirection", "DeliveryAction", "DeliveryLocation",
			"Language", "ThreatDetectionMethods"},
		required: [][]string{{"NetworkMessageId"}, {"Recipient"}},
	},
	MailCluster: {
		identifiers: []string{"NetworkMessageIds", "CountByDeliveryStatus", "CountByThreatType", "CountByProtectionStatus",
			"Threats", "Query", "QueryTime", "MailCount", "IsVolumeAnomaly", "Source", "ClusterSourceIdentifier",
			"ClusterSourceType", "ClusterQueryStartTime", "ClusterQueryEndTime", "ClusterGroup"},
		required: [][]string{{"Query"}, {"Source"}},
	},
	SecurityGroup: {
		identifiers: []string{"DistinguishedName", "SID", "ObjectGuid"},
		required:    [][]string{{"DistinguishedName"}, {"SID"}, {"ObjectGuid"}},
	},
	Malware: {
		identifiers: []string{"Name", "Category"},
		required:    [][]string{{"Name"}},
	},
	SubmissionMail: {
		identifiers: []string{"NetworkMessageId", "Timestamp", "Recipient", "Sender", "SenderIp", "Subject", "ReportType",
			"SubmissionId", "SubmissionDate", "Submitter"},
		required: [][]string{{"SubmissionId"}, {"NetworkMessageId"}, {"Recipient"}, {"Submitter"}},
	},
	IoTDevice: {
		identifiers: []string{"DeviceId", "DeviceName", "Manufacturer", "Model", "FirmwareVersion", "OperatingSystem",
			"MacAddress", "Protocols", "SerialNumber", "Source", "IoTSecurityAgentId", "DeviceType"},
		required: [][]string{{"DeviceId"}},
	},
}

// entityTypeNames lists the entity types in a stable order for messages.
var entityTypeNames = []string{"Account", "Host", "IP", "Process", "File", "FileHash", "URL", "DNS",
	"RegistryKey", "RegistryValue", "CloudApplication", "AzureResource", "Mailbox", "MailMessage",
	"MailCluster", "SecurityGroup", "Malware", "SubmissionMail", "IoTDevice"}

// EntityTypes returns every entity type that can be mapped.
func EntityTypes() []EntityType {
	out := make([]EntityType, len(entityTypeNames))
	for i, n := range entityTypeNames {
		out[i] = EntityType(n)
	}
	return out
}

// Identifiers returns the identifiers an entity type accepts in field
// mappings, or nil for an unknown type.
func (t EntityType) Identifiers() []string {
	return append([]string(nil), entitySpecs[t].identifiers...)
}

// parseEntityType finds an entity type ignoring case.
func parseEntityType(s string) (EntityType, bool) {
	n, ok := canonical(entityTypeNames, s)
	return EntityType(n), ok
}

// requiredText describes the identifier combinations a mapping of t needs.
func (t EntityType) requiredText() string {
	var alts []string
	for _, combo := range entitySpecs[t].required {
		alts = append(alts, strings.Join(combo, "+"))
	}
	return orList(alts)
}

// orList writes a, b or c.
func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
