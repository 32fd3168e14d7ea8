package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/syntax"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/schema"
)

const querySynopsis = "query [--data DIR | --server URL] [--timespan T] [--format table|json|csv] QUERY | --batch FILE"

// query runs KQL on a workspace directory, a server, or (with neither) an
// empty in-memory workspace.
func (c *cli) query(ctx context.Context, args []string) error {
	fs := c.newFlags("query", querySynopsis)
	t := targetFlags(fs)
	format := fs.String("format", "table", "output format: table, json or csv")
	batch := fs.String("batch", "", "run the JSON-lines queries in `FILE` ('-' for stdin), one result line each")
	timespan := fs.String("timespan", "", "restrict tables to an ISO 8601 duration ending now (PT1H, P7D) or an interval (START/END, START/DURATION)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *batch == "" && len(pos) != 1 || *batch != "" && len(pos) != 0 {
		return fmt.Errorf("%w: goshawk %s", errUsage, querySynopsis)
	}
	switch *format {
	case "table", "json", "csv":
	default:
		return fmt.Errorf("%w: unknown format %q (table, json or csv)", errUsage, *format)
	}
	if *timespan != "" {
		if _, err := api.ParseTimespan(*timespan, time.Now()); err != nil {
			return fmt.Errorf("%w: --timespan: %v", errUsage, err)
		}
	}
	var q querier
	if t.given() {
		q, err = c.open(ctx, t, "query")
	} else {
		q, err = openMemory(ctx)
	}
	if err != nil {
		return err
	}
	defer q.Close()
	if *batch != "" {
		return c.runBatch(*batch, func(id, text string) any {
			set, err := q.Query(ctx, text, *timespan)
			if err != nil {
				return batchError(id, err)
			}
			return batchTables(id, set)
		})
	}
	text := pos[0]
	set, err := q.Query(ctx, text, *timespan)
	if err != nil {
		return queryError(text, err)
	}
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	switch *format {
	case "json":
		return result.WriteJSON(w, set)
	case "csv":
		return result.WriteCSV(w, set.Primary())
	}
	if err := result.WriteText(w, set.Primary()); err != nil {
		return err
	}
	if set.Truncated {
		fmt.Fprintln(w, "(truncated: "+set.TruncationReason+")")
	}
	return nil
}

// queryFailure is a failed query as the CLI reports it, whether the
// engine ran here or on a server.
type queryFailure struct {
	stage   string // parse, bind, compile, exec, or request for refusals
	code    string
	message string
	line    int
	col     int
	length  int // bytes of query text at fault
}

// failureOf reads a query error from the local engine or from a server.
// ok is false for errors that are not about the query.
func failureOf(err error) (f queryFailure, ke *kql.Error, ok bool) {
	if errors.As(err, &ke) {
		d := ke.First()
		p := ke.Position()
		return queryFailure{stage: string(ke.Stage), code: d.Code, message: d.Message, line: p.Line, col: p.Col, length: int(d.To - d.From)}, ke, true
	}
	var ce *client.Error
	if !errors.As(err, &ce) {
		return queryFailure{}, nil, false
	}
	in := ce.Innermost()
	switch {
	case in.Line > 0:
		// The API appends the position to the message, which the
		// CLI shows in its own place.
		msg := strings.TrimSuffix(in.Message, fmt.Sprintf(" at line %d, column %d", in.Line, in.Pos))
		stage := string(kql.StageBind)
		if ce.Inner != nil && ce.Inner.Code == "SyntaxError" {
			stage = string(kql.StageParse)
		}
		return queryFailure{stage: stage, code: in.Code, message: msg, line: in.Line, col: in.Pos, length: len(in.Snippet)}, nil, true
	case in.Code == "QueryExecutionError":
		return queryFailure{stage: "exec", code: "ExecutionError", message: (&query.ExecError{Err: errors.New(in.Message)}).Error()}, nil, true
	}
	return queryFailure{}, nil, false
}

// queryError is the error the query command reports: every diagnostic
// with a caret under the text at fault. A server reports only the first
// diagnostic; for a syntax error the query is parsed here too, which
// recovers the others.
func queryError(text string, err error) error {
	f, ke, ok := failureOf(err)
	switch {
	case !ok:
		return err
	case ke != nil:
		return errors.New(ke.Format())
	case f.line == 0:
		return errors.New(f.message)
	}
	src := syntax.NewSource(text)
	if f.stage == string(kql.StageParse) {
		if _, errs := syntax.Parse(text); len(errs) > 0 {
			local := &kql.Error{Stage: kql.StageParse, Diagnostics: errs, Source: src}
			if p := local.Position(); local.First().Code == f.code && p.Line == f.line && p.Col == f.col {
				return errors.New(local.Format())
			}
		}
	}
	from := offsetOf(text, f.line, f.col)
	d := &syntax.Diagnostic{From: syntax.Pos(from), To: syntax.Pos(from + f.length), Code: f.code, Message: f.message}
	return errors.New(d.Format(src))
}

// offsetOf returns the byte offset of a 1-based line and column in text.
func offsetOf(text string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	return min(off+col-1, len(text))
}

// batchItem is one input line of --batch.
type batchItem struct {
	ID    string `json:"id"`
	Query string `json:"query"`
}

// batchErr is the error object of a batch output line.
type batchErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
}

func batchError(id string, err error) map[string]any {
	if f, _, ok := failureOf(err); ok {
		return map[string]any{"id": id, "stage": f.stage, "error": batchErr{Code: f.code, Message: f.message, Line: f.line, Col: f.col}}
	}
	e := batchErr{Code: "ExecutionError", Message: err.Error()}
	stage := "exec"
	var ce *client.Error
	if errors.As(err, &ce) {
		// Refused by the server: the token's role, a timeout, a bad
		// timespan.
		e.Code, stage = ce.Innermost().Code, "request"
	}
	return map[string]any{"id": id, "stage": stage, "error": e}
}

func batchTables(id string, set *result.Set) any {
	var sb strings.Builder
	if err := result.WriteJSON(&sb, set); err != nil {
		return batchError(id, err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(sb.String()), &obj); err != nil {
		return batchError(id, err)
	}
	idJSON, _ := json.Marshal(id)
	obj["id"] = idJSON
	return obj
}

// runBatch reads JSON lines from path and writes one JSON line per input.
// A bad line or a failing query never stops the batch.
func (c *cli) runBatch(path string, do func(id, q string) any) error {
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	w := bufio.NewWriter(c.stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var it batchItem
		if err := json.Unmarshal([]byte(text), &it); err != nil {
			if err := enc.Encode(map[string]any{"id": fmt.Sprintf("line %d", line), "error": batchErr{Code: "BadRequest", Message: "invalid JSON line: " + err.Error()}}); err != nil {
				return err
			}
			continue
		}
		if err := enc.Encode(do(it.ID, it.Query)); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

// kql checks queries without running them.
func (c *cli) kql(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: goshawk kql check --batch FILE | QUERY", errUsage)
	}
	fs := c.newFlags("kql check", "kql check --batch FILE | QUERY")
	batch := fs.String("batch", "", "JSON-lines `FILE` of {\"id\",\"query\"} ('-' for stdin)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	cat := query.Catalog{C: schema.Default()}
	check := func(id, q string) any {
		if _, err := kql.Check(q, cat, kql.Options{}); err != nil {
			var ke *kql.Error
			if errors.As(err, &ke) {
				d := ke.First()
				p := ke.Position()
				return map[string]any{"id": id, "ok": false, "stage": string(ke.Stage), "error": batchErr{Code: d.Code, Message: d.Message, Line: p.Line, Col: p.Col}}
			}
			return map[string]any{"id": id, "ok": false, "stage": "bind", "error": batchErr{Code: "KQL0000", Message: err.Error()}}
		}
		return map[string]any{"id": id, "ok": true}
	}
	if *batch == "" {
		if len(pos) != 1 {
			return fmt.Errorf("%w: goshawk kql check --batch FILE | QUERY", errUsage)
		}
		out, _ := json.Marshal(check("1", pos[0]))
		fmt.Fprintln(c.stdout, string(out))
		return nil
	}
	return c.runBatch(*batch, check)
}
