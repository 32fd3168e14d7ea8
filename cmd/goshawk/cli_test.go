package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/workspace"
)

// run runs one goshawk command line in-process with env as its
// environment, and returns what it printed and its error.
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &cli{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
	cmd, ok := commands[args[0]]
	if !ok {
		t.Fatalf("no command %q", args[0])
	}
	err = cmd.run(c, context.Background(), args[1:])
	return out.String(), errOut.String(), err
}

// mustRun runs a command line that must succeed and returns its stdout.
func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out, errOut, err := run(t, env, args...)
	if err != nil {
		t.Fatalf("goshawk %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// testServer is a goshawk server running in this process, over TLS with
// the workspace's own CA, as "goshawk server" runs it.
type testServer struct {
	url  string
	ws   *workspace.Workspace
	srv  *http.Server
	done chan error
}

func startServer(t *testing.T, dir string) *testServer {
	t.Helper()
	ctx := context.Background()
	cfg := workspace.DefaultConfig()
	cfg.Command = "server"
	tr, err := newTransformer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Transformer = tr
	ws, err := workspace.Open(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.New(ws, api.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{url: "https://" + ln.Addr().String(), ws: ws, done: make(chan error, 1)}
	if err := ws.SetURL(s.url); err != nil {
		t.Fatal(err)
	}
	s.srv = &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{bundle.Server}}}
	go func() { s.done <- s.srv.ServeTLS(ln, "", "") }()
	t.Cleanup(s.stop)
	return s
}

// stop shuts the server down and closes its workspace; it may be called
// more than once.
func (s *testServer) stop() {
	if s.ws == nil {
		return
	}
	_ = s.srv.Shutdown(context.Background())
	<-s.done
	_ = s.ws.Close()
	s.ws = nil
}

// tokenLine is the one line token create prints on stdout.
var tokenLine = regexp.MustCompile(`^gsk_[A-Za-z0-9_-]{43}\n$`)

// fixture prepares a workspace directory with sample data and an owner
// and a reader token, and writes the definition files the commands read.
type fixture struct {
	dir, owner, reader string
	files              string // directory of rule and table files
	now                time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: filepath.Join(t.TempDir(), "ws"), files: t.TempDir(), now: time.Now().UTC().Truncate(time.Second)}
	mustRun(t, nil, "sample-data", "--data", f.dir, "--rows", "200", "--seed", "7", "--now", f.now.Format(time.RFC3339))
	out, errOut, err := run(t, nil, "token", "create", "--data", f.dir, "--role", "owner", "--name", "admin")
	if err != nil || !tokenLine.MatchString(out) || !strings.Contains(errOut, `created token "admin"`) {
		t.Fatalf("token create: stdout %q, stderr %q, err %v; want the secret alone on stdout", out, errOut, err)
	}
	f.owner = strings.TrimSpace(out)
	f.reader = strings.TrimSpace(mustRun(t, nil, "token", "create", "--data", f.dir, "--role", "reader", "--name", "viewer"))
	for name, text := range map[string]string{
		"rule.json":     `{"properties":{"immutableId":"dcr-app","streamDeclarations":{"Custom-App":{"columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Msg","type":"string"},{"name":"N","type":"long"}]}},"dataFlows":[{"streams":["Custom-App"],"outputStream":"Custom-App_CL"}]}}`,
		"other.json":    `{"streamDeclarations":{"Custom-App":{"columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Msg","type":"string"},{"name":"N","type":"long"}]}},"dataFlows":[{"streams":["Custom-App"],"outputStream":"Custom-Other_CL"}]}`,
		"table.json":    `{"properties":{"schema":{"name":"Other_CL","columns":[{"name":"Msg","type":"string"},{"name":"N","type":"long"}]},"retentionInDays":30}}`,
		"batch.jsonl":   "{\"id\":\"ok\",\"query\":\"DeviceProcessEvents | summarize n = count()\"}\n{\"id\":\"parse\",\"query\":\"DeviceProcessEvents | where (\"}\n{\"id\":\"bind\",\"query\":\"DeviceProcessEvents\\n| where Nope == 1\"}\nnot json\n",
		"app-rows.json": `[{"TimeGenerated":"` + f.now.Add(-time.Hour).Format(time.RFC3339) + `","Msg":"first \"quoted\"","N":1},{"TimeGenerated":"` + f.now.Add(-time.Minute).Format(time.RFC3339Nano) + `","Msg":"second\tline","N":2}]`,
	} {
		if err := os.WriteFile(filepath.Join(f.files, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) file(name string) string { return filepath.Join(f.files, name) }

// outcome is what a command printed and the error it ended with.
type outcome struct{ stdout, err string }

func outcomeOf(t *testing.T, env map[string]string, args ...string) outcome {
	t.Helper()
	out, _, err := run(t, env, args...)
	o := outcome{stdout: out}
	if err != nil {
		o.err = err.Error()
	}
	return o
}

// TestRemoteAndLocal runs every command against a server and then, once
// the server has stopped, on the same directory with --data: the reads
// must print the same bytes, and each change prints what the same change
// prints the other way.
func TestRemoteAndLocal(t *testing.T) {
	f := newFixture(t)
	srv := startServer(t, f.dir)
	remote := map[string]string{"GOSHAWK_TOKEN": f.owner, "GOSHAWK_CA": filepath.Join(f.dir, pki.CACertFile)}

	// While the server holds the directory, --data says to use --server.
	for _, args := range [][]string{
		{"token", "list", "--data", f.dir},
		{"query", "--data", f.dir, "print 1"},
		{"table", "create", "X_CL", "--column", "A:string", "--data", f.dir},
		{"workspace", "show", "--data", f.dir},
	} {
		_, _, err := run(t, nil, args...)
		var held *workspace.HeldError
		if !errors.As(err, &held) || !strings.Contains(err.Error(), "--server "+srv.url+" --token TOKEN instead of --data") {
			t.Errorf("goshawk %s on a held workspace: err = %v, want the HeldError naming %s", strings.Join(args, " "), err, srv.url)
		}
	}

	// Changes through the server.
	changes := map[string]string{}
	changes["table create"] = mustRun(t, remote, "table", "create", "App_CL", "--column", "Msg:string", "--column", "N:long", "--retention", "30", "--server", srv.url)
	changes["table create --file"] = mustRun(t, remote, "table", "create", "--file", f.file("table.json"), "--server", srv.url)
	changes["table retention"] = mustRun(t, remote, "table", "retention", "App_CL", "--days", "45", "--server", srv.url)
	changes["dcr put"] = mustRun(t, remote, "dcr", "put", "--file", f.file("rule.json"), "--server", srv.url)
	changes["dcr put --id"] = mustRun(t, remote, "dcr", "put", "--id", "dcr-other", "--file", f.file("other.json"), "--server", srv.url)
	changes["dcr delete"] = mustRun(t, remote, "dcr", "delete", "dcr-other", "--server", srv.url)
	tmp, errOut, err := run(t, remote, "token", "create", "--role", "ingestor", "--name", "tmp", "--server", srv.url)
	if err != nil || !tokenLine.MatchString(tmp) || !strings.Contains(errOut, `created token "tmp"`) {
		t.Errorf("remote token create: stdout %q, stderr %q, err %v; want the secret alone on stdout", tmp, errOut, err)
	}
	changes["token revoke"] = mustRun(t, remote, "token", "revoke", "tmp", "--server", srv.url)

	// Rows through the Logs Ingestion API, for the queries below.
	cl, err := client.New(srv.url, f.owner, client.Options{CAFile: filepath.Join(f.dir, pki.CACertFile)})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := os.ReadFile(f.file("app-rows.json"))
	if err := cl.Upload(context.Background(), "dcr-app", "Custom-App", rows); err != nil {
		t.Fatal(err)
	}

	// Flags instead of the environment; no CA, no trust.
	if out := mustRun(t, nil, "workspace", "show", "--server", srv.url, "--token", f.owner, "--ca", filepath.Join(f.dir, pki.CACertFile)); !strings.Contains(out, "Workspace ID: "+srv.ws.ID()+"\n") {
		t.Errorf("workspace show = %q, want the line %q", out, "Workspace ID: "+srv.ws.ID())
	}
	if _, _, err := run(t, map[string]string{"GOSHAWK_TOKEN": f.owner}, "workspace", "show", "--server", srv.url); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("workspace show without the CA: err = %v, want a certificate error", err)
	}
	// A reader may not manage tokens.
	readerEnv := map[string]string{"GOSHAWK_TOKEN": f.reader, "GOSHAWK_CA": remote["GOSHAWK_CA"]}
	if _, _, err := run(t, readerEnv, "token", "create", "--role", "owner", "--server", srv.url); err == nil || err.Error() != `The token "viewer" (role reader) may not manage access.` {
		t.Errorf("token create as a reader: err = %v, want the 403 message", err)
	}
	if _, _, err := run(t, readerEnv, "workspace", "keys", "--server", srv.url); err == nil {
		t.Error("workspace keys as a reader succeeded")
	}

	window := f.now.Add(-48*time.Hour).Format(time.RFC3339) + "/" + f.now.Add(time.Hour).Format(time.RFC3339)
	reads := [][]string{
		{"workspace", "show"},
		{"token", "list"},
		{"table", "list"},
		{"table", "show", "App_CL"},
		{"table", "show", "Other_CL"},
		{"table", "show", "DeviceProcessEvents"},
		{"table", "show", "Nope_CL"},
		{"dcr", "list"},
		{"dcr", "show", "dcr-app"},
		{"dcr", "show", "dcr-nope"},
		{"token", "revoke", "no-such-token"},
		{"query", "DeviceProcessEvents | order by TimeGenerated asc, ReportId asc | take 5"},
		{"query", "--format", "json", "DeviceProcessEvents | order by TimeGenerated asc, ReportId asc | take 5"},
		{"query", "--format", "csv", "DeviceProcessEvents | order by TimeGenerated asc, ReportId asc | take 5"},
		{"query", "--format", "json", "App_CL | order by N asc"},
		{"query", "App_CL | order by N asc | project TimeGenerated, Msg, N, Type"},
		{"query", "--timespan", window, "DeviceProcessEvents | summarize n = count() by DeviceName | order by DeviceName asc"},
		{"query", "--timespan", "P1D", "--format", "csv", "App_CL | summarize n = count()"},
		{"query", "DeviceProcessEvents\n| where Nope == 1"},
		{"query", "DeviceProcessEvents | where (  | take"},
		{"query", "--batch", f.file("batch.jsonl")},
	}
	if _, err := cl.SharedKey(context.Background()); err == nil {
		reads = append(reads, []string{"workspace", "keys"})
	} else {
		t.Logf("not comparing workspace keys: the server does not serve the shared key yet: %v", err)
	}
	got := map[string]outcome{}
	for _, args := range reads {
		got[strings.Join(args, " ")] = outcomeOf(t, remote, append(args, "--server", srv.url)...)
	}
	cl.Close()
	srv.stop()

	for _, args := range reads {
		key := strings.Join(args, " ")
		want := got[key]
		local := outcomeOf(t, nil, append(args, "--data", f.dir)...)
		if local != want {
			t.Errorf("goshawk %s differs:\n--server stdout:\n%s\n--server error: %s\n--data stdout:\n%s\n--data error: %s", key, want.stdout, want.err, local.stdout, local.err)
		}
		if want.stdout == "" && want.err == "" {
			t.Errorf("goshawk %s printed nothing", key)
		}
	}
	// Spot checks that the outputs hold what they should.
	for key, want := range map[string]string{
		"workspace show":     "Tables: ",
		"table show App_CL":  "Retention:  45 days",
		"table show Nope_CL": `table "Nope_CL": not found`,
		"dcr list":           "dcr-app        Custom-App -> App_CL",
		"dcr show dcr-app":   `"immutableId": "dcr-app"`,
		"query --format json App_CL | order by N asc":  `first \"quoted\"`,
		"query DeviceProcessEvents\n| where Nope == 1": "2:9: KQL2001:",
		"query DeviceProcessEvents | where (  | take":  "1:38: KQL1006",
		"query --batch " + f.file("batch.jsonl"):       `{"error":{"code":"KQL2001","message":"Failed to resolve scalar expression named 'Nope'","line":2,"col":9},"id":"bind","stage":"bind"}`,
	} {
		o := got[key]
		if !strings.Contains(o.stdout+o.err, want) {
			t.Errorf("goshawk %s: stdout %q, error %q; want %q in one", key, o.stdout, o.err, want)
		}
	}

	// The same changes on the directory print the same.
	rename := strings.NewReplacer("App_CL", "Local_CL", "Other_CL", "Local2_CL", "dcr-other", "dcr-local")
	if err := os.WriteFile(f.file("table-local.json"), []byte(rename.Replace(mustRead(t, f.file("table.json")))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.file("rule-local.json"), []byte(strings.NewReplacer("dcr-app", "dcr-app2", "App_CL", "Local_CL").Replace(mustRead(t, f.file("rule.json")))), 0o644); err != nil {
		t.Fatal(err)
	}
	local := map[string]string{}
	local["table create"] = mustRun(t, nil, "table", "create", "Local_CL", "--column", "Msg:string", "--column", "N:long", "--retention", "30", "--data", f.dir)
	local["table create --file"] = mustRun(t, nil, "table", "create", "--file", f.file("table-local.json"), "--data", f.dir)
	local["table retention"] = mustRun(t, nil, "table", "retention", "Local_CL", "--days", "45", "--data", f.dir)
	local["dcr put"] = mustRun(t, nil, "dcr", "put", "--file", f.file("rule-local.json"), "--data", f.dir)
	local["dcr put --id"] = mustRun(t, nil, "dcr", "put", "--id", "dcr-local", "--file", f.file("other.json"), "--data", f.dir)
	local["dcr delete"] = mustRun(t, nil, "dcr", "delete", "dcr-local", "--data", f.dir)
	mustRun(t, nil, "token", "create", "--role", "ingestor", "--name", "tmp", "--data", f.dir)
	local["token revoke"] = mustRun(t, nil, "token", "revoke", "tmp", "--data", f.dir)
	ids := regexp.MustCompile(`id [0-9a-f-]{36}`)
	for key, want := range changes {
		want = strings.ReplaceAll(rename.Replace(ids.ReplaceAllString(want, "id ID")), "dcr-app", "dcr-app2")
		// other.json sends its stream to Other_CL in both runs.
		if key == "dcr put --id" {
			want = strings.ReplaceAll(want, "Local2_CL", "Other_CL")
		}
		if got := ids.ReplaceAllString(local[key], "id ID"); got != want {
			t.Errorf("goshawk %s: --data printed\n%s\n--server printed (renamed)\n%s", key, got, want)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	rule := filepath.Join(dir, "rule.json")
	if err := os.WriteFile(rule, []byte(`{"immutableId":"dcr-a","streamDeclarations":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"token"},
		{"token", "mint"},
		{"token", "list"},
		{"token", "list", "--data", dir, "--server", "https://127.0.0.1:1"},
		{"token", "list", "--server", "https://127.0.0.1:1"},
		{"token", "list", "--data", dir, "--token", "gsk_x"},
		{"token", "list", "--server", "http://goshawk.example", "--token", "gsk_x"},
		{"token", "create", "--role", "king", "--data", dir},
		{"token", "revoke", "--data", dir},
		{"table", "show", "--data", dir},
		{"table", "create", "X_CL", "--data", dir},
		{"table", "create", "X_CL", "--column", "nocolon", "--data", dir},
		{"table", "retention", "X_CL", "--days", "0", "--data", dir},
		{"dcr", "put", "--data", dir},
		{"dcr", "put", "--file", rule, "--id", "dcr-b", "--data", dir},
		{"query", "--bogus-flag", "print 1"},
		{"query", "--timespan", "yesterday", "print 1"},
		{"query", "--format", "xml", "print 1"},
		{"query"},
		{"workspace", "show", "extra", "--data", dir},
	} {
		_, _, err := run(t, map[string]string{}, args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("goshawk %s: err = %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  string
		data string
	}{
		{[]string{"--data", "d", "X"}, "X", "d"},
		{[]string{"X", "--data", "d"}, "X", "d"},
		{[]string{"X", "--data=d", "Y"}, "X Y", "d"},
		{[]string{"--data", "d", "--", "--not-a-flag", "Z"}, "--not-a-flag Z", "d"},
		{[]string{"X", "--", "--data", "d"}, "X --data d", ""},
	} {
		fs := (&cli{stderr: io.Discard}).newFlags("test", "test")
		data := fs.String("data", "", "")
		pos, err := parseFlags(fs, tc.args)
		if err != nil || strings.Join(pos, " ") != tc.pos || *data != tc.data {
			t.Errorf("parseFlags(%q) = %q, --data %q, %v; want %q, --data %q", tc.args, pos, *data, err, tc.pos, tc.data)
		}
	}
}

func TestQueryInMemory(t *testing.T) {
	out := mustRun(t, nil, "query", "--format", "csv", "print x = 1, y = 'a'")
	if out != "x,y\n1,a\n" {
		t.Errorf("query in memory = %q, want %q", out, "x,y\n1,a\n")
	}
	_, _, err := run(t, nil, "query", "DeviceProcessEvents | where (")
	if err == nil || !strings.Contains(err.Error(), "1:30: KQL") || !strings.Contains(err.Error(), "^") {
		t.Errorf("bad query: err = %v, want a positioned diagnostic with a caret", err)
	}
}

func TestSampleDataOnHeldWorkspace(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	_, _, err := run(t, nil, "sample-data", "--data", dir, "--rows", "10")
	if err == nil || !strings.Contains(err.Error(), srv.url) || !strings.Contains(err.Error(), "stop that process first") {
		t.Errorf("sample-data on a held workspace: err = %v, want it to name the server and say to stop it", err)
	}
}

func TestQueryErrorFromServer(t *testing.T) {
	got := queryError("T\n| where  X == 1", &client.Error{Status: 400, Code: "BadArgumentError",
		Inner: &client.Error{Code: "SemanticError", Inner: &client.Error{Code: "KQL2001", Message: "Failed to resolve scalar expression named 'X' at line 2, column 10", Line: 2, Pos: 10, Snippet: "X"}}}).Error()
	want := "2:10: KQL2001: Failed to resolve scalar expression named 'X'\n  | where  X == 1\n           ^"
	if got != want {
		t.Errorf("queryError =\n%s\nwant\n%s", got, want)
	}
}

func TestWorkspaceKeysLocal(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, nil, "workspace", "keys", "--data", dir)
	ws, err := workspace.Open(context.Background(), dir, workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if want := base64.StdEncoding.EncodeToString(ws.SharedKey()) + "\n"; out != want {
		t.Errorf("workspace keys = %q, want %q", out, want)
	}
}
