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
		a.sampling.Store(a.dwell.decide(now, a.overLimit(pct, rss, a.sampling.Load())))
	}
}

// Dwell times of sampling. While sampling, collectors shed the work that
// made the agent go over its cap, so the CPU measured then says little
// about the load still coming: leaving sampling as soon as the CPU is down
// would swing between over and under the cap every interval. Sampling
// therefore lasts at least minDwell, doubled (up to maxDwell) each time it
// starts again within dwellMemory of ending, so that the average over a
// long storm stays near the cap.
const (
	minDwell    = 10 * time.Second
	maxDwell    = 5 * time.Minute
	dwellMemory = 30 * time.Second
)

// samplingDwell holds sampling on for a while once it starts.
type samplingDwell struct {
	sampling bool
	until    time.Time     // sampling holds at least until then
	ended    time.Time     // when sampling last ended
	dwell    time.Duration // the current minimum dwell
}

// decide returns whether to sample now, given whether a cap is exceeded.
func (d *samplingDwell) decide(now time.Time, over bool) bool {
	switch {
	case over && !d.sampling:
		if !d.ended.IsZero() && now.Sub(d.ended) < dwellMemory && d.dwell > 0 {
			d.dwell = min(2*d.dwell, maxDwell)
		} else {
			d.dwell = minDwell
		}
		d.sampling, d.until = true, now.Add(d.dwell)
	case !over && d.sampling && !now.Before(d.until):
		d.sampling, d.ended = false, now
	}
	return d.sampling
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
