package approval

import (
	"fmt"
	"strings"
)

// PolicyError is one problem found while loading a policy, at a position
// in the policy file (1-based Line and Column; 0 when unknown).
type PolicyError struct {
	File   string
	Line   int
	Column int
	Rule   string // the rule concerned, if any
	Msg    string
	Err    error // underlying error (a *cel.CompileError, a setting error…), if any
}

// Error formats the problem as FILE:LINE:COLUMN: [rule "NAME": ]MESSAGE.
func (e *PolicyError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *PolicyError) Unwrap() error { return e.Err }

// PolicyErrors is the error of a policy that failed to load: every problem
// found, in file order. Check with errors.As.
type PolicyErrors []*PolicyError

// Error lists every problem, one per line.
func (es PolicyErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the individual errors.
func (es PolicyErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
