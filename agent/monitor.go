package agent

import (
	"context"
	"time"
)

// monitorLoop measures the agent's CPU and memory and turns sampling on
// when either is over its cap, off again when both are below 80% of it.
func (a *Agent) monitorLoop(ctx context.Context) {
	lastCPU, rss, ok := selfUsage()
	lastAt := time.Now()
	a.mu.Lock()
	a.rss = rss
	a.mu.Unlock()
	t := time.NewTicker(a.cfg.MonitorInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cpu, rss, ok2 := selfUsage()
		now := time.Now()
		var pct float64
		if ok && ok2 {
			if el := now.Sub(lastAt).Seconds(); el > 0 {
				pct = (cpu - lastCPU) / el * 100
			}
		}
		lastCPU, lastAt, ok = cpu, now, ok2
		a.mu.Lock()
		a.cpu, a.rss = pct, rss
		a.mu.Unlock()
		a.sampling.Store(a.overLimit(pct, rss, a.sampling.Load()))
	}
}

// overLimit decides sampling with hysteresis: on above a cap, off only
// below 80% of every cap.
func (a *Agent) overLimit(cpu float64, rss int64, sampling bool) bool {
	factor := 1.0
	if sampling {
		factor = 0.8
	}
	over := a.cfg.CPUPercent > 0 && cpu > a.cfg.CPUPercent*factor
	over = over || a.cfg.MemoryBytes > 0 && float64(rss) > float64(a.cfg.MemoryBytes)*factor
	return over
}
