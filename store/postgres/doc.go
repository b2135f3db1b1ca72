// Package postgres is the PostgreSQL [approval.Store] for many application
// instances: grants, key revocations, pending requests and grant usage
// counters live in tables every instance shares, and a change made on one
// instance is in force on every other within a second.
//
// # How it works
//
// [Open] connects with pgx, creates or migrates its own versioned schema
// (tables prefixed approvedsql_, versions recorded in
// approvedsql_schema_version, migrations serialised by an advisory lock so
// many instances may start at once) and LISTENs on the channel
// approvedsql_changes. Triggers on the grant and revocation tables NOTIFY
// that channel on every change — also one made by hand in SQL — so each
// instance's [approval.Ledger] re-reads the tables within milliseconds. A
// lost listening connection is re-established with backoff, and a resync
// follows every reconnection; the Ledger's periodic resync is the
// backstop.
//
// The per-query path never waits on PostgreSQL: the Ledger answers from
// its local index. The one exception is a grant with a maximum number of
// uses, counted atomically here (UPDATE … WHERE uses < max_uses).
//
// # When PostgreSQL is down
//
// Every operation has a timeout (WithOpTimeout) and returns an error; the
// Ledger then keeps serving its cached grants until they end, keeps the
// revocations it has seen, queues pending requests and writes them when
// the database returns, and refuses whatever needs the database
// (approving, revoking, counting a limited grant) with an error matching
// [approval.ErrStoreDown].
//
// # Audit
//
// [AuditSink] writes audit records to the approvedsql_audit table in
// batches (one INSERT per batch; a retried batch is not written twice, as
// record hashes are unique). Each application instance writes its own hash
// chain; [Store.AuditChain] streams one chain as JSON Lines for
// [approval.VerifyAuditLog] ("approvalctl audit verify --store DSN").
//
// A Store is safe for concurrent use.
package postgres
