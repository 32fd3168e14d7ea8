package connector

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
)

// Report is what Doctor found.
type Report struct {
	Generated  time.Time         `json:"generated"`
	Healthy    bool              `json:"healthy"`
	Connectors []ConnectorReport `json:"connectors"`
}

// ConnectorReport is one connector's checks and validation queries.
type ConnectorReport struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Enabled    bool         `json:"enabled"`
	Healthy    bool         `json:"healthy"`
	Checks     []Check      `json:"checks"`
	Validation []Validation `json:"validation"`
}

// Check is one finding: OK, or a problem with what to do about it. A
// warning does not make the connector unhealthy.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Warn   bool   `json:"warning,omitempty"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Validation is a validation query's answer (its first rows, as text).
type Validation struct {
	Query   string     `json:"query"`
	Rows    int        `json:"rows"`
	Columns []string   `json:"columns,omitempty"`
	Sample  [][]string `json:"sample,omitempty"`
	Error   string     `json:"error,omitempty"`
}

// Checker is an optional Source interface: the source's own checks.
type Checker interface {
	Checks(ctx context.Context, st Status) []Check
}

// sampleRows bounds the rows a validation keeps.
const sampleRows = 10

// Doctor checks every enabled connector (and says which are disabled):
// its state, its source's checks, data in the last hour per data type,
// and its validation queries.
func (s *Service) Doctor(ctx context.Context) (Report, error) {
	rep := Report{Generated: s.now().UTC(), Healthy: true}
	sts, err := s.List(ctx)
	if err != nil {
		return Report{}, err
	}
	for _, st := range sts {
		cr := ConnectorReport{ID: st.ID, Title: st.Title, Enabled: st.Enabled, Healthy: true}
		cr.Checks = append(cr.Checks, enabledCheck(st))
		if st.Enabled {
			if c, ok := s.sources[st.ID].(Checker); ok {
				cr.Checks = append(cr.Checks, c.Checks(ctx, st)...)
			}
			cr.Checks = append(cr.Checks, dataCheck(st))
			if st.LastError != "" && st.LastErrorTime != nil && rep.Generated.Sub(*st.LastErrorTime) < time.Hour {
				cr.Checks = append(cr.Checks, Check{Name: "errors", Detail: fmt.Sprintf("last error %s ago: %s",
					rep.Generated.Sub(*st.LastErrorTime).Round(time.Second), st.LastError),
					Fix: "see the server log around that time"})
			}
			for _, q := range st.Validation {
				cr.Validation = append(cr.Validation, s.validate(ctx, q, rep.Generated))
			}
		}
		for _, c := range cr.Checks {
			if !c.OK && !c.Warn {
				cr.Healthy = false
			}
		}
		rep.Healthy = rep.Healthy && cr.Healthy
		rep.Connectors = append(rep.Connectors, cr)
	}
	return rep, nil
}

func enabledCheck(st Status) Check {
	var off []string
	for _, dt := range st.DataTypes {
		if !dt.Enabled {
			off = append(off, dt.Name)
		}
	}
	switch {
	case !st.Enabled:
		return Check{Name: "enabled", Detail: "the connector is disabled: no data arrives from it",
			Fix: "goshawk connectors enable " + st.ID}
	case len(off) > 0:
		return Check{Name: "enabled", OK: true, Warn: true, Detail: "disabled data types (their rows are dropped): " + strings.Join(off, ", "),
			Fix: "goshawk connectors enable " + st.ID + " --data-type " + off[0]}
	}
	return Check{Name: "enabled", OK: true, Detail: "every data type is enabled"}
}

// dataCheck says whether any enabled data type received rows in the last
// hour.
func dataCheck(st Status) Check {
	var with []string
	var total int64
	for _, dt := range st.DataTypes {
		if dt.Enabled && dt.RowsLastHour > 0 {
			with = append(with, fmt.Sprintf("%s %d", dt.Name, dt.RowsLastHour))
			total += dt.RowsLastHour
		}
	}
	if total == 0 {
		c := Check{Name: "data", Detail: "no rows arrived in the last hour"}
		if !st.Connected && st.Reason != "" {
			c.Detail += ": " + st.Reason
		}
		return c
	}
	if !st.Connected && st.Reason != "" {
		return Check{Name: "data", Detail: "rows in the last hour: " + strings.Join(with, ", ") + "; but " + st.Reason + ", so no new rows will come"}
	}
	return Check{Name: "data", OK: true, Detail: "rows in the last hour: " + strings.Join(with, ", ")}
}

func (s *Service) validate(ctx context.Context, q string, now time.Time) Validation {
	v := Validation{Query: q}
	rs, err := s.ws.Query(ctx, q, query.Options{Now: now})
	if err != nil {
		v.Error = err.Error()
		return v
	}
	t := firstTable(rs)
	v.Rows = len(t.Rows)
	for _, c := range t.Columns {
		v.Columns = append(v.Columns, c.Name)
	}
	for i, row := range t.Rows {
		if i == sampleRows {
			break
		}
		cells := make([]string, len(row))
		for j, cell := range row {
			cells[j] = result.FormatValue(cell, t.Columns[j].Type)
		}
		v.Sample = append(v.Sample, cells)
	}
	return v
}

// Clock skew and queue size over which Doctor calls a device unhealthy.
const (
	maxClockSkew  = 2 * time.Minute
	maxQueueBytes = 8 << 20
)

// Checks implements Checker: devices onboarded and active, their clocks,
// their queues and their collectors.
func (d DeviceSource) Checks(ctx context.Context, st Status) []Check {
	devs, err := d.EDR.Devices(ctx, edr.DeviceFilter{})
	if err != nil {
		return []Check{{Name: "devices", Detail: "cannot list devices: " + err.Error()}}
	}
	var onboarded, active []edr.Device
	for _, dv := range devs {
		if dv.Offboarded != nil {
			continue
		}
		onboarded = append(onboarded, dv)
		if dv.HealthStatus == "Active" {
			active = append(active, dv)
		}
	}
	if len(onboarded) == 0 {
		return []Check{{Name: "devices", Detail: "no device is onboarded",
			Fix: "make an onboarding package (goshawk onboarding create --out onboarding.json --server URL --token T), copy it to the device and run " +
				"'goshawk-agent onboard --package onboarding.json --state /var/lib/goshawk-agent' then 'goshawk-agent run --state /var/lib/goshawk-agent' as root"}}
	}
	now := time.Now()
	checks := []Check{}
	if len(active) == 0 {
		sort.Slice(onboarded, func(i, j int) bool { return onboarded[i].LastSeen.After(onboarded[j].LastSeen) })
		last := onboarded[0]
		checks = append(checks, Check{Name: "devices",
			Detail: fmt.Sprintf("%d device(s) onboarded, none active: %s (%s) last reported %s ago", len(onboarded), last.Name, last.ID,
				now.Sub(last.LastSeen).Round(time.Second)),
			Fix: "on the device, check that goshawk-agent runs ('goshawk-agent status --state DIR') and can reach the server's address"})
		return checks
	}
	var names []string
	for _, dv := range active {
		names = append(names, dv.Name)
	}
	checks = append(checks, Check{Name: "devices", OK: true, Detail: fmt.Sprintf("%d of %d onboarded device(s) active: %s",
		len(active), len(onboarded), strings.Join(names, ", "))})

	skew := Check{Name: "clock", OK: true, Detail: "device clocks agree with the server's"}
	queue := Check{Name: "queue", OK: true, Detail: "no device has a backlog of events"}
	sensors := Check{Name: "sensors", OK: true, Detail: "every collector runs"}
	for _, dv := range active {
		if abs(dv.ClockSkew) > maxClockSkew {
			dir := "ahead of"
			if dv.ClockSkew < 0 {
				dir = "behind"
			}
			skew = Check{Name: "clock", Detail: fmt.Sprintf("%s's clock is %s %s the server's: its events carry wrong times and time-window queries miss them",
				dv.Name, abs(dv.ClockSkew).Round(time.Second), dir), Fix: "synchronise the device's clock (timedatectl set-ntp true, or chrony)"}
		}
		if dv.Sensor.QueueBytes > maxQueueBytes || dv.Sensor.QueueDropped > 0 {
			queue = Check{Name: "queue", Detail: fmt.Sprintf("%s has %.1f MiB of events waiting to be sent and dropped %d: it cannot deliver as fast as it collects",
				dv.Name, float64(dv.Sensor.QueueBytes)/(1<<20), dv.Sensor.QueueDropped),
				Fix: "check the device's network path to the server and the server's load (goshawk-agent status shows the queue)"}
		}
		for _, c := range dv.Sensor.Collectors {
			if c.State == "unsupported" || c.State == "failed" {
				sensors = Check{Name: "sensors", OK: true, Warn: true,
					Detail: fmt.Sprintf("%s: the %s collector is %s: %s", dv.Name, c.Name, c.State, c.Reason),
					Fix:    "run the agent as root on a kernel with audit, fanotify and sock_diag"}
			}
		}
	}
	return append(checks, skew, queue, sensors)
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
