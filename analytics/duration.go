package analytics

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration limits Sentinel enforces.
const (
	MinQueryInterval    = 5 * time.Minute
	MaxQueryInterval    = 14 * 24 * time.Hour
	MinLookback         = 5 * time.Minute
	MaxLookback         = 7 * 24 * time.Hour
	MinSuppression      = 5 * time.Minute
	MaxSuppression      = 24 * time.Hour
	longPeriod          = 2 * 24 * time.Hour
	minLongPeriodPeriod = time.Hour
	day                 = 24 * time.Hour
	maxDurationDays     = 10000 // keeps every accepted duration far from overflow
)

// ParseDuration reads a duration as Sentinel writes one: the YAML
// shorthand (5m, 1h, 14d), an ISO 8601 duration (PT5M, P1D, P1DT12H, P2W)
// or a .NET time span (00:05:00, 14.00:00:00). Months and years are
// refused: their length is not fixed.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var d time.Duration
	var err error
	switch {
	case t[0] == 'P' || t[0] == 'p':
		d, err = parseISODuration(t)
	case strings.Contains(t, ":"):
		d, err = parseTimeSpan(t)
	default:
		d, err = parseShorthand(t)
	}
	if err != nil {
		return 0, fmt.Errorf("%q: %v", s, err)
	}
	return d, nil
}

const durationForms = "want a number and unit (5m, 1h, 14d) or ISO 8601 (PT5M, P1D)"

func parseShorthand(s string) (time.Duration, error) {
	unit := s[len(s)-1]
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("%s", durationForms)
	}
	var u time.Duration
	switch unit {
	case 's':
		u = time.Second
	case 'm':
		u = time.Minute
	case 'h':
		u = time.Hour
	case 'd':
		u = day
	default:
		return 0, fmt.Errorf("%s", durationForms)
	}
	if time.Duration(n) > maxDurationDays*day/u {
		return 0, fmt.Errorf("too long")
	}
	return time.Duration(n) * u, nil
}

// parseISODuration reads PnWnDTnHnMnS (integers only, except seconds,
// which may have a fraction).
func parseISODuration(s string) (time.Duration, error) {
	rest := strings.ToUpper(s[1:])
	if rest == "" || rest == "T" {
		return 0, fmt.Errorf("%s", durationForms)
	}
	var total time.Duration
	inTime := false
	seen := false
	order := 0
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, fmt.Errorf("%s", durationForms)
			}
			inTime = true
			rest = rest[1:]
			if rest == "" {
				return 0, fmt.Errorf("%s", durationForms)
			}
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%s", durationForms)
		}
		num, unit := rest[:i], rest[i]
		rest = rest[i+1:]
		var u time.Duration
		var rank int
		switch {
		case !inTime && unit == 'W':
			u, rank = 7*day, 1
		case !inTime && unit == 'D':
			u, rank = day, 2
		case inTime && unit == 'H':
			u, rank = time.Hour, 3
		case inTime && unit == 'M':
			u, rank = time.Minute, 4
		case inTime && unit == 'S':
			u, rank = time.Second, 5
		case !inTime && (unit == 'Y' || unit == 'M'):
			return 0, fmt.Errorf("years and months have no fixed length")
		default:
			return 0, fmt.Errorf("%s", durationForms)
		}
		if rank <= order {
			return 0, fmt.Errorf("%s", durationForms)
		}
		order = rank
		if unit == 'S' {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f > maxDurationDays*86400 {
				return 0, fmt.Errorf("%s", durationForms)
			}
			total += time.Duration(f * float64(time.Second))
		} else {
			n, err := strconv.Atoi(num)
			if err != nil || time.Duration(n) > maxDurationDays*day/u {
				return 0, fmt.Errorf("%s", durationForms)
			}
			total += time.Duration(n) * u
		}
		seen = true
	}
	if !seen {
		return 0, fmt.Errorf("%s", durationForms)
	}
	if total > maxDurationDays*day {
		return 0, fmt.Errorf("too long")
	}
	return total, nil
}

// parseTimeSpan reads .NET's [d.]hh:mm[:ss].
func parseTimeSpan(s string) (time.Duration, error) {
	days := 0
	clock := s
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 || n > maxDurationDays {
			return 0, fmt.Errorf("%s", durationForms)
		}
		days, clock = n, s[i+1:]
	}
	parts := strings.Split(clock, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%s", durationForms)
	}
	limits := []int{23, 59, 59}
	units := []time.Duration{time.Hour, time.Minute, time.Second}
	total := time.Duration(days) * day
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > limits[i] || p[0] == '+' {
			return 0, fmt.Errorf("%s", durationForms)
		}
		total += time.Duration(n) * units[i]
	}
	return total, nil
}

// FormatDuration writes d in Sentinel's YAML shorthand, in the largest unit
// that divides it (14d, 1h, 90m). Durations that are not whole minutes are
// written in seconds.
func FormatDuration(d time.Duration) string {
	switch {
	case d%day == 0 && d != 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0 && d != 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}

// FormatISODuration writes d as an ISO 8601 duration, as ARM properties
// hold them (PT5M, PT1H, P1D, P1DT12H).
func FormatISODuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteByte('P')
	if days := d / day; days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * day
	}
	if d > 0 {
		b.WriteByte('T')
		if h := d / time.Hour; h > 0 {
			fmt.Fprintf(&b, "%dH", h)
			d -= h * time.Hour
		}
		if m := d / time.Minute; m > 0 {
			fmt.Fprintf(&b, "%dM", m)
			d -= m * time.Minute
		}
		if d > 0 {
			b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
			b.WriteByte('S')
		}
	}
	return b.String()
}

// humanDuration writes a limit for messages (5 minutes, 14 days).
func humanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.FormatInt(n, 10) + " " + unit + "s"
	}
	switch {
	case d%day == 0 && d != 0:
		return plural(int64(d/day), "day")
	case d%time.Hour == 0 && d != 0:
		return plural(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return d.String()
}
