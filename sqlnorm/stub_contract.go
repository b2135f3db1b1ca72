package sqlnorm

// CONTRACT STUB — the sqlnorm owner replaces this file with the real
// implementation. Signatures here are the agreed API other packages use.

import "errors"

// Kind classifies a rejection.
type Kind int

// Error is a rejection with the byte offset where the problem starts.
// Check with errors.As; errors.Is(err, ErrRejected) is true for every *Error.
type Error struct {
	Offset int    // byte offset into the input
	Kind   Kind   // classification
	Reason string // human-readable reason
}

func (e *Error) Error() string { return "sqlnorm: " + e.Reason }

// Is reports whether target is ErrRejected.
func (e *Error) Is(target error) bool { return target == ErrRejected }

// ErrRejected matches every *Error with errors.Is.
var ErrRejected = errors.New("sqlnorm: statement rejected")

// Normalize lexes exactly one statement and returns what is known of it.
func Normalize(opts Options, sql string) (*Statement, error) {
	return nil, &Error{Reason: "not implemented"}
}

// Split lexes text that may hold several statements and returns each.
func Split(opts Options, sql string) ([]*Statement, error) {
	return nil, &Error{Reason: "not implemented"}
}

// Cache is a bounded cache of Normalize results keyed by options and raw text.
// It is safe for concurrent use.
type Cache struct{}

// NewCache returns a cache holding at most maxEntries statements and about
// maxBytes bytes of raw plus canonical text.
func NewCache(maxEntries int, maxBytes int64) *Cache { return &Cache{} }

// Normalize returns the cached Statement for (opts, sql), normalising on a miss.
// Rejections are cached too (bounded the same way).
func (c *Cache) Normalize(opts Options, sql string) (*Statement, error) {
	return Normalize(opts, sql)
}

// Set applies one server setting by name (standard_conforming_strings,
// client_encoding, sql_mode, character_set_client, lower_case_table_names,
// ansi_quotes ...). A setting that declares a non-UTF-8 encoding or an
// unknown name is an error.
func (o *Options) Set(name, value string) error { return errors.New("not implemented") }
