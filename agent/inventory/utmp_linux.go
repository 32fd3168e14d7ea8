package inventory

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"sort"
)

// utmp record layout (glibc, the same on every 64-bit and 32-bit Linux
// architecture Go supports): 384 bytes, ut_type at 0, ut_user at 44.
const (
	utmpSize       = 384
	utmpUserOffset = 44
	utmpUserLen    = 32
	utUserProcess  = 7
)

// loggedOnUsers returns DeviceInfo.LoggedOnUsers from a utmp file: the
// distinct users with a session, as Defender's JSON array of
// {"UserName","DomainName","Sid"} (no SIDs on Linux; the domain is the
// host). "" when nobody is logged on or the file is unreadable.
func loggedOnUsers(path, host string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	seen := map[string]bool{}
	for off := 0; off+utmpSize <= len(b); off += utmpSize {
		rec := b[off : off+utmpSize]
		if int16(binary.LittleEndian.Uint16(rec)) != utUserProcess && int16(binary.BigEndian.Uint16(rec)) != utUserProcess {
			continue
		}
		user := rec[utmpUserOffset : utmpUserOffset+utmpUserLen]
		if i := bytes.IndexByte(user, 0); i >= 0 {
			user = user[:i]
		}
		if len(user) > 0 {
			seen[string(user)] = true
		}
	}
	if len(seen) == 0 {
		return ""
	}
	type logon struct {
		UserName   string `json:"UserName"`
		DomainName string `json:"DomainName"`
		Sid        string `json:"Sid"`
	}
	var list []logon
	for u := range seen {
		list = append(list, logon{UserName: u, DomainName: host})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].UserName < list[j].UserName })
	out, _ := json.Marshal(list)
	return string(out)
}
