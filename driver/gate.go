package driver

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
)

// decider is what the wrapper needs from a Gate. *approval.Gate satisfies
// it; tests use a recording fake.
type decider interface {
	Decide(ctx context.Context, req approval.Request) approval.Decision
	Finish(ctx context.Context, d *approval.Decision, res approval.Result)
}

var _ decider = (*approval.Gate)(nil)

// gateRef finds the Gate for a call: a fixed *approval.Gate (called
// directly, so the compiler can keep the Decision on the stack), a test
// decider, or a lazily supplied Gate. With none, every call is denied with
// approval.ErrNoPolicy.
type gateRef struct {
	gate *approval.Gate
	d    decider
	fn   func() (*approval.Gate, error)
}

// decide writes the decision on req into d.
func (r *gateRef) decide(ctx context.Context, req approval.Request, d *approval.Decision) {
	if g := r.gate; g != nil {
		*d = g.Decide(ctx, req)
		return
	}
	if r.d != nil {
		*d = r.d.Decide(ctx, req)
		return
	}
	if r.fn != nil {
		g, err := r.fn()
		if err != nil {
			*d = denyDecision("", "policy could not be loaded: "+err.Error(), err)
			return
		}
		if g != nil {
			*d = g.Decide(ctx, req)
			return
		}
	}
	*d = denyDecision("", "no policy is configured (set a Gate or APPROVEDSQL_POLICY)", approval.ErrNoPolicy)
}

// policy returns the policy in force in the Gate, or nil when there is
// none (no Gate, a test decider, or a Gate that cannot be loaded).
func (r *gateRef) policy() *approval.Policy {
	if g := r.gate; g != nil {
		return g.Policy()
	}
	if r.fn != nil {
		if g, err := r.fn(); err == nil && g != nil {
			return g.Policy()
		}
	}
	return nil
}

func (r *gateRef) finish(ctx context.Context, d *approval.Decision, res approval.Result) {
	if g := r.gate; g != nil {
		g.Finish(ctx, d, res)
		return
	}
	if r.d != nil {
		// Copy so that d itself does not escape to the heap on the fast path.
		dd := *d
		r.d.Finish(ctx, &dd, res)
		return
	}
	if r.fn != nil {
		if g, err := r.fn(); err == nil && g != nil {
			g.Finish(ctx, d, res)
		}
	}
}

func denyDecision(rule, reason string, cause error) approval.Decision {
	return approval.Decision{
		Effect: approval.Deny,
		Rule:   rule,
		Reason: reason,
		Err: &approval.DeniedError{
			Effect: approval.Deny,
			Rule:   rule,
			Reason: reason,
			Cause:  cause,
		},
	}
}

// deniedError returns the error of a decision that is not Allowed: always a
// *approval.DeniedError, never one that matches driver.ErrBadConn or
// driver.ErrSkip (database/sql would retry or fall back).
func deniedError(d *approval.Decision) error {
	var de *approval.DeniedError
	if d.Err != nil && errors.As(d.Err, &de) && de != nil {
		if !unsafeCause(de.Cause) && de.Effect != approval.Allow {
			return d.Err
		}
	}
	effect := d.Effect
	if effect == approval.Allow { // Allow with an error: not allowed
		effect = approval.Deny
	}
	out := &approval.DeniedError{
		Effect:      effect,
		Rule:        d.Rule,
		Reason:      d.Reason,
		Fingerprint: d.Fingerprint,
		KeyID:       d.KeyID,
		RequestID:   d.RequestID,
		Cause:       d.Err,
	}
	if de != nil {
		out.Hint = de.Hint
		out.Cause = de.Cause
	}
	if out.Reason == "" {
		out.Reason = "not allowed"
	}
	if unsafeCause(out.Cause) {
		out.Cause = errors.New(out.Cause.Error())
	}
	return out
}

func unsafeCause(err error) bool {
	return err != nil && (errors.Is(err, sqldriver.ErrBadConn) || errors.Is(err, sqldriver.ErrSkip))
}

// refusal builds the denial the wrapper itself issues (session settings,
// dialect, rewriting) after the Gate allowed a call.
func refusal(rule, reason string, cause error) error {
	return &approval.DeniedError{Effect: approval.Deny, Rule: rule, Reason: reason, Cause: cause}
}

// Errors of the wrapper itself. Check with errors.Is.
var (
	// ErrSessionSetting is the cause of a denial of a statement that would
	// change a session setting the lexer depends on.
	ErrSessionSetting = errors.New("driver: statement changes a session setting the lexer depends on")
	// ErrDialectMismatch is the cause of a denial of a statement the Gate
	// normalised for another dialect than the driver's.
	ErrDialectMismatch = errors.New("driver: policy dialect does not match the driver")
	// ErrUnwrapDisabled is returned by Unwrap when WithUnwrap was not given.
	ErrUnwrapDisabled = errors.New("driver: unwrapping is disabled (see WithUnwrap)")
	// ErrNotWrapped is returned by Unwrap for a value that is not a
	// connection of this package.
	ErrNotWrapped = errors.New("driver: not a wrapped connection")
	// ErrRewrite is the cause of a denial of a call whose driver options
	// would change the text of a prepared statement, or an option the
	// Rewriter refuses.
	ErrRewrite = errors.New("driver: call options not supported")
	// ErrSessionChanged is returned for a call after which the session's
	// settings no longer match the lexer (see WithCallCheck); the connection
	// is discarded.
	ErrSessionChanged = errors.New("driver: session settings changed")
)

// SessionError reports a connection whose session settings differ from what
// the lexer assumes. It matches ErrSessionChanged with errors.Is.
type SessionError struct {
	Setting string // e.g. "standard_conforming_strings"
	Value   string // as the server reports it
	Want    string
}

func (e *SessionError) Error() string {
	return fmt.Sprintf("driver: session setting %s is %q, the lexer needs %q", e.Setting, e.Value, e.Want)
}

// Is matches ErrSessionChanged.
func (e *SessionError) Is(target error) bool { return target == ErrSessionChanged }

// approval.Arg and database/sql/driver.NamedValue have the same fields in
// the same order, so a []NamedValue is viewed as a []approval.Arg without
// copying when the layouts agree (checked by constants here and by a
// conversion in the tests).
const sameArgLayout = unsafe.Sizeof(approval.Arg{}) == unsafe.Sizeof(sqldriver.NamedValue{}) &&
	unsafe.Offsetof(approval.Arg{}.Name) == unsafe.Offsetof(sqldriver.NamedValue{}.Name) &&
	unsafe.Offsetof(approval.Arg{}.Ordinal) == unsafe.Offsetof(sqldriver.NamedValue{}.Ordinal) &&
	unsafe.Offsetof(approval.Arg{}.Value) == unsafe.Offsetof(sqldriver.NamedValue{}.Value) &&
	unsafe.Sizeof(approval.Arg{}.Name) == unsafe.Sizeof(sqldriver.NamedValue{}.Name) &&
	unsafe.Sizeof(approval.Arg{}.Ordinal) == unsafe.Sizeof(sqldriver.NamedValue{}.Ordinal) &&
	unsafe.Sizeof(approval.Arg{}.Value) == unsafe.Sizeof(sqldriver.NamedValue{}.Value)

func toArgs(nv []sqldriver.NamedValue) []approval.Arg {
	if len(nv) == 0 {
		return nil
	}
	if sameArgLayout {
		return unsafe.Slice((*approval.Arg)(unsafe.Pointer(unsafe.SliceData(nv))), len(nv))
	}
	out := make([]approval.Arg, len(nv))
	for i, v := range nv {
		out[i] = approval.Arg{Name: v.Name, Ordinal: v.Ordinal, Value: v.Value}
	}
	return out
}
