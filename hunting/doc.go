// Package hunting keeps the workspace's saved hunting queries: named KQL
// queries with their ATT&CK tactics and techniques, as Sentinel's Hunting
// page lists them. Solutions install theirs (content) and Sentinel hunting
// YAML imports as them (analytics). A query is checked against the table
// catalogue when it is saved, so a saved query always binds.
package hunting
