// Package inventory describes the device as DeviceInfo and
// DeviceNetworkInfo rows (catalogue column names and value sets): the
// operating system, names, hardware, and each network adapter with its
// addresses. The agent sends it at start, when it changes and daily; the
// server adds DeviceId, Timestamp and ReportId. Linux reads /etc and
// /sys; other systems report what the Go standard library knows.
package inventory
