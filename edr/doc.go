// Package edr is the server side of the endpoint sensor: onboarding
// packages and enrollment, the device registry and its health, the
// ingestion of agents' inventory and event batches, response actions
// (machine actions) and custom indicators.
//
// # Model
//
// A device is enrolled once with an enrollment token from an onboarding
// package; the Service signs a client certificate for the agent's own key
// whose common name is the DeviceId, and from then on a device is
// authenticated by that certificate alone (mutual TLS): the certificate
// must chain to the workspace CA, name a known device that is not
// offboarded, and be the one most recently issued to it.
//
// Device records, enrollment tokens, machine actions, indicators and the
// audit trail live in the workspace's goshawk schema beside the settings,
// so no KQL query can read them. What analysts query — DeviceInfo,
// DeviceNetworkInfo and the agents' Device* and Alert* events — goes
// through the workspace's ingestion pipeline like any other row.
//
// # Exactly once
//
// An agent numbers its event batches (agentproto.EventBatch.Seq). The
// rows of a batch and the device's new sequence number are committed in
// one transaction (store.Batch.Stmts), guarded by a statement that fails
// when the recorded number is already at least the batch's. A batch whose
// number is not above the recorded one is acknowledged as a duplicate
// without being stored, so a batch resent after a lost acknowledgement —
// or after the server crashed between commit and answer — is stored once.
// Batches of one device are handled one at a time.
//
// # Health
//
// A device whose last heartbeat is older than Config.InactiveAfter is
// Inactive. Sweep (run periodically by Run) records each change of a
// device's SensorHealthState as a DeviceInfo row, as enrollment and every
// change of inventory do.
package edr
