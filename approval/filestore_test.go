package approval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestFileStoreRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "approvals.json")
	clk := newFakeClock()
	s1, err := OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	l1 := newTestLedger(t, s1, clk)
	g := reviewAndApprove(t, l1, testCall("fp", alice), GrantSpec{For: time.Hour, MaxUses: 3})
	mustGrant(t, l1, testCall("fp", alice))
	revoked := reviewAndApprove(t, l1, testCall("fp2", alice), GrantSpec{})
	l1.RevokeGrant(ctx, revoked.ID)
	l1.RevokeKey(ctx, "k-bob", "ops", "left")
	rid, _ := l1.Pending(ctx, testCall("fp3", carol))
	if err := l1.Close(); err != nil { // flushes the pending request
		t.Fatal(err)
	}
	s1.Close()

	// a new process
	s2, err := OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	l2 := newTestLedger(t, s2, clk)
	if mustGrant(t, l2, testCall("fp", alice)) != g.ID {
		t.Fatal("grant lost over restart")
	}
	if mustGrant(t, l2, testCall("fp2", alice)) != "" {
		t.Fatal("grant revocation lost over restart")
	}
	if r, _ := l2.KeyRevoked("k-bob"); !r {
		t.Fatal("key revocation lost over restart")
	}
	if ps := l2.ListPending(); len(ps) != 1 || ps[0].ID != rid {
		t.Fatalf("pending over restart: %+v", ps)
	}
	mustGrant(t, l2, testCall("fp", alice)) // use 3
	if mustGrant(t, l2, testCall("fp", alice)) != "" {
		t.Fatal("use count lost over restart: a 4th use passed")
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".approvals.json.tmp-*"))
	if len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}
}

func TestFileStoreTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "approvals.json")
	app, err := OpenFileStore(path, WithFilePoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	cli, err := OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	appL := newTestLedger(t, app, newFakeClock())
	cliL := newTestLedger(t, cli, newFakeClock())
	rid, _ := appL.Pending(context.Background(), testCall("fp", alice))
	if err := appL.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	g, err := cliL.Approve(context.Background(), rid, GrantSpec{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the app to see the CLI's grant", func() bool { return mustGrant(t, appL, testCall("fp", alice)) == g.ID })
	cliL.RevokeKey(context.Background(), "k-alice", "", "")
	waitFor(t, "the app to see the CLI's key revocation", func() bool { r, _ := appL.KeyRevoked("k-alice"); return r })
}

func TestFileStoreConcurrentUses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "approvals.json")
	ctx := context.Background()
	a, _ := OpenFileStore(path)
	defer a.Close()
	b, _ := OpenFileStore(path)
	defer b.Close()
	a.AddGrant(ctx, testGrant("g", newFakeClock().Now(), 40))
	var mu sync.Mutex
	ok := 0
	var wg sync.WaitGroup
	for _, s := range []*FileStore{a, b} {
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					if _, used, err := s.UseGrant(ctx, "g"); err == nil && used {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	if ok != 40 {
		t.Fatalf("%d uses counted, want exactly 40", ok)
	}
}

func TestFileStoreCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "approvals.json")
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := OpenFileStore(path); err == nil {
		t.Fatal("corrupt file accepted")
	}
	os.WriteFile(path, []byte(`{"version": 99}`), 0o600)
	if _, err := OpenFileStore(path); err == nil {
		t.Fatal("unknown version accepted")
	}
	b, _ := os.ReadFile(path)
	if string(b) != `{"version": 99}` {
		t.Fatal("a file that could not be read was overwritten")
	}
}

func TestFileStoreDownLater(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "approvals.json")
	s, _ := OpenFileStore(path)
	defer s.Close()
	l := newTestLedger(t, s, newFakeClock())
	g := reviewAndApprove(t, l, testCall("fp", alice), GrantSpec{})
	os.WriteFile(path, []byte("garbage"), 0o600) // the store becomes unreadable
	if err := l.Refresh(context.Background()); !errors.Is(err, ErrStoreDown) {
		t.Fatalf("refresh of an unreadable file: %v", err)
	}
	if mustGrant(t, l, testCall("fp", alice)) != g.ID {
		t.Fatal("cached grant lost when the file became unreadable")
	}
}
