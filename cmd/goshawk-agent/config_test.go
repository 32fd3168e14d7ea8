package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goshawk-sec/goshawk/agentproto"
)

func TestReadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		body, wantErr string
	}{
		{`{"machineGroup":"lab","cpuPercent":20,"memoryMB":200,"queueMaxMB":16,"batchEvents":100}`, ""},
		{`{"deviceType":"Laptop"}`, "deviceType"},
		{`{"fileExclusions":["tmp"]}`, "absolute"},
		{`{"cpuPercent":`, "unexpected end"},
	} {
		p := filepath.Join(dir, "c.json")
		os.WriteFile(p, []byte(c.body), 0o600)
		fc, err := readConfig(p)
		if c.wantErr == "" {
			if err != nil {
				t.Errorf("readConfig(%s): %v", c.body, err)
				continue
			}
			lc := fc.loopConfig(30, "")
			if err := lc.Validate(); err != nil || lc.CPUPercent != 20 || lc.MemoryBytes != 200<<20 || lc.HeartbeatInterval != 30*time.Second {
				t.Errorf("loopConfig = %+v, %v", lc, err)
			}
			if qc := fc.queueConfig(dir); qc.Validate() != nil || qc.MaxBytes != 16<<20 || qc.BatchEvents != 100 {
				t.Errorf("queueConfig = %+v", qc)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("readConfig(%s) = %v, want an error about %s", c.body, err, c.wantErr)
		}
	}
}

func TestReadPackage(t *testing.T) {
	dir := t.TempDir()
	good := agentproto.OnboardingPackage{ServerURL: "https://s:1", CACert: "PEM", Token: "tok", Expires: time.Now().Add(time.Hour)}
	for _, c := range []struct {
		edit    func(*agentproto.OnboardingPackage)
		wantErr string
	}{
		{func(*agentproto.OnboardingPackage) {}, ""},
		{func(p *agentproto.OnboardingPackage) { p.Token = "" }, "token"},
		{func(p *agentproto.OnboardingPackage) { p.CACert = "" }, "CA"},
		{func(p *agentproto.OnboardingPackage) { p.Expires = time.Now().Add(-time.Hour) }, "expired"},
	} {
		p := good
		c.edit(&p)
		b, _ := json.Marshal(p)
		f := filepath.Join(dir, "pkg.json")
		os.WriteFile(f, b, 0o600)
		_, err := readPackage(f)
		if (c.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("readPackage(%+v) = %v, want %q", p, err, c.wantErr)
		}
	}
}

func TestCommandLine(t *testing.T) {
	var out bytes.Buffer
	ctx := context.Background()
	if err := runCommand(ctx, "version", nil, &out, &out); err != nil || !strings.HasPrefix(out.String(), "goshawk-agent ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	for _, c := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"run"}, "--state is required"},
		{[]string{"onboard", "--state", "x"}, "--package and --state"},
		{[]string{"status", "--state", t.TempDir()}, "not onboarded"},
		{[]string{"offboard", "--state", t.TempDir()}, "not onboarded"},
	} {
		out.Reset()
		err := runCommand(ctx, c.args[0], c.args[1:], &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("goshawk-agent %v: %v, want %q", c.args, err, c.wantErr)
		}
	}
}
