package result

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteCSV writes t as CSV: a header row of column names, then one record
// per row with each value as FormatValue renders it (null is an empty
// field). Fields are quoted where CSV needs it; lines end in \n.
func WriteCSV(w io.Writer, t *Table) error {
	if t == nil {
		return errors.New("result: write CSV: nil table")
	}
	cw := csv.NewWriter(w)
	record := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		record[i] = c.Name
	}
	if err := cw.Write(record); err != nil {
		return fmt.Errorf("result: write CSV: %w", err)
	}
	for r, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("result: write CSV: table %q row %d has %d values for %d columns", t.Name, r, len(row), len(t.Columns))
		}
		for i, v := range row {
			record[i] = FormatValue(v, t.Columns[i].Type)
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("result: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("result: write CSV: %w", err)
	}
	return nil
}

// Layout of WriteText.
const (
	// textWideLine is the line width beyond which long cells are cut.
	textWideLine = 120
	// textMaxCell is the width a cell is cut to in a wide table.
	textMaxCell = 60
	// textGap separates columns.
	textGap = "  "
)

// WriteText writes t as an aligned table for people: the column names, a
// line of dashes, the rows, and the row count ("3 rows"). Numbers are
// right-aligned, names included; null is blank; newlines, tabs and other control characters
// in values are shown escaped (\n, \t) so that each row stays on one line.
// When a line would be wider than 120 characters, cells longer than 60
// characters are cut and end in "…"; narrower tables are shown in full.
func WriteText(w io.Writer, t *Table) error {
	if t == nil {
		return errors.New("result: write text: nil table")
	}
	n := len(t.Columns)
	cells := make([][]string, len(t.Rows)+1)
	widths := make([]int, n)
	header := make([]string, n)
	for i, c := range t.Columns {
		header[i] = escapeControl(c.Name)
		widths[i] = utf8.RuneCountInString(header[i])
	}
	cells[0] = header
	for r, row := range t.Rows {
		if len(row) != n {
			return fmt.Errorf("result: write text: table %q row %d has %d values for %d columns", t.Name, r, len(row), n)
		}
		line := make([]string, n)
		for i, v := range row {
			line[i] = escapeControl(FormatValue(v, t.Columns[i].Type))
			widths[i] = max(widths[i], utf8.RuneCountInString(line[i]))
		}
		cells[r+1] = line
	}
	total := 0
	for i, wd := range widths {
		if i > 0 {
			total += len(textGap)
		}
		total += wd
	}
	if total > textWideLine {
		for i := range widths {
			widths[i] = min(widths[i], textMaxCell)
		}
	}
	right := make([]bool, n)
	for i, c := range t.Columns {
		right[i] = c.Type.IsNumeric()
	}

	bw := bufio.NewWriter(w)
	var line strings.Builder
	writeLine := func(fields []string) {
		line.Reset()
		for i, f := range fields {
			if i > 0 {
				line.WriteString(textGap)
			}
			f = cut(f, widths[i])
			pad := widths[i] - utf8.RuneCountInString(f)
			if right[i] {
				line.WriteString(strings.Repeat(" ", pad))
				line.WriteString(f)
			} else {
				line.WriteString(f)
				line.WriteString(strings.Repeat(" ", pad))
			}
		}
		bw.WriteString(strings.TrimRight(line.String(), " "))
		bw.WriteByte('\n')
	}
	if n > 0 {
		writeLine(header)
		dashes := make([]string, n)
		for i, wd := range widths {
			dashes[i] = strings.Repeat("-", wd)
		}
		writeLine(dashes)
		for _, row := range cells[1:] {
			writeLine(row)
		}
	}
	switch len(t.Rows) {
	case 1:
		bw.WriteString("1 row\n")
	default:
		bw.WriteString(strconv.Itoa(len(t.Rows)) + " rows\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("result: write text: %w", err)
	}
	return nil
}

// cut shortens s to width runes, ending in an ellipsis when it cuts.
func cut(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if width <= 1 {
		return "…"
	}
	runes := []rune(s)
	return string(runes[:width-1]) + "…"
}

// escapeControl shows control characters as escapes so that a value stays
// on one line and does not move the cursor.
func escapeControl(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
