package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the raw pgx driver, "pgx"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver/postgres"
	"github.com/approvedsql/approvedsql/internal/cputime"
	"github.com/approvedsql/approvedsql/internal/testpg"
)

// EnvPgBouncer names a pgbouncer (host:port) forwarding every database to
// the server of APPROVEDSQL_TEST_POSTGRES; without it the pgbouncer
// variant of BenchmarkRealPG is skipped.
const EnvPgBouncer = "APPROVEDSQL_BENCH_PGBOUNCER"

// EnvRound names the round number bench/run.sh sets (1, 2, …): round r
// runs the variants of each workload rotated by r-1, so that over the
// rounds every variant runs in every position and none always follows the
// same neighbour.
const EnvRound = "APPROVEDSQL_BENCH_ROUND"

// rotate returns vs rotated left by the round number in EnvRound, less
// one (vs itself when it is unset).
func rotate(b *testing.B, vs []realVariant) []realVariant {
	s := os.Getenv(EnvRound)
	if s == "" {
		return vs
	}
	r, err := strconv.Atoi(s)
	if err != nil || r < 1 {
		b.Fatalf("%s=%q: want a round number from 1", EnvRound, s)
	}
	k := (r - 1) % len(vs)
	return append(append([]realVariant{}, vs[k:]...), vs[:k]...)
}

const (
	realItems  = 1000
	pointQuery = "SELECT id, name, price FROM bench_items WHERE id = $1"
	insertStmt = "INSERT INTO bench_log (item_id, note) VALUES ($1, $2)"
)

// realPolicy is a 10-rule policy of the kind a service would run: deny
// rules first, then allows by command, table and role.
const realPolicy = `version: realpg
dialect: postgres
constants:
  secret_tables: [secrets, api_keys, bench_admin]
rules:
  - name: no-secrets
    effect: deny
    when: query.tables.exists(t, t in secret_tables)
  - name: no-ddl
    effect: deny
    when: query.command in ["DROP", "TRUNCATE", "ALTER", "CREATE"]
  - name: no-unbounded-delete
    effect: deny
    when: query.command == "DELETE" && !query.has_where
  - name: read-items
    effect: allow
    when: query.command == "SELECT" && query.tables.all(t, t == "bench_items") && key.role == "app"
  - name: write-log
    effect: allow
    when: query.command == "INSERT" && query.tables == ["bench_log"] && key.role == "app"
  - name: admin-read
    effect: allow
    when: query.command == "SELECT" && key.role == "admin"
  - name: update-items
    effect: allow
    when: query.command == "UPDATE" && query.tables == ["bench_items"] && key.role == "writer"
  - name: delete-log
    effect: allow
    when: query.command == "DELETE" && query.tables == ["bench_log"] && key.role == "janitor"
  - name: reporting
    effect: allow
    when: query.command == "SELECT" && key.role == "reporting" && key.scopes.exists(s, s == "reports")
  - name: copy-out
    effect: review
    when: query.command == "COPY"
`

// realDBs creates a database of its own with the benchmark tables and
// returns its DSN (direct) and, when a pgbouncer is configured, the DSN of
// the same database through it ("" otherwise).
func realDBs(b *testing.B) (direct, bouncer string) {
	b.Helper()
	direct = testpg.NewDatabase(b, "bench")
	db, err := sql.Open("pgx", direct)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE bench_items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)",
		fmt.Sprintf("INSERT INTO bench_items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, %d) g", realItems),
		"CREATE TABLE bench_log (id bigserial PRIMARY KEY, item_id int NOT NULL, note text NOT NULL)",
		"ANALYZE bench_items",
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	if hp := os.Getenv(EnvPgBouncer); hp != "" {
		u, err := url.Parse(direct)
		if err != nil {
			b.Fatal(err)
		}
		u.Host = hp
		q := u.Query()
		// pgbouncer 1.18 in transaction pooling cannot carry pgx's
		// named prepared statements from one transaction to the next.
		q.Set("default_query_exec_mode", "simple_protocol")
		u.RawQuery = q.Encode()
		bouncer = u.String()
	}
	return direct, bouncer
}

// realVariant is one way of reaching the server.
type realVariant struct {
	name   string
	driver string
	dsn    string
	gate   *approval.Gate // for approved-postgres: set as the driver's gate before opening
}

func realVariants(b *testing.B) ([]realVariant, context.Context) {
	direct, bouncer := realDBs(b)
	p, err := approval.ParsePolicy([]byte(realPolicy), "realpg.yaml")
	if err != nil {
		b.Fatal(err)
	}
	g, err := approval.NewGate(p)
	if err != nil {
		b.Fatal(err)
	}
	// The audit variant writes every record to a JSON Lines file through
	// the buffered trail, as a default deployment does.
	sink, err := approval.NewFileSink(filepath.Join(b.TempDir(), "audit.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	trail, err := approval.NewAuditTrail(sink, approval.WithOverflow(approval.OverflowBlock))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { trail.Close(); sink.Close() })
	ga, err := approval.NewGate(p, approval.WithAuditor(trail))
	if err != nil {
		b.Fatal(err)
	}
	vs := []realVariant{
		{name: "raw-pgx", driver: "pgx", dsn: direct},
		{name: "approved", driver: postgres.DriverName, dsn: direct, gate: g},
		{name: "approved+audit", driver: postgres.DriverName, dsn: direct, gate: ga},
		// The same as raw-pgx, measured again in the same round: the
		// spread of its ratio to raw-pgx is the noise floor of the run.
		{name: "raw-pgx-again", driver: "pgx", dsn: direct},
	}
	if bouncer != "" {
		vs = append(vs, realVariant{name: "pgbouncer", driver: "pgx", dsn: bouncer})
	}
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "bench", Role: "app", ExpiresAt: time.Now().Add(24 * time.Hour)})
	return vs, ctx
}

func openReal(b *testing.B, v realVariant, conns int) *sql.DB {
	b.Helper()
	if v.gate != nil {
		// The registration's gate is process wide; variants run one after
		// another, each with its own.
		postgres.SetGate(v.gate)
	}
	db, err := sql.Open(v.driver, v.dsn)
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkRealPG compares database/sql over real PostgreSQL on loopback:
// pgx's stdlib driver (raw, default exec mode: statement cache), the same
// driver as "approved-postgres", and pgx through pgbouncer. Run it in
// interleaved rounds (bench/run.sh) and compare medians: one process run
// measures every variant once, back to back.
func BenchmarkRealPG(b *testing.B) {
	vs, ctx := realVariants(b)
	workloads := []struct {
		name  string
		conns int
		run   func(b *testing.B, db *sql.DB)
	}{
		{"point-select-1conn", 1, func(b *testing.B, db *sql.DB) {
			r := rand.New(rand.NewPCG(1, 2))
			var id int
			var name, price string
			for b.Loop() {
				if err := db.QueryRowContext(ctx, pointQuery, r.IntN(realItems)+1).Scan(&id, &name, &price); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"point-select-8goroutines", 8, func(b *testing.B, db *sql.DB) {
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			b.ResetTimer()
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(w), 3))
					var id int
					var name, price string
					for next.Add(1) <= int64(b.N) {
						if err := db.QueryRowContext(ctx, pointQuery, r.IntN(realItems)+1).Scan(&id, &name, &price); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
		}},
		{"insert-1conn", 1, func(b *testing.B, db *sql.DB) {
			i := 0
			for b.Loop() {
				i++
				if _, err := db.ExecContext(ctx, insertStmt, i%realItems+1, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		}},
	}
	vs = rotate(b, vs)
	for _, w := range workloads {
		for _, v := range vs {
			b.Run(w.name+"/"+v.name, func(b *testing.B) {
				db := openReal(b, v, w.conns)
				// Warm the pool and pgx's statement cache (and the Gate's
				// statement cache) before timing.
				for range 3 * w.conns {
					if err := db.PingContext(ctx); err != nil {
						b.Fatal(err)
					}
				}
				warm := func() error {
					var id int
					var name, price string
					if w.name == "insert-1conn" {
						_, err := db.ExecContext(ctx, insertStmt, 1, "warm")
						return err
					}
					return db.QueryRowContext(ctx, pointQuery, 1).Scan(&id, &name, &price)
				}
				var wg sync.WaitGroup
				for range w.conns {
					wg.Add(1)
					go func() { defer wg.Done(); _ = warm() }()
				}
				wg.Wait()
				if err := warm(); err != nil {
					b.Fatalf("%s: %v", v.name, err)
				}
				if v.gate != nil {
					// The gate is really in the path: a statement the
					// policy denies never reaches the server.
					if _, err := db.ExecContext(ctx, "DELETE FROM bench_items"); !errors.Is(err, approval.ErrDenied) {
						b.Fatalf("%s: DELETE without WHERE: got %v, want ErrDenied", v.name, err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cputime.StartProcess()
				w.run(b, db)
				cpu.Report(b)
			})
		}
	}
}
