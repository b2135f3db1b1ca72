package cel

import (
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Input is everything a rule may read about one call; the package
// documentation maps each field to its variable. The caller owns it;
// programs only read it during Eval and keep nothing after, and it must
// not be modified while a program evaluates it. Reusing one Input (for
// example from a sync.Pool) keeps evaluation allocation-free. Check an
// Input against the caps with Env.Check before evaluating it.
type Input struct {
	Query     *sqlnorm.Statement // required (ErrNoStatement otherwise)
	Args      []any              // positional arguments after driver conversion
	NamedArgs map[string]any     // named arguments (sql.Named)
	// ArgsKnown must be true when Args and NamedArgs are the call's. When
	// false (prepare time), Eval fails any rule that reads args or
	// named_args rather than show them empty; Partial treats them as
	// unknown.
	ArgsKnown bool
	Key       KeyVars
	Source    SourceVars
	Tx        TxVars
	Now       time.Time // required by rules that read now: the zero time fails them
	Usage     UsageVars
}

// KeyVars are the key.* variables. Present is false for an anonymous call.
type KeyVars struct {
	Present   bool
	ID        string
	Subject   string
	Role      string
	Scopes    []string
	Labels    map[string]string
	Session   string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// SourceVars are the source.* variables.
type SourceVars struct {
	App     string
	Service string
	Address string // client address, IP or IP:port
	Route   string
	Labels  map[string]string
}

// TxVars are the tx.* variables.
type TxVars struct {
	Active   bool
	ReadOnly bool
}

// UsageVars are the usage.* variables (sliding-window call counts).
type UsageVars struct {
	KeyCalls1m         int64
	KeyCalls1h         int64
	FingerprintCalls1m int64
}
