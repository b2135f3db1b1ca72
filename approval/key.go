package approval

import (
	"context"
	"time"
)

// Key is a provisioning key: who is calling, with which role and scopes,
// for how long. The zero time for NotBefore means "no lower bound"; a Key
// without ExpiresAt is refused (every key expires).
type Key struct {
	ID        string
	Subject   string
	Role      string
	Scopes    []string
	Labels    map[string]string
	Session   string
	IssuedAt  time.Time
	NotBefore time.Time
	ExpiresAt time.Time
}

// Source describes where a call comes from.
type Source struct {
	App     string            `json:"app,omitempty"`
	Service string            `json:"service,omitempty"`
	Address string            `json:"address,omitempty"` // client address (IP or IP:port)
	Route   string            `json:"route,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

type (
	keyCtx    struct{}
	tokenCtx  struct{}
	sourceCtx struct{}
)

// WithKey returns a context carrying key. The key is copied.
func WithKey(ctx context.Context, key Key) context.Context {
	return context.WithValue(ctx, keyCtx{}, &key)
}

// KeyFromContext returns the key set by WithKey.
func KeyFromContext(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(keyCtx{}).(*Key)
	if !ok || k == nil {
		return Key{}, false
	}
	return *k, true
}

// keyPtrFromContext is KeyFromContext without the copy, for the hot path.
// The returned key must not be modified.
func keyPtrFromContext(ctx context.Context) *Key {
	k, _ := ctx.Value(keyCtx{}).(*Key)
	return k
}

// WithToken returns a context carrying a signed provisioning token; the Gate
// verifies it on use. A token takes precedence over a key set by WithKey.
// An empty token is refused with ErrMalformedToken, never taken for an
// absent one: a call that was meant to carry a credential is not
// anonymous.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenCtx{}, token)
}

// TokenFromContext returns the token set by WithToken; ok is false when
// none was set or it was empty (the Gate refuses a call whose context
// carries an empty token: see [WithToken]).
func TokenFromContext(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(tokenCtx{}).(string)
	return t, ok && t != ""
}

// tokenSet returns the token set by WithToken, and whether one was set,
// empty or not.
func tokenSet(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(tokenCtx{}).(string)
	return t, ok
}

// WithSource returns a context carrying the request source.
func WithSource(ctx context.Context, src Source) context.Context {
	return context.WithValue(ctx, sourceCtx{}, &src)
}

// SourceFromContext returns the source set by WithSource.
func SourceFromContext(ctx context.Context) (Source, bool) {
	s, ok := ctx.Value(sourceCtx{}).(*Source)
	if !ok || s == nil {
		return Source{}, false
	}
	return *s, true
}
