package analytics

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one problem with one field of a definition.
type FieldError struct {
	// Path names the field as the source spells it, with list indexes:
	// entityMappings[2].fieldMappings[0].identifier. Paths of ARM fields
	// start at the resource: resources[0].properties.queryFrequency.
	Path string
	// Line and Column locate the field in the source file (1-based); zero
	// when the error is not tied to a place in a file (Validate on a
	// Definition built in Go).
	Line, Column int
	// Message says what is wrong, e.g. `unknown field`.
	Message string
	// Err is the underlying error, if any (a *kql.Error for the query).
	Err error
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

func (e *FieldError) Unwrap() error { return e.Err }

// FieldErrors is every problem found in one definition, in source order.
// Decoding and validation report all of them, not the first.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the errors, so that errors.As finds a *kql.Error
// behind the query field.
func (es FieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Fields returns the path of every error in err (a *FieldError or
// FieldErrors, possibly wrapped), in order.
func Fields(err error) []string {
	var out []string
	var fes FieldErrors
	var fe *FieldError
	switch {
	case errors.As(err, &fes):
		for _, e := range fes {
			out = append(out, e.Path)
		}
	case errors.As(err, &fe):
		out = append(out, fe.Path)
	}
	return out
}

// problems collects field errors.
type problems struct{ errs FieldErrors }

func (p *problems) add(path string, line, col int, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{Path: path, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return p.errs
}
