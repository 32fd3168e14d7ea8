package collect

import (
	"path/filepath"
	"time"
)

// rfc3339 formats a Unix-ns time as the rows carry datetimes.
func rfc3339(ns int64) string {
	if ns == 0 {
		return ""
	}
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// elevation maps uid/euid onto the catalogue's token elevation values:
// a process running as root on behalf of another user is elevated.
func elevation(p *procInfo) string {
	if p.EUID == 0 && p.AccountUID != 0 {
		return "TokenElevationTypeFull"
	}
	return "TokenElevationTypeDefault"
}

// putProcess fills the created-process columns of DeviceProcessEvents.
func putProcess(row map[string]any, p *procInfo, domain string) {
	row["FileName"] = p.Name
	row["FolderPath"] = p.Path
	row["SHA256"], row["SHA1"], row["MD5"] = p.SHA256, p.SHA1, p.MD5
	row["FileSize"] = p.Size
	row["ProcessId"] = p.PID
	row["ProcessCommandLine"] = p.CommandLine
	row["ProcessCreationTime"] = rfc3339(p.StartTime)
	row["ProcessTokenElevation"] = elevation(p)
	row["AccountName"] = p.AccountName
	row["AccountDomain"] = domain
	if p.Session >= 0 {
		row["LogonId"] = p.Session
		row["CreatedProcessSessionId"] = p.Session
	}
}

// putInitiating fills the InitiatingProcess* columns from the process
// that caused the event and its parent (either may be nil when gone).
func putInitiating(row map[string]any, ip, parent *procInfo, domain string) {
	if ip != nil {
		row["InitiatingProcessFileName"] = ip.Name
		row["InitiatingProcessFolderPath"] = ip.Path
		row["InitiatingProcessId"] = ip.PID
		row["InitiatingProcessCommandLine"] = ip.CommandLine
		row["InitiatingProcessCreationTime"] = rfc3339(ip.StartTime)
		row["InitiatingProcessSHA256"] = ip.SHA256
		row["InitiatingProcessSHA1"] = ip.SHA1
		row["InitiatingProcessMD5"] = ip.MD5
		row["InitiatingProcessFileSize"] = ip.Size
		row["InitiatingProcessAccountName"] = ip.AccountName
		row["InitiatingProcessAccountDomain"] = domain
		row["InitiatingProcessTokenElevation"] = elevation(ip)
		row["InitiatingProcessParentId"] = ip.ParentPID
		if ip.Session >= 0 {
			row["InitiatingProcessLogonId"] = ip.Session
			row["InitiatingProcessSessionId"] = ip.Session
		}
	}
	if parent != nil {
		row["InitiatingProcessParentId"] = parent.PID
		row["InitiatingProcessParentFileName"] = parent.Name
		row["InitiatingProcessParentCreationTime"] = rfc3339(parent.StartTime)
	}
}

// initiating describes pid and its parent for the InitiatingProcess*
// columns; either result is nil when the process is gone.
func (t *ProcessTable) initiating(pid int) (ip, parent *procInfo) {
	ip, err := t.info(pid)
	if err != nil {
		return nil, nil
	}
	parent, _ = t.info(ip.ParentPID)
	return ip, parent
}

// splitPath returns the directory and file name of a path.
func splitPath(p string) (dir, name string) {
	return filepath.Dir(p), filepath.Base(p)
}
