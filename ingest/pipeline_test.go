package ingest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

func TestPipelineDefaultRule(t *testing.T) {
	st := openStore(t)
	c := startCommitter(t, st, DefaultCommitterConfig())
	p := NewPipeline(st, NewRules(), c, nil, "11111111-2222-3333-4444-555555555555")
	recv := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	body := `[{"Computer":"h1","SyslogMessage":"m1","TimeGenerated":"2026-11-27T11:00:00Z","TenantId":"spoofed","Type":"spoofed"},
		{"Computer":"h2","SyslogMessage":"m2"}]`
	n, err := p.Ingest(context.Background(), DefaultRuleID, "Custom-Syslog", []byte(body), recv)
	if err != nil || n != 2 {
		t.Fatalf("Ingest = %d, %v", n, err)
	}
	rows, err := st.DB().Query(`SELECT Computer, TimeGenerated, _TimeReceived, TenantId, Type, _ItemId FROM Syslog ORDER BY Computer`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := []struct {
		computer string
		tg       time.Time
	}{{"h1", time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)}, {"h2", recv}}
	ids := map[string]bool{}
	i := 0
	for rows.Next() {
		var comp, tenant, typ, item string
		var tg, tr time.Time
		if err := rows.Scan(&comp, &tg, &tr, &tenant, &typ, &item); err != nil {
			t.Fatal(err)
		}
		if comp != want[i].computer || !tg.Equal(want[i].tg) || !tr.Equal(recv) || tenant != "11111111-2222-3333-4444-555555555555" || typ != "Syslog" || len(item) != 36 {
			t.Errorf("row %d = %s %v %v %s %s %s", i, comp, tg, tr, tenant, typ, item)
		}
		ids[item] = true
		i++
	}
	if i != 2 || len(ids) != 2 {
		t.Errorf("got %d rows with %d distinct _ItemId, want 2 and 2", i, len(ids))
	}
}

func TestPipelineUnknownRuleAndStream(t *testing.T) {
	st := openStore(t)
	c := startCommitter(t, st, DefaultCommitterConfig())
	p := NewPipeline(st, NewRules(), c, nil, "t")
	ctx := context.Background()
	for _, tc := range []struct {
		rule, stream string
		want         error
	}{
		{DefaultRuleID, "Custom-NoSuchTable", ErrUnknownStream},
		{DefaultRuleID, "Syslog", ErrUnknownStream},
		{"dcr-missing", "Custom-Syslog", ErrUnknownRule},
	} {
		_, err := p.Ingest(ctx, tc.rule, tc.stream, []byte(`[{}]`), time.Now())
		if !errors.Is(err, tc.want) {
			t.Errorf("Ingest(%s, %s) = %v, want %v", tc.rule, tc.stream, err, tc.want)
		}
	}
	// A body with a bad record stores nothing.
	if _, err := p.Ingest(ctx, DefaultRuleID, "Custom-Syslog", []byte(`[{"Computer":"a"},{"ProcessID":"x"}]`), time.Now()); err == nil {
		t.Error("a bad record was accepted")
	}
	if n := countRows(t, st, "Syslog", ""); n != 0 {
		t.Errorf("%d rows stored after a refused body", n)
	}
}

func TestPipelineRule(t *testing.T) {
	st := openStore(t)
	ct, err := st.Catalogue().CustomTable("App_CL", []schema.Column{{Name: "Msg", Type: types.String}, {Name: "Level", Type: types.Long}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateTable(context.Background(), ct); err != nil {
		t.Fatal(err)
	}
	c := startCommitter(t, st, DefaultCommitterConfig())
	rules := NewRules()
	p := NewPipeline(st, rules, c, nil, "t")
	r, err := ParseRule([]byte(`{"properties":{"streamDeclarations":{"Custom-AppStream":{"columns":[
		{"name":"TimeGenerated","type":"datetime"},{"name":"Msg","type":"string"},{"name":"Level","type":"long"},{"name":"Junk","type":"string"}]}},
		"dataFlows":[{"streams":["Custom-AppStream"],"destinations":["la"],"transformKql":"source","outputStream":"Custom-App_CL"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	r.ID = "dcr-app"
	if err := p.Validate(r); err != nil {
		t.Fatal(err)
	}
	rules.Put(r)
	if _, err := p.Ingest(context.Background(), "dcr-app", "Custom-AppStream", []byte(`[{"Msg":"hi","Level":3,"Junk":"x"}]`), time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, st, "App_CL", "Msg = 'hi' AND Level = 3"); n != 1 {
		t.Errorf("App_CL has %d matching rows, want 1", n)
	}

	for _, tc := range []struct{ rule, want string }{
		{`{"streamDeclarations":{"Custom-S":{"columns":[{"name":"Msg","type":"long"}]}},"dataFlows":[{"streams":["Custom-S"],"outputStream":"Custom-App_CL"}]}`, "column Msg is long in the output but string"},
		{`{"streamDeclarations":{"Custom-S":{"columns":[{"name":"Msg","type":"str"}]}},"dataFlows":[{"streams":["Custom-S"],"outputStream":"Custom-App_CL"}]}`, `unknown type "str"`},
		{`{"streamDeclarations":{"Custom-S":{"columns":[]}},"dataFlows":[{"streams":["Custom-T"],"outputStream":"Custom-App_CL"}]}`, `stream "Custom-T", which is not declared`},
		{`{"streamDeclarations":{"Custom-S":{"columns":[]}},"dataFlows":[{"streams":["Custom-S"],"outputStream":"Custom-Nope_CL"}]}`, `writes to "Nope_CL", which the workspace lacks`},
		{`{"streamDeclarations":{"Custom-S":{"columns":[]}},"dataFlows":[{"streams":["Custom-S"],"transformKql":"source | extend a = 1","outputStream":"Custom-App_CL"}]}`, "transformations are not available"},
	} {
		r, err := ParseRule([]byte(tc.rule))
		if err == nil {
			r.ID = "dcr-bad"
			err = p.Validate(r)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("rule %s: err = %v, want %q", tc.rule, err, tc.want)
		}
	}
}
