package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver/postgres"
	"github.com/approvedsql/approvedsql/internal/testpg"

	_ "github.com/jackc/pgx/v5/stdlib" // the tests' own setup connections
)

// reloadPolicy is policy version v. What is allowed depends on v, so a
// call decided on the wrong version shows:
//
//	SELECT lt_items          allow always
//	SELECT lt_flip           allow when v is even, deny when odd
//	INSERT lt_log            review when v % 3 == 0, else allow
//	DELETE                   deny always
func reloadPolicy(tb testing.TB, v int) *approval.Policy {
	flip := "allow"
	if v%2 == 1 {
		flip = "deny"
	}
	ins := "allow"
	if v%3 == 0 {
		ins = "review"
	}
	return mustPolicy(tb, fmt.Sprintf(`version: "%d"
dialect: postgres
default: deny
rules:
  - name: no-delete
    effect: deny
    when: query.command == "DELETE"
  - name: items
    effect: allow
    when: query.command == "SELECT" && query.tables == ["lt_items"] && key.role == "app"
  - name: flip
    effect: %s
    when: query.command == "SELECT" && query.tables == ["lt_flip"]
  - name: log
    effect: %s
    when: query.command == "INSERT" && query.tables == ["lt_log"] && key.role == "app"
`, v, flip, ins))
}

// expectReload is the outcome policy version v gives op.
func expectReload(op string, v int) string {
	switch op {
	case "items":
		return "allow"
	case "flip":
		if v%2 == 1 {
			return "deny"
		}
		return "allow"
	case "insert":
		if v%3 == 0 {
			return "review"
		}
		return "allow"
	default:
		return "deny"
	}
}

// TestReloadUnderLoad: 16 goroutines of mixed allowed, denied and review
// traffic through "approved-postgres" on real PostgreSQL while the policy
// is reloaded 100 times. Each call's audit record says which policy
// version decided it; that version must be one in force during the call,
// and the call's outcome must be exactly what that version says: 0 wrongly
// allowed, 0 wrongly denied. The database then holds exactly the rows of
// the allowed inserts.
func TestReloadUnderLoad(t *testing.T) {
	dsn := testpg.NewDatabase(t, "loadtest")
	setup, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer setup.Close()
	for _, q := range []string{
		"CREATE TABLE lt_items (id int PRIMARY KEY, v text)",
		"INSERT INTO lt_items SELECT g, 'v' || g FROM generate_series(1, 100) g",
		"CREATE TABLE lt_flip (id int PRIMARY KEY)",
		"INSERT INTO lt_flip SELECT g FROM generate_series(1, 100) g",
		"CREATE TABLE lt_log (id bigserial PRIMARY KEY, call text NOT NULL)",
	} {
		if _, err := setup.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	rec := newRecorder()
	var version atomic.Int64 // the latest version put in force
	g := mustGate(t, reloadPolicy(t, 0), approval.WithAuditor(rec))
	postgres.SetGate(g)
	t.Cleanup(func() { postgres.SetGate(nil) })
	db, err := sql.Open(postgres.DriverName, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(16)

	const workers, reloads = 16, 100
	minCalls := size(40, 400)
	key := approval.Key{ID: "lt", Role: "app", ExpiresAt: time.Now().Add(time.Hour)}
	ops := []string{"items", "flip", "insert", "delete"}

	var done atomic.Bool
	var calls, wrongAllow, wrongDeny, badVersion, other atomic.Int64
	var allowedInserts sync.Map
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < minCalls || !done.Load(); i++ {
				op := ops[(w+i)%len(ops)]
				id := fmt.Sprintf("%d-%d", w, i)
				ctx := callCtx(context.Background(), key, id)
				before := version.Load()
				var err error
				switch op {
				case "items":
					var v string
					err = db.QueryRowContext(ctx, "SELECT v FROM lt_items WHERE id = $1", i%100+1).Scan(&v)
				case "flip":
					var n int
					err = db.QueryRowContext(ctx, "SELECT id FROM lt_flip WHERE id = $1", i%100+1).Scan(&n)
				case "insert":
					_, err = db.ExecContext(ctx, "INSERT INTO lt_log (call) VALUES ($1)", id)
				case "delete":
					_, err = db.ExecContext(ctx, "DELETE FROM lt_items WHERE id = $1", i%100+1)
				}
				after := version.Load()
				calls.Add(1)
				got := outcome(err)
				rs := rec.records(id)
				if len(rs) != 1 {
					other.Add(1)
					t.Errorf("call %s (%s): %d audit records, want 1", id, op, len(rs))
					continue
				}
				v := int64(versionOf(t, rs[0].PolicyVersion))
				// The version that decided must have been in force during
				// the call: the reloader stores the number after SetPolicy,
				// so a call may see one version beyond the number it read.
				if v < before || v > after+1 {
					badVersion.Add(1)
					t.Errorf("call %s decided on version %d, in force were %d..%d", id, v, before, after+1)
				}
				want := expectReload(op, int(v))
				switch {
				case got == want:
					if got == "allow" && op == "insert" {
						allowedInserts.Store(id, true)
					}
				case got == "allow":
					wrongAllow.Add(1)
					t.Errorf("call %s (%s) allowed on version %d, want %s", id, op, v, want)
				case want == "allow":
					wrongDeny.Add(1)
					t.Errorf("call %s (%s) refused (%v) on version %d, want allow", id, op, err, v)
				default:
					other.Add(1)
					t.Errorf("call %s (%s) on version %d: %s (%v), want %s", id, op, v, got, err, want)
				}
				// Without an Approvals store a review is recorded as a
				// denial (documented at approval.WithApprovals).
				if rd := rs[0].Decision; rd != got && (got != "review" || rd != "deny") {
					t.Errorf("call %s: audit record says %q, the call got %q", id, rs[0].Decision, got)
				}
			}
		}()
	}
	for v := 1; v <= reloads; v++ {
		time.Sleep(5 * time.Millisecond)
		g.SetPolicy(reloadPolicy(t, v))
		version.Store(int64(v))
	}
	done.Store(true)
	wg.Wait()

	var rows int
	if err := setup.QueryRow("SELECT count(*) FROM lt_log").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	n := 0
	allowedInserts.Range(func(any, any) bool { n++; return true })
	if rows != n {
		t.Errorf("lt_log holds %d rows, %d inserts were allowed", rows, n)
	}
	var items int
	if err := setup.QueryRow("SELECT count(*) FROM lt_items").Scan(&items); err != nil || items != 100 {
		t.Errorf("lt_items holds %d rows (%v), want 100: a denied DELETE ran", items, err)
	}
	t.Logf("%d calls from %d goroutines over %d reloads: %d wrongly allowed, %d wrongly denied, %d decided on a version not in force, %d other mismatches; %d audit records; %d inserts allowed and %d rows written",
		calls.Load(), workers, reloads, wrongAllow.Load(), wrongDeny.Load(), badVersion.Load(), other.Load(), rec.total, n, rows)
	if rec.total != int(calls.Load()) {
		t.Errorf("%d audit records for %d calls", rec.total, calls.Load())
	}
}
