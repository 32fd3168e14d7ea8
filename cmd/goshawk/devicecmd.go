package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/result"
)

var deviceVerbs = map[string]subcommand{
	"list":     {"list [--name N] [--health H] [--os OS] [--seen-within D] WORKSPACE", (*cli).deviceList},
	"show":     {"show DEVICE WORKSPACE", (*cli).deviceShow},
	"timeline": {"timeline DEVICE [--from T] [--to T] [--type T] [--limit N] [--skip N] WORKSPACE", (*cli).deviceTimeline},
	"offboard": {"offboard DEVICE WORKSPACE", (*cli).deviceOffboard},
}

// deviceOffboard offboards a device: its certificate is refused from then
// on, until it is onboarded again.
func (c *cli) deviceOffboard(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "device offboard", "device offboard DEVICE WORKSPACE", 1, func(b edrBackend, pos []string) error {
		if err := b.Offboard(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "offboarded device %s\n", pos[0])
		return nil
	})
}

// device shows the device inventory.
func (c *cli) device(ctx context.Context, args []string) error {
	return c.dispatch(ctx, "device", deviceVerbs, args)
}

func (c *cli) deviceList(ctx context.Context, args []string) error {
	const synopsis = "device list [--name N] [--health H] [--os OS] [--seen-within D] WORKSPACE"
	fs := c.newFlags("device list", synopsis)
	t := targetFlags(fs)
	var f edr.DeviceFilter
	fs.StringVar(&f.Name, "name", "", "keep devices whose name contains `text`")
	fs.StringVar(&f.Health, "health", "", "keep devices in this SensorHealthState (Active, Inactive, …)")
	fs.StringVar(&f.OS, "os", "", "keep devices of this OS platform (Linux, Windows10, macOS…)")
	within := fs.Duration("seen-within", 0, "keep devices seen within this `duration`")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, synopsis); err != nil {
		return err
	}
	if *within > 0 {
		f.SeenAfter = time.Now().Add(-*within)
	}
	return c.withEDR(ctx, t, "device list", func(b edrBackend) error {
		devs, err := b.Devices(ctx, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tOS\tHEALTH\tLAST SEEN\tAGENT")
		for _, d := range devs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, strings.TrimSpace(d.OSPlatform+" "+d.OSVersion), d.HealthStatus, d.LastSeen.UTC().Format(time.RFC3339), d.ClientVersion)
		}
		return tw.Flush()
	})
}

func (c *cli) deviceShow(ctx context.Context, args []string) error {
	return c.positionalEDR(ctx, args, "device show", "device show DEVICE WORKSPACE", 1, func(b edrBackend, pos []string) error {
		d, err := b.Device(ctx, pos[0])
		if err != nil {
			return err
		}
		data, _ := json.MarshalIndent(d, "", "  ")
		fmt.Fprintln(c.stdout, string(data))
		return nil
	})
}

func (c *cli) deviceTimeline(ctx context.Context, args []string) error {
	const synopsis = "device timeline DEVICE [--from T] [--to T] [--type T] [--limit N] [--skip N] WORKSPACE"
	fs := c.newFlags("device timeline", synopsis)
	t := targetFlags(fs)
	from := fs.String("from", "", "earliest event `time` (RFC 3339) or age (24h)")
	to := fs.String("to", "", "events before this `time` (RFC 3339)")
	var q edr.TimelineQuery
	fs.StringVar(&q.Type, "type", "", "keep one table (DeviceProcessEvents) or ActionType (ProcessCreated)")
	fs.IntVar(&q.Limit, "limit", 50, "events per page")
	fs.IntVar(&q.Skip, "skip", 0, "events to skip")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, synopsis); err != nil {
		return err
	}
	for _, p := range []struct {
		s   string
		dst *time.Time
	}{{*from, &q.From}, {*to, &q.To}} {
		if p.s == "" {
			continue
		}
		if d, err := time.ParseDuration(p.s); err == nil {
			*p.dst = time.Now().Add(-d)
		} else if tm, err := time.Parse(time.RFC3339Nano, p.s); err == nil {
			*p.dst = tm
		} else {
			return fmt.Errorf("%w: %q is neither an RFC 3339 time nor a duration", errUsage, p.s)
		}
	}
	return c.withEDR(ctx, t, "device timeline", func(b edrBackend) error {
		tl, err := b.Timeline(ctx, pos[0], q)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIMESTAMP\tTABLE\tACTION\tDETAILS")
		for _, ev := range tl.Events {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", timelineTime(ev["Timestamp"]), ev["Table"], ev["ActionType"], timelineDetails(ev))
		}
		if tl.More {
			fmt.Fprintf(tw, "… more: --skip %d\n", q.Skip+len(tl.Events))
		}
		return tw.Flush()
	})
}

func timelineTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return result.FormatDateTime(t)
	case string:
		return t
	}
	return fmt.Sprint(v)
}

// timelineDetails prints an event's other columns as name=value.
func timelineDetails(ev map[string]any) string {
	var keys []string
	for k := range ev {
		switch k {
		case "Timestamp", "Table", "ActionType", "ReportId":
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, ev[k]))
	}
	return strings.Join(parts, " ")
}
