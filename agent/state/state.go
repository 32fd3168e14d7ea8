package state

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// File names in the state directory.
const (
	IdentityFile = "identity.json"
	KeyFile      = "key.pem"
	CertFile     = "cert.pem"
	CAFile       = "ca.pem"
	HealthFile   = "health.json"
	QueueDir     = "queue"
)

// ErrNotOnboarded means the directory holds no identity.
var ErrNotOnboarded = errors.New("not onboarded (run goshawk-agent onboard first)")

// Identity is what enrollment gave the device.
type Identity struct {
	DeviceID         string    `json:"deviceId"`
	ServerURL        string    `json:"serverUrl"`
	WorkspaceID      string    `json:"workspaceId,omitempty"`
	Hostname         string    `json:"hostname"`
	Enrolled         time.Time `json:"enrolled"`
	HeartbeatSeconds int       `json:"heartbeatSeconds,omitempty"`
}

// Credentials are the identity with its key material, ready for mTLS.
type Credentials struct {
	Identity
	Cert tls.Certificate
	// CAs holds only the workspace CA.
	CAs *x509.CertPool
	// NotBefore and NotAfter bound the certificate's validity.
	NotBefore, NotAfter time.Time
}

// Prepare creates dir (0700) and returns a new ECDSA P-256 key and a PEM
// certificate signing request for it naming the host. The key is written
// to dir only by Save, once the server accepted the request.
func Prepare(dir, hostname string) (*ecdsa.PrivateKey, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create state directory %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("restrict state directory %s: %w", dir, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", fmt.Errorf("generate key: %w", err)
	}
	csr, err := CSR(key, hostname)
	return key, csr, err
}

// CSR returns a PEM certificate signing request for key naming the host.
func CSR(key crypto.Signer, hostname string) (string, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: hostname}}, key)
	if err != nil {
		return "", fmt.Errorf("create certificate request: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), nil
}

// SaveCertificate replaces the device certificate with a renewed one for
// the same key, and returns the credentials with it.
func SaveCertificate(dir string, c Credentials, certPEM string) (Credentials, error) {
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return c, fmt.Errorf("read the key: %w", err)
	}
	cert, err := tls.X509KeyPair([]byte(certPEM), keyPEM)
	if err != nil {
		return c, fmt.Errorf("the renewed certificate does not match the key: %w", err)
	}
	if err := writeFile(dir, CertFile, []byte(certPEM)); err != nil {
		return c, err
	}
	c.Cert = cert
	if leaf, err := x509.ParseCertificate(cert.Certificate[0]); err == nil {
		c.NotBefore, c.NotAfter = leaf.NotBefore, leaf.NotAfter
	}
	return c, nil
}

// Save writes the identity, its key (0600), certificate and CA to dir.
// The certificate must be for key.
func Save(dir string, id Identity, key *ecdsa.PrivateKey, certPEM, caPEM string) error {
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}
	if _, err := tls.X509KeyPair([]byte(certPEM), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})); err != nil {
		return fmt.Errorf("the server's certificate does not match the key: %w", err)
	}
	if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM([]byte(caPEM)) {
		return errors.New("the CA certificate is not PEM")
	}
	idJSON, _ := json.MarshalIndent(id, "", "  ")
	for _, f := range []struct {
		name string
		data []byte
	}{
		{KeyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})},
		{CertFile, []byte(certPEM)},
		{CAFile, []byte(caPEM)},
		{IdentityFile, idJSON}, // last: its presence means onboarded
	} {
		if err := writeFile(dir, f.name, f.data); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes a 0600 file atomically and durably.
func writeFile(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// WriteFile writes a 0600 file in the state directory atomically.
func WriteFile(dir, name string, data []byte) error { return writeFile(dir, name, data) }

// LoadIdentity reads identity.json alone (no key material).
func LoadIdentity(dir string) (Identity, error) {
	var id Identity
	b, err := os.ReadFile(filepath.Join(dir, IdentityFile))
	if errors.Is(err, os.ErrNotExist) {
		return id, fmt.Errorf("%s: %w", dir, ErrNotOnboarded)
	}
	if err != nil {
		return id, fmt.Errorf("read identity: %w", err)
	}
	if err := json.Unmarshal(b, &id); err != nil {
		return id, fmt.Errorf("identity %s: %w", filepath.Join(dir, IdentityFile), err)
	}
	if id.DeviceID == "" || id.ServerURL == "" {
		return id, fmt.Errorf("identity %s lacks the device or server", filepath.Join(dir, IdentityFile))
	}
	return id, nil
}

// Load reads the identity with its key, certificate and CA.
func Load(dir string) (Credentials, error) {
	var c Credentials
	id, err := LoadIdentity(dir)
	if err != nil {
		return c, err
	}
	c.Identity = id
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
	if err != nil {
		return c, fmt.Errorf("load the device certificate: %w", err)
	}
	c.Cert = cert
	if leaf, err := x509.ParseCertificate(cert.Certificate[0]); err == nil {
		c.NotBefore, c.NotAfter = leaf.NotBefore, leaf.NotAfter
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		return c, fmt.Errorf("read the workspace CA: %w", err)
	}
	c.CAs = x509.NewCertPool()
	if !c.CAs.AppendCertsFromPEM(caPEM) {
		return c, fmt.Errorf("%s holds no PEM certificate", filepath.Join(dir, CAFile))
	}
	return c, nil
}

// Remove deletes the identity, its key material, the queue and the
// health file: what an offboarded device must not keep.
func Remove(dir string) error {
	// identity.json first: without it the directory is not onboarded
	// even if a later removal fails.
	for _, name := range []string{IdentityFile, KeyFile, CertFile, CAFile, HealthFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", name, err)
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, QueueDir)); err != nil {
		return fmt.Errorf("remove the event queue: %w", err)
	}
	return nil
}
