package approval

import (
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Effect is the outcome of a decision.
type Effect uint8

// The effects. The zero value is Deny, so a forgotten field fails closed.
const (
	Deny Effect = iota
	Allow
	Review
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "allow"
	case Review:
		return "review"
	default:
		return "deny"
	}
}

// Phase says at which point of a call the decision is asked for.
type Phase uint8

const (
	// Execute: the statement is about to run with its actual arguments.
	Execute Phase = iota
	// Prepare: the text is about to be prepared; arguments are unknown.
	// Only a statement denied whatever its arguments is refused here.
	Prepare
)

// Arg is one bound argument after driver conversion. It keeps the name and
// ordinal (1-based) of database/sql's NamedValue without importing it.
type Arg struct {
	Name    string
	Ordinal int
	Value   any
}

// Request is what the driver asks the Gate about.
type Request struct {
	SQL   string // raw statement text as the app wrote it
	Args  []Arg
	Phase Phase
	Tx    TxState
	// Statement may carry the result of normalising SQL already (the Gate
	// normalises through its cache when nil).
	Statement *sqlnorm.Statement
}

// TxState describes the transaction a call runs in.
type TxState struct {
	Active   bool
	ReadOnly bool
}

// Decision is the Gate's answer. Err is nil exactly when Effect is Allow.
type Decision struct {
	Effect        Effect
	Rule          string // name of the deciding rule, grant id or "default"
	Reason        string
	Fingerprint   string
	KeyID         string
	PolicyVersion string
	Elapsed       time.Duration
	RequestID     string // pending request id for Review
	DryRun        bool   // would have been denied; allowed because of dry-run/learn
	Statement     *sqlnorm.Statement
	Phase         Phase // the phase of the request decided
	Err           error

	// For Finish's audit record.
	at      time.Time // the Gate's clock as Decide began
	key     *Key
	src     *Source // from the context Decide was given
	args    []Arg
	record  string // audit decision name when allowed: allow, dry-run-deny, learn
	logArgs bool   // the deciding rule shows argument values in audit records
}

// Allowed reports whether the call may proceed.
func (d *Decision) Allowed() bool { return d.Effect == Allow && d.Err == nil }

// Result is what the driver reports once an allowed call returns.
type Result struct {
	RowsAffected int64 // -1 when unknown
	Err          error
}
