package cel

import (
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Input is everything a rule may read about one call. The caller owns it;
// programs only read it during Eval. Reusing one Input (for example from a
// sync.Pool) keeps evaluation allocation-free.
type Input struct {
	Query     *sqlnorm.Statement // required
	Args      []any              // positional arguments after driver conversion
	NamedArgs map[string]any     // named arguments (sql.Named)
	ArgsKnown bool               // false at prepare time: args/named_args are unknown
	Key       KeyVars
	Source    SourceVars
	Tx        TxVars
	Now       time.Time
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
