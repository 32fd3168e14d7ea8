package edr

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/query"
	"github.com/goshawk-sec/goshawk/workspace"
)

// newService opens a workspace in a temporary directory with its EDR
// backend.
func newService(tb testing.TB) *Service {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	ws, err := workspace.Open(ctx, dir, workspace.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	bundle, err := pki.Ensure(dir, nil)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := New(ctx, ws, bundle.CA, DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func csrPEM(tb testing.TB) string {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func TestCheckAction(t *testing.T) {
	sha := strings.Repeat("a", 64)
	for _, tt := range []struct {
		req  ActionRequest
		want bool
	}{
		{ActionRequest{Type: agentproto.CommandIsolate}, true},
		{ActionRequest{Type: agentproto.CommandIsolate, Params: map[string]string{"x": "1"}}, false},
		{ActionRequest{Type: agentproto.CommandKillProcess, Params: map[string]string{"pid": "12"}}, true},
		{ActionRequest{Type: agentproto.CommandKillProcess, Params: map[string]string{"pid": "-1"}}, false},
		{ActionRequest{Type: agentproto.CommandKillProcess, Params: map[string]string{"pid": "12", "sha256": "zz"}}, false},
		{ActionRequest{Type: agentproto.CommandQuarantineFile, Params: map[string]string{"sha256": sha}}, true},
		{ActionRequest{Type: agentproto.CommandQuarantineFile}, false},
		{ActionRequest{Type: agentproto.CommandRestoreFile, Params: map[string]string{"quarantineId": "q1"}}, true},
		{ActionRequest{Type: agentproto.CommandScan, Params: map[string]string{"full": "true"}}, true},
		{ActionRequest{Type: agentproto.CommandScan, Params: map[string]string{"paths": "/tmp:/home"}}, true},
		{ActionRequest{Type: agentproto.CommandScan}, false},
		{ActionRequest{Type: "reboot"}, false},
	} {
		err := checkAction(tt.req)
		if (err == nil) != tt.want {
			t.Errorf("checkAction(%+v) = %v, want ok=%v", tt.req, err, tt.want)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("checkAction(%+v) = %v, not ErrInvalid", tt.req, err)
		}
	}
}

func TestCheckIndicator(t *testing.T) {
	for _, tt := range []struct {
		in        agentproto.Indicator
		wantValue string // "" means refused
	}{
		{agentproto.Indicator{Type: agentproto.IndicatorFileMd5, Value: strings.Repeat("A", 32), Title: "t"}, strings.Repeat("a", 32)},
		{agentproto.Indicator{Type: agentproto.IndicatorFileSha1, Value: strings.Repeat("A", 39), Title: "t"}, ""},
		{agentproto.Indicator{Type: agentproto.IndicatorIPAddress, Value: " 2001:DB8::1 ", Title: "t"}, "2001:db8::1"},
		{agentproto.Indicator{Type: agentproto.IndicatorDomainName, Value: "Evil.Example.", Title: "t"}, "evil.example"},
		{agentproto.Indicator{Type: agentproto.IndicatorDomainName, Value: "10.0.0.1", Title: "t"}, ""},
		{agentproto.Indicator{Type: agentproto.IndicatorURL, Value: "https://evil.example/x", Title: "t"}, "https://evil.example/x"},
		{agentproto.Indicator{Type: agentproto.IndicatorURL, Value: "https://evil.example/x", Title: "t", Severity: "Critical"}, ""},
		{agentproto.Indicator{Type: agentproto.IndicatorURL, Value: "https://evil.example/x", Title: "t", Action: "Allow"}, ""},
	} {
		in := tt.in
		err := checkIndicator(&in)
		switch {
		case tt.wantValue == "" && err == nil:
			t.Errorf("checkIndicator(%+v) accepted it", tt.in)
		case tt.wantValue != "" && (err != nil || in.Value != tt.wantValue):
			t.Errorf("checkIndicator(%+v) = %q, %v; want %q", tt.in, in.Value, err, tt.wantValue)
		case err == nil && (in.Action != agentproto.ActionAlert || in.Severity != "Medium"):
			t.Errorf("checkIndicator(%+v): defaults %s/%s, want Alert/Medium", tt.in, in.Action, in.Severity)
		}
	}
}

func TestValueSetMappings(t *testing.T) {
	for in, want := range map[string]string{"": "Active", "ImpairedCommunication": "Impaired communications", "NoSensorData": "No sensor data",
		"No sensor data": "No sensor data", "Inactive": "Inactive", "weird": "Misconfigured"} {
		if got := agentHealth(in); got != want {
			t.Errorf("agentHealth(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"x86_64": "64-bit", "arm64": "64-bit", "i686": "32-bit", "64-bit": "64-bit", "sparc": ""} {
		if got := architecture(in); got != want {
			t.Errorf("architecture(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnrollKeepsDeviceIDPerMachine(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	pkg, err := s.CreateOnboarding(ctx, OnboardingRequest{ServerURL: "https://h:1", Uses: 3}, "test")
	if err != nil {
		t.Fatal(err)
	}
	enroll := func(machine string) string {
		t.Helper()
		r, err := s.Enroll(ctx, pkg.Token, agentproto.EnrollRequest{CSR: csrPEM(t), Hostname: "h", MachineID: machine}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return r.DeviceID
	}
	a, b, c := enroll("m1"), enroll("m1"), enroll("m2")
	if a != b || a == c || len(a) != 40 {
		t.Errorf("ids %s %s %s: want the first two equal, 40 hex digits", a, b, c)
	}
	if _, err := s.Enroll(ctx, pkg.Token, agentproto.EnrollRequest{CSR: csrPEM(t), Hostname: "h"}, "test"); !errors.Is(err, ErrBadToken) {
		t.Errorf("fourth enrollment with a 3-use token = %v, want ErrBadToken", err)
	}
	if _, err := s.CreateOnboarding(ctx, OnboardingRequest{ServerURL: "http://h:1"}, "test"); !errors.Is(err, ErrInvalid) {
		t.Errorf("onboarding with an http URL = %v, want ErrInvalid", err)
	}
}

// FuzzEnrollRequest feeds enrollment bodies through decoding and Enroll;
// only a panic fails.
func FuzzEnrollRequest(f *testing.F) {
	s := newService(f)
	ctx := context.Background()
	pkg, err := s.CreateOnboarding(ctx, OnboardingRequest{ServerURL: "https://h:1"}, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(agentproto.EnrollRequest{CSR: csrPEM(f), Hostname: "h", MachineID: "m", OS: agentproto.OSInfo{Platform: "Linux", Architecture: "x86_64"}})
	f.Add(good)
	f.Add([]byte(`{"csr":"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n","hostname":"h"}`))
	f.Add([]byte(`{"csr":"","hostname":""}`))
	f.Add([]byte(`{"os":{"osPlatform":1}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req agentproto.EnrollRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		_, _ = s.Enroll(ctx, pkg.Token, req, "fuzz")
	})
}

// FuzzEventBatch feeds event batches through decoding and IngestEvents;
// only a panic fails.
func FuzzEventBatch(f *testing.F) {
	s := newService(f)
	ctx := context.Background()
	pkg, err := s.CreateOnboarding(ctx, OnboardingRequest{ServerURL: "https://h:1"}, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	r, err := s.Enroll(ctx, pkg.Token, agentproto.EnrollRequest{CSR: csrPEM(f), Hostname: "h"}, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	dev, _ := s.Device(ctx, r.DeviceID)
	f.Add([]byte(`{"seq":1,"events":[{"table":"DeviceProcessEvents","reportId":1,"row":{"Timestamp":"2026-01-01T00:00:00Z","ActionType":"ProcessCreated","ProcessId":12}}]}`))
	f.Add([]byte(`{"seq":2,"events":[{"table":"DeviceNetworkEvents","row":{"RemotePort":"x"}}]}`))
	f.Add([]byte(`{"seq":3,"events":[{"table":"SecurityEvent","row":{}}]}`))
	f.Add([]byte(`{"seq":4,"events":[{"table":"DeviceEvents","row":{"AdditionalFields":{"a":[1,2]},"ProcessCreationTime":"not a time"}}]}`))
	f.Add([]byte(`{"seq":18446744073709551615,"events":[]}`))
	f.Add([]byte(`{"seq":5,"events":[{"table":"AlertInfo","row":{"Severity":"High","Title":"t"}},{"table":"AlertEvidence","row":{"EntityType":"File"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var b agentproto.EventBatch
		if json.Unmarshal(body, &b) != nil {
			return
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, _ = s.IngestEvents(cctx, dev, b)
	})
}

// TestDailyDeviceInfo: a device that stays Active still gets a DeviceInfo
// row a day after its last one.
func TestDailyDeviceInfo(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	now := time.Now()
	s.SetClock(func() time.Time { return now })
	pkg, err := s.CreateOnboarding(ctx, OnboardingRequest{ServerURL: "https://h:1"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Enroll(ctx, pkg.Token, agentproto.EnrollRequest{CSR: csrPEM(t), Hostname: "h"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	count := func() int64 {
		t.Helper()
		set, err := s.ws.Query(ctx, "DeviceInfo | where DeviceId == '"+r.DeviceID+"' | count", query.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return set.Primary().Rows[0][0].(int64)
	}
	for _, step := range []struct {
		after time.Duration
		want  int64
	}{{time.Hour, 1}, {22 * time.Hour, 1}, {2 * time.Hour, 2}, {time.Hour, 2}} {
		now = now.Add(step.after)
		if _, err := s.Heartbeat(ctx, r.DeviceID, agentproto.Heartbeat{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != step.want {
			t.Fatalf("after +%v: %d DeviceInfo rows, want %d", step.after, n, step.want)
		}
	}
}

// TestStopPolls: a long poll ends at once when the server shuts down.
func TestStopPolls(t *testing.T) {
	s := newService(t)
	done := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		_, _ = s.Commands(context.Background(), "no-such-device", time.Minute)
		done <- time.Since(start)
	}()
	time.Sleep(50 * time.Millisecond)
	s.StopPolls()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not end after StopPolls")
	}
}
