package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/query"
)

// openWorkspace opens the workspace in dir and returns it with a function
// that closes it once (also run at the end of the test).
func openWorkspace(t *testing.T, dir string) (*Workspace, func()) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Command = "test"
	ws, err := Open(context.Background(), dir, cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	var once sync.Once
	closeWS := func() {
		once.Do(func() {
			if err := ws.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	t.Cleanup(closeWS)
	return ws, closeWS
}

// countRows counts a table's rows with SQL, optionally filtered.
func countRows(t *testing.T, ws *Workspace, table, where string) int {
	t.Helper()
	q := fmt.Sprintf(`SELECT count(*) FROM "%s"`, table)
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := ws.Store().DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// ingestRecords sends records to table through the built-in rule and
// waits until they are committed.
func ingestRecords(t *testing.T, ws *Workspace, table string, received time.Time, records ...map[string]any) {
	t.Helper()
	body, err := json.Marshal(records)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ws.Pipeline().Ingest(context.Background(), ingest.DefaultRuleID, "Custom-"+table, body, received)
	if err != nil || n != len(records) {
		t.Fatalf("Ingest into %s = %d, %v; want %d rows", table, n, err, len(records))
	}
}

// runKQL runs a query and returns its primary result's rows.
func runKQL(t *testing.T, ws *Workspace, text string) [][]any {
	t.Helper()
	set, err := ws.Engine().Run(context.Background(), text, query.Options{})
	if err != nil {
		t.Fatalf("Run(%q): %v", text, err)
	}
	p := set.Primary()
	if p == nil {
		t.Fatalf("Run(%q): no primary result", text)
	}
	return p.Rows
}

func TestOpenIdentity(t *testing.T) {
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)
	id, key := ws.ID(), ws.SharedKey()
	if _, err := uuid.Parse(id); err != nil {
		t.Errorf("ID() = %q, not a GUID: %v", id, err)
	}
	if len(key) != 64 {
		t.Errorf("SharedKey() has %d bytes, want 64", len(key))
	}
	if ws.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", ws.Dir(), dir)
	}
	info, err := ws.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.Tables == 0 || info.CustomTables != 0 {
		t.Errorf("Info() = %+v", info)
	}
	closeWS()

	ws2, _ := openWorkspace(t, dir)
	if ws2.ID() != id {
		t.Errorf("ID after reopen = %q, want %q", ws2.ID(), id)
	}
	if string(ws2.SharedKey()) != string(key) {
		t.Error("SharedKey changed on reopen")
	}

	other, _ := openWorkspace(t, t.TempDir())
	if other.ID() == id || string(other.SharedKey()) == string(key) {
		t.Error("two workspaces share an ID or a shared key")
	}
}

func TestOpenInvalidConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DefaultRetention = 0
	if ws, err := Open(context.Background(), t.TempDir(), cfg); err == nil {
		ws.Close()
		t.Error("Open with DefaultRetention 0 succeeded")
	}
}

func TestOpenHeld(t *testing.T) {
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)

	_, err := Open(context.Background(), dir, DefaultConfig())
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Open = %v, want a *HeldError", err)
	}
	if held.Dir != dir || held.Holder.PID != os.Getpid() || held.Holder.Command != "test" || held.Holder.Since.IsZero() {
		t.Errorf("HeldError = %+v", held)
	}
	if msg := err.Error(); !strings.Contains(msg, dir) || strings.Contains(msg, "--server") {
		t.Errorf("HeldError without a URL = %q", msg)
	}

	const url = "https://siem.example.com:8443"
	if err := ws.SetURL(url); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), dir, DefaultConfig())
	if !errors.As(err, &held) {
		t.Fatalf("Open after SetURL = %v, want a *HeldError", err)
	}
	if held.Holder.URL != url {
		t.Errorf("Holder.URL = %q, want %q", held.Holder.URL, url)
	}
	if msg := err.Error(); !strings.Contains(msg, url) || !strings.Contains(msg, "--server "+url) {
		t.Errorf("HeldError = %q, want it to name %s and say to use --server", msg, url)
	}

	// The failed opens left the workspace usable, and Close releases it.
	ingestRecords(t, ws, "Syslog", time.Now(), map[string]any{"Computer": "h1"})
	closeWS()
	ws2, _ := openWorkspace(t, dir)
	if n := countRows(t, ws2, "Syslog", ""); n != 1 {
		t.Errorf("Syslog has %d rows after reopen, want 1", n)
	}
}

func TestHeldErrorMessage(t *testing.T) {
	since := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    Holder
		want []string
	}{
		{Holder{}, []string{"/d", "another process"}},
		{Holder{PID: 42, Command: "query", Since: since}, []string{"/d", "pid 42", `"query"`, "2026-03-01T08:00:00Z"}},
		{Holder{PID: 42, Command: "server", URL: "https://h:1", Since: since}, []string{"/d", "pid 42", "https://h:1", "--server https://h:1"}},
	} {
		msg := (&HeldError{Dir: "/d", Holder: tc.h}).Error()
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("HeldError{%+v}.Error() = %q, want it to contain %q", tc.h, msg, w)
			}
		}
	}
}

// TestCloseDrains checks that rows acknowledged by ingestion survive
// Close, including rows still queued when Close is called.
func TestCloseDrains(t *testing.T) {
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)
	ingestRecords(t, ws, "Syslog", time.Now(), map[string]any{"Computer": "first", "SyslogMessage": "m"})

	const writers, rows = 4, 50
	body := make([]map[string]any, rows)
	for i := range body {
		body[i] = map[string]any{"Computer": "busy", "SyslogMessage": fmt.Sprint(i)}
	}
	b, _ := json.Marshal(body)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		stored  int
		started = make(chan struct{}, writers)
	)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				n, err := ws.Pipeline().Ingest(context.Background(), ingest.DefaultRuleID, "Custom-Syslog", b, time.Now())
				if err != nil {
					if !errors.Is(err, ingest.ErrClosed) {
						t.Errorf("Ingest: %v", err)
					}
					return
				}
				mu.Lock()
				stored += n
				mu.Unlock()
				if j == 0 {
					started <- struct{}{}
				}
			}
		}()
	}
	for i := 0; i < writers; i++ {
		<-started
	}
	closeWS()
	wg.Wait()

	ws2, _ := openWorkspace(t, dir)
	if n := countRows(t, ws2, "Syslog", "Computer = 'first'"); n != 1 {
		t.Errorf("%d rows of the first Ingest after reopen, want 1", n)
	}
	if n := countRows(t, ws2, "Syslog", "Computer = 'busy'"); n != stored {
		t.Errorf("%d rows after reopen, want the %d acknowledged", n, stored)
	}
}
