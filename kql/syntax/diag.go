package syntax

import (
	"fmt"
	"strings"
)

// Severity ranks a diagnostic.
type Severity uint8

// Severities.
const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a query. Code is stable (see
// codes.go); Message is for people and may change.
type Diagnostic struct {
	From, To Pos
	Code     string
	Severity Severity
	Message  string
}

// Error formats the diagnostic without a source ("offset N: CODE: message").
func (d *Diagnostic) Error() string {
	return fmt.Sprintf("offset %d: %s: %s", d.From, d.Code, d.Message)
}

// Format renders the diagnostic as `line:col: CODE: message` followed by the
// offending line and a caret under the span.
func (d *Diagnostic) Format(src *Source) string {
	p := src.Position(d.From)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %s", p, d.Code, d.Message)
	line := src.Text[p.Offset-(p.Col-1):]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	n := int(d.To - d.From)
	if n < 1 {
		n = 1
	}
	if p.Col-1+n > len(line) {
		n = len(line) - (p.Col - 1)
		if n < 1 {
			n = 1
		}
	}
	b.WriteString("\n  ")
	b.WriteString(line)
	b.WriteString("\n  ")
	for i := 0; i < p.Col-1; i++ {
		if line[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteString(strings.Repeat("^", n))
	return b.String()
}

// ErrorList is the set of diagnostics from one parse or bind. It implements
// error when non-empty.
type ErrorList []*Diagnostic

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Err returns l as an error, or nil when it holds no error-severity entry.
func (l ErrorList) Err() error {
	for _, d := range l {
		if d.Severity == SeverityError {
			return l
		}
	}
	return nil
}
