package approval

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// DefaultGrantLifetime is how long a grant holds when its approver gives
// no end: 8 hours. No grant is without an end.
const DefaultGrantLifetime = 8 * time.Hour

// ScopeKind says what a grant is bound to.
type ScopeKind uint8

// The scope kinds. The zero value is invalid, so a forgotten scope is refused.
const (
	ScopeInvalid ScopeKind = iota
	ScopeKey               // one provisioning key, by key id
	ScopeRole              // every key with this role
	ScopeSession           // every key carrying this session
)

// String returns "key", "role", "session" or "invalid".
func (k ScopeKind) String() string {
	switch k {
	case ScopeKey:
		return "key"
	case ScopeRole:
		return "role"
	case ScopeSession:
		return "session"
	default:
		return "invalid"
	}
}

// ParseScopeKind parses "key", "role" or "session".
func ParseScopeKind(s string) (ScopeKind, error) {
	switch s {
	case "key":
		return ScopeKey, nil
	case "role":
		return ScopeRole, nil
	case "session":
		return ScopeSession, nil
	}
	return ScopeInvalid, fmt.Errorf("%w: unknown grant scope %q (want key, role or session)", ErrInvalidGrant, s)
}

// MarshalText encodes the kind as its name.
func (k ScopeKind) MarshalText() ([]byte, error) {
	if k == ScopeInvalid || k > ScopeSession {
		return nil, fmt.Errorf("%w: invalid scope kind %d", ErrInvalidGrant, k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText decodes a kind name.
func (k *ScopeKind) UnmarshalText(b []byte) error {
	v, err := ParseScopeKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// GrantScope binds a grant to one key id, one role or one session.
type GrantScope struct {
	Kind  ScopeKind `json:"kind"`
	Value string    `json:"value"`
}

// String returns "kind:value".
func (s GrantScope) String() string { return s.Kind.String() + ":" + s.Value }

// matches reports whether the key falls in the scope. An anonymous call or
// an empty value never matches.
func (s GrantScope) matches(k *Key) bool {
	if k == nil || s.Value == "" {
		return false
	}
	switch s.Kind {
	case ScopeKey:
		return k.ID == s.Value
	case ScopeRole:
		return k.Role == s.Value
	case ScopeSession:
		return k.Session == s.Value
	}
	return false
}

// Grant lets calls with one fingerprint pass, for one scope, within a time
// window, optionally under a CEL condition over the call and for a bounded
// number of uses. A deny rule still beats a grant: the Gate only asks for a
// grant when no deny rule matched.
type Grant struct {
	ID          string     `json:"id"`
	Fingerprint string     `json:"fingerprint"`
	Text        string     `json:"text,omitempty"` // canonical text, for people
	Scope       GrantScope `json:"scope"`
	From        time.Time  `json:"from"`
	Until       time.Time  `json:"until"`              // required: no grant without an end
	When        string     `json:"when,omitempty"`     // optional CEL condition (bool)
	MaxUses     int64      `json:"max_uses,omitempty"` // 0: unlimited within the window
	Uses        int64      `json:"uses,omitempty"`     // uses counted so far
	ApprovedBy  string     `json:"approved_by,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	RequestID   string     `json:"request_id,omitempty"` // pending request it answered
	Created     time.Time  `json:"created"`
	RevokedAt   time.Time  `json:"revoked_at,omitzero"`
}

// GrantStatus is a grant's state at one instant.
type GrantStatus uint8

// The grant states.
const (
	GrantActive GrantStatus = iota
	GrantNotYetValid
	GrantExpired
	GrantUsedUp
	GrantRevoked
)

// String names the status.
func (s GrantStatus) String() string {
	switch s {
	case GrantActive:
		return "active"
	case GrantNotYetValid:
		return "not-yet-valid"
	case GrantExpired:
		return "expired"
	case GrantUsedUp:
		return "used-up"
	case GrantRevoked:
		return "revoked"
	}
	return "unknown"
}

// MarshalText encodes the status name.
func (s GrantStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Status returns the grant's state at now. The window is half-open:
// From ≤ now < Until.
func (g *Grant) Status(now time.Time) GrantStatus {
	switch {
	case !g.RevokedAt.IsZero():
		return GrantRevoked
	case g.MaxUses > 0 && g.Uses >= g.MaxUses:
		return GrantUsedUp
	case now.Before(g.From):
		return GrantNotYetValid
	case !now.Before(g.Until):
		return GrantExpired
	}
	return GrantActive
}

// Validate checks what every grant must have: an id, a fingerprint, a
// valid scope with a value and a window that ends after it starts.
func (g *Grant) Validate() error {
	switch {
	case g.ID == "":
		return fmt.Errorf("%w: no id", ErrInvalidGrant)
	case g.Fingerprint == "":
		return fmt.Errorf("%w: no fingerprint", ErrInvalidGrant)
	case g.Scope.Kind == ScopeInvalid || g.Scope.Kind > ScopeSession:
		return fmt.Errorf("%w: invalid scope", ErrInvalidGrant)
	case g.Scope.Value == "":
		return fmt.Errorf("%w: %s scope without a value", ErrInvalidGrant, g.Scope.Kind)
	case g.Until.IsZero():
		return fmt.Errorf("%w: no end (every grant expires)", ErrInvalidGrant)
	case !g.Until.After(g.From):
		return fmt.Errorf("%w: window ends (%s) before it starts (%s)", ErrInvalidGrant,
			g.Until.Format(time.RFC3339), g.From.Format(time.RFC3339))
	case g.MaxUses < 0:
		return fmt.Errorf("%w: negative max uses", ErrInvalidGrant)
	}
	return nil
}

// Clone returns a copy of g.
func (g *Grant) Clone() *Grant {
	c := *g
	return &c
}

// GrantSpec is what an approver decides when answering a pending request.
// The fingerprint and the scope's value come from the request.
type GrantSpec struct {
	Scope   ScopeKind     // default ScopeKey (the narrowest lasting identity); ScopeRole for a learned proposal
	From    time.Time     // default: now
	For     time.Duration // lifetime from From; default DefaultGrantLifetime (or the Ledger's)
	Until   time.Time     // explicit end; wins over For
	When    string        // optional CEL condition over the call (e.g. over args)
	MaxUses int64         // 0: unlimited
	By      string        // who approved
	Reason  string        // why
}

// ErrInvalidGrant is returned for a grant or grant spec that cannot be
// accepted (no end, no scope value, bad condition…). Check with errors.Is.
var ErrInvalidGrant = errors.New("approval: invalid grant")

// newID returns prefix + 16 random hex digits.
func newID(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("approval: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return prefix + hex.EncodeToString(b[:])
}
