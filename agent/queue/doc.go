// Package queue is the agent's bounded on-disk event queue.
//
// Events are added one at a time; each gets the next per-device ReportID.
// Pending events are sealed into a batch with the next per-device Seq
// (when BatchEvents are pending, or when the caller flushes, e.g. every
// second) and written as a segment file: written to a temporary name,
// fsynced, renamed and the directory fsynced, so a segment on disk is
// whole. A sealed batch stays until the server acknowledges its Seq; the
// sender reads the oldest first, so delivery is at least once and in Seq
// order, which the server relies on to de-duplicate.
//
// The counters are reserved in blocks and the block's end is persisted
// before any number in it is used, so a restart (even a crash) skips
// ahead and never reuses a Seq or a ReportID.
//
// When the segments exceed MaxBytes the oldest are deleted and their
// events counted as dropped. A segment that fails to decode (a torn
// write, a disk error) is deleted and counted as corrupt; the queue
// carries on with the next one. Events still pending in memory when the
// process dies are lost: at most one flush interval.
//
// # Segment format
//
// A segment is the magic "GSQ1" followed by records, each a little-endian
// uint32 payload length, a little-endian uint32 CRC-32C of the payload,
// and the payload (one JSON agentproto.EventBatch).
package queue
