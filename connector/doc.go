// Package connector is the SIEM's data connectors, as Sentinel presents
// them: a connector has data types (each a set of tables it writes), each
// enabled or not, and a live status — connected or not, when a row last
// arrived and how many arrived in the last hour and day per data type, the
// last error.
//
// The Goshawk Endpoint connector (Endpoint) joins the EDR backend to the
// workspace: the backend asks it which Device* and Alert* tables to store
// (edr.Connector), and it turns the alerts the sensors raise — AlertInfo
// and AlertEvidence rows, Defender's shape — into SecurityAlert rows as
// Sentinel's Defender connector does, with Sentinel's entity JSON. Those
// rows are read through the KQL engine and written through ingestion, like
// every other reader and source.
//
// Doctor checks every enabled connector: its validation queries, and when
// nothing arrives, the reason in words an admin can act on.
package connector
