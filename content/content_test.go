package content

import (
	"context"
	"errors"
	"github.com/goshawk-sec/goshawk/rules"
	"io"
	"log/slog"
	"testing"

	"github.com/goshawk-sec/goshawk/connector"
	"github.com/goshawk-sec/goshawk/hunting"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/workspace"
)

func open(t *testing.T) (*Service, *connector.Service, *hunting.Store, *workspace.Workspace) {
	s, c, h, ws, _ := openWithRules(t)
	return s, c, h, ws
}

func openWithRules(t *testing.T) (*Service, *connector.Service, *hunting.Store, *workspace.Workspace, *rules.Store) {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, t.TempDir(), workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	conns, err := connector.New(ctx, ws, log)
	if err != nil {
		t.Fatal(err)
	}
	hunt, err := hunting.Open(ctx, ws.Store().DB(), ws.Engine().Catalogue)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rules.OpenStore(ctx, ws.Store().DB())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, ws.Store().DB(), conns, hunt, rs, log)
	if err != nil {
		t.Fatal(err)
	}
	return s, conns, hunt, ws, rs
}

// TestSolutionsHuntingQueriesRun: every shipped hunting query binds and
// runs on an empty workspace.
func TestSolutionsHuntingQueriesRun(t *testing.T) {
	_, _, hunt, ws := open(t)
	for _, sol := range Solutions() {
		for _, q := range sol.Hunting {
			if err := hunt.Check(q); err != nil {
				t.Errorf("%s: %v", sol.Name, err)
				continue
			}
			if _, err := ws.Query(context.Background(), q.Query, query.Options{}); err != nil {
				t.Errorf("%s: %s: %v", sol.Name, q.Name, err)
			}
		}
	}
}

func TestInstallTwiceAndUninstall(t *testing.T) {
	ctx := context.Background()
	s, conns, hunt, _, rs := openWithRules(t)
	// The admin had turned the alerts off; installing turns them on.
	if _, err := conns.SetEnabled(ctx, connector.EndpointID, []string{connector.AlertsDataType}, false, "admin"); err != nil {
		t.Fatal(err)
	}
	st, err := s.Install(ctx, "endpoint", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Installed || st.InstalledVersion != "1.0.0" || st.InstalledBy != "alice" {
		t.Errorf("state after install: %+v", st)
	}
	if !conns.Enabled(connector.EndpointID, connector.AlertsDataType) {
		t.Error("install did not enable the connector's alerts")
	}
	if r, err := rs.Get(ctx, EndpointIncidentRuleID); err != nil || !r.Enabled {
		t.Errorf("the endpoint incident rule after install: %+v, %v", r, err)
	}
	qs, _ := hunt.List(ctx)
	if len(qs) != len(endpoint().Hunting) {
		t.Fatalf("%d hunting queries after install, want %d", len(qs), len(endpoint().Hunting))
	}
	// A query removed by hand comes back with a second install, which
	// keeps the first install's record.
	if err := hunt.Delete(ctx, qs[0].ID); err != nil {
		t.Fatal(err)
	}
	if st, err = s.Install(ctx, "ENDPOINT", "bob"); err != nil || st.InstalledBy != "alice" {
		t.Fatalf("second install: %+v, %v", st, err)
	}
	if qs, _ = hunt.List(ctx); len(qs) != len(endpoint().Hunting) {
		t.Errorf("%d hunting queries after the second install", len(qs))
	}
	// A query the user saved is not the solution's to remove.
	mine := hunting.Query{ID: "mine", Name: "Mine", Query: "DeviceInfo | take 1", Source: "user"}
	if _, err := hunt.Put(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if st, err = s.Uninstall(ctx, "endpoint", "alice"); err != nil || st.Installed {
		t.Fatalf("uninstall: %+v, %v", st, err)
	}
	if qs, _ = hunt.List(ctx); len(qs) != 1 || qs[0].ID != "mine" {
		t.Errorf("hunting queries after uninstall: %+v", qs)
	}
	if conns.Enabled(connector.EndpointID, connector.AlertsDataType) {
		t.Error("uninstall left enabled the data type the install enabled")
	}
	if _, err := rs.Get(ctx, EndpointIncidentRuleID); !errors.Is(err, rules.ErrNotFound) {
		t.Errorf("the endpoint incident rule after uninstall: %v", err)
	}
	if !conns.Enabled(connector.EndpointID, "DeviceProcessEvents") {
		t.Error("uninstall disabled a data type the install had not enabled")
	}
	if _, err := s.Uninstall(ctx, "endpoint", "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("uninstalling twice = %v, want ErrNotFound", err)
	}
	if _, err := s.Install(ctx, "nope", "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("installing an unknown solution = %v", err)
	}
	if _, err := hunt.Put(ctx, hunting.Query{ID: "bad", Name: "Bad", Query: "NoSuchTable | take 1"}); !errors.Is(err, hunting.ErrInvalid) {
		t.Errorf("saving a query over an unknown table = %v, want ErrInvalid", err)
	}
}
