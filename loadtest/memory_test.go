package loadtest

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// memPolicy's runaway-statement rule reads usage.*, so that every call is
// counted and the memory tests fill the usage counters too.
const memPolicy = `version: "1"
dialect: postgres
rules:
  - name: no-secrets
    effect: deny
    when: query.tables.exists(t, t == "secrets")
  - name: runaway-statement
    effect: deny
    when: usage.fingerprint_calls_1m > 1000000000
  - name: reads
    effect: allow
    when: query.command == "SELECT" && key.role == "app"
  - name: writes
    effect: allow
    when: query.command == "INSERT" && key.role == "app" && size(args) <= 4
`

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

const mib = 1 << 20

// TestMemoryUniqueFlood sends a flood of unique statements (unique text,
// unique tables, so unique fingerprints) through a Gate whose statement
// cache holds at most 4096 entries / 4 MiB (1024 / 1 MiB under -race): the live heap must stay
// bounded by the cache and the usage counters' limits, not grow with the
// number of statements. 50,000 statements (8,000 under -race); 1,000,000 with
// APPROVEDSQL_LONG=1.
func TestMemoryUniqueFlood(t *testing.T) {
	n := size(50_000, 1_000_000)
	cacheEntries, cacheBytes, usageEntries := 4096, int64(4*mib), 8192
	if (testing.Short() || raceEnabled) && !long() {
		// The race detector makes each cold normalisation ~10× slower:
		// a smaller cache, cycled as many times.
		n, cacheEntries, cacheBytes, usageEntries = 8_000, 1024, mib, 1024
	}
	cache := sqlnorm.NewCache(cacheEntries, cacheBytes)
	usage := approval.NewMemoryUsage(usageEntries)
	g := mustGate(t, mustPolicy(t, memPolicy), approval.WithStatementCache(cache), approval.WithUsage(usage))
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	base := liveHeap()
	var peak uint64
	var half uint64
	var m runtime.MemStats
	for i := range n {
		sql := fmt.Sprintf("SELECT id, v FROM flood_%d WHERE id = %d AND note = 'n%d'", i, i, i)
		if d := g.Decide(ctx, approval.Request{SQL: sql}); !d.Allowed() {
			t.Fatalf("statement %d denied: %v", i, d.Err)
		}
		if i%5000 == 0 {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
		}
		if i == n/2 {
			half = liveHeap()
		}
	}
	end := liveHeap()
	if cache.Len() > cacheEntries {
		t.Errorf("cache holds %d entries, limit %d", cache.Len(), cacheEntries)
	}
	if cache.Bytes() > cacheBytes {
		t.Errorf("cache holds %d bytes, limit %d", cache.Bytes(), cacheBytes)
	}
	t.Logf("%d unique statements: live heap %.1f MiB before, %.1f MiB at half, %.1f MiB after; sampled peak HeapAlloc %.1f MiB (garbage included); cache %d entries, %.1f MiB accounted",
		n, float64(base)/mib, float64(half)/mib, float64(end)/mib, float64(peak)/mib, cache.Len(), float64(cache.Bytes())/mib)
	// Bounded: the second half of the flood adds (almost) nothing.
	if end > half+2*mib {
		t.Errorf("live heap grew from %.1f MiB at half to %.1f MiB at the end of the flood", float64(half)/mib, float64(end)/mib)
	}
	// And the total is within the limits: cache bytes (with room for its
	// estimate being approximate) plus the usage counters.
	if limit := base + 3*uint64(cacheBytes) + 16*mib; end > limit {
		t.Errorf("live heap %.1f MiB after the flood, over the bound %.1f MiB", float64(end)/mib, float64(limit)/mib)
	}
}

// TestMemorySteadyMix runs a steady mix of allowed and denied decisions
// (cached statements, arguments, a denied table, a statement the lexer
// rejects) and checks that nothing grows: the live heap after the run is
// the live heap before it. It reports the allocations per decision.
// 100,000 decisions (20,000 under -race); 1,000,000 with APPROVEDSQL_LONG=1.
func TestMemorySteadyMix(t *testing.T) {
	n := size(100_000, 1_000_000)
	if testing.Short() || raceEnabled {
		n = 20_000
	}
	g := mustGate(t, mustPolicy(t, memPolicy))
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	mix := []struct {
		req   approval.Request
		allow bool
	}{
		{approval.Request{SQL: "SELECT id, total FROM orders WHERE customer_id = $1", Args: []approval.Arg{{Ordinal: 1, Value: int64(42)}}}, true},
		{approval.Request{SQL: "SELECT name FROM users WHERE id = $1", Args: []approval.Arg{{Ordinal: 1, Value: "u-1"}}}, true},
		{approval.Request{SQL: "INSERT INTO log (a, b) VALUES ($1, $2)", Args: []approval.Arg{{Ordinal: 1, Value: int64(1)}, {Ordinal: 2, Value: "x"}}}, true},
		{approval.Request{SQL: "SELECT * FROM secrets"}, false},
		{approval.Request{SQL: "DELETE FROM orders"}, false},
		{approval.Request{SQL: "SELECT 1; DROP TABLE orders"}, false},
	}
	run := func(k int) {
		for i := range k {
			c := &mix[i%len(mix)]
			if d := g.Decide(ctx, c.req); d.Allowed() != c.allow {
				t.Fatalf("%q: allowed=%v, want %v (%v)", c.req.SQL, d.Allowed(), c.allow, d.Err)
			}
		}
	}
	run(10_000) // warm caches and pools
	base := liveHeap()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	run(n)
	runtime.ReadMemStats(&m1)
	end := liveHeap()
	perCall := float64(m1.Mallocs-m0.Mallocs) / float64(n)
	t.Logf("%d decisions: %.2f allocations and %.1f bytes per decision on average (denials carry an error); live heap %.2f MiB before, %.2f MiB after",
		n, perCall, float64(m1.TotalAlloc-m0.TotalAlloc)/float64(n), float64(base)/mib, float64(end)/mib)
	if end > base+1*mib {
		t.Errorf("live heap grew from %.2f MiB to %.2f MiB over %d decisions", float64(base)/mib, float64(end)/mib, n)
	}
	// Allowed decisions on cached statements allocate nothing at all.
	allowed := mix[0].req
	if a := testing.AllocsPerRun(1000, func() { g.Decide(ctx, allowed) }); a != 0 && !raceEnabled {
		t.Errorf("an allowed cached decision allocates %.1f times, want 0", a)
	}
}
