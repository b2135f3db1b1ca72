package driver

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	sqldriver "database/sql/driver"

	"github.com/XSAM/otelsql"
	"github.com/ngrok/sqlmw"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/internal/cputime"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// benchConn is an in-memory driver connection that does nothing, so that
// the benchmarks measure the wrappers.
type benchConn struct{}

func (benchConn) Prepare(string) (sqldriver.Stmt, error) { return benchStmt{}, nil }
func (benchConn) Close() error                           { return nil }
func (benchConn) Begin() (sqldriver.Tx, error)           { return benchTx{}, nil }
func (benchConn) ExecContext(context.Context, string, []sqldriver.NamedValue) (sqldriver.Result, error) {
	return sqldriver.RowsAffected(1), nil
}
func (benchConn) QueryContext(context.Context, string, []sqldriver.NamedValue) (sqldriver.Rows, error) {
	return &benchRows{}, nil
}
func (benchConn) ResetSession(context.Context) error { return nil }
func (benchConn) IsValid() bool                      { return true }

type benchStmt struct{}

func (benchStmt) Close() error  { return nil }
func (benchStmt) NumInput() int { return -1 }
func (benchStmt) Exec([]sqldriver.Value) (sqldriver.Result, error) {
	return sqldriver.RowsAffected(1), nil
}
func (benchStmt) Query([]sqldriver.Value) (sqldriver.Rows, error) { return &benchRows{}, nil }

type benchTx struct{}

func (benchTx) Commit() error   { return nil }
func (benchTx) Rollback() error { return nil }

type benchRows struct{ done bool }

func (r *benchRows) Columns() []string { return []string{"n"} }
func (r *benchRows) Close() error      { return nil }
func (r *benchRows) Next(dest []sqldriver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = int64(1)
	return nil
}

type benchDriver struct{}

func (benchDriver) Open(string) (sqldriver.Conn, error) { return benchConn{}, nil }

type benchConnector struct{ d sqldriver.Driver }

func (c benchConnector) Connect(context.Context) (sqldriver.Conn, error) { return c.d.Open("") }
func (c benchConnector) Driver() sqldriver.Driver                        { return c.d }

// benchPolicy is the engine benchmark's policy with n rules: a deny rule
// for every command, then allow rules spread over SELECT, INSERT, UPDATE
// and DELETE; the call matches the last SELECT rule.
func benchPolicy(tb testing.TB, n int) *approval.Policy {
	var b strings.Builder
	b.WriteString("version: bench\ndialect: postgres\nconstants:\n  secret_tables: [secrets, keys]\nrules:\n")
	b.WriteString("  - name: no-secrets\n    effect: deny\n    when: query.tables.exists(t, t in secret_tables)\n")
	cmds := []string{"SELECT", "INSERT", "UPDATE", "DELETE"}
	last := 0
	for i := 1; i < n; i++ {
		if cmds[i%4] == "SELECT" {
			last = i
		}
	}
	for i := 1; i < n; i++ {
		role := fmt.Sprintf("role%d", i)
		if i == last {
			role = "app"
		}
		fmt.Fprintf(&b, "  - name: r%d\n    effect: allow\n    when: query.command == %q && key.role == %q && key.expires_at > now\n", i, cmds[i%4], role)
	}
	p, err := approval.ParsePolicy([]byte(b.String()), "bench.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

const benchSQL = "SELECT id, total FROM orders WHERE customer_id = $1"

// benchGate returns a Gate with the 10-rule policy, auditing into a
// buffered AuditTrail whose sink discards.
func benchGate(b *testing.B, audit bool) *approval.Gate {
	b.Helper()
	if _, err := sqlnorm.Normalize(sqlnorm.Options{Dialect: sqlnorm.Postgres}, benchSQL); err != nil {
		b.Skipf("lexer unavailable: %v", err)
	}
	var opts []approval.Option
	if audit {
		trail, err := approval.NewAuditTrail(approval.SinkFunc(func(context.Context, []approval.Record) error { return nil }),
			approval.WithOverflow(approval.OverflowBlock), approval.WithAuditBuffer(1<<14))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { trail.Close() })
		opts = append(opts, approval.WithAuditor(trail))
	}
	g, err := approval.NewGate(benchPolicy(b, 10), opts...)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// benchKeyCtx is the benchmarks' context: a key with role app.
func benchKeyCtx() context.Context {
	return approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
}

// execVariant opens one way of reaching the in-memory driver.
type execVariant struct {
	name string
	open func(b *testing.B) *sql.DB
}

// execVariants are BenchmarkExecContext's variants: raw, approved (10
// rules, cached statement; with the gate set lazily; with an audit record
// enqueued), the wrapper alone, and the otelsql and sqlmw pass-throughs.
var execVariants = []execVariant{
	{"raw", func(b *testing.B) *sql.DB { return sql.OpenDB(benchConnector{benchDriver{}}) }},
	{"approved", func(b *testing.B) *sql.DB {
		return sql.OpenDB(NewConnector(benchConnector{benchDriver{}}, benchGate(b, false)))
	}},
	{"approved-lazy-gate", func(b *testing.B) *sql.DB {
		g := benchGate(b, false)
		return sql.OpenDB(NewConnector(benchConnector{benchDriver{}}, nil, WithGateFunc(func() (*approval.Gate, error) { return g, nil })))
	}},
	{"approved+audit", func(b *testing.B) *sql.DB {
		return sql.OpenDB(NewConnector(benchConnector{benchDriver{}}, benchGate(b, true)))
	}},
	{"wrapper-only", func(b *testing.B) *sql.DB {
		return sql.OpenDB(newConnectorDecider(benchConnector{benchDriver{}}, allowDecider{}))
	}},
	{"otelsql", func(b *testing.B) *sql.DB { return otelsql.OpenDB(benchConnector{benchDriver{}}) }},
	{"sqlmw", func(b *testing.B) *sql.DB {
		return sql.OpenDB(benchConnector{sqlmw.Driver(benchDriver{}, sqlmw.NullInterceptor{})})
	}},
}

// execVariantsNamed returns the execVariants with these names, in order.
func execVariantsNamed(names ...string) []execVariant {
	var out []execVariant
	for _, n := range names {
		for _, v := range execVariants {
			if v.name == n {
				out = append(out, v)
			}
		}
	}
	return out
}

// BenchmarkExecContext compares one db.ExecContext through database/sql
// over an in-memory driver: raw, approved (10 rules, cached statement,
// with and without an audit record enqueued), and the otelsql and sqlmw
// pass-through wrappers.
func BenchmarkExecContext(b *testing.B) {
	ctx := benchKeyCtx()
	for _, tc := range execVariants {
		b.Run(tc.name, func(b *testing.B) {
			db := tc.open(b)
			defer db.Close()
			if _, err := db.ExecContext(ctx, benchSQL, 42); err != nil {
				b.Fatal(err)
			}
			cpu := startOnThread(b)
			defer runtime.UnlockOSThread()
			for b.Loop() {
				if _, err := db.ExecContext(ctx, benchSQL, 42); err != nil {
					b.Fatal(err)
				}
			}
			cpu.Report(b)
		})
	}
}

// BenchmarkConnExecContext measures the wrapper alone, calling the
// driver connection directly (no database/sql).
func BenchmarkConnExecContext(b *testing.B) {
	ctx := benchKeyCtx()
	args := []sqldriver.NamedValue{{Ordinal: 1, Value: int64(42)}}
	for _, tc := range []struct {
		name string
		conn func(b *testing.B) sqldriver.ExecerContext
	}{
		{"raw", func(*testing.B) sqldriver.ExecerContext { return benchConn{} }},
		{"approved", func(b *testing.B) sqldriver.ExecerContext {
			return wrapConn(benchConn{}, newConfig(gateRef{gate: benchGate(b, false)}, nil)).(sqldriver.ExecerContext)
		}},
		{"wrapper-only", func(b *testing.B) sqldriver.ExecerContext {
			return wrapConn(benchConn{}, newConfig(gateRef{d: allowDecider{}}, nil)).(sqldriver.ExecerContext)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := tc.conn(b)
			cpu := startOnThread(b)
			defer runtime.UnlockOSThread()
			for b.Loop() {
				if _, err := c.ExecContext(ctx, benchSQL, args); err != nil {
					b.Fatal(err)
				}
			}
			cpu.Report(b)
		})
	}
}

// BenchmarkGateOnly is the Gate's share of BenchmarkConnExecContext/approved:
// Decide and Finish for the same call, without the wrapper or a driver.
func BenchmarkGateOnly(b *testing.B) { benchGateOnly(b, false) }

// BenchmarkGateOnlyAudit is BenchmarkGateOnly with the audit record
// enqueued: the difference is the audit's cost on the caller's goroutine
// (cpu-ns/op) and in all (ns/op, allocs/op: the writer goroutine counts).
func BenchmarkGateOnlyAudit(b *testing.B) { benchGateOnly(b, true) }

// startOnThread locks the benchmark to its OS thread (the caller unlocks
// it), resets the timer and starts measuring the thread's CPU time.
func startOnThread(b *testing.B) cputime.Meter {
	runtime.LockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	return cputime.StartThread()
}

func benchGateOnly(b *testing.B, audit bool) {
	ctx := benchKeyCtx()
	g := benchGate(b, audit)
	req := approval.Request{SQL: benchSQL, Args: []approval.Arg{{Ordinal: 1, Value: int64(42)}}}
	cpu := startOnThread(b)
	defer runtime.UnlockOSThread()
	for b.Loop() {
		d := g.Decide(ctx, req)
		if !d.Allowed() {
			b.Fatal(d.Err)
		}
		g.Finish(ctx, &d, approval.Result{RowsAffected: 1})
	}
	cpu.Report(b)
}

// allowDecider allows everything at no cost, to measure the wrapper alone.
type allowDecider struct{}

var allowStmt = &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT", ReadOnly: true, Text: "SELECT id, total FROM orders WHERE customer_id = $0"}

func (allowDecider) Decide(context.Context, approval.Request) approval.Decision {
	return approval.Decision{Effect: approval.Allow, Statement: allowStmt}
}
func (allowDecider) Finish(context.Context, *approval.Decision, approval.Result) {}
