package approval

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/approvedsql/approvedsql/cel"
)

// MemoryUsage is the default [Usage]: per-key (1 minute, 1 hour) and
// per-fingerprint (1 minute) sliding windows kept in this process.
//
// Each window is a ring of 60 buckets (1 s buckets for a minute, 1 min
// buckets for an hour); a count covers the current bucket and the 59
// before it, so it spans between 59 and 60 bucket widths. Anonymous calls
// share the key id "". The number of tracked keys and fingerprints is
// bounded; when full, idle entries go first. Safe for concurrent use: state
// is sharded, each entry locked on its own.
type MemoryUsage struct {
	seed   maphash.Seed
	keys   [usageShards]usageShard
	fps    [usageShards]usageShard
	perMax int
}

const (
	usageShards  = 32
	usageBuckets = 60
)

// DefaultUsageEntries bounds the keys and the fingerprints a MemoryUsage
// tracks (each) by default.
const DefaultUsageEntries = 65536

type usageShard struct {
	mu sync.Mutex
	m  map[string]*usageEntry
}

type usageEntry struct {
	last   int64 // unix nanos of the last observation
	minute window
	hour   window
}

type window struct {
	head  int64 // the newest bucket number counted
	total int64 // sum of count
	count [usageBuckets]int64
}

// add counts one event at bucket number b and returns the window's total:
// the events of buckets b-59 … b. Buckets that left the window are
// subtracted as the head advances, so a call costs O(1) amortised. An event
// older than the head is counted in the head bucket.
func (w *window) add(b int64) int64 {
	if b > w.head {
		if b-w.head >= usageBuckets {
			w.count = [usageBuckets]int64{}
			w.total = 0
		} else {
			for x := w.head + 1; x <= b; x++ {
				slot := x % usageBuckets
				w.total -= w.count[slot]
				w.count[slot] = 0
			}
		}
		w.head = b
	}
	w.count[w.head%usageBuckets]++
	w.total++
	return w.total
}

// NewMemoryUsage returns a MemoryUsage tracking at most maxEntries keys and
// maxEntries fingerprints (DefaultUsageEntries when maxEntries ≤ 0).
func NewMemoryUsage(maxEntries int) *MemoryUsage {
	if maxEntries <= 0 {
		maxEntries = DefaultUsageEntries
	}
	u := &MemoryUsage{seed: maphash.MakeSeed(), perMax: max(1, maxEntries/usageShards)}
	for i := range u.keys {
		u.keys[i].m = make(map[string]*usageEntry)
		u.fps[i].m = make(map[string]*usageEntry)
	}
	return u
}

// Observe counts one call and returns the window counts including it.
func (u *MemoryUsage) Observe(keyID, fingerprint string, now time.Time) cel.UsageVars {
	ns := now.UnixNano()
	sec, min := ns/int64(time.Second), ns/int64(time.Minute)
	var v cel.UsageVars

	s := &u.keys[maphash.String(u.seed, keyID)%usageShards]
	s.mu.Lock()
	e := s.entry(keyID, ns, u.perMax)
	v.KeyCalls1m = e.minute.add(sec)
	v.KeyCalls1h = e.hour.add(min)
	s.mu.Unlock()

	s = &u.fps[maphash.String(u.seed, fingerprint)%usageShards]
	s.mu.Lock()
	e = s.entry(fingerprint, ns, u.perMax)
	v.FingerprintCalls1m = e.minute.add(sec)
	s.mu.Unlock()
	return v
}

// entry returns the entry for name, creating it (and evicting if full).
// s.mu is held.
func (s *usageShard) entry(name string, now int64, perMax int) *usageEntry {
	e := s.m[name]
	if e == nil {
		if len(s.m) >= perMax {
			idle := now - int64(time.Hour)
			for n, old := range s.m {
				if old.last < idle {
					delete(s.m, n)
				}
			}
			for n := range s.m {
				if len(s.m) < perMax {
					break
				}
				delete(s.m, n)
			}
		}
		e = new(usageEntry)
		s.m[name] = e
	}
	e.last = now
	return e
}
