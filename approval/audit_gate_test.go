package approval

import (
	"context"
	"errors"
	"testing"
	"time"
)

// An AuditTrail whose sink stalls makes the Gate refuse calls under
// OverflowFailClosed, and lets them through again once the sink drains.
func TestAuditOverflowDeniesThroughGate(t *testing.T) {
	p, err := ParsePolicy([]byte("version: \"1\"\ndialect: postgres\nrules:\n  - name: all\n    effect: allow\n    when: \"true\"\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := newGatedSink()
	trail, _ := NewAuditTrail(s, WithAuditBuffer(8), WithOverflow(OverflowFailClosed))
	g, err := NewGate(p, WithAuditor(trail))
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithKey(context.Background(), Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	call := func() Decision {
		d := g.Decide(ctx, Request{SQL: "SELECT 1"})
		if d.Allowed() {
			g.Finish(ctx, &d, Result{RowsAffected: 1})
		}
		return d
	}
	allowed := 0
	var denied Decision
	for i := 0; i < 20; i++ {
		d := call()
		if !d.Allowed() {
			denied = d
			break
		}
		allowed++
		if i == 0 {
			<-s.entered // the writer holds the first record in the stalled sink
		}
	}
	if !errors.Is(denied.Err, ErrAuditOverflow) {
		t.Fatalf("after %d allowed calls: %v, want a denial caused by ErrAuditOverflow", allowed, denied.Err)
	}
	if allowed != 8 { // 1 in the sink + 7 (the buffer to 7/8 of 8)
		t.Fatalf("%d calls allowed before the overflow denial, want 8", allowed)
	}
	s.open()
	waitFor(t, "the trail to drain", func() bool { return trail.Health() == nil })
	if d := call(); !d.Allowed() {
		t.Fatalf("after the sink drained: %v", d.Err)
	}
	if err := trail.Close(); err != nil {
		t.Fatal(err)
	}
	// every allowed call and the denial were recorded, once each
	if got := len(s.records()); got != allowed+2 {
		t.Fatalf("%d records written, want %d", got, allowed+2)
	}
}
