// Package auth defines who may do what in a workspace: roles, the
// permissions each grants, and the bearer tokens that carry a role.
//
// A token is "gsk_" followed by 43 characters of base64url (256 random
// bits). Only its SHA-256 digest is stored; since the secret is random and
// long, a fast digest is as strong as a password hash would be and lets a
// request be authenticated with one map lookup.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is a named set of permissions.
type Role string

// The roles, from least to most privileged. Ingestor stands apart: it may
// only write data.
const (
	Reader      Role = "reader"
	Ingestor    Role = "ingestor"
	Responder   Role = "responder"
	Contributor Role = "contributor"
	Owner       Role = "owner"
)

// Roles lists every role.
var Roles = []Role{Reader, Ingestor, Responder, Contributor, Owner}

// Permission is one kind of action.
type Permission int

// Permissions.
const (
	// Query reads logs and workspace state.
	Query Permission = iota
	// Ingest writes log rows.
	Ingest
	// Respond runs response actions on devices.
	Respond
	// ManageContent creates and changes tables, collection rules,
	// analytics rules and other content.
	ManageContent
	// ManageAccess creates and revokes tokens.
	ManageAccess
)

var permissionNames = map[Permission]string{
	Query: "query", Ingest: "ingest", Respond: "respond", ManageContent: "manage content", ManageAccess: "manage access",
}

func (p Permission) String() string { return permissionNames[p] }

var grants = map[Role][]Permission{
	Reader:      {Query},
	Ingestor:    {Ingest},
	Responder:   {Query, Respond},
	Contributor: {Query, Respond, ManageContent, Ingest},
	Owner:       {Query, Respond, ManageContent, Ingest, ManageAccess},
}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := grants[r]; !ok {
		return "", fmt.Errorf("unknown role %q (roles: reader, ingestor, responder, contributor, owner)", s)
	}
	return r, nil
}

// Allows reports whether the role grants p.
func (r Role) Allows(p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}

// Token describes an issued token; the secret itself is never kept.
type Token struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    Role      `json:"role"`
	Created time.Time `json:"created"`
}

// Prefix starts every token, so that secret scanners can find leaked ones.
const Prefix = "gsk_"

// ErrUnauthenticated is returned for a missing, malformed, unknown or
// revoked token. It never says which, so as not to help a guesser.
var ErrUnauthenticated = errors.New("invalid or missing credentials")

// NewSecret returns a fresh token secret and its digest.
func NewSecret() (secret, digest string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = Prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, Digest(secret), nil
}

// Digest is the stored form of a secret.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// WellFormed reports whether s looks like a token, so that obviously wrong
// credentials are refused before any lookup.
func WellFormed(s string) bool {
	if !strings.HasPrefix(s, Prefix) || len(s) != len(Prefix)+43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s[len(Prefix):])
	return err == nil
}
