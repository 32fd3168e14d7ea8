package incidents_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/incidents"
)

func ptr(s string) *string { return &s }

// TestUpdate runs a sequence of updates on one incident: each either
// changes what it says or is refused with ErrInvalid and changes nothing.
func TestUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.add(incidents.Rule{ID: "r", Name: "R", CreateIncident: true}, alertSpec{id: "a1", severity: "Low"})
	for i, tc := range []struct {
		name  string
		u     incidents.Update
		err   string // a refusal naming this; "" for success
		check func(inc incidents.Incident) string
	}{
		{name: "unknown status", u: incidents.Update{Status: "Resolved"}, err: `status "Resolved"`},
		{name: "unknown severity", u: incidents.Update{Severity: "Critical"}, err: `severity "Critical"`},
		{name: "classification without closing", u: incidents.Update{Classification: "TruePositive"}, err: "goes with closing"},
		{name: "closing without classification", u: incidents.Update{Status: "Closed"}, err: "needs a classification"},
		{name: "closing as FalsePositive without a reason", u: incidents.Update{Status: "Closed", Classification: "FalsePositive"}, err: "needs a classification reason"},
		{name: "a reason of another classification", u: incidents.Update{Status: "Closed", Classification: "TruePositive", ClassificationReason: "InaccurateData"}, err: "does not go with TruePositive"},
		{name: "Undetermined takes no reason", u: incidents.Update{Status: "Closed", Classification: "Undetermined", ClassificationReason: "SuspiciousActivity"}, err: "takes no classification reason"},
		{name: "an empty label", u: incidents.Update{AddLabels: []string{" "}}, err: "label"},
		{name: "take it", u: incidents.Update{Status: "active", Owner: ptr("alice@example.com"), Severity: "high"}, check: func(inc incidents.Incident) string {
			if inc.Status != "Active" || inc.Severity != "High" || inc.Owner.Name() != "alice@example.com" ||
				inc.Owner.Email == nil || *inc.Owner.Email != "alice@example.com" || inc.Owner.UserPrincipalName == nil || inc.Owner.ObjectID != nil {
				return "want Active, High, owned by alice@example.com (email and UPN)"
			}
			return ""
		}},
		{name: "labels", u: incidents.Update{AddLabels: []string{"phishing", "vip", "Phishing"}}, check: func(inc incidents.Incident) string {
			if !reflect.DeepEqual(inc.Labels, []incidents.Label{{Name: "phishing", Type: "User"}, {Name: "vip", Type: "User"}}) {
				return "want the labels phishing and vip, once each"
			}
			return ""
		}},
		{name: "remove a label", u: incidents.Update{RemoveLabels: []string{"VIP", "absent"}}, check: func(inc incidents.Incident) string {
			if len(inc.Labels) != 1 || inc.Labels[0].Name != "phishing" {
				return "want phishing alone"
			}
			return ""
		}},
		{name: "reassign to a name", u: incidents.Update{Owner: ptr("bob")}, check: func(inc incidents.Incident) string {
			if inc.Owner.Name() != "bob" || inc.Owner.Email != nil {
				return "want bob, without e-mail"
			}
			return ""
		}},
		{name: "close as TruePositive: the reason is implied", u: incidents.Update{Status: "Closed", Classification: "truepositive", ClassificationComment: "confirmed with the user"}, check: func(inc incidents.Incident) string {
			if inc.Status != "Closed" || inc.Classification != "TruePositive" || inc.ClassificationReason != "SuspiciousActivity" ||
				inc.ClassificationComment != "confirmed with the user" || inc.ClosedTime == nil {
				return "want Closed, TruePositive, SuspiciousActivity, the comment and a ClosedTime"
			}
			return ""
		}},
		{name: "reclassify a closed incident", u: incidents.Update{Classification: "FalsePositive", ClassificationReason: "IncorrectAlertLogic"}, check: func(inc incidents.Incident) string {
			if inc.Status != "Closed" || inc.ClassificationReason != "IncorrectAlertLogic" || inc.ClassificationComment != "confirmed with the user" {
				return "want Closed, FalsePositive/IncorrectAlertLogic, the comment kept"
			}
			return ""
		}},
		{name: "reopen", u: incidents.Update{Status: "Active"}, check: func(inc incidents.Incident) string {
			if inc.Status != "Active" || inc.Classification != "" || inc.ClosedTime != nil {
				return "want Active without classification or ClosedTime"
			}
			return ""
		}},
		{name: "unassign", u: incidents.Update{Owner: ptr("")}, check: func(inc incidents.Incident) string {
			if inc.Owner != (incidents.Owner{}) {
				return "want no owner"
			}
			return ""
		}},
	} {
		e.set(time.Duration(i+1) * time.Minute)
		before := e.get(1)
		got, err := e.svc.Update(ctx, 1, tc.u, "token/alice")
		if tc.err != "" {
			if !errors.Is(err, incidents.ErrInvalid) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: Update(%+v) = %v; want ErrInvalid naming %q", tc.name, tc.u, err, tc.err)
			}
			if after := e.get(1); !reflect.DeepEqual(after, before) {
				t.Errorf("%s: a refused update changed the incident", tc.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Update(%+v): %v", tc.name, tc.u, err)
			continue
		}
		if msg := tc.check(got); msg != "" {
			t.Errorf("%s: got %+v; %s", tc.name, got, msg)
		}
		if got.ModifiedBy != "token/alice" || !got.LastModifiedTime.Equal(e.clock()) {
			t.Errorf("%s: modified by %q at %v, want token/alice at %v", tc.name, got.ModifiedBy, got.LastModifiedTime, e.clock())
		}
		if got.FirstModifiedTime == nil || !got.FirstModifiedTime.Equal(t0.Add(9*time.Minute)) {
			t.Errorf("%s: FirstModifiedTime %v, want the first change's time", tc.name, got.FirstModifiedTime)
		}
		if stored := e.get(1); !reflect.DeepEqual(stored, got) {
			t.Errorf("%s: the stored incident differs from the returned one", tc.name)
		}
	}

	// A change that changes nothing is no change.
	before := e.get(1)
	e.set(time.Hour)
	if got, err := e.svc.Update(ctx, 1, incidents.Update{Status: "Active", AddLabels: []string{"PHISHING"}}, "token/bob"); err != nil || !reflect.DeepEqual(got, before) {
		t.Errorf("an update that changes nothing: %v; the incident changed or failed", err)
	}
	if _, err := e.svc.Update(ctx, 99, incidents.Update{Status: "Active"}, "x"); !errors.Is(err, incidents.ErrNotFound) {
		t.Errorf("Update of incident 99 = %v, want ErrNotFound", err)
	}
}

func TestComments(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.add(incidents.Rule{ID: "r", CreateIncident: true}, alertSpec{id: "a1"})
	e.set(time.Minute)
	c, err := e.svc.AddComment(ctx, 1, "  looked at the host  ", "cli/carol")
	if err != nil {
		t.Fatal(err)
	}
	if c.Message != "looked at the host" || c.Author.Name != "cli/carol" || !c.CreatedTime.Equal(t0.Add(time.Minute)) || c.ID == "" {
		t.Errorf("comment %+v", c)
	}
	c2, err := e.svc.AddComment(ctx, 1, "second", "token/dave")
	if err != nil {
		t.Fatal(err)
	}
	inc := e.get(1)
	if len(inc.Comments) != 2 || inc.Comments[1] != c2 || inc.AdditionalData.CommentsCount != 2 || inc.ModifiedBy != "token/dave" {
		t.Errorf("incident after two comments: %+v", inc)
	}
	if !c2.CreatedTime.After(c.CreatedTime) {
		t.Errorf("two comments at the same clock reading: %v then %v; want the second later", c.CreatedTime, c2.CreatedTime)
	}
	for _, msg := range []string{"", "   ", strings.Repeat("x", incidents.MaxCommentLength+1)} {
		if _, err := e.svc.AddComment(ctx, 1, msg, "x"); !errors.Is(err, incidents.ErrInvalid) {
			t.Errorf("AddComment(%d characters) = %v, want ErrInvalid", len(msg), err)
		}
	}
	if _, err := e.svc.AddComment(ctx, 2, "x", "x"); !errors.Is(err, incidents.ErrNotFound) {
		t.Errorf("AddComment on incident 2 = %v, want ErrNotFound", err)
	}
}

func TestList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rule := incidents.Rule{ID: "r", CreateIncident: true}
	e.add(rule, alertSpec{id: "a1", severity: "High"})
	e.set(time.Hour)
	e.add(rule, alertSpec{id: "a2", severity: "Low", at: time.Hour})
	e.set(2 * time.Hour)
	e.add(rule, alertSpec{id: "a3", severity: "High", at: 2 * time.Hour})
	if _, err := e.svc.Update(ctx, 2, incidents.Update{Owner: ptr("Alice@example.com"), Status: "Active"}, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Update(ctx, 3, incidents.Update{Status: "Closed", Classification: "BenignPositive"}, "t"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    incidents.Filter
		want []int64
	}{
		{incidents.Filter{}, []int64{3, 2, 1}},
		{incidents.Filter{Statuses: []string{"new"}}, []int64{1}},
		{incidents.Filter{Statuses: []string{"New,Active"}}, []int64{2, 1}},
		{incidents.Filter{Statuses: []string{"New", "Closed"}}, []int64{3, 1}},
		{incidents.Filter{Severities: []string{"High"}}, []int64{3, 1}},
		{incidents.Filter{Severities: []string{"High"}, Statuses: []string{"New", "Active"}}, []int64{1}},
		{incidents.Filter{Owner: "alice@EXAMPLE.com"}, []int64{2}},
		{incidents.Filter{From: t0.Add(30 * time.Minute)}, []int64{3, 2}},
		{incidents.Filter{From: t0.Add(30 * time.Minute), To: t0.Add(2 * time.Hour)}, []int64{2}},
		{incidents.Filter{Limit: 2}, []int64{3, 2}},
	} {
		incs, err := e.svc.List(ctx, tc.f)
		var got []int64
		for _, inc := range incs {
			got = append(got, inc.Number)
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("List(%+v) = %v, %v; want %v", tc.f, got, err, tc.want)
		}
	}
	if _, err := e.svc.List(ctx, incidents.Filter{Statuses: []string{"Open"}}); !errors.Is(err, incidents.ErrInvalid) {
		t.Errorf("List with status Open = %v, want ErrInvalid", err)
	}
}

// TestAlertsAndEntities: an incident's alerts come back from SecurityAlert
// with their entities; the incident's entities are theirs, each once.
func TestAlertsAndEntities(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rule := incidents.Rule{ID: "r", CreateIncident: true, Grouping: grouping(incidents.AnyAlert, time.Hour)}
	e.set(time.Hour)
	e.add(rule,
		alertSpec{id: "a1", name: "First", severity: "Low", tactics: []string{"Execution", "Persistence"}, hosts: []string{"web-01"}, accounts: []string{"alice"}},
		alertSpec{id: "a2", name: "Second", at: time.Minute, hosts: []string{"WEB-01"}, ips: []string{"203.0.113.9"}},
	)
	as, err := e.svc.Alerts(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].SystemAlertID != "a1" || as[0].Name != "First" || as[0].Severity != "Low" || as[0].Status != "New" ||
		!reflect.DeepEqual(as[0].Tactics, []string{"Execution", "Persistence"}) || !reflect.DeepEqual(as[0].Techniques, []string{"T1078"}) ||
		!as[1].TimeGenerated.Equal(t0.Add(time.Minute)) || as[0].ProductName != "Azure Sentinel" {
		t.Fatalf("alerts: %+v", as)
	}
	var names []string
	for _, en := range as[0].Entities {
		names = append(names, en.Type+":"+en.Name)
	}
	if want := []string{`host:web-01.corp.example`, `account:CORP\alice`}; !reflect.DeepEqual(names, want) {
		t.Errorf("the first alert's entities %v, want %v", names, want)
	}
	if host := as[0].Entities[1].Properties["Host"]; host != "web-01.corp.example" {
		t.Errorf("the account's Host property is %v, want the host's name", host)
	}
	es, err := e.svc.Entities(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range es {
		got = append(got, en.Type+":"+en.Name+" "+strings.Join(en.AlertIDs, ","))
	}
	want := []string{"host:web-01.corp.example a1,a2", `account:CORP\alice a1`, "ip:203.0.113.9 a2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entities:\n got %q\nwant %q", got, want)
	}
	if _, err := e.svc.Alerts(ctx, 7); !errors.Is(err, incidents.ErrNotFound) {
		t.Errorf("Alerts(7) = %v, want ErrNotFound", err)
	}
}
