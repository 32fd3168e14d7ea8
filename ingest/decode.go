package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

// Decoder turns a Logs Ingestion API body — a JSON array of objects —
// into rows of a fixed list of columns. Object keys name columns exactly,
// or failing that case-insensitively; keys that name no column are
// dropped, as Azure drops fields a stream does not declare. A Decoder is
// safe for concurrent use.
type Decoder struct {
	cols  []schema.Column
	exact map[string]int
	fold  map[string]int
	width int // length of each returned row, at least len(cols)
}

// NewDecoder returns a decoder for rows of cols, in that order.
func NewDecoder(cols []schema.Column) *Decoder {
	d := &Decoder{cols: cols, exact: make(map[string]int, len(cols)), fold: make(map[string]int, len(cols)), width: len(cols)}
	for i, c := range cols {
		d.exact[c.Name] = i
		if _, dup := d.fold[strings.ToLower(c.Name)]; !dup {
			d.fold[strings.ToLower(c.Name)] = i
		}
	}
	return d
}

// padded returns a decoder like d whose rows have room for width values,
// the decoded columns first: a table's visible columns followed by its
// hidden ones, which ingestion then fills in place.
func (d *Decoder) padded(width int) *Decoder {
	if width < len(d.cols) {
		width = len(d.cols)
	}
	c := *d
	c.width = width
	return &c
}

// Columns returns the decoder's columns.
func (d *Decoder) Columns() []schema.Column { return d.cols }

// DataError is bad input: malformed JSON or a value that does not fit its
// column. Record is the 0-based index of the offending array element, or
// -1 when the body as a whole is wrong.
type DataError struct {
	Record int
	Column string
	Msg    string
}

func (e *DataError) Error() string {
	switch {
	case e.Record < 0:
		return e.Msg
	case e.Column == "":
		return fmt.Sprintf("record %d: %s", e.Record, e.Msg)
	}
	return fmt.Sprintf("record %d: column %s: %s", e.Record, e.Column, e.Msg)
}

var parsers fastjson.ParserPool

// Decode parses body and returns one row per array element, each holding
// the decoder's columns as the store takes them (see package store); an
// absent or null field is nil. Nothing is returned with an error.
func (d *Decoder) Decode(body []byte) ([][]any, error) {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(body)
	if err != nil {
		return nil, syntaxError(body)
	}
	arr, err := v.Array()
	if err != nil {
		return nil, &DataError{Record: -1, Msg: fmt.Sprintf("the body must be a JSON array of objects, not %s", kindOf(v))}
	}
	rows := make([][]any, len(arr))
	w := d.width
	vals := make([]any, len(arr)*w)
	for i, rec := range arr {
		obj, err := rec.Object()
		if err != nil {
			return nil, &DataError{Record: i, Msg: fmt.Sprintf("expected a JSON object, found %s", kindOf(rec))}
		}
		row := vals[i*w : i*w+len(d.cols) : (i+1)*w]
		var ferr error
		obj.Visit(func(key []byte, fv *fastjson.Value) {
			if ferr != nil {
				return
			}
			idx, ok := d.exact[string(key)]
			if !ok {
				if idx, ok = d.fold[strings.ToLower(string(key))]; !ok {
					return
				}
			}
			c := d.cols[idx]
			val, err := convert(fv, c.Type)
			if err != nil {
				ferr = &DataError{Record: i, Column: c.Name, Msg: fmt.Sprintf("%s (the column is %s)", err, c.Type)}
				return
			}
			row[idx] = val
		})
		if ferr != nil {
			return nil, ferr
		}
		rows[i] = row
	}
	return rows, nil
}

// syntaxError locates the first syntax error in body with encoding/json,
// which reports byte offsets.
func syntaxError(body []byte) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return &DataError{Record: -1, Msg: "the body is empty; send a JSON array of objects"}
	}
	var raw json.RawMessage
	err := json.Unmarshal(body, &raw)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &DataError{Record: -1, Msg: fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error())}
	}
	if err != nil {
		return &DataError{Record: -1, Msg: "malformed JSON: " + err.Error()}
	}
	return &DataError{Record: -1, Msg: "malformed JSON"}
}

func kindOf(v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeObject:
		return "an object"
	case fastjson.TypeArray:
		return "an array"
	case fastjson.TypeString:
		return "a string"
	case fastjson.TypeNumber:
		return "a number"
	case fastjson.TypeTrue, fastjson.TypeFalse:
		return "a boolean"
	case fastjson.TypeNull:
		return "null"
	}
	return "a value"
}

// convert turns a JSON value into the store's Go value for a column of
// type t. Lossless readings are accepted (a number for a string column, a
// numeric string for a number column); anything else is an error.
func convert(v *fastjson.Value, t types.Type) (any, error) {
	if v.Type() == fastjson.TypeNull {
		return nil, nil
	}
	switch t {
	case types.String:
		switch v.Type() {
		case fastjson.TypeString:
			return string(v.GetStringBytes()), nil
		case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
			return v.String(), nil
		}
		// Objects and arrays are kept as their JSON text, as Log
		// Analytics does.
		return string(v.MarshalTo(nil)), nil
	case types.Bool:
		switch v.Type() {
		case fastjson.TypeTrue:
			return true, nil
		case fastjson.TypeFalse:
			return false, nil
		case fastjson.TypeString:
			switch strings.ToLower(string(v.GetStringBytes())) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		case fastjson.TypeNumber:
			switch v.String() {
			case "0":
				return false, nil
			case "1":
				return true, nil
			}
		}
		return nil, fmt.Errorf("%s is not a bool", shortJSON(v))
	case types.Int, types.Long:
		n, err := integer(v)
		if err != nil {
			return nil, err
		}
		if t == types.Int {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return nil, fmt.Errorf("%d is out of range for int", n)
			}
			return int32(n), nil
		}
		return n, nil
	case types.Real:
		switch v.Type() {
		case fastjson.TypeNumber:
			return v.GetFloat64(), nil
		case fastjson.TypeString:
			s := string(v.GetStringBytes())
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err == nil {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%s is not a real", shortJSON(v))
	case types.Decimal:
		switch v.Type() {
		case fastjson.TypeNumber:
			return v.String(), nil
		case fastjson.TypeString:
			s := strings.TrimSpace(string(v.GetStringBytes()))
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				return s, nil
			}
		}
		return nil, fmt.Errorf("%s is not a decimal", shortJSON(v))
	case types.DateTime:
		if v.Type() == fastjson.TypeString {
			if tm, ok := ParseTime(string(v.GetStringBytes())); ok {
				return tm, nil
			}
		}
		return nil, fmt.Errorf("%s is not a datetime (use ISO 8601, e.g. 2026-11-27T10:00:00Z)", shortJSON(v))
	case types.TimeSpan:
		if v.Type() == fastjson.TypeString {
			if d, ok := ParseTimespan(string(v.GetStringBytes())); ok {
				return d, nil
			}
		}
		return nil, fmt.Errorf("%s is not a timespan (use [d.]hh:mm:ss[.fffffff])", shortJSON(v))
	case types.GUID:
		if v.Type() == fastjson.TypeString {
			s := string(v.GetStringBytes())
			if validGUID(s) {
				return s, nil
			}
		}
		return nil, fmt.Errorf("%s is not a guid", shortJSON(v))
	case types.Dynamic:
		if v.Type() == fastjson.TypeString {
			// A string holding a JSON object or array is that object or
			// array: shippers often send dynamic fields serialized.
			b := v.GetStringBytes()
			s := strings.TrimSpace(string(b))
			if len(s) > 0 && (s[0] == '{' || s[0] == '[') && json.Valid([]byte(s)) {
				return json.RawMessage(s), nil
			}
		}
		return json.RawMessage(v.MarshalTo(nil)), nil
	}
	return nil, fmt.Errorf("no conversion to %s", t)
}

func integer(v *fastjson.Value) (int64, error) {
	var s string
	switch v.Type() {
	case fastjson.TypeNumber:
		s = v.String()
	case fastjson.TypeString:
		s = strings.TrimSpace(string(v.GetStringBytes()))
	default:
		return 0, fmt.Errorf("%s is not an integer", shortJSON(v))
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	// 1e3 and 5.0 are integers written as reals.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, fmt.Errorf("%s is not an integer", shortJSON(v))
	}
	return int64(f), nil
}

func shortJSON(v *fastjson.Value) string {
	s := string(v.MarshalTo(nil))
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func validGUID(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTime reads an ISO 8601 date-time; one without a zone is UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseTimespan reads [-][d.]hh:mm:ss[.fffffff], Kusto's and .NET's
// timespan text.
func ParseTimespan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s+":", ':') {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = d, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	secStr, frac, _ := strings.Cut(parts[2], ".")
	sec, err3 := strconv.ParseInt(secStr, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || m > 59 || sec > 59 || h < 0 || m < 0 || sec < 0 || days > 106750 || h > 2562047 {
		return 0, false
	}
	var ns int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || f < 0 {
			return 0, false
		}
		for i := len(frac); i < 9; i++ {
			f *= 10
		}
		ns = f
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ns)
	if neg {
		d = -d
	}
	return d, true
}
