package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/goshawk-sec/goshawk/api"
	"github.com/goshawk-sec/goshawk/edr"
	"github.com/goshawk-sec/goshawk/pki"
	"github.com/goshawk-sec/goshawk/workspace"
)

// runServer serves a workspace:
//
//	goshawk server --data DIR [--listen HOST:PORT] [--insecure-http]
func runServer(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	dir := fs.String("data", "", "workspace directory (required)")
	listen := fs.String("listen", "127.0.0.1:8443", "address to serve on")
	insecure := fs.Bool("insecure-http", false, "serve plain HTTP (loopback addresses only)")
	maxBody := fs.Int64("max-body", 1<<20, "largest ingestion request body in bytes, as sent")
	retentionEvery := fs.Duration("retention-interval", time.Hour, "how often to delete rows past their table's retention")
	queryTimeout := fs.Duration("query-timeout", 10*time.Minute, "longest a query may run")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	maxQueued := fs.Int("max-queued-rows", 200000, "rows waiting for commit beyond which ingestion answers 429")
	inactiveAfter := fs.Duration("device-inactive-after", 10*time.Minute, "how long a device may stay silent before it is reported Inactive")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: goshawk server --data DIR [--listen HOST:PORT] [--insecure-http]", errUsage)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("%w: --log-level: %v", errUsage, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("%w: --listen %q: %v", errUsage, *listen, err)
	}
	if *insecure && !isLoopback(host) {
		return fmt.Errorf("%w: --insecure-http serves credentials in clear text and is refused on %q; listen on 127.0.0.1 or ::1, or drop --insecure-http", errUsage, host)
	}

	cfg := workspace.DefaultConfig()
	cfg.Command = "server"
	cfg.Query.Timeout = *queryTimeout
	cfg.Commit.MaxQueuedRows = *maxQueued
	if cfg.Transformer, err = newTransformer(ctx); err != nil {
		return err
	}
	ws, err := workspace.Open(ctx, *dir, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := ws.Close(); err != nil {
			log.Error("close workspace", "err", err)
		}
	}()
	apiCfg := api.DefaultConfig()
	apiCfg.MaxBodyBytes = *maxBody
	if apiCfg.MaxDecodedBytes < *maxBody {
		apiCfg.MaxDecodedBytes = *maxBody
	}
	apiCfg.MaxQueryWait = *queryTimeout
	handler, err := api.New(ws, apiCfg, log)
	if err != nil {
		return err
	}
	edrCfg := edr.DefaultConfig()
	edrCfg.InactiveAfter = *inactiveAfter
	if edrCfg.HeartbeatInterval >= edrCfg.InactiveAfter {
		edrCfg.HeartbeatInterval = edrCfg.InactiveAfter / 4
	}
	var bundle *pki.Bundle
	if !*insecure {
		hosts := []string{}
		if host != "" && !net.ParseIP(host).IsUnspecified() {
			hosts = append(hosts, host)
		}
		if h, err := os.Hostname(); err == nil {
			hosts = append(hosts, h)
		}
		if bundle, err = pki.Ensure(*dir, hosts); err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
	}
	var ca *pki.Authority
	if bundle != nil {
		ca = bundle.CA
	}
	svc, err := edr.New(ctx, ws, ca, edrCfg, log)
	if err != nil {
		return err
	}
	handler.MountEDR(svc)
	sm, err := openSIEM(ctx, ws, svc, log)
	if err != nil {
		return err
	}
	handler.MountContent(sm.conns, sm.hub, sm.hunt)
	handler.MountRules(sm.rules)
	handler.MountIncidents(sm.incidents)
	// Shutdown waits for in-flight requests; command long polls answer at
	// once instead of after up to 25 s.
	defer svc.StopPolls()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(svc.StopPolls)
	scheme := "https"
	if *insecure {
		scheme = "http"
	} else {
		srv.TLSConfig = edr.ServerTLS(bundle)
		log.Info("TLS certificate", "ca", bundle.CACertPath, "cert", bundle.ServerCertPath)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	url := scheme + "://" + clientAddr(ln.Addr())
	sm.incidents.SetURL(url)
	if err := ws.SetURL(url); err != nil {
		ln.Close()
		return err
	}
	if scheme == "https" {
		// Onboarding packages default to this URL. On every interface,
		// the host name (which the certificate covers) reaches the server
		// from other machines; 127.0.0.1 would not.
		agentURL := url
		if ip := net.ParseIP(host); (host == "" || (ip != nil && ip.IsUnspecified())) && agentHost() != "" {
			_, port, _ := net.SplitHostPort(ln.Addr().String())
			agentURL = "https://" + net.JoinHostPort(agentHost(), port)
		}
		if err := svc.SetServerURL(ctx, agentURL); err != nil {
			ln.Close()
			return err
		}
		log.Info("agents connect to", "url", agentURL)
	}
	toks, _ := ws.Tokens(ctx)
	if len(toks) == 0 {
		log.Warn("the workspace has no tokens yet: stop the server and run 'goshawk token create --data " + *dir + " --role owner'")
	}
	log.Info("serving", "url", url, "workspace", ws.ID())
	// The address line goes to stdout so that scripts can read it.
	fmt.Printf("goshawk server listening on %s (workspace %s)\n", url, ws.ID())

	retCtx, stopRetention := context.WithCancel(context.Background())
	retDone := make(chan struct{})
	go func() {
		defer close(retDone)
		runRetention(retCtx, ws, *retentionEvery, log)
	}()
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		svc.Run(retCtx)
	}()
	// The endpoint connector writes SecurityAlert rows as alert evidence
	// arrives, and catches up every 30 s.
	connDone := make(chan struct{})
	go func() {
		defer close(connDone)
		sm.endpoint.Run(retCtx, 30*time.Second)
	}()
	// The analytics rules: every 5 s, whatever is due (NRT rules run
	// every minute, so their cadence is within 5 s of it).
	rulesDone := make(chan struct{})
	go func() {
		defer close(rulesDone)
		sm.rules.Engine.Run(retCtx, 5*time.Second)
	}()

	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		stopRetention()
		<-retDone
		<-sweepDone
		<-connDone
		<-rulesDone
		return err
	case <-ctx.Done():
	}
	// Drain: stop accepting, let in-flight requests finish (their rows
	// are committed before they answer), then the deferred Close commits
	// anything still queued and checkpoints.
	log.Info("shutting down: draining requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopRetention()
	<-retDone
	<-sweepDone
	<-connDone
	<-rulesDone
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("shutdown", "err", err)
	}
	st := ws.Pipeline().Stats()
	log.Info("stopped", "ingested_rows", st.Rows.Load(), "commits", st.Commits.Load(), "failed_commits", st.Failed.Load())
	return nil
}

func runRetention(ctx context.Context, ws *workspace.Workspace, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		deleted, err := ws.EnforceRetention(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Error("retention", "err", err)
		}
		for table, n := range deleted {
			log.Info("retention deleted rows", "table", table, "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// agentHost is the host name agents reach this machine by.
func agentHost() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientAddr is the address a local client should use for a listener:
// an unspecified host becomes the loopback address.
func clientAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
