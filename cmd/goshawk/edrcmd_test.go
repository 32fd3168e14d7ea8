package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/workspace"
)

// startEDRServer serves dir with the EDR routes and the server's TLS
// configuration, and returns its URL and service.
func startEDRServer(t *testing.T, dir string) (string, *edr.Service, func()) {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, dir, workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := edr.New(ctx, ws, bundle.CA, edr.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.New(ws, api.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h.MountEDR(svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + ln.Addr().String()
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0), TLSConfig: edr.ServerTLS(bundle)}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = srv.Shutdown(context.Background())
		<-done
		_ = ws.Close()
	}
	t.Cleanup(stop)
	return url, svc, stop
}

// TestEDRCommands: onboarding, device and action commands give the same
// output through --data and through --server.
func TestEDRCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	owner := strings.TrimSpace(mustRun(t, nil, "token", "create", "--data", dir, "--role", "owner"))
	reader := strings.TrimSpace(mustRun(t, nil, "token", "create", "--data", dir, "--role", "reader"))
	pkgFile := filepath.Join(t.TempDir(), "pkg.json")

	// Local mode before any server ran: the URL must be given.
	if _, _, err := run(t, nil, "onboarding", "create", "--data", dir, "--out", pkgFile); err == nil || !strings.Contains(err.Error(), "--server-url") {
		t.Errorf("onboarding create without a known URL = %v", err)
	}
	mustRun(t, nil, "onboarding", "create", "--data", dir, "--out", pkgFile, "--server-url", "https://edr.example:8443", "--uses", "2", "--expires", "3d")
	var pkg agentproto.OnboardingPackage
	data, _ := os.ReadFile(pkgFile)
	if err := json.Unmarshal(data, &pkg); err != nil || pkg.ServerURL != "https://edr.example:8443" || !strings.Contains(pkg.CACert, "BEGIN CERTIFICATE") {
		t.Fatalf("package: %s, %v", data, err)
	}

	url, svc, stop := startEDRServer(t, dir)
	ca := filepath.Join(dir, "ca.crt")
	remote := func(token string) []string { return []string{"--server", url, "--token", token, "--ca", ca} }
	mustRun(t, nil, append([]string{"onboarding", "create", "--out", pkgFile}, remote(owner)...)...)
	data, _ = os.ReadFile(pkgFile)
	json.Unmarshal(data, &pkg)
	if pkg.ServerURL != url {
		t.Errorf("remote package URL %q, want the server's %q", pkg.ServerURL, url)
	}
	if _, _, err := run(t, nil, append([]string{"onboarding", "create", "--out", pkgFile}, remote(reader)...)...); err == nil {
		t.Error("onboarding create as reader succeeded")
	}
	// Enroll a device through the service.
	er, err := svc.Enroll(context.Background(), pkg.Token, agentproto.EnrollRequest{CSR: testCSR(t), Hostname: "web-01", OS: agentproto.OSInfo{Platform: "Linux", Version: "12"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	remoteList := mustRun(t, nil, append([]string{"device", "list"}, remote(reader)...)...)
	if !strings.Contains(remoteList, er.DeviceID) || !strings.Contains(remoteList, "web-01") || !strings.Contains(remoteList, "Active") {
		t.Errorf("device list:\n%s", remoteList)
	}
	if _, _, err := run(t, nil, append([]string{"action", "isolate", "web-01"}, remote(reader)...)...); err == nil {
		t.Error("action isolate as reader succeeded")
	}
	id := strings.TrimSpace(mustRun(t, nil, append([]string{"action", "isolate", "web-01", "--comment", "ir-1"}, remote(owner)...)...))
	remoteShow := mustRun(t, nil, append([]string{"action", "show", id}, remote(reader)...)...)
	if !strings.Contains(remoteShow, `"status": "Pending"`) || !strings.Contains(remoteShow, `"requestorComment": "ir-1"`) {
		t.Errorf("action show:\n%s", remoteShow)
	}
	mustRun(t, nil, append([]string{"device", "timeline", er.DeviceID}, remote(reader)...)...)
	stop()

	// The same through the directory.
	if got := mustRun(t, nil, "action", "show", id, "--data", dir); got != remoteShow {
		t.Errorf("action show --data:\n%s\nwant the --server output:\n%s", got, remoteShow)
	}
	if got := mustRun(t, nil, "device", "list", "--data", dir); got != remoteList {
		t.Errorf("device list --data:\n%s\nwant:\n%s", got, remoteList)
	}
	if _, _, err := run(t, nil, "action", "kill", "web-01", "notapid", "--data", dir); err == nil {
		t.Error("action kill with a bad pid succeeded")
	}
	if out := mustRun(t, nil, "onboarding", "list", "--data", dir); strings.Count(out, "active") != 2 {
		t.Errorf("onboarding list:\n%s", out)
	}
	mustRun(t, nil, "onboarding", "revoke", pkg.TokenID, "--data", dir)
	if out := mustRun(t, nil, "onboarding", "list", "--data", dir); !strings.Contains(out, "revoked") {
		t.Errorf("onboarding list after revoke:\n%s", out)
	}
	mustRun(t, nil, "device", "offboard", "web-01", "--data", dir)
	if out := mustRun(t, nil, "device", "show", er.DeviceID, "--data", dir); !strings.Contains(out, `"offboarded"`) || !strings.Contains(out, `"healthStatus": "Inactive"`) {
		t.Errorf("device show after offboard:\n%s", out)
	}
}

func testCSR(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}
