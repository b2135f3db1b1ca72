package approval

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestGateWithLedger runs the Gate against the real Approvals of this
// package (Ledger over a MemStore): a review is recorded, approved, and the
// call then passes on the grant; a deny rule still wins; a key revoked
// through the Ledger is refused; learn mode records proposals.
func TestGateWithLedger(t *testing.T) {
	const src = `
version: ledger
dialect: postgres
rules:
  - name: no-drop
    effect: deny
    when: query.command == "DROP"
  - name: reads
    effect: allow
    when: query.read_only
  - name: deletes
    effect: review
    when: query.command == "DELETE"
`
	ctx := context.Background()
	clock := newTestClock()
	ledger, err := NewLedger(ctx, NewMemStore(), WithLedgerClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer ledger.Close()
	g := mustGate(t, mustPolicy(t, src), WithClock(clock), WithApprovals(ledger))
	kctx := WithKey(ctx, testKey("ops"))
	del := Request{Statement: stmt("DELETE", false, "orders")}

	d := g.Decide(kctx, del)
	checkDecision(t, d, Review, "deletes", ErrReviewRequired)
	if d.RequestID == "" {
		t.Fatal("no request id")
	}
	var de *DeniedError
	if !errors.As(d.Err, &de) || de.RequestID != d.RequestID || de.Hint == "" {
		t.Fatalf("review error %+v", de)
	}

	if _, err := ledger.Approve(ctx, d.RequestID, GrantSpec{For: time.Hour, By: "alice", Reason: "cleanup"}); err != nil {
		t.Fatalf("approve: %v", err)
	}
	d = g.Decide(kctx, del)
	checkDecision(t, d, Allow, "*")
	if len(d.Rule) < len("grant:") || d.Rule[:len("grant:")] != "grant:" {
		t.Errorf("allowed by %q, want a grant", d.Rule)
	}
	// Another key is not covered by a key-scoped grant.
	checkDecision(t, g.Decide(WithKey(ctx, testKey("intern")), del), Review, "deletes", ErrReviewRequired)
	// The grant expires with the clock.
	clock.Advance(2 * time.Hour)
	later := WithKey(ctx, Key{ID: "key-ops", Role: "ops", ExpiresAt: t0.Add(3 * time.Hour)})
	checkDecision(t, g.Decide(later, del), Review, "deletes", ErrReviewRequired)

	// Revocation through the Ledger.
	if err := ledger.RevokeKey(ctx, "key-ops", "alice", "left"); err != nil {
		t.Fatal(err)
	}
	checkDecision(t, g.Decide(later, Request{Statement: stmt("SELECT", true, "orders")}), Deny, "", ErrKeyRevoked)

	// Learn mode records proposals in the Ledger.
	g.SetPolicy(mustPolicy(t, "mode: learn\n"+src))
	lctx := WithKey(ctx, Key{ID: "etl-1", Role: "etl", ExpiresAt: t0.Add(3 * time.Hour)})
	checkDecision(t, g.Decide(lctx, Request{Statement: stmt("UPDATE", false, "orders")}), Allow, "default")
	found := false
	for _, p := range ledger.ListPending() {
		if p.Learned && p.Role == "etl" && p.Fingerprint == "test:UPDATE:orders" {
			found = true
		}
	}
	if !found {
		t.Errorf("learn mode recorded no proposal: %+v", ledger.ListPending())
	}
}
