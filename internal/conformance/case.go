package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Case is one documented example: a query and the result its page shows.
type Case struct {
	// ID is "<page>#<n>", n counting the kusto code blocks of the page.
	ID string `json:"id"`
	// Doc is the page the case comes from, e.g. strcat-function.md.
	Doc string `json:"doc"`
	// Query is the KQL text of the example.
	Query string `json:"query"`
	// Columns are the column names of the documented result, in order.
	Columns []string `json:"columns"`
	// Rows are the documented rows, one cell string per column, as the page
	// shows them.
	Rows [][]string `json:"rows"`
	// Ordered reports that the query fixes the row order.
	Ordered bool `json:"ordered"`
	// Notes holds "; "-separated remarks about the case.
	Notes string `json:"notes"`
}

// Load reads the cases of a JSON Lines file such as cases.jsonl. It fails
// on a malformed line, a case without an id, a repeated id, or a row whose
// cell count differs from the column count.
func Load(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load conformance cases: %w", err)
	}
	defer f.Close()
	var cases []Case
	seen := make(map[string]int)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(text, &c); err != nil {
			return nil, fmt.Errorf("load conformance cases: %s:%d: %w", path, line, err)
		}
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("load conformance cases: %s:%d: %w", path, line, err)
		}
		if prev, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("load conformance cases: %s:%d: case %q repeats line %d", path, line, c.ID, prev)
		}
		seen[c.ID] = line
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load conformance cases: %s: %w", path, err)
	}
	return cases, nil
}

func (c *Case) validate() error {
	if c.ID == "" {
		return errors.New("case without an id")
	}
	if strings.TrimSpace(c.Query) == "" {
		return fmt.Errorf("case %q has no query", c.ID)
	}
	for i, r := range c.Rows {
		if len(r) != len(c.Columns) {
			return fmt.Errorf("case %q row %d has %d cells for %d columns", c.ID, i, len(r), len(c.Columns))
		}
	}
	return nil
}

// madeUpNote introduces the note that lists column names the query does
// not contain.
const madeUpNote = "column name(s) not in the query text (engine-made name or doc error): "

// MadeUpColumns returns the column names that the case's notes mark as not
// occurring in the query: names the page may have made up (result for an
// unnamed print column that Kusto calls print_0). Compare matches those
// columns by position only.
func (c Case) MadeUpColumns() []string {
	for _, note := range strings.Split(c.Notes, "; ") {
		if rest, ok := strings.CutPrefix(note, madeUpNote); ok {
			var names []string
			for _, n := range strings.Split(rest, ",") {
				if n = strings.TrimSpace(n); n != "" {
					names = append(names, n)
				}
			}
			return names
		}
	}
	return nil
}
