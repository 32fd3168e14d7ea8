// Package agent is the endpoint sensor's run loop. It owns no telemetry
// mechanism itself: it runs the collectors, command handlers and
// indicator sinks it is given (package sensor's interfaces) and connects
// them to the server through a small Server interface (the transport)
// and to the on-disk queue.
//
// # Model
//
// Run starts, in one run group: each collector on its own goroutine (a
// collector that returns ErrUnsupported is reported "unsupported" with
// the reason and never restarted; one that fails is reported "failed" and
// restarted with backoff), a flusher that seals pending events into a
// batch every BatchInterval, a sender that delivers the queue's batches
// in Seq order one at a time and deletes each once acknowledged, the
// heartbeat (which also notices a new indicator version and fetches the
// set), the inventory (at start, when it changes, daily), the command
// poller (long poll; each command runs once on its own goroutine even if
// the server redelivers it while it runs) and the resource monitor.
//
// The Agent is the collectors' sensor.Emitter: Emit stamps DeviceId,
// DeviceName and Timestamp where the row lacks them, and the queue gives
// the event its ReportID. When the agent's CPU or memory is over its
// limits, Emit keeps one event in SampleEvery (never alerts) and counts
// the rest in Health.Sampled; collectors then show "sampling".
//
// Shutdown order: the collectors stop first, then the queue is flushed so
// that no emitted event is lost, then the network loops end.
package agent
