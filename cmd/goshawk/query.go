package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/result"
	"github.com/goshawk-sec/goshawk/schema"
	"github.com/goshawk-sec/goshawk/store"
)

// openEngine opens the workspace in dir, or an in-memory workspace with
// the full catalogue and empty tables when dir is empty.
func openEngine(ctx context.Context, dir string) (*query.Engine, func(), error) {
	cat := schema.Default()
	var st *store.Store
	var err error
	if dir == "" {
		st, err = store.OpenMemory(ctx, cat)
	} else {
		st, err = store.Open(ctx, dir, cat)
	}
	if err != nil {
		return nil, nil, err
	}
	eng, err := query.New(ctx, st.DB(), cat, query.DefaultConfig())
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return eng, func() { st.Close() }, nil
}

func runQuery(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	data := fs.String("data", "", "workspace directory (default: an empty in-memory workspace)")
	format := fs.String("format", "table", "output format: table, json or csv")
	batch := fs.String("batch", "", "run the JSON-lines queries in FILE ('-' for stdin), one result line each")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *batch == "" && fs.NArg() != 1 {
		return fmt.Errorf("%w: goshawk query [--data DIR] [--format table|json|csv] QUERY", errUsage)
	}
	eng, closeFn, err := openEngine(ctx, *data)
	if err != nil {
		return err
	}
	defer closeFn()
	if *batch != "" {
		return runBatch(*batch, func(id, q string) any {
			set, err := eng.Run(ctx, q, query.Options{})
			if err != nil {
				return batchError(id, err)
			}
			return batchTables(id, set)
		})
	}
	set, err := eng.Run(ctx, fs.Arg(0), query.Options{})
	if err != nil {
		var ke *kql.Error
		if errors.As(err, &ke) {
			return errors.New(ke.Format())
		}
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	switch *format {
	case "json":
		return result.WriteJSON(w, set)
	case "csv":
		return result.WriteCSV(w, set.Tables[0])
	case "table":
		if err := result.WriteText(w, set.Tables[0]); err != nil {
			return err
		}
		if set.Truncated {
			fmt.Fprintln(w, "(truncated: "+set.TruncationReason+")")
		}
		return nil
	}
	return fmt.Errorf("%w: unknown format %q (table, json or csv)", errUsage, *format)
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
	e := batchErr{Code: "ExecutionError", Message: err.Error()}
	stage := "exec"
	var ke *kql.Error
	if errors.As(err, &ke) {
		d := ke.First()
		p := ke.Position()
		e = batchErr{Code: d.Code, Message: d.Message, Line: p.Line, Col: p.Col}
		stage = string(ke.Stage)
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
func runBatch(path string, do func(id, q string) any) error {
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
	w := bufio.NewWriter(os.Stdout)
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
		w.Flush()
	}
	return sc.Err()
}

func runKQL(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: goshawk kql check --batch FILE", errUsage)
	}
	fs := flag.NewFlagSet("kql check", flag.ContinueOnError)
	batch := fs.String("batch", "", "JSON-lines file of {\"id\",\"query\"} ('-' for stdin)")
	if err := fs.Parse(args[1:]); err != nil {
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
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: goshawk kql check --batch FILE | QUERY", errUsage)
		}
		out, _ := json.Marshal(check("1", fs.Arg(0)))
		fmt.Println(string(out))
		return nil
	}
	return runBatch(*batch, check)
}
