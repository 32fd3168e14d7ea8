package duckdb

import "strings"

// formatTimespan renders format_timespan(t, f) for a constant format.
func formatTimespan(t string, f string) string {
	var parts []string
	lit := func(s string) { parts = append(parts, Str(s)) }
	for i := 0; i < len(f); {
		n := 1
		for i+n < len(f) && f[i+n] == f[i] {
			n++
		}
		ch := f[i]
		num := func(expr string, width int) {
			parts = append(parts, "lpad(CAST("+expr+" AS VARCHAR), "+itoa(width)+", '0')")
		}
		switch ch {
		case 'd':
			num("(abs("+t+") // 864000000000)", n)
		case 'h', 'H':
			num("((abs("+t+") // 36000000000) % 24)", n)
		case 'm':
			num("((abs("+t+") // 600000000) % 60)", n)
		case 's':
			num("((abs("+t+") // 10000000) % 60)", n)
		case 'f', 'F':
			w := n
			if w > 7 {
				w = 7
			}
			div := 1
			for k := w; k < 7; k++ {
				div *= 10
			}
			num("((abs("+t+") % 10000000) // "+itoa(div)+")", w)
		case '\\':
			if i+1 < len(f) {
				lit(f[i+1 : i+2])
			}
			i += 2
			continue
		default:
			lit(strings.Repeat(string(ch), n))
		}
		i += n
	}
	if len(parts) == 0 {
		return "''"
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
