package client_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/client"
	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/content"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/hunting"
	"github.com/goshawk-sec/goshawk/incidents"
	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/rules"
	"github.com/goshawk-sec/goshawk/workspace"
)

// fixture is a workspace served over TLS by the real API handler.
type fixture struct {
	ws     *workspace.Workspace
	srv    *httptest.Server
	owner  string // token secrets
	reader string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir(), workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ws: ws}
	if f.owner, _, err = ws.CreateToken(ctx, auth.Owner, "owner"); err != nil {
		t.Fatal(err)
	}
	if f.reader, _, err = ws.CreateToken(ctx, auth.Reader, "reader"); err != nil {
		t.Fatal(err)
	}
	h, err := api.New(ws, api.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewTLSServer(h)
	t.Cleanup(func() {
		f.srv.Close()
		if err := ws.Close(); err != nil {
			t.Error(err)
		}
	})
	return f
}

// client returns a client trusting the test server's certificate.
func (f *fixture) client(t *testing.T, token string) *client.Client {
	t.Helper()
	c, err := client.New(f.srv.URL, token, client.Options{RootCAs: f.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestAdmin(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, f.owner)
	ctx := context.Background()

	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := f.ws.Info(ctx)
	want.Dir = ""
	if !reflect.DeepEqual(info, want) {
		t.Errorf("Info = %+v, want %+v", info, want)
	}

	secret, tok, err := c.CreateToken(ctx, auth.Ingestor, "shipper")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.ws.Authenticate(secret); err != nil || got.ID != tok.ID || got.Role != auth.Ingestor {
		t.Errorf("Authenticate(created secret) = %+v, %v; want token %s with role ingestor", got, err, tok.ID)
	}
	toks, err := c.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	local, _ := f.ws.Tokens(ctx)
	if !reflect.DeepEqual(toks, local) {
		t.Errorf("Tokens = %+v, want the workspace's %+v", toks, local)
	}
	if rev, err := c.RevokeToken(ctx, "shipper"); err != nil || rev.ID != tok.ID {
		t.Errorf("RevokeToken(shipper) = %+v, %v; want token %s", rev, err, tok.ID)
	}
	if _, err := c.RevokeToken(ctx, "shipper"); !errors.Is(err, workspace.ErrNotFound) {
		t.Errorf("RevokeToken twice: err = %v, want workspace.ErrNotFound", err)
	}

	def := workspace.TableDef{Name: "App_CL", Columns: []workspace.ColumnDef{{Name: "Msg", Type: "string"}, {Name: "N", Type: "long"}}, RetentionInDays: 30}
	ti, err := c.CreateTable(ctx, def)
	if err != nil {
		t.Fatal(err)
	}
	if ti.RetentionInDays != 30 || !ti.Custom {
		t.Errorf("CreateTable = %+v, want a custom table kept 30 days", ti)
	}
	if err := c.SetRetention(ctx, "App_CL", 45); err != nil {
		t.Fatal(err)
	}
	got, err := c.TableInfo(ctx, "App_CL")
	if err != nil {
		t.Fatal(err)
	}
	wantTI, _ := f.ws.TableInfo(ctx, "App_CL")
	if !reflect.DeepEqual(got, wantTI) || got.RetentionInDays != 45 {
		t.Errorf("TableInfo = %+v, want the workspace's %+v with 45 days", got, wantTI)
	}
	if err := c.SetRetention(ctx, "App_CL", 0); err == nil {
		t.Error("SetRetention(0) succeeded")
	}
	tables, err := c.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	localTables, _ := f.ws.Tables(ctx)
	if !reflect.DeepEqual(tables, localTables) {
		t.Errorf("Tables = %+v, want the workspace's %+v", tables, localTables)
	}
	if _, err := c.TableInfo(ctx, "Nope_CL"); !errors.Is(err, workspace.ErrNotFound) || err.Error() != `table "Nope_CL": not found` {
		t.Errorf("TableInfo(Nope_CL): err = %v, want the workspace's own not-found error", err)
	}

	rule := &ingest.Rule{
		ID:                 "dcr-app",
		StreamDeclarations: map[string]ingest.StreamDeclaration{"Custom-App": {Columns: []ingest.ColumnDef{{Name: "Msg", Type: "string"}, {Name: "N", Type: "long"}}}},
		DataFlows:          []ingest.DataFlow{{Streams: []string{"Custom-App"}, OutputStream: "Custom-App_CL"}},
	}
	if err := c.PutRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	gotRule, err := c.Rule(ctx, "dcr-app")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotRule, rule) {
		t.Errorf("Rule = %+v, want %+v", gotRule, rule)
	}
	rules, err := c.Rules(ctx)
	if err != nil || len(rules) != 1 || rules[0].ID != "dcr-app" {
		t.Errorf("Rules = %v, %v; want [dcr-app]", rules, err)
	}
	if err := c.PutRule(ctx, &ingest.Rule{ID: "dcr-bad"}); err == nil || !strings.Contains(err.Error(), "declares no streams") {
		t.Errorf("PutRule(no streams): err = %v, want the workspace's validation message", err)
	}
	if err := c.DeleteRule(ctx, "dcr-app"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Rule(ctx, "dcr-app"); !errors.Is(err, workspace.ErrNotFound) {
		t.Errorf("Rule after delete: err = %v, want workspace.ErrNotFound", err)
	}
}

func TestUploadAndQuery(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, f.owner)
	ctx := context.Background()
	if _, err := c.CreateTable(ctx, workspace.TableDef{Name: "App_CL", Columns: []workspace.ColumnDef{{Name: "Msg", Type: "string"}, {Name: "N", Type: "long"}}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Upload(ctx, ingest.DefaultRuleID, "Custom-App_CL", []byte(`[{"TimeGenerated":"2024-05-01T10:00:00Z","Msg":"a","N":1},{"TimeGenerated":"2024-05-02T10:00:00Z","Msg":"b","N":2}]`)); err != nil {
		t.Fatal(err)
	}
	// A body large enough to go gzipped.
	var sb strings.Builder
	sb.WriteString("[")
	for i := range 2000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"TimeGenerated":"2024-06-01T00:00:00Z","Msg":"bulk row %d","N":%d}`, i, i)
	}
	sb.WriteString("]")
	if err := c.Upload(ctx, ingest.DefaultRuleID, "Custom-App_CL", []byte(sb.String())); err != nil {
		t.Fatal(err)
	}

	set, err := c.Query(ctx, "App_CL | summarize Rows = count(), Total = sum(N)", "")
	if err != nil {
		t.Fatal(err)
	}
	if rows := set.Primary().Rows; len(rows) != 1 || fmt.Sprint(rows[0]) != fmt.Sprint([]any{int64(2002), int64(1999*2000/2 + 3)}) {
		t.Errorf("count and sum = %v, want [2002 %d]", rows, 1999*2000/2+3)
	}
	set, err = c.Query(ctx, "App_CL | project Msg", "2024-05-01T00:00:00Z/2024-05-02T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if rows := set.Primary().Rows; len(rows) != 1 || rows[0][0] != "a" {
		t.Errorf("rows in the timespan = %v, want [[a]]", rows)
	}

	reader := f.client(t, f.reader)
	if _, err := reader.Query(ctx, "App_CL | count", "P1D"); err != nil {
		t.Errorf("reader query: %v", err)
	}
	err = reader.Upload(ctx, ingest.DefaultRuleID, "Custom-App_CL", []byte(`[{"Msg":"x"}]`))
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusForbidden {
		t.Errorf("reader upload: err = %v, want a 403 *client.Error", err)
	}
	err = c.Upload(ctx, "dcr-missing", "Custom-App_CL", []byte(`[]`))
	if !errors.Is(err, ingest.ErrUnknownRule) {
		t.Errorf("upload to an unknown rule: err = %v, want ingest.ErrUnknownRule", err)
	}
	err = c.Upload(ctx, ingest.DefaultRuleID, "Custom-App_CL", []byte(`[{"N":"not a number"}]`))
	if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || ce.Code != "InvalidContent" {
		t.Errorf("upload of a bad value: err = %v, want 400 InvalidContent", err)
	}
}

func TestQueryErrors(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, f.reader)
	ctx := context.Background()
	for _, tc := range []struct {
		query     string
		code      string // innermost code
		line, pos int
	}{
		{"SecurityAlert\n| where NoSuchColumn == 1", "KQL2001", 2, 9},
		{"SecurityAlert | where (", "", 1, 0},
	} {
		_, err := c.Query(ctx, tc.query, "")
		var ce *client.Error
		if !errors.As(err, &ce) {
			t.Errorf("Query(%q): err = %v, want *client.Error", tc.query, err)
			continue
		}
		in := ce.Innermost()
		if ce.Status != http.StatusBadRequest || ce.Code != "BadArgumentError" || in.Line != tc.line {
			t.Errorf("Query(%q): status %d code %s, innermost %+v; want 400 BadArgumentError at line %d", tc.query, ce.Status, ce.Code, in, tc.line)
		}
		if tc.code != "" && (in.Code != tc.code || in.Pos != tc.pos) {
			t.Errorf("Query(%q): innermost %s at column %d, want %s at column %d", tc.query, in.Code, in.Pos, tc.code, tc.pos)
		}
		if want := fmt.Sprintf("line %d, column %d", in.Line, in.Pos); !strings.Contains(err.Error(), want) || strings.Count(err.Error(), "line") != 1 {
			t.Errorf("Query(%q): Error() = %q, want one %q", tc.query, err.Error(), want)
		}
	}
	if _, err := c.Query(ctx, "SecurityAlert | count", "P1Y"); err == nil || !strings.Contains(err.Error(), "ISO 8601") {
		t.Errorf("Query with timespan P1Y: err = %v, want the timespan error", err)
	}
}

func TestAuthErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	_, _, err := f.client(t, f.reader).CreateToken(ctx, auth.Owner, "escalate")
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusForbidden || ce.Code != "InsufficientAccessError" ||
		err.Error() != `The token "reader" (role reader) may not manage access.` {
		t.Errorf("reader CreateToken: err = %v, want 403 InsufficientAccessError", err)
	}

	bogus, _, _ := auth.NewSecret()
	_, err = f.client(t, bogus).Info(ctx)
	if !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("unknown token: err = %v, want auth.ErrUnauthenticated", err)
	}
	if err != nil && strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), bogus) {
		t.Errorf("the error names the token: %v", err)
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct{ url, token, want string }{
		{"http://goshawk.example:8080", "gsk_x", "clear text"},
		{"ftp://host", "gsk_x", "want https"},
		{"https://user:pw@host", "gsk_x", "without credentials"},
		{"https://host:8443", "", "no token"},
	} {
		_, err := client.New(tc.url, tc.token, client.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q): err = %v, want one containing %q", tc.url, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("New(%q): the error shows the password: %v", tc.url, err)
		}
	}
	if _, err := client.New("http://127.0.0.1:8080", "gsk_x", client.Options{}); err != nil {
		t.Errorf("New(http loopback): %v", err)
	}

	// A CA file, as a workspace's ca.crt would be given.
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(f.srv.URL+"/", f.owner, client.Options{CAFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Info(context.Background()); err != nil {
		t.Errorf("Info through the CA file: %v", err)
	}
	// Without it the server is not trusted.
	c, _ = client.New(f.srv.URL, f.owner, client.Options{})
	if _, err := c.Info(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Info without the CA: err = %v, want a certificate error", err)
	}
}

func TestNonAPIError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "upstream went away\nsecond line", http.StatusBadGateway)
	}))
	defer srv.Close()
	c, err := client.New(srv.URL, "gsk_secret", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Tables(context.Background())
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusBadGateway || err.Error() != "GET /v1/tables: 502 Bad Gateway: upstream went away" {
		t.Errorf("err = %v, want a 502 *client.Error quoting the body's first line", err)
	}
}

// TestErrorIsServiceErrors: a 404 NotFound from any service's route is
// that service's ErrNotFound for errors.Is, and a 400 its ErrInvalid.
func TestErrorIsServiceErrors(t *testing.T) {
	nf := &client.Error{Status: http.StatusNotFound, Code: "NotFound"}
	for _, target := range []error{workspace.ErrNotFound, edr.ErrNotFound, connector.ErrNotFound, content.ErrNotFound,
		hunting.ErrNotFound, rules.ErrNotFound, incidents.ErrNotFound} {
		if !errors.Is(nf, target) {
			t.Errorf("a 404 is not %v", target)
		}
	}
	bad := &client.Error{Status: http.StatusBadRequest, Code: "BadArgumentError"}
	if !errors.Is(bad, incidents.ErrInvalid) || errors.Is(bad, incidents.ErrNotFound) {
		t.Error("a 400 maps wrongly")
	}
}
