package incidents_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/incidents"
)

// fromRow reads a SecurityIncident row back into an incident.
func fromRow(t *testing.T, r map[string]any) incidents.Incident {
	t.Helper()
	var inc incidents.Incident
	str := func(k string) string {
		v, ok := r[k].(string)
		if !ok {
			t.Errorf("column %s = %T %v, want a string", k, r[k], r[k])
		}
		return v
	}
	tm := func(k string) time.Time {
		v, _ := r[k].(time.Time)
		return v.UTC()
	}
	optTime := func(k string) *time.Time {
		if r[k] == nil {
			return nil
		}
		v := tm(k)
		return &v
	}
	dyn := func(k string, into any) {
		raw, ok := r[k].(json.RawMessage)
		if !ok {
			t.Errorf("column %s = %T, want dynamic", k, r[k])
			return
		}
		if err := json.Unmarshal(raw, into); err != nil {
			t.Errorf("column %s = %s: %v", k, raw, err)
		}
	}
	n, _ := r["IncidentNumber"].(int32)
	inc.Number = int64(n)
	inc.Name, inc.Title, inc.Description = str("IncidentName"), str("Title"), str("Description")
	inc.Severity, inc.Status = str("Severity"), str("Status")
	inc.Classification, inc.ClassificationReason, inc.ClassificationComment = str("Classification"), str("ClassificationReason"), str("ClassificationComment")
	inc.ModifiedBy, inc.ProviderName, inc.ProviderIncidentID, inc.IncidentURL = str("ModifiedBy"), str("ProviderName"), str("ProviderIncidentId"), str("IncidentUrl")
	dyn("Owner", &inc.Owner)
	dyn("Labels", &inc.Labels)
	dyn("Comments", &inc.Comments)
	dyn("AlertIds", &inc.AlertIDs)
	dyn("RelatedAnalyticRuleIds", &inc.RelatedAnalyticRuleIDs)
	dyn("AdditionalData", &inc.AdditionalData)
	inc.FirstActivityTime, inc.LastActivityTime = tm("FirstActivityTime"), tm("LastActivityTime")
	inc.CreatedTime, inc.LastModifiedTime = tm("CreatedTime"), tm("LastModifiedTime")
	inc.FirstModifiedTime, inc.ClosedTime = optTime("FirstModifiedTime"), optTime("ClosedTime")
	if !tm("TimeGenerated").Equal(inc.LastModifiedTime) {
		t.Errorf("incident %d: TimeGenerated %v, LastModifiedTime %v; want them equal", inc.Number, r["TimeGenerated"], inc.LastModifiedTime)
	}
	if r["SourceSystem"] != "Azure" || r["Type"] != "SecurityIncident" || r["TenantId"] == "" {
		t.Errorf("incident %d: SourceSystem %v, Type %v, TenantId %v", inc.Number, r["SourceSystem"], r["Type"], r["TenantId"])
	}
	var tasks, bookmarks []any
	dyn("Tasks", &tasks)
	dyn("BookmarkIds", &bookmarks)
	if tasks == nil || bookmarks == nil {
		t.Errorf("incident %d: Tasks %v, BookmarkIds %v; want empty arrays", inc.Number, r["Tasks"], r["BookmarkIds"])
	}
	return inc
}

// TestSecurityIncidentLog: every change appends a SecurityIncident row,
// and the latest row of each incident is its current state — even when
// the clock does not move between changes.
func TestSecurityIncidentLog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := grouping(incidents.AllEntities, time.Hour)
	g.Reopen = true
	rule := incidents.Rule{ID: "rule-bf", Name: "Brute force", CreateIncident: true, Grouping: g}
	changes := map[int64]int{}
	note := func(incs []incidents.Incident) {
		for _, inc := range incs {
			changes[inc.Number]++
		}
	}
	// The clock stands still: every change happens "at once".
	e.set(time.Hour)
	note(e.add(rule, alertSpec{id: "a1", hosts: []string{"web-01"}, accounts: []string{"alice"}}, alertSpec{id: "a2", hosts: []string{"db-02"}}))
	note(e.add(rule, alertSpec{id: "a3", severity: "High", at: time.Minute, hosts: []string{"web-01"}, accounts: []string{"alice"}}))
	update := func(n int64, u incidents.Update) {
		t.Helper()
		inc, err := e.svc.Update(ctx, n, u, "token/alice")
		if err != nil {
			t.Fatal(err)
		}
		note([]incidents.Incident{inc})
	}
	update(1, incidents.Update{Status: "Active", Owner: ptr("alice@example.com")})
	update(1, incidents.Update{AddLabels: []string{"credential-access"}})
	if _, err := e.svc.AddComment(ctx, 1, "password reset done", "token/alice"); err != nil {
		t.Fatal(err)
	}
	changes[1]++
	update(1, incidents.Update{Status: "Closed", Classification: "TruePositive", ClassificationComment: "user confirmed"})
	update(2, incidents.Update{Status: "Closed", Classification: "FalsePositive", ClassificationReason: "InaccurateData"})
	// Reopened by a matching alert.
	note(e.add(rule, alertSpec{id: "a4", at: 2 * time.Minute, hosts: []string{"db-02"}}))
	// No change, no row.
	if _, err := e.svc.Update(ctx, 1, incidents.Update{Status: "Closed"}, "token/bob"); err != nil {
		t.Fatal(err)
	}

	for _, r := range e.query("SecurityIncident | summarize Rows = count(), Times = dcount(TimeGenerated) by IncidentNumber") {
		n := int64(r["IncidentNumber"].(int32))
		if rows, times := r["Rows"], r["Times"]; rows != int64(changes[n]) || times != rows {
			t.Errorf("incident %d: %v SecurityIncident rows at %v distinct times, want %d rows at distinct times", n, rows, times, changes[n])
		}
	}
	latest := e.query("SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | sort by IncidentNumber asc")
	state, err := e.svc.List(ctx, incidents.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != len(state) || len(state) != 2 {
		t.Fatalf("%d incidents in the log, %d in the state; want 2", len(latest), len(state))
	}
	same := func(what string, got, want incidents.Incident) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.MarshalIndent(got, "", " ")
			wj, _ := json.MarshalIndent(want, "", " ")
			t.Errorf("incident %d: %s says\n%s\nthe state says\n%s", want.Number, what, gj, wj)
		}
	}
	for i, r := range latest {
		got, want := fromRow(t, r), state[len(state)-1-i]
		// Kusto's arg_max(TimeGenerated, *) returns the latest row whole:
		// a reopened incident's ClosedTime is null again.
		same("arg_max(TimeGenerated, *)", got, want)
		top := e.query("SecurityIncident | where IncidentNumber == " + strconv.FormatInt(want.Number, 10) + " | top 1 by TimeGenerated")
		if len(top) != 1 {
			t.Fatalf("incident %d: top 1 by TimeGenerated gave %d rows", want.Number, len(top))
		}
		same("the latest row", fromRow(t, top[0]), want)
	}
	if one := state[1]; one.Status != "Closed" || one.Labels[0].Name != "credential-access" || len(one.Comments) != 1 || one.Severity != "High" {
		t.Errorf("incident 1: %+v", one)
	}
	if two := state[0]; two.Status != "Active" || two.Classification != "" || len(two.AlertIDs) != 2 {
		t.Errorf("incident 2 after its reopening: %+v", two)
	}

	// The columns are queryable as Sentinel's are.
	for q, want := range map[string]string{
		`SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | where Owner.assignedTo == "alice@example.com" | project IncidentNumber`:                                      "1",
		`SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | where toint(AdditionalData.alertsCount) == 2 and Status == "Active" | project IncidentNumber`:                "2",
		`SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | mv-expand Label = Labels | where Label.labelName == "credential-access" | project IncidentNumber`:            "1",
		`SecurityIncident | where Classification == "FalsePositive" | summarize by IncidentNumber`:                                                                                               "2",
		`SecurityIncident | summarize arg_max(TimeGenerated, *) by IncidentNumber | where array_length(AlertIds) == 2 and ClassificationReason == "SuspiciousActivity" | project IncidentNumber`: "1",
	} {
		rows := e.query(q)
		if len(rows) != 1 || strconv.FormatInt(int64(rows[0]["IncidentNumber"].(int32)), 10) != want {
			t.Errorf("%s\n= %v, want incident %s", q, rows, want)
		}
	}
}
