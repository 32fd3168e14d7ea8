package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/workspace"
)

// edrEnv is a workspace served over TLS as `goshawk server` serves it:
// the same TLS configuration (client certificates requested and verified
// against the workspace CA), the API with the EDR routes mounted, and a
// bearer token per role.
type edrEnv struct {
	t      *testing.T
	dir    string
	ws     *workspace.Workspace
	svc    *edr.Service
	srv    *httptest.Server
	bundle *pki.Bundle
	tokens map[auth.Role]string
}

func newEDREnv(t *testing.T, cfg edr.Config) *edrEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	ws, err := workspace.Open(ctx, dir, workspace.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := edr.New(ctx, ws, bundle.CA, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.New(ws, api.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.MountEDR(svc)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = edr.ServerTLS(bundle)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e := &edrEnv{t: t, dir: dir, ws: ws, svc: svc, srv: srv, bundle: bundle, tokens: map[auth.Role]string{}}
	for _, r := range auth.Roles {
		secret, _, err := ws.CreateToken(ctx, r, string(r))
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = secret
	}
	return e
}

// client is an HTTPS client trusting the workspace CA, presenting cert
// when given.
func (e *edrEnv) client(cert *tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: e.bundle.CA.Pool(), MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 60 * time.Second}
}

// call makes a request with a bearer token for role (none when empty)
// and decodes a JSON answer into out; it returns the status.
func (e *edrEnv) call(role auth.Role, method, path string, in, out any) int {
	e.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, body)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	resp, err := e.client(nil).Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

func (e *edrEnv) onboarding(req edr.OnboardingRequest) agentproto.OnboardingPackage {
	e.t.Helper()
	if req.ServerURL == "" {
		req.ServerURL = e.srv.URL
	}
	var pkg agentproto.OnboardingPackage
	if st := e.call(auth.Owner, "POST", "/v1/onboarding", req, &pkg); st != http.StatusCreated {
		e.t.Fatalf("POST /v1/onboarding = %d", st)
	}
	return pkg
}

// agent plays the agent's side of the protocol with its own key.
type agent struct {
	e    *edrEnv
	key  *ecdsa.PrivateKey
	id   string
	cert *tls.Certificate
	hc   *http.Client
}

func newAgent(e *edrEnv) *agent {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	return &agent{e: e, key: key}
}

func (a *agent) csr() string {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "agent"}}, a.key)
	if err != nil {
		a.e.t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// enroll enrolls with token and returns the status.
func (a *agent) enroll(token, machineID string) int {
	a.e.t.Helper()
	req := agentproto.EnrollRequest{CSR: a.csr(), Hostname: "host-" + machineID, MachineID: machineID, ClientVersion: "1.0.0",
		OS: agentproto.OSInfo{Platform: "Linux", Distribution: "Debian", Version: "12", Architecture: "x86_64", Kernel: "6.1.0"}}
	b, _ := json.Marshal(req)
	hr, _ := http.NewRequest("POST", a.e.srv.URL+agentproto.PathEnroll, bytes.NewReader(b))
	hr.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.e.client(nil).Do(hr)
	if err != nil {
		a.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode
	}
	var er agentproto.EnrollResponse
	if err := json.NewDecoder(resp.Body).Decode(&er); err != nil {
		a.e.t.Fatal(err)
	}
	blk, _ := pem.Decode([]byte(er.Certificate))
	leaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		a.e.t.Fatal(err)
	}
	if leaf.Subject.CommonName != er.DeviceID || len(er.DeviceID) != 40 {
		a.e.t.Fatalf("certificate CN %q, device id %q: want the 40-hex device id", leaf.Subject.CommonName, er.DeviceID)
	}
	a.id = er.DeviceID
	a.cert = &tls.Certificate{Certificate: [][]byte{blk.Bytes}, PrivateKey: a.key, Leaf: leaf}
	a.hc = a.e.client(a.cert)
	return resp.StatusCode
}

// do sends an agent request with the device certificate; gz compresses.
func (a *agent) do(method, path string, in, out any, gz bool) (int, error) {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		body = buf.Bytes()
	}
	hr, _ := http.NewRequest(method, a.e.srv.URL+path, bytes.NewReader(body))
	if gz {
		hr.Header.Set("Content-Encoding", "gzip")
	}
	hc := a.hc
	if hc == nil {
		hc = a.e.client(nil)
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %v", data, err)
		}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, nil
}

func (a *agent) must(method, path string, in, out any) {
	a.e.t.Helper()
	if _, err := a.do(method, path, in, out, false); err != nil {
		a.e.t.Fatal(err)
	}
}

// send sends a batch and returns the acknowledgement.
func (a *agent) send(b agentproto.EventBatch) agentproto.BatchAck {
	a.e.t.Helper()
	var ack agentproto.BatchAck
	if _, err := a.do("POST", agentproto.PathEvents, b, &ack, true); err != nil {
		a.e.t.Fatal(err)
	}
	return ack
}

// count runs a KQL count.
func (e *edrEnv) count(q string) int64 {
	e.t.Helper()
	set, err := e.ws.Query(context.Background(), q+" | count", query.Options{})
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return set.Primary().Rows[0][0].(int64)
}

func testConfig() edr.Config {
	cfg := edr.DefaultConfig()
	cfg.CommandWait = 2 * time.Second
	return cfg
}

func TestEnrollment(t *testing.T) {
	e := newEDREnv(t, testConfig())
	good := e.onboarding(edr.OnboardingRequest{Uses: 2})
	if good.CACert != string(e.bundle.CA.CertPEM) || good.WorkspaceID != e.ws.ID() || !strings.HasPrefix(good.Token, "gse_") {
		t.Fatalf("package = %+v", good)
	}
	expired := e.onboarding(edr.OnboardingRequest{ExpiresInSeconds: 1})
	once := e.onboarding(edr.OnboardingRequest{Uses: 1})

	a := newAgent(e)
	if st := a.enroll(good.Token, "machine-a"); st != http.StatusOK {
		t.Fatalf("enroll with a good token = %d", st)
	}
	first := a.id
	// Re-enrolling the same machine keeps its DeviceId; the old
	// certificate is no longer accepted.
	old := a.hc
	a2 := newAgent(e)
	if st := a2.enroll(good.Token, "machine-a"); st != http.StatusOK || a2.id != first {
		t.Fatalf("re-enroll = %d, id %s; want 200 and %s", st, a2.id, first)
	}
	a.hc = old
	if st, _ := a.do("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil, false); st != http.StatusUnauthorized {
		t.Errorf("heartbeat with a superseded certificate = %d, want 401", st)
	}
	// The token had two uses.
	if st := newAgent(e).enroll(good.Token, "machine-b"); st != http.StatusUnauthorized {
		t.Errorf("enroll with a used-up token = %d, want 401", st)
	}
	time.Sleep(1100 * time.Millisecond)
	if st := newAgent(e).enroll(expired.Token, "machine-c"); st != http.StatusUnauthorized {
		t.Errorf("enroll with an expired token = %d, want 401", st)
	}
	if st := newAgent(e).enroll("gse_"+strings.Repeat("A", 43), "machine-d"); st != http.StatusUnauthorized {
		t.Errorf("enroll with an unknown token = %d, want 401", st)
	}
	if st := newAgent(e).enroll(e.tokens[auth.Owner], "machine-d"); st != http.StatusUnauthorized {
		t.Errorf("enroll with an API token = %d, want 401", st)
	}
	b := newAgent(e)
	if st := b.enroll(once.Token, "machine-b"); st != http.StatusOK || b.id == first {
		t.Fatalf("enroll another machine = %d, id %s", st, b.id)
	}
	// A bad CSR is refused without using the token up.
	bad := agentproto.EnrollRequest{CSR: "not a csr", Hostname: "x"}
	if st := e.call("", "POST", agentproto.PathEnroll, bad, nil); st != http.StatusUnauthorized {
		t.Errorf("enroll without a token = %d, want 401", st)
	}
	// A revoked package enrolls nothing.
	revoked := e.onboarding(edr.OnboardingRequest{})
	var toks struct{ Value []edr.EnrollmentToken }
	if st := e.call(auth.Owner, "GET", "/v1/onboarding", nil, &toks); st != http.StatusOK || len(toks.Value) != 4 {
		t.Fatalf("GET /v1/onboarding = %d, %d tokens, want 4", st, len(toks.Value))
	}
	if toks.Value[0].ID != revoked.TokenID {
		t.Errorf("newest token %s, want %s", toks.Value[0].ID, revoked.TokenID)
	}
	if st := e.call(auth.Owner, "DELETE", "/v1/onboarding/"+revoked.TokenID, nil, nil); st != http.StatusNoContent {
		t.Fatalf("revoke = %d", st)
	}
	if st := newAgent(e).enroll(revoked.Token, "machine-e"); st != http.StatusUnauthorized {
		t.Errorf("enroll with a revoked token = %d, want 401", st)
	}
	if st := e.call(auth.Owner, "DELETE", "/v1/onboarding/"+revoked.TokenID, nil, nil); st != http.StatusNotFound {
		t.Errorf("second revoke = %d, want 404", st)
	}
	// Only owners create onboarding packages.
	if st := e.call(auth.Contributor, "POST", "/v1/onboarding", edr.OnboardingRequest{ServerURL: e.srv.URL}, nil); st != http.StatusForbidden {
		t.Errorf("POST /v1/onboarding as contributor = %d, want 403", st)
	}
	// DeviceInfo rows were written at enrollment.
	if n := e.count(fmt.Sprintf("DeviceInfo | where DeviceId == %q and OnboardingStatus == 'Onboarded' and SensorHealthState == 'Active' and OSPlatform == 'Linux' and OSArchitecture == '64-bit'", first)); n < 1 {
		t.Errorf("DeviceInfo rows for %s at enrollment = %d", first, n)
	}
}

func TestMutualTLS(t *testing.T) {
	e := newEDREnv(t, testConfig())
	pkg := e.onboarding(edr.OnboardingRequest{})
	a := newAgent(e)
	if st := a.enroll(pkg.Token, "m1"); st != http.StatusOK {
		t.Fatalf("enroll = %d", st)
	}
	var hr agentproto.HeartbeatResponse
	a.must("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{Time: time.Now(), ClientVersion: "1.0.1"}, &hr)
	if hr.IndicatorsVersion == "" {
		t.Error("heartbeat answer has no indicators version")
	}

	// Without a certificate.
	noCert := &agent{e: e}
	if st, _ := noCert.do("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil, false); st != http.StatusUnauthorized {
		t.Errorf("heartbeat without a certificate = %d, want 401", st)
	}
	// With a certificate from another CA: the handshake fails.
	otherDir := t.TempDir()
	other, err := pki.Ensure(otherDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	certPEM, err := other.CA.SignClient(key.Public(), a.id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(certPEM)
	forged := &agent{e: e, hc: e.client(&tls.Certificate{Certificate: [][]byte{blk.Bytes}, PrivateKey: key})}
	if st, err := forged.do("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil, false); err == nil || st != 0 {
		t.Errorf("heartbeat with another CA's certificate = %d, %v; want a failed handshake", st, err)
	}
	// A certificate from the right CA naming no device.
	certPEM, _ = e.bundle.CA.SignClient(key.Public(), strings.Repeat("ab", 20), time.Hour)
	blk, _ = pem.Decode(certPEM)
	unknown := &agent{e: e, hc: e.client(&tls.Certificate{Certificate: [][]byte{blk.Bytes}, PrivateKey: key})}
	if st, _ := unknown.do("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil, false); st != http.StatusUnauthorized {
		t.Errorf("heartbeat with an unknown device's certificate = %d, want 401", st)
	}
	// The bearer-token API is unaffected by client certificates.
	var devs struct{ Value []edr.Device }
	if st := e.call(auth.Reader, "GET", "/v1/devices", nil, &devs); st != http.StatusOK || len(devs.Value) != 1 {
		t.Fatalf("GET /v1/devices = %d, %d devices", st, len(devs.Value))
	}
	// Renewal: the old certificate works until the new one is used.
	var renewed agentproto.EnrollResponse
	a.must("POST", agentproto.PathRenew, agentproto.RenewRequest{CSR: a.csr()}, &renewed)
	blk, _ = pem.Decode([]byte(renewed.Certificate))
	if renewed.DeviceID != a.id || blk == nil {
		t.Fatalf("renew: %+v", renewed)
	}
	oldClient := a.hc
	a.must("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil) // still the old certificate
	a.hc = e.client(&tls.Certificate{Certificate: [][]byte{blk.Bytes}, PrivateKey: a.key})
	a.must("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil)
	old := &agent{e: e, hc: oldClient}
	if st, _ := old.do("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil, false); st != http.StatusUnauthorized {
		t.Errorf("heartbeat with the replaced certificate after the new one was used = %d, want 401", st)
	}
	// Offboarding: refused from then on.
	if _, err := a.do("POST", agentproto.PathOffboard, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := a.do("POST", agentproto.PathHeartbeat, agentproto.Heartbeat{}, nil, false); st != http.StatusForbidden {
		t.Errorf("heartbeat after offboarding = %d, want 403", st)
	}
	audit, _ := e.svc.Audit(context.Background(), "device/"+a.id)
	if len(audit) < 2 || audit[len(audit)-1].Action != "OffboardDevice" {
		t.Errorf("audit = %+v, want enrollment then offboarding", audit)
	}
}

func processEvent(reportID int64, cmd string, at time.Time) agentproto.Event {
	return agentproto.Event{Table: "DeviceProcessEvents", ReportID: reportID, Row: map[string]any{
		"Timestamp": at.UTC().Format(time.RFC3339Nano), "ActionType": "ProcessCreated", "FileName": "sh",
		"ProcessCommandLine": cmd, "ProcessId": 100 + reportID, "DeviceId": "forged", "DeviceName": "forged"}}
}

func TestEventsExactlyOnce(t *testing.T) {
	e := newEDREnv(t, testConfig())
	pkg := e.onboarding(edr.OnboardingRequest{})
	a := newAgent(e)
	if st := a.enroll(pkg.Token, "m1"); st != http.StatusOK {
		t.Fatalf("enroll = %d", st)
	}
	now := time.Now()
	b1 := agentproto.EventBatch{Seq: 1, Events: []agentproto.Event{
		processEvent(1, "echo one", now),
		{Table: "DeviceNetworkEvents", ReportID: 2, Row: map[string]any{"Timestamp": now.UTC().Format(time.RFC3339Nano), "ActionType": "ConnectionSuccess", "RemoteIP": "10.0.0.1", "RemotePort": 443}},
	}}
	if ack := a.send(b1); ack.Seq != 1 || ack.Duplicate {
		t.Fatalf("first send: ack %+v", ack)
	}
	if ack := a.send(b1); !ack.Duplicate {
		t.Fatalf("resend: ack %+v, want duplicate", ack)
	}
	// A crash between commit and acknowledgement: the rows and the Seq
	// committed together, so the batch the agent resends is a duplicate.
	b2 := agentproto.EventBatch{Seq: 2, Events: []agentproto.Event{processEvent(3, "echo two", now)}}
	if _, err := e.svc.IngestEvents(context.Background(), mustDevice(t, e, a.id), b2); err != nil {
		t.Fatal(err)
	}
	if ack := a.send(b2); !ack.Duplicate {
		t.Fatalf("resend after a lost acknowledgement: ack %+v, want duplicate", ack)
	}
	if n := e.count(fmt.Sprintf("DeviceProcessEvents | where DeviceId == %q", a.id)); n != 2 {
		t.Errorf("DeviceProcessEvents rows = %d, want 2", n)
	}
	if n := e.count(fmt.Sprintf("DeviceNetworkEvents | where DeviceId == %q and DeviceName == 'host-m1' and RemotePort == 443", a.id)); n != 1 {
		t.Errorf("DeviceNetworkEvents rows = %d, want 1", n)
	}
	if n := e.count("DeviceProcessEvents | where DeviceId == 'forged' or DeviceName == 'forged'"); n != 0 {
		t.Errorf("rows keep the agent's own DeviceId/DeviceName: %d", n)
	}
	// Bad batches are refused and store nothing.
	for name, b := range map[string]agentproto.EventBatch{
		"not a device table": {Seq: 3, Events: []agentproto.Event{{Table: "SecurityEvent", Row: map[string]any{}}}},
		"unknown column":     {Seq: 3, Events: []agentproto.Event{{Table: "DeviceEvents", Row: map[string]any{"NoSuchColumn": 1}}}},
		"server column":      {Seq: 3, Events: []agentproto.Event{{Table: "DeviceEvents", Row: map[string]any{"TenantId": "x"}}}},
		"bad value":          {Seq: 3, Events: []agentproto.Event{{Table: "DeviceEvents", Row: map[string]any{"ProcessId": "abc"}}}},
		"seq zero":           {Seq: 0, Events: []agentproto.Event{processEvent(9, "x", now)}},
		"inventory table":    {Seq: 3, Events: []agentproto.Event{{Table: "DeviceInfo", Row: map[string]any{"SensorHealthState": "Active"}}}},
	} {
		if st, _ := a.do("POST", agentproto.PathEvents, b, nil, true); st != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, st)
		}
	}
	if ack := a.send(agentproto.EventBatch{Seq: 3, Events: []agentproto.Event{processEvent(10, "echo three", now)}}); ack.Duplicate {
		t.Errorf("batch 3 after refused ones: %+v", ack)
	}
	if n := e.count(fmt.Sprintf("DeviceProcessEvents | where DeviceId == %q", a.id)); n != 3 {
		t.Errorf("DeviceProcessEvents rows = %d, want 3", n)
	}
}

func mustDevice(t *testing.T, e *edrEnv, id string) edr.Device {
	t.Helper()
	d, err := e.svc.Device(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestEventsSurviveRestart: the Seq is durable with the rows, so after the
// workspace is closed and reopened a resent batch is still a duplicate.
func TestEventsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	open := func() (*workspace.Workspace, *edr.Service) {
		ws, err := workspace.Open(ctx, dir, workspace.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		svc, err := edr.New(ctx, ws, bundle.CA, testConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return ws, svc
	}
	ws, svc := open()
	pkg, err := svc.CreateOnboarding(ctx, edr.OnboardingRequest{ServerURL: "https://127.0.0.1:1"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	er, err := svc.Enroll(ctx, pkg.Token, agentproto.EnrollRequest{CSR: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), Hostname: "h"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := svc.Device(ctx, er.DeviceID)
	b := agentproto.EventBatch{Seq: 7, Events: []agentproto.Event{processEvent(1, "x", time.Now())}}
	if ack, err := svc.IngestEvents(ctx, dev, b); err != nil || ack.Duplicate {
		t.Fatalf("IngestEvents = %+v, %v", ack, err)
	}
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
	ws, svc = open()
	defer ws.Close()
	dev, err = svc.Device(ctx, er.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	if ack, err := svc.IngestEvents(ctx, dev, b); err != nil || !ack.Duplicate {
		t.Fatalf("after restart: IngestEvents = %+v, %v; want a duplicate", ack, err)
	}
	set, err := ws.Query(ctx, "DeviceProcessEvents | count", query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := set.Primary().Rows[0][0].(int64); n != 1 {
		t.Errorf("rows = %d, want 1", n)
	}
}
