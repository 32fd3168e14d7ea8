package workspace

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/goshawk-sec/goshawk/auth"
)

// ErrNotFound is returned for an unknown token, table or rule.
var ErrNotFound = errors.New("not found")

func (w *Workspace) loadTokens(ctx context.Context) error {
	rows, err := w.store.DB().QueryContext(ctx, "SELECT id, name, role, digest, created FROM goshawk.tokens WHERE revoked IS NULL")
	if err != nil {
		return fmt.Errorf("load tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t auth.Token
		var digest, role string
		if err := rows.Scan(&t.ID, &t.Name, &role, &digest, &t.Created); err != nil {
			return fmt.Errorf("load tokens: %w", err)
		}
		t.Role = auth.Role(role)
		t.Created = t.Created.UTC()
		w.tokens[digest] = t
	}
	return rows.Err()
}

// CreateToken issues a token with role and returns its secret, which is
// shown once and never stored.
func (w *Workspace) CreateToken(ctx context.Context, role auth.Role, name string) (string, auth.Token, error) {
	// Store the canonical spelling: ParseRole accepts "Owner", but only
	// "owner" grants anything.
	role, err := auth.ParseRole(string(role))
	if err != nil {
		return "", auth.Token{}, err
	}
	secret, digest, err := auth.NewSecret()
	if err != nil {
		return "", auth.Token{}, err
	}
	t := auth.Token{ID: uuid.NewString(), Name: name, Role: role, Created: time.Now().UTC().Truncate(time.Microsecond)}
	if t.Name == "" {
		t.Name = string(role) + "-" + t.ID[:8]
	}
	if _, err := w.store.DB().ExecContext(ctx, "INSERT INTO goshawk.tokens (id, name, role, digest, created) VALUES (?, ?, ?, ?, ?)",
		t.ID, t.Name, string(t.Role), digest, t.Created); err != nil {
		return "", auth.Token{}, fmt.Errorf("create token: %w", err)
	}
	w.mu.Lock()
	w.tokens[digest] = t
	w.mu.Unlock()
	return secret, t, nil
}

// Tokens lists the tokens in force, oldest first.
func (w *Workspace) Tokens(ctx context.Context) ([]auth.Token, error) {
	w.mu.RLock()
	out := make([]auth.Token, 0, len(w.tokens))
	for _, t := range w.tokens {
		out = append(out, t)
	}
	w.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// RevokeToken withdraws the token with the given id (or name).
func (w *Workspace) RevokeToken(ctx context.Context, idOrName string) (auth.Token, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for digest, t := range w.tokens {
		if t.ID != idOrName && t.Name != idOrName {
			continue
		}
		if _, err := w.store.DB().ExecContext(ctx, "UPDATE goshawk.tokens SET revoked = ? WHERE id = ?", time.Now().UTC(), t.ID); err != nil {
			return auth.Token{}, fmt.Errorf("revoke token: %w", err)
		}
		delete(w.tokens, digest)
		return t, nil
	}
	return auth.Token{}, fmt.Errorf("token %q: %w", idOrName, ErrNotFound)
}

// Authenticate returns the token a secret belongs to, or
// auth.ErrUnauthenticated.
func (w *Workspace) Authenticate(secret string) (auth.Token, error) {
	if !auth.WellFormed(secret) {
		return auth.Token{}, auth.ErrUnauthenticated
	}
	w.mu.RLock()
	t, ok := w.tokens[auth.Digest(secret)]
	w.mu.RUnlock()
	if !ok {
		return auth.Token{}, auth.ErrUnauthenticated
	}
	return t, nil
}
