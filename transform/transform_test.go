package transform_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/transform"
)

var (
	engineOnce sync.Once
	engineVal  *transform.Engine
	engineErr  error
)

// engine returns an engine shared by the package's tests, as the server
// shares one between its requests.
func engine(t testing.TB) *transform.Engine {
	t.Helper()
	engineOnce.Do(func() { engineVal, engineErr = transform.New(context.Background()) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engineVal
}

// cols builds input columns from "name:type" pairs.
func cols(t testing.TB, specs ...string) []schema.Column {
	t.Helper()
	var out []schema.Column
	for _, s := range specs {
		name, typ, _ := strings.Cut(s, ":")
		ty, ok := types.Parse(typ)
		if !ok {
			t.Fatalf("bad type in %q", s)
		}
		out = append(out, schema.Column{Name: name, Type: ty})
	}
	return out
}

func compile(t testing.TB, text string, input []schema.Column) ingest.Transform {
	t.Helper()
	tr, err := engine(t).Compile(text, input)
	if err != nil {
		var ke *kql.Error
		if errors.As(err, &ke) {
			t.Fatalf("Compile(%q):\n%s", text, ke.Format())
		}
		t.Fatalf("Compile(%q) = %v", text, err)
	}
	return tr
}

func colNames(cs []schema.Column) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Name+":"+c.Type.String())
	}
	return strings.Join(parts, ", ")
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestApply runs the transformations Sentinel data collection rules
// typically hold and checks both the output schema and the Go values.
func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kql   string
		input []schema.Column
		rows  [][]any
		cols  string
		want  [][]any
	}{{
		name:  "filter and drop a column",
		kql:   `source | where Severity != 'debug' | project-away Secret`,
		input: cols(t, "Severity:string", "Message:string", "Secret:string"),
		rows:  [][]any{{"info", "a", "s1"}, {"debug", "b", "s2"}, {"error", "c", nil}},
		cols:  "Severity:string, Message:string",
		want:  [][]any{{"info", "a"}, {"error", "c"}},
	}, {
		name:  "parse a raw line",
		kql:   `source | parse RawData with ts:datetime " " host " sshd[" pid:int "]: " msg | project TimeGenerated = ts, Computer = host, ProcessID = pid, SyslogMessage = msg`,
		input: cols(t, "RawData:string"),
		rows: [][]any{
			{"2026-01-02T03:04:05Z web1 sshd[42]: Accepted publickey for root"},
			{"garbage"},
		},
		cols: "TimeGenerated:datetime, Computer:string, ProcessID:int, SyslogMessage:string",
		want: [][]any{
			{ts("2026-01-02T03:04:05Z"), "web1", int32(42), "Accepted publickey for root"},
			{nil, "", nil, ""},
		},
	}, {
		name:  "dynamic from a string column",
		kql:   `source | extend d = parse_json(Raw) | extend User = tostring(d.user), Count = toint(d.n) | project-away d, Raw`,
		input: cols(t, "Raw:string"),
		rows:  [][]any{{`{"user":"alice","n":3}`}, {`not json`}, {nil}},
		cols:  "User:string, Count:int",
		want:  [][]any{{"alice", int32(3)}, {"", nil}, {"", nil}},
	}, {
		name:  "dynamic column in and out",
		kql:   `source | extend Level = toint(AdditionalContext.Level), DeviceId = tostring(AdditionalContext.DeviceID), Tags = pack_array(Message, "x")`,
		input: cols(t, "Message:string", "AdditionalContext:dynamic"),
		rows:  [][]any{{"Houston", json.RawMessage(`{"Level":2,"DeviceID":"apollo13"}`)}},
		cols:  "Message:string, AdditionalContext:dynamic, Level:int, DeviceId:string, Tags:dynamic",
		want:  [][]any{{"Houston", json.RawMessage(`{"Level":2,"DeviceID":"apollo13"}`), int32(2), "apollo13", json.RawMessage(`["Houston","x"]`)}},
	}, {
		name: "type conversions",
		kql: `source | project When = todatetime(W), I = toint(N), L = tolong(N), R = toreal(N), S = tostring(L2),
			B = tobool(F), G = toguid(Id), D = totimespan(Dur), X = todecimal(N)`,
		input: cols(t, "W:string", "N:string", "L2:long", "F:string", "Id:string", "Dur:string"),
		rows:  [][]any{{"2026-03-04 05:06:07", "12", int64(7), "true", "8f1b2c3d-0000-4000-8000-000000000001", "01:02:03"}},
		cols:  "When:datetime, I:int, L:long, R:real, S:string, B:bool, G:guid, D:timespan, X:decimal",
		want: [][]any{{ts("2026-03-04T05:06:07Z"), int32(12), int64(12), float64(12), "7", true,
			"8f1b2c3d-0000-4000-8000-000000000001", time.Hour + 2*time.Minute + 3*time.Second, "12.000000000000000000"}},
	}, {
		name:  "typed input columns pass through",
		kql:   `source | extend Elapsed = End - Start | project-rename Started = Start`,
		input: cols(t, "Start:datetime", "End:datetime", "Id:guid", "Ok:bool", "Amount:decimal", "N:int"),
		rows: [][]any{
			{ts("2026-01-01T00:00:00Z"), ts("2026-01-01T00:00:01.5Z"), "8f1b2c3d-0000-4000-8000-000000000002", true, "1.25", int32(5)},
			{nil, nil, nil, nil, nil, nil},
		},
		cols: "Started:datetime, End:datetime, Id:guid, Ok:bool, Amount:decimal, N:int, Elapsed:timespan",
		want: [][]any{
			{ts("2026-01-01T00:00:00Z"), ts("2026-01-01T00:00:01.5Z"), "8f1b2c3d-0000-4000-8000-000000000002", true, "1.250000000000000000", int32(5), 1500 * time.Millisecond},
			{nil, nil, nil, nil, nil, nil, nil},
		},
	}, {
		name:  "columnifexists, Azure's spelling",
		kql:   `source | project A = columnifexists("Present", "none"), B = columnifexists("Missing", "none"), C = column_ifexists("Missing", "dflt")`,
		input: cols(t, "Present:string"),
		rows:  [][]any{{"here"}},
		cols:  "A:string, B:string, C:string",
		want:  [][]any{{"here", "none", "dflt"}},
	}, {
		name:  "let statements and a scalar function",
		kql:   "let up = (s:string) { toupper(s) };\nlet minLen = 2;\nsource | where strlen(Message) >= minLen | extend U = up(Message)",
		input: cols(t, "Message:string"),
		rows:  [][]any{{"a"}, {"bc"}},
		cols:  "Message:string, U:string",
		want:  [][]any{{"bc", "BC"}},
	}, {
		name:  "print gives its row for each record",
		kql:   `print x = 2 + 2, y = 5 | extend z = x * y`,
		input: cols(t, "Message:string"),
		rows:  [][]any{{"a"}, {"b"}},
		cols:  "x:long, y:long, z:long",
		want:  [][]any{{int64(4), int64(5), int64(20)}, {int64(4), int64(5), int64(20)}},
	}, {
		name:  "a tabular let over source",
		kql:   "let kept = source | where N > 1;\nkept | project N",
		input: cols(t, "N:long"),
		rows:  [][]any{{int64(1)}, {int64(2)}},
		cols:  "N:long",
		want:  [][]any{{int64(2)}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tr := compile(t, tc.kql, tc.input)
			if got := colNames(tr.Columns()); got != tc.cols {
				t.Errorf("Columns() = %s, want %s", got, tc.cols)
			}
			got, err := tr.Apply(context.Background(), tc.rows)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !equalRows(got, tc.want) {
				t.Errorf("Apply = %s, want %s", show(got), show(tc.want))
			}
		})
	}
}

func equalRows(a, b [][]any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			x, y := a[i][j], b[i][j]
			if tx, ok := x.(time.Time); ok {
				if ty, ok := y.(time.Time); !ok || !tx.Equal(ty) || tx.Location() != time.UTC {
					return false
				}
				continue
			}
			if !reflect.DeepEqual(x, y) {
				return false
			}
		}
	}
	return true
}

func show(rows [][]any) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("\n  [")
		for j, v := range r {
			if j > 0 {
				b.WriteString(" ")
			}
			if m, ok := v.(json.RawMessage); ok {
				v = "json:" + string(m)
			}
			fmt.Fprintf(&b, "%T(%v)", v, v)
		}
		b.WriteString("]")
	}
	return b.String()
}

// TestNowIsTheBatchTime checks that now() is evaluated when a batch is
// transformed, not when the rule was compiled.
func TestNowIsTheBatchTime(t *testing.T) {
	tr := compile(t, `source | extend TimeGenerated = now(), Old = ago(1h) > datetime(2000-01-01)`, cols(t, "Message:string"))
	time.Sleep(20 * time.Millisecond)
	before := time.Now().UTC().Truncate(time.Microsecond)
	got, err := tr.Apply(context.Background(), [][]any{{"a"}, {"b"}})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	for _, r := range got {
		tg, ok := r[1].(time.Time)
		if !ok || tg.Before(before) || tg.After(after) {
			t.Errorf("TimeGenerated = %v, want within [%v, %v]", r[1], before, after)
		}
		if r[2] != true {
			t.Errorf("Old = %v, want true", r[2])
		}
	}
	if !got[0][1].(time.Time).Equal(got[1][1].(time.Time)) {
		t.Errorf("now() differs between rows of one batch: %v, %v", got[0][1], got[1][1])
	}
}

// TestCompileRefused checks what transformations refuse, with the code
// and the position of the offending token.
func TestCompileRefused(t *testing.T) {
	input := cols(t, "A:string", "N:long", "D:dynamic")
	for _, tc := range []struct {
		kql  string
		code string
		pos  string // line:col of the first diagnostic
	}{
		{`source | summarize count() by A`, transform.CodeOperator, "1:10"},
		{"source\n| sort by N", transform.CodeOperator, "2:3"},
		{`source | order by N`, transform.CodeOperator, "1:10"},
		{`source | take 10`, transform.CodeOperator, "1:10"},
		{`source | limit 10`, transform.CodeOperator, "1:10"},
		{`source | top 1 by N`, transform.CodeOperator, "1:10"},
		{`source | distinct A`, transform.CodeOperator, "1:10"},
		{`source | count`, transform.CodeOperator, "1:10"},
		{`source | join kind=inner (source) on A`, transform.CodeOperator, "1:10"},
		{`source | lookup (source) on A`, transform.CodeOperator, "1:10"},
		{`source | union source`, transform.CodeOperator, "1:10"},
		{`source | mv-expand D`, transform.CodeOperator, "1:10"},
		{`source | evaluate bag_unpack(D)`, transform.CodeOperator, "1:10"},
		{`source | parse-where A with x "-" y`, transform.CodeOperator, "1:10"},
		{`source | project-keep A`, transform.CodeOperator, "1:10"},
		{`source | serialize`, transform.CodeOperator, "1:10"},
		{`source | make-series count() on N step 1`, transform.CodeOperator, "1:10"},
		{`union source, source`, transform.CodeSource, "1:1"},
		{`range x from 1 to 3 step 1`, transform.CodeSource, "1:1"},
		{`search "x"`, transform.CodeSource, "1:1"},
		{`externaldata(x:string) ["https://example.com/x.csv"]`, transform.CodeSource, "1:1"},
		{`materialize(source) | where A == "x"`, transform.CodeSource, "1:1"},
		{"set notruncation;\nsource", transform.CodeStatement, "1:1"},
		{`source | extend n = row_number()`, transform.CodeFunction, "1:21"},
		{`source | extend n = prev(N)`, transform.CodeFunction, "1:21"},
		{`source | extend c = count()`, transform.CodeFunction, "1:21"},
		{`source | where N > toscalar(source | project N)`, transform.CodeFunction, "1:20"},
		{`source | where A in (source | project A)`, transform.CodeSubquery, "1:22"},
		{"let t = source | project A;\nsource | where A in (t)", transform.CodeSubquery, "1:1"},
		{"let f = (T:(*)) { T | project A };\nf(source)", transform.CodeTabularParameter, "1:10"},
		{`source | parse A with a "," b "," c "," d "," e "," f "," g "," h "," i "," j "," k`, transform.CodeParseColumns, "1:10"},
		{`Syslog | project Computer`, "KQL2002", "1:1"},
		{`source | where NoSuchColumn == 1`, "KQL2001", "1:16"},
		{`source | where`, "KQL1006", "1:15"},
	} {
		_, err := engine(t).Compile(tc.kql, input)
		var ke *kql.Error
		if !errors.As(err, &ke) {
			t.Errorf("Compile(%q) = %v, want a *kql.Error %s", tc.kql, err, tc.code)
			continue
		}
		d := ke.First()
		if d.Code != tc.code || ke.Position().String() != tc.pos {
			t.Errorf("Compile(%q) = %s at %s, want %s at %s\n%s", tc.kql, d.Code, ke.Position(), tc.code, tc.pos, ke.Format())
		}
		if !strings.Contains(ke.Format(), "^") {
			t.Errorf("Compile(%q): Format() has no caret:\n%s", tc.kql, ke.Format())
		}
	}
}

// TestCompileInput checks the input columns Compile refuses.
func TestCompileInput(t *testing.T) {
	for _, input := range [][]schema.Column{
		{{Name: "a", Type: types.String}, {Name: "A", Type: types.Long}},
		{{Name: "", Type: types.String}},
		{{Name: "x", Type: types.Unknown}},
	} {
		if _, err := engine(t).Compile("source", input); err == nil {
			t.Errorf("Compile(source, %v) succeeded, want an error", input)
		}
	}
}

// TestApplyErrors checks that a bad batch is reported, row and column
// named, and that the connection is usable afterwards.
func TestApplyErrors(t *testing.T) {
	tr := compile(t, `source | extend M = N * 2`, cols(t, "N:long", "S:string"))
	for _, rows := range [][][]any{
		{{int64(1), "a"}, {"two", "b"}},
		{{int64(1)}},
	} {
		if _, err := tr.Apply(context.Background(), rows); err == nil || !strings.Contains(err.Error(), "row 1") && !strings.Contains(err.Error(), "row 0") {
			t.Errorf("Apply(%v) = %v, want an error naming the row", rows, err)
		}
	}
	got, err := tr.Apply(context.Background(), [][]any{{int64(3), "c"}})
	if err != nil || len(got) != 1 || got[0][2] != int64(6) {
		t.Errorf("Apply after errors = %v, %v", got, err)
	}
}

// TestApplyCancel checks that a cancelled context stops a transformation.
func TestApplyCancel(t *testing.T) {
	tr := compile(t, `source | extend n = array_length(range(1, 20000000, 1))`, cols(t, "N:long"))
	rows := make([][]any, 64)
	for i := range rows {
		rows[i] = []any{int64(i)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := tr.Apply(ctx, rows)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Apply under a 200ms deadline = %v after %v, want context.DeadlineExceeded", err, time.Since(start))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Apply returned %v after %v, long after its deadline", err, d)
	} else {
		t.Logf("Apply stopped after %v: %v", d, err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := tr.Apply(ctx, rows); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestApplyConcurrent runs many batches at once through one transform:
// each must get its own rows back.
func TestApplyConcurrent(t *testing.T) {
	tr := compile(t, `source | where N % 2 == 0 | extend Batch = strcat("b", tostring(B)) | project-away B`, cols(t, "B:long", "N:long"))
	const workers, rounds, size = 8, 10, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				b := int64(w*rounds + r)
				rows := make([][]any, size)
				for i := range rows {
					rows[i] = []any{b, int64(i)}
				}
				got, err := tr.Apply(context.Background(), rows)
				if err != nil {
					errs <- err
					return
				}
				if len(got) != size/2 {
					errs <- fmt.Errorf("batch %d: %d rows, want %d", b, len(got), size/2)
					return
				}
				for _, row := range got {
					if row[1] != fmt.Sprintf("b%d", b) || row[0].(int64)%2 != 0 {
						errs <- fmt.Errorf("batch %d: foreign row %v", b, row)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkApply transforms 1,000-row batches of a typical shape: a
// filter, JSON unpacking and TimeGenerated set to now().
func BenchmarkApply(b *testing.B) {
	input := cols(b, "Severity:string", "Message:string", "Raw:string")
	rows := make([][]any, 1000)
	for i := range rows {
		sev := "info"
		if i%10 == 0 {
			sev = "debug"
		}
		rows[i] = []any{sev, fmt.Sprintf("message %d", i), fmt.Sprintf(`{"user":"u%d","pid":%d}`, i%50, i)}
	}
	for _, bc := range []struct{ name, kql string }{
		{"extend", `source | extend TimeGenerated = now()`},
		{"where-json", `source | where Severity != "debug" | extend d = parse_json(Raw) | extend User = tostring(d.user), ProcessId = tolong(d.pid), TimeGenerated = now() | project-away d, Raw`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tr := compile(b, bc.kql, input)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Apply(ctx, rows); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
