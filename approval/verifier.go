package approval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Verifier checks a signed provisioning token and returns the key it
// carries. [*Keyring] is the built-in one; a team plugs tokens from its
// own identity provider with its own Verifier (or a Keyring holding the
// provider's Ed25519 keys and a [ClaimsMapper]).
//
// Verify judges authenticity only. The Gate checks the key's not-before
// and expiry on every call with its own clock and skew ([Key.ValidAt]),
// and its revocation through [Approvals]. Errors should match
// ErrMalformedToken, ErrUnknownKeyID or ErrBadSignature with errors.Is and
// must never contain the token (use [TokenHash]).
type Verifier interface {
	Verify(ctx context.Context, token string) (Key, error)
}

// VerifierFunc adapts a function to [Verifier].
type VerifierFunc func(ctx context.Context, token string) (Key, error)

// Verify calls f.
func (f VerifierFunc) Verify(ctx context.Context, token string) (Key, error) { return f(ctx, token) }

// VerifierEpoch is an optional interface of a [Verifier] whose set of
// accepted tokens can shrink (a signing key removed). The Gate caches
// verifications per token; when Epoch changes it discards them. A
// Verifier without it has its verifications reused for at most
// [ReverifyInterval].
type VerifierEpoch interface {
	Epoch() uint64
}

// TokenError is a token that failed verification. It names the token only
// by [TokenHash]. errors.Is matches Err (ErrMalformedToken,
// ErrUnknownKeyID, ErrBadSignature…).
type TokenError struct {
	Hash   string // short hash of the token
	Reason string
	Err    error
}

// Error names the token by its hash, the sentinel and the reason.
func (e *TokenError) Error() string {
	msg := "approval: token " + e.Hash
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap returns the sentinel.
func (e *TokenError) Unwrap() error { return e.Err }

// TokenHash names a token in errors and logs without revealing it:
// "sha256:" and the first 12 hex digits of its SHA-256.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// DefaultSkew is the clock skew a Gate tolerates by default when judging a
// key's not-before and expiry: 30 seconds.
const DefaultSkew = 30 * time.Second

// ValidAt reports whether the key may be used at now, tolerating skew on
// both bounds: it returns ErrKeyExpired when the key has no ExpiresAt or
// now is at or past ExpiresAt+skew, and ErrKeyNotYetValid when now is
// before NotBefore−skew.
func (k *Key) ValidAt(now time.Time, skew time.Duration) error {
	if k.ExpiresAt.IsZero() || !now.Before(k.ExpiresAt.Add(skew)) {
		return ErrKeyExpired
	}
	if !k.NotBefore.IsZero() && now.Add(skew).Before(k.NotBefore) {
		return ErrKeyNotYetValid
	}
	return nil
}
