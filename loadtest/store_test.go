package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/internal/testpg"
	"github.com/approvedsql/approvedsql/sqlnorm"
	pgstore "github.com/approvedsql/approvedsql/store/postgres"
)

const storePolicy = `version: "store"
dialect: postgres
default: review
rules:
  - name: no-delete
    effect: deny
    when: query.command == "DELETE"
  - name: items
    effect: allow
    when: query.command == "SELECT" && query.tables == ["lt_items"] && key.role == "app"
`

// Statements of the outage test; the granted ones are allowed only by a
// grant (the policy's default is review).
const (
	sqlItems   = "SELECT v FROM lt_items WHERE id = $1"
	sqlGranted = "SELECT v FROM lt_granted WHERE id = $1"
	sqlLimited = "SELECT v FROM lt_limited WHERE id = $1"
	sqlDelete  = "DELETE FROM lt_items WHERE id = $1"
)

func fingerprint(tb testing.TB, p *approval.Policy, sql string) string {
	tb.Helper()
	st, err := sqlnorm.Normalize(p.Options(), sql)
	if err != nil {
		tb.Fatal(err)
	}
	return st.Fingerprint
}

func within(tb testing.TB, d time.Duration, what string, ok func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > d {
			tb.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// proxied returns the store's database DSN through a TCP proxy the test
// controls.
func proxied(tb testing.TB, dsn string) (*tcpProxy, string) {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	px := newTCPProxy(tb, u.Host)
	u.Host = px.addr
	return px, u.String()
}

// TestStoreOutageUnderTraffic: 8 goroutines decide calls through a Gate
// whose grants, revocations and pending requests live in the PostgreSQL
// store, reached through a TCP proxy that is cut mid-run and restored.
// Audit records go either to a local JSON Lines file or to the same
// PostgreSQL (its batched sink, overflow block). Checked: no call is
// wrongly allowed (a statement needing review, a denied one, or a grant
// limited by uses — which needs the store — while it is down); cached
// grants and rules keep serving while the store is down unless the audit
// trail itself cannot write (then calls are refused, never let through
// unrecorded); every review's pending request is in the store after it
// returns; every call has exactly one audit record; service resumes without
// restarting anything.
func TestStoreOutageUnderTraffic(t *testing.T) {
	for _, auditTo := range []string{"file", "postgres"} {
		t.Run("audit="+auditTo, func(t *testing.T) { storeOutage(t, auditTo) })
	}
}

func storeOutage(t *testing.T, auditTo string) {
	dsn := testpg.NewDatabase(t, "loadtest")
	px, viaProxy := proxied(t, dsn)
	ctx := context.Background()
	octx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	st, err := pgstore.Open(octx, viaProxy, pgstore.WithOpTimeout(10*time.Second), pgstore.WithReconnectBackoff(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ledger, err := approval.NewLedger(ctx, st, approval.WithResyncInterval(100*time.Millisecond), approval.WithStoreTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer ledger.Close()

	var sink approval.Sink
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	if auditTo == "file" {
		fs, err := approval.NewFileSink(auditFile)
		if err != nil {
			t.Fatal(err)
		}
		defer fs.Close()
		sink = fs
	} else {
		sink = pgstore.NewAuditSink(st, "loadtest")
	}
	trail, err := approval.NewAuditTrail(sink, approval.WithOverflow(approval.OverflowBlock), approval.WithAuditRetry(10*time.Millisecond, 100*time.Millisecond),
		approval.WithAuditCloseTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	p := mustPolicy(t, storePolicy)
	g := mustGate(t, p, approval.WithApprovals(ledger), approval.WithAuditor(trail))
	role := approval.GrantScope{Kind: approval.ScopeRole, Value: "app"}
	if _, err := ledger.AddGrant(ctx, fingerprint(t, p, sqlGranted), sqlGranted, role, approval.GrantSpec{For: time.Hour, By: "loadtest"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.AddGrant(ctx, fingerprint(t, p, sqlLimited), sqlLimited, role, approval.GrantSpec{For: time.Hour, MaxUses: 1_000_000, By: "loadtest"}); err != nil {
		t.Fatal(err)
	}
	key := approval.Key{ID: "lt", Role: "app", ExpiresAt: time.Now().Add(time.Hour)}

	// epoch: 0 store up, 1 going down and down, 2 back but the ledger not
	// yet recovered, 3 recovered; down: the proxy is cut.
	var epoch atomic.Int64
	var down atomic.Bool
	var stop atomic.Bool
	var calls, allowed, wrongAllow, wrongDeny, auditRefused, limitedDown, limitedSlow atomic.Int64
	var pendingIDs sync.Map
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				op := []string{"items", "granted", "limited", "review", "delete"}[(w+i)%5]
				sql := map[string]string{"items": sqlItems, "granted": sqlGranted, "limited": sqlLimited, "delete": sqlDelete}[op]
				if op == "review" {
					sql = fmt.Sprintf("SELECT v FROM lt_review_%d_%d WHERE id = $1", w, i%3)
				}
				id := fmt.Sprintf("%d-%d", w, i)
				cctx := callCtx(ctx, key, id)
				e0, d0 := epoch.Load(), down.Load()
				d := g.Decide(cctx, approval.Request{SQL: sql, Args: []approval.Arg{{Ordinal: 1, Value: int64(i)}}})
				e1, d1 := epoch.Load(), down.Load()
				calls.Add(1)
				downAll := d0 && d1 && e0 == e1
				switch {
				case d.Allowed():
					allowed.Add(1)
					g.Finish(cctx, &d, approval.Result{RowsAffected: 1})
					if op == "review" || op == "delete" || (op == "limited" && downAll) {
						wrongAllow.Add(1)
						t.Errorf("call %s (%s) allowed (store down during the whole call: %v)", id, op, downAll)
					}
				case auditRefusal(d.Err):
					auditRefused.Add(1)
					if auditTo == "file" {
						wrongDeny.Add(1)
						t.Errorf("call %s (%s) refused by the audit file: %v", id, op, d.Err)
					}
				case op == "review":
					if !errors.Is(d.Err, approval.ErrReviewRequired) || d.RequestID == "" {
						t.Errorf("call %s: review without a request id: %v", id, d.Err)
					}
					pendingIDs.Store(d.RequestID, true)
				case op == "limited" && (e0 == 1 || e0 == 2 || e1 == 1 || e1 == 2):
					// Needs the store: refused while it is down and until
					// the ledger has reconnected.
					limitedDown.Add(1)
				case op == "limited" && errors.Is(d.Err, approval.ErrStoreDown):
					// Counting a use is a round trip to the store; one that
					// times out while the store is up (a loaded machine, a
					// busy pool) fails closed too. Counted, not a failure.
					limitedSlow.Add(1)
					t.Logf("call %s (limited) refused on a store error while it was up (epochs %d..%d): %v: %v", id, e0, e1, d.Err, errors.Unwrap(d.Err))
				case op == "items" || op == "granted" || op == "limited":
					wrongDeny.Add(1)
					t.Errorf("call %s (%s) refused (epochs %d..%d): %v", id, op, e0, e1, d.Err)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	epoch.Add(1) // going down: refusals from here on are expected
	px.stop()
	down.Store(true) // really down: nothing needing the store may pass
	within(t, 5*time.Second, "the ledger to notice the store is down", func() bool { return errors.Is(ledger.Health(), approval.ErrStoreDown) })
	time.Sleep(1 * time.Second)
	down.Store(false)
	epoch.Add(1) // back (from the next instant)
	px.start(t)
	restarted := time.Now()
	within(t, 20*time.Second, "the ledger to recover", func() bool { return ledger.Health() == nil && ledger.Queued() == 0 })
	recovered := time.Since(restarted)
	epoch.Add(1) // recovered
	time.Sleep(500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	if err := ledger.Flush(ctx); err != nil {
		t.Errorf("Flush after the outage: %v", err)
	}
	// Read back directly, not through the proxy.
	direct, err := pgstore.Open(octx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	snap, err := direct.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inStore := map[string]bool{}
	for _, pr := range snap.Pending {
		inStore[pr.ID] = true
	}
	npending, lost := 0, 0
	pendingIDs.Range(func(id, _ any) bool {
		npending++
		if !inStore[id.(string)] {
			lost++
			t.Errorf("pending request %s not in the store after it returned", id)
		}
		return true
	})
	if err := trail.Close(); err != nil {
		t.Errorf("closing the audit trail: %v", err)
	}
	var records int
	if auditTo == "file" {
		records, err = approval.VerifyAuditFiles(approval.AuditFiles(auditFile)...)
		if err != nil {
			t.Errorf("audit file: %v", err)
		}
	} else {
		rs, err := direct.TailAudit(ctx, int(calls.Load())+100)
		if err != nil {
			t.Fatal(err)
		}
		records = len(rs)
	}
	if records != int(calls.Load()) {
		t.Errorf("%d audit records for %d calls", records, calls.Load())
	}
	if trail.Refused() != 0 {
		t.Errorf("%d audit records refused", trail.Refused())
	}
	t.Logf("audit to %s: %d calls (%d allowed), %d wrongly allowed, %d wrongly denied, %d refused by the audit trail while it could not write, %d limited-grant calls refused while the store was down (%d on a store error while it was up); %d pending requests, %d lost; %d audit records; ledger healthy %v after the store returned",
		auditTo, calls.Load(), allowed.Load(), wrongAllow.Load(), wrongDeny.Load(), auditRefused.Load(), limitedDown.Load(), limitedSlow.Load(), npending, lost, records, recovered.Round(time.Millisecond))
}
