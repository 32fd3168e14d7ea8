package state

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSaveLoadRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if _, err := Load(dir); !errors.Is(err, ErrNotOnboarded) {
		t.Fatalf("Load of an empty directory: %v, want ErrNotOnboarded", err)
	}
	key, csrPEM, err := Prepare(dir, "host.example")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode([]byte(csrPEM))
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil || csr.CheckSignature() != nil || csr.Subject.CommonName != "host.example" {
		t.Fatalf("CSR: %v", err)
	}
	// Self-signed stands in for the server's signature.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dev-1"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	id := Identity{DeviceID: "dev-1", ServerURL: "https://s:1"}
	if err := Save(dir, id, key, certPEM, certPEM); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{".": 0o700, KeyFile: 0o600, IdentityFile: 0o600} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", name, st.Mode().Perm(), err, want)
		}
	}
	c, err := Load(dir)
	if err != nil || c.DeviceID != "dev-1" || c.NotAfter.IsZero() {
		t.Fatalf("Load = %+v, %v", c.Identity, err)
	}
	if err := Remove(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFile)); !os.IsNotExist(err) {
		t.Errorf("key left after Remove: %v", err)
	}
	// A certificate for another key is refused.
	other, _, _ := Prepare(dir, "h")
	if err := Save(dir, id, other, certPEM, certPEM); err == nil {
		t.Error("Save accepted a certificate for another key")
	}
}
