package approval

import (
	"encoding/json"
	"fmt"
	"time"
)

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
