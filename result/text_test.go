package result

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
)

func TestWriteCSV(t *testing.T) {
	tb := &Table{
		Name: PrimaryResult,
		Columns: []Column{
			{"When", types.DateTime}, {"Name", types.String}, {"N", types.Long},
			{"D", types.Dynamic}, {"Span", types.TimeSpan}, {"Ok", types.Bool},
		},
		Rows: [][]any{
			{time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC), `say "hi", twice`, int64(1_000_000), json.RawMessage(`{"a": [1, 2]}`), 90 * time.Minute, true},
			{nil, "", nil, nil, nil, nil},
			{nil, "multi\nline", int64(-1), json.RawMessage(`"text"`), -time.Second, false},
		},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, tb); err != nil {
		t.Fatal(err)
	}
	want := "When,Name,N,D,Span,Ok\n" +
		`2017-08-01T00:00:00.0000000Z,"say ""hi"", twice",1000000,"{""a"":[1,2]}",01:30:00,true` + "\n" +
		",,,,,\n" +
		",\"multi\nline\",-1,text,-00:00:01,false\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteCSV =\n%s\nwant\n%s", got, want)
	}
	records, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatalf("WriteCSV wrote CSV that does not parse: %v", err)
	}
	if len(records) != 4 || records[1][1] != `say "hi", twice` || records[3][1] != "multi\nline" {
		t.Errorf("parsed records = %q", records)
	}
}

func TestWriteCSVErrors(t *testing.T) {
	if err := WriteCSV(&bytes.Buffer{}, nil); err == nil {
		t.Error("WriteCSV(nil) = nil error, want an error")
	}
	tb := &Table{Name: "T", Columns: []Column{{"a", types.Long}}, Rows: [][]any{{int64(1), int64(2)}}}
	if err := WriteCSV(&bytes.Buffer{}, tb); err == nil || !strings.Contains(err.Error(), "row 0 has 2 values for 1 columns") {
		t.Errorf("WriteCSV(bad row) error = %v", err)
	}
	if err := WriteCSV(failingWriter{}, &Table{Columns: []Column{{"a", types.Long}}}); err == nil {
		t.Error("WriteCSV to a failing writer = nil error, want an error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteText(t *testing.T) {
	tb := &Table{
		Name:    PrimaryResult,
		Columns: []Column{{"Fruit", types.String}, {"Count", types.Long}, {"Price", types.Real}, {"Seen", types.DateTime}},
		Rows: [][]any{
			{"Apple", int64(3), 1.5, time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC)},
			{"Banana\tsplit", int64(12345), nil, nil},
		},
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, tb); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Fruit          Count  Price  Seen\n" +
		"-------------  -----  -----  ----------------------------\n" +
		"Apple              3    1.5  2017-08-01T00:00:00.0000000Z\n" +
		"Banana\\tsplit  12345\n" +
		"2 rows\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteText =\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTextCounts(t *testing.T) {
	tests := []struct {
		rows int
		want string
	}{
		{0, "x\n-\n0 rows\n"},
		{1, "x\n-\n1\n1 row\n"},
	}
	for _, tt := range tests {
		tb := &Table{Columns: []Column{{"x", types.Long}}}
		for i := 0; i < tt.rows; i++ {
			tb.Rows = append(tb.Rows, []any{int64(1)})
		}
		var buf bytes.Buffer
		if err := WriteText(&buf, tb); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != tt.want {
			t.Errorf("WriteText(%d rows) = %q, want %q", tt.rows, got, tt.want)
		}
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, &Table{}); err != nil || buf.String() != "0 rows\n" {
		t.Errorf("WriteText(no columns) = %q, %v, want %q", buf.String(), err, "0 rows\n")
	}
}

func TestWriteTextWide(t *testing.T) {
	long := strings.Repeat("é", 100)
	narrow := &Table{Columns: []Column{{"s", types.String}}, Rows: [][]any{{long}}}
	var buf bytes.Buffer
	if err := WriteText(&buf, narrow); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(buf.String(), "\n"); lines[2] != long {
		t.Errorf("narrow table cut its cell: %q", lines[2])
	}

	wide := &Table{
		Columns: []Column{{"a", types.String}, {"b", types.String}},
		Rows:    [][]any{{long, long}},
	}
	buf.Reset()
	if err := WriteText(&buf, wide); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	cell := strings.Repeat("é", 59) + "…"
	if want := cell + "  " + cell; lines[2] != want {
		t.Errorf("wide row = %q, want %q", lines[2], want)
	}
	if want := strings.Repeat("-", 60) + "  " + strings.Repeat("-", 60); lines[1] != want {
		t.Errorf("wide separator = %q, want %q", lines[1], want)
	}
}

func TestWriteTextErrors(t *testing.T) {
	if err := WriteText(&bytes.Buffer{}, nil); err == nil {
		t.Error("WriteText(nil) = nil error, want an error")
	}
	tb := &Table{Name: "T", Columns: []Column{{"a", types.Long}}, Rows: [][]any{{}}}
	if err := WriteText(&bytes.Buffer{}, tb); err == nil {
		t.Error("WriteText(short row) = nil error, want an error")
	}
	if err := WriteText(failingWriter{}, &Table{}); err == nil {
		t.Error("WriteText to a failing writer = nil error, want an error")
	}
}

func TestEscapeControl(t *testing.T) {
	tests := map[string]string{
		"plain":        "plain",
		"a\nb":         `a\nb`,
		"a\r\n\tb":     `a\r\n\tb`,
		"bell\a":       `bell\x07`,
		"é\u007f":      `é\x7f`,
		"unicode ok ✓": "unicode ok ✓",
	}
	for in, want := range tests {
		if got := escapeControl(in); got != want {
			t.Errorf("escapeControl(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cut("abcdef", 3); got != "ab…" {
		t.Errorf("cut(abcdef, 3) = %q, want %q", got, "ab…")
	}
	if got := cut("abc", 3); got != "abc" {
		t.Errorf("cut(abc, 3) = %q, want abc", got)
	}
}
