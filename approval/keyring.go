package approval

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenAlg is the only signing algorithm accepted or produced.
const tokenAlg = "EdDSA"

// MaxTokenBytes bounds the length of a token: a longer one is refused as
// malformed before it is parsed (by the Keyring and by the Gate, whatever
// the Verifier).
const MaxTokenBytes = 16 << 10

// SigningKey is one Ed25519 key of a [Keyring], named by its key id (the
// JWT "kid" header). PrivateKey is nil for a verify-only key.
type SigningKey struct {
	ID         string
	PublicKey  ed25519.PublicKey
	PrivateKey ed25519.PrivateKey
	Created    time.Time
}

// NewSigningKey generates a fresh Ed25519 signing key. An empty id is
// replaced by a random one.
func NewSigningKey(id string) (*SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("approval: generating signing key: %w", err)
	}
	if id == "" {
		id = "k-" + randomID(8)
	}
	return &SigningKey{ID: id, PublicKey: pub, PrivateKey: priv, Created: time.Now().UTC().Truncate(time.Second)}, nil
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("approval: crypto/rand failed: " + err.Error()) // never returns an error on supported platforms
	}
	return hex.EncodeToString(b)
}

// ClaimsMapper turns the verified claims of a token into a Key. Use one to
// accept tokens from a team's own identity provider whose claim names
// differ from ours (see [MapClaims] for the names this package issues).
// The signature and algorithm are checked before the mapper runs.
type ClaimsMapper func(claims map[string]any) (Key, error)

// KeyringOption configures [NewKeyring] and [ParseKeyring].
type KeyringOption func(*Keyring) error

// WithKeyringClock sets the clock used to stamp issued tokens.
// Default: time.Now.
func WithKeyringClock(c Clock) KeyringOption {
	return func(r *Keyring) error {
		if c == nil {
			return errors.New("approval: WithKeyringClock: nil clock")
		}
		r.clock = c
		return nil
	}
}

// WithClaimsMapper sets how verified claims become a Key.
// Default: [MapClaims].
func WithClaimsMapper(m ClaimsMapper) KeyringOption {
	return func(r *Keyring) error {
		if m == nil {
			return errors.New("approval: WithClaimsMapper: nil mapper")
		}
		r.mapper = m
		return nil
	}
}

// Keyring holds Ed25519 keys by key id: it issues provisioning tokens with
// its signer and verifies tokens signed by any of its keys. It implements
// [Verifier]. Removing a key advances its [Keyring.Epoch], so a Gate drops
// verifications it cached under the old set. Safe for concurrent use.
type Keyring struct {
	mu     sync.RWMutex
	keys   map[string]*SigningKey
	signer string
	epoch  atomic.Uint64
	clock  Clock
	mapper ClaimsMapper
	parser *jwt.Parser
}

// NewKeyring returns an empty keyring.
func NewKeyring(opts ...KeyringOption) (*Keyring, error) {
	r := &Keyring{
		keys:   make(map[string]*SigningKey),
		clock:  ClockFunc(time.Now),
		mapper: MapClaims,
		// Time claims are checked by the caller (the Gate) on every use,
		// with its own clock and skew; the parser checks structure,
		// algorithm and signature only.
		parser: jwt.NewParser(jwt.WithValidMethods([]string{tokenAlg}), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding()),
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("approval: nil KeyringOption")
		}
		if err := o(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add adds a key. The first key with a private part becomes the signer.
func (r *Keyring) Add(k *SigningKey) error {
	if k == nil || k.ID == "" {
		return errors.New("approval: keyring: key without id")
	}
	if len(k.PublicKey) != ed25519.PublicKeySize {
		return fmt.Errorf("approval: keyring: key %q: public key is not Ed25519", k.ID)
	}
	if k.PrivateKey != nil {
		if len(k.PrivateKey) != ed25519.PrivateKeySize {
			return fmt.Errorf("approval: keyring: key %q: private key is not Ed25519", k.ID)
		}
		if !bytes.Equal(k.PrivateKey.Public().(ed25519.PublicKey), k.PublicKey) {
			return fmt.Errorf("approval: keyring: key %q: private and public parts differ", k.ID)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.keys[k.ID]; dup {
		return fmt.Errorf("approval: keyring: duplicate key id %q", k.ID)
	}
	c := *k
	r.keys[k.ID] = &c
	if r.signer == "" && k.PrivateKey != nil {
		r.signer = k.ID
	}
	return nil
}

// Remove removes a key; tokens it signed no longer verify.
func (r *Keyring) Remove(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.keys[id]; !ok {
		return false
	}
	delete(r.keys, id)
	if r.signer == id {
		r.signer = ""
	}
	r.epoch.Add(1)
	return true
}

// SetSigner selects the key that signs issued tokens (rotation: add the new
// key, make it the signer, remove the old one once its tokens expired).
func (r *Keyring) SetSigner(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.keys[id]
	if !ok {
		return fmt.Errorf("approval: keyring: no key %q", id)
	}
	if k.PrivateKey == nil {
		return fmt.Errorf("approval: keyring: key %q has no private part", id)
	}
	r.signer = id
	return nil
}

// Signer returns the id of the signing key ("" if none).
func (r *Keyring) Signer() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.signer
}

// KeyIDs returns the ids of all keys, sorted.
func (r *Keyring) KeyIDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.keys))
	for id := range r.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Epoch increases whenever a key is removed. See [VerifierEpoch].
func (r *Keyring) Epoch() uint64 { return r.epoch.Load() }

// TokenSpec describes a provisioning token to issue.
type TokenSpec struct {
	ID        string // key id (jti), used for revocation; random when empty
	Subject   string // who holds the key
	Role      string
	Scopes    []string
	Labels    map[string]string
	Session   string
	TTL       time.Duration // required, > 0
	NotBefore time.Time     // optional
	IssuedAt  time.Time     // default: the keyring's clock
}

// Claim names of issued tokens, beside the registered jti, sub, iat, nbf, exp.
const (
	ClaimRole    = "role"
	ClaimScopes  = "scopes"
	ClaimLabels  = "labels"
	ClaimSession = "session"
)

// Issue signs a provisioning token with the signer key.
func (r *Keyring) Issue(spec TokenSpec) (string, error) {
	if spec.TTL <= 0 {
		return "", errors.New("approval: issue: TTL must be positive (every key expires)")
	}
	r.mu.RLock()
	sk := r.keys[r.signer]
	r.mu.RUnlock()
	if sk == nil || sk.PrivateKey == nil {
		return "", errors.New("approval: issue: keyring has no signing key")
	}
	iat := spec.IssuedAt
	if iat.IsZero() {
		iat = r.clock.Now()
	}
	iat = iat.Truncate(time.Second)
	id := spec.ID
	if id == "" {
		id = randomID(12)
	}
	claims := jwt.MapClaims{
		"jti": id,
		"iat": iat.Unix(),
		"exp": iat.Add(spec.TTL).Unix(),
	}
	if spec.Subject != "" {
		claims["sub"] = spec.Subject
	}
	if !spec.NotBefore.IsZero() {
		claims["nbf"] = spec.NotBefore.Unix()
	}
	if spec.Role != "" {
		claims[ClaimRole] = spec.Role
	}
	if len(spec.Scopes) > 0 {
		claims[ClaimScopes] = spec.Scopes
	}
	if len(spec.Labels) > 0 {
		claims[ClaimLabels] = spec.Labels
	}
	if spec.Session != "" {
		claims[ClaimSession] = spec.Session
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = sk.ID
	s, err := t.SignedString(sk.PrivateKey)
	if err != nil {
		return "", fmt.Errorf("approval: issue: %w", err)
	}
	return s, nil
}

// Verify checks a token's algorithm (EdDSA only), key id and signature, and
// maps its claims to a Key. It does not judge time: the caller checks
// [Key.ValidAt] (the Gate does so on every call). Errors are *TokenError
// matching ErrMalformedToken, ErrUnknownKeyID or ErrBadSignature.
func (r *Keyring) Verify(_ context.Context, token string) (Key, error) {
	if len(token) > MaxTokenBytes {
		return Key{}, &TokenError{Hash: TokenHash(token), Err: ErrMalformedToken, Reason: "longer than MaxTokenBytes"}
	}
	var kidErr error
	claims := jwt.MapClaims{}
	_, err := r.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, ok := t.Header["kid"].(string)
		if !ok || kid == "" {
			kidErr = ErrMalformedToken
			return nil, kidErr
		}
		r.mu.RLock()
		k := r.keys[kid]
		r.mu.RUnlock()
		if k == nil {
			kidErr = ErrUnknownKeyID
			return nil, kidErr
		}
		return k.PublicKey, nil
	})
	if err != nil {
		return Key{}, classifyJWTError(token, err, kidErr)
	}
	key, err := r.mapper(claims)
	if err != nil {
		te := &TokenError{Hash: TokenHash(token), Err: ErrMalformedToken, Reason: "claims: " + err.Error()}
		var inner *TokenError
		if errors.As(err, &inner) {
			te.Reason = inner.Reason
			te.Err = inner.Err
		}
		return Key{}, te
	}
	if key.ID == "" {
		return Key{}, &TokenError{Hash: TokenHash(token), Err: ErrMalformedToken, Reason: "no key id (jti) claim"}
	}
	if key.ExpiresAt.IsZero() {
		return Key{}, &TokenError{Hash: TokenHash(token), Err: ErrMalformedToken, Reason: "no expiry (exp) claim"}
	}
	return key, nil
}

func classifyJWTError(token string, err, kidErr error) error {
	te := &TokenError{Hash: TokenHash(token)}
	switch {
	case kidErr == ErrUnknownKeyID:
		te.Err, te.Reason = ErrUnknownKeyID, "signed by a key id not in the keyring"
	case kidErr == ErrMalformedToken:
		te.Err, te.Reason = ErrMalformedToken, "no kid header"
	case errors.Is(err, jwt.ErrTokenMalformed):
		te.Err, te.Reason = ErrMalformedToken, "not a well-formed JWT"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		te.Err, te.Reason = ErrBadSignature, "signature or algorithm invalid (only EdDSA is accepted)"
	default:
		te.Err, te.Reason = ErrMalformedToken, "unreadable token"
	}
	return te
}
