package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// badCase is one bad request and what the server must answer.
type badCase struct {
	name   string
	req    request
	status int
	code   string   // the error object's code
	inner  []string // the codes of the nested inner errors, outermost first
	says   []string // substrings of the innermost message that locate the problem
}

// check sends the request and compares the answer with the case.
func (c badCase) check(t *testing.T, srv *server) *apiError {
	t.Helper()
	r := srv.do(t, c.req)
	if r.Status != c.status {
		t.Errorf("HTTP %d, want %d: %s", r.Status, c.status, r.Body)
		return nil
	}
	e := r.apiError(t)
	if e.Code != c.code {
		t.Errorf("error code %q, want %q: %s", e.Code, c.code, r.Body)
	}
	innermost := e
	for i, code := range c.inner {
		if innermost.InnerError == nil {
			t.Errorf("no inner error at depth %d, want code %q: %s", i+1, code, r.Body)
			return e
		}
		innermost = innermost.InnerError
		if innermost.Code != code {
			t.Errorf("inner error %d has code %q, want %q: %s", i+1, innermost.Code, code, r.Body)
		}
	}
	for _, s := range c.says {
		if !strings.Contains(innermost.Message, s) {
			t.Errorf("message %q does not say %q", innermost.Message, s)
		}
	}
	return innermost
}

// TestBadInput sends every kind of bad request and checks the status, the
// error codes and that the message names the problem; no bad ingestion
// request may write a row.
func TestBadInput(t *testing.T) {
	ws := newWorkspace(t)
	const maxBody = 128 << 10
	srv := startServer(t, ws, "--max-body", strconv.Itoa(maxBody))
	srv.createTable(t, "Bad_CL", [2]string{"Seq", "long"}, [2]string{"Name", "string"}, [2]string{"When", "datetime"}, [2]string{"Ok", "bool"})
	good := []map[string]any{{"Seq": 1, "Name": "a"}, {"Seq": 2, "Name": "b"}, {"Seq": 3, "Name": "c"}}
	ingestor, reader := ws.tokens["ingestor"], ws.tokens["reader"]
	srv.mustUpload(t, ingestor, "Custom-Bad_CL", good, false)
	srv.mustUpload(t, ingestor, "Custom-Syslog", []map[string]any{{"Computer": "h", "SyslogMessage": "m"}}, false)
	wantBad, wantSyslog := srv.count(t, "Bad_CL"), srv.count(t, "Syslog")
	if wantBad != 3 || wantSyslog != 1 {
		t.Fatalf("after the good uploads Bad_CL holds %d rows and Syslog %d, want 3 and 1", wantBad, wantSyslog)
	}

	post := func(stream, token, body string) request {
		return request{method: "POST", path: uploadPath(stream), token: token, body: []byte(body)}
	}
	withHeader := func(r request, k, v string) request {
		r.header = map[string]string{k: v}
		return r
	}
	oversized := `[` + strings.Repeat(`{"Seq":1,"Name":"padding padding padding"},`, maxBody/40) + `{"Seq":1}]`
	validGzip := gzipBytes(t, []byte(`[{"Seq":9}]`))
	var bomb bytes.Buffer // 65 MB of JSON whitespace, about 64 KB gzipped
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write([]byte("["))
	zw.Write(bytes.Repeat([]byte(" "), 65<<20))
	zw.Write([]byte("]"))
	zw.Close()
	if bomb.Len() > maxBody {
		t.Fatalf("the gzip bomb is %d bytes, more than --max-body %d", bomb.Len(), maxBody)
	}

	ingestCases := []badCase{
		{name: "MalformedJSON", req: post("Custom-Bad_CL", ingestor, `[{"Seq":1,}]`),
			status: 400, code: "InvalidContent", says: []string{"malformed JSON at byte 11", "invalid character '}'"}},
		{name: "TruncatedJSON", req: post("Custom-Bad_CL", ingestor, `[{"Seq":1},{"Seq":2`),
			status: 400, code: "InvalidContent", says: []string{"malformed JSON", "unexpected end of JSON input"}},
		{name: "EmptyBody", req: post("Custom-Bad_CL", ingestor, ``),
			status: 400, code: "InvalidContent", says: []string{"the body is empty"}},
		{name: "NotAnArray", req: post("Custom-Bad_CL", ingestor, `{"Seq":1}`),
			status: 400, code: "InvalidContent", says: []string{"JSON array", "not an object"}},
		{name: "ElementNotAnObject", req: post("Custom-Bad_CL", ingestor, `[{"Seq":4},2]`),
			status: 400, code: "InvalidContent", says: []string{"record 1", "found a number"}},
		// The first record is good: nothing may be half-written.
		{name: "WrongTypeLong", req: post("Custom-Bad_CL", ingestor, `[{"Seq":4,"Name":"ok"},{"Seq":"abc"}]`),
			status: 400, code: "InvalidContent", says: []string{"record 1", "column Seq", `"abc" is not an integer`, "long"}},
		{name: "WrongTypeFraction", req: post("Custom-Bad_CL", ingestor, `[{"Seq":4.5}]`),
			status: 400, code: "InvalidContent", says: []string{"record 0", "column Seq", "4.5 is not an integer"}},
		{name: "WrongTypeDatetime", req: post("Custom-Bad_CL", ingestor, `[{"Seq":4},{"Seq":5},{"Seq":6,"When":"yesterday"}]`),
			status: 400, code: "InvalidContent", says: []string{"record 2", "column When", `"yesterday" is not a datetime`}},
		{name: "WrongTypeBool", req: post("Custom-Bad_CL", ingestor, `[{"Seq":4,"Ok":"maybe"}]`),
			status: 400, code: "InvalidContent", says: []string{"record 0", "column Ok", `"maybe" is not a bool`}},
		{name: "WrongTypeCatalogueTable", req: post("Custom-Syslog", ingestor, `[{"Computer":"h"},{"ProcessID":"pid"}]`),
			status: 400, code: "InvalidContent", says: []string{"record 1", "column ProcessID", `"pid" is not an integer`}},
		{name: "IntOutOfRange", req: post("Custom-Syslog", ingestor, `[{"ProcessID":4294967296}]`),
			status: 400, code: "InvalidContent", says: []string{"record 0", "column ProcessID", "out of range for int"}},
		{name: "UnknownStream", req: post("Custom-NoSuch_CL", ingestor, `[{"Seq":4}]`),
			status: 400, code: "InvalidStream", says: []string{"Custom-NoSuch_CL", "NoSuch_CL"}},
		{name: "StreamWithoutCustomPrefix", req: post("Bad_CL", ingestor, `[{"Seq":4}]`),
			status: 400, code: "InvalidStream", says: []string{`"Bad_CL"`, "Custom-<Table>"}},
		{name: "UnknownRule", req: request{method: "POST", path: "/dataCollectionRules/dcr-nosuch/streams/Custom-Bad_CL?api-version=2023-01-01", token: ingestor, body: []byte(`[{"Seq":4}]`)},
			status: 404, code: "DataCollectionRuleNotFound", says: []string{"dcr-nosuch"}},
		{name: "BadAPIVersion", req: request{method: "POST", path: "/dataCollectionRules/dcr-default/streams/Custom-Bad_CL?api-version=1999-01-01", token: ingestor, body: []byte(`[{"Seq":4}]`)},
			status: 400, code: "InvalidApiVersion", says: []string{"1999-01-01"}},
		{name: "OversizedBody", req: post("Custom-Bad_CL", ingestor, oversized),
			status: 413, code: "ContentLengthLimitExceeded", says: []string{strconv.Itoa(maxBody)}},
		{name: "OversizedChunkedBody", req: func() request { r := post("Custom-Bad_CL", ingestor, oversized); r.chunked = true; return r }(),
			status: 413, code: "ContentLengthLimitExceeded", says: []string{strconv.Itoa(maxBody)}},
		{name: "OversizedOnceDecompressed", req: request{method: "POST", path: uploadPath("Custom-Bad_CL"), token: ingestor, body: bomb.Bytes(), header: map[string]string{"Content-Encoding": "gzip"}},
			status: 413, code: "ContentLengthLimitExceeded", says: []string{"decompressed"}},
		{name: "NotGzip", req: withHeader(post("Custom-Bad_CL", ingestor, `[{"Seq":4}]`), "Content-Encoding", "gzip"),
			status: 400, code: "InvalidContent", says: []string{"not valid gzip"}},
		{name: "TruncatedGzip", req: request{method: "POST", path: uploadPath("Custom-Bad_CL"), token: ingestor, body: validGzip[:len(validGzip)-6], header: map[string]string{"Content-Encoding": "gzip"}},
			status: 400, code: "InvalidContent", says: []string{"unexpected EOF"}},
		{name: "UnsupportedEncoding", req: withHeader(post("Custom-Bad_CL", ingestor, `[{"Seq":4}]`), "Content-Encoding", "br"),
			status: 415, code: "UnsupportedContentEncoding", says: []string{`"br"`}},
		{name: "NoToken", req: post("Custom-Bad_CL", "", `[{"Seq":4}]`),
			status: 401, code: "AuthorizationRequiredError", says: []string{"no Authorization header"}},
		{name: "WrongToken", req: post("Custom-Bad_CL", ingestor+"x", `[{"Seq":4}]`),
			status: 401, code: "AuthorizationRequiredError", says: []string{"unknown or revoked token"}},
		{name: "NotBearer", req: withHeader(post("Custom-Bad_CL", "", `[{"Seq":4}]`), "Authorization", "Basic dXNlcjpwYXNz"),
			status: 401, code: "AuthorizationRequiredError", says: []string{"not a bearer token"}},
		{name: "ReaderIngests", req: post("Custom-Bad_CL", reader, `[{"Seq":4}]`),
			status: 403, code: "InsufficientAccessError", says: []string{"e2e-reader", "reader"}},
	}
	for _, c := range ingestCases {
		t.Run("Ingest/"+c.name, func(t *testing.T) {
			c.check(t, srv)
			if c.status == http.StatusUnauthorized {
				r := srv.do(t, c.req)
				if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", h)
				}
			}
			if got := srv.count(t, "Bad_CL"); got != wantBad {
				t.Errorf("Bad_CL holds %d rows after the bad request, want %d", got, wantBad)
			}
			if got := srv.count(t, "Syslog"); got != wantSyslog {
				t.Errorf("Syslog holds %d rows after the bad request, want %d", got, wantSyslog)
			}
		})
	}

	queryPath := "/v1/workspaces/" + srv.ID + "/query"
	q := func(token, kql, timespan string) request {
		body, _ := json.Marshal(map[string]string{"query": kql, "timespan": timespan})
		return request{method: "POST", path: queryPath, token: token, body: body}
	}
	queryCases := []struct {
		badCase
		line, pos int
		token     string
	}{
		{badCase: badCase{name: "UnknownOperator", req: q(reader, "Bad_CL | whre Seq > 1", ""),
			status: 400, code: "BadArgumentError", inner: []string{"SyntaxError", "KQL1004"}, says: []string{"whre", "line 1, column 10"}},
			line: 1, pos: 10, token: "whre"},
		{badCase: badCase{name: "SyntaxErrorOnThirdLine", req: q(reader, "Bad_CL\n| where Seq == 1 and\n  | take 1", ""),
			status: 400, code: "BadArgumentError", inner: []string{"SyntaxError", "KQL1006"}, says: []string{"line 3, column 3"}},
			line: 3, pos: 3, token: "|"},
		{badCase: badCase{name: "UnknownTable", req: q(reader, "NoSuchTable | take 1", ""),
			status: 400, code: "BadArgumentError", inner: []string{"SemanticError", "KQL2002"}, says: []string{"NoSuchTable"}},
			line: 1, pos: 1, token: "NoSuchTable"},
		{badCase: badCase{name: "UnknownColumn", req: q(reader, "Bad_CL | project Seq, Nope", ""),
			status: 400, code: "BadArgumentError", inner: []string{"SemanticError", "KQL2001"}, says: []string{"Nope"}},
			line: 1, pos: 23, token: "Nope"},
		{badCase: badCase{name: "BadTimespan", req: q(reader, "Bad_CL", "bogus"),
			status: 400, code: "BadArgumentError", inner: []string{"InvalidTimespanError"}, says: []string{`"bogus"`}}},
		{badCase: badCase{name: "TimespanEndsBeforeStart", req: q(reader, "Bad_CL", "2026-01-02T00:00:00Z/2026-01-01T00:00:00Z"),
			status: 400, code: "BadArgumentError", inner: []string{"InvalidTimespanError"}, says: []string{"ends before it starts"}}},
		{badCase: badCase{name: "TimespanInMonths", req: q(reader, "Bad_CL", "P1M"),
			status: 400, code: "BadArgumentError", inner: []string{"InvalidTimespanError"}, says: []string{`"P1M"`}}},
		{badCase: badCase{name: "EmptyQuery", req: q(reader, "  ", ""),
			status: 400, code: "BadArgumentError", inner: []string{"QueryValidationError"}, says: []string{"'query'"}}},
		{badCase: badCase{name: "MalformedBody", req: request{method: "POST", path: queryPath, token: reader, body: []byte(`{"query":`)},
			status: 400, code: "BadArgumentError", says: []string{"malformed JSON"}}},
		{badCase: badCase{name: "OtherWorkspace", req: request{method: "POST", path: "/v1/workspaces/00000000-0000-0000-0000-000000000000/query", token: reader, body: []byte(`{"query":"Bad_CL"}`)},
			status: 404, code: "WorkspaceNotFoundError", says: []string{"00000000-0000-0000-0000-000000000000", srv.ID}}},
		{badCase: badCase{name: "NoToken", req: q("", "Bad_CL", ""),
			status: 401, code: "AuthorizationRequiredError"}},
		{badCase: badCase{name: "IngestorQueries", req: q(ingestor, "Bad_CL", ""),
			status: 403, code: "InsufficientAccessError", says: []string{"e2e-ingestor"}}},
		{badCase: badCase{name: "ReaderCreatesTable", req: request{method: "PUT", path: "/v1/tables/Other_CL", token: reader, body: []byte(`{"columns":[{"name":"X","type":"string"}]}`)},
			status: 403, code: "InsufficientAccessError", says: []string{"e2e-reader"}}},
	}
	for _, c := range queryCases {
		t.Run("Query/"+c.name, func(t *testing.T) {
			e := c.check(t, srv)
			if e == nil || c.line == 0 {
				return
			}
			if e.Line != c.line || e.Pos != c.pos || e.Token != c.token {
				t.Errorf("the innermost error locates line %d, pos %d, token %q; want line %d, pos %d, token %q", e.Line, e.Pos, e.Token, c.line, c.pos, c.token)
			}
		})
	}

	t.Run("DataCollector", func(t *testing.T) { dataCollectorBadInput(t, srv) })
}

// dataCollectorBadInput checks the Data Collector API's refusals: a bad
// signature (403), a missing Log-Type or a body that is not JSON (400),
// none of which writes a row.
func dataCollectorBadInput(t *testing.T, srv *server) {
	key, ok := srv.sharedKey(t)
	if !ok {
		t.Skip("the server has no GET /v1/workspace/sharedKeys yet")
	}
	r := srv.postDataCollector(t, key, "DCBad", []byte(`[{"Name":"kept"}]`), nil)
	if r.Status == http.StatusNotFound {
		t.Skipf("POST /api/logs: HTTP 404: %s", r.Body)
	}
	if r.Status != http.StatusOK {
		t.Fatalf("POST /api/logs: HTTP %d, want 200: %s", r.Status, r.Body)
	}
	wrongKey := append([]byte("not the key"), key...)
	for _, c := range []struct {
		name   string
		key    []byte
		log    string
		body   string
		status int
	}{
		{"WrongKey", wrongKey, "DCBad", `[{"Name":"lost"}]`, http.StatusForbidden},
		{"NoLogType", key, "", `[{"Name":"lost"}]`, http.StatusBadRequest},
		{"NotJSON", key, "DCBad", `[{"Name":`, http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := srv.postDataCollector(t, c.key, c.log, []byte(c.body), nil)
			if r.Status != c.status {
				t.Errorf("HTTP %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if got := srv.count(t, "DCBad_CL"); got != 1 {
				t.Errorf("DCBad_CL holds %d rows after the bad request, want 1", got)
			}
		})
	}
}

// TestQueueFull floods a server whose commit queue holds few rows: some
// requests must get 429 with Retry-After, every row acknowledged with 204
// must be stored, and no row of a refused request.
func TestQueueFull(t *testing.T) {
	ws := newWorkspace(t)
	srv := startServer(t, ws, "--max-queued-rows", "1000")
	srv.createTable(t, "Flood_CL", [2]string{"Client", "long"}, [2]string{"Batch", "long"}, [2]string{"Seq", "long"})
	const clients, batchRows = 16, 400
	ingestor := ws.tokens["ingestor"]

	type key struct{ client, batch int }
	var mu sync.Mutex
	acked := map[key]bool{}
	refused := map[key]bool{}
	var retryAfter []string
	next := 0
	for round := 0; round < 5 && len(refused) == 0; round++ {
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := next; b < next+10; b++ {
					rows := make([]map[string]any, batchRows)
					for i := range rows {
						rows[i] = map[string]any{"Client": c, "Batch": b, "Seq": i}
					}
					body, _ := json.Marshal(rows)
					r, err := srv.send(t.Context(), request{method: "POST", path: uploadPath("Custom-Flood_CL"), token: ingestor, body: body})
					mu.Lock()
					switch {
					case err != nil:
						t.Errorf("client %d, batch %d: %v", c, b, err)
					case r.Status == http.StatusNoContent:
						acked[key{c, b}] = true
					case r.Status == http.StatusTooManyRequests:
						refused[key{c, b}] = true
						retryAfter = append(retryAfter, r.Header.Get("Retry-After"))
						var body struct{ Error apiError }
						if err := json.Unmarshal(r.Body, &body); err != nil || body.Error.Code != "TooManyRequests" {
							t.Errorf("429 with body %s, want error code TooManyRequests", r.Body)
						}
					default:
						t.Errorf("client %d, batch %d: HTTP %d: %s", c, b, r.Status, r.Body)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		next += 10
	}
	if len(refused) == 0 {
		t.Fatalf("%d batches of %d rows from %d clients were all accepted: the queue never filled", len(acked), batchRows, clients)
	}
	for _, ra := range retryAfter {
		if n, err := strconv.Atoi(ra); err != nil || n <= 0 {
			t.Errorf("429 with Retry-After %q, want a positive number of seconds", ra)
			break
		}
	}
	t.Logf("%d batches acknowledged, %d refused with 429", len(acked), len(refused))

	rt := srv.query(t, "Flood_CL | summarize n=count() by Client, Batch", "").primary(t)
	found := map[key]bool{}
	for _, row := range rt.Rows {
		c, _ := row[0].(json.Number).Int64()
		b, _ := row[1].(json.Number).Int64()
		n, _ := row[2].(json.Number).Int64()
		k := key{int(c), int(b)}
		found[k] = true
		switch {
		case refused[k]:
			t.Errorf("batch %v was refused with 429 but %d of its rows are stored", k, n)
		case !acked[k]:
			t.Errorf("batch %v was never sent but %d rows are stored", k, n)
		case n != batchRows:
			t.Errorf("batch %v: %d rows stored, want %d", k, n, batchRows)
		}
	}
	for k := range acked {
		if !found[k] {
			t.Errorf("batch %v was acknowledged with 204 but none of its rows are stored", k)
		}
	}
	if n := srv.count(t, "Flood_CL"); n != int64(len(acked)*batchRows) {
		t.Errorf("Flood_CL holds %d rows, want %d (%d acknowledged batches)", n, len(acked)*batchRows, len(acked))
	}
}
