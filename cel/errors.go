package cel

import (
	"errors"
	"fmt"
)

// ErrNoStatement is returned when an Input has no Query.
var ErrNoStatement = errors.New("cel: input has no statement (Input.Query is nil)")

// ErrCompile is matched (with errors.Is) by every [*CompileError].
var ErrCompile = errors.New("cel: rule does not compile")

// CompileError is a load error at a position inside the rule text, with
// CEL's own message (and its hint, such as "did you mean …", when it
// gives one). Line and Column are 1-based; Column counts characters
// (code points) of that line.
type CompileError struct {
	Line, Column int
	Msg          string
}

// Error implements error: "line:column: message".
func (e *CompileError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
}

// Unwrap returns ErrCompile.
func (e *CompileError) Unwrap() error { return ErrCompile }

// ErrEval is matched (with errors.Is) by every [*EvalError].
var ErrEval = errors.New("cel: rule evaluation failed")

// ErrCostLimit is matched by an [*EvalError] caused by a rule running over
// its runtime cost limit.
var ErrCostLimit = errors.New("cel: rule over its runtime cost limit")

// EvalError is a failed evaluation: a runtime error in the rule (a missing
// map key, a malformed ip(), args read when they are unknown, ...), a
// result that is not a bool, or the runtime cost limit.
type EvalError struct {
	Msg       string
	CostLimit bool // the runtime cost limit stopped the rule
}

// Error implements error.
func (e *EvalError) Error() string { return "cel: evaluation failed: " + e.Msg }

// Unwrap returns ErrEval, and ErrCostLimit when CostLimit is set.
func (e *EvalError) Unwrap() []error {
	if e.CostLimit {
		return []error{ErrEval, ErrCostLimit}
	}
	return []error{ErrEval}
}
