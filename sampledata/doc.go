// Package sampledata fills a workspace with realistic, mutually consistent
// synthetic data: a few weeks in the life of Contoso, a mid-sized
// organisation monitored by Defender XDR and Sentinel.
//
// # The world
//
// Generate first builds the organisation from Options.Seed:
//
//   - A fleet of devices, about one per 5,000 DeviceProcessEvents rows
//     (12 to 1,500): Windows 10/11 workstations (ws-0042.contoso.local),
//     Windows Server domain controllers, file, SQL and IIS servers, Linux web
//     servers and Kubernetes nodes, and a few Macs, each with a Defender
//     DeviceId, Entra device id, IP and MAC addresses, OS build, sensor
//     health and exposure level.
//   - People (given and family names, SAM account name, UPN, on-premises
//     SID, Entra object id, department, title, office, manager), their
//     admin accounts (adm-jsmith) and service accounts (svc-sql …). The
//     same identities appear in IdentityInfo, EntraUsers, SigninLogs,
//     DeviceLogonEvents, DeviceProcessEvents, OfficeActivity and the rest.
//   - Binaries with stable SHA1/SHA256/MD5, version information and signer,
//     and command-line templates taken from what those programs really run
//     with (Chrome renderers, Intune PowerShell scripts, svchost service
//     groups …).
//
// # The endpoint simulation
//
// DeviceProcessEvents is the biggest table and drives the others. Each
// device runs a process tree: boot processes (smss, wininit, services,
// lsass, svchost, systemd, launchd …) exist before the window opens;
// during the window, process creations are drawn from weighted parent →
// child scenarios (explorer → chrome, cmd → whoami, cron → sh → python3,
// Word → encoded PowerShell …). A parent that is not running is started
// first (explorer by userinit by winlogon), with its own
// DeviceProcessEvents row and, for a new user session, the logon event of
// that session, so InitiatingProcessId / InitiatingProcessParentId and
// LogonId link rows the way hunting queries join them. Around each process
// the simulation writes the connections (DeviceNetworkEvents), file,
// registry and image load events and other device events it causes, all
// with the process as InitiatingProcess*.
//
// A small share of the scenarios are suspicious activity that real hunting
// queries look for: encoded PowerShell from Office, certutil -urlcache,
// vssadmin delete shadows, wevtutil cl, net user /add, schtasks /create,
// Mimikatz, comsvcs MiniDump of lsass, regsvr32 scrobj, mshta, rclone,
// web shells under w3wp and nginx, curl | bash, reverse shells. Each raises
// an alert: AlertInfo, AlertEvidence (one row per entity), SecurityAlert,
// SecurityIncident (alerts on the same device or user within a day are one
// incident, updated as analysts work and close it), DeviceAlertEvents and
// BehaviorInfo/BehaviorEntities all describe the same alerts, together
// with identity, cloud app and email alerts.
//
// # The other tables
//
// Inventory tables (DeviceInfo, DeviceNetworkInfo, Heartbeat,
// IdentityInfo …) report a few times a day per device or user. Sign-ins,
// directory audit, Office and Azure activity, email (with attachments,
// URLs, clicks and post-delivery actions), the Windows security log (4624
// and 4625 from the simulated logons, 4688 from the simulated processes),
// Syslog and firewall CommonSecurityLog get rows in proportion to Rows.
// Every other table, including custom (*_CL) ones, is filled generically:
// each column gets a plausible value of its type from its name (…Id, …IP…,
// …Url, …Time…, dynamic columns as small JSON objects or arrays).
//
// Throughout, TimeGenerated equals Timestamp, Type is the table name,
// TenantId is the workspace id, strings are never null, columns with a
// documented value set (schema.Catalogue.ValueSet) or action types hold
// only those values (or the empty string where the real product leaves the
// value unset), and activity follows office hours and weekends.
//
// # Determinism and speed
//
// The same Seed, Now, Days and Rows give the same rows: one generator draws
// every random number in a fixed order. Rows are generated in batches and
// streamed to one store.Writer per table, whose goroutine appends them with
// the DuckDB appender and commits them (every million rows or so, which
// bounds DuckDB's memory) in the background while the generator moves on;
// the workspace is checkpointed at the end. Most of the time is
// DuckDB's (appending and compressing); see BenchmarkGenerate.
package sampledata
