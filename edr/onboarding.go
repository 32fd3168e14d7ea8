package edr

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/pki"
)

// enrollmentPrefix starts every enrollment token, so that secret scanners
// (and people) can tell one from an API token.
const enrollmentPrefix = "gse_"

// OnboardingRequest asks for an onboarding package.
type OnboardingRequest struct {
	// ServerURL is the URL agents will connect to; empty means the URL
	// the server last recorded (SetServerURL).
	ServerURL string `json:"serverUrl,omitempty"`
	// ExpiresInSeconds is how long the token enrolls devices (7 days
	// when zero).
	ExpiresInSeconds int64 `json:"expiresInSeconds,omitempty"`
	// Uses is how many devices the token may enroll; zero means no limit.
	Uses int `json:"uses,omitempty"`
}

const serverURLSetting = "agent_server_url"

// SetServerURL records the URL a running server serves agents on, the
// default of onboarding packages.
func (s *Service) SetServerURL(ctx context.Context, u string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO goshawk.settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, serverURLSetting, u)
	if err != nil {
		return fmt.Errorf("record the server URL: %w", err)
	}
	return nil
}

// CreateOnboarding issues an enrollment token and returns the package
// that carries it. by names who asked, for the audit trail.
func (s *Service) CreateOnboarding(ctx context.Context, req OnboardingRequest, by string) (agentproto.OnboardingPackage, error) {
	var pkg agentproto.OnboardingPackage
	if req.ExpiresInSeconds < 0 || req.Uses < 0 || req.ExpiresInSeconds > 10*365*24*3600 {
		return pkg, fmt.Errorf("%w: expiry must be between 0 and 10 years and uses not negative", ErrInvalid)
	}
	expiresIn := time.Duration(req.ExpiresInSeconds) * time.Second
	if expiresIn == 0 {
		expiresIn = 7 * 24 * time.Hour
	}
	u := req.ServerURL
	if u == "" {
		err := s.db.QueryRowContext(ctx, "SELECT value FROM goshawk.settings WHERE key = ?", serverURLSetting).Scan(&u)
		if errors.Is(err, sql.ErrNoRows) {
			return pkg, fmt.Errorf("%w: no server URL known: give one (--server-url https://HOST:PORT), or start the server once", ErrInvalid)
		}
		if err != nil {
			return pkg, fmt.Errorf("read the server URL: %w", err)
		}
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "https" || pu.Host == "" {
		return pkg, fmt.Errorf("%w: server URL %q: agents need https://HOST:PORT", ErrInvalid, u)
	}
	caPEM, err := s.caPEM()
	if err != nil {
		return pkg, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return pkg, err
	}
	secret := enrollmentPrefix + base64.RawURLEncoding.EncodeToString(b)
	now := s.now().UTC().Truncate(time.Microsecond)
	expires := now.Add(expiresIn).Truncate(time.Second)
	var uses any
	if req.Uses > 0 {
		uses = req.Uses
	}
	id := newID(8)
	if _, err := s.db.ExecContext(ctx, "INSERT INTO goshawk.enrollment_tokens (id, digest, created, created_by, expires, uses_left) VALUES (?, ?, ?, ?, ?, ?)",
		id, digest(secret), now, by, expires, uses); err != nil {
		return pkg, fmt.Errorf("create enrollment token: %w", err)
	}
	s.audit(ctx, by, "CreateOnboardingPackage", "enrollment-token/"+id, fmt.Sprintf(`{"expires":%q,"uses":%d,"serverUrl":%q}`, expires.Format(time.RFC3339), req.Uses, u))
	return agentproto.OnboardingPackage{ServerURL: strings.TrimRight(u, "/"), CACert: string(caPEM), Token: secret, WorkspaceID: s.ws.ID(), Expires: expires, TokenID: id}, nil
}

func (s *Service) caPEM() ([]byte, error) {
	if s.ca != nil {
		return s.ca.CertPEM, nil
	}
	b, err := os.ReadFile(filepath.Join(s.ws.Dir(), pki.CACertFile))
	if errors.Is(err, os.ErrNotExist) {
		// The server has never run: create the CA it will use.
		bundle, err := pki.Ensure(s.ws.Dir(), nil)
		if err != nil {
			return nil, fmt.Errorf("create the workspace CA: %w", err)
		}
		return bundle.CA.CertPEM, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the workspace CA: %w", err)
	}
	return b, nil
}

func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// checkToken reports why secret cannot enroll a device, if it cannot.
func (s *Service) checkToken(ctx context.Context, secret string) (string, error) {
	if !strings.HasPrefix(secret, enrollmentPrefix) || len(secret) != len(enrollmentPrefix)+43 {
		return "", ErrBadToken
	}
	var id string
	var expires time.Time
	var uses sql.NullInt64
	var revoked sql.NullTime
	err := s.db.QueryRowContext(ctx, "SELECT id, expires, uses_left, revoked FROM goshawk.enrollment_tokens WHERE digest = ?", digest(secret)).Scan(&id, &expires, &uses, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrBadToken
	}
	if err != nil {
		return "", fmt.Errorf("read enrollment token: %w", err)
	}
	switch {
	case revoked.Valid:
		return "", fmt.Errorf("%w: revoked", ErrBadToken)
	case !s.now().Before(expires):
		return "", fmt.Errorf("%w: expired at %s", ErrBadToken, expires.UTC().Format(time.RFC3339))
	case uses.Valid && uses.Int64 <= 0:
		return "", fmt.Errorf("%w: used up", ErrBadToken)
	}
	return id, nil
}

// Enroll enrolls a device with an enrollment token: it checks the CSR,
// assigns the DeviceId (the same one again for a machine enrolled
// before), signs the device's certificate and records the device.
func (s *Service) Enroll(ctx context.Context, token string, req agentproto.EnrollRequest, remote string) (agentproto.EnrollResponse, error) {
	var resp agentproto.EnrollResponse
	if s.ca == nil {
		return resp, ErrNoCA
	}
	csr, err := parseCSR(req.CSR)
	if err != nil {
		return resp, err
	}
	req.Hostname = strings.TrimSpace(req.Hostname)
	if req.Hostname == "" || len(req.Hostname) > 255 {
		return resp, fmt.Errorf("%w: hostname must be 1 to 255 characters", ErrInvalid)
	}
	if len(req.MachineID) > 256 || len(req.ClientVersion) > 64 {
		return resp, fmt.Errorf("%w: machineId or clientVersion too long", ErrInvalid)
	}
	s.enrollMu.Lock()
	defer s.enrollMu.Unlock()
	tokID, err := s.checkToken(ctx, token)
	if err != nil {
		return resp, err
	}
	id := ""
	if req.MachineID != "" {
		s.mu.Lock()
		for _, d := range s.devices {
			if d.MachineID == req.MachineID {
				id = d.ID
			}
		}
		s.mu.Unlock()
	}
	if id == "" {
		id = newID(20) // 40 hex digits, the shape of Defender's machine ids
	}
	certPEM, err := s.ca.SignClient(csr.PublicKey, id, s.cfg.CertValidity)
	if err != nil {
		return resp, err
	}
	blk, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return resp, err
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE goshawk.enrollment_tokens SET uses_left = uses_left - 1 WHERE id = ? AND uses_left IS NOT NULL", tokID); err != nil {
		return resp, fmt.Errorf("consume enrollment token: %w", err)
	}
	d, err := s.recordEnrollment(ctx, id, req, cert.SerialNumber.Text(16))
	if err != nil {
		return resp, err
	}
	s.audit(ctx, "enrollment-token/"+tokID, "EnrollDevice", "device/"+id, fmt.Sprintf(`{"hostname":%q,"remote":%q}`, req.Hostname, remote))
	if err := s.writeDeviceInfo(ctx, d); err != nil {
		s.log.Error("edr: DeviceInfo at enrollment", "device", id, "err", err)
	}
	return agentproto.EnrollResponse{DeviceID: id, Certificate: string(certPEM), CACert: string(s.ca.CertPEM), HeartbeatSeconds: int(s.cfg.HeartbeatInterval / time.Second)}, nil
}

func parseCSR(text string) (*x509.CertificateRequest, error) {
	blk, _ := pem.Decode([]byte(text))
	if blk == nil || blk.Type != "CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("%w: csr is not a PEM CERTIFICATE REQUEST", ErrInvalid)
	}
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: csr: %v", ErrInvalid, err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: csr signature: %v", ErrInvalid, err)
	}
	return csr, nil
}

// EnrollmentToken describes an issued enrollment token (never its
// secret).
type EnrollmentToken struct {
	ID        string     `json:"id"`
	Created   time.Time  `json:"created"`
	CreatedBy string     `json:"createdBy"`
	Expires   time.Time  `json:"expires"`
	UsesLeft  *int       `json:"usesLeft,omitempty"` // nil: no limit
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// EnrollmentTokens lists the enrollment tokens, newest first.
func (s *Service) EnrollmentTokens(ctx context.Context) ([]EnrollmentToken, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, created, created_by, expires, uses_left, revoked FROM goshawk.enrollment_tokens ORDER BY created DESC, id")
	if err != nil {
		return nil, fmt.Errorf("read enrollment tokens: %w", err)
	}
	defer rows.Close()
	out := []EnrollmentToken{}
	for rows.Next() {
		var t EnrollmentToken
		var uses sql.NullInt64
		var revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.Created, &t.CreatedBy, &t.Expires, &uses, &revoked); err != nil {
			return nil, fmt.Errorf("read enrollment tokens: %w", err)
		}
		t.Created, t.Expires = t.Created.UTC(), t.Expires.UTC()
		if uses.Valid {
			n := int(uses.Int64)
			t.UsesLeft = &n
		}
		if revoked.Valid {
			r := revoked.Time.UTC()
			t.Revoked = &r
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeEnrollmentToken stops a token enrolling devices; devices it
// enrolled are unaffected.
func (s *Service) RevokeEnrollmentToken(ctx context.Context, id, by string) error {
	s.enrollMu.Lock()
	defer s.enrollMu.Unlock()
	res, err := s.db.ExecContext(ctx, "UPDATE goshawk.enrollment_tokens SET revoked = ? WHERE id = ? AND revoked IS NULL", s.now().UTC(), id)
	if err != nil {
		return fmt.Errorf("revoke enrollment token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("enrollment token %q (or it is already revoked): %w", id, ErrNotFound)
	}
	s.audit(ctx, by, "RevokeEnrollmentToken", "enrollment-token/"+id, "")
	return nil
}
