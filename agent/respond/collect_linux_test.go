package respond

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestProcNetAddr(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0100007F:0050", "127.0.0.1:80"},
		{"00000000:1F90", "0.0.0.0:8080"},
		{"0101FEA9:1D0B", "169.254.1.1:7435"},
		{"00000000000000000000000001000000:0016", "[::1]:22"},
		{"000080FE00000000FF57B5C2D0DF7E8A:0035", "[fe80::c2b5:57ff:8a7e:dfd0]:53"},
	} {
		got, err := procNetAddr(c.in)
		if err != nil || got.String() != c.want {
			t.Errorf("procNetAddr(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "0100007F", "zz00007F:0050", "0100007F:10000", "01007F:0050"} {
		if _, err := procNetAddr(bad); err == nil {
			t.Errorf("procNetAddr(%q) succeeded", bad)
		}
	}
}

func utmpRecord(typ int16, pid int32, line, user, host string, sec int32) []byte {
	r := make([]byte, utmpRecordSize)
	binary.LittleEndian.PutUint16(r[0:], uint16(typ))
	binary.LittleEndian.PutUint32(r[4:], uint32(pid))
	copy(r[8:40], line)
	copy(r[44:76], user)
	copy(r[76:332], host)
	binary.LittleEndian.PutUint32(r[340:], uint32(sec))
	return r
}

func TestParseUtmp(t *testing.T) {
	b := append(utmpRecord(7, 42, "pts/0", "alice", "192.0.2.7", 1700000000), utmpRecord(8, 43, "pts/1", "", "", 1700000100)...)
	b = append(b, utmpRecord(99, 1, "x", "x", "x", 0)...) // unknown type: skipped
	b = append(b, 1, 2, 3)                                // a partial record: skipped
	got := string(parseUtmp(b, 0))
	want := "type\tpid\tline\tuser\thost\ttime\n" +
		"USER_PROCESS\t42\tpts/0\talice\t192.0.2.7\t2023-11-14T22:13:20Z\n" +
		"DEAD_PROCESS\t43\tpts/1\t\t\t2023-11-14T22:15:00Z\n"
	if got != want {
		t.Errorf("parseUtmp =\n%s\nwant\n%s", got, want)
	}
	if got := string(parseUtmp(b, 1)); strings.Contains(got, "alice") {
		t.Errorf("parseUtmp(last 1) kept the first record:\n%s", got)
	}
}

func FuzzParseUtmp(f *testing.F) {
	f.Add(utmpRecord(7, 42, "pts/0", "alice", "192.0.2.7", 1700000000), 0)
	f.Add([]byte{1, 2, 3}, 1)
	f.Fuzz(func(t *testing.T, b []byte, last int) {
		parseUtmp(b, last)
	})
}

func FuzzProcNetAddr(f *testing.F) {
	for _, s := range []string{"0100007F:0050", "00000000000000000000000001000000:0016", ":", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ap, err := procNetAddr(s)
		if err == nil && !ap.IsValid() {
			t.Errorf("procNetAddr(%q) = invalid %v without error", s, ap)
		}
	})
}
