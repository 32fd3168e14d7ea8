package transport

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

// StatusError is a non-success HTTP answer.
type StatusError struct {
	Path   string
	Status int
	// Message is the server's error message, if it sent one.
	Message string
}

func (e *StatusError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("%s: HTTP %d: %s", e.Path, e.Status, e.Message)
	}
	return fmt.Sprintf("%s: HTTP %d", e.Path, e.Status)
}

// Transient reports whether retrying may help.
func (e *StatusError) Transient() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// IsStatus reports whether err is a StatusError with that status.
func IsStatus(err error, status int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == status
}

// Retry is the retry policy of one call.
type Retry struct {
	Attempts int           // total tries, at least 1
	Base     time.Duration // first backoff
	Max      time.Duration // backoff cap
}

// DefaultRetry tries four times over a few seconds.
var DefaultRetry = Retry{Attempts: 4, Base: 250 * time.Millisecond, Max: 5 * time.Second}

// Backoff is the wait before retry number attempt (0-based): a random
// duration up to min(max, base·2^attempt) ("full jitter"), so that many
// agents coming back after an outage do not arrive in lockstep.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	d := base
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d))) + 1
}

// Client talks to the server as the enrolled device.
type Client struct {
	base  string
	hc    *http.Client
	retry Retry
	cert  atomic.Pointer[tls.Certificate]
}

// New returns a client for base (the server URL) presenting cert and
// trusting only cas.
func New(base string, cert tls.Certificate, cas *x509.CertPool) *Client {
	c := &Client{base: strings.TrimRight(base, "/"), retry: DefaultRetry}
	c.cert.Store(&cert)
	c.hc = httpClient(&tls.Config{RootCAs: cas, MinVersion: tls.VersionTLS12,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return c.cert.Load(), nil }})
	return c
}

// SetCertificate makes new connections present cert (after a renewal);
// open connections are closed so that the next request uses it.
func (c *Client) SetCertificate(cert tls.Certificate) {
	c.cert.Store(&cert)
	c.hc.CloseIdleConnections()
}

// SetRetry changes the retry policy.
func (c *Client) SetRetry(r Retry) { c.retry = r }

func httpClient(tc *tls.Config) *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: 15 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 4,
		ForceAttemptHTTP2:   true,
		Proxy:               http.ProxyFromEnvironment,
	}}
}

// request is one call's shape.
type request struct {
	method, path string
	in, out      any
	gzip         bool
	bearer       string        // enrollment token
	timeout      time.Duration // per attempt
	body         io.ReadSeeker // raw body instead of in (uploads)
}

func (c *Client) do(ctx context.Context, r request) error {
	return doRetry(ctx, c.hc, c.base, c.retry, r)
}

func doRetry(ctx context.Context, hc *http.Client, base string, retry Retry, r request) error {
	var body []byte
	if r.in != nil {
		b, err := json.Marshal(r.in)
		if err != nil {
			return fmt.Errorf("%s: encode: %w", r.path, err)
		}
		if r.gzip {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
		}
		body = b
	}
	if r.timeout == 0 {
		r.timeout = 30 * time.Second
	}
	var err error
	for attempt := 0; attempt < max(retry.Attempts, 1); attempt++ {
		if attempt > 0 {
			t := time.NewTimer(Backoff(attempt-1, retry.Base, retry.Max))
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%s: %w (last error: %v)", r.path, ctx.Err(), err)
			case <-t.C:
			}
		}
		err = once(ctx, hc, base, r, body)
		if err == nil || ctx.Err() != nil {
			return err
		}
		var se *StatusError
		if errors.As(err, &se) && !se.Transient() {
			return err
		}
	}
	return err
}

func once(ctx context.Context, hc *http.Client, base string, r request, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	} else if r.body != nil {
		if _, err := r.body.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("%s: rewind the body: %w", r.path, err)
		}
		rd = r.body
	}
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if r.gzip {
			req.Header.Set("Content-Encoding", "gzip")
		}
	} else if r.body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	req.Header.Set("User-Agent", "goshawk-agent")
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{Path: r.path, Status: resp.StatusCode}
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if json.Unmarshal(b, &e) == nil {
			se.Message = e.Error.Message
		}
		return se
	}
	if r.out == nil || resp.StatusCode == http.StatusNoContent {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(r.out); err != nil {
		return fmt.Errorf("%s: decode the answer: %w", r.path, err)
	}
	return nil
}

// Enroll asks the server of pkg for a device identity, authenticating
// with the package's token and trusting only the package's CA.
func Enroll(ctx context.Context, pkg agentproto.OnboardingPackage, req agentproto.EnrollRequest) (agentproto.EnrollResponse, error) {
	var resp agentproto.EnrollResponse
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(pkg.CACert)) {
		return resp, errors.New("the onboarding package's CA certificate is not PEM")
	}
	if !strings.HasPrefix(pkg.ServerURL, "https://") {
		return resp, fmt.Errorf("the onboarding package's server URL %q is not https", pkg.ServerURL)
	}
	hc := httpClient(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	err := doRetry(ctx, hc, strings.TrimRight(pkg.ServerURL, "/"), DefaultRetry,
		request{method: http.MethodPost, path: agentproto.PathEnroll, in: req, out: &resp, bearer: pkg.Token})
	if err != nil {
		return resp, err
	}
	if resp.DeviceID == "" || resp.Certificate == "" {
		return resp, errors.New("enrollment answer lacks the device id or certificate")
	}
	return resp, nil
}

// Heartbeat sends a heartbeat.
func (c *Client) Heartbeat(ctx context.Context, hb agentproto.Heartbeat) (agentproto.HeartbeatResponse, error) {
	var resp agentproto.HeartbeatResponse
	err := c.do(ctx, request{method: http.MethodPost, path: agentproto.PathHeartbeat, in: hb, out: &resp})
	return resp, err
}

// Inventory sends the device's inventory.
func (c *Client) Inventory(ctx context.Context, inv agentproto.Inventory) error {
	return c.do(ctx, request{method: http.MethodPost, path: agentproto.PathInventory, in: inv, gzip: true})
}

// SendBatch delivers an event batch (gzipped) and returns the server's
// acknowledgement.
func (c *Client) SendBatch(ctx context.Context, b agentproto.EventBatch) (agentproto.BatchAck, error) {
	var ack agentproto.BatchAck
	err := c.do(ctx, request{method: http.MethodPost, path: agentproto.PathEvents, in: b, out: &ack, gzip: true, timeout: 2 * time.Minute})
	if err == nil && ack.Seq != b.Seq {
		return ack, fmt.Errorf("%s: acknowledged seq %d for batch %d", agentproto.PathEvents, ack.Seq, b.Seq)
	}
	return ack, err
}

// Commands long-polls for pending commands (the server answers within
// about 25 s). It is not retried: the poller loops anyway.
func (c *Client) Commands(ctx context.Context) ([]agentproto.Command, error) {
	var list agentproto.CommandList
	err := once(ctx, c.hc, c.base, request{method: http.MethodGet, path: agentproto.PathCommands, out: &list, timeout: 70 * time.Second}, nil)
	return list.Commands, err
}

// CommandResult reports a command's outcome.
func (c *Client) CommandResult(ctx context.Context, r agentproto.CommandResult) error {
	return c.do(ctx, request{method: http.MethodPost, path: agentproto.PathCommandResult, in: r})
}

// Indicators fetches the custom indicators in force for the device.
func (c *Client) Indicators(ctx context.Context) (agentproto.IndicatorSet, error) {
	var set agentproto.IndicatorSet
	err := c.do(ctx, request{method: http.MethodGet, path: agentproto.PathIndicators, out: &set})
	return set, err
}

// Upload sends a file the server asked for with command id.
func (c *Client) Upload(ctx context.Context, id string, body io.ReadSeeker) error {
	return c.do(ctx, request{method: http.MethodPut, path: agentproto.PathUploads + "/" + id, body: body, timeout: 10 * time.Minute})
}

// Offboard tells the server the device leaves; its certificate is
// refused from then on.
func (c *Client) Offboard(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodPost, path: agentproto.PathOffboard})
}

// Renew asks for a new certificate for a CSR.
func (c *Client) Renew(ctx context.Context, csr string) (agentproto.EnrollResponse, error) {
	var resp agentproto.EnrollResponse
	err := c.do(ctx, request{method: http.MethodPost, path: agentproto.PathRenew, in: agentproto.RenewRequest{CSR: csr}, out: &resp})
	return resp, err
}
