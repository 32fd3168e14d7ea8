package transport

import (
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
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and one client
// certificate.
type testPKI struct {
	caPEM  string
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, ips ...net.IP) tls.Certificate {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, IPAddresses: ips,
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	}
	p := &testPKI{caPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.server = leaf(2, "server", x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	p.client = leaf(3, "device-1", x509.ExtKeyUsageClientAuth)
	return p
}

func (p *testPKI) serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}, ClientCAs: p.pool, ClientAuth: tls.VerifyClientCertIfGiven}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

var fast = Retry{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}

func TestSendBatchGzipMTLSAndRetry(t *testing.T) {
	p := newPKI(t)
	var calls atomic.Int32
	s := p.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, `{"error":{"message":"busy"}}`, http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path != agentproto.PathEvents || r.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("request %s with encoding %q", r.URL.Path, r.Header.Get("Content-Encoding"))
		}
		if len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "device-1" {
			t.Errorf("no client certificate")
		}
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Fatalf("body is not gzip: %v", err)
		}
		var b agentproto.EventBatch
		if err := json.NewDecoder(zr).Decode(&b); err != nil {
			t.Fatal(err)
		}
		json.NewEncoder(w).Encode(agentproto.BatchAck{Seq: b.Seq})
	}))
	c := New(s.URL, p.client, p.pool)
	c.SetRetry(fast)
	ack, err := c.SendBatch(context.Background(), agentproto.EventBatch{Seq: 9, Events: []agentproto.Event{{Table: "DeviceEvents", ReportID: 1}}})
	if err != nil || ack.Seq != 9 {
		t.Fatalf("SendBatch = %+v, %v", ack, err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d calls, want 2 (one 503 retried)", n)
	}
}

func TestClientErrorNotRetried(t *testing.T) {
	p := newPKI(t)
	var calls atomic.Int32
	s := p.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":{"code":"DeviceOffboarded","message":"the device is offboarded"}}`)
	}))
	c := New(s.URL, p.client, p.pool)
	c.SetRetry(fast)
	_, err := c.Heartbeat(context.Background(), agentproto.Heartbeat{})
	if !IsStatus(err, http.StatusForbidden) {
		t.Fatalf("Heartbeat error %v, want a 403 StatusError", err)
	}
	if se := err.(*StatusError); se.Message != "the device is offboarded" {
		t.Errorf("message %q", se.Message)
	}
	if calls.Load() != 1 {
		t.Errorf("a 403 was retried %d times", calls.Load()-1)
	}
}

func TestRetriesGiveUp(t *testing.T) {
	p := newPKI(t)
	var calls atomic.Int32
	s := p.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	c := New(s.URL, p.client, p.pool)
	c.SetRetry(fast)
	if err := c.CommandResult(context.Background(), agentproto.CommandResult{ID: "x"}); !IsStatus(err, http.StatusBadGateway) {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != int32(fast.Attempts) {
		t.Errorf("%d calls, want %d", calls.Load(), fast.Attempts)
	}
}

// TestEnrollTrustsOnlyPackageCA: enrollment sends the token as a bearer
// and refuses a server whose certificate the package's CA did not sign.
func TestEnrollTrustsOnlyPackageCA(t *testing.T) {
	p := newPKI(t)
	s := p.serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(agentproto.EnrollResponse{DeviceID: "dev", Certificate: "PEM", CACert: p.caPEM, HeartbeatSeconds: 60})
	}))
	pkg := agentproto.OnboardingPackage{ServerURL: s.URL, CACert: p.caPEM, Token: "secret-token"}
	resp, err := Enroll(context.Background(), pkg, agentproto.EnrollRequest{Hostname: "h"})
	if err != nil || resp.DeviceID != "dev" {
		t.Fatalf("Enroll = %+v, %v", resp, err)
	}
	other := newPKI(t)
	pkg.CACert = other.caPEM
	if _, err := Enroll(context.Background(), pkg, agentproto.EnrollRequest{Hostname: "h"}); err == nil {
		t.Error("enrollment trusted a server the package's CA did not sign")
	}
	pkg.CACert, pkg.Token = p.caPEM, "wrong"
	if _, err := Enroll(context.Background(), pkg, agentproto.EnrollRequest{Hostname: "h"}); !IsStatus(err, http.StatusUnauthorized) {
		t.Errorf("wrong token: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	for attempt := 0; attempt < 40; attempt++ {
		d := Backoff(attempt, 100*time.Millisecond, 3*time.Second)
		if d <= 0 || d > 3*time.Second {
			t.Errorf("Backoff(%d) = %v, want in (0, 3s]", attempt, d)
		}
	}
}
