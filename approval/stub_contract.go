package approval

// CONTRACT STUB — the engine owner replaces this file with the real
// implementation. Signatures here are the agreed API the driver uses.

import (
	"context"
	"errors"
)

// Policy is a loaded, compiled policy. Immutable; shareable.
type Policy struct{}

// ParsePolicy parses and compiles a YAML policy; name is used in errors.
func ParsePolicy(data []byte, name string) (*Policy, error) {
	return nil, errors.New("not implemented")
}

// LoadPolicy reads and compiles a YAML policy file.
func LoadPolicy(path string) (*Policy, error) { return nil, errors.New("not implemented") }

// Gate decides. Safe for concurrent use.
type Gate struct{}

// Option configures a Gate.
type Option func(*Gate) error

// WithClock, WithApprovals, WithUsage, WithAuditor, WithVerifier ... are
// defined by the engine owner.

// NewGate returns a Gate enforcing policy.
func NewGate(policy *Policy, opts ...Option) (*Gate, error) {
	return nil, errors.New("not implemented")
}

// Decide decides one call. A Decision that is not Allowed carries a
// *DeniedError in Err. Denials are audited here; allowed calls are audited
// by Finish once the driver returns.
func (g *Gate) Decide(ctx context.Context, req Request) Decision { return Decision{} }

// Finish reports the result of an allowed call and emits its audit record.
func (g *Gate) Finish(ctx context.Context, d *Decision, res Result) {}

// SetPolicy atomically replaces the policy; calls in flight keep theirs.
func (g *Gate) SetPolicy(p *Policy) {}

// Policy returns the policy in force.
func (g *Gate) Policy() *Policy { return nil }
