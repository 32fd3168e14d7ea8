package e2e

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// TestEDROnboardingAndEvents: an onboarding package made by the CLI
// through the server enrolls an agent, whose certificate then works over
// the server's real TLS listener; an event batch survives kill -9 and a
// resend after the restart is acknowledged as a duplicate, stored once;
// the device shows in `goshawk device list`.
func TestEDROnboardingAndEvents(t *testing.T) {
	w := newWorkspace(t)
	s := startServer(t, w)
	pkgFile := filepath.Join(t.TempDir(), "onboarding.json")
	cli := func(args ...string) string {
		t.Helper()
		args = append(args, "--server", s.URL, "--token", w.tokens["owner"], "--ca", filepath.Join(w.dir, "ca.crt"))
		out, err := exec.Command(goshawkBin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("goshawk %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	cli("onboarding", "create", "--out", pkgFile, "--uses", "1", "--expires", "1d")
	st, err := os.Stat(pkgFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("package file: %v, mode %v", err, st.Mode())
	}
	var pkg agentproto.OnboardingPackage
	data, _ := os.ReadFile(pkgFile)
	if err := json.Unmarshal(data, &pkg); err != nil || pkg.ServerURL != s.URL || pkg.WorkspaceID != s.ID {
		t.Fatalf("package %s: %v", data, err)
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(pkg.CACert))
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	enroll, _ := json.Marshal(agentproto.EnrollRequest{CSR: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})),
		Hostname: "e2e-host", MachineID: "e2e-machine", OS: agentproto.OSInfo{Platform: "Linux", Architecture: "64-bit"}})
	req, _ := http.NewRequest("POST", pkg.ServerURL+agentproto.PathEnroll, bytes.NewReader(enroll))
	req.Header.Set("Authorization", "Bearer "+pkg.Token)
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
	resp, err := plain.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("enroll: %v %v", resp, err)
	}
	var er agentproto.EnrollResponse
	json.NewDecoder(resp.Body).Decode(&er)
	resp.Body.Close()
	blk, _ := pem.Decode([]byte(er.Certificate))
	cert := tls.Certificate{Certificate: [][]byte{blk.Bytes}, PrivateKey: key}
	newAgentClient := func() *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}}, Timeout: 30 * time.Second}
	}
	agent := newAgentClient()

	batch, _ := json.Marshal(agentproto.EventBatch{Seq: 1, Events: []agentproto.Event{{Table: "DeviceProcessEvents", ReportID: 1,
		Row: map[string]any{"Timestamp": time.Now().UTC().Format(time.RFC3339Nano), "ActionType": "ProcessCreated", "FileName": "true"}}}})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(batch)
	zw.Close()
	send := func(c *http.Client, url string) agentproto.BatchAck {
		t.Helper()
		req, _ := http.NewRequest("POST", url+agentproto.PathEvents, bytes.NewReader(gz.Bytes()))
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("events: %d", resp.StatusCode)
		}
		var ack agentproto.BatchAck
		json.NewDecoder(resp.Body).Decode(&ack)
		return ack
	}
	if ack := send(agent, s.URL); ack.Duplicate {
		t.Fatalf("first send: %+v", ack)
	}
	s.kill()
	s = s.restart()
	if ack := send(newAgentClient(), s.URL); !ack.Duplicate {
		t.Fatalf("resend after kill -9: %+v, want duplicate", ack)
	}
	if n := s.count(t, "DeviceProcessEvents"); n != 1 {
		t.Errorf("DeviceProcessEvents rows = %d, want 1", n)
	}
	if out := cli("device", "list"); !strings.Contains(out, er.DeviceID) || !strings.Contains(out, "e2e-host") {
		t.Errorf("device list:\n%s", out)
	}
	// The package was for one device.
	req, _ = http.NewRequest("POST", s.URL+agentproto.PathEnroll, bytes.NewReader(enroll))
	req.Header.Set("Authorization", "Bearer "+pkg.Token)
	if resp, err := plain.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("second enrollment with a one-use package: %v %v", resp, err)
	}
}
