package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	azingest "github.com/Azure/azure-sdk-for-go/sdk/monitor/ingestion/azlogs"
	azquery "github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"
)

// staticToken is an azcore.TokenCredential that always presents the same
// Goshawk bearer token, whatever scope the client asks for.
type staticToken string

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// queryClient returns the SDK's query client pointed at srv: the
// workspace's /v1 is the endpoint, and the server's CA is trusted through
// the transport.
func queryClient(t *testing.T, srv *server, token string) *azquery.Client {
	t.Helper()
	c, err := azquery.NewClient(staticToken(token), &azquery.ClientOptions{ClientOptions: azcore.ClientOptions{
		Cloud: cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			azquery.ServiceName: {Audience: srv.URL, Endpoint: srv.URL + "/v1"},
		}},
		Transport: srv.client,
	}})
	if err != nil {
		t.Fatalf("azlogs (query) NewClient: %v", err)
	}
	return c
}

// ingestionClient returns the SDK's Logs Ingestion client with the server
// as its data collection endpoint.
func ingestionClient(t *testing.T, srv *server, token string) *azingest.Client {
	t.Helper()
	c, err := azingest.NewClient(srv.URL, staticToken(token), &azingest.ClientOptions{ClientOptions: azcore.ClientOptions{
		Transport: srv.client,
	}})
	if err != nil {
		t.Fatalf("azlogs (ingestion) NewClient: %v", err)
	}
	return c
}

// responseError returns err as the *azcore.ResponseError the SDK
// documents, failing the test if it is not one.
func responseError(t *testing.T, err error) *azcore.ResponseError {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want an *azcore.ResponseError", err, err)
	}
	return re
}

// TestAzureSDK runs the official Azure SDK for Go clients, unmodified,
// against the server: uploads through the Logs Ingestion client, plain
// and gzipped, and queries through the Logs query client, checking typed
// values through the SDK's models and errors as *azcore.ResponseError.
func TestAzureSDK(t *testing.T) {
	ws := newWorkspace(t)
	srv := startServer(t, ws)
	ctx := t.Context()
	srv.createTable(t, "Sdk_CL", [2]string{"Seq", "long"}, [2]string{"Name", "string"}, [2]string{"When", "datetime"},
		[2]string{"Bag", "dynamic"}, [2]string{"Ok", "bool"}, [2]string{"Score", "real"}, [2]string{"Span", "timespan"}, [2]string{"Id", "guid"})

	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	type row struct {
		TimeGenerated time.Time       `json:"TimeGenerated"`
		Seq           int64           `json:"Seq"`
		Name          string          `json:"Name"`
		When          time.Time       `json:"When"`
		Bag           json.RawMessage `json:"Bag"`
		Ok            bool            `json:"Ok"`
		Score         float64         `json:"Score"`
		Span          string          `json:"Span"`
		Id            string          `json:"Id"`
	}
	var rows []row
	for i := range 20 {
		rows = append(rows, row{
			TimeGenerated: base.Add(time.Duration(i) * time.Minute),
			Seq:           int64(1)<<40 + int64(i),
			Name:          fmt.Sprintf("sdk row %d ü", i),
			When:          time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC).Add(time.Duration(i) * time.Hour),
			Bag:           json.RawMessage(fmt.Sprintf(`{"i":%d,"list":["a",%d,null]}`, i, i*i)),
			Ok:            i%3 == 0,
			Score:         float64(i) / 8,
			Span:          fmt.Sprintf("%d.00:00:%02d", i, i),
			Id:            fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
		})
	}

	ingest := ingestionClient(t, srv, ws.tokens["ingestor"])
	t.Run("Upload", func(t *testing.T) {
		plain, _ := json.Marshal(rows[:10])
		if _, err := ingest.Upload(ctx, "dcr-default", "Custom-Sdk_CL", plain, nil); err != nil {
			t.Fatalf("Upload: %v", err)
		}
		// The client sends the body as given; gzip is the caller's, the
		// header the client's.
		gz, _ := json.Marshal(rows[10:])
		if _, err := ingest.Upload(ctx, "dcr-default", "Custom-Sdk_CL", gzipBytes(t, gz), &azingest.UploadOptions{ContentEncoding: to.Ptr("gzip")}); err != nil {
			t.Fatalf("Upload with ContentEncoding gzip: %v", err)
		}
		syslog := []map[string]any{{"TimeGenerated": base, "Computer": "sdk-host", "SyslogMessage": "from the SDK", "ProcessID": 7}}
		body, _ := json.Marshal(syslog)
		if _, err := ingest.Upload(ctx, "dcr-default", "Custom-Syslog", body, nil); err != nil {
			t.Fatalf("Upload to Custom-Syslog: %v", err)
		}
	})

	t.Run("UploadErrors", func(t *testing.T) {
		for _, c := range []struct {
			name, token, rule, stream, body string
			status                          int
			code                            string
		}{
			{"UnknownStream", "ingestor", "dcr-default", "Custom-Nope_CL", `[{"Seq":1}]`, 400, "InvalidStream"},
			{"UnknownRule", "ingestor", "dcr-nope", "Custom-Sdk_CL", `[{"Seq":1}]`, 404, "DataCollectionRuleNotFound"},
			{"WrongType", "ingestor", "dcr-default", "Custom-Sdk_CL", `[{"Seq":"one"}]`, 400, "InvalidContent"},
			{"Malformed", "ingestor", "dcr-default", "Custom-Sdk_CL", `[{"Seq":1`, 400, "InvalidContent"},
			{"ReaderToken", "reader", "dcr-default", "Custom-Sdk_CL", `[{"Seq":1}]`, 403, "InsufficientAccessError"},
		} {
			t.Run(c.name, func(t *testing.T) {
				client := ingest
				if c.token != "ingestor" {
					client = ingestionClient(t, srv, ws.tokens[c.token])
				}
				_, err := client.Upload(ctx, c.rule, c.stream, []byte(c.body), nil)
				re := responseError(t, err)
				if re.StatusCode != c.status || re.ErrorCode != c.code {
					t.Errorf("StatusCode %d, ErrorCode %q; want %d, %q", re.StatusCode, re.ErrorCode, c.status, c.code)
				}
			})
		}
		if n := srv.count(t, "Sdk_CL"); n != int64(len(rows)) {
			t.Errorf("Sdk_CL holds %d rows, want %d", n, len(rows))
		}
	})

	query := queryClient(t, srv, ws.tokens["reader"])
	t.Run("QueryWorkspace", func(t *testing.T) {
		interval := azquery.NewTimeInterval(base.Add(-time.Minute), base.Add(time.Hour))
		resp, err := query.QueryWorkspace(ctx, srv.ID, azquery.QueryBody{
			Query:    to.Ptr("Sdk_CL | order by Seq asc | project TimeGenerated, Seq, Name, When, Bag, Ok, Score, Span, Id"),
			Timespan: &interval,
		}, nil)
		if err != nil {
			t.Fatalf("QueryWorkspace: %v", err)
		}
		if resp.Error != nil {
			t.Fatalf("QueryWorkspace: the result carries an error: %v", resp.Error)
		}
		if len(resp.Tables) != 1 {
			t.Fatalf("QueryWorkspace: %d tables, want 1", len(resp.Tables))
		}
		tab := resp.Tables[0]
		if tab.Name == nil || *tab.Name != "PrimaryResult" {
			t.Errorf("table name %v, want PrimaryResult", tab.Name)
		}
		wantCols := []struct {
			name string
			typ  azquery.ColumnType
		}{
			{"TimeGenerated", azquery.ColumnTypeDatetime}, {"Seq", azquery.ColumnTypeLong}, {"Name", azquery.ColumnTypeString},
			{"When", azquery.ColumnTypeDatetime}, {"Bag", azquery.ColumnTypeDynamic}, {"Ok", azquery.ColumnTypeBool},
			{"Score", azquery.ColumnTypeReal}, {"Span", azquery.ColumnTypeTimespan}, {"Id", azquery.ColumnTypeGUID},
		}
		if len(tab.Columns) != len(wantCols) {
			t.Fatalf("%d columns, want %d", len(tab.Columns), len(wantCols))
		}
		for i, w := range wantCols {
			c := tab.Columns[i]
			if c.Name == nil || *c.Name != w.name || c.Type == nil || *c.Type != w.typ {
				t.Errorf("column %d = %v %v, want %s %s", i, deref(c.Name), deref(c.Type), w.name, w.typ)
			}
		}
		if len(tab.Rows) != len(rows) {
			t.Fatalf("%d rows, want %d", len(tab.Rows), len(rows))
		}
		for i, r := range rows {
			span := timespan(r.Span)
			if i == 0 {
				span = "00:00:00" // Kusto writes no zero days
			}
			want := []any{r.TimeGenerated, r.Seq, r.Name, r.When, dyn(r.Bag), r.Ok, r.Score, span, r.Id}
			for j, w := range want {
				if err := sameValue(tab.Rows[i][j], w); err != nil {
					t.Errorf("row %d, column %s: %v", i, wantCols[j].name, err)
				}
			}
		}
	})

	t.Run("QueryOptions", func(t *testing.T) {
		// A narrower interval, statistics and a server timeout through
		// the Prefer header, and the workspace named again as an
		// additional one.
		interval := azquery.NewTimeInterval(base.Add(5*time.Minute), base.Add(10*time.Minute))
		resp, err := query.QueryWorkspace(ctx, srv.ID, azquery.QueryBody{
			Query:                to.Ptr("Sdk_CL | summarize n=count(), total=sum(Score), anyok=max(toint(Ok))"),
			Timespan:             &interval,
			AdditionalWorkspaces: []string{srv.ID},
		}, &azquery.QueryWorkspaceOptions{Options: &azquery.QueryOptions{Statistics: to.Ptr(true), Wait: to.Ptr(60)}})
		if err != nil {
			t.Fatalf("QueryWorkspace: %v", err)
		}
		if len(resp.Tables) != 1 || len(resp.Tables[0].Rows) != 1 {
			t.Fatalf("QueryWorkspace: tables %v, want one row", resp.Tables)
		}
		// Rows 5 to 9 lie in [base+5m, base+10m).
		got := resp.Tables[0].Rows[0]
		for j, w := range []any{int64(5), (5.0 + 6 + 7 + 8 + 9) / 8, int64(1)} {
			if err := sameValue(got[j], w); err != nil {
				t.Errorf("column %d: %v", j, err)
			}
		}
		if resp.Statistics == nil {
			t.Errorf("QueryWorkspace with Statistics: the answer has no \"statistics\" object (the SDK sent Prefer: include-statistics=true,wait=60)")
		} else if !json.Valid(resp.Statistics) {
			t.Errorf("statistics is not JSON: %s", resp.Statistics)
		}

		// A result larger than the server's write buffers, with
		// statistics after it.
		resp, err = query.QueryWorkspace(ctx, srv.ID, azquery.QueryBody{Query: to.Ptr("range x from 1 to 30000 step 1 | extend s = strcat('value ', x)")},
			&azquery.QueryWorkspaceOptions{Options: &azquery.QueryOptions{Statistics: to.Ptr(true)}})
		if err != nil {
			t.Fatalf("QueryWorkspace: %v", err)
		}
		if len(resp.Tables) != 1 || len(resp.Tables[0].Rows) != 30000 {
			t.Fatalf("QueryWorkspace: %d tables, want one of 30000 rows", len(resp.Tables))
		}
		if last := resp.Tables[0].Rows[29999]; sameValue(last[0], int64(30000)) != nil || last[1] != "value 30000" {
			t.Errorf("the last row is %v, want [30000 value 30000]", last)
		}
		var stats struct {
			Query struct {
				ExecutionTime     *float64 `json:"executionTime"`
				DatasetStatistics []struct {
					TableRowCount int `json:"tableRowCount"`
				} `json:"datasetStatistics"`
			} `json:"query"`
		}
		if err := json.Unmarshal(resp.Statistics, &stats); err != nil || stats.Query.ExecutionTime == nil {
			t.Errorf("statistics %s: want query.executionTime (%v)", resp.Statistics, err)
		}
	})

	t.Run("QueryErrors", func(t *testing.T) {
		for _, c := range []struct {
			name, token, workspace, query string
			timespan                      azquery.TimeInterval
			status                        int
			code                          string
		}{
			{"SyntaxError", "reader", srv.ID, "Sdk_CL | whre Seq > 1", "", 400, "BadArgumentError"},
			{"SemanticError", "reader", srv.ID, "Sdk_CL | project Nope", "", 400, "BadArgumentError"},
			{"BadTimespan", "reader", srv.ID, "Sdk_CL", "yesterday", 400, "BadArgumentError"},
			{"OtherWorkspace", "reader", "11111111-2222-3333-4444-555555555555", "Sdk_CL", "", 404, "WorkspaceNotFoundError"},
			{"IngestorToken", "ingestor", srv.ID, "Sdk_CL", "", 403, "InsufficientAccessError"},
			{"WrongToken", "", srv.ID, "Sdk_CL", "", 401, "AuthorizationRequiredError"},
		} {
			t.Run(c.name, func(t *testing.T) {
				token := ws.tokens[c.token]
				if c.token == "" {
					token = "gsk_not_a_token"
				}
				body := azquery.QueryBody{Query: to.Ptr(c.query)}
				if c.timespan != "" {
					body.Timespan = &c.timespan
				}
				_, err := queryClient(t, srv, token).QueryWorkspace(ctx, c.workspace, body, nil)
				re := responseError(t, err)
				if re.StatusCode != c.status || re.ErrorCode != c.code {
					t.Errorf("StatusCode %d, ErrorCode %q; want %d, %q", re.StatusCode, re.ErrorCode, c.status, c.code)
				}
				if c.status == http.StatusBadRequest && re.RawResponse == nil {
					t.Errorf("the ResponseError has no RawResponse")
				}
			})
		}
	})
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
