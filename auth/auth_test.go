package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseRole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Role
	}{
		{"reader", Reader},
		{"Reader", Reader},
		{"INGESTOR", Ingestor},
		{" responder ", Responder},
		{"Contributor", Contributor},
		{"owner", Owner},
	} {
		got, err := ParseRole(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRole(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "admin", "read", "owners", "reader,owner"} {
		if got, err := ParseRole(in); err == nil {
			t.Errorf("ParseRole(%q) = %q, want an error", in, got)
		}
	}
	for _, r := range Roles {
		if got, err := ParseRole(string(r)); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v: a listed role does not parse", r, got, err)
		}
	}
}

// TestPermissions is the role × permission matrix as the role comments
// state it: reader queries; ingestor only ingests; responder queries and
// responds; contributor adds content management and ingestion; owner adds
// access management.
func TestPermissions(t *testing.T) {
	perms := []Permission{Query, Ingest, Respond, ManageContent, ManageAccess}
	want := map[Role]map[Permission]bool{
		Reader:      {Query: true},
		Ingestor:    {Ingest: true},
		Responder:   {Query: true, Respond: true},
		Contributor: {Query: true, Respond: true, ManageContent: true, Ingest: true},
		Owner:       {Query: true, Respond: true, ManageContent: true, Ingest: true, ManageAccess: true},
	}
	if len(want) != len(Roles) {
		t.Fatalf("the matrix covers %d roles, Roles lists %d", len(want), len(Roles))
	}
	for _, r := range Roles {
		for _, p := range perms {
			if got := r.Allows(p); got != want[r][p] {
				t.Errorf("%s.Allows(%s) = %v, want %v", r, p, got, want[r][p])
			}
		}
	}
	for _, p := range perms {
		if Role("").Allows(p) || Role("admin").Allows(p) {
			t.Errorf("an unknown role is allowed %s", p)
		}
		if p.String() == "" {
			t.Errorf("Permission(%d) has no name", int(p))
		}
	}
}

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		secret, digest, err := NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, Prefix) || len(secret) != len(Prefix)+43 {
			t.Fatalf("NewSecret() = %q, want %s followed by 43 characters", secret, Prefix)
		}
		b, err := base64.RawURLEncoding.DecodeString(secret[len(Prefix):])
		if err != nil || len(b) != 32 {
			t.Fatalf("NewSecret() = %q: body decodes to %d bytes, %v; want 32 bytes of base64url", secret, len(b), err)
		}
		if !WellFormed(secret) {
			t.Errorf("WellFormed(%q) = false for a new secret", secret)
		}
		if digest != Digest(secret) {
			t.Errorf("NewSecret digest %q != Digest(secret) %q", digest, Digest(secret))
		}
		if strings.Contains(digest, secret[len(Prefix):]) {
			t.Errorf("digest %q contains the secret", digest)
		}
		if seen[secret] {
			t.Fatalf("NewSecret repeated %q", secret)
		}
		seen[secret] = true
	}
}

func TestWellFormed(t *testing.T) {
	good, _, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	body := good[len(Prefix):]
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{good, true},
		{Prefix + strings.Repeat("A", 43), true},
		{Prefix + strings.Repeat("-", 42) + "A", true},
		{"", false},
		{Prefix, false},
		{body, false},                             // no prefix
		{"GSK_" + body, false},                    // prefix is case-sensitive
		{"xyz_" + body, false},                    // another prefix
		{good[:len(good)-1], false},               // one character short
		{good + "A", false},                       // one character long
		{Prefix + strings.Repeat("+", 43), false}, // standard, not URL, alphabet
		{Prefix + strings.Repeat("A", 42) + "=", false},
		{Prefix + strings.Repeat("A", 42) + " ", false},
		{"Bearer " + good, false},
	} {
		if got := WellFormed(tc.in); got != tc.want {
			t.Errorf("WellFormed(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestDigest(t *testing.T) {
	const s = "gsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	// The hex SHA-256 of s: the stored form must not change, or every
	// token issued before the change stops working.
	const want = "f8a1fc003e9e877db26868839be891f91d7fde6f7086c5c50e5c0f048fa6f712"
	if got := Digest(s); got != want {
		t.Errorf("Digest(%q) = %q, want %q", s, got, want)
	}
	if Digest(s[:len(s)-1]+"B") == want {
		t.Error("different secrets have the same digest")
	}
}
