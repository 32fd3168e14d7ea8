package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func serverLeaf(t *testing.T, b *Bundle) *x509.Certificate {
	t.Helper()
	if len(b.Server.Certificate) == 0 {
		t.Fatal("bundle has no server certificate")
	}
	leaf, err := x509.ParseCertificate(b.Server.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func ensure(t *testing.T, dir string, hosts []string) *Bundle {
	t.Helper()
	b, err := Ensure(dir, hosts)
	if err != nil {
		t.Fatalf("Ensure(%s, %q): %v", dir, hosts, err)
	}
	return b
}

func TestEnsureCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // Ensure creates it
	b := ensure(t, dir, []string{"siem.example.com"})
	for _, f := range []struct {
		name string
		mode os.FileMode
	}{{CACertFile, 0o644}, {CAKeyFile, 0o600}, {ServerCertFile, 0o644}, {ServerKeyFile, 0o600}} {
		fi, err := os.Stat(filepath.Join(dir, f.name))
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		// Keys must never be readable by others; certificates may be
		// narrowed by the umask but not widened.
		if runtime.GOOS != "windows" {
			if got := fi.Mode().Perm(); got&^f.mode != 0 || (f.mode == 0o600 && got != 0o600) {
				t.Errorf("%s has mode %v, want %v", f.name, got, f.mode)
			}
		}
	}
	if b.CACertPath != filepath.Join(dir, CACertFile) || b.ServerCertPath != filepath.Join(dir, ServerCertFile) {
		t.Errorf("bundle paths = %s, %s", b.CACertPath, b.ServerCertPath)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}

	ca := b.CA.Cert
	if !ca.IsCA || !ca.BasicConstraintsValid || ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA certificate: IsCA=%v BasicConstraintsValid=%v KeyUsage=%v", ca.IsCA, ca.BasicConstraintsValid, ca.KeyUsage)
	}
	if !bytes.Equal(b.CA.CertPEM, readFile(t, b.CACertPath)) {
		t.Error("CA.CertPEM differs from ca.crt")
	}
	leaf := serverLeaf(t, b)
	if leaf.IsCA {
		t.Error("the server certificate is a CA")
	}
	if d := time.Until(leaf.NotAfter); d < 360*24*time.Hour || d > 366*24*time.Hour {
		t.Errorf("server certificate expires in %v, want about a year", d)
	}
	if d := time.Until(ca.NotAfter); d < 9*365*24*time.Hour {
		t.Errorf("CA expires in %v, want about ten years", d)
	}

	// The key files hold PKCS#8 keys that match their certificates.
	block, _ := pem.Decode(readFile(t, filepath.Join(dir, CAKeyFile)))
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("ca.key holds %v, want a PRIVATE KEY block", block)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if ek, ok := key.(*ecdsa.PrivateKey); !ok || !ek.PublicKey.Equal(ca.PublicKey) {
		t.Error("ca.key does not match ca.crt")
	}
}

func TestEnsureServerVerifies(t *testing.T) {
	dir := t.TempDir()
	b := ensure(t, dir, []string{"siem.example.com", "10.1.2.3", ""})
	leaf := serverLeaf(t, b)
	for _, host := range []string{"siem.example.com", "10.1.2.3", "localhost", "127.0.0.1", "::1"} {
		_, err := leaf.Verify(x509.VerifyOptions{
			DNSName:   host,
			Roots:     b.CA.Pool(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err != nil {
			t.Errorf("server certificate does not verify for %s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "other.example.com", Roots: b.CA.Pool()}); err == nil {
		t.Error("server certificate verifies for a host it was not issued for")
	}
	// Against another workspace's CA it does not verify.
	other := ensure(t, t.TempDir(), nil)
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: other.CA.Pool()}); err == nil {
		t.Error("server certificate verifies against another CA")
	}
	// What clients load from the directory trusts it too.
	pool, err := LoadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "siem.example.com", Roots: pool}); err != nil {
		t.Errorf("server certificate does not verify against LoadCA: %v", err)
	}
}

func TestEnsureReuses(t *testing.T) {
	dir := t.TempDir()
	hosts := []string{"siem.example.com", "10.1.2.3"}
	b1 := ensure(t, dir, hosts)
	files := map[string][]byte{}
	for _, f := range []string{CACertFile, CAKeyFile, ServerCertFile, ServerKeyFile} {
		files[f] = readFile(t, filepath.Join(dir, f))
	}
	for _, again := range [][]string{hosts, {"10.1.2.3"}, nil, {"localhost"}} {
		b2 := ensure(t, dir, again)
		for f, before := range files {
			if !bytes.Equal(before, readFile(t, filepath.Join(dir, f))) {
				t.Errorf("Ensure(%q) after Ensure(%q) rewrote %s", again, hosts, f)
			}
		}
		if !b2.CA.Cert.Equal(b1.CA.Cert) || !bytes.Equal(b2.Server.Certificate[0], b1.Server.Certificate[0]) {
			t.Errorf("Ensure(%q) returned other certificates", again)
		}
	}
}

func TestEnsureNewHost(t *testing.T) {
	dir := t.TempDir()
	b1 := ensure(t, dir, []string{"a.example.com"})
	caCert, caKey := readFile(t, filepath.Join(dir, CACertFile)), readFile(t, filepath.Join(dir, CAKeyFile))
	serverKey := readFile(t, filepath.Join(dir, ServerKeyFile))

	b2 := ensure(t, dir, []string{"a.example.com", "b.example.com"})
	if !bytes.Equal(caCert, readFile(t, filepath.Join(dir, CACertFile))) || !bytes.Equal(caKey, readFile(t, filepath.Join(dir, CAKeyFile))) {
		t.Error("a new host name replaced the CA")
	}
	if !b2.CA.Cert.Equal(b1.CA.Cert) {
		t.Error("a new host name changed the CA certificate")
	}
	if bytes.Equal(b1.Server.Certificate[0], b2.Server.Certificate[0]) {
		t.Fatal("a new host name did not reissue the server certificate")
	}
	if bytes.Equal(serverKey, readFile(t, filepath.Join(dir, ServerKeyFile))) {
		t.Error("the server certificate was reissued with the old key")
	}
	leaf := serverLeaf(t, b2)
	for _, host := range []string{"a.example.com", "b.example.com", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: b1.CA.Pool()}); err != nil {
			t.Errorf("reissued certificate does not verify for %s against the old CA: %v", host, err)
		}
	}
	// The reissued files are what a third start loads.
	b3 := ensure(t, dir, []string{"b.example.com"})
	if !bytes.Equal(b3.Server.Certificate[0], b2.Server.Certificate[0]) {
		t.Error("the reissued server certificate was not kept")
	}
}

func TestEnsureServerExpiring(t *testing.T) {
	dir := t.TempDir()
	b1 := ensure(t, dir, nil)
	// Replace the server certificate with one, signed by the same CA, that
	// expires in ten days: the next start reissues it.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template(serverLeaf(t, b1).Subject, 10*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.DNSNames = []string{"localhost"}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, b1.CA.Cert, key.Public(), b1.CA.key)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeKey(filepath.Join(dir, ServerKeyFile), key); err != nil {
		t.Fatal(err)
	}
	if err := writePEM(filepath.Join(dir, ServerCertFile), "CERTIFICATE", der, 0o644); err != nil {
		t.Fatal(err)
	}
	b2 := ensure(t, dir, nil)
	if d := time.Until(serverLeaf(t, b2).NotAfter); d < 300*24*time.Hour {
		t.Errorf("server certificate expiring in ten days was kept (expires in %v)", d)
	}
	if !b2.CA.Cert.Equal(b1.CA.Cert) {
		t.Error("reissuing the server certificate changed the CA")
	}
}

func TestSignClient(t *testing.T) {
	dir := t.TempDir()
	b := ensure(t, dir, nil)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const device = "8a3c1f2e-0000-4000-8000-000000000001"
	certPEM, err := b.CA.SignClient(key.Public(), device, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("SignClient returned %q, want one PEM certificate", certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != device {
		t.Errorf("CommonName = %q, want %q", cert.Subject.CommonName, device)
	}
	if !cert.PublicKey.(*ecdsa.PublicKey).Equal(key.Public()) {
		t.Error("certificate is not for the given key")
	}
	if d := time.Until(cert.NotAfter); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("client certificate expires in %v, want 30 days", d)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: b.CA.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate does not verify for client auth: %v", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: b.CA.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("client certificate verifies for server auth")
	}
	// A CA reloaded from the directory signs certificates the same pool
	// trusts.
	b2 := ensure(t, dir, nil)
	certPEM2, err := b2.CA.SignClient(key.Public(), device, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	block2, _ := pem.Decode(certPEM2)
	cert2, err := x509.ParseCertificate(block2.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert2.Verify(x509.VerifyOptions{Roots: b.CA.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("certificate signed by the reloaded CA does not verify: %v", err)
	}
	if cert2.SerialNumber.Cmp(cert.SerialNumber) == 0 {
		t.Error("two certificates have the same serial number")
	}
}

func TestLoadCA(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadCA(dir); err == nil {
		t.Error("LoadCA of an empty directory succeeded")
	}
	b := ensure(t, dir, nil)
	pool, err := LoadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !pool.Equal(b.CA.Pool()) {
		t.Error("LoadCA pool differs from the CA's")
	}
	if err := os.WriteFile(filepath.Join(dir, CACertFile), []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCA(dir); err == nil {
		t.Error("LoadCA of a file without a certificate succeeded")
	}
}

// TestEnsureBrokenCA checks that a damaged or half-present CA is an error:
// making a new CA would silently cut off every agent that pins the old one.
func TestEnsureBrokenCA(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakCA func(t *testing.T, dir string)
	}{
		{"corrupt key", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, CAKeyFile), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"empty key", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, CAKeyFile), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"corrupt certificate", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, CACertFile), []byte("garbage"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"key of another CA", func(t *testing.T, dir string) {
			other := t.TempDir()
			ensure(t, other, nil)
			if err := os.WriteFile(filepath.Join(dir, CAKeyFile), readFile(t, filepath.Join(other, CAKeyFile)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"key missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, CAKeyFile)); err != nil {
				t.Fatal(err)
			}
		}},
		{"certificate missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, CACertFile)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ensure(t, dir, nil)
			tc.breakCA(t, dir)
			before := map[string][]byte{}
			for _, f := range []string{CACertFile, CAKeyFile} {
				if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					before[f] = b
				}
			}
			if _, err := Ensure(dir, nil); err == nil {
				t.Fatal("Ensure succeeded with a broken CA")
			}
			for _, f := range []string{CACertFile, CAKeyFile} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if _, had := before[f]; had != (err == nil) || !bytes.Equal(b, before[f]) {
					t.Errorf("Ensure changed %s", f)
				}
			}
		})
	}
}
