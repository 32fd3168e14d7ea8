package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/workspace"
)

// collectorSign computes a Data Collector signature the way Azure's
// documentation tells clients to.
func collectorSign(key []byte, length int, date string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "POST\n%d\napplication/json\nx-ms-date:%s\n/api/logs", length, date)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestCheckSharedKey(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 64)
	const wsID = "6f1c2b9e-3d4a-4e5f-8a7b-0c1d2e3f4a5b"
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	good := "SharedKey " + wsID + ":" + collectorSign(key, 120, date)
	for _, tc := range []struct {
		name   string
		authz  string
		date   string
		length int64
		ok     bool
		reason string // a part of the error
	}{
		{"valid", good, date, 120, true, ""},
		{"workspace id in upper case", "SharedKey " + strings.ToUpper(wsID) + ":" + collectorSign(key, 120, date), date, 120, true, ""},
		{"14 minutes old", "SharedKey " + wsID + ":" + collectorSign(key, 120, now.Add(-14*time.Minute).Format(http.TimeFormat)), now.Add(-14 * time.Minute).Format(http.TimeFormat), 120, true, ""},
		{"wrong key", "SharedKey " + wsID + ":" + collectorSign(bytes.Repeat([]byte{8}, 64), 120, date), date, 120, false, "invalid signature"},
		{"wrong workspace", "SharedKey 00000000-0000-0000-0000-000000000000:" + collectorSign(key, 120, date), date, 120, false, "another workspace"},
		{"tampered length", good, date, 121, false, "invalid signature"},
		{"date differs from the signed one", good, now.Add(time.Second).Format(http.TimeFormat), 120, false, "invalid signature"},
		{"stale date", "SharedKey " + wsID + ":" + collectorSign(key, 120, now.Add(-16*time.Minute).Format(http.TimeFormat)), now.Add(-16 * time.Minute).Format(http.TimeFormat), 120, false, "16m0s off the server clock"},
		{"future date", "SharedKey " + wsID + ":" + collectorSign(key, 120, now.Add(time.Hour).Format(http.TimeFormat)), now.Add(time.Hour).Format(http.TimeFormat), 120, false, "1h0m0s off"},
		{"no Authorization", "", date, 120, false, "Authorization header is missing"},
		{"no x-ms-date", good, "", 120, false, "x-ms-date header is missing"},
		{"date not RFC 1123", good, "2026-11-27T12:00:00Z", 120, false, "not an RFC 1123 date"},
		{"bearer scheme", "Bearer abc", date, 120, false, "SharedKey scheme"},
		{"no colon", "SharedKey " + wsID, date, 120, false, "does not read SharedKey"},
		{"signature not base64", "SharedKey " + wsID + ":***", date, 120, false, "invalid signature"},
		{"empty signature", "SharedKey " + wsID + ":", date, 120, false, "does not read SharedKey"},
	} {
		h := http.Header{}
		if tc.authz != "" {
			h.Set("Authorization", tc.authz)
		}
		if tc.date != "" {
			h.Set("x-ms-date", tc.date)
		}
		err := checkSharedKey(h, tc.length, wsID, key, now)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: checkSharedKey = %v, want success", tc.name, err)
		case !tc.ok && err == nil:
			t.Errorf("%s: checkSharedKey accepted the request", tc.name)
		case !tc.ok && !strings.Contains(err.Error(), tc.reason):
			t.Errorf("%s: checkSharedKey = %q, want it to mention %q", tc.name, err, tc.reason)
		}
		if err != nil && strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(key)) {
			t.Errorf("%s: the error %q shows the key", tc.name, err)
		}
	}
}

// syncBuffer is a log destination the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type collectorEnv struct {
	ws  *workspace.Workspace
	srv *httptest.Server
	log *syncBuffer
}

func newCollectorEnv(t *testing.T) *collectorEnv {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir(), workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	s, err := New(ws, DefaultConfig(), slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		ws.Close()
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		srv.Close()
		if err := ws.Close(); err != nil {
			t.Error(err)
		}
	})
	return &collectorEnv{ws: ws, srv: srv, log: logs}
}

// collectorRequest is a Data Collector post; zero fields get valid
// defaults, and set adds or overrides headers after signing ("" deletes).
type collectorRequest struct {
	logType string
	body    string
	query   string
	date    time.Time
	key     []byte
	set     map[string]string
}

func (e *collectorEnv) post(t *testing.T, cr collectorRequest) (int, collectorError) {
	t.Helper()
	if cr.logType == "" {
		cr.logType = "MyLog"
	}
	if cr.query == "" {
		cr.query = "api-version=2016-04-01"
	}
	if cr.date.IsZero() {
		cr.date = time.Now()
	}
	if cr.key == nil {
		cr.key = e.ws.SharedKey()
	}
	req, err := http.NewRequest("POST", e.srv.URL+"/api/logs?"+cr.query, strings.NewReader(cr.body))
	if err != nil {
		t.Fatal(err)
	}
	date := cr.date.UTC().Format(http.TimeFormat)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Log-Type", cr.logType)
	req.Header.Set("x-ms-date", date)
	req.Header.Set("Authorization", "SharedKey "+e.ws.ID()+":"+collectorSign(cr.key, len(cr.body), date))
	for k, v := range cr.set {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var ce collectorError
	if resp.StatusCode != http.StatusOK {
		if err := json.Unmarshal(data, &ce); err != nil {
			t.Fatalf("status %d with a body that is not a Data Collector error: %q", resp.StatusCode, data)
		}
	} else if len(data) != 0 {
		t.Errorf("200 with a body: %q", data)
	}
	return resp.StatusCode, ce
}

// rows runs a query and returns its primary result's rows.
func (e *collectorEnv) rows(t *testing.T, q string) [][]any {
	t.Helper()
	set, err := e.ws.Engine().Run(context.Background(), q, query.Options{})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return set.Primary().Rows
}

func (e *collectorEnv) columns(t *testing.T, table string) map[string]types.Type {
	t.Helper()
	tbl, ok := e.ws.Store().Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	out := map[string]types.Type{}
	for _, c := range tbl.Columns {
		out[c.Name] = c.Type
	}
	return out
}

func TestDataCollectorEndToEnd(t *testing.T) {
	e := newCollectorEnv(t)
	status, ce := e.post(t, collectorRequest{
		body: `[{"Name":"web01","Count":42,"Ok":true,"When":"2026-11-27T10:00:00Z","Id":"9909ED01-A74C-4874-8ABF-D2678E3AE23D","Host":{"Os":"linux"}},
			{"Name":"web02","Count":7,"Ok":false,"When":"2026-11-27T10:05:00Z"}]`,
		set: map[string]string{"time-generated-field": "When", "x-ms-AzureResourceId": "/subscriptions/s/resourceGroups/g/providers/p/web"},
	})
	if status != http.StatusOK {
		t.Fatalf("post = %d %+v", status, ce)
	}
	got := e.rows(t, `MyLog_CL | order by Name_s asc | project Name_s, Count_d, Ok_b, When_t, tostring(Id_g), Host_Os_s, TimeGenerated, Type`)
	when1 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	when2 := time.Date(2026, 11, 27, 10, 5, 0, 0, time.UTC)
	want := [][]any{
		{"web01", 42.0, true, when1, "9909ed01-a74c-4874-8abf-d2678e3ae23d", "linux", when1, "MyLog_CL"},
		{"web02", 7.0, false, when2, "", "", when2, "MyLog_CL"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

// requireTableExtension skips a test when the workspace cannot add
// columns to a custom table, which Data Collector posts need.
func (e *collectorEnv) requireTableExtension(t *testing.T) {
	t.Helper()
	for _, col := range []string{"a_s", "b_s"} {
		def := workspace.TableDef{Name: "Probe_CL", Columns: []workspace.ColumnDef{{Name: col, Type: "string"}}}
		if _, err := e.ws.CreateTable(context.Background(), def); err != nil {
			t.Fatalf("the workspace cannot extend a custom table: %v", err)
		}
	}
}

// TestDataCollectorConcurrentPosts sends posts that each add a column to
// one new table at the same time: every post is stored with its column.
func TestDataCollectorConcurrentPosts(t *testing.T) {
	e := newCollectorEnv(t)
	e.requireTableExtension(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`[{"Common":"x","F%d":%d},{"Common":"y"}]`, i, i)
			if status, ce := e.post(t, collectorRequest{logType: "Conc", body: body}); status != http.StatusOK {
				errs <- fmt.Sprintf("post %d = %d %+v", i, status, ce)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	cols := e.columns(t, "Conc_CL")
	for i := 0; i < n; i++ {
		col := fmt.Sprintf("F%d_d", i)
		if cols[col] != types.Real {
			t.Errorf("no column %s", col)
			continue
		}
		got := e.rows(t, fmt.Sprintf(`Conc_CL | where isnotnull(%s) | project Common_s, %s`, col, col))
		if want := [][]any{{"x", float64(i)}}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: rows %v, want %v", col, got, want)
		}
	}
	if n := e.rows(t, `Conc_CL | count`)[0][0]; fmt.Sprint(n) != "16" {
		t.Errorf("count = %v, want 16", n)
	}
}

// TestDataCollectorExtendsTable posts records whose fields change type: a
// field gets a column per type, and strings that convert go to the
// existing column.
func TestDataCollectorExtendsTable(t *testing.T) {
	e := newCollectorEnv(t)
	e.requireTableExtension(t)
	status, ce := e.post(t, collectorRequest{body: `[{"Name":"web01","Count":42,"Ok":true,"When":"2026-11-27T10:00:00Z","Id":"9909ed01-a74c-4874-8abf-d2678e3ae23d"}]`})
	if status != http.StatusOK {
		t.Fatalf("post = %d %+v", status, ce)
	}
	status, ce = e.post(t, collectorRequest{body: `[{"Name":"web03","Count":"5","Ok":"yes"},{"Name":4}]`})
	if status != http.StatusOK {
		t.Fatalf("second post = %d %+v", status, ce)
	}
	cols := e.columns(t, "MyLog_CL")
	for name, typ := range map[string]types.Type{"Name_s": types.String, "Name_d": types.Real, "Count_d": types.Real, "Ok_b": types.Bool, "Ok_s": types.String, "When_t": types.DateTime, "Id_g": types.GUID} {
		if cols[name] != typ {
			t.Errorf("column %s is %v, want %v", name, cols[name], typ)
		}
	}
	if _, ok := cols["Count_s"]; ok {
		t.Error(`"5" made a Count_s column instead of going to Count_d`)
	}
	got := e.rows(t, `MyLog_CL | where Name_s == "web03" or Name_d == 4 | order by Name_s desc | project Name_s, Name_d, Count_d, Ok_s`)
	want := [][]any{{"web03", nil, 5.0, "yes"}, {"", 4.0, nil, ""}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
	if n := e.rows(t, `MyLog_CL | count`)[0][0]; fmt.Sprint(n) != "3" {
		t.Errorf("count = %v, want 3", n)
	}
}

// TestDataCollectorAllOrNothing posts a body whose second record is bad:
// nothing is stored and the table gains no column.
func TestDataCollectorAllOrNothing(t *testing.T) {
	e := newCollectorEnv(t)
	if status, ce := e.post(t, collectorRequest{body: `{"A":"x"}`}); status != http.StatusOK {
		t.Fatalf("post = %d %+v", status, ce)
	}
	before := e.columns(t, "MyLog_CL")
	for _, body := range []string{
		`[{"A":"y","Brand":"new"},{"A":"z","RawData":"reserved"}]`,
		`[{"A":"y","Brand":"new"},{"A":1e999}]`,
		`[{"A":"y","Brand":"new"},"not an object"]`,
	} {
		status, ce := e.post(t, collectorRequest{body: body})
		if status != http.StatusBadRequest || ce.Error != "InvalidDataFormat" || !strings.Contains(ce.Message, "record 1") {
			t.Errorf("post %s = %d %+v, want 400 InvalidDataFormat naming record 1", body, status, ce)
		}
	}
	if after := e.columns(t, "MyLog_CL"); len(after) != len(before) {
		t.Errorf("the table went from %d to %d columns", len(before), len(after))
	}
	if n := e.rows(t, `MyLog_CL | count`)[0][0]; fmt.Sprint(n) != "1" {
		t.Errorf("count = %v, want 1", n)
	}
	// A post that fails before creating its table leaves none behind.
	if status, _ := e.post(t, collectorRequest{logType: "Other", body: `[{"a":1},{"tenant":"x"}]`}); status != http.StatusBadRequest {
		t.Errorf("post = %d, want 400", status)
	}
	if _, ok := e.ws.Store().Table("Other_CL"); ok {
		t.Error("a refused post created table Other_CL")
	}
}

func TestDataCollectorRequestErrors(t *testing.T) {
	e := newCollectorEnv(t)
	big := strings.Repeat(" ", 30<<20) + "{}"
	for _, tc := range []struct {
		name   string
		req    collectorRequest
		status int
		code   string
	}{
		{"no api-version", collectorRequest{body: `{}`, query: "x=1"}, 400, "MissingApiVersion"},
		{"other api-version", collectorRequest{body: `{}`, query: "api-version=2023-01-01"}, 400, "InvalidApiVersion"},
		{"no Log-Type", collectorRequest{body: `{}`, set: map[string]string{"Log-Type": ""}}, 400, "MissingLogType"},
		{"bad Log-Type", collectorRequest{body: `{}`, logType: "My-Log"}, 400, "InvalidLogType"},
		{"long Log-Type", collectorRequest{body: `{}`, logType: strings.Repeat("a", 101)}, 400, "InvalidLogType"},
		{"no Content-Type", collectorRequest{body: `{}`, set: map[string]string{"Content-Type": ""}}, 400, "MissingContentType"},
		{"other Content-Type", collectorRequest{body: `{}`, set: map[string]string{"Content-Type": "text/plain"}}, 400, "UnsupportedContentType"},
		{"wrong key", collectorRequest{body: `{}`, key: []byte("not the key")}, 403, "InvalidAuthorization"},
		{"stale date", collectorRequest{body: `{}`, date: time.Now().Add(-20 * time.Minute)}, 403, "InvalidAuthorization"},
		{"no Authorization", collectorRequest{body: `{}`, set: map[string]string{"Authorization": ""}}, 403, "InvalidAuthorization"},
		{"no x-ms-date", collectorRequest{body: `{}`, set: map[string]string{"x-ms-date": ""}}, 403, "InvalidAuthorization"},
		{"malformed JSON", collectorRequest{body: `[{"a":1`}, 400, "InvalidDataFormat"},
		{"over 30 MB", collectorRequest{body: big}, 413, "ContentLengthLimitExceeded"},
	} {
		status, ce := e.post(t, tc.req)
		if status != tc.status || ce.Error != tc.code || ce.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s with a message", tc.name, status, ce, tc.status, tc.code)
		}
	}
	if _, ok := e.ws.Store().Table("MyLog_CL"); ok {
		t.Error("refused posts created MyLog_CL")
	}
	// Failed signatures are logged with the address and the reason, and
	// without the key or the signature.
	logs := e.log.String()
	if !strings.Contains(logs, "data collector authentication failed") || !strings.Contains(logs, "remote=127.0.0.1") || !strings.Contains(logs, "invalid signature") {
		t.Errorf("the log lacks the failed authentications:\n%s", logs)
	}
	if strings.Contains(logs, base64.StdEncoding.EncodeToString(e.ws.SharedKey())) || strings.Contains(logs, "SharedKey ") {
		t.Errorf("the log shows a credential:\n%s", logs)
	}
	// An accepted body of exactly 30 MB is not refused for its size.
	exact := `[{"a":"` + strings.Repeat("x", 100) + `"}]`
	exact += strings.Repeat(" ", 30<<20-len(exact))
	if status, ce := e.post(t, collectorRequest{body: exact}); status != http.StatusOK {
		t.Errorf("30 MB post = %d %+v", status, ce)
	}
}

func TestSharedKeysEndpoint(t *testing.T) {
	e := newCollectorEnv(t)
	ctx := context.Background()
	get := func(role auth.Role) (int, []byte) {
		secret, _, err := e.ws.CreateToken(ctx, role, string(role))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/v1/workspace/sharedKeys", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	status, data := get(auth.Owner)
	var keys SharedKeys
	if status != http.StatusOK || json.Unmarshal(data, &keys) != nil {
		t.Fatalf("owner: %d %s", status, data)
	}
	key, err := base64.StdEncoding.DecodeString(keys.PrimarySharedKey)
	if err != nil || !bytes.Equal(key, e.ws.SharedKey()) {
		t.Fatalf("primarySharedKey %q is not the workspace's key", keys.PrimarySharedKey)
	}
	// The key shown signs posts.
	if status, ce := e.post(t, collectorRequest{body: `{"a":1}`, key: key}); status != http.StatusOK {
		t.Errorf("post signed with the shown key = %d %+v", status, ce)
	}
	for _, role := range []auth.Role{auth.Reader, auth.Ingestor, auth.Contributor} {
		if status, _ := get(role); status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", role, status)
		}
	}
}

// FuzzDataCollectorSignature checks random headers against a fixed key:
// checkSharedKey must never panic, and it may accept a request only when
// its signature is the HMAC of the date and length it carries and the
// date is within 15 minutes.
func FuzzDataCollectorSignature(f *testing.F) {
	key := bytes.Repeat([]byte{0x5a}, 64)
	const wsID = "6f1c2b9e-3d4a-4e5f-8a7b-0c1d2e3f4a5b"
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	f.Add("SharedKey "+wsID+":"+collectorSign(key, 120, date), date, int64(120))
	f.Add("SharedKey "+wsID+":"+collectorSign(key, 0, date), date, int64(0))
	f.Add("sharedkey "+strings.ToUpper(wsID)+":"+collectorSign(key, 7, date), date, int64(7))
	f.Add("SharedKey "+wsID+":"+collectorSign(key, 120, date), "Fri, 27 Nov 2026 12:14:59 GMT", int64(120))
	f.Add("SharedKey "+wsID+":", date, int64(-1))
	f.Add("Bearer x", "", int64(1))
	f.Fuzz(func(t *testing.T, authz, date string, length int64) {
		h := http.Header{}
		h["Authorization"] = []string{authz}
		h["X-Ms-Date"] = []string{date}
		if err := checkSharedKey(h, length, wsID, key, now); err != nil {
			return
		}
		_, cred, _ := strings.Cut(authz, " ")
		i := strings.LastIndexByte(cred, ':')
		if i < 0 {
			t.Fatalf("accepted %q without a signature", authz)
		}
		m := hmac.New(sha256.New, key)
		io.WriteString(m, "POST\n"+strconv.FormatInt(length, 10)+"\napplication/json\nx-ms-date:"+date+"\n/api/logs")
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred[i+1:]))
		if err != nil || !hmac.Equal(sig, m.Sum(nil)) {
			t.Fatalf("accepted %q for date %q and length %d with a wrong signature", authz, date, length)
		}
		tm, ok := parseRFC1123(date)
		if !ok || tm.Sub(now).Abs() > 15*time.Minute {
			t.Fatalf("accepted date %q", date)
		}
	})
}
