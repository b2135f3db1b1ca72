package approvaltest

import (
	"context"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// Key returns a provisioning key for role, valid from an hour before
// [Epoch] to a day after it, with id "test-<role>", subject "test" and
// session "test-session". A Kit built from a policy starts its clock at
// Epoch; for a Gate of your own, give it approvaltest.NewClock(Epoch), or
// use [KeyAt] (time.Now() for a Gate on the wall clock). Use [Kit.Key] for
// a key valid at a Kit clock's current time.
func Key(role string) approval.Key { return keyAt(role, Epoch) }

// KeyAt is [Key] valid around now instead of Epoch: issued an hour before
// now, expiring a day after it.
func KeyAt(role string, now time.Time) approval.Key { return keyAt(role, now) }

// ExpiredKey returns a key for role that expired an hour before [Epoch]
// (well beyond the Gate's default clock skew).
func ExpiredKey(role string) approval.Key {
	k := keyAt(role, Epoch.Add(-25*time.Hour))
	return k
}

func keyAt(role string, now time.Time) approval.Key {
	return approval.Key{
		ID:        "test-" + role,
		Subject:   "test",
		Role:      role,
		Session:   "test-session",
		IssuedAt:  now.Add(-time.Hour),
		ExpiresAt: now.Add(24 * time.Hour),
	}
}

// Ctx returns a background context carrying key.
func Ctx(key approval.Key) context.Context {
	return approval.WithKey(context.Background(), key)
}

// SigningKeyID is the key id of the signing key of keyrings made by
// [NewKeyring].
const SigningKeyID = "approvaltest"

// NewKeyring returns a throwaway keyring with one fresh Ed25519 signing key
// (id [SigningKeyID]) whose issued tokens are stamped by clock (the wall
// clock when nil).
func NewKeyring(tb testing.TB, clock approval.Clock) *approval.Keyring {
	tb.Helper()
	var opts []approval.KeyringOption
	if clock != nil {
		opts = append(opts, approval.WithKeyringClock(clock))
	}
	kr, err := approval.NewKeyring(opts...)
	if err != nil {
		tb.Fatalf("approvaltest: NewKeyring: %v", err)
	}
	sk, err := approval.NewSigningKey(SigningKeyID)
	if err != nil {
		tb.Fatalf("approvaltest: NewSigningKey: %v", err)
	}
	if err := kr.Add(sk); err != nil {
		tb.Fatalf("approvaltest: Keyring.Add: %v", err)
	}
	return kr
}

// Token issues a signed token for role from kr, valid for ttl from the
// keyring's clock, with id "test-<role>", subject "test" and session
// "test-session".
func Token(tb testing.TB, kr *approval.Keyring, role string, ttl time.Duration) string {
	tb.Helper()
	tok, err := kr.Issue(approval.TokenSpec{
		ID: "test-" + role, Subject: "test", Role: role, Session: "test-session", TTL: ttl,
	})
	if err != nil {
		tb.Fatalf("approvaltest: issuing a token: %v", err)
	}
	return tok
}
