// Package incidents is the SIEM's incidents, as Microsoft Sentinel keeps
// them: an incident groups alerts that analytics rules (or the Microsoft
// security rules, for product alerts such as the endpoint's) raised, and
// is what analysts triage — status New, Active or Closed, severity, owner,
// labels, comments, and on closing a classification.
//
// Grouping follows a rule's incidentConfiguration: without grouping each
// alert opens an incident of its own; with groupingConfiguration enabled,
// an alert joins the newest incident of the same rule whose first alert
// was raised within the rule's lookback of it and that matches it —
// AllEntities (the alerts' entities are the same), AnyAlert (every alert
// of the rule), or Selected (the same entities of the chosen types, the
// same chosen alert details, the same chosen custom details; alerts that
// both lack a chosen entity type or custom detail agree on it). A closed
// matching incident is reopened when the rule says so; otherwise the
// alert opens a new incident. An incident holds at most MaxAlerts (150)
// alerts: the next matching alert opens a new one, which the alerts after
// it then join.
//
// Entities are compared by their identifiers (an account's name, domain
// and SID, a host's name and domain, an IP's address, …), ignoring case
// and properties that describe rather than identify, so that an alert
// whose host reports a new OS version still groups with the older ones.
//
// Incidents are state and log, as in Sentinel. The state is kept in the
// workspace's goshawk schema (goshawk.incidents, goshawk.incident_alerts),
// for fast triage; every change — creation, alerts added, an analyst's
// update or comment — appends a SecurityIncident row through ingestion,
// in the same transaction as the state, so that
//
//	SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber
//
// gives each incident's current state. The TimeGenerated of an incident's
// rows strictly increases (a change within the same microsecond as the
// previous one is stamped one microsecond later), so arg_max never has to
// choose between two rows. Alerts and their entities are read back from
// SecurityAlert through the KQL engine, like every other log read.
package incidents
