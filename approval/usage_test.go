package approval

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/cel"
)

func TestMemoryUsageWindows(t *testing.T) {
	u := NewMemoryUsage(0)
	now := t0
	var v cel.UsageVars
	for range 5 {
		v = u.Observe("k1", "fp1", now)
	}
	if v != (cel.UsageVars{KeyCalls1m: 5, KeyCalls1h: 5, FingerprintCalls1m: 5}) {
		t.Errorf("after 5 calls: %+v", v)
	}
	// Another key, same fingerprint.
	v = u.Observe("k2", "fp1", now)
	if v != (cel.UsageVars{KeyCalls1m: 1, KeyCalls1h: 1, FingerprintCalls1m: 6}) {
		t.Errorf("k2: %+v", v)
	}
	// 30 s later: still in the minute.
	v = u.Observe("k1", "fp2", now.Add(30*time.Second))
	if v.KeyCalls1m != 6 || v.KeyCalls1h != 6 || v.FingerprintCalls1m != 1 {
		t.Errorf("+30s: %+v", v)
	}
	// 61 s after the first calls: they left the minute, not the hour.
	v = u.Observe("k1", "fp1", now.Add(61*time.Second))
	if v.KeyCalls1m != 2 || v.KeyCalls1h != 7 || v.FingerprintCalls1m != 1 {
		t.Errorf("+61s: %+v", v)
	}
	// Two hours later: everything left.
	v = u.Observe("k1", "fp1", now.Add(2*time.Hour))
	if v != (cel.UsageVars{KeyCalls1m: 1, KeyCalls1h: 1, FingerprintCalls1m: 1}) {
		t.Errorf("+2h: %+v", v)
	}
}

func TestMemoryUsageBounded(t *testing.T) {
	u := NewMemoryUsage(64)
	for i := range 1000 {
		u.Observe(fmt.Sprint("k", i), fmt.Sprint("f", i), t0)
	}
	n := 0
	for i := range u.keys {
		n += len(u.keys[i].m)
	}
	if n > 64 {
		t.Errorf("%d keys tracked with a bound of 64", n)
	}
}

func TestMemoryUsageConcurrent(t *testing.T) {
	u := NewMemoryUsage(0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				u.Observe("k", "f", t0)
			}
		}()
	}
	wg.Wait()
	if v := u.Observe("k", "f", t0); v.KeyCalls1m != 801 || v.FingerprintCalls1m != 801 {
		t.Errorf("counts %+v, want 801", v)
	}
}

func TestWindowClockSteps(t *testing.T) {
	var w window
	for b := int64(100); b < 160; b++ {
		w.add(b)
	}
	if got := w.add(159); got != 61 {
		t.Errorf("60 buckets + 1: %d", got)
	}
	if got := w.add(160); got != 61 { // bucket 100 left
		t.Errorf("after one step: %d, want 61", got)
	}
	if got := w.add(150); got != 62 { // the clock stepped back: counted in the head
		t.Errorf("backwards: %d, want 62", got)
	}
	if got := w.add(1000); got != 1 {
		t.Errorf("after a long gap: %d, want 1", got)
	}
	if got := w.add(-5); got != 2 {
		t.Errorf("before the epoch: %d, want 2", got)
	}
}
