// Package pq registers the database/sql driver "approved-pq": lib/pq
// wrapped by package [github.com/approvedsql/approvedsql/driver], so that
// every statement is decided by an approval Gate before PostgreSQL sees it.
//
//	import _ "github.com/approvedsql/approvedsql/driver/pq"
//
//	db, err := sql.Open("approved-pq", dsn)
//
// Importing the package registers the driver (its only side effect, in
// init; it panics if the name is already taken).
//
// # Which Gate
//
// The Gate set with [SetGate]; when none is set, a Gate built on first use
// from the policy file named by APPROVEDSQL_POLICY; with neither, every
// statement is denied with approval.ErrNoPolicy.
//
// # Paths gated
//
// Every path listed in package driver. Prepare is decided on its text
// before lib/pq sees it, which matters here: lib/pq starts COPY … FROM
// STDIN at prepare time. Calls without a context carry no key; a
// transaction begun with a key does not pass it to tx.Exec without a
// context.
//
// # Session settings
//
// Each new connection runs one internal, ungated query reading
// standard_conforming_strings and client_encoding, and is refused unless
// they are what the lexer assumes (on, unless the policy sets non-standard
// strings; UTF8). Statements that would change them (SET, RESET ALL,
// DISCARD ALL, set_config of them…) are refused unless
// [driver.AllowSessionSettingChanges] is given. Unlike pgx, lib/pq does not
// keep the values the server reports after each statement, so a change
// made indirectly (a function, view, trigger or rule calling set_config,
// or a configuration reload) is not noticed until the connection is
// replaced. Until then the Gate's lexer may read that session's statements
// differently from the server (with standard_conforming_strings off,
// 'a\' ends differently), which can let text through that the policy
// would deny, several statements at once included. Where the database has
// (or its users may create) such functions, use "approved-postgres", whose
// per-call check discards the connection before its next statement.
package pq
