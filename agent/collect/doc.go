// Package collect holds the endpoint sensor's telemetry collectors: process
// creation, network connections, file changes and logons, each a
// sensor.Collector producing rows of the Device* tables.
//
// On Linux the collectors use kernel interfaces that need neither cgo nor
// compiled eBPF objects:
//
//   - process: audit execve/execveat syscall records from the audit
//     netlink socket (an "always,exit" rule keyed goshawk_exec, removed on
//     stop). The kernel writes the argument vector into the record at
//     syscall exit, so a process that exits at once is still reported with
//     its command line; /proc and earlier exec records fill the parent
//     chain. When no audit daemon runs, the collector registers as the
//     daemon: otherwise every record also goes to the kernel log, which on
//     a serial console throttles the audit queue and loses records. Next to
//     a running auditd it reads the read-log multicast group instead. As
//     the daemon it must keep reading: the kernel waits for it.
//   - network: NETLINK_SOCK_DIAG (inet_diag) snapshots of TCP and UDP
//     sockets, diffed at a short interval; socket inodes map to their owning
//     process through /proc/*/fd.
//   - file: fanotify with FAN_REPORT_DFID_NAME on every local filesystem
//     (FAN_MARK_FILESYSTEM), directory handles resolved to paths with
//     open_by_handle_at.
//   - logon: audit USER_AUTH and USER_START records written by PAM, and
//     records appended to wtmp/btmp.
//
// Events caused by the agent itself (its PID as the process or as the
// initiating process) are dropped. On other systems every collector's Run
// returns an error wrapping sensor.ErrUnsupported.
package collect
