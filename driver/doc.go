// Package driver wraps any database/sql driver so that every statement is
// decided by an [approval.Gate] before the real driver sees it.
//
//	sql.Register("approved-x", driver.Wrap(base, gate))      // or:
//	err := driver.Register("approved-x", base, gate)           // error on a taken name
//	db := sql.OpenDB(driver.NewConnector(baseConnector, gate)) // io.Closer forwarded
//
// The subpackages register ready-made drivers: "approved-postgres" (pgx),
// "approved-pq" (lib/pq) and "approved-sqlite" (modernc.org/sqlite), and
// driver/sqlmw adapts the Gate to ngrok/sqlmw.
//
// # Paths gated
//
// A decision is taken at the moment SQL would run, with that call's
// context (which carries the provisioning key, see [approval.WithKey]) and
// its arguments after database/sql's conversion (the inner connection's or
// statement's NamedValueChecker and ColumnConverter are honoured, because
// the wrapper advertises exactly the ones the inner driver has):
//
//   - Conn ExecContext and QueryContext (DB, Tx and sql.Conn Exec, Query,
//     QueryRow, with or without a context);
//   - PrepareContext: the text is decided with Phase [approval.Prepare]
//     (arguments unknown): a statement the policy denies whatever its
//     arguments never reaches the driver's Prepare (lib/pq starts COPY
//     there). Each execution of the statement is then decided again, Phase
//     [approval.Execute], with its actual arguments — also when database/sql
//     re-prepares it on another connection or hands it to Tx.Stmt;
//   - BeginTx: the text set by [WithBeginSQL] (default "BEGIN") with
//     Request.Tx describing the new transaction (read-only or not); the
//     isolation level and read-only flag are passed on. Statements in the
//     transaction carry Tx.Active and Tx.ReadOnly (also for a transaction
//     begun and ended by statement text: BEGIN, START TRANSACTION … READ
//     ONLY, COMMIT, ROLLBACK). Tx.ReadOnly is dropped for the rest of the
//     transaction once a statement ran that may switch it to read write
//     (SET, RESET, DO, CALL, or a call of a function not known to be
//     read-only, such as set_config). Commit and Rollback are not decided;
//   - the driver.ErrSkip fallback (Exec or Query → Prepare + Stmt): the
//     call is decided once, by the Exec/Query that got ErrSkip, and the
//     fallback's prepare and execution reuse that decision (no double count
//     in usage or audit), provided the arguments are the same.
//
// After an allowed call returns, the Gate's Finish gets the rows affected
// (-1 for queries, which are reported when the driver returns the rows) and
// the error. Rows are handed back unwrapped, so every optional Rows
// interface of the inner driver (NextResultSet, ColumnType…,
// RowsColumnScanner) is kept.
//
// A denied call fails with the Decision's *[approval.DeniedError]:
// errors.Is(err, approval.ErrDenied) holds, and the error never matches
// driver.ErrBadConn or driver.ErrSkip, so database/sql neither retries it
// nor discards the connection, which stays usable.
//
// # Calls without a context
//
// db.Exec, db.Query, tx.Exec, stmt.Exec … without a context run with
// context.Background(): they carry no key and are denied unless the policy
// allows anonymous calls. In particular a transaction begun with a key in
// its context does not pass that key to tx.Exec without a context: use
// tx.ExecContext(ctx, …).
//
// # Interfaces
//
// The wrapped connection implements driver.ExecerContext,
// QueryerContext, NamedValueChecker, Pinger, SessionResetter and Validator
// exactly when the inner connection does (ExecerContext and QueryerContext
// also when the inner one has only the legacy Execer or Queryer, which the
// wrapper then calls as database/sql would). It always implements
// ConnPrepareContext and ConnBeginTx, because database/sql's fallback
// without them drops the context and with it the key; without them on the
// inner connection the wrapper reproduces database/sql's own fallback
// (context checked after Prepare/Begin, non-default isolation and
// read-only refused with database/sql's errors). Statements add
// NamedValueChecker and ColumnConverter exactly when the inner statement
// has them, so that database/sql falls back to the connection's checker
// as it would without the wrapper. Connectors forward io.Closer; a wrapped
// driver implements driver.DriverContext when the base does, and
// Connector.Driver returns the wrapped driver.
//
// # Session settings
//
// The Gate's lexer assumes the session's settings (PostgreSQL
// standard_conforming_strings on and client_encoding UTF8). Unless
// [AllowSessionSettingChanges] is given, the wrapper refuses, after the
// Gate allowed it, any statement that may change them: SET or RESET of
// those names (also SET NAMES, SET LOCAL/SESSION), RESET ALL, DISCARD ALL,
// set_config(…) naming them in a literal or an argument, and for MySQL
// sql_mode, SET NAMES/CHARACTER SET and the character_set_* variables.
// What cannot be shown harmless is refused too: PostgreSQL DO blocks
// (dynamic SQL), any write to pg_settings, and set_config whose setting
// name is not a lone literal or bind parameter ('standard_' || …, a
// column) or whose arguments are of a type the driver turns into text
// itself. Functions and triggers that change a setting are invisible in
// the statement's text: only the call check of the pgx registration
// notices them (after the call). The refusal is a *approval.DeniedError whose
// cause is [ErrSessionSetting]. The PostgreSQL registrations also check
// each new connection ([WithConnectCheck]) and, for pgx, the settings the
// server reports after each call ([WithCallCheck]): a connection whose
// settings differ is refused or discarded.
//
// # Raw connections
//
// sql.Conn.Raw yields the wrapped connection, which gates like any other
// path. [Unwrap] returns the inner connection (for pgx's CopyFrom, say) only
// for drivers configured with [WithUnwrap], and records each unwrap through
// that option's auditor first.
//
// # Concurrency
//
// Drivers, connectors and Gates are safe for concurrent use. A wrapped
// connection, like any driver connection, is used by one goroutine at a
// time, as database/sql guarantees.
package driver
