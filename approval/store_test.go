package approval

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// storeImpls are the Store implementations of this package, for the
// contract tests.
var storeImpls = []struct {
	name string
	open func(tb testing.TB) Store
}{
	{"mem", func(tb testing.TB) Store { return NewMemStore() }},
	{"file", func(tb testing.TB) Store {
		s, err := OpenFileStore(filepath.Join(tb.TempDir(), "approvals.json"), WithFilePoll(10*time.Millisecond))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	}},
}

func testGrant(id string, t0 time.Time, maxUses int64) *Grant {
	return &Grant{ID: id, Fingerprint: "fp", Scope: GrantScope{ScopeRole, "app"}, From: t0,
		Until: t0.Add(time.Hour), MaxUses: maxUses, Created: t0}
}

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	t0 := newFakeClock().Now()
	for _, impl := range storeImpls {
		t.Run(impl.name, func(t *testing.T) {
			s := impl.open(t)
			changes := s.Changes()
			if err := s.AddGrant(ctx, testGrant("g1", t0, 2)); err != nil {
				t.Fatal(err)
			}
			select {
			case <-changes:
			case <-time.After(2 * time.Second):
				t.Fatal("no change signalled after AddGrant")
			}
			if err := s.AddGrant(ctx, testGrant("g1", t0, 0)); err == nil {
				t.Fatal("duplicate grant id accepted")
			}
			bad := testGrant("g2", t0, 0)
			bad.Until = time.Time{}
			if err := s.AddGrant(ctx, bad); !errors.Is(err, ErrInvalidGrant) {
				t.Fatalf("grant without an end: %v", err)
			}
			for i, want := range []struct {
				uses int64
				ok   bool
			}{{1, true}, {2, true}, {2, false}} {
				uses, ok, err := s.UseGrant(ctx, "g1")
				if err != nil || uses != want.uses || ok != want.ok {
					t.Fatalf("use %d: %d %v %v, want %d %v", i+1, uses, ok, err, want.uses, want.ok)
				}
			}
			if _, _, err := s.UseGrant(ctx, "nope"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("use of unknown grant: %v", err)
			}
			s.AddGrant(ctx, testGrant("g3", t0, 5))
			if err := s.RevokeGrant(ctx, "g3", t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.UseGrant(ctx, "g3"); ok {
				t.Fatal("revoked grant used")
			}
			if err := s.RevokeGrant(ctx, "nope", t0); !errors.Is(err, ErrNotFound) {
				t.Fatalf("revoke unknown grant: %v", err)
			}
			p := &PendingRequest{ID: "r1", Fingerprint: "fp", Text: "SELECT 1", FirstSeen: t0, LastSeen: t0, Count: 1}
			s.PutPending(ctx, p)
			later := *p
			later.FirstSeen, later.LastSeen, later.Count = t0.Add(time.Hour), t0.Add(time.Hour), 3
			s.PutPending(ctx, &later)
			s.RevokeKey(ctx, Revocation{KeyID: "k1", At: t0})
			s.RevokeKey(ctx, Revocation{KeyID: "k1", At: t0.Add(time.Hour), Reason: "again"})
			snap, err := s.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Grants) != 2 || snap.Grants[0].Uses != 2 || snap.Grants[1].RevokedAt.IsZero() {
				t.Fatalf("grants %+v", snap.Grants)
			}
			if len(snap.Pending) != 1 || snap.Pending[0].Count != 4 || !snap.Pending[0].FirstSeen.Equal(t0) ||
				!snap.Pending[0].LastSeen.Equal(t0.Add(time.Hour)) {
				t.Fatalf("pending %+v", snap.Pending)
			}
			if len(snap.Revocations) != 1 || !snap.Revocations[0].At.Equal(t0) {
				t.Fatalf("revocations %+v (the first one must stand)", snap.Revocations)
			}
			if err := s.DeletePending(ctx, "r1"); err != nil {
				t.Fatal(err)
			}
			if err := s.DeletePending(ctx, "r1"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("delete twice: %v", err)
			}
		})
	}
}

// TestLedgerOverStores runs the approver workflow over each store.
func TestLedgerOverStores(t *testing.T) {
	for _, impl := range storeImpls {
		t.Run(impl.name, func(t *testing.T) {
			clk := newFakeClock()
			l := newTestLedger(t, impl.open(t), clk)
			g := reviewAndApprove(t, l, testCall("fp", alice), GrantSpec{For: time.Hour, MaxUses: 2})
			for i := 0; i < 2; i++ {
				if mustGrant(t, l, testCall("fp", alice)) != g.ID {
					t.Fatalf("use %d refused", i+1)
				}
			}
			if mustGrant(t, l, testCall("fp", alice)) != "" {
				t.Fatal("third use passed")
			}
		})
	}
}
