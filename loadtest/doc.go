// Package loadtest proves approvedsql under load and faults with bounded
// tests that run under `go test -race ./...`:
//
//   - memory: a flood of unique statements through a Gate leaves the heap
//     bounded by the statement cache's limits; a steady mix of decisions
//     allocates nothing that grows;
//   - policy reloads under 16 goroutines of mixed traffic through
//     "approved-postgres" on real PostgreSQL: no call wrongly allowed or
//     denied, each judged by the policy version it was decided on;
//   - the PostgreSQL store stopped and restarted mid-traffic (through a TCP
//     proxy the test controls): nothing wrongly allowed, no audit record
//     lost, pending requests written once it is back;
//   - an audit sink that fails or stalls: the configured overflow policy
//     holds and record counts equal call counts;
//   - a key revoked on one instance is refused on another within 1 s;
//   - an injected clock jumping forward and back: no grant outlives its
//     end, no use beyond max uses, no expired key accepted;
//   - (build tag pgquery) generated tricky input through the lexer and
//     PostgreSQL's own parser: whenever PostgreSQL sees more than one
//     statement, the lexer rejects.
//
// The package has no library code. Counts are CI-sized by default;
// APPROVEDSQL_LONG=1 runs the full sizes (1,000,000 statements, decisions
// and generated inputs; longer traffic). Tests needing PostgreSQL read
// APPROVEDSQL_TEST_POSTGRES (see internal/testpg). See docs/reliability.md.
package loadtest
