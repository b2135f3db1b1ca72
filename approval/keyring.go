package approval

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenAlg is the only signing algorithm accepted or produced.
const tokenAlg = "EdDSA"

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

// MapClaims is the default [ClaimsMapper]: jti → ID, sub → Subject,
// iat/nbf/exp → IssuedAt/NotBefore/ExpiresAt (NumericDate seconds), and
// role, scopes (list of strings), labels (map of strings), session.
// A claim of the wrong type is an error.
func MapClaims(c map[string]any) (Key, error) {
	var k Key
	var err error
	if k.ID, err = claimString(c, "jti"); err != nil {
		return Key{}, err
	}
	if k.Subject, err = claimString(c, "sub"); err != nil {
		return Key{}, err
	}
	if k.Role, err = claimString(c, ClaimRole); err != nil {
		return Key{}, err
	}
	if k.Session, err = claimString(c, ClaimSession); err != nil {
		return Key{}, err
	}
	for _, tc := range []struct {
		name string
		dst  *time.Time
	}{{"iat", &k.IssuedAt}, {"nbf", &k.NotBefore}, {"exp", &k.ExpiresAt}} {
		if *tc.dst, err = ClaimTime(c, tc.name); err != nil {
			return Key{}, err
		}
	}
	if v, ok := c[ClaimScopes]; ok && v != nil {
		list, ok := v.([]any)
		if !ok {
			return Key{}, fmt.Errorf("claim %q: want a list of strings", ClaimScopes)
		}
		k.Scopes = make([]string, len(list))
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				return Key{}, fmt.Errorf("claim %q: want a list of strings", ClaimScopes)
			}
			k.Scopes[i] = s
		}
	}
	if v, ok := c[ClaimLabels]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return Key{}, fmt.Errorf("claim %q: want a map of strings", ClaimLabels)
		}
		k.Labels = make(map[string]string, len(m))
		for name, e := range m {
			s, ok := e.(string)
			if !ok {
				return Key{}, fmt.Errorf("claim %q: want a map of strings", ClaimLabels)
			}
			k.Labels[name] = s
		}
	}
	return k, nil
}

func claimString(c map[string]any, name string) (string, error) {
	v, ok := c[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("claim %q: want a string", name)
	}
	return s, nil
}

// ClaimTime reads a NumericDate claim (seconds since the epoch, as a JSON
// number) for use in a custom [ClaimsMapper]. A missing claim is the zero time.
func ClaimTime(c map[string]any, name string) (time.Time, error) {
	v, ok := c[name]
	if !ok || v == nil {
		return time.Time{}, nil
	}
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return time.Time{}, fmt.Errorf("claim %q: want a number", name)
		}
	default:
		return time.Time{}, fmt.Errorf("claim %q: want a number", name)
	}
	if f < 0 || f > 1<<40 || f != f {
		return time.Time{}, fmt.Errorf("claim %q: out of range", name)
	}
	return time.Unix(int64(f), 0).UTC(), nil
}

// keyFile is the JSON form of a keyring.
type keyFile struct {
	Signer string        `json:"signer,omitempty"`
	Keys   []keyFileItem `json:"keys"`
}

type keyFileItem struct {
	ID      string    `json:"kid"`
	Alg     string    `json:"alg"`
	Public  string    `json:"public"`            // base64url, no padding
	Private string    `json:"private,omitempty"` // base64url seed (32 bytes)
	Created time.Time `json:"created,omitzero"`
}

// ExportJSON writes the keyring as JSON; private parts only when
// includePrivate (share the public form with verifying services).
func (r *Keyring) ExportJSON(includePrivate bool) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f := keyFile{Keys: []keyFileItem{}}
	if includePrivate {
		f.Signer = r.signer
	}
	for _, id := range sortedIDs(r.keys) {
		k := r.keys[id]
		it := keyFileItem{ID: k.ID, Alg: tokenAlg, Public: base64.RawURLEncoding.EncodeToString(k.PublicKey), Created: k.Created}
		if includePrivate && k.PrivateKey != nil {
			it.Private = base64.RawURLEncoding.EncodeToString(k.PrivateKey.Seed())
		}
		f.Keys = append(f.Keys, it)
	}
	return json.MarshalIndent(f, "", "  ")
}

// pemKeyID is the PEM header naming a block's key id; pemSigner marks the signer.
const (
	pemKeyID  = "Key-Id"
	pemSigner = "Signer"
)

// ExportPEM writes the keyring as PEM blocks (PKCS #8 "PRIVATE KEY" or PKIX
// "PUBLIC KEY"), each with a Key-Id header; the signer's block has
// "Signer: true".
func (r *Keyring) ExportPEM(includePrivate bool) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var buf bytes.Buffer
	for _, id := range sortedIDs(r.keys) {
		k := r.keys[id]
		var b *pem.Block
		if includePrivate && k.PrivateKey != nil {
			der, err := x509.MarshalPKCS8PrivateKey(k.PrivateKey)
			if err != nil {
				return nil, err
			}
			b = &pem.Block{Type: "PRIVATE KEY", Bytes: der, Headers: map[string]string{pemKeyID: k.ID}}
			if id == r.signer {
				b.Headers[pemSigner] = "true"
			}
		} else {
			der, err := x509.MarshalPKIXPublicKey(k.PublicKey)
			if err != nil {
				return nil, err
			}
			b = &pem.Block{Type: "PUBLIC KEY", Bytes: der, Headers: map[string]string{pemKeyID: k.ID}}
		}
		if err := pem.Encode(&buf, b); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

func sortedIDs(m map[string]*SigningKey) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ParseKeyring reads a keyring written by [Keyring.ExportJSON] or
// [Keyring.ExportPEM] (the format is detected).
func ParseKeyring(data []byte, opts ...KeyringOption) (*Keyring, error) {
	r, err := NewKeyring(opts...)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		return r, r.parseJSON(trimmed)
	}
	return r, r.parsePEM(trimmed)
}

// LoadKeyring reads a keyring file (JSON or PEM).
func LoadKeyring(path string, opts ...KeyringOption) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("approval: keyring: %w", err)
	}
	r, err := ParseKeyring(data, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func (r *Keyring) parseJSON(data []byte) error {
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("approval: keyring JSON: %w", err)
	}
	for _, it := range f.Keys {
		if it.Alg != tokenAlg {
			return fmt.Errorf("approval: keyring: key %q: algorithm %q (only %s)", it.ID, it.Alg, tokenAlg)
		}
		pub, err := base64.RawURLEncoding.DecodeString(it.Public)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return fmt.Errorf("approval: keyring: key %q: bad public key", it.ID)
		}
		sk := &SigningKey{ID: it.ID, PublicKey: pub, Created: it.Created}
		if it.Private != "" {
			seed, err := base64.RawURLEncoding.DecodeString(it.Private)
			if err != nil || len(seed) != ed25519.SeedSize {
				return fmt.Errorf("approval: keyring: key %q: bad private key", it.ID)
			}
			sk.PrivateKey = ed25519.NewKeyFromSeed(seed)
		}
		if err := r.Add(sk); err != nil {
			return err
		}
	}
	if f.Signer != "" {
		return r.SetSigner(f.Signer)
	}
	return nil
}

func (r *Keyring) parsePEM(data []byte) error {
	signer := ""
	n := 0
	for len(bytes.TrimSpace(data)) > 0 {
		b, rest := pem.Decode(data)
		if b == nil {
			return errors.New("approval: keyring: neither JSON nor PEM")
		}
		data = rest
		n++
		id := b.Headers[pemKeyID]
		if id == "" {
			return fmt.Errorf("approval: keyring: PEM block %d has no %s header", n, pemKeyID)
		}
		sk := &SigningKey{ID: id}
		switch b.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return fmt.Errorf("approval: keyring: key %q: %w", id, err)
			}
			priv, ok := k.(ed25519.PrivateKey)
			if !ok {
				return fmt.Errorf("approval: keyring: key %q is not Ed25519", id)
			}
			sk.PrivateKey, sk.PublicKey = priv, priv.Public().(ed25519.PublicKey)
			if b.Headers[pemSigner] == "true" {
				signer = id
			}
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return fmt.Errorf("approval: keyring: key %q: %w", id, err)
			}
			pub, ok := k.(ed25519.PublicKey)
			if !ok {
				return fmt.Errorf("approval: keyring: key %q is not Ed25519", id)
			}
			sk.PublicKey = pub
		default:
			return fmt.Errorf("approval: keyring: unexpected PEM block %q", b.Type)
		}
		if err := r.Add(sk); err != nil {
			return err
		}
	}
	if n == 0 {
		return errors.New("approval: keyring: no keys")
	}
	if signer != "" {
		return r.SetSigner(signer)
	}
	return nil
}
