package approval

import (
	"context"
	"fmt"
	"testing"
)

// benchLedger has n grants over n fingerprints plus one for "fp", loaded
// in one snapshot.
func benchLedger(b *testing.B, n int, spec GrantSpec) *Ledger {
	b.Helper()
	s := NewMemStore()
	clk := newFakeClock()
	now := clk.Now()
	for i := 0; i < n; i++ {
		g := &Grant{ID: fmt.Sprintf("g-%d", i), Fingerprint: fmt.Sprintf("fp-%d", i), Scope: GrantScope{ScopeRole, "app"},
			From: now, Until: now.Add(DefaultGrantLifetime), Created: now}
		if err := s.AddGrant(context.Background(), g); err != nil {
			b.Fatal(err)
		}
	}
	l := newTestLedger(b, s, clk)
	if _, err := l.AddGrant(context.Background(), "fp", "", GrantScope{ScopeKey, "k-alice"}, spec); err != nil {
		b.Fatal(err)
	}
	return l
}

func BenchmarkLedgerGrant(b *testing.B) {
	cases := []struct {
		name string
		fp   string
		spec GrantSpec
	}{
		{"hit", "fp", GrantSpec{}},
		{"miss", "fp-none", GrantSpec{}},
		{"hit-with-condition", "fp", GrantSpec{When: `args[0] == "x"`}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			l := benchLedger(b, 1000, tc.spec)
			c := testCall(tc.fp, alice, "x")
			c.Input.Now = newFakeClock().Now() // as the Gate sets it
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := l.Grant(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("hit-parallel", func(b *testing.B) {
		l := benchLedger(b, 1000, GrantSpec{})
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			c := testCall("fp", alice, "x")
			c.Input.Now = newFakeClock().Now()
			for pb.Next() {
				if id, _ := l.Grant(ctx, c); id == "" {
					b.Error("no grant")
					return
				}
			}
		})
	})
}

func BenchmarkLedgerKeyRevoked(b *testing.B) {
	s := NewMemStore()
	for i := 0; i < 1000; i++ {
		s.RevokeKey(context.Background(), Revocation{KeyID: fmt.Sprintf("k-%d", i)})
	}
	l := newTestLedger(b, s, newFakeClock())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r, _ := l.KeyRevoked("k-alice"); r {
			b.Fatal("revoked")
		}
	}
}
