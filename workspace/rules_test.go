package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/ingest"
)

func parseRule(t *testing.T, id, text string) *ingest.Rule {
	t.Helper()
	r, err := ingest.ParseRule([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	r.ID = id
	return r
}

func ruleJSON(t *testing.T, r *ingest.Rule) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ruleIDs(t *testing.T, ws *Workspace) []string {
	t.Helper()
	rules, err := ws.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rules {
		out = append(out, r.ID)
	}
	return out
}

func TestCollectionRules(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)
	if _, err := ws.CreateTable(ctx, TableDef{Name: "App_CL", Columns: []ColumnDef{{Name: "Msg", Type: "string"}, {Name: "Level", Type: "long"}}}); err != nil {
		t.Fatal(err)
	}
	app := parseRule(t, "dcr-app", `{"name":"app","properties":{"description":"app logs",
		"streamDeclarations":{"Custom-AppStream":{"columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Msg","type":"string"},{"name":"Level","type":"long"}]}},
		"dataFlows":[{"streams":["Custom-AppStream"],"destinations":["la"],"outputStream":"Custom-App_CL"}]}}`)
	sys := parseRule(t, "dcr-sys", `{"streamDeclarations":{"Custom-Lines":{"columns":[{"name":"Computer","type":"string"},{"name":"SyslogMessage","type":"string"}]}},
		"dataFlows":[{"streams":["Custom-Lines"],"outputStream":"Microsoft-Syslog"}]}`)
	for _, r := range []*ingest.Rule{app, sys} {
		if err := ws.PutRule(ctx, r); err != nil {
			t.Fatalf("PutRule(%s): %v", r.ID, err)
		}
	}
	if got, err := ws.Rule(ctx, "dcr-app"); err != nil || ruleJSON(t, got) != ruleJSON(t, app) {
		t.Errorf("Rule(dcr-app) = %v, %v", got, err)
	}
	if got := ruleIDs(t, ws); len(got) != 2 || got[0] != "dcr-app" || got[1] != "dcr-sys" {
		t.Errorf("Rules() = %v, want [dcr-app dcr-sys]", got)
	}

	// Refused rules are not stored.
	for _, bad := range []*ingest.Rule{
		parseRule(t, "app", `{"streamDeclarations":{"Custom-S":{"columns":[]}},"dataFlows":[{"streams":["Custom-S"],"outputStream":"Custom-App_CL"}]}`),
		parseRule(t, ingest.DefaultRuleID, `{"streamDeclarations":{"Custom-S":{"columns":[]}},"dataFlows":[{"streams":["Custom-S"],"outputStream":"Custom-App_CL"}]}`),
		parseRule(t, "dcr-bad", `{"streamDeclarations":{"Custom-S":{"columns":[]}},"dataFlows":[{"streams":["Custom-S"],"outputStream":"Custom-Missing_CL"}]}`),
		parseRule(t, "dcr-bad", `{"streamDeclarations":{"Custom-S":{"columns":[{"name":"Level","type":"string"}]}},"dataFlows":[{"streams":["Custom-S"],"outputStream":"Custom-App_CL"}]}`),
		// Without a Transformer, a transformation cannot be compiled.
		parseRule(t, "dcr-bad", `{"streamDeclarations":{"Custom-S":{"columns":[]}},"dataFlows":[{"streams":["Custom-S"],"transformKql":"source | where true","outputStream":"Custom-App_CL"}]}`),
	} {
		if err := ws.PutRule(ctx, bad); err == nil {
			t.Errorf("PutRule(%s) accepted %s", bad.ID, ruleJSON(t, bad))
		}
	}
	if got := ruleIDs(t, ws); len(got) != 2 {
		t.Errorf("Rules() after refused rules = %v", got)
	}

	// Replacing a rule keeps one copy, the new one.
	sys2 := parseRule(t, "dcr-sys", `{"description":"v2","streamDeclarations":{"Custom-Lines":{"columns":[{"name":"Computer","type":"string"}]}},
		"dataFlows":[{"streams":["Custom-Lines"],"outputStream":"Microsoft-Syslog"}]}`)
	if err := ws.PutRule(ctx, sys2); err != nil {
		t.Fatal(err)
	}
	closeWS()

	ws2, closeWS2 := openWorkspace(t, dir)
	if got := ruleIDs(t, ws2); len(got) != 2 || got[0] != "dcr-app" || got[1] != "dcr-sys" {
		t.Errorf("Rules() after reopen = %v, want [dcr-app dcr-sys]", got)
	}
	for _, want := range []*ingest.Rule{app, sys2} {
		if got, err := ws2.Rule(ctx, want.ID); err != nil || ruleJSON(t, got) != ruleJSON(t, want) {
			t.Errorf("Rule(%s) after reopen = %v, %v; want %s", want.ID, got, err, ruleJSON(t, want))
		}
	}
	// The reloaded rule routes data.
	n, err := ws2.Pipeline().Ingest(ctx, "dcr-app", "Custom-AppStream", []byte(`[{"Msg":"hi","Level":4}]`), time.Now())
	if err != nil || n != 1 {
		t.Fatalf("Ingest through the reloaded rule = %d, %v", n, err)
	}
	if c := countRows(t, ws2, "App_CL", "Msg = 'hi' AND Level = 4"); c != 1 {
		t.Errorf("App_CL has %d rows from the rule, want 1", c)
	}

	if err := ws2.DeleteRule(ctx, "dcr-sys"); err != nil {
		t.Fatal(err)
	}
	if _, err := ws2.Rule(ctx, "dcr-sys"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Rule(deleted) = %v, want ErrNotFound", err)
	}
	if err := ws2.DeleteRule(ctx, "dcr-sys"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteRule(deleted) = %v, want ErrNotFound", err)
	}
	if _, err := ws2.Pipeline().Ingest(ctx, "dcr-sys", "Custom-Lines", []byte(`[{"Computer":"h"}]`), time.Now()); !errors.Is(err, ingest.ErrUnknownRule) {
		t.Errorf("Ingest through a deleted rule = %v, want ErrUnknownRule", err)
	}
	closeWS2()

	ws3, _ := openWorkspace(t, dir)
	if got := ruleIDs(t, ws3); len(got) != 1 || got[0] != "dcr-app" {
		t.Errorf("Rules() after delete and reopen = %v, want [dcr-app]", got)
	}
	if _, err := ws3.Rule(ctx, "dcr-sys"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted rule came back after reopen: %v", err)
	}
	if _, err := ws3.Rule(ctx, "dcr-none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Rule(unknown) = %v, want ErrNotFound", err)
	}
}
