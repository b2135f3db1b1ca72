package approval

import "errors"

// Sentinel errors. Check with errors.Is. None of them wraps
// driver.ErrBadConn or driver.ErrSkip: database/sql never retries a denial.
var (
	ErrDenied         = errors.New("approval: statement denied")
	ErrReviewRequired = errors.New("approval: statement needs review")
	ErrNoKey          = errors.New("approval: no provisioning key")
	ErrKeyExpired     = errors.New("approval: provisioning key expired")
	ErrKeyNotYetValid = errors.New("approval: provisioning key not yet valid")
	ErrKeyRevoked     = errors.New("approval: provisioning key revoked")
	ErrBadSignature   = errors.New("approval: token signature invalid")
	ErrUnknownKeyID   = errors.New("approval: token signed by an unknown key id")
	ErrMalformedToken = errors.New("approval: token malformed")
	ErrInputTooLarge  = errors.New("approval: input over a cap")
	ErrEvaluation     = errors.New("approval: rule evaluation failed")
	ErrNoPolicy       = errors.New("approval: no policy configured")
	ErrStoreDown      = errors.New("approval: store unavailable")
	ErrAuditOverflow  = errors.New("approval: audit buffer full")
)

// DeniedError is the error of every refused call. errors.Is(err, ErrDenied)
// holds for a deny, errors.Is(err, ErrReviewRequired) for a review, and
// errors.Is also matches the Cause (ErrNoKey, ErrKeyExpired, a lexer error…).
type DeniedError struct {
	Effect      Effect // Deny or Review
	Rule        string
	Reason      string
	Fingerprint string
	KeyID       string
	RequestID   string // for Review: the pending request to approve
	Hint        string // for Review: how to approve it
	Cause       error  // underlying cause, if any
}

func (e *DeniedError) Error() string {
	msg := "approval: denied"
	if e.Effect == Review {
		msg = "approval: review required"
	}
	if e.Rule != "" {
		msg += " by " + e.Rule
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.RequestID != "" {
		msg += " (request " + e.RequestID + ")"
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Is matches ErrDenied or ErrReviewRequired according to Effect.
func (e *DeniedError) Is(target error) bool {
	if e.Effect == Review {
		return target == ErrReviewRequired
	}
	return target == ErrDenied
}

// Unwrap returns the cause.
func (e *DeniedError) Unwrap() error { return e.Cause }
