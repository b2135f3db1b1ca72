package postgres

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

func testCall(fp string, key *approval.Key) *approval.Call {
	st := &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Text: "SELECT * FROM t WHERE id = $1", Fingerprint: fp, Command: "SELECT"}
	c := &approval.Call{Input: &cel.Input{Query: st, ArgsKnown: true}, Key: key,
		Request: &approval.Request{SQL: st.Text, Statement: st}, Args: []approval.Arg{{Ordinal: 1, Value: "secret"}}}
	return c
}

var (
	alice = &approval.Key{ID: "k-alice", Role: "app", Session: "s1"}
	bob   = &approval.Key{ID: "k-bob", Role: "app", Session: "s2"}
)

func newLedger(tb testing.TB, s approval.Store, opts ...approval.LedgerOption) *approval.Ledger {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := approval.NewLedger(ctx, s, append([]approval.LedgerOption{approval.WithStoreTimeout(time.Second)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func grantID(tb testing.TB, l *approval.Ledger, c *approval.Call) string {
	tb.Helper()
	id, err := l.Grant(context.Background(), c)
	if err != nil {
		tb.Fatalf("Grant: %v", err)
	}
	return id
}

// within polls cond until it holds and fails when that takes over d.
func within(tb testing.TB, d time.Duration, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			tb.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(start)
}

func TestMigrate(t *testing.T) {
	dsn := testDSN(t)
	s1 := openStore(t, dsn)
	s2 := openStore(t, dsn) // a second instance: nothing to do
	_ = s2
	var versions []int
	err := s1.with(context.Background(), func(ctx context.Context, c *pgx.Conn) error {
		rows, _ := c.Query(ctx, `SELECT version FROM approvedsql_schema_version ORDER BY version`)
		var err error
		versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != SchemaVersion || versions[len(versions)-1] != SchemaVersion {
		t.Fatalf("versions %v, want 1..%d", versions, SchemaVersion)
	}
	// a database migrated by a newer build is refused
	s1.with(context.Background(), func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO approvedsql_schema_version (version) VALUES (999)`)
		return err
	})
	if _, err := Open(context.Background(), dsn); err == nil {
		t.Fatal("a newer schema was accepted")
	}
}

func TestStoreOperations(t *testing.T) {
	s := openStore(t, testDSN(t))
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	g := &approval.Grant{ID: "g1", Fingerprint: "fp", Scope: approval.GrantScope{Kind: approval.ScopeRole, Value: "app"},
		From: t0, Until: t0.Add(time.Hour), MaxUses: 2, Created: t0, When: "true"}
	if err := s.AddGrant(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGrant(ctx, g); err == nil {
		t.Fatal("duplicate id accepted")
	}
	for i, want := range []bool{true, true, false} {
		if _, ok, err := s.UseGrant(ctx, "g1"); ok != want || err != nil {
			t.Fatalf("use %d: %v %v", i+1, ok, err)
		}
	}
	if _, _, err := s.UseGrant(ctx, "none"); !errors.Is(err, approval.ErrNotFound) {
		t.Fatalf("unknown grant: %v", err)
	}
	if err := s.RevokeGrant(ctx, "none", t0); !errors.Is(err, approval.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	p := &approval.PendingRequest{ID: "r1", Fingerprint: "fp", Args: []string{"$1=<int>"}, FirstSeen: t0, LastSeen: t0, Count: 1,
		Source: approval.Source{App: "shop"}}
	s.PutPending(ctx, p)
	q := *p
	q.FirstSeen, q.LastSeen, q.Count = t0.Add(-time.Hour), t0.Add(time.Hour), 2
	s.PutPending(ctx, &q)
	s.RevokeKey(ctx, approval.Revocation{KeyID: "k1", At: t0, By: "ops"})
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Grants) != 1 || snap.Grants[0].Uses != 2 || snap.Grants[0].When != "true" || !snap.Grants[0].Until.Equal(t0.Add(time.Hour)) {
		t.Fatalf("grants %+v", snap.Grants[0])
	}
	pp := snap.Pending[0]
	if pp.Count != 3 || !pp.FirstSeen.Equal(t0.Add(-time.Hour)) || !pp.LastSeen.Equal(t0.Add(time.Hour)) ||
		pp.Args[0] != "$1=<int>" || pp.Source.App != "shop" {
		t.Fatalf("pending %+v", pp)
	}
	if len(snap.Revocations) != 1 || snap.Revocations[0].By != "ops" {
		t.Fatalf("revocations %+v", snap.Revocations)
	}
	if err := s.DeletePending(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePending(ctx, "r1"); !errors.Is(err, approval.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

// Two application instances share one database: a grant, a grant
// revocation and a key revocation made on one are in force on the other
// within a second, pushed by LISTEN/NOTIFY (the periodic resync is set far
// beyond the deadline so it cannot be what delivers them).
func TestTwoInstancesWithinOneSecond(t *testing.T) {
	dsn := testDSN(t)
	a := newLedger(t, openStore(t, dsn), approval.WithResyncInterval(time.Hour))
	b := newLedger(t, openStore(t, dsn), approval.WithResyncInterval(time.Hour))
	ctx := context.Background()
	rid, err := b.Pending(ctx, testCall("fp1", alice))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	g, err := a.Approve(ctx, rid, approval.GrantSpec{Scope: approval.ScopeRole, By: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	d := within(t, time.Second, "grant seen by the other instance", func() bool { return grantID(t, b, testCall("fp1", bob)) == g.ID })
	t.Logf("grant in force on the other instance after %v", d)
	if err := a.RevokeGrant(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	d = within(t, time.Second, "grant revocation seen", func() bool { return grantID(t, b, testCall("fp1", bob)) == "" })
	t.Logf("grant revocation in force after %v", d)
	if err := b.RevokeKey(ctx, "k-alice", "ops", "test"); err != nil {
		t.Fatal(err)
	}
	d = within(t, time.Second, "key revocation seen", func() bool { r, _ := a.KeyRevoked("k-alice"); return r })
	t.Logf("key revocation in force after %v", d)
}

func TestMaxUsesShared(t *testing.T) {
	dsn := testDSN(t)
	a := newLedger(t, openStore(t, dsn))
	b := newLedger(t, openStore(t, dsn))
	ctx := context.Background()
	g, err := a.AddGrant(ctx, "fp", "", approval.GrantScope{Kind: approval.ScopeKey, Value: "k-alice"}, approval.GrantSpec{MaxUses: 25})
	if err != nil {
		t.Fatal(err)
	}
	within(t, time.Second, "grant seen", func() bool {
		for _, x := range b.ListGrants() {
			if x.ID == g.ID {
				return true
			}
		}
		return false
	})
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for _, l := range []*approval.Ledger{a, b} {
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 12; i++ {
					if id, err := l.Grant(ctx, testCall("fp", alice)); err == nil && id != "" {
						mu.Lock()
						passed++
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	if passed != 25 {
		t.Fatalf("%d uses passed over two instances, want exactly 25", passed)
	}
}

// The database goes away mid-run and comes back.
func TestStoreDown(t *testing.T) {
	dsn := testDSN(t)
	px, viaProxy := newProxy(t, dsn)
	st := openStore(t, viaProxy, WithOpTimeout(time.Second), WithReconnectBackoff(100*time.Millisecond))
	l := newLedger(t, st, approval.WithResyncInterval(50*time.Millisecond), approval.WithStoreTimeout(time.Second))
	ctx := context.Background()
	open, err := l.AddGrant(ctx, "fp-open", "", approval.GrantScope{Kind: approval.ScopeKey, Value: "k-alice"}, approval.GrantSpec{})
	if err != nil {
		t.Fatal(err)
	}
	limited, err := l.AddGrant(ctx, "fp-limited", "", approval.GrantScope{Kind: approval.ScopeKey, Value: "k-alice"}, approval.GrantSpec{MaxUses: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeKey(ctx, "k-bob", "", ""); err != nil {
		t.Fatal(err)
	}

	px.stop()
	within(t, 5*time.Second, "the ledger to notice the store is down", func() bool { return errors.Is(l.Health(), approval.ErrStoreDown) })
	if grantID(t, l, testCall("fp-open", alice)) != open.ID {
		t.Fatal("cached grant refused while the store is down")
	}
	if id, err := l.Grant(ctx, testCall("fp-limited", alice)); id != "" || !errors.Is(err, approval.ErrStoreDown) {
		t.Fatalf("limited grant while down: %q %v, want ErrStoreDown", id, err)
	}
	if id := grantID(t, l, testCall("fp-other", alice)); id != "" {
		t.Fatalf("ungranted statement allowed while down by %s", id)
	}
	if r, _ := l.KeyRevoked("k-bob"); !r {
		t.Fatal("seen revocation lost while down")
	}
	if _, err := l.AddGrant(ctx, "fp-x", "", approval.GrantScope{Kind: approval.ScopeKey, Value: "k"}, approval.GrantSpec{}); !errors.Is(err, approval.ErrStoreDown) {
		t.Fatalf("grant while down: %v", err)
	}
	rid, err := l.Pending(ctx, testCall("fp-new", alice))
	if err != nil || rid == "" {
		t.Fatalf("pending while down: %q %v", rid, err)
	}

	px.start()
	within(t, 5*time.Second, "the pending request to be written after the store returned", func() bool {
		snap, err := st.Snapshot(ctx)
		if err != nil {
			return false
		}
		for _, p := range snap.Pending {
			if p.ID == rid {
				return true
			}
		}
		return false
	})
	within(t, 5*time.Second, "health to recover", func() bool { return l.Health() == nil })
	if grantID(t, l, testCall("fp-limited", alice)) != limited.ID {
		t.Fatal("limited grant refused after the store returned")
	}
	// and changes flow again: the listener reconnected
	other := newLedger(t, openStore(t, dsn))
	if err := other.RevokeKey(ctx, "k-alice", "", ""); err != nil {
		t.Fatal(err)
	}
	within(t, 2*time.Second, "a revocation after the outage", func() bool { r, _ := l.KeyRevoked("k-alice"); return r })
}

func TestAuditSink(t *testing.T) {
	s := openStore(t, testDSN(t))
	sink := NewAuditSink(s, "test-1")
	trail, err := approval.NewAuditTrail(sink, approval.WithOverflow(approval.OverflowBlock))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		trail.Record(&approval.Record{Time: time.Now(), Decision: "allow", Reason: "r", Args: []string{"$1=<int>"}, RowsAffected: int64(i),
			Text: "SELECT 'nul\x00 and bad \xff'", Source: approval.Source{App: "shop", Labels: map[string]string{"zone": "eu"}}})
	}
	if err := trail.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := s.TailAudit(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 50 {
		t.Fatalf("%d rows, want 50", len(recs))
	}
	var lines []byte
	for i, r := range recs {
		if r.RowsAffected != int64(i) || (i > 0 && r.Prev != recs[i-1].Hash) {
			t.Fatalf("row %d out of order or chain broken: %+v", i, r)
		}
		lines = append(lines, approval.EncodeAuditRecord(&r)...)
	}
	if err := approval.VerifyAuditLog(bytes.NewReader(lines)); err != nil {
		t.Fatalf("records read back from the table do not verify: %v", err)
	}
	// a batch written twice (a retry after a lost acknowledgement) is stored once
	if err := sink.Write(context.Background(), recs[:10]); err != nil {
		t.Fatal(err)
	}
	again, _ := s.TailAudit(context.Background(), 100)
	if len(again) != 50 {
		t.Fatalf("%d rows after a repeated batch, want 50", len(again))
	}
	last, err := sink.LastHash()
	if err != nil || last != recs[49].Hash {
		t.Fatalf("LastHash = %q %v", last, err)
	}
	// a restarted instance continues its chain
	trail2, err := approval.NewAuditTrail(NewAuditSink(s, "test-1"))
	if err != nil {
		t.Fatal(err)
	}
	trail2.Record(&approval.Record{Time: time.Now(), Decision: "deny"})
	trail2.Close()
	recs, _ = s.TailAudit(context.Background(), 1)
	if recs[0].Prev != last {
		t.Fatalf("restarted chain prev %q, want %q", recs[0].Prev, last)
	}
}
