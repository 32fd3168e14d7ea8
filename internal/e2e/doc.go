// Package e2e tests Goshawk end to end: each test builds nothing itself
// but runs the goshawk binary that TestMain builds once, as a separate
// process on a fresh workspace directory, and talks to it over HTTPS the
// way a shipper, an analyst or an Azure SDK client would.
//
// The model is the one a user sees. A workspace directory gets its tokens
// from `goshawk token create` before the server starts (the server holds
// the workspace lock); `goshawk server --listen 127.0.0.1:0` prints the
// URL and workspace id on its first stdout line, and the client trusts the
// CA the server generated into the directory. A test stops the server the
// way an operator or a crash would — SIGTERM or SIGKILL — and starts it
// again on the same directory to check what survived.
//
// What the tests hold the server to:
//
//   - TestRoundTripRestart: rows sent through the Logs Ingestion API and
//     the HTTP Data Collector API come back with exact values of every
//     type, and identically after a graceful restart.
//   - TestBadInput: every kind of bad request gets its status, error code
//     and a message naming the problem, and writes nothing.
//   - TestCustomTableExtendRestart: a custom table extended by a second
//     PUT reopens with its extended schema.
//   - TestQueueFull: a full commit queue answers 429 with Retry-After,
//     and exactly the rows acknowledged with 204 are stored.
//   - TestKill9NoAcknowledgedRowLost: a 204 means durable; a batch is all
//     or nothing, even across kill -9.
//   - TestAzureSDK: the official Azure SDK for Go clients for querying
//     (sdk/monitor/query/azlogs v1.0.0) and for the Logs Ingestion API
//     (sdk/monitor/ingestion/azlogs v1.1.0) work unmodified over TLS with
//     a static token credential.
//
// TestMain builds ./cmd/goshawk from the working tree; GOSHAWK_E2E_BIN
// names a binary to test instead. The tests are skipped with -short. The
// package has no non-test code besides this comment.
package e2e
