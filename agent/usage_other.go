//go:build !linux

package agent

import (
	"runtime"
	"runtime/metrics"
)

// selfUsage is the Go runtime's own estimate where /proc is missing: CPU
// seconds from runtime/metrics and the memory obtained from the OS.
func selfUsage() (cpuSeconds float64, rss int64, ok bool) {
	s := []metrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0, 0, false
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return s[0].Value.Float64() - s[1].Value.Float64(), int64(ms.Sys), true
}
