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

// callValues is what WithKey, WithToken and WithSource leave in a
// context: each copies the nearest callValues above it and sets its own
// part, so the Gate finds all three with one lookup however deep the
// context is. A callValues is never changed once in a context.
type callValues struct {
	key      *Key
	token    string
	hasToken bool // WithToken was called, even with ""
	source   *Source
}

type callCtx struct{}

// callValuesFrom returns the nearest callValues in ctx, or nil.
func callValuesFrom(ctx context.Context) *callValues {
	v, _ := ctx.Value(callCtx{}).(*callValues)
	return v
}

// withCallValues returns ctx carrying a copy of its callValues changed by
// set.
func withCallValues(ctx context.Context, set func(*callValues)) context.Context {
	var v callValues
	if ctx != nil { // context.WithValue reports a nil parent
		if old := callValuesFrom(ctx); old != nil {
			v = *old
		}
	}
	set(&v)
	return context.WithValue(ctx, callCtx{}, &v)
}

// WithKey returns a context carrying key. The key is copied.
func WithKey(ctx context.Context, key Key) context.Context {
	return withCallValues(ctx, func(v *callValues) { v.key = &key })
}

// KeyFromContext returns the key set by WithKey.
func KeyFromContext(ctx context.Context) (Key, bool) {
	k := keyPtrFromContext(ctx)
	if k == nil {
		return Key{}, false
	}
	return *k, true
}

// keyPtrFromContext is KeyFromContext without the copy, for the hot path.
// The returned key must not be modified.
func keyPtrFromContext(ctx context.Context) *Key {
	if v := callValuesFrom(ctx); v != nil {
		return v.key
	}
	return nil
}

// WithToken returns a context carrying a signed provisioning token; the Gate
// verifies it on use. A token takes precedence over a key set by WithKey.
// An empty token is refused with ErrMalformedToken, never taken for an
// absent one: a call that was meant to carry a credential is not
// anonymous.
func WithToken(ctx context.Context, token string) context.Context {
	return withCallValues(ctx, func(v *callValues) { v.token, v.hasToken = token, true })
}

// TokenFromContext returns the token set by WithToken; ok is false when
// none was set or it was empty (the Gate refuses a call whose context
// carries an empty token: see [WithToken]).
func TokenFromContext(ctx context.Context) (string, bool) {
	t, ok := tokenSet(ctx)
	return t, ok && t != ""
}

// tokenSet returns the token set by WithToken, and whether one was set,
// empty or not.
func tokenSet(ctx context.Context) (string, bool) {
	if v := callValuesFrom(ctx); v != nil {
		return v.token, v.hasToken
	}
	return "", false
}

// WithSource returns a context carrying the request source.
func WithSource(ctx context.Context, src Source) context.Context {
	return withCallValues(ctx, func(v *callValues) { v.source = &src })
}

// SourceFromContext returns the source set by WithSource.
func SourceFromContext(ctx context.Context) (Source, bool) {
	s := sourcePtrFromContext(ctx)
	if s == nil {
		return Source{}, false
	}
	return *s, true
}

// sourcePtrFromContext is SourceFromContext without the copy. The returned
// source must not be modified.
func sourcePtrFromContext(ctx context.Context) *Source {
	if v := callValuesFrom(ctx); v != nil {
		return v.source
	}
	return nil
}
