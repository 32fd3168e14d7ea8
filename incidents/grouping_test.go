package incidents_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/alerts"
	"github.com/goshawk-sec/goshawk/incidents"
)

// groupStep is one alert of a grouping case: where it must land, and what
// happens to the incidents before it arrives.
type groupStep struct {
	alertSpec
	rule string // rule ID; "" is the case's rule
	// closeFirst closes this incident before the alert arrives.
	closeFirst int64
	// want is the number of the incident the alert must join.
	want int64
}

func TestGrouping(t *testing.T) {
	hour := time.Hour
	selected := func(lookback time.Duration, entities, details, custom []string) incidents.Grouping {
		g := grouping(incidents.Selected, lookback)
		g.Entities, g.AlertDetails, g.CustomDetails = entities, details, custom
		return g
	}
	withReopen := func(g incidents.Grouping) incidents.Grouping { g.Reopen = true; return g }
	host := func(at time.Duration, hosts ...string) alertSpec { return alertSpec{at: at, hosts: hosts} }
	for _, tc := range []struct {
		name     string
		grouping incidents.Grouping
		steps    []groupStep
	}{
		{
			name:     "no grouping: an incident per alert",
			grouping: incidents.Grouping{},
			steps: []groupStep{
				{alertSpec: host(0, "web-01"), want: 1},
				{alertSpec: host(time.Minute, "web-01"), want: 2},
				{alertSpec: host(2*time.Minute, "web-01"), want: 3},
			},
		},
		{
			name:     "AnyAlert: every alert of the rule within the lookback",
			grouping: grouping(incidents.AnyAlert, hour),
			steps: []groupStep{
				{alertSpec: host(0, "web-01"), want: 1},
				{alertSpec: host(10*time.Minute, "db-02"), want: 1},
				{alertSpec: alertSpec{at: 50 * time.Minute, ips: []string{"203.0.113.9"}}, want: 1},
			},
		},
		{
			name:     "AnyAlert: the lookback runs from the incident's first alert",
			grouping: grouping(incidents.AnyAlert, hour),
			steps: []groupStep{
				{alertSpec: host(0, "web-01"), want: 1},
				{alertSpec: host(40*time.Minute, "web-01"), want: 1},
				// 40 minutes after the last alert, 80 after the first.
				{alertSpec: host(80*time.Minute, "web-01"), want: 2},
				{alertSpec: host(100*time.Minute, "web-01"), want: 2},
				{alertSpec: host(141*time.Minute, "web-01"), want: 3},
			},
		},
		{
			name:     "AnyAlert: other rules' incidents are not joined",
			grouping: grouping(incidents.AnyAlert, hour),
			steps: []groupStep{
				{alertSpec: host(0, "web-01"), want: 1},
				{alertSpec: host(time.Minute, "web-01"), rule: "rule-other", want: 2},
				{alertSpec: host(2*time.Minute, "web-01"), want: 1},
				{alertSpec: host(3*time.Minute, "web-01"), rule: "rule-other", want: 2},
			},
		},
		{
			name:     "AllEntities: alerts whose entities are all the same",
			grouping: grouping(incidents.AllEntities, 5*hour),
			steps: []groupStep{
				{alertSpec: alertSpec{hosts: []string{"web-01"}, accounts: []string{"alice"}}, want: 1},
				{alertSpec: alertSpec{at: time.Minute, hosts: []string{"web-01"}, accounts: []string{"bob"}}, want: 2},
				{alertSpec: alertSpec{at: 2 * time.Minute, hosts: []string{"web-01"}}, want: 3},
				// The same entities, one property that describes rather
				// than identifies changed, names in another case.
				{alertSpec: alertSpec{at: 3 * time.Minute, hosts: []string{"WEB-01"}, accounts: []string{"Alice"}, osVersion: "12.2"}, want: 1},
				{alertSpec: alertSpec{at: 4 * time.Minute, hosts: []string{"web-01"}, accounts: []string{"alice"}, ips: []string{"10.0.0.5"}}, want: 4},
				{alertSpec: alertSpec{at: 5 * time.Minute, hosts: []string{"web-01"}, accounts: []string{"bob"}}, want: 2},
			},
		},
		{
			name:     "AllEntities: alerts without entities group together",
			grouping: grouping(incidents.AllEntities, hour),
			steps: []groupStep{
				{alertSpec: alertSpec{}, want: 1},
				{alertSpec: alertSpec{at: time.Minute}, want: 1},
				{alertSpec: host(2*time.Minute, "web-01"), want: 2},
			},
		},
		{
			name:     "Selected by entity: the same host, whatever the accounts",
			grouping: selected(hour, []string{"Host"}, nil, nil),
			steps: []groupStep{
				{alertSpec: alertSpec{hosts: []string{"web-01"}, accounts: []string{"alice"}}, want: 1},
				{alertSpec: alertSpec{at: time.Minute, hosts: []string{"web-01"}, accounts: []string{"bob"}}, want: 1},
				{alertSpec: alertSpec{at: 2 * time.Minute, hosts: []string{"db-02"}, accounts: []string{"alice"}}, want: 2},
				{alertSpec: alertSpec{at: 3 * time.Minute, hosts: []string{"web-01"}, ips: []string{"10.0.0.5"}}, want: 1},
			},
		},
		{
			name:     "Selected by entities: account and IP, named as Sentinel names them",
			grouping: selected(hour, []string{"Account", "IP"}, nil, nil),
			steps: []groupStep{
				{alertSpec: alertSpec{hosts: []string{"web-01"}, accounts: []string{"alice"}, ips: []string{"203.0.113.9"}}, want: 1},
				{alertSpec: alertSpec{at: time.Minute, hosts: []string{"db-02"}, accounts: []string{"alice"}, ips: []string{"203.0.113.9"}}, want: 1},
				{alertSpec: alertSpec{at: 2 * time.Minute, hosts: []string{"web-01"}, accounts: []string{"alice"}, ips: []string{"198.51.100.7"}}, want: 2},
				{alertSpec: alertSpec{at: 3 * time.Minute, hosts: []string{"web-01"}, accounts: []string{"bob"}, ips: []string{"203.0.113.9"}}, want: 3},
			},
		},
		{
			name:     "Selected by alert detail: severity",
			grouping: selected(hour, nil, []string{"Severity"}, nil),
			steps: []groupStep{
				{alertSpec: alertSpec{severity: "High", hosts: []string{"web-01"}}, want: 1},
				{alertSpec: alertSpec{at: time.Minute, severity: "Low", hosts: []string{"web-01"}}, want: 2},
				{alertSpec: alertSpec{at: 2 * time.Minute, severity: "High", hosts: []string{"db-02"}}, want: 1},
			},
		},
		{
			name:     "Selected by alert detail: display name",
			grouping: selected(hour, nil, []string{"DisplayName"}, nil),
			steps: []groupStep{
				{alertSpec: alertSpec{name: "Brute force on alice"}, want: 1},
				{alertSpec: alertSpec{at: time.Minute, name: "Brute force on bob"}, want: 2},
				{alertSpec: alertSpec{at: 2 * time.Minute, name: "Brute force on alice", severity: "High"}, want: 1},
			},
		},
		{
			name:     "Selected by entity and alert detail",
			grouping: selected(hour, []string{"host"}, []string{"severity"}, nil),
			steps: []groupStep{
				{alertSpec: alertSpec{severity: "High", hosts: []string{"web-01"}}, want: 1},
				{alertSpec: alertSpec{at: time.Minute, severity: "Low", hosts: []string{"web-01"}}, want: 2},
				{alertSpec: alertSpec{at: 2 * time.Minute, severity: "High", hosts: []string{"db-02"}}, want: 3},
				{alertSpec: alertSpec{at: 3 * time.Minute, severity: "High", hosts: []string{"web-01"}}, want: 1},
			},
		},
		{
			name:     "Selected by custom detail: an ExtendedProperties key, or Sentinel's Custom Details object",
			grouping: selected(hour, nil, nil, []string{"TargetUser"}),
			steps: []groupStep{
				{alertSpec: alertSpec{ext: map[string]string{"TargetUser": "alice"}}, want: 1},
				{alertSpec: alertSpec{at: time.Minute, ext: map[string]string{"TargetUser": "bob"}}, want: 2},
				{alertSpec: alertSpec{at: 2 * time.Minute, ext: map[string]string{"TargetUser": "alice", "Other": "x"}, hosts: []string{"db-02"}}, want: 1},
				{alertSpec: alertSpec{at: 3 * time.Minute, ext: map[string]string{"Custom Details": `{"TargetUser":["carol"]}`}}, want: 3},
				{alertSpec: alertSpec{at: 4 * time.Minute, ext: map[string]string{"Custom Details": `{"TargetUser":["carol"],"Port":["22"]}`}}, want: 3},
			},
		},
		{
			name:     "a closed matching incident is reopened when the rule says so",
			grouping: withReopen(grouping(incidents.AllEntities, hour)),
			steps: []groupStep{
				{alertSpec: host(0, "web-01"), want: 1},
				{alertSpec: host(10*time.Minute, "web-01"), closeFirst: 1, want: 1},
				{alertSpec: host(20*time.Minute, "web-01"), want: 1},
			},
		},
		{
			name:     "a closed matching incident stays closed when the rule does not reopen",
			grouping: grouping(incidents.AllEntities, hour),
			steps: []groupStep{
				{alertSpec: host(0, "web-01"), want: 1},
				{alertSpec: host(10*time.Minute, "web-01"), closeFirst: 1, want: 2},
				{alertSpec: host(20*time.Minute, "web-01"), want: 2},
			},
		},
		{
			name:     "reopening is bound by the lookback too",
			grouping: withReopen(grouping(incidents.AnyAlert, hour)),
			steps: []groupStep{
				{alertSpec: host(0, "web-01"), want: 1},
				{alertSpec: host(2*hour, "web-01"), closeFirst: 1, want: 2},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			for i, st := range tc.steps {
				if st.closeFirst != 0 {
					if _, err := e.svc.Update(ctx, st.closeFirst, incidents.Update{Status: "Closed", Classification: "TruePositive"}, "test"); err != nil {
						t.Fatal(err)
					}
				}
				rule := incidents.Rule{ID: "rule-a", Name: "Rule A", CreateIncident: true, Grouping: tc.grouping}
				if st.rule != "" {
					rule.ID, rule.Name = st.rule, st.rule
				}
				st.id = fmt.Sprintf("alert-%02d", i)
				e.set(st.at + time.Second)
				incs := e.add(rule, st.alertSpec)
				if len(incs) != 1 || incs[0].Number != st.want || !slices.Contains(incs[0].AlertIDs, st.id) {
					var got []int64
					for _, inc := range incs {
						got = append(got, inc.Number)
					}
					t.Fatalf("step %d (alert at +%s): touched incidents %v, want the alert in incident %d", i, st.at, got, st.want)
				}
				if inc := incs[0]; inc.Status == incidents.StatusClosed {
					t.Errorf("step %d: incident %d is still Closed after alert %s joined it", i, inc.Number, st.id)
				}
			}
		})
	}
}

// TestReopenClearsClassification: a reopened incident is Active, without
// the classification it was closed with.
func TestReopenClearsClassification(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := grouping(incidents.AnyAlert, time.Hour)
	g.Reopen = true
	rule := incidents.Rule{ID: "r", Name: "R", CreateIncident: true, Grouping: g}
	e.add(rule, alertSpec{id: "a1"})
	e.set(time.Minute)
	closed, err := e.svc.Update(ctx, 1, incidents.Update{Status: "closed", Classification: "falsepositive", ClassificationReason: "InaccurateData", ClassificationComment: "lab"}, "token/alice")
	if err != nil {
		t.Fatal(err)
	}
	if closed.ClosedTime == nil || closed.Classification != incidents.FalsePositive || closed.ClassificationReason != incidents.InaccurateData {
		t.Fatalf("closed incident: %+v", closed)
	}
	e.set(2 * time.Minute)
	incs := e.add(rule, alertSpec{id: "a2", at: time.Minute})
	got := incs[0]
	if got.Status != incidents.StatusActive || got.Classification != "" || got.ClassificationReason != "" || got.ClassificationComment != "" || got.ClosedTime != nil {
		t.Errorf("reopened incident: status %s, classification %q/%q/%q, closed %v; want Active without classification",
			got.Status, got.Classification, got.ClassificationReason, got.ClassificationComment, got.ClosedTime)
	}
	if got.ModifiedBy != "rule/R" || len(got.AlertIDs) != 2 {
		t.Errorf("reopened incident: modified by %q, alerts %v", got.ModifiedBy, got.AlertIDs)
	}
}

// TestAlertLimit: an incident holds 150 alerts; the 151st opens a new
// incident, which the alerts after it join.
func TestAlertLimit(t *testing.T) {
	e := newEnv(t)
	rule := incidents.Rule{ID: "noisy", Name: "Noisy rule", CreateIncident: true, Grouping: grouping(incidents.AnyAlert, 24*time.Hour)}
	var specs []alertSpec
	for i := range 151 {
		specs = append(specs, alertSpec{id: fmt.Sprintf("a%03d", i), at: time.Duration(i) * time.Second, hosts: []string{"web-01"}})
	}
	e.set(time.Hour)
	// The first 100 in one call, the next 51 in another.
	first := e.add(rule, specs[:100]...)
	if len(first) != 1 || first[0].Number != 1 || len(first[0].AlertIDs) != 100 {
		t.Fatalf("100 alerts: %d incidents, want 1 with 100 alerts", len(first))
	}
	second := e.add(rule, specs[100:]...)
	if len(second) != 2 {
		t.Fatalf("51 more alerts touched %d incidents, want 2", len(second))
	}
	if n := e.get(1); len(n.AlertIDs) != incidents.MaxAlerts || n.AdditionalData.AlertsCount != incidents.MaxAlerts {
		t.Errorf("incident 1 holds %d alerts (alertsCount %d), want %d", len(n.AlertIDs), n.AdditionalData.AlertsCount, incidents.MaxAlerts)
	}
	two := e.get(2)
	if !reflect.DeepEqual(two.AlertIDs, []string{"a150"}) || two.Title != e.get(1).Title {
		t.Errorf("incident 2: alerts %v, title %q; want the 151st alert alone, with incident 1's title", two.AlertIDs, two.Title)
	}
	third := e.add(rule, alertSpec{id: "a151", at: 200 * time.Second})
	if len(third) != 1 || third[0].Number != 2 || len(third[0].AlertIDs) != 2 {
		t.Errorf("the 152nd alert went to %+v, want incident 2", third)
	}
}

// TestAddAlerts covers what an incident takes from its alerts, and what
// AddAlerts refuses or skips.
func TestAddAlerts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rule := incidents.Rule{ID: "rule-ps", Name: "Encoded PowerShell", Description: "rule text", CreateIncident: true, Grouping: grouping(incidents.AnyAlert, time.Hour)}
	e.set(10 * time.Minute)
	incs := e.add(rule,
		alertSpec{id: "a1", name: "Encoded PowerShell on web-01", severity: "Low", at: 0, tactics: []string{"Execution"}, hosts: []string{"web-01"}},
		alertSpec{id: "a2", name: "Encoded PowerShell on db-02", severity: "High", at: 2 * time.Minute, tactics: []string{"Execution", "DefenseEvasion"}, hosts: []string{"db-02"}, product: "Goshawk Endpoint"},
		alertSpec{id: "a3", severity: "Medium", at: time.Minute, hosts: []string{"web-01"}},
	)
	if len(incs) != 1 {
		t.Fatalf("%d incidents, want 1", len(incs))
	}
	inc := incs[0]
	want := incidents.Incident{
		Name: inc.Name, Number: 1,
		Title: "Encoded PowerShell on web-01", Description: "Encoded PowerShell on web-01 description",
		Severity: "High", Status: "New",
		Owner: incidents.Owner{}, Labels: []incidents.Label{}, Comments: []incidents.Comment{},
		AlertIDs:               []string{"a1", "a3", "a2"}, // in the order they were raised
		RelatedAnalyticRuleIDs: []string{"rule-ps"},
		FirstActivityTime:      t0.Add(-5 * time.Minute), LastActivityTime: t0.Add(2 * time.Minute),
		CreatedTime: t0.Add(10 * time.Minute), LastModifiedTime: t0.Add(10 * time.Minute),
		ModifiedBy:   "rule/Encoded PowerShell",
		ProviderName: "Azure Sentinel", ProviderIncidentID: "1", IncidentURL: "/v1/incidents/1",
		AdditionalData: incidents.AdditionalData{AlertsCount: 3, AlertProductNames: []string{"Azure Sentinel", "Goshawk Endpoint"},
			Tactics: []string{"Execution", "DefenseEvasion"}, Techniques: []string{"T1078"}},
	}
	if !reflect.DeepEqual(inc, want) {
		t.Errorf("incident:\n got %+v\nwant %+v", inc, want)
	}
	if len(inc.Name) != 36 || strings.Count(inc.Name, "-") != 4 {
		t.Errorf("IncidentName %q is not a GUID", inc.Name)
	}
	if got := e.get(1); !reflect.DeepEqual(got, inc) {
		t.Errorf("stored incident differs from the one returned:\n got %+v\nwant %+v", got, inc)
	}

	// The same alerts again (a retry): nothing changes.
	again, err := e.svc.AddAlerts(ctx, rule, []alerts.Alert{alertSpec{id: "a1"}.alert(), alertSpec{id: "a2"}.alert()})
	if err != nil || len(again) != 0 {
		t.Errorf("AddAlerts of alerts already grouped = %v, %v; want nothing touched", again, err)
	}
	// Duplicates within one call count once.
	dup, err := e.svc.AddAlerts(ctx, incidents.Rule{ID: "r2", CreateIncident: true}, []alerts.Alert{alertSpec{id: "d1"}.alert(), alertSpec{id: "d1"}.alert()})
	if err != nil || len(dup) != 1 || len(dup[0].AlertIDs) != 1 || dup[0].Number != 2 || dup[0].Title != "Suspicious sign-in" {
		t.Errorf("a duplicated alert: %+v, %v", dup, err)
	}
	// A rule that creates no incidents.
	if none, err := e.svc.AddAlerts(ctx, incidents.Rule{ID: "quiet"}, []alerts.Alert{alertSpec{id: "q1"}.alert()}); err != nil || none != nil {
		t.Errorf("AddAlerts with CreateIncident false = %v, %v", none, err)
	}

	for _, tc := range []struct {
		name string
		rule incidents.Rule
		a    alerts.Alert
	}{
		{"lookback under 5 minutes", incidents.Rule{ID: "x", CreateIncident: true, Grouping: grouping(incidents.AnyAlert, 4*time.Minute)}, alertSpec{id: "x1"}.alert()},
		{"lookback over 7 days", incidents.Rule{ID: "x", CreateIncident: true, Grouping: grouping(incidents.AnyAlert, 8*24*time.Hour)}, alertSpec{id: "x1"}.alert()},
		{"unknown matching method", incidents.Rule{ID: "x", CreateIncident: true, Grouping: grouping("SomeAlerts", time.Hour)}, alertSpec{id: "x1"}.alert()},
		{"Selected with nothing selected", incidents.Rule{ID: "x", CreateIncident: true, Grouping: grouping(incidents.Selected, time.Hour)}, alertSpec{id: "x1"}.alert()},
		{"Selected by an unknown alert detail", incidents.Rule{ID: "x", CreateIncident: true, Grouping: incidents.Grouping{Enabled: true, Lookback: time.Hour, Matching: incidents.Selected, AlertDetails: []string{"Tactics"}}}, alertSpec{id: "x1"}.alert()},
		{"no rule ID", incidents.Rule{CreateIncident: true}, alertSpec{id: "x1"}.alert()},
		{"an alert without SystemAlertId", incidents.Rule{ID: "x", CreateIncident: true}, alertSpec{}.alert()},
	} {
		if got, err := e.svc.AddAlerts(ctx, tc.rule, []alerts.Alert{tc.a}); !errors.Is(err, incidents.ErrInvalid) {
			t.Errorf("%s: AddAlerts = %v, %v; want ErrInvalid", tc.name, got, err)
		}
	}
	if incs, _ := e.svc.List(ctx, incidents.Filter{}); len(incs) != 2 {
		t.Errorf("%d incidents after the refused calls, want 2", len(incs))
	}
}

// TestNumbering: numbers continue after the workspace is reopened.
func TestNumbering(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.add(incidents.Rule{ID: "r", CreateIncident: true}, alertSpec{id: "a1"}, alertSpec{id: "a2"})
	again, err := incidents.New(ctx, e.ws, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	incs, err := again.AddAlerts(ctx, incidents.Rule{ID: "r", CreateIncident: true}, []alerts.Alert{alertSpec{id: "a3"}.alert()})
	if err != nil || len(incs) != 1 || incs[0].Number != 3 || incs[0].ProviderIncidentID != "3" {
		t.Errorf("after reopening: %+v, %v; want incident 3", incs, err)
	}
}

// TestGroupingInOneCall: alerts handed over together are grouped as if
// they had come one by one, in the order they were raised.
func TestGroupingInOneCall(t *testing.T) {
	e := newEnv(t)
	rule := incidents.Rule{ID: "r", Name: "R", CreateIncident: true, Grouping: grouping(incidents.AllEntities, time.Hour)}
	e.set(3 * time.Hour)
	incs := e.add(rule,
		alertSpec{id: "late", at: 70 * time.Minute, hosts: []string{"web-01"}},
		alertSpec{id: "first", at: 0, hosts: []string{"web-01"}},
		alertSpec{id: "other", at: 10 * time.Minute, hosts: []string{"db-02"}},
		alertSpec{id: "second", at: 30 * time.Minute, hosts: []string{"web-01"}},
	)
	got := map[int64][]string{}
	for _, inc := range incs {
		got[inc.Number] = inc.AlertIDs
	}
	want := map[int64][]string{1: {"first", "second"}, 2: {"other"}, 3: {"late"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("incidents' alerts = %v, want %v", got, want)
	}
}

// TestIncidentURL: IncidentUrl is the API's path, under the server's URL
// once the service knows it; older incidents get it at their next change.
func TestIncidentURL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rule := incidents.Rule{ID: "r", CreateIncident: true}
	e.add(rule, alertSpec{id: "a1"})
	e.svc.SetURL("https://goshawk.example:8443/")
	incs := e.add(rule, alertSpec{id: "a2"})
	if got := incs[0].IncidentURL; got != "https://goshawk.example:8443/v1/incidents/2" {
		t.Errorf("IncidentUrl of incident 2 = %q", got)
	}
	if got := e.get(1).IncidentURL; got != "/v1/incidents/1" {
		t.Errorf("IncidentUrl of incident 1 before a change = %q", got)
	}
	inc, err := e.svc.Update(ctx, 1, incidents.Update{Status: "Active"}, "t")
	if err != nil || inc.IncidentURL != "https://goshawk.example:8443/v1/incidents/1" {
		t.Errorf("IncidentUrl of incident 1 after a change = %q, %v", inc.IncidentURL, err)
	}
}

// TestConcurrentChanges: alerts, updates and comments arriving together
// neither lose a change nor share an incident number.
func TestConcurrentChanges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rule := incidents.Rule{ID: "r", CreateIncident: true}
	e.add(rule, alertSpec{id: "first"})
	const n = 8
	as := make([]alerts.Alert, n)
	for i := range as {
		as[i] = alertSpec{id: fmt.Sprintf("c%d", i)}.alert()
	}
	e.store(as...)
	errs := make(chan error, 3*n)
	for i := range n {
		go func() {
			_, err := e.svc.AddAlerts(ctx, rule, as[i:i+1])
			errs <- err
		}()
		go func() {
			_, err := e.svc.AddComment(ctx, 1, fmt.Sprintf("comment %d", i), "t")
			errs <- err
		}()
		go func() {
			_, err := e.svc.Update(ctx, 1, incidents.Update{AddLabels: []string{fmt.Sprintf("label-%d", i)}}, "t")
			errs <- err
		}()
	}
	for range 3 * n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	incs, err := e.svc.List(ctx, incidents.Filter{})
	if err != nil || len(incs) != n+1 || incs[0].Number != n+1 {
		t.Fatalf("%d incidents (newest %d), %v; want %d numbered 1..%d", len(incs), incs[0].Number, err, n+1, n+1)
	}
	one := e.get(1)
	if len(one.Comments) != n || len(one.Labels) != n {
		t.Errorf("incident 1 has %d comments and %d labels, want %d of each", len(one.Comments), len(one.Labels), n)
	}
	rows := e.query("SecurityIncident | where IncidentNumber == 1 | count")
	if got := rows[0]["Count"]; got != int64(1+2*n) {
		t.Errorf("incident 1 has %v SecurityIncident rows, want %d", got, 1+2*n)
	}
}
