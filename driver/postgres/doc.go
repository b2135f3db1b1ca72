// Package postgres registers the database/sql driver "approved-postgres":
// pgx v5's stdlib driver wrapped by package
// [github.com/approvedsql/approvedsql/driver], so that every statement is
// decided by an approval Gate before PostgreSQL sees it.
//
//	import _ "github.com/approvedsql/approvedsql/driver/postgres"
//
//	db, err := sql.Open("approved-postgres", dsn)
//	ctx = approval.WithKey(ctx, key)
//	_, err = db.ExecContext(ctx, "UPDATE accounts SET ...", args...)
//
// Importing the package registers the driver (its only side effect, in
// init; it panics if the name is already taken).
//
// # Which Gate
//
// The Gate set with [SetGate]; when none is set, a Gate built on first use
// from the policy file named by the APPROVEDSQL_POLICY environment variable
// (loaded once; a load error denies every statement with that error as
// the cause); with neither, every statement is denied with an error that
// says no policy is configured (approval.ErrNoPolicy).
//
// # Paths gated
//
// Every path listed in package driver: Exec and Query with and without a
// context, Prepare and each statement execution, BeginTx and statements in
// transactions, sql.Conn and its Raw connection. Calls without a context
// carry no key; a transaction begun with a key does not pass it to
// tx.Exec without a context.
//
// # pgx argument options
//
// pgx reads leading arguments of certain types as options. QueryExecMode is
// passed to pgx and is not an argument for the rules. QueryResultFormats
// and QueryResultFormatsByOID are refused: pgx's Query takes them as
// options but its Exec as parameters, so the rules could see arguments
// shifted from those that run. pgx.NamedArgs and StrictNamedArgs are
// applied by the wrapper before the decision, so the rules see the
// rewritten text ($1, $2 …) and its arguments, exactly what pgx runs; they
// are refused on prepared statements, and when the first rewritten
// argument is of an option type (pgx would read it as an option). Any
// other pgx.QueryRewriter is refused.
//
// With QueryExecModeSimpleProtocol (as an argument or as the connection's
// default_query_exec_mode) pgx puts the arguments into the text with its
// own scanner. A call with arguments whose text that scanner reads
// differently from PostgreSQL — an E'…' string, a $tag$ quote or a $n
// placeholder directly after an identifier character, as in name'x' or
// x$a$ — is refused with driver.ErrRewrite, since an argument could land
// outside the literal the Gate saw and run as SQL.
//
// # Session settings
//
// Each new connection is refused unless the server reports
// standard_conforming_strings as the policy's lexer assumes (on, unless the
// policy of the Gate set with [SetGate] or loaded from APPROVEDSQL_POLICY
// sets non-standard strings; with a Gate passed to driver.NewConnector it
// must be on) and client_encoding UTF8. PostgreSQL
// reports changes of both after each statement; a connection whose
// settings changed (say, through a function calling set_config) is
// discarded before its next statement. Statements that would change them
// are refused unless [driver.AllowSessionSettingChanges] is given (to a
// connector built with [Options]).
//
// # Raw and unwrap
//
// sql.Conn.Raw yields the wrapped connection. To reach the *stdlib.Conn
// (for pgx's CopyFrom), build the DB with [Options] plus
// [driver.WithUnwrap] and call [driver.Unwrap]; each unwrap is audited.
package postgres
