package sqlnorm

import (
	"errors"
	"strconv"
)

// Kind classifies a rejection.
type Kind int

// The kinds of rejection.
const (
	KindUnknown      Kind = iota // unclassified
	KindDialect                  // no dialect or an unknown one
	KindSetting                  // a setting that cannot be honoured (encoding, unknown name, bad value)
	KindNUL                      // a NUL byte in the input
	KindEncoding                 // the input is not valid UTF-8
	KindUnterminated             // unterminated string, identifier, comment or dollar quote
	KindExecutable               // MySQL executable comment or optimizer hint (/*!, /*M!, /*+)
	KindMultiple                 // more than one statement
	KindEmpty                    // no statement at all
	KindToken                    // a character or token the server would not accept as lexed
	KindSyntax                   // a shape the normaliser does not understand
)

var kindNames = [...]string{
	KindUnknown:      "unknown",
	KindDialect:      "dialect",
	KindSetting:      "setting",
	KindNUL:          "nul-byte",
	KindEncoding:     "encoding",
	KindUnterminated: "unterminated",
	KindExecutable:   "executable-comment",
	KindMultiple:     "multiple-statements",
	KindEmpty:        "empty",
	KindToken:        "bad-token",
	KindSyntax:       "syntax",
}

// String returns a short stable name for the kind.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ErrRejected matches every *Error with errors.Is.
var ErrRejected = errors.New("sqlnorm: statement rejected")

// Error is a rejection with the byte offset where the problem starts.
// Check with errors.As; errors.Is(err, ErrRejected) is true for every *Error.
type Error struct {
	Offset int    // byte offset into the input (0 for setting and dialect errors)
	Kind   Kind   // classification
	Reason string // human-readable reason
}

// Error implements error.
func (e *Error) Error() string {
	return "sqlnorm: " + e.Reason + " (" + e.Kind.String() + " at byte " + strconv.Itoa(e.Offset) + ")"
}

// Is reports whether target is ErrRejected.
func (e *Error) Is(target error) bool { return target == ErrRejected }

// Unwrap returns ErrRejected so that error chains reach the sentinel.
func (e *Error) Unwrap() error { return ErrRejected }

func reject(off int, k Kind, reason string) *Error {
	return &Error{Offset: off, Kind: k, Reason: reason}
}
