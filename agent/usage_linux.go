package agent

import (
	"os"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

// selfUsage reads the process's CPU seconds (user+system) from
// /proc/self/stat and its resident set from /proc/self/statm.
func selfUsage() (cpuSeconds float64, rss int64, ok bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, 0, false
	}
	// The command name may hold spaces; fields count from after ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, 0, false
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	m, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, 0, false
	}
	mf := strings.Fields(string(m))
	if len(mf) < 2 {
		return 0, 0, false
	}
	pages, err := strconv.ParseInt(mf[1], 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return (ut + st) / clockTicks, pages * int64(os.Getpagesize()), true
}
