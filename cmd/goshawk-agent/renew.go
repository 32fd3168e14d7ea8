package main

import (
	"context"
	"crypto"
	"fmt"
	"log/slog"
	"time"

	"github.com/goshawk-sec/goshawk/agent/state"
	"github.com/goshawk-sec/goshawk/agent/transport"
)

// renewer renews the device certificate (same key) once two thirds of
// its lifetime have passed, and switches the client to it.
type renewer struct {
	dir    string
	creds  state.Credentials
	client *transport.Client
	log    *slog.Logger
}

// due reports when the certificate should be renewed.
func (r *renewer) due() time.Time {
	life := r.creds.NotAfter.Sub(r.creds.NotBefore)
	return r.creds.NotBefore.Add(life * 2 / 3)
}

// Run renews when due, retrying hourly after a failure.
func (r *renewer) Run(ctx context.Context) error {
	if r.creds.NotAfter.IsZero() {
		return nil
	}
	for {
		wait := time.Until(r.due())
		if wait > 0 && !sleepCtx(ctx, min(wait, 12*time.Hour)) {
			return nil
		}
		if time.Until(r.due()) > 0 {
			continue
		}
		if err := r.renew(ctx); err != nil {
			r.log.Warn("renew the device certificate", "err", err, "expires", r.creds.NotAfter)
			if !sleepCtx(ctx, time.Hour) {
				return nil
			}
		}
	}
}

func (r *renewer) renew(ctx context.Context) error {
	key, ok := r.creds.Cert.PrivateKey.(crypto.Signer)
	if !ok {
		return fmt.Errorf("the device key cannot sign")
	}
	csr, err := state.CSR(key, r.creds.Hostname)
	if err != nil {
		return err
	}
	resp, err := r.client.Renew(ctx, csr)
	if err != nil {
		return err
	}
	creds, err := state.SaveCertificate(r.dir, r.creds, resp.Certificate)
	if err != nil {
		return err
	}
	r.creds = creds
	r.client.SetCertificate(creds.Cert)
	r.log.Info("device certificate renewed", "expires", creds.NotAfter)
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
