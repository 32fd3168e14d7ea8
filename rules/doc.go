// Package rules runs analytics rules: the workspace's stored rule
// definitions (analytics.Definition, imported from Sentinel's YAML or ARM
// JSON) and the scheduler that evaluates them.
//
// A scheduled rule is evaluated over aligned, contiguous windows: the
// window ending at E (a multiple of the rule's frequency since the Unix
// epoch) covers [E - queryPeriod, E) of TimeGenerated with now() = E, and
// runs once the wall clock passes E plus the ingestion-delay allowance.
// After downtime the missed windows are caught up, at most MaxCatchUp of
// them (older ones are skipped, and health says so). A near-real-time
// (NRT) rule runs every minute over the rows ingested since its last run,
// by ingestion time: [last, U) where U stays below the ingestion
// pipeline's watermark, so that a row committed late is still read by the
// next run — no gaps and no duplicates, whatever the delay. Microsoft
// security rules read SecurityAlert the same way and turn the alerts of a
// product into incidents.
//
// A run's alerts (SecurityAlert rows of ProductName "Goshawk Analytics"),
// its SentinelHealth row and the rule's new state commit in one
// transaction, so a crash repeats a window at most in full and never
// writes its alerts twice. Alerts then go to the incident sink.
package rules
