package inventory

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func TestLoggedOnUsers(t *testing.T) {
	rec := func(typ int16, user string) []byte {
		b := make([]byte, utmpSize)
		binary.LittleEndian.PutUint16(b, uint16(typ))
		copy(b[utmpUserOffset:], user)
		return b
	}
	var data []byte
	for _, r := range [][]byte{rec(2, "reboot"), rec(utUserProcess, "bob"), rec(utUserProcess, "alice"), rec(utUserProcess, "bob"), rec(8, "carol")} {
		data = append(data, r...)
	}
	data = append(data, 1, 2, 3) // a torn last record is ignored
	p := filepath.Join(t.TempDir(), "utmp")
	os.WriteFile(p, data, 0o644)
	want := `[{"UserName":"alice","DomainName":"h.example","Sid":""},{"UserName":"bob","DomainName":"h.example","Sid":""}]`
	if got := loggedOnUsers(p, "h.example"); got != want {
		t.Errorf("loggedOnUsers = %s, want %s", got, want)
	}
	if got := loggedOnUsers(filepath.Join(t.TempDir(), "none"), "h"); got != "" {
		t.Errorf("missing file: %q", got)
	}
}
