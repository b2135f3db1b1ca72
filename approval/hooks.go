package approval

import (
	"context"
	"time"

	"github.com/approvedsql/approvedsql/cel"
)

// Clock tells the time. Inject one in tests; the default is time.Now.
type Clock interface{ Now() time.Time }

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Call is everything known about one call at decision time, handed to the
// Gate's collaborators. It is only valid during the hook call.
type Call struct {
	Input   *cel.Input // statement, args, key, source, tx, now
	Key     *Key       // nil for an anonymous call
	Source  Source
	Args    []Arg
	Request *Request
}

// Approvals is where grants, pending requests and key revocations live.
// Lookups are served from local state: implementations never wait on the
// network on the per-query path.
type Approvals interface {
	// Grant returns the id of a grant covering the call ("" if none).
	// An error means the answer is unknown; the Gate denies.
	Grant(ctx context.Context, c *Call) (grantID string, err error)
	// Pending records (or deduplicates) a review request and returns its id.
	Pending(ctx context.Context, c *Call) (requestID string, err error)
	// KeyRevoked reports whether the key id was revoked.
	KeyRevoked(keyID string) (bool, error)
}

// Usage counts calls in sliding windows. The Gate calls Observe only
// while the policy in force has a rule that reads usage.* or the Gate has
// [Approvals] (see the package documentation, step 5).
type Usage interface {
	// Observe counts one call and returns the windows' counts including it.
	Observe(keyID, fingerprint string, now time.Time) cel.UsageVars
}

// Record is one audit record: one per decision.
type Record struct {
	Time          time.Time // when the call was decided: the Gate's clock as Decide began
	Decision      string    // allow, deny, review, dry-run-deny, learn
	Rule          string
	Reason        string
	Fingerprint   string
	Text          string // canonical text
	KeyID         string
	Role          string
	Session       string
	Source        Source
	Args          []string // summary; redacted unless loggable
	PolicyVersion string
	Latency       time.Duration
	RowsAffected  int64  // -1 unknown
	ErrorClass    string // "" when the call succeeded
	Prev          string // hash of the previous record (set by chaining sinks)
	Hash          string
}

// Auditor receives records. Record must not block the hot path beyond the
// configured overflow policy; an error means the call fails closed.
type Auditor interface {
	Record(r *Record) error
}

// Learner is an optional interface of an [Approvals] value (or set with
// WithLearner): in learn mode the Gate hands it each call that no rule or
// grant allowed, and it records the (fingerprint, role) pair as a proposed
// grant, deduplicating pairs it has seen. An error is audited; the call
// still proceeds (learn mode enforces nothing).
type Learner interface {
	Learn(ctx context.Context, c *Call) error
}

// AuditHealth is an optional interface of an [Auditor]: while Health
// returns an error (for example a full buffer under a fail-closed overflow
// policy), the Gate denies every call with that error as the cause.
type AuditHealth interface {
	Health() error
}
