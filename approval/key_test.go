package approval

import (
	"context"
	"testing"
	"time"
)

type otherCtxKey struct{}

// TestCallValuesNearestWins: WithKey, WithToken and WithSource share one
// context value, yet each of the three reads as if it had its own: the
// nearest call of each kind wins, whatever was set after it, and contexts
// derived on one branch do not leak into another.
func TestCallValuesNearestWins(t *testing.T) {
	k1 := Key{ID: "k1", ExpiresAt: time.Unix(100, 0)}
	k2 := Key{ID: "k2", ExpiresAt: time.Unix(200, 0)}
	src := Source{App: "billing"}

	root := context.WithValue(context.Background(), otherCtxKey{}, "x")
	if _, ok := KeyFromContext(root); ok {
		t.Fatal("key found in a context without one")
	}
	if _, ok := tokenSet(root); ok {
		t.Fatal("token found in a context without one")
	}
	if _, ok := SourceFromContext(root); ok {
		t.Fatal("source found in a context without one")
	}

	a := WithKey(root, k1)
	b := WithSource(a, src)
	c := context.WithValue(b, otherCtxKey{}, "y") // a foreign value in between
	d := WithToken(c, "")
	e := WithKey(d, k2)
	sibling := WithKey(b, Key{ID: "sibling"})

	check := func(name string, ctx context.Context, keyID string, token string, hasToken bool, app string) {
		t.Helper()
		k, ok := KeyFromContext(ctx)
		if got := map[bool]string{true: k.ID, false: ""}[ok]; got != keyID {
			t.Errorf("%s: key %q, want %q", name, got, keyID)
		}
		tok, set := tokenSet(ctx)
		if tok != token || set != hasToken {
			t.Errorf("%s: token %q set=%v, want %q set=%v", name, tok, set, token, hasToken)
		}
		if _, ok := TokenFromContext(ctx); ok != (hasToken && token != "") {
			t.Errorf("%s: TokenFromContext ok=%v", name, ok)
		}
		s, ok := SourceFromContext(ctx)
		if got := map[bool]string{true: s.App, false: ""}[ok]; got != app {
			t.Errorf("%s: source app %q, want %q", name, got, app)
		}
	}
	check("a", a, "k1", "", false, "")
	check("b", b, "k1", "", false, "billing")
	check("c", c, "k1", "", false, "billing")
	check("d", d, "k1", "", true, "billing")
	check("e", e, "k2", "", true, "billing")
	check("sibling", sibling, "sibling", "", false, "billing")
	check("a after the others", a, "k1", "", false, "")
	if c.Value(otherCtxKey{}) != "y" || a.Value(otherCtxKey{}) != "x" {
		t.Error("foreign context values disturbed")
	}

	// The key is copied: changing the caller's struct changes nothing.
	k := Key{ID: "orig", ExpiresAt: time.Unix(300, 0)}
	f := WithKey(root, k)
	k.ID = "changed"
	check("copied key", f, "orig", "", false, "")

	// A token set above a key still takes precedence in the Gate: both
	// are visible from below.
	g := WithKey(WithToken(root, "tok"), k1)
	check("token above key", g, "k1", "tok", true, "")
}

// TestWithKeyNilParentPanics: like context.WithValue, the With functions
// refuse a nil parent.
func TestWithKeyNilParentPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("WithKey(nil, …) did not panic")
		}
	}()
	var parent context.Context // nil: what is tested
	_ = WithKey(parent, Key{ID: "k"})
}
