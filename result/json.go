package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

// ErrorInfo is the error object of the Log Analytics query API (Microsoft's
// "OneAPI" error shape). A response with results carries one with code
// "PartialError" when the results are incomplete; a failed request carries
// one alone.
type ErrorInfo struct {
	Code         string      `json:"code"`
	Message      string      `json:"message"`
	Details      []ErrorInfo `json:"details,omitempty"`
	InnerError   *ErrorInfo  `json:"innererror,omitempty"`
	Severity     int         `json:"severity,omitempty"`
	SeverityName string      `json:"severityName,omitempty"`
}

// Error returns the code and the innermost message.
func (e *ErrorInfo) Error() string {
	return e.Code + ": " + e.innermost().Message
}

// innermost follows the first detail and the inner errors down to the most
// specific message.
func (e *ErrorInfo) innermost() *ErrorInfo {
	cur := e
	for {
		switch {
		case cur.InnerError != nil:
			cur = cur.InnerError
		case len(cur.Details) > 0:
			cur = &cur.Details[0]
		default:
			return cur
		}
	}
}

// The partial-result signal, worded as Log Analytics words it for a result
// over its limits. The inner code is Kusto's HRESULT for
// E_QUERY_RESULT_SET_TOO_LARGE (0x80DA0003).
const (
	partialErrorCode    = "PartialError"
	partialErrorMessage = "There were some errors when processing your query."
	engineErrorCode     = "EngineError"
	engineErrorMessage  = "Something went wrong processing your query on the server."
	tooLargeCode        = "-2133196797"
	tooLargeSuffix      = " (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"
	defaultTruncation   = "Query result set has exceeded the internal limits"
)

// partialError returns the error object that marks a truncated result.
func partialError(reason string) *ErrorInfo {
	if reason == "" {
		reason = defaultTruncation
	}
	return &ErrorInfo{
		Code:    partialErrorCode,
		Message: partialErrorMessage,
		Details: []ErrorInfo{{
			Code:    engineErrorCode,
			Message: engineErrorMessage,
			InnerError: &ErrorInfo{
				Code:         tooLargeCode,
				Message:      reason + tooLargeSuffix,
				Severity:     2,
				SeverityName: "Error",
			},
		}},
	}
}

// WriteJSON writes s as the Log Analytics query API answers a query:
//
//	{"tables":[{"name":"PrimaryResult","columns":[{"name":"X","type":"long"}],"rows":[[1]]}]}
//
// followed by a newline. A truncated set adds the API's partial-result
// error object after "tables". Values are encoded as the package comment
// describes; a value whose Go type does not fit its column is an error, and
// nothing more is written after it.
func WriteJSON(w io.Writer, s *Set) error {
	if s == nil {
		return errors.New("result: write JSON: nil set")
	}
	jw := &jsonWriter{w: w, buf: make([]byte, 0, 32<<10)}
	jw.buf = append(jw.buf, `{"tables":[`...)
	for i, t := range s.Tables {
		if t == nil {
			return fmt.Errorf("result: write JSON: table %d is nil", i)
		}
		if i > 0 {
			jw.buf = append(jw.buf, ',')
		}
		if err := jw.table(t); err != nil {
			return err
		}
	}
	jw.buf = append(jw.buf, ']')
	if s.Truncated {
		var eb bytes.Buffer
		enc := json.NewEncoder(&eb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(partialError(s.TruncationReason)); err != nil {
			return fmt.Errorf("result: write JSON: %w", err)
		}
		jw.buf = append(jw.buf, `,"error":`...)
		jw.buf = append(jw.buf, bytes.TrimRight(eb.Bytes(), "\n")...)
	}
	jw.buf = append(jw.buf, "}\n"...)
	return jw.flush()
}

// jsonWriter buffers output and flushes it in large writes.
type jsonWriter struct {
	w   io.Writer
	buf []byte
}

func (jw *jsonWriter) flush() error {
	if len(jw.buf) == 0 {
		return nil
	}
	_, err := jw.w.Write(jw.buf)
	jw.buf = jw.buf[:0]
	if err != nil {
		return fmt.Errorf("result: write JSON: %w", err)
	}
	return nil
}

func (jw *jsonWriter) table(t *Table) error {
	jw.buf = append(jw.buf, `{"name":`...)
	jw.buf = appendJSONString(jw.buf, t.Name)
	jw.buf = append(jw.buf, `,"columns":[`...)
	for i, c := range t.Columns {
		name, err := wireTypeName(c.Type)
		if err != nil {
			return fmt.Errorf("result: write JSON: table %q column %q: %w", t.Name, c.Name, err)
		}
		if i > 0 {
			jw.buf = append(jw.buf, ',')
		}
		jw.buf = append(jw.buf, `{"name":`...)
		jw.buf = appendJSONString(jw.buf, c.Name)
		jw.buf = append(jw.buf, `,"type":"`...)
		jw.buf = append(jw.buf, name...)
		jw.buf = append(jw.buf, `"}`...)
	}
	jw.buf = append(jw.buf, `],"rows":[`...)
	for r, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("result: write JSON: table %q row %d has %d values for %d columns", t.Name, r, len(row), len(t.Columns))
		}
		if r > 0 {
			jw.buf = append(jw.buf, ',')
		}
		jw.buf = append(jw.buf, '[')
		for i, v := range row {
			if i > 0 {
				jw.buf = append(jw.buf, ',')
			}
			var err error
			jw.buf, err = appendWireValue(jw.buf, v, t.Columns[i].Type)
			if err != nil {
				c := t.Columns[i]
				return fmt.Errorf("result: write JSON: table %q row %d column %q (%s): %w", t.Name, r, c.Name, c.Type, err)
			}
		}
		jw.buf = append(jw.buf, ']')
		if len(jw.buf) >= 32<<10 {
			if err := jw.flush(); err != nil {
				return err
			}
		}
	}
	jw.buf = append(jw.buf, "]}"...)
	return nil
}

// wireTypeName returns the query API's name of a column type.
func wireTypeName(t types.Type) (string, error) {
	switch t {
	case types.Bool, types.Int, types.Long, types.Real, types.Decimal, types.String,
		types.DateTime, types.TimeSpan, types.GUID, types.Dynamic:
		return t.String(), nil
	}
	return "", fmt.Errorf("type %s has no query API name", t)
}

// appendWireValue appends one cell in the query API's encoding.
func appendWireValue(b []byte, v any, t types.Type) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	mismatch := func() ([]byte, error) {
		return b, fmt.Errorf("unexpected Go value of type %T", v)
	}
	switch t {
	case types.Bool:
		x, ok := v.(bool)
		if !ok {
			return mismatch()
		}
		return strconv.AppendBool(b, x), nil
	case types.Int:
		n, ok := toInt64(v)
		if !ok {
			return mismatch()
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return b, fmt.Errorf("%d overflows int", n)
		}
		return strconv.AppendInt(b, n, 10), nil
	case types.Long:
		n, ok := toInt64(v)
		if !ok {
			return mismatch()
		}
		return strconv.AppendInt(b, n, 10), nil
	case types.Real:
		f, ok := toFloat64(v)
		if !ok {
			return mismatch()
		}
		if out, special := appendSpecialFloat(b, f); special {
			return out, nil
		}
		return appendJSONFloat(b, f), nil
	case types.Decimal:
		s, ok := decimalText(v)
		if !ok {
			return mismatch()
		}
		return appendJSONString(b, s), nil
	case types.String:
		s, ok := v.(string)
		if !ok {
			return mismatch()
		}
		return appendJSONString(b, s), nil
	case types.DateTime:
		tm, ok := v.(time.Time)
		if !ok {
			return mismatch()
		}
		b = append(b, '"')
		b = appendWireDateTime(b, tm)
		return append(b, '"'), nil
	case types.TimeSpan:
		d, ok := v.(time.Duration)
		if !ok {
			return mismatch()
		}
		b = append(b, '"')
		b = appendTimespan(b, d)
		return append(b, '"'), nil
	case types.GUID:
		s, ok := guidText(v)
		if !ok {
			return mismatch()
		}
		return appendJSONString(b, s), nil
	case types.Dynamic:
		text, err := appendDynamic(nil, v)
		if err != nil {
			return b, err
		}
		if string(text) == "null" {
			return append(b, "null"...), nil
		}
		return appendJSONString(b, string(text)), nil
	}
	return b, fmt.Errorf("type %s has no query API encoding", t)
}

// wireSet is the query API response as decoded by ReadJSON.
type wireSet struct {
	Tables []struct {
		Name    string `json:"name"`
		Columns []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"columns"`
		Rows [][]json.RawMessage `json:"rows"`
	} `json:"tables"`
	Error *ErrorInfo `json:"error"`
}

// ReadJSON parses a query API response, as WriteJSON writes it or Log
// Analytics answers, back into a Set with the Go values of the package
// comment: decimals come back as strings, dynamic values as
// json.RawMessage, datetimes in UTC. A "PartialError" error object marks the
// set truncated, with the innermost message as the reason. A response that
// carries only an error object returns that error as an *ErrorInfo.
func ReadJSON(r io.Reader) (*Set, error) {
	var w wireSet
	dec := json.NewDecoder(r)
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("result: read JSON: %w", err)
	}
	if w.Error != nil && (w.Tables == nil || w.Error.Code != partialErrorCode) {
		return nil, w.Error
	}
	s := &Set{Tables: make([]*Table, 0, len(w.Tables))}
	for ti, wt := range w.Tables {
		t := &Table{Name: wt.Name, Columns: make([]Column, len(wt.Columns)), Rows: make([][]any, 0, len(wt.Rows))}
		for i, c := range wt.Columns {
			typ, ok := types.Parse(c.Type)
			if !ok {
				return nil, fmt.Errorf("result: read JSON: table %d column %q: unknown type %q", ti, c.Name, c.Type)
			}
			t.Columns[i] = Column{Name: c.Name, Type: typ}
		}
		for ri, wr := range wt.Rows {
			if len(wr) != len(t.Columns) {
				return nil, fmt.Errorf("result: read JSON: table %q row %d has %d values for %d columns", t.Name, ri, len(wr), len(t.Columns))
			}
			row := make([]any, len(wr))
			for i, raw := range wr {
				v, err := parseWireValue(raw, t.Columns[i].Type)
				if err != nil {
					c := t.Columns[i]
					return nil, fmt.Errorf("result: read JSON: table %q row %d column %q (%s): %w", t.Name, ri, c.Name, c.Type, err)
				}
				row[i] = v
			}
			t.Rows = append(t.Rows, row)
		}
		s.Tables = append(s.Tables, t)
	}
	if w.Error != nil {
		s.Truncated = true
		s.TruncationReason = strings.TrimSuffix(w.Error.innermost().Message, tooLargeSuffix)
	}
	return s, nil
}

// parseWireValue decodes one cell of the query API's encoding.
func parseWireValue(raw json.RawMessage, t types.Type) (any, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	isString := len(raw) > 0 && raw[0] == '"'
	str := func() (string, error) {
		var s string
		if !isString {
			return "", fmt.Errorf("want a JSON string, got %s", raw)
		}
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	switch t {
	case types.Bool:
		switch string(raw) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		if s, err := str(); err == nil {
			if b, err := strconv.ParseBool(strings.ToLower(s)); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("invalid bool %s", raw)
	case types.Int:
		n, err := strconv.ParseInt(string(raw), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("invalid int %s", raw)
		}
		return int32(n), nil
	case types.Long:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid long %s", raw)
		}
		return n, nil
	case types.Real:
		if isString {
			s, err := str()
			if err != nil {
				return nil, err
			}
			switch s {
			case "NaN":
				return math.NaN(), nil
			case "Infinity", "+Infinity":
				return math.Inf(1), nil
			case "-Infinity":
				return math.Inf(-1), nil
			}
			return nil, fmt.Errorf("invalid real %s", raw)
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("invalid real %s", raw)
		}
		return f, nil
	case types.Decimal:
		if isString {
			s, err := str()
			if err != nil {
				return nil, err
			}
			if _, ok := new(big.Rat).SetString(s); !ok {
				return nil, fmt.Errorf("invalid decimal %s", raw)
			}
			return s, nil
		}
		if _, ok := new(big.Rat).SetString(string(raw)); !ok {
			return nil, fmt.Errorf("invalid decimal %s", raw)
		}
		return string(raw), nil
	case types.String:
		return str()
	case types.DateTime:
		s, err := str()
		if err != nil {
			return nil, err
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("invalid datetime %s", raw)
		}
		return tm.UTC(), nil
	case types.TimeSpan:
		s, err := str()
		if err != nil {
			return nil, err
		}
		return ParseTimespan(s)
	case types.GUID:
		s, err := str()
		if err != nil {
			return nil, err
		}
		return strings.ToLower(s), nil
	case types.Dynamic:
		if !isString {
			// Another producer may send the value itself.
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return nil, err
			}
			return json.RawMessage(buf.Bytes()), nil
		}
		s, err := str()
		if err != nil {
			return nil, err
		}
		if s != "" && json.Valid([]byte(s)) {
			return json.RawMessage(s), nil
		}
		// Plain text: a scalar string.
		return json.RawMessage(appendJSONString(nil, s)), nil
	}
	return nil, fmt.Errorf("type %s has no query API encoding", t)
}
