// Package detect is the endpoint sensor's on-device detection: it scans
// files the file collector reports as created or written (and files a
// scan command walks) for the EICAR anti-malware test file and for the
// custom file-hash indicators pushed by the server, and raises endpoint
// alerts (AlertInfo + AlertEvidence rows, and a DeviceEvents
// AntivirusDetection row) that the agent queues like any event.
//
// # Model
//
// A Detector is a sensor.FileWatcher. FileWritten only queues the path
// (bounded; a full queue drops and counts); Run, on the agent's run group,
// scans the queue. Scanning is cheap by default: the EICAR rule needs the
// first 128 bytes and the file size, and hashes are computed only when the
// file matched EICAR or when hash indicators are in force. A detection is
// remediated through the Quarantiner the Detector was built with: EICAR
// and Block indicators quarantine the file (Block also stops the processes
// running or holding it); Alert indicators only alert.
//
// ProcessStarted is the process collector's hook: an image whose hashes
// match a file indicator is queued like a written file, so a Block
// indicator kills the processes running it and quarantines it.
// Indicators also matches IP addresses, domains and URLs, for the network
// collector to call; it does not see traffic itself.
//
// A file restored from quarantine is allowed (Allow) while its content is
// unchanged, as Defender treats a restore; the respond package records the
// allowances and hands them back after a restart.
//
// RunTestAlert is `goshawk-agent test-alert`: it drops the test file for
// the running agent and waits for the quarantine.
//
// # EICAR
//
// The EICAR test string is never stored whole in the repository: it is
// joined from two halves at run time (EICAR), so that scanners of the
// source tree and of the agent binary do not flag them. The rule is the
// standard's: a file is the test file when it begins with the 68-byte
// string, optionally followed by whitespace (space, tab, CR, LF, Ctrl-Z),
// and is at most 128 bytes long.
package detect
