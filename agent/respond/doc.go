// Package respond carries out the endpoint sensor's response actions, as
// sensor.CommandHandlers for the agentproto command types: network
// isolation and release (nftables), kill process, stop and quarantine
// file, restore a quarantined file, antivirus scan and the investigation
// package. It also holds the quarantine Vault the detector remediates
// through.
//
// # State
//
// Everything lives under the agent's state directory:
//
//	quarantine/<id>.bin   quarantined content, XOR-obfuscated, mode 0000
//	quarantine/<id>.json  its metadata (original path, owner, mode, times, SHA256, threat)
//	isolation.json        the isolation in force: server addresses allowed
//	packages/<cmd>.zip    investigation packages waiting for upload
//
// # Isolation
//
// Isolation is a dedicated nftables table, inet goshawk_isolation, whose
// input, output and forward chains drop everything but loopback, the
// Goshawk server's addresses and port (resolved when isolating and
// persisted), DHCP (so the device keeps its address) and IPv6 neighbour
// discovery; when the server URL names a host rather than an address, DNS
// (port 53 only) to the resolvers of resolv.conf stays open too, so that
// the agent can still resolve it. The table is replaced atomically. It persists across agent
// restarts by itself (the kernel keeps it) and across host restarts
// through isolation.json, which the agent re-applies at start (Reapply);
// between boot and the agent's start the host is not isolated. Release
// deletes the table and the state file.
//
// # Blocked addresses
//
// Indicators with the Block action (SetIndicators: the Responder is the
// agent's IndicatorSink and hands the set to the detector) are dropped in
// both directions by a second table, inet goshawk_block: IP addresses, and
// the addresses domain and URL indicators' host names resolve to. The
// table is replaced whenever the set or the resolution changes and when an
// indicator expires.
//
// Linux is the only implementation; elsewhere the handlers answer Failed
// with sensor.ErrUnsupported.
package respond
