// Package analytics defines analytics rules and hunting queries as
// Microsoft Sentinel does, and imports and exports them in Sentinel's
// formats. It holds definitions only: running rules, writing alerts and
// incidents, and storing definitions belong to their callers.
//
// # The model
//
// A Definition is one rule or hunting query. Its Kind is one of
//
//   - Scheduled: a KQL query run every QueryFrequency over the last
//     QueryPeriod (each 5 minutes to 14 days, frequency ≤ period, and at
//     least hourly once the period reaches 2 days); a run whose row count
//     satisfies TriggerOperator/TriggerThreshold raises alerts;
//   - NRT: a query run every minute over newly arrived rows, with no
//     frequency, period or trigger;
//   - MicrosoftSecurityIncidentCreation: no query; incidents are created
//     from the SecurityAlert rows of one product, filtered by severity and
//     by alert-name include/exclude texts (MicrosoftSecurityFilter.Match);
//   - Hunting: a saved hunting query, never scheduled. Sentinel's YAML gives
//     hunting queries no kind; a file without kind and trigger fields is one.
//
// Alerts of query rules carry entities (EntityMappings: up to 10 entities
// of the types Sentinel knows, each with 1 to 3 identifiers from that
// type's list, naming result columns), CustomDetails (up to 20 columns) and
// an optional AlertDetailsOverride whose name and description formats take
// up to three {{Column}} placeholders (RenderFormat fills them).
// EventGrouping chooses one alert per run or per row; Suppression pauses a
// rule after it fires; Incident says whether alerts open incidents and how
// they are grouped. Durations are time.Duration; Sentinel's YAML shorthand
// (5m, 1h, 14d) and ISO 8601 (PT5M, P1D) are converted at the edges
// (ParseDuration, FormatDuration, FormatISODuration).
//
// Descriptive fields that Goshawk does not interpret — status, tags,
// metadata, description-detailed and the template dates — are kept
// verbatim in Definition.Metadata and written back on export;
// RequiredDataConnectors are kept as information.
//
// # Import
//
// ParseYAML reads Sentinel's YAML (the Azure/Azure-Sentinel repository's
// format); ParseARM reads ARM templates as the Sentinel portal exports
// them, REST lists and single rule resources; ImportPaths reads files and
// folders and returns one Result per definition, in the JSON line shape
// the CLI prints ({"file","ok","kind","id","error"}). Keys are matched
// ignoring case. A field Goshawk does not know or does not support is
// refused with its path, never dropped:
//
//	entityMappings[0].fieldMappings[0].identifies: unknown field (did you mean "identifier"?)
//	queryPeriod: 30d is longer than 14 days (Sentinel's maximum)
//	query: 38:1: KQL2002: Failed to resolve table or column expression named '_Im_NetworkSession'
//	entityMappings[2].fieldMappings[0].columnName: column "FileHashType" is not in the query's results
//
// Errors are FieldErrors (inside an *Error): every problem, each with its
// path and the line in the file. A definition imports only if it passes
// Validate (Sentinel's own limits) and, for kinds with a query, its query
// parses and binds against the table catalogue (kql.Check) and every
// column it names is in the query's results. An Importer carries the
// catalogue (a workspace's, with its custom tables) and KQL options; the
// package-level functions use the built-in catalogue.
//
// # Export
//
// FormatYAML writes a Definition back in Sentinel's YAML field order;
// importing the result gives the same Definition.
package analytics
