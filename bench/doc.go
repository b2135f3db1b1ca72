// Package bench holds the side-by-side benchmarks of approvedsql against its
// peers and the tools that turn their output into ratio tables. It has no
// library code: everything is in its _test.go files and in bench/ratio.
//
// Run everything with bench/run.sh (see docs/performance.md; the raw
// output of the run quoted there is in bench/runs):
//
//	bench/run.sh                      # full run: ≥ 40 interleaved rounds on real PostgreSQL
//	APPROVEDSQL_BENCH_QUICK=1 bench/run.sh   # CI-sized run
//
// The benchmarks here:
//
//   - BenchmarkRealPG: database/sql over real PostgreSQL on loopback —
//     pgx's stdlib driver ("raw"), "approved-postgres" (the same pgx driver
//     behind the Gate, with and without an audit file), and pgx through a
//     pgbouncer hop in transaction pooling (simple protocol, since
//     pgbouncer 1.18 cannot keep pgx's prepared-statement cache) — for a
//     point select on one connection, a point select from 8 goroutines, and
//     a single-row insert. It needs APPROVEDSQL_TEST_POSTGRES; the pgbouncer
//     variant also needs APPROVEDSQL_BENCH_PGBOUNCER (host:port of a
//     pgbouncer that forwards every database to that server).
//   - BenchmarkDecideFew: Gate.Decide with 1, 10 and 100 rules, serial and
//     parallel, for a statement only a few of the rules can match.
//   - BenchmarkNormalizers (build tag pgquery): a cold sqlnorm.Normalize
//     against DataDog/go-sqllexer and pg_query's Parse and Fingerprint.
//
// Each reports cpu-ns/op beside ns/op: the process's CPU time per operation,
// closer to the code's cost than wall time on a shared machine.
//
// The fake-driver, lexer and engine benchmarks live beside their code
// (driver, sqlnorm, approval) and are run by bench/run.sh from there.
package bench
