package analytics

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// placeholderSpans finds the {{...}} placeholders of format (none of whose
// names contain a brace) and returns, for each, its start and end offsets
// and its trimmed name.
func placeholderSpans(format string) (spans [][2]int, names []string) {
	for i := 0; i+1 < len(format); {
		if format[i] != '{' || format[i+1] != '{' {
			i++
			continue
		}
		j := i + 2
		for j < len(format) && format[j] != '{' && format[j] != '}' {
			j++
		}
		if j+1 < len(format) && format[j] == '}' && format[j+1] == '}' {
			spans = append(spans, [2]int{i, j + 2})
			names = append(names, strings.TrimSpace(format[i+2:j]))
			i = j + 2
			continue
		}
		i++
	}
	return spans, names
}

// Placeholders returns the column names of the {{Column}} placeholders in
// an alert name or description format, in order, repeats included.
func Placeholders(format string) []string {
	_, names := placeholderSpans(format)
	return names
}

// RenderFormat replaces each {{Column}} placeholder in format with the
// value of that column in row. A placeholder whose column the row lacks is
// left as written, as Sentinel leaves it. Values are written as KQL's
// tostring() would: strings as they are, datetimes in ISO 8601 UTC,
// dynamic values as JSON, null as the empty string.
//
// Sentinel falls back to the rule's own name or description when a
// placeholder's value is empty; callers that want that test the values
// with Placeholders before rendering.
func RenderFormat(format string, row map[string]any) string {
	spans, names := placeholderSpans(format)
	if len(spans) == 0 {
		return format
	}
	var b strings.Builder
	last := 0
	for i, s := range spans {
		b.WriteString(format[last:s[0]])
		if v, ok := row[names[i]]; ok {
			b.WriteString(FormatValue(v))
		} else {
			b.WriteString(format[s[0]:s[1]])
		}
		last = s[1]
	}
	b.WriteString(format[last:])
	return b.String()
}

// FormatValue writes a result value as KQL's tostring() does.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.9999999Z")
	case time.Duration:
		return formatTimespan(x)
	case fmt.Stringer:
		return x.String()
	case map[string]any, []any:
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// formatTimespan writes d as KQL prints a timespan: [-][d.]hh:mm:ss[.fffffff].
func formatTimespan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days := d / day
	d -= days * day
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	s := d / time.Second
	d -= s * time.Second
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, s)
	if d > 0 {
		fmt.Fprintf(&b, ".%07d", d/100)
	}
	return b.String()
}
