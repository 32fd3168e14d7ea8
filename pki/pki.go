// Package pki keeps a workspace's certificate authority and the server's
// TLS certificate in its data directory.
//
// On first start Ensure creates a private CA (ECDSA P-256, ten years) and
// a server certificate it signs (one year, for the host names and
// addresses the server listens on, plus localhost and 127.0.0.1/::1). The
// same CA signs the certificates agents receive at onboarding, so agent
// traffic is authenticated both ways without a public CA. Private keys are
// written with mode 0600; certificates are PEM.
//
// A server certificate that expires within 30 days, or does not cover a
// name the server now listens on, is replaced on the next start; the CA is
// never replaced, since agents pin it.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// File names inside the data directory.
const (
	CACertFile     = "ca.crt"
	CAKeyFile      = "ca.key"
	ServerCertFile = "server.crt"
	ServerKeyFile  = "server.key"
)

// Authority is a loaded CA.
type Authority struct {
	Cert    *x509.Certificate
	CertPEM []byte
	key     crypto.Signer
}

// Bundle is what the server needs for TLS.
type Bundle struct {
	CA     *Authority
	Server tls.Certificate
	// ServerCertPath and CACertPath are the files, for clients to trust.
	ServerCertPath, CACertPath string
}

// Pool returns a certificate pool holding only the CA.
func (a *Authority) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.Cert)
	return p
}

// Ensure loads or creates the CA and a server certificate covering hosts
// (host names or IP addresses) in dir.
func Ensure(dir string, hosts []string) (*Bundle, error) {
	ca, err := ensureCA(dir)
	if err != nil {
		return nil, err
	}
	hosts = append(slices.Clone(hosts), "localhost", "127.0.0.1", "::1")
	certPath, keyPath := filepath.Join(dir, ServerCertFile), filepath.Join(dir, ServerKeyFile)
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil && serverCertUsable(cert, ca, hosts) {
		return &Bundle{CA: ca, Server: cert, ServerCertPath: certPath, CACertPath: filepath.Join(dir, CACertFile)}, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load server certificate: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl, err := template(pkix.Name{CommonName: "goshawk server"}, 365*24*time.Hour)
	if err != nil {
		return nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	for _, h := range hosts {
		if h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		return nil, fmt.Errorf("sign server certificate: %w", err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, err
	}
	cert, err = tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("load server certificate: %w", err)
	}
	return &Bundle{CA: ca, Server: cert, ServerCertPath: certPath, CACertPath: filepath.Join(dir, CACertFile)}, nil
}

// LoadCA reads the CA certificate (not its key) from dir, for clients.
func LoadCA(dir string) (*x509.CertPool, error) {
	b, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, err
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s holds no certificate", filepath.Join(dir, CACertFile))
	}
	return p, nil
}

func serverCertUsable(cert tls.Certificate, ca *Authority, hosts []string) bool {
	if len(cert.Certificate) == 0 {
		return false
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil || time.Until(leaf.NotAfter) < 30*24*time.Hour {
		return false
	}
	if err := leaf.CheckSignatureFrom(ca.Cert); err != nil {
		return false
	}
	for _, h := range hosts {
		if h != "" && leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

func ensureCA(dir string) (*Authority, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	certPEM, errCert := os.ReadFile(certPath)
	keyPEM, errKey := os.ReadFile(keyPath)
	switch {
	case errCert == nil && errKey == nil:
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("load CA from %s: %w", dir, err)
		}
		leaf, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			return nil, fmt.Errorf("load CA from %s: %w", dir, err)
		}
		signer, ok := pair.PrivateKey.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("load CA from %s: key cannot sign", dir)
		}
		return &Authority{Cert: leaf, CertPEM: certPEM, key: signer}, nil
	case errors.Is(errCert, os.ErrNotExist) && errors.Is(errKey, os.ErrNotExist):
	default:
		return nil, fmt.Errorf("load CA from %s: %w", dir, errors.Join(errCert, errKey))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl, err := template(pkix.Name{CommonName: "goshawk workspace CA", Organization: []string{"Goshawk"}}, 10*365*24*time.Hour)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.MaxPathLenZero = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create CA: %w", err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Authority{Cert: leaf, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key: key}, nil
}

// SignClient issues a client certificate for pub with the given common
// name (an agent's device id), valid for validity.
func (a *Authority) SignClient(pub crypto.PublicKey, commonName string, validity time.Duration) ([]byte, error) {
	tmpl, err := template(pkix.Name{CommonName: commonName}, validity)
	if err != nil {
		return nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Cert, pub, a.key)
	if err != nil {
		return nil, fmt.Errorf("sign client certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

func template(name pkix.Name, validity time.Duration) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      name,
		NotBefore:    now.Add(-5 * time.Minute),
		NotAfter:     now.Add(validity),
	}, nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

// writePEM writes atomically: a crash leaves the old file or the new one.
func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: typ, Bytes: der}); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
