package approvaltest

import (
	"errors"
	"testing"

	"github.com/approvedsql/approvedsql/approval"
)

// AssertAllowed fails the test unless err is nil. A denial is reported with
// its rule and reason; any other error as it is (for example sqlmock's,
// when the statement reached the mock without a matching expectation).
func AssertAllowed(tb testing.TB, err error) bool {
	tb.Helper()
	if err == nil {
		return true
	}
	var de *approval.DeniedError
	if errors.As(err, &de) {
		tb.Errorf("statement refused, want allowed: %s by rule %q: %s (error: %v)", de.Effect, de.Rule, de.Reason, err)
		return false
	}
	tb.Errorf("statement allowed by the gate but failed: %v", err)
	return false
}

// AssertDenied fails the test unless err is a denial (errors.Is
// approval.ErrDenied) by rule; an empty rule accepts any rule. It returns
// the *approval.DeniedError (nil after a failure).
func AssertDenied(tb testing.TB, err error, rule string) *approval.DeniedError {
	tb.Helper()
	de := deniedError(tb, err, "denied")
	if de == nil {
		return nil
	}
	if !errors.Is(err, approval.ErrDenied) {
		tb.Errorf("statement sent to review by rule %q, want denied: %v", de.Rule, err)
		return nil
	}
	if rule != "" && de.Rule != rule {
		tb.Errorf("statement denied by rule %q, want rule %q (reason: %s)", de.Rule, rule, de.Reason)
		return nil
	}
	return de
}

// AssertReview fails the test unless err says the statement needs review
// (errors.Is approval.ErrReviewRequired). It returns the
// *approval.DeniedError, whose RequestID names the pending request (nil
// after a failure). A Gate without Approvals denies a review outcome: the
// error still matches.
func AssertReview(tb testing.TB, err error) *approval.DeniedError {
	tb.Helper()
	de := deniedError(tb, err, "sent to review")
	if de == nil {
		return nil
	}
	if !errors.Is(err, approval.ErrReviewRequired) {
		tb.Errorf("statement denied by rule %q, want review: %v", de.Rule, err)
		return nil
	}
	return de
}

// AssertCause fails the test unless err is a refusal whose error matches
// cause (errors.Is): approval.ErrNoKey, approval.ErrKeyExpired, a lexer
// rejection (sqlnorm.ErrRejected)… It returns the *approval.DeniedError
// (nil after a failure).
func AssertCause(tb testing.TB, err error, cause error) *approval.DeniedError {
	tb.Helper()
	de := deniedError(tb, err, "refused")
	if de == nil {
		return nil
	}
	if !errors.Is(err, cause) {
		tb.Errorf("statement refused (%v), want cause %v", err, cause)
		return nil
	}
	return de
}

func deniedError(tb testing.TB, err error, want string) *approval.DeniedError {
	tb.Helper()
	if err == nil {
		tb.Errorf("statement allowed, want %s", want)
		return nil
	}
	var de *approval.DeniedError
	if !errors.As(err, &de) {
		tb.Errorf("statement failed with %v (%T), want %s by the gate", err, err, want)
		return nil
	}
	return de
}
