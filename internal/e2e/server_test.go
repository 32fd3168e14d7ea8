package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// goshawkBin is the binary TestMain builds, or the one GOSHAWK_E2E_BIN
// names.
var goshawkBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped with -short")
		os.Exit(0)
	}
	if bin := os.Getenv("GOSHAWK_E2E_BIN"); bin != "" {
		// A binary built elsewhere, e.g. from a clean checkout.
		goshawkBin = bin
		os.Exit(m.Run())
	}
	tmp, err := os.MkdirTemp("", "goshawk-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	goshawkBin = filepath.Join(tmp, "goshawk")
	if err := build(goshawkBin); err != nil {
		os.RemoveAll(tmp)
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// build compiles ./cmd/goshawk into out with the go command that runs
// the test.
func build(out string) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("find the go command: %w", err)
	}
	cmd := exec.Command(goCmd, "build", "-o", out, "github.com/goshawk-sec/goshawk/cmd/goshawk")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/goshawk: %v\n%s", err, stderr.String())
	}
	return nil
}

// roles are the token roles every test workspace gets a token for.
var roles = []string{"owner", "contributor", "responder", "ingestor", "reader"}

// workspaceDir is a workspace directory prepared with one token per role.
type workspaceDir struct {
	dir    string
	tokens map[string]string // role → bearer token
}

// newWorkspace creates a workspace in a temporary directory and a token
// for each role, before any server holds its lock.
func newWorkspace(t *testing.T) *workspaceDir {
	t.Helper()
	w := &workspaceDir{dir: filepath.Join(t.TempDir(), "ws"), tokens: map[string]string{}}
	for _, role := range roles {
		cmd := exec.Command(goshawkBin, "token", "create", "--data", w.dir, "--role", role, "--name", "e2e-"+role)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("goshawk token create --role %s: %v\n%s", role, err, stderr.String())
		}
		// The secret is the only thing on stdout: take its last word.
		lines := strings.Fields(strings.TrimSpace(stdout.String()))
		if len(lines) == 0 {
			t.Fatalf("goshawk token create --role %s printed no token (stderr: %s)", role, stderr.String())
		}
		w.tokens[role] = lines[len(lines)-1]
	}
	return w
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running goshawk server process.
type server struct {
	t      *testing.T
	ws     *workspaceDir
	URL    string // https://127.0.0.1:PORT
	ID     string // the workspace GUID
	client *http.Client

	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	err    error // the process's exit status, once exited is closed
}

var listening = regexp.MustCompile(`^goshawk server listening on (https://\S+) \(workspace ([0-9A-Fa-f-]{36})\)$`)

// startServer starts `goshawk server` on w with extra flags and waits for
// it to listen. The server is killed when the test ends if it still runs;
// its stderr is shown if the test failed.
func startServer(t *testing.T, w *workspaceDir, flags ...string) *server {
	t.Helper()
	args := append([]string{"server", "--data", w.dir, "--listen", "127.0.0.1:0"}, flags...)
	s := &server{t: t, ws: w, cmd: exec.Command(goshawkBin, args...), stderr: &lockedBuffer{}, exited: make(chan struct{})}
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start goshawk server: %v", err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		if first {
			close(lines)
		}
	}()
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("server %s stderr:\n%s", s.URL, tail(s.stderr.String(), 16<<10))
		}
	})
	select {
	case line, ok := <-lines:
		m := listening.FindStringSubmatch(line)
		if !ok || m == nil {
			s.kill()
			t.Fatalf("goshawk server did not announce its address (first stdout line %q); stderr:\n%s", line, s.stderr.String())
		}
		s.URL, s.ID = m[1], m[2]
	case <-time.After(60 * time.Second):
		s.kill()
		t.Fatalf("goshawk server did not start within 60s; stderr:\n%s", s.stderr.String())
	}
	s.client = newClient(t, w.dir)
	return s
}

// newClient returns an HTTP client trusting the CA in the workspace
// directory, with room for many concurrent connections.
func newClient(t *testing.T, dir string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		t.Fatalf("read the server's CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", filepath.Join(dir, "ca.crt"))
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     30 * time.Second,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		s.kill()
		s.t.Fatalf("the server did not exit within 60s of SIGTERM; stderr:\n%s", tail(s.stderr.String(), 16<<10))
	}
	if s.err != nil {
		s.t.Fatalf("the server exited with %v after SIGTERM; stderr:\n%s", s.err, tail(s.stderr.String(), 16<<10))
	}
	s.client.CloseIdleConnections()
}

// kill sends SIGKILL, if the process still runs, and waits for it.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
}

// restart starts a new server on the same workspace directory.
func (s *server) restart(flags ...string) *server {
	s.t.Helper()
	return startServer(s.t, s.ws, flags...)
}

// response is an HTTP answer read whole.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiError is the error object the API answers with.
type apiError struct {
	Code       string    `json:"code"`
	Message    string    `json:"message"`
	InnerError *apiError `json:"innererror"`
	Line       int       `json:"line"`
	Pos        int       `json:"pos"`
	Token      string    `json:"token"`
}

// apiError decodes the body's error object; it fails the test if there is
// none.
func (r response) apiError(t *testing.T) *apiError {
	t.Helper()
	var body struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Error == nil {
		t.Fatalf("HTTP %d: the body is not an error object (%v): %s", r.Status, err, r.Body)
	}
	return body.Error
}

// request is one HTTP request to the server.
type request struct {
	method, path string
	token        string // bearer token; "" sends no Authorization header
	body         []byte
	header       map[string]string
	chunked      bool // send the body without a Content-Length
}

// do sends req and reads the whole answer. A transport error fails the
// test.
func (s *server) do(t *testing.T, req request) response {
	t.Helper()
	r, err := s.send(context.Background(), req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	return r
}

// send is do returning the transport error, for callers that expect one.
func (s *server) send(ctx context.Context, req request) (response, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
		if req.chunked {
			body = io.MultiReader(body) // hides the length
		}
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, s.URL+req.path, body)
	if err != nil {
		return response{}, err
	}
	if req.token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.token)
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := s.client.Do(hr)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// uploadPath is the Logs Ingestion API path of a stream of the built-in
// rule.
func uploadPath(stream string) string {
	return "/dataCollectionRules/dcr-default/streams/" + stream + "?api-version=2023-01-01"
}

// upload posts rows (marshalled to a JSON array) to a stream of the
// built-in rule, gzipped if asked, and returns the answer.
func (s *server) upload(t *testing.T, token, stream string, rows any, gz bool) response {
	t.Helper()
	body, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	req := request{method: "POST", path: uploadPath(stream), token: token, body: body}
	if gz {
		req.body = gzipBytes(t, body)
		req.header = map[string]string{"Content-Encoding": "gzip"}
	}
	return s.do(t, req)
}

// mustUpload is upload requiring 204.
func (s *server) mustUpload(t *testing.T, token, stream string, rows any, gz bool) {
	t.Helper()
	if r := s.upload(t, token, stream, rows, gz); r.Status != http.StatusNoContent {
		t.Fatalf("upload to %s: HTTP %d, want 204: %s", stream, r.Status, r.Body)
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// queryResult is the Log Analytics query API's answer.
type queryResult struct {
	Tables []resultTable `json:"tables"`
	Error  *apiError     `json:"error"`
}

type resultTable struct {
	Name    string `json:"name"`
	Columns []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"columns"`
	Rows [][]any `json:"rows"`
}

// primary returns the first table, failing the test if there is none.
func (q *queryResult) primary(t *testing.T) *resultTable {
	t.Helper()
	if len(q.Tables) == 0 {
		t.Fatalf("the query answered no table")
	}
	return &q.Tables[0]
}

// col returns the index of a column, failing the test if it is absent.
func (rt *resultTable) col(t *testing.T, name string) int {
	t.Helper()
	for i, c := range rt.Columns {
		if c.Name == name {
			return i
		}
	}
	t.Fatalf("the result has no column %s (columns %v)", name, rt.Columns)
	return -1
}

// queryRaw runs a query through the query API and returns the answer
// as sent.
func (s *server) queryRaw(t *testing.T, token, kql, timespan string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": kql, "timespan": timespan})
	if timespan == "" {
		body, _ = json.Marshal(map[string]string{"query": kql})
	}
	return s.do(t, request{method: "POST", path: "/v1/workspaces/" + s.ID + "/query", token: token, body: body})
}

// query runs a query as the reader and decodes the result; numbers stay
// json.Number so that longs compare exactly.
func (s *server) query(t *testing.T, kql, timespan string) *queryResult {
	t.Helper()
	r := s.queryRaw(t, s.ws.tokens["reader"], kql, timespan)
	if r.Status != http.StatusOK {
		t.Fatalf("query %q: HTTP %d: %s", kql, r.Status, r.Body)
	}
	return decodeResult(t, r.Body)
}

func decodeResult(t *testing.T, body []byte) *queryResult {
	t.Helper()
	var q queryResult
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&q); err != nil {
		t.Fatalf("decode query result: %v: %s", err, body)
	}
	if q.Error != nil {
		t.Fatalf("the query result carries an error: %+v", q.Error)
	}
	return &q
}

// count returns the number of rows in a table.
func (s *server) count(t *testing.T, table string) int64 {
	t.Helper()
	rt := s.query(t, table+" | count", "").primary(t)
	if len(rt.Rows) != 1 || len(rt.Rows[0]) != 1 {
		t.Fatalf("%s | count answered %v", table, rt.Rows)
	}
	n, err := rt.Rows[0][0].(json.Number).Int64()
	if err != nil {
		t.Fatalf("%s | count answered %v: %v", table, rt.Rows[0][0], err)
	}
	return n
}

// createTable creates a custom table through the API as the contributor.
func (s *server) createTable(t *testing.T, name string, cols ...[2]string) {
	t.Helper()
	type col struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	var def struct {
		Columns []col `json:"columns"`
	}
	for _, c := range cols {
		def.Columns = append(def.Columns, col{c[0], c[1]})
	}
	body, _ := json.Marshal(def)
	r := s.do(t, request{method: "PUT", path: "/v1/tables/" + name, token: s.ws.tokens["contributor"], body: body})
	if r.Status != http.StatusOK {
		t.Fatalf("PUT /v1/tables/%s: HTTP %d: %s", name, r.Status, r.Body)
	}
}
