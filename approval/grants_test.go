package approval

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// fakeClock is a Clock moved by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// testCall builds a Call for an executed statement with fingerprint fp.
func testCall(fp string, key *Key, args ...any) *Call {
	st := &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Text: "SELECT * FROM t WHERE id = $1", Fingerprint: fp, Command: "SELECT"}
	c := &Call{Input: &cel.Input{Query: st, Args: args, ArgsKnown: true}, Key: key,
		Request: &Request{SQL: st.Text, Phase: Execute, Statement: st}}
	for i, a := range args {
		c.Args = append(c.Args, Arg{Ordinal: i + 1, Value: a})
	}
	if key != nil {
		c.Input.Key = cel.KeyVars{Present: true, ID: key.ID, Role: key.Role, Session: key.Session}
	}
	return c
}

func newTestLedger(tb testing.TB, s Store, clk Clock, opts ...LedgerOption) *Ledger {
	tb.Helper()
	l, err := NewLedger(context.Background(), s, append([]LedgerOption{WithLedgerClock(clk)}, opts...)...)
	if err != nil {
		tb.Fatalf("NewLedger: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// mustGrant asks for a grant and fails on error.
func mustGrant(tb testing.TB, l *Ledger, c *Call) string {
	tb.Helper()
	id, err := l.Grant(context.Background(), c)
	if err != nil {
		tb.Fatalf("Grant: %v", err)
	}
	return id
}

// reviewAndApprove records a pending request for c and approves it.
func reviewAndApprove(tb testing.TB, l *Ledger, c *Call, spec GrantSpec) *Grant {
	tb.Helper()
	ctx := context.Background()
	rid, err := l.Pending(ctx, c)
	if err != nil {
		tb.Fatalf("Pending: %v", err)
	}
	g, err := l.Approve(ctx, rid, spec)
	if err != nil {
		tb.Fatalf("Approve: %v", err)
	}
	return g
}

var (
	alice = &Key{ID: "k-alice", Role: "app", Session: "s1"}
	bob   = &Key{ID: "k-bob", Role: "app", Session: "s2"}
	carol = &Key{ID: "k-carol", Role: "report", Session: "s1"}
)

func TestLedgerScopes(t *testing.T) {
	tests := []struct {
		name  string
		scope ScopeKind
		pass  map[*Key]bool
	}{
		{"key", ScopeKey, map[*Key]bool{alice: true, bob: false, carol: false}},
		{"role", ScopeRole, map[*Key]bool{alice: true, bob: true, carol: false}},
		{"session", ScopeSession, map[*Key]bool{alice: true, bob: false, carol: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLedger(t, NewMemStore(), newFakeClock())
			g := reviewAndApprove(t, l, testCall("fp1", alice), GrantSpec{Scope: tc.scope, By: "ops", Reason: "ticket 1"})
			if g.Scope.Kind != tc.scope || g.ApprovedBy != "ops" || g.Reason != "ticket 1" {
				t.Fatalf("grant = %+v", g)
			}
			for k, want := range tc.pass {
				got := mustGrant(t, l, testCall("fp1", k))
				if (got == g.ID) != want || (got != "" && got != g.ID) {
					t.Errorf("key %s: grant %q, want pass=%v", k.ID, got, want)
				}
				if other := mustGrant(t, l, testCall("fp2", k)); other != "" {
					t.Errorf("key %s: other fingerprint granted by %q", k.ID, other)
				}
			}
			if got := mustGrant(t, l, testCall("fp1", nil)); got != "" {
				t.Errorf("anonymous call granted by %q", got)
			}
			if ps := l.ListPending(); len(ps) != 0 {
				t.Errorf("approved request still pending: %+v", ps)
			}
		})
	}
}

func TestLedgerExpiry(t *testing.T) {
	tests := []struct {
		name  string
		spec  GrantSpec
		valid time.Duration
	}{
		{"default lifetime", GrantSpec{}, DefaultGrantLifetime},
		{"for 1h", GrantSpec{For: time.Hour}, time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			l := newTestLedger(t, NewMemStore(), clk)
			g := reviewAndApprove(t, l, testCall("fp", alice), tc.spec)
			if want := clk.Now().Add(tc.valid); !g.Until.Equal(want) {
				t.Fatalf("until = %v, want %v", g.Until, want)
			}
			clk.Add(tc.valid - time.Nanosecond)
			if mustGrant(t, l, testCall("fp", alice)) != g.ID {
				t.Fatal("grant not in force just before its end")
			}
			clk.Add(time.Nanosecond)
			if id := mustGrant(t, l, testCall("fp", alice)); id != "" {
				t.Fatalf("expired grant %s still passes", id)
			}
			if s := l.ListGrants()[0].Status(clk.Now()); s != GrantExpired {
				t.Fatalf("status %v, want expired", s)
			}
		})
	}
}

func TestLedgerCallClockWins(t *testing.T) {
	clk := newFakeClock()
	l := newTestLedger(t, NewMemStore(), clk)
	reviewAndApprove(t, l, testCall("fp", alice), GrantSpec{For: time.Minute})
	c := testCall("fp", alice)
	c.Input.Now = clk.Now().Add(2 * time.Minute) // the Gate's clock says later
	if id := mustGrant(t, l, c); id != "" {
		t.Fatalf("grant %s passed at the call's time past its end", id)
	}
}

func TestLedgerMaxUses(t *testing.T) {
	l := newTestLedger(t, NewMemStore(), newFakeClock())
	g := reviewAndApprove(t, l, testCall("fp", alice), GrantSpec{MaxUses: 3})
	prep := testCall("fp", alice)
	prep.Request.Phase = Prepare
	prep.Input.ArgsKnown = false
	for i := 0; i < 5; i++ { // prepare never consumes a use
		if mustGrant(t, l, prep) != g.ID {
			t.Fatal("prepare refused")
		}
	}
	for i := 1; i <= 3; i++ {
		if mustGrant(t, l, testCall("fp", alice)) != g.ID {
			t.Fatalf("use %d refused", i)
		}
	}
	if id := mustGrant(t, l, testCall("fp", alice)); id != "" {
		t.Fatalf("4th use passed (%s)", id)
	}
	if id := mustGrant(t, l, prep); id != "" {
		t.Fatalf("used-up grant passes prepare (%s)", id)
	}
	gs := l.ListGrants()
	if gs[0].Status(time.Time{}.Add(1)) != GrantUsedUp {
		t.Fatalf("status %v, want used-up", gs[0].Status(time.Now()))
	}
}

func TestLedgerMaxUsesConcurrent(t *testing.T) {
	s := NewMemStore()
	clk := newFakeClock()
	l1 := newTestLedger(t, s, clk)
	l2 := newTestLedger(t, s, clk)
	reviewAndApprove(t, l1, testCall("fp", alice), GrantSpec{MaxUses: 50})
	if err := l2.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for _, l := range []*Ledger{l1, l2} {
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 30; i++ {
					if id, err := l.Grant(context.Background(), testCall("fp", alice)); err == nil && id != "" {
						mu.Lock()
						passed++
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	if passed != 50 {
		t.Fatalf("%d uses passed across two ledgers, want exactly 50", passed)
	}
}

func TestLedgerRevokeGrant(t *testing.T) {
	l := newTestLedger(t, NewMemStore(), newFakeClock())
	g := reviewAndApprove(t, l, testCall("fp", alice), GrantSpec{})
	if err := l.RevokeGrant(context.Background(), g.ID); err != nil {
		t.Fatal(err)
	}
	if id := mustGrant(t, l, testCall("fp", alice)); id != "" {
		t.Fatalf("revoked grant passes")
	}
	if err := l.RevokeGrant(context.Background(), "g-nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking unknown grant: %v, want ErrNotFound", err)
	}
}

func TestLedgerRevokeKey(t *testing.T) {
	s := NewMemStore()
	l := newTestLedger(t, s, newFakeClock())
	if r, _ := l.KeyRevoked("k-alice"); r {
		t.Fatal("revoked before revocation")
	}
	if err := l.RevokeKey(context.Background(), "k-alice", "ops", "laptop lost"); err != nil {
		t.Fatal(err)
	}
	if r, _ := l.KeyRevoked("k-alice"); !r {
		t.Fatal("revocation not in force at once")
	}
	if r, _ := l.KeyRevoked("k-bob"); r {
		t.Fatal("other key revoked")
	}
	l2 := newTestLedger(t, s, newFakeClock())
	if r, _ := l2.KeyRevoked("k-alice"); !r {
		t.Fatal("revocation not seen by a second ledger")
	}
}

func TestLedgerPendingDedup(t *testing.T) {
	clk := newFakeClock()
	l := newTestLedger(t, NewMemStore(), clk)
	ctx := context.Background()
	id1, _ := l.Pending(ctx, testCall("fp", alice, "secret-value"))
	clk.Add(time.Minute)
	id2, _ := l.Pending(ctx, testCall("fp", alice, "other"))
	id3, _ := l.Pending(ctx, testCall("fp", bob, "x"))
	id4, _ := l.Pending(ctx, testCall("fp2", alice, "x"))
	if id1 != id2 {
		t.Fatalf("same fingerprint and scope: ids %s, %s", id1, id2)
	}
	if id3 == id1 || id4 == id1 || id3 == id4 {
		t.Fatalf("distinct scopes/fingerprints share ids: %s %s %s", id1, id3, id4)
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	ps := l.ListPending()
	if len(ps) != 3 {
		t.Fatalf("%d pending, want 3", len(ps))
	}
	var p *PendingRequest
	for _, x := range ps {
		if x.ID == id1 {
			p = x
		}
	}
	if p.Count != 2 || !p.LastSeen.Equal(clk.Now()) || !p.FirstSeen.Equal(clk.Now().Add(-time.Minute)) {
		t.Fatalf("merged request = %+v", p)
	}
	if len(p.Args) != 1 || p.Args[0] != "$1=<string len=12>" {
		t.Fatalf("example args not redacted: %q", p.Args)
	}
	if p.KeyID != "k-alice" || p.Role != "app" || p.Session != "s1" || p.Text == "" {
		t.Fatalf("request fields: %+v", p)
	}
}

func TestLedgerReject(t *testing.T) {
	l := newTestLedger(t, NewMemStore(), newFakeClock())
	ctx := context.Background()
	id, _ := l.Pending(ctx, testCall("fp", alice))
	if err := l.Reject(ctx, id); err != nil {
		t.Fatal(err)
	}
	if len(l.ListPending()) != 0 {
		t.Fatal("rejected request still listed")
	}
	if _, err := l.Approve(ctx, id, GrantSpec{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("approving rejected request: %v", err)
	}
	if err := l.Reject(ctx, "r-unknown"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rejecting unknown: %v", err)
	}
}

func TestGrantValidate(t *testing.T) {
	t0 := newFakeClock().Now()
	ok := Grant{ID: "g", Fingerprint: "f", Scope: GrantScope{ScopeKey, "k"}, From: t0, Until: t0.Add(time.Hour)}
	tests := []struct {
		name string
		edit func(g *Grant)
		ok   bool
	}{
		{"valid", func(*Grant) {}, true},
		{"no end", func(g *Grant) { g.Until = time.Time{} }, false},
		{"ends before start", func(g *Grant) { g.Until = t0.Add(-time.Second) }, false},
		{"no scope", func(g *Grant) { g.Scope.Kind = ScopeInvalid }, false},
		{"no scope value", func(g *Grant) { g.Scope.Value = "" }, false},
		{"no fingerprint", func(g *Grant) { g.Fingerprint = "" }, false},
		{"negative uses", func(g *Grant) { g.MaxUses = -1 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := ok
			tc.edit(&g)
			err := g.Validate()
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrInvalidGrant)) {
				t.Fatalf("Validate = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestLedgerApproveRefusals(t *testing.T) {
	l := newTestLedger(t, NewMemStore(), newFakeClock())
	ctx := context.Background()
	noSession := &Key{ID: "k", Role: "app"}
	id, _ := l.Pending(ctx, testCall("fp", noSession))
	if _, err := l.Approve(ctx, id, GrantSpec{Scope: ScopeSession}); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("session grant for a request without session: %v", err)
	}
	if _, err := l.Approve(ctx, id, GrantSpec{For: -time.Hour}); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("negative lifetime: %v", err)
	}
	now := newFakeClock().Now()
	if _, err := l.Approve(ctx, id, GrantSpec{From: now, Until: now}); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("empty window: %v", err)
	}
	if len(l.ListGrants()) != 0 {
		t.Fatal("a refused grant was stored")
	}
}

func TestLedgerTwoInstancesChangeFeed(t *testing.T) {
	s := NewMemStore()
	a := newTestLedger(t, s, newFakeClock())
	b := newTestLedger(t, s, newFakeClock())
	g := reviewAndApprove(t, a, testCall("fp", alice), GrantSpec{})
	waitFor(t, "grant on second ledger", func() bool { return mustGrant(t, b, testCall("fp", alice)) == g.ID })
	if err := a.RevokeGrant(context.Background(), g.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "grant revocation on second ledger", func() bool { return mustGrant(t, b, testCall("fp", alice)) == "" })
	if err := a.RevokeKey(context.Background(), "k-bob", "", ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "key revocation on second ledger", func() bool { r, _ := b.KeyRevoked("k-bob"); return r })
}

// waitFor polls cond for up to 2 s (change feeds are asynchronous).
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// flakyStore fails every call while down is set.
type flakyStore struct {
	Store
	mu   sync.Mutex
	down bool
}

var errFlaky = errors.New("connection refused")

func (f *flakyStore) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }
func (f *flakyStore) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errFlaky
	}
	return nil
}
func (f *flakyStore) Snapshot(ctx context.Context) (*StoreSnapshot, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.Snapshot(ctx)
}
func (f *flakyStore) AddGrant(ctx context.Context, g *Grant) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.AddGrant(ctx, g)
}
func (f *flakyStore) UseGrant(ctx context.Context, id string) (int64, bool, error) {
	if err := f.err(); err != nil {
		return 0, false, err
	}
	return f.Store.UseGrant(ctx, id)
}
func (f *flakyStore) PutPending(ctx context.Context, p *PendingRequest) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.PutPending(ctx, p)
}
func (f *flakyStore) RevokeKey(ctx context.Context, r Revocation) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.RevokeKey(ctx, r)
}

func TestLedgerStoreDown(t *testing.T) {
	fs := &flakyStore{Store: NewMemStore()}
	clk := newFakeClock()
	l := newTestLedger(t, fs, clk)
	ctx := context.Background()
	open := reviewAndApprove(t, l, testCall("fp-open", alice), GrantSpec{For: time.Hour})
	limited := reviewAndApprove(t, l, testCall("fp-limited", alice), GrantSpec{MaxUses: 10})
	if err := l.RevokeKey(ctx, "k-bob", "", ""); err != nil {
		t.Fatal(err)
	}
	fs.setDown(true)

	if err := l.Refresh(ctx); !errors.Is(err, ErrStoreDown) {
		t.Fatalf("refresh with store down: %v", err)
	}
	if mustGrant(t, l, testCall("fp-open", alice)) != open.ID {
		t.Fatal("cached grant refused while store down")
	}
	if id, err := l.Grant(ctx, testCall("fp-limited", alice)); id != "" || !errors.Is(err, ErrStoreDown) {
		t.Fatalf("limited grant with store down: id %q err %v, want ErrStoreDown", id, err)
	}
	if r, err := l.KeyRevoked("k-bob"); !r || err != nil {
		t.Fatal("seen revocation lost while store down")
	}
	if _, err := l.Approve(ctx, "r-x", GrantSpec{}); !errors.Is(err, ErrStoreDown) {
		t.Fatalf("approve with store down: %v", err)
	}
	if err := l.RevokeKey(ctx, "k-carol", "", ""); !errors.Is(err, ErrStoreDown) {
		t.Fatalf("revoke key with store down: %v", err)
	}
	rid, err := l.Pending(ctx, testCall("fp-new", carol))
	if err != nil || rid == "" {
		t.Fatalf("pending with store down: %q %v", rid, err)
	}
	if err := l.Flush(ctx); !errors.Is(err, ErrStoreDown) || l.Queued() != 1 {
		t.Fatalf("flush with store down: %v, queued %d", err, l.Queued())
	}
	clk.Add(time.Hour)
	if id := mustGrant(t, l, testCall("fp-open", alice)); id != "" {
		t.Fatal("cached grant outlived its end while store down")
	}

	fs.setDown(false)
	if err := l.Flush(ctx); err != nil || l.Queued() != 0 {
		t.Fatalf("flush after return: %v, queued %d", err, l.Queued())
	}
	snap, _ := fs.Store.Snapshot(ctx)
	if len(snap.Pending) != 1 || snap.Pending[0].ID != rid {
		t.Fatalf("pending not written after store returned: %+v", snap.Pending)
	}
	if mustGrant(t, l, testCall("fp-limited", alice)) != limited.ID {
		t.Fatal("limited grant refused after store returned")
	}
}

func TestLedgerSnapshotNeverUndoesRevocation(t *testing.T) {
	s := NewMemStore()
	l := newTestLedger(t, s, newFakeClock())
	if err := l.RevokeKey(context.Background(), "k-alice", "", ""); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	delete(s.st.Revocations, "k-alice") // a stale or damaged store
	s.mu.Unlock()
	if err := l.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r, _ := l.KeyRevoked("k-alice"); !r {
		t.Fatal("resync undid a revocation")
	}
}

func TestNewLedgerStoreDown(t *testing.T) {
	fs := &flakyStore{Store: NewMemStore(), down: true}
	if _, err := NewLedger(context.Background(), fs); !errors.Is(err, ErrStoreDown) {
		t.Fatalf("NewLedger with store down: %v, want ErrStoreDown", err)
	}
}

func TestLedgerOptionsInvalid(t *testing.T) {
	for name, o := range map[string]LedgerOption{
		"clock": WithLedgerClock(nil), "lifetime": WithGrantLifetime(0),
		"resync": WithResyncInterval(-1), "timeout": WithStoreTimeout(0), "env": WithGrantEnv(nil),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewLedger(context.Background(), NewMemStore(), o); err == nil {
				t.Fatal("invalid option accepted")
			}
		})
	}
}

func TestLedgerQueueBounded(t *testing.T) {
	fs := &flakyStore{Store: NewMemStore()}
	l := newTestLedger(t, fs, newFakeClock())
	fs.setDown(true)
	ctx := context.Background()
	for i := 0; i < maxQueued; i++ {
		if _, err := l.Pending(ctx, testCall(fmt.Sprintf("fp-%d", i), alice)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if _, err := l.Pending(ctx, testCall("fp-one-too-many", alice)); !errors.Is(err, ErrStoreDown) {
		t.Fatalf("request over the bound: %v, want ErrStoreDown", err)
	}
	if _, err := l.Pending(ctx, testCall("fp-0", alice)); err != nil {
		t.Fatalf("a request already queued is still counted: %v", err)
	}
}

func TestLedgerLearn(t *testing.T) {
	l := newTestLedger(t, NewMemStore(), newFakeClock())
	ctx := context.Background()
	for _, k := range []*Key{alice, bob, carol} { // alice and bob share role app
		if err := l.Learn(ctx, testCall("fp", k, "v")); err != nil {
			t.Fatal(err)
		}
	}
	ps := l.ListPending()
	if len(ps) != 2 {
		t.Fatalf("%d proposals, want one per (fingerprint, role): %+v", len(ps), ps)
	}
	for _, p := range ps {
		if !p.Learned || p.KeyID != "" || p.Session != "" || len(p.Args) != 0 {
			t.Fatalf("proposal %+v: want learned, per role, without key, session or args", p)
		}
		if p.Role == "app" && p.Count != 2 {
			t.Fatalf("app proposal counted %d, want 2", p.Count)
		}
	}
	var appID string
	for _, p := range ps {
		if p.Role == "app" {
			appID = p.ID
		}
	}
	g, err := l.Approve(ctx, appID, GrantSpec{})
	if err != nil || g.Scope != (GrantScope{ScopeRole, "app"}) {
		t.Fatalf("approving a proposal: %+v %v, want a role grant", g, err)
	}
	if mustGrant(t, l, testCall("fp", bob)) != g.ID || mustGrant(t, l, testCall("fp", carol)) != "" {
		t.Fatal("role grant from a proposal does not cover exactly its role")
	}
}

// blockingStore holds every PutPending until released, signalling when
// one is under way.
type blockingStore struct {
	Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) PutPending(ctx context.Context, p *PendingRequest) error {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.PutPending(ctx, p)
}

// TestListPendingDuringFlush: a request being written to the store is
// still listed, with its count, while the write is under way, and listed
// once after it.
func TestListPendingDuringFlush(t *testing.T) {
	bs := &blockingStore{Store: NewMemStore(), entered: make(chan struct{}, 1), release: make(chan struct{})}
	l := newTestLedger(t, bs, newFakeClock())
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(bs.release) }) }
	t.Cleanup(release) // runs before the ledger's Close: a failing check must not leave the write hanging
	ctx := context.Background()
	for range 2 {
		if err := l.Learn(ctx, testCall("fp", alice, "v")); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- l.Flush(ctx) }()
	<-bs.entered // the write is under way: the request is neither queued nor written
	check := func(when string) {
		t.Helper()
		ps := l.ListPending()
		if len(ps) != 1 || ps[0].Count != 2 {
			t.Fatalf("%s: %d requests listed (%+v), want one counted twice", when, len(ps), ps)
		}
		if p := l.findPending(ps[0].ID); p == nil || p.Count != 2 {
			t.Fatalf("%s: findPending = %+v, want the request counted twice", when, p)
		}
	}
	check("during the write")
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	check("after the write")
}
