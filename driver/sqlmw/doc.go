// Package sqlmw adapts an approval Gate to github.com/ngrok/sqlmw, for apps
// that already build their database/sql stack on sqlmw:
//
//	intr, err := sqlmw.New(gate)
//	sql.Register("postgres-approved", ngrok.Driver(pq.Driver{}, intr))
//
// The [Interceptor] decides every execution hook sqlmw offers —
// ConnBeginTx, ConnPrepareContext (the text, Phase Prepare), ConnExecContext,
// ConnQueryContext, StmtExecContext and StmtQueryContext (each with its
// actual arguments) — and refuses statements that would change the session
// settings the lexer depends on, like package driver. A denial is the
// Decision's *approval.DeniedError, never driver.ErrBadConn or ErrSkip.
//
// # Known gaps of sqlmw
//
// Prefer package driver's own wrapper where you can. sqlmw cannot close
// these gaps from an Interceptor:
//
//   - Calls without a context are not intercepted at all: the legacy
//     Prepare, Begin, Exec and Query of sqlmw's connection and Exec/Query of
//     its statements go straight to the inner driver. database/sql itself
//     always uses the context forms, but code reaching the driver
//     connection through sql.Conn.Raw can call the legacy ones and bypass
//     the Gate.
//   - sqlmw advertises every optional interface whether the inner driver
//     has it or not: with a driver lacking ConnBeginTx,
//     BeginTx(ReadOnly: true) silently begins a read-write transaction;
//     Validator and SessionResetter answer for a driver that has neither.
//   - Its rows wrapper has a frozen interface set, hiding optional Rows
//     interfaces added since (driver.RowsColumnScanner, Go 1.27).
//   - Hooks not overridden pass through (NullInterceptor): this adapter
//     overrides every execution hook, but a type embedding it and
//     overriding one of them again must decide itself.
//   - Arguments reach the inner driver as they are. pgx reads a leading
//     argument of an option type (QueryExecMode, result formats, a
//     QueryRewriter such as NamedArgs) as an option that changes the text
//     or shifts the arguments, so such calls are refused ([driver.ErrRewrite]);
//     package driver/postgres understands them. Likewise a PostgreSQL
//     call with arguments whose text pgx's simple protocol would tokenise
//     differently from the server (e'…', $tag$ or $n glued to an
//     identifier) is refused, whatever the inner driver.
//   - The hooks get no connection identity, so Request.Tx is not tracked
//     for statements inside a transaction (only BeginTx reports the new
//     transaction), and a driver.ErrSkip fallback (Exec → Prepare + Stmt)
//     is decided at each step.
package sqlmw
