// Package approvedsql puts query-level approval at the last layer before
// data leaves a backend: a database/sql driver wrapper that approves every
// statement before it reaches the real driver.
//
// # How the packages fit
//
//   - [github.com/approvedsql/approvedsql/sqlnorm] lexes one statement
//     strictly, per dialect, and returns its canonical text, fingerprint and
//     facts (command, tables, functions, read-only). Text it cannot lex
//     exactly as the server would is rejected.
//   - [github.com/approvedsql/approvedsql/cel] is the rule language: a
//     typed CEL vocabulary (query, args, key, source, tx, now, usage),
//     compiled once, evaluated without allocation.
//   - [github.com/approvedsql/approvedsql/approval] decides: provisioning
//     keys and signed tokens carried in a context.Context, policies, grants,
//     pending requests, usage and the audit trail. Its Gate answers allow,
//     deny or review for one call.
//   - [github.com/approvedsql/approvedsql/driver] wraps any database/sql
//     driver so that every execution path asks the Gate first; the
//     subpackages register ready-made drivers such as "approved-postgres".
//
// A denied statement never reaches the database: the call fails with an
// error for which errors.Is(err, approval.ErrDenied) holds.
package approvedsql
