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
// made indirectly (a function, view, trigger or rule calling set_config)
// is caught by reading the two settings again, with one more round trip,
// before the next call after any statement that is not known to be
// read-only ([driver.WithRecheckAfterWrites]); a connection found changed
// is discarded before anything else runs on it. A read-only statement
// calls only functions known to have no side effect, so it cannot change
// them; a configuration reload (SIGHUP) that changes the server's defaults
// is still seen only at the next check. "approved-postgres" needs no extra
// round trip: pgx reports the server's values after every statement.
package pq
