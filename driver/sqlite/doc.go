// Package sqlite registers the database/sql driver "approved-sqlite":
// modernc.org/sqlite (pure Go, no cgo) wrapped by package
// [github.com/approvedsql/approvedsql/driver], for the zero-setup
// quickstart.
//
//	import _ "github.com/approvedsql/approvedsql/driver/sqlite"
//
//	db, err := sql.Open("approved-sqlite", "file:app.db")
//
// Importing the package registers the driver (its only side effect, in
// init; it panics if the name is already taken).
//
// The Gate is the one set with [SetGate], else one built on first use from
// the policy file named by APPROVEDSQL_POLICY; with neither, every
// statement is denied with approval.ErrNoPolicy. Every path listed in
// package driver is gated; calls without a context carry no key. SQLite
// runs every statement of a multi-statement Exec: such text is refused by
// the Gate's normaliser before the driver sees it.
package sqlite
