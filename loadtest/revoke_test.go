package loadtest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/internal/testpg"
	pgstore "github.com/approvedsql/approvedsql/store/postgres"
)

// revokeBound is the propagation bound of a revocation between instances.
const revokeBound = time.Second

// TestRevokeKeyAcrossInstances: two Gates stand for two app instances
// sharing the PostgreSQL store (periodic resync off, so the change feed
// must carry it). While 4 goroutines call through instance B with key
// k-rev and 2 with k-other, the key is revoked on instance A mid-traffic:
// A refuses it at once; B refuses it within 1 s and never allows it again;
// k-other is not affected.
func TestRevokeKeyAcrossInstances(t *testing.T) {
	dsn := testpg.NewDatabase(t, "loadtest")
	ctx := context.Background()
	instance := func() (*approval.Ledger, *approval.Gate) {
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		st, err := pgstore.Open(octx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		l, err := approval.NewLedger(ctx, st, approval.WithResyncInterval(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l, mustGate(t, mustPolicy(t, storePolicy), approval.WithApprovals(l))
	}
	la, ga := instance()
	_, gb := instance()
	exp := time.Now().Add(time.Hour)
	rev := approval.WithKey(ctx, approval.Key{ID: "k-rev", Role: "app", ExpiresAt: exp})
	other := approval.WithKey(ctx, approval.Key{ID: "k-other", Role: "app", ExpiresAt: exp})
	req := approval.Request{SQL: sqlItems, Args: []approval.Arg{{Ordinal: 1, Value: int64(1)}}}

	var revokedAt atomic.Int64 // unix nanos when RevokeKey returned on A; 0 before
	var stop atomic.Bool
	var mu sync.Mutex
	var lastAllowedStart, firstRefusedEnd time.Time
	var calls, late, resurrected, otherRefused atomic.Int64
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := rev
			if w >= 4 {
				ctx = other
			}
			for !stop.Load() {
				start := time.Now()
				d := gb.Decide(ctx, req)
				end := time.Now()
				calls.Add(1)
				if w >= 4 {
					if !d.Allowed() {
						otherRefused.Add(1)
						t.Errorf("k-other refused: %v", d.Err)
					}
					continue
				}
				mu.Lock()
				if d.Allowed() {
					if start.After(lastAllowedStart) {
						lastAllowedStart = start
					}
					if at := revokedAt.Load(); at != 0 && start.Sub(time.Unix(0, at)) > revokeBound {
						late.Add(1)
						t.Errorf("k-rev allowed on B %v after its revocation on A", start.Sub(time.Unix(0, at)))
					}
					if !firstRefusedEnd.IsZero() && start.After(firstRefusedEnd) {
						resurrected.Add(1)
						t.Errorf("k-rev allowed on B again after being refused")
					}
				} else {
					if !errors.Is(d.Err, approval.ErrKeyRevoked) {
						t.Errorf("k-rev refused on B with %v, want ErrKeyRevoked", d.Err)
					}
					if firstRefusedEnd.IsZero() {
						firstRefusedEnd = end
					}
				}
				mu.Unlock()
				time.Sleep(500 * time.Microsecond)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	before := time.Now()
	if err := la.RevokeKey(ctx, "k-rev", "loadtest", "revoked mid-traffic"); err != nil {
		t.Fatal(err)
	}
	revokedAt.Store(time.Now().UnixNano())
	if d := ga.Decide(rev, req); d.Allowed() || !errors.Is(d.Err, approval.ErrKeyRevoked) {
		t.Errorf("instance A after revoking: allowed=%v %v", d.Allowed(), d.Err)
	}
	time.Sleep(revokeBound + 500*time.Millisecond)
	stop.Store(true)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if firstRefusedEnd.IsZero() {
		t.Fatalf("k-rev never refused on B within %v", revokeBound+500*time.Millisecond)
	}
	prop := firstRefusedEnd.Sub(before)
	if prop > revokeBound {
		t.Errorf("revocation took %v to reach B, bound %v", prop, revokeBound)
	}
	t.Logf("%d calls on B: revocation on A reached B within %v (last k-rev call allowed on B started %v after RevokeKey was called); %d allowed beyond the bound, %d allowed again after a refusal, %d k-other calls refused",
		calls.Load(), prop.Round(time.Millisecond), lastAllowedStart.Sub(before).Round(time.Millisecond), late.Load(), resurrected.Load(), otherRefused.Load())
}
