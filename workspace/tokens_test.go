package workspace

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/auth"
	"github.com/goshawk-sec/goshawk/store"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)

	secrets := map[auth.Role]string{}
	tokens := map[auth.Role]auth.Token{}
	for _, r := range auth.Roles {
		secret, tok, err := ws.CreateToken(ctx, r, "tok-"+string(r))
		if err != nil {
			t.Fatalf("CreateToken(%s): %v", r, err)
		}
		if !auth.WellFormed(secret) {
			t.Errorf("CreateToken(%s) secret %q is not well formed", r, secret)
		}
		if tok.Role != r || tok.Name != "tok-"+string(r) || tok.ID == "" || tok.Created.IsZero() {
			t.Errorf("CreateToken(%s) = %+v", r, tok)
		}
		secrets[r], tokens[r] = secret, tok
	}
	_, unnamed, err := ws.CreateToken(ctx, auth.Reader, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(unnamed.Name, "reader-") {
		t.Errorf("unnamed token is named %q, want reader-…", unnamed.Name)
	}
	if _, _, err := ws.CreateToken(ctx, auth.Role("admin"), "x"); err == nil {
		t.Error("CreateToken with an unknown role succeeded")
	}

	check := func(ws *Workspace, when string) {
		t.Helper()
		for r, secret := range secrets {
			got, err := ws.Authenticate(secret)
			if err != nil {
				t.Errorf("%s: Authenticate(%s token) = %v", when, r, err)
				continue
			}
			if got != tokens[r] {
				t.Errorf("%s: Authenticate(%s token) = %+v, want %+v", when, r, got, tokens[r])
			}
		}
	}
	check(ws, "after create")

	fresh, _, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "gsk_", "Bearer " + secrets[auth.Owner], secrets[auth.Owner] + "x", strings.ToUpper(secrets[auth.Owner]), fresh} {
		if tok, err := ws.Authenticate(bad); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q) = %+v, %v; want ErrUnauthenticated", bad, tok, err)
		}
	}

	// Revoke one by id and one by name.
	if got, err := ws.RevokeToken(ctx, tokens[auth.Reader].ID); err != nil || got.ID != tokens[auth.Reader].ID {
		t.Fatalf("RevokeToken(id) = %+v, %v", got, err)
	}
	if got, err := ws.RevokeToken(ctx, "tok-ingestor"); err != nil || got.ID != tokens[auth.Ingestor].ID {
		t.Fatalf("RevokeToken(name) = %+v, %v", got, err)
	}
	if _, err := ws.RevokeToken(ctx, "tok-ingestor"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second RevokeToken = %v, want ErrNotFound", err)
	}
	if _, err := ws.RevokeToken(ctx, "no-such-token"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RevokeToken(unknown) = %v, want ErrNotFound", err)
	}
	revoked := map[auth.Role]string{auth.Reader: secrets[auth.Reader], auth.Ingestor: secrets[auth.Ingestor]}
	delete(secrets, auth.Reader)
	delete(secrets, auth.Ingestor)
	checkRevoked := func(ws *Workspace, when string) {
		t.Helper()
		for r, secret := range revoked {
			if _, err := ws.Authenticate(secret); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("%s: Authenticate(revoked %s token) = %v, want ErrUnauthenticated", when, r, err)
			}
		}
	}
	check(ws, "after revoke")
	checkRevoked(ws, "after revoke")
	list, err := ws.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closeWS()

	ws2, _ := openWorkspace(t, dir)
	check(ws2, "after reopen")
	checkRevoked(ws2, "after reopen")
	list2, err := ws2.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list2) != len(secrets)+1 || len(list2) != len(list) {
		t.Fatalf("Tokens() after reopen lists %d, before %d, want %d", len(list2), len(list), len(secrets)+1)
	}
	for i := range list2 {
		if list2[i] != list[i] {
			t.Errorf("Tokens()[%d] after reopen = %+v, before %+v", i, list2[i], list[i])
		}
		if i > 0 && list2[i].Created.Before(list2[i-1].Created) {
			t.Errorf("Tokens() is not oldest first: %+v before %+v", list2[i-1], list2[i])
		}
		if list2[i].Role == auth.Ingestor {
			t.Errorf("Tokens() lists the revoked %+v", list2[i])
		}
	}
}

// TestCreateTokenRoleCase: a role spelled in another case is stored as the
// canonical role, so the token carries its permissions.
func TestCreateTokenRoleCase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)
	secret, tok, err := ws.CreateToken(ctx, auth.Role("Owner"), "o")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Role != auth.Owner {
		t.Errorf("CreateToken(Owner).Role = %q, want %q", tok.Role, auth.Owner)
	}
	closeWS()
	ws2, _ := openWorkspace(t, dir)
	got, err := ws2.Authenticate(secret)
	if err != nil || got.Role != auth.Owner || !got.Role.Allows(auth.ManageAccess) {
		t.Errorf("Authenticate after reopen = %+v, %v; want an owner token", got, err)
	}
}

// TestTokenDigestStored checks that only the digest of a secret is kept.
func TestTokenDigestStored(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ws, closeWS := openWorkspace(t, dir)
	secret, tok, err := ws.CreateToken(ctx, auth.Owner, "admin")
	if err != nil {
		t.Fatal(err)
	}
	body := secret[len(auth.Prefix):]

	var digest string
	if err := ws.Store().DB().QueryRow("SELECT digest FROM goshawk.tokens WHERE id = ?", tok.ID).Scan(&digest); err != nil {
		t.Fatal(err)
	}
	if digest != auth.Digest(secret) {
		t.Errorf("stored digest = %q, want auth.Digest(secret) = %q", digest, auth.Digest(secret))
	}
	// No column of any token row holds the secret.
	rows, err := ws.Store().DB().Query("SELECT CAST(columns(*) AS VARCHAR) FROM goshawk.tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		vals := make([]*string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if v != nil && strings.Contains(*v, body) {
				t.Errorf("goshawk.tokens.%s holds the secret: %q", cols[i], *v)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	closeWS()

	// Nor does any file of the workspace.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sawDB := false
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sawDB = sawDB || e.Name() == store.FileName
		if bytes.Contains(b, []byte(body)) {
			t.Errorf("%s holds the secret", e.Name())
		}
	}
	if !sawDB {
		t.Errorf("no %s in %s", store.FileName, dir)
	}
}
