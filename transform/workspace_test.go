package transform_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/transform"
	"github.com/goshawk-sec/goshawk/workspace"
)

func openWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	ctx := context.Background()
	cfg := workspace.DefaultConfig()
	cfg.Transformer = engine(t)
	ws, err := workspace.Open(ctx, t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ws.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, err := ws.CreateTable(ctx, workspace.TableDef{Name: "AppEvents_CL", Columns: []workspace.ColumnDef{
		{Name: "Severity", Type: "string"},
		{Name: "Message", Type: "string"},
		{Name: "User", Type: "string"},
		{Name: "Count", Type: "int"},
		{Name: "Details", Type: "dynamic"},
	}}); err != nil {
		t.Fatal(err)
	}
	return ws
}

// rule builds a data collection rule in Azure's shape: one declared
// stream sent to AppEvents_CL through transformKql.
func rule(t *testing.T, id, transformKql string) *ingest.Rule {
	t.Helper()
	r, err := ingest.ParseRule([]byte(`{
		"properties": {
			"immutableId": "` + id + `",
			"streamDeclarations": {
				"Custom-AppEvents": {"columns": [
					{"name": "When", "type": "string"},
					{"name": "Severity", "type": "string"},
					{"name": "Message", "type": "string"},
					{"name": "Raw", "type": "string"},
					{"name": "Secret", "type": "string"}
				]}
			},
			"dataFlows": [{
				"streams": ["Custom-AppEvents"],
				"destinations": ["workspace"],
				"transformKql": ` + quoteJSON(transformKql) + `,
				"outputStream": "Custom-AppEvents_CL"
			}]
		}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func quoteJSON(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// TestWorkspaceIngestWithTransform goes through the workspace: a rule
// with a transformation, a Logs Ingestion body, and a query of the table.
func TestWorkspaceIngestWithTransform(t *testing.T) {
	ws := openWorkspace(t)
	ctx := context.Background()
	r := rule(t, "dcr-app", `source
| where Severity != "debug"
| extend d = parse_json(Raw)
| extend TimeGenerated = todatetime(When), User = tostring(d.user), Count = toint(d.n), Details = d.extra
| project-away d, Raw, Secret, When`)
	if err := ws.PutRule(ctx, r); err != nil {
		t.Fatalf("PutRule: %v", err)
	}
	body := `[
		{"When": "2026-05-01T10:00:00Z", "Severity": "info", "Message": "login", "Raw": "{\"user\":\"alice\",\"n\":2,\"extra\":{\"ip\":\"10.0.0.1\"}}", "Secret": "hunter2"},
		{"When": "2026-05-01T10:00:01Z", "Severity": "debug", "Message": "noise", "Raw": "{}", "Secret": "x"},
		{"Severity": "error", "Message": "logout", "Raw": "{\"user\":\"bob\"}"}
	]`
	received := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	n, err := ws.Pipeline().Ingest(ctx, "dcr-app", "Custom-AppEvents", []byte(body), received)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if n != 3 {
		t.Errorf("Ingest = %d rows, want 3 (the rows received)", n)
	}
	set, err := ws.Engine().Run(ctx, `AppEvents_CL | order by Message asc | project Message, Severity, User, Count, D = tostring(Details), TimeGenerated`, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := set.Primary().Rows
	want := [][]any{
		{"login", "info", "alice", int32(2), `{"ip":"10.0.0.1"}`, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"logout", "error", "bob", nil, "", received},
	}
	if !equalRows(got, want) {
		t.Errorf("AppEvents_CL = %s, want %s", show(got), show(want))
	}
}

// TestWorkspaceRuleRefused checks that PutRule refuses transformations
// Azure refuses and those whose output does not fit the table.
func TestWorkspaceRuleRefused(t *testing.T) {
	ws := openWorkspace(t)
	ctx := context.Background()

	err := ws.PutRule(ctx, rule(t, "dcr-conflict", `source | extend Count = tostring(Message)`))
	if err == nil || !strings.Contains(err.Error(), "column Count is string in the output but int in table AppEvents_CL") {
		t.Errorf("PutRule with a conflicting output type = %v, want the column named", err)
	}

	err = ws.PutRule(ctx, rule(t, "dcr-summarize", "source\n| summarize count() by Severity"))
	var ke *kql.Error
	if !errors.As(err, &ke) || ke.First().Code != transform.CodeOperator || ke.Position().String() != "2:3" {
		t.Errorf("PutRule with summarize = %v, want %s at 2:3", err, transform.CodeOperator)
	}

	if rules, _ := ws.Rules(ctx); len(rules) != 0 {
		t.Errorf("refused rules were stored: %v", rules)
	}
}
