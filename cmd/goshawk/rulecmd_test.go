package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/internal/testenv"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/workspace"
)

// startSIEMServer is startServer with the EDR backend, connectors,
// content, rules and incidents mounted, as goshawk server mounts them.
func startSIEMServer(t *testing.T, dir string) *testServer {
	t.Helper()
	ctx := context.Background()
	cfg := workspace.DefaultConfig()
	cfg.Command = "server"
	ws, err := workspace.Open(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := api.New(ws, api.DefaultConfig(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := edr.New(ctx, ws, bundle.CA, edr.DefaultConfig(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	h.MountEDR(e)
	sm, err := openSIEM(ctx, ws, e, quiet)
	if err != nil {
		t.Fatal(err)
	}
	h.MountContent(sm.conns, sm.hub, sm.hunt)
	h.MountRules(sm.rules)
	h.MountIncidents(sm.incidents)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{url: "https://" + ln.Addr().String(), ws: ws, done: make(chan error, 1)}
	s.srv = &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{bundle.Server}}}
	go func() { s.done <- s.srv.ServeTLS(ln, "", "") }()
	t.Cleanup(s.stop)
	return s
}

// TestRulesImportRemoteAndLocal: importing Sentinel's samples prints one
// JSON line per file, the same through a server and on the directory; the
// imported rules list, export and backtest.
func TestRulesImportRemoteAndLocal(t *testing.T) {
	samples := filepath.Join(testenv.SharedDir(t), "sentinel-rules")
	f := newFixture(t)
	srv := startSIEMServer(t, f.dir)
	remote := map[string]string{"GOSHAWK_TOKEN": f.owner, "GOSHAWK_CA": filepath.Join(f.dir, pki.CACertFile)}
	out, _, err := run(t, remote, "rules", "import", "--format", "json", samples, "--server", srv.url)
	if err != errUnhealthy {
		t.Errorf("import with refused files: err %v, want the non-zero exit", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	ok := 0
	for _, l := range lines {
		var r struct {
			File, Kind, ID, Error string
			OK                    bool
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.File == "" || (!r.OK && r.Error == "") || (r.OK && r.ID == "") {
			t.Errorf("import line %q (%v)", l, err)
		}
		var keys map[string]any
		json.Unmarshal([]byte(l), &keys)
		for k := range keys {
			if k != "file" && k != "ok" && k != "kind" && k != "id" && k != "error" {
				t.Errorf("import line has key %q", k)
			}
		}
		if r.OK {
			ok++
		}
	}
	ents, _ := os.ReadDir(samples)
	if len(lines) != len(ents)-1 { // README.md
		t.Errorf("%d lines for %d sample files", len(lines), len(ents)-1)
	}
	if ok < 25 {
		t.Errorf("only %d samples imported", ok)
	}
	list := mustRun(t, remote, "rules", "list", "--server", srv.url)
	if !strings.Contains(list, "Scheduled") || !strings.Contains(list, "NRT") {
		t.Errorf("rules list:\n%s", list)
	}
	const id = "5bdc1504-880c-4b30-a39c-7c746535928d" // a scheduled sample (hourly)
	exp := mustRun(t, remote, "rules", "export", id, "--server", srv.url)
	if !strings.Contains(exp, "id: "+id) || !strings.Contains(exp, "queryFrequency:") {
		t.Errorf("export:\n%s", exp)
	}
	bt := mustRun(t, remote, "rules", "test", id, "--from", "1d", "--server", srv.url)
	if !strings.Contains(bt, "windows,") {
		t.Errorf("rules test:\n%s", bt)
	}
	if o := outcomeOf(t, remote, "rules", "show", "nope", "--server", srv.url); !strings.Contains(o.err, "no rule nope") {
		t.Errorf("show of an unknown rule: %+v", o)
	}
	reader := map[string]string{"GOSHAWK_TOKEN": f.reader, "GOSHAWK_CA": remote["GOSHAWK_CA"]}
	if o := outcomeOf(t, reader, "rules", "disable", id, "--server", srv.url); !strings.Contains(o.err, "may not") {
		t.Errorf("a reader disabling a rule: %+v", o)
	}
	remoteShow := mustRun(t, remote, "rules", "show", id, "--server", srv.url)
	srv.stop()
	if local := mustRun(t, nil, "rules", "show", id, "--data", f.dir); local != remoteShow {
		t.Errorf("rules show differs:\nremote:\n%s\nlocal:\n%s", remoteShow, local)
	}
	localOut, _, _ := run(t, nil, "rules", "import", "--format", "json", samples, "--data", f.dir)
	if localOut != out {
		t.Errorf("import output differs between the server and the directory")
	}
}
