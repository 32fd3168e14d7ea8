package client

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
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Client.
type Options struct {
	// RootCAs are the authorities trusted for the server's certificate;
	// nil means the system's.
	RootCAs *x509.CertPool
	// CAFile names a PEM file of further authorities to trust, such as a
	// workspace's DIR/ca.crt.
	CAFile string
	// HTTPClient, when set, makes the requests as it is: RootCAs and
	// CAFile are then ignored.
	HTTPClient *http.Client
	// UploadRetries is how many times Upload retries a request the server
	// answered 429 or 503, after waiting the Retry-After it gave (at most
	// 30 s each). Zero means 3; negative means never.
	UploadRetries int
}

// Client calls one Goshawk server with one bearer token. It is safe for
// concurrent use.
type Client struct {
	base    *url.URL
	token   string
	http    *http.Client
	retries int

	mu   sync.Mutex
	wsID string // the workspace GUID, once read
}

// New returns a client for the server at baseURL ("https://host:8443")
// that authenticates with token.
func New(baseURL, token string, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("server URL: %w", err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("server URL %q: want https://HOST:PORT", baseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("server URL %q: want https://HOST:PORT[/PATH] without credentials, query or fragment", u.Redacted())
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("server URL %s: plain http would send the token in clear text; use https (plain http is allowed only to a loopback address)", u)
	}
	if token == "" {
		return nil, errors.New("no token: every request needs a bearer token")
	}
	c := &Client{base: u, token: token, http: opts.HTTPClient, retries: opts.UploadRetries}
	if c.retries == 0 {
		c.retries = 3
	}
	if c.http == nil {
		pool := opts.RootCAs
		if opts.CAFile != "" {
			pem, err := os.ReadFile(opts.CAFile)
			if err != nil {
				return nil, fmt.Errorf("CA file: %w", err)
			}
			if pool == nil {
				pool = x509.NewCertPool()
			} else {
				pool = pool.Clone()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA file %s holds no PEM certificate", opts.CAFile)
			}
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
		c.http = &http.Client{Transport: tr}
	}
	return c, nil
}

// URL is the server's base URL.
func (c *Client) URL() string { return c.base.String() }

// Close releases idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// request is one API call.
type request struct {
	method string
	path   string // escaped, from the API root: "/v1/tables/X"
	query  url.Values
	header http.Header
	body   []byte // sent as is; JSON unless header says otherwise
	want   int    // the success status
}

// do sends rq and returns the response when its status is rq.want; any
// other status becomes an *Error. The caller closes the body.
func (c *Client) do(ctx context.Context, rq request) (*http.Response, error) {
	u := *c.base
	u.RawPath = c.base.EscapedPath() + rq.path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, err
	}
	u.Path = p
	u.RawQuery = rq.query.Encode()
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, v := range rq.header {
		req.Header[k] = v
	}
	if rq.body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "goshawk-client")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		// The transport's errors name the method and URL, never headers.
		return nil, err
	}
	if resp.StatusCode != rq.want {
		defer resp.Body.Close()
		return nil, readError(resp)
	}
	return resp, nil
}

// doJSON sends rq with in as its JSON body.
func (c *Client) doJSON(ctx context.Context, rq request, in any) (*http.Response, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	rq.body = b
	return c.do(ctx, rq)
}

// call sends rq with in (when not nil) as its JSON body and decodes the
// answer into out (when not nil).
func (c *Client) call(ctx context.Context, rq request, in, out any) error {
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		rq.body = b
	}
	resp, err := c.do(ctx, rq)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", rq.method, rq.path, err)
	}
	return nil
}

// retryAfter reads a Retry-After header in seconds, capped at 30 s; a
// missing or unreadable one means a second.
func retryAfter(h http.Header) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || n < 1 {
		n = 1
	}
	return min(time.Duration(n)*time.Second, 30*time.Second)
}

// gzipBody compresses b.
func gzipBody(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}
