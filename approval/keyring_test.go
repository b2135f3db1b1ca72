package approval

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// mustKeyring returns a keyring with one signing key "k1" and a clock at t0.
func mustKeyring(tb testing.TB, ids ...string) *Keyring {
	tb.Helper()
	r, err := NewKeyring(WithKeyringClock(ClockFunc(func() time.Time { return t0 })))
	if err != nil {
		tb.Fatal(err)
	}
	if len(ids) == 0 {
		ids = []string{"k1"}
	}
	for _, id := range ids {
		sk, err := NewSigningKey(id)
		if err != nil {
			tb.Fatal(err)
		}
		if err := r.Add(sk); err != nil {
			tb.Fatal(err)
		}
	}
	return r
}

func mustIssue(tb testing.TB, r *Keyring, spec TokenSpec) string {
	tb.Helper()
	tok, err := r.Issue(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func TestKeyringIssueVerify(t *testing.T) {
	r := mustKeyring(t)
	tok := mustIssue(t, r, TokenSpec{ID: "key-7", Subject: "alice", Role: "analyst", Scopes: []string{"read", "export"},
		Labels: map[string]string{"tenant": "acme"}, Session: "s9", TTL: 8 * time.Hour, NotBefore: t0.Add(-time.Minute)})
	k, err := r.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID != "key-7" || k.Subject != "alice" || k.Role != "analyst" || strings.Join(k.Scopes, ",") != "read,export" ||
		k.Labels["tenant"] != "acme" || k.Session != "s9" || !k.IssuedAt.Equal(t0) || !k.ExpiresAt.Equal(t0.Add(8*time.Hour)) ||
		!k.NotBefore.Equal(t0.Add(-time.Minute)) {
		t.Errorf("key = %+v", k)
	}
	if _, err := r.Issue(TokenSpec{Role: "x"}); err == nil {
		t.Error("issued a token without TTL")
	}
}

// forge signs arbitrary claims and header with any method and key.
func forge(tb testing.TB, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	tb.Helper()
	tk := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tk.Header["kid"] = kid
	}
	s, err := tk.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestKeyringVerifyFailures(t *testing.T) {
	r := mustKeyring(t)
	good := mustIssue(t, r, TokenSpec{ID: "id1", Role: "app", TTL: time.Hour})
	other := mustKeyring(t, "k1") // same kid, different key
	claims := func() jwt.MapClaims {
		return jwt.MapClaims{"jti": "x", "exp": t0.Add(time.Hour).Unix(), "iat": t0.Unix()}
	}
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 1
	tampered := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	// A payload changed under the original signature.
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"jti":"id1","role":"admin","exp":4102444800}`))
	swapped := parts[0] + "." + payload + "." + parts[2]

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"empty", "", ErrMalformedToken},
		{"huge", good + strings.Repeat("A", MaxTokenBytes), ErrMalformedToken},
		{"garbage", "not-a-token", ErrMalformedToken},
		{"two parts", parts[0] + "." + parts[1], ErrMalformedToken},
		{"bad base64", parts[0] + ".%%%." + parts[2], ErrMalformedToken},
		{"tampered signature", tampered, ErrBadSignature},
		{"swapped payload", swapped, ErrBadSignature},
		{"signed by another key with the same kid", mustIssue(t, other, TokenSpec{ID: "id1", TTL: time.Hour}), ErrBadSignature},
		{"unknown kid", forge(t, jwt.SigningMethodEdDSA, otherPriv, "k-unknown", claims()), ErrUnknownKeyID},
		{"no kid", forge(t, jwt.SigningMethodEdDSA, otherPriv, "", claims()), ErrMalformedToken},
		{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", claims()), ErrBadSignature},
		{"alg HS256 with the public key as secret", forge(t, jwt.SigningMethodHS256, []byte(r.keys["k1"].PublicKey), "k1", claims()), ErrBadSignature},
		{"no jti", forge(t, jwt.SigningMethodEdDSA, r.keys["k1"].PrivateKey, "k1", jwt.MapClaims{"exp": t0.Add(time.Hour).Unix()}), ErrMalformedToken},
		{"no exp", forge(t, jwt.SigningMethodEdDSA, r.keys["k1"].PrivateKey, "k1", jwt.MapClaims{"jti": "x"}), ErrMalformedToken},
		{"scopes not strings", forge(t, jwt.SigningMethodEdDSA, r.keys["k1"].PrivateKey, "k1", jwt.MapClaims{"jti": "x", "exp": t0.Unix(), "scopes": []int{1}}), ErrMalformedToken},
		{"exp not a number", forge(t, jwt.SigningMethodEdDSA, r.keys["k1"].PrivateKey, "k1", jwt.MapClaims{"jti": "x", "exp": "soon"}), ErrMalformedToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Verify(context.Background(), tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var te *TokenError
			if !errors.As(err, &te) || te.Hash != TokenHash(tc.token) {
				t.Errorf("err %v is not a *TokenError naming the token's hash", err)
			}
			if len(tc.token) > 12 && strings.Contains(err.Error(), tc.token[len(tc.token)-12:]) {
				t.Errorf("error quotes the token: %v", err)
			}
		})
	}
}

func TestKeyringExportImport(t *testing.T) {
	r := mustKeyring(t, "k1", "k2")
	if err := r.SetSigner("k2"); err != nil {
		t.Fatal(err)
	}
	tok := mustIssue(t, r, TokenSpec{ID: "i", TTL: time.Hour})
	for _, format := range []string{"json", "pem"} {
		for _, private := range []bool{true, false} {
			name := format
			if !private {
				name += "-public"
			}
			t.Run(name, func(t *testing.T) {
				var data []byte
				var err error
				if format == "json" {
					data, err = r.ExportJSON(private)
				} else {
					data, err = r.ExportPEM(private)
				}
				if err != nil {
					t.Fatal(err)
				}
				back, err := ParseKeyring(data)
				if err != nil {
					t.Fatalf("ParseKeyring: %v\n%s", err, data)
				}
				if got := strings.Join(back.KeyIDs(), ","); got != "k1,k2" {
					t.Errorf("key ids %s", got)
				}
				if _, err := back.Verify(context.Background(), tok); err != nil {
					t.Errorf("imported keyring does not verify: %v", err)
				}
				_, issueErr := back.Issue(TokenSpec{TTL: time.Hour})
				if private && (back.Signer() != "k2" || issueErr != nil) {
					t.Errorf("signer %q, issue error %v", back.Signer(), issueErr)
				}
				if !private && (back.Signer() != "" || issueErr == nil || strings.Contains(string(data), "PRIVATE")) {
					t.Errorf("public export carries a signer or private key")
				}
			})
		}
	}
	for name, data := range map[string]string{
		"empty":       "",
		"not pem":     "hello",
		"bad json":    `{"keys":[{"kid":"a","alg":"EdDSA","public":"!!"}]}`,
		"wrong alg":   `{"keys":[{"kid":"a","alg":"RS256","public":"AAAA"}]}`,
		"unknown key": `{"keys":[],"extra":1}`,
		"bad signer":  `{"signer":"zz","keys":[]}`,
	} {
		t.Run("bad "+name, func(t *testing.T) {
			if _, err := ParseKeyring([]byte(data)); err == nil {
				t.Errorf("accepted %q", data)
			}
		})
	}
}

func TestKeyringRotation(t *testing.T) {
	r := mustKeyring(t, "old")
	oldTok := mustIssue(t, r, TokenSpec{ID: "a", TTL: time.Hour})
	nk, _ := NewSigningKey("new")
	if err := r.Add(nk); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(nk); err == nil {
		t.Error("duplicate kid accepted")
	}
	if err := r.SetSigner("new"); err != nil {
		t.Fatal(err)
	}
	newTok := mustIssue(t, r, TokenSpec{ID: "b", TTL: time.Hour})
	e0 := r.Epoch()
	for _, tok := range []string{oldTok, newTok} {
		if _, err := r.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if !r.Remove("old") || r.Epoch() == e0 {
		t.Fatal("Remove did not remove or did not advance the epoch")
	}
	if _, err := r.Verify(context.Background(), oldTok); !errors.Is(err, ErrUnknownKeyID) {
		t.Errorf("old token after removal: %v", err)
	}
	if _, err := r.Verify(context.Background(), newTok); err != nil {
		t.Errorf("new token: %v", err)
	}
}

// countingVerifier counts verifications.
type countingVerifier struct {
	Verifier
	n atomic.Int64
}

func (c *countingVerifier) Verify(ctx context.Context, tok string) (Key, error) {
	c.n.Add(1)
	return c.Verifier.Verify(ctx, tok)
}

func TestGateKeyFailures(t *testing.T) {
	p := mustPolicy(t, "version: k\ndialect: postgres\nrules:\n  - {name: all, effect: allow, when: 'true'}\n")
	r := mustKeyring(t)
	valid := mustIssue(t, r, TokenSpec{ID: "good", Role: "app", TTL: time.Hour})
	expired := mustIssue(t, r, TokenSpec{ID: "exp", TTL: time.Minute, IssuedAt: t0.Add(-time.Hour)})
	future := mustIssue(t, r, TokenSpec{ID: "nbf", TTL: 2 * time.Hour, NotBefore: t0.Add(time.Hour)})
	withinSkew := mustIssue(t, r, TokenSpec{ID: "skew", TTL: 2 * time.Hour, NotBefore: t0.Add(10 * time.Second)})
	revoked := mustIssue(t, r, TokenSpec{ID: "rev", TTL: time.Hour})
	other := mustKeyring(t, "zz")
	unknown := mustIssue(t, other, TokenSpec{ID: "u", TTL: time.Hour})

	tests := []struct {
		name string
		ctx  context.Context
		want error // nil: allowed
	}{
		{"valid token", WithToken(context.Background(), valid), nil},
		{"no key", context.Background(), ErrNoKey},
		{"malformed token", WithToken(context.Background(), "a.b.c"), ErrMalformedToken},
		{"huge token", WithToken(context.Background(), strings.Repeat("a", MaxTokenBytes+1)), ErrMalformedToken},
		{"bad signature", WithToken(context.Background(), valid[:len(valid)-4]+"AAAA"), ErrBadSignature},
		{"unknown kid", WithToken(context.Background(), unknown), ErrUnknownKeyID},
		{"expired token", WithToken(context.Background(), expired), ErrKeyExpired},
		{"token not yet valid", WithToken(context.Background(), future), ErrKeyNotYetValid},
		{"token within skew", WithToken(context.Background(), withinSkew), nil},
		{"revoked token", WithToken(context.Background(), revoked), ErrKeyRevoked},
		{"key struct valid", WithKey(context.Background(), testKey("app")), nil},
		{"key struct expired", WithKey(context.Background(), Key{ID: "e", ExpiresAt: t0.Add(-time.Minute)}), ErrKeyExpired},
		{"key struct without expiry", WithKey(context.Background(), Key{ID: "n"}), ErrKeyExpired},
		{"key struct not yet valid", WithKey(context.Background(), Key{ID: "f", NotBefore: t0.Add(time.Hour), ExpiresAt: t0.Add(2 * time.Hour)}), ErrKeyNotYetValid},
		{"key struct revoked", WithKey(context.Background(), Key{ID: "rev", ExpiresAt: t0.Add(time.Hour)}), ErrKeyRevoked},
		{"key struct without id", WithKey(context.Background(), Key{Role: "app", ExpiresAt: t0.Add(time.Hour)}), ErrNoKey},
		{"token wins over struct", WithToken(WithKey(context.Background(), testKey("app")), expired), ErrKeyExpired},
	}
	apr := &fakeApprovals{revoked: map[string]bool{"rev": true}}
	g := mustGate(t, p, WithClock(newTestClock()), WithKeyring(r), WithApprovals(apr))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := g.Decide(tc.ctx, Request{Statement: stmt("SELECT", true, "t")})
			if tc.want == nil {
				checkDecision(t, d, Allow, "all")
				return
			}
			checkDecision(t, d, Deny, "", ErrDenied, tc.want)
			if tok, ok := TokenFromContext(tc.ctx); ok && len(tok) > 20 && strings.Contains(d.Err.Error(), tok[len(tok)-20:]) {
				t.Errorf("error quotes the token: %v", d.Err)
			}
		})
	}

	t.Run("revocation store down", func(t *testing.T) {
		g := mustGate(t, p, WithClock(newTestClock()), WithApprovals(&fakeApprovals{revErr: errors.New("down")}))
		checkDecision(t, g.Decide(WithKey(context.Background(), testKey("app")), Request{Statement: stmt("SELECT", true, "t")}),
			Deny, "", ErrStoreDown)
	})
	t.Run("token without verifier", func(t *testing.T) {
		g := mustGate(t, p, WithClock(newTestClock()))
		checkDecision(t, g.Decide(WithToken(context.Background(), valid), Request{Statement: stmt("SELECT", true, "t")}),
			Deny, "", ErrUnknownKeyID)
	})
	t.Run("custom verifier errors are classified, never quoted", func(t *testing.T) {
		v := VerifierFunc(func(_ context.Context, tok string) (Key, error) {
			return Key{}, errors.New("idp says no to " + tok)
		})
		g := mustGate(t, p, WithClock(newTestClock()), WithVerifier(v))
		d := g.Decide(WithToken(context.Background(), "secret-token-value"), Request{Statement: stmt("SELECT", true, "t")})
		checkDecision(t, d, Deny, "", ErrMalformedToken)
		if strings.Contains(d.Err.Error(), "secret-token-value") {
			t.Errorf("error quotes the token: %v", d.Err)
		}
	})
}

func TestGateTokenCache(t *testing.T) {
	p := mustPolicy(t, "version: k\ndialect: postgres\nrules:\n  - {name: all, effect: allow, when: 'true'}\n")
	r := mustKeyring(t)
	cv := &countingVerifier{Verifier: r}
	clock := newTestClock()
	apr := &fakeApprovals{revoked: map[string]bool{}}
	g := mustGate(t, p, WithClock(clock), WithVerifier(cv), WithApprovals(apr))
	tok := mustIssue(t, r, TokenSpec{ID: "c", TTL: time.Hour})
	ctx := WithToken(context.Background(), tok)
	req := Request{Statement: stmt("SELECT", true, "t")}
	for range 5 {
		checkDecision(t, g.Decide(ctx, req), Allow, "all")
	}
	if n := cv.n.Load(); n != 1 {
		t.Errorf("%d verifications for 5 calls, want 1", n)
	}
	// Revocation and expiry are still checked on every call.
	apr.mu.Lock()
	apr.revoked["c"] = true
	apr.mu.Unlock()
	checkDecision(t, g.Decide(ctx, req), Deny, "", ErrKeyRevoked)
	apr.mu.Lock()
	apr.revoked["c"] = false
	apr.mu.Unlock()
	clock.Advance(time.Hour + DefaultSkew)
	checkDecision(t, g.Decide(ctx, req), Deny, "", ErrKeyExpired)
	clock.Advance(-time.Hour - DefaultSkew)
	checkDecision(t, g.Decide(ctx, req), Allow, "all")
	// Removing the signing key drops cached verifications (via Epoch):
	// the Gate asks the verifier again, since the countingVerifier does
	// not forward Epoch, use the keyring itself.
	g2 := mustGate(t, p, WithClock(clock), WithKeyring(r))
	checkDecision(t, g2.Decide(ctx, req), Allow, "all")
	r.Remove("k1")
	checkDecision(t, g2.Decide(ctx, req), Deny, "", ErrUnknownKeyID)
}

func TestTokenCacheBounded(t *testing.T) {
	c := newTokenCache(32)
	k := &Key{ExpiresAt: t0.Add(time.Hour)}
	for i := range 1000 {
		c.put(strings.Repeat("x", i%7)+string(rune('a'+i%26))+time.Duration(i).String(), k, 0, t0)
	}
	n := 0
	for i := range c.shards {
		n += len(c.shards[i].m)
	}
	if n > 32+tokenShards {
		t.Errorf("%d entries in a cache of 32", n)
	}
	c.put("t", k, 1, t0)
	if c.get("t", 1) != k || c.get("t", 2) != nil {
		t.Error("epoch not honoured")
	}
}

// TestKeyringClaimsMapper: tokens of a team's own identity provider (signed
// with Ed25519, its own claim names) mapped to keys.
func TestKeyringClaimsMapper(t *testing.T) {
	idp := mustKeyring(t, "idp-2026")
	mapper := func(c map[string]any) (Key, error) {
		k := Key{}
		k.ID, _ = c["jti"].(string)
		k.Subject, _ = c["email"].(string)
		groups, _ := c["groups"].([]any)
		if len(groups) == 0 {
			return Key{}, errors.New("no groups")
		}
		k.Role, _ = groups[0].(string)
		var err error
		if k.ExpiresAt, err = ClaimTime(c, "exp"); err != nil {
			return Key{}, err
		}
		return k, nil
	}
	// The verifying side holds only the provider's public key.
	pub, err := idp.ExportJSON(false)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseKeyring(pub, WithClaimsMapper(mapper))
	if err != nil {
		t.Fatal(err)
	}
	priv := idp.keys["idp-2026"].PrivateKey
	tok := forge(t, jwt.SigningMethodEdDSA, priv, "idp-2026", jwt.MapClaims{
		"jti": "sess-1", "email": "bob@example.com", "groups": []string{"dba", "dev"}, "exp": t0.Add(time.Hour).Unix()})
	k, err := r.Verify(context.Background(), tok)
	if err != nil || k.ID != "sess-1" || k.Subject != "bob@example.com" || k.Role != "dba" || !k.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("key %+v, err %v", k, err)
	}
	noGroups := forge(t, jwt.SigningMethodEdDSA, priv, "idp-2026", jwt.MapClaims{"jti": "s", "exp": t0.Unix()})
	if _, err := r.Verify(context.Background(), noGroups); !errors.Is(err, ErrMalformedToken) || !strings.Contains(err.Error(), "no groups") {
		t.Errorf("mapper error: %v", err)
	}
	if _, err := NewKeyring(WithClaimsMapper(nil)); err == nil {
		t.Error("nil mapper accepted")
	}
	if _, err := NewKeyring(WithKeyringClock(nil)); err == nil {
		t.Error("nil clock accepted")
	}
}

// TestEmptyTokenIsNotAnonymous: an empty token in the context is refused,
// even where anonymous calls are allowed and a key struct is present.
func TestEmptyTokenIsNotAnonymous(t *testing.T) {
	p := mustPolicy(t, "version: k\ndialect: postgres\nanonymous: true\nrules:\n  - {name: all, effect: allow, when: 'true'}\n")
	g := mustGate(t, p, WithClock(newTestClock()), WithKeyring(mustKeyring(t)))
	req := Request{Statement: stmt("SELECT", true, "t")}
	checkDecision(t, g.Decide(context.Background(), req), Allow, "all")
	ctx := WithToken(context.Background(), "")
	checkDecision(t, g.Decide(ctx, req), Deny, "", ErrMalformedToken)
	ctx = WithToken(WithKey(context.Background(), testKey("app")), "")
	checkDecision(t, g.Decide(ctx, req), Deny, "", ErrMalformedToken)
	if _, ok := TokenFromContext(ctx); ok {
		t.Error("TokenFromContext reports an empty token as set")
	}
}

// TestReverifyWithoutEpoch: a verifier without VerifierEpoch is asked
// again once ReverifyInterval has passed.
func TestReverifyWithoutEpoch(t *testing.T) {
	p := mustPolicy(t, "version: k\ndialect: postgres\nrules:\n  - {name: all, effect: allow, when: 'true'}\n")
	r := mustKeyring(t)
	cv := &countingVerifier{Verifier: r} // does not forward Epoch
	clock := newTestClock()
	g := mustGate(t, p, WithClock(clock), WithVerifier(cv))
	ctx := WithToken(context.Background(), mustIssue(t, r, TokenSpec{ID: "c", TTL: time.Hour, IssuedAt: clock.Now()}))
	req := Request{Statement: stmt("SELECT", true, "t")}
	for range 3 {
		checkDecision(t, g.Decide(ctx, req), Allow, "all")
	}
	if n := cv.n.Load(); n != 1 {
		t.Fatalf("%d verifications for 3 calls within an interval, want 1", n)
	}
	clock.Advance(ReverifyInterval)
	checkDecision(t, g.Decide(ctx, req), Allow, "all")
	if n := cv.n.Load(); n != 2 {
		t.Fatalf("%d verifications after ReverifyInterval, want 2", n)
	}
	r.Remove("k1") // the verifier now refuses the token, and the gate asks it
	clock.Advance(ReverifyInterval)
	checkDecision(t, g.Decide(ctx, req), Deny, "", ErrUnknownKeyID)
}
