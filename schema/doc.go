// Package schema is Goshawk's table catalogue: the name, columns and KQL
// types of every table a workspace holds, plus the value sets and action
// types documented for some of their columns.
//
// # Source of truth
//
// The catalogue is parsed from tables.json, an embedded copy of the shared
// catalogue shared/schema/tables.json made by go generate (see gen.go); a
// test fails when the two differ. Nothing in the repository copies a column
// list by hand.
//
// # The workspace shape
//
// Goshawk reproduces a Log Analytics workspace that Microsoft Sentinel and
// the Defender XDR connector write to, so every table has the shape it has
// in such a workspace, not the shape of Defender's advanced hunting:
//
//   - A Defender table with a "sentinel" entry takes that entry's columns
//     (they already carry TenantId, TimeGenerated, Type, SourceSystem,
//     MachineGroup … and the Log Analytics types, e.g. AdditionalFields as
//     dynamic). A Defender table without one (retired or hunting-only
//     tables such as DeviceAlertEvents or ExposureGraphEdges) takes its
//     advanced hunting columns.
//   - A Sentinel table takes its "columns".
//
// Every table is then completed with the Log Analytics standard columns
// (log_analytics_standard_columns in the JSON) that it lacks:
//
//   - TenantId (string) first and TimeGenerated (datetime) after it, Type
//     (string, the table's name) last among the visible columns. TenantId is
//     not added where the table has a column of the same name in another
//     case (the data lake tables EntraUsers, EntraGroups and
//     EntraGroupMemberships have tenantId), because DuckDB, which stores the
//     tables, matches column names case-insensitively.
//   - The rest as hidden columns: the table's own documented hidden columns
//     (_BilledSize, _IsBillable) and then, where missing, _ResourceId,
//     _SubscriptionId, _TimeReceived, _ItemId, _IsBillable and _BilledSize.
//     Log Analytics keeps all of them on every table; queries that read
//     them (sum(_BilledSize) by Type, ingestion delay from _TimeReceived,
//     _ResourceId scoping) are common in Sentinel, so Goshawk stores them
//     too. Where a table documents _ResourceId or _SubscriptionId as a
//     regular column (Heartbeat, Syslog, AzureDiagnostics, …) it stays
//     visible, as in Log Analytics results.
//
// A hidden column can be referenced by name (project _BilledSize) but is not
// part of * or of a table's default output: Table.Visible lists the visible
// columns and Table.KQLColumns all of them.
//
// # Storage names
//
// Column.Storage is the name of the column in the DuckDB table. It equals
// Name except where a table has two columns whose names differ only in case
// (AzureDiagnostics has clientIP_s and clientIp_s), which DuckDB cannot hold
// side by side: the later one is stored as "clientIp_s#2". SQL generators
// must read a column through its Storage name.
//
// # Value sets and action types
//
// ValueSet returns the documented values of a column (OnboardingStatus,
// LogonType, Severity, …) and ActionTypes the documented ActionType values
// of a table followed by those only seen in public queries.
//
// # Custom tables
//
// A workspace can also hold custom (*_CL) tables created at run time:
// CustomTable builds one with the standard columns added and
// Catalogue.WithTable returns a catalogue copy that includes it. The
// catalogue returned by Default is never modified.
package schema
