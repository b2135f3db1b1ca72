package approval

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"
)

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
