package approval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	allowAll = "version: allow\ndialect: postgres\nrules:\n  - {name: all, effect: allow, when: 'true'}\n"
	denyAll  = "version: deny\ndialect: postgres\nrules:\n  - {name: none, effect: deny, when: 'true'}\n"
)

// TestReloadUnderConcurrentCalls swaps policies while calls run: every
// decision must be consistent with the one policy it reports.
func TestReloadUnderConcurrentCalls(t *testing.T) {
	pa, pd := mustPolicy(t, allowAll), mustPolicy(t, denyAll)
	g := mustGate(t, pa, WithClock(newTestClock()))
	ctx := WithKey(context.Background(), testKey("app"))
	req := Request{Statement: stmt("SELECT", true, "t")}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var seen [2]atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				d := g.Decide(ctx, req)
				switch d.PolicyVersion {
				case pa.Version():
					seen[0].Add(1)
					if d.Effect != Allow || d.Rule != "all" {
						t.Errorf("allow policy gave %v by %q", d.Effect, d.Rule)
					}
				case pd.Version():
					seen[1].Add(1)
					if d.Effect != Deny || d.Rule != "none" {
						t.Errorf("deny policy gave %v by %q", d.Effect, d.Rule)
					}
				default:
					t.Errorf("unknown policy version %q", d.PolicyVersion)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			if i%2 == 0 {
				g.SetPolicy(pd)
			} else {
				g.SetPolicy(pa)
			}
			runtime.Gosched()
		}
	}()
	for seen[0].Load() < 500 || seen[1].Load() < 500 {
		runtime.Gosched()
	}
	stop.Store(true)
	wg.Wait()
	g.SetPolicy(nil) // ignored
	if g.Policy() == nil {
		t.Fatal("SetPolicy(nil) removed the policy")
	}
}

func TestReloadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(allowAll)
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	g := mustGate(t, p, WithClock(newTestClock()))
	ctx := WithKey(context.Background(), testKey("app"))
	req := Request{Statement: stmt("SELECT", true, "t")}

	write("version: broken\ndialect: postgres\nrules:\n  - {name: x, effect: allow, when: 'key.rol == 1'}\n")
	err = g.ReloadFile(path)
	var pe PolicyErrors
	if !errors.As(err, &pe) {
		t.Fatalf("reload of a broken file: %v", err)
	}
	if g.Policy() != p {
		t.Fatal("a broken policy replaced the old one")
	}
	checkDecision(t, g.Decide(ctx, req), Allow, "all")

	if err := g.ReloadFile(filepath.Join(dir, "missing.yaml")); err == nil || g.Policy() != p {
		t.Fatalf("reload of a missing file: %v", err)
	}

	write(denyAll)
	if err := g.ReloadFile(path); err != nil {
		t.Fatal(err)
	}
	checkDecision(t, g.Decide(ctx, req), Deny, "none", ErrDenied)
}

// TestConcurrentTokens exercises the token cache, the usage windows and the
// input pool from many goroutines (run with -race).
func TestConcurrentTokens(t *testing.T) {
	r := mustKeyring(t)
	toks := make([]string, 8)
	for i := range toks {
		toks[i] = mustIssue(t, r, TokenSpec{ID: string(rune('a' + i)), Role: "app", TTL: time.Hour})
	}
	aud := &recAuditor{}
	g := mustGate(t, mustPolicy(t, allowAll), WithClock(newTestClock()), WithKeyring(r), WithTokenCacheSize(4), WithAuditor(aud))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				tok := toks[(w+i)%len(toks)]
				if i%50 == 7 {
					tok += "x" // a bad one now and then
				}
				d := g.Decide(WithToken(context.Background(), tok), Request{Statement: stmt("SELECT", true, "t"),
					Args: []Arg{{Ordinal: 1, Value: int64(i)}, {Name: "n", Ordinal: 2, Value: "v"}}})
				if strings.HasSuffix(tok, "x") {
					if d.Allowed() {
						t.Error("a tampered token was allowed")
					}
					continue
				}
				if !d.Allowed() || d.KeyID != string(rune('a'+(w+i)%len(toks))) {
					t.Errorf("decision %v key %q: %v", d.Effect, d.KeyID, d.Err)
				}
				g.Finish(context.Background(), &d, Result{RowsAffected: 1})
			}
		}()
	}
	wg.Wait()
	if n := len(aud.all()); n != 4*200 {
		t.Errorf("%d audit records, want %d", n, 4*200)
	}
}
