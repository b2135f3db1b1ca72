package approval

import (
	"bytes"
	"context"
	"errors"
	"os"
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
	trail, err := NewAuditTrail(s, WithAuditBuffer(8), WithOverflow(OverflowFailClosed))
	if err != nil {
		t.Fatal(err)
	}
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
	// Every allowed call was recorded, once each. The overflow denial's
	// own record was refused (counted and reported) rather than take the
	// last eighth kept for the records of calls already under way.
	if got := len(s.records()); got != allowed+1 {
		t.Fatalf("%d records written, want %d", got, allowed+1)
	}
	if n := trail.Refused(); n != 1 {
		t.Fatalf("%d records refused, want 1 (the overflow denial)", n)
	}
}

// A mixed, concurrent run through a Gate: every decision (allow, deny,
// review, grant) appears exactly once in the audit file, and the file
// verifies.
func TestAuditMixedRunExactlyOnce(t *testing.T) {
	p, err := ParsePolicy([]byte(`
version: "1"
dialect: postgres
default: review
rules:
  - name: reads
    effect: allow
    when: query.command == "SELECT"
  - name: no-drop
    effect: deny
    when: query.command == "DROP"
`), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/audit.jsonl"
	sink, _ := NewFileSink(path, WithMaxFileSize(64<<10))
	trail, err := NewAuditTrail(sink, WithOverflow(OverflowBlock), WithAuditBuffer(32))
	if err != nil {
		t.Fatal(err)
	}
	l := newTestLedger(t, NewMemStore(), ClockFunc(time.Now))
	g, err := NewGate(p, WithAuditor(trail), WithApprovals(l))
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithKey(context.Background(), Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	d := g.Decide(ctx, Request{SQL: "UPDATE t SET a = 1 WHERE id = 1"})
	if _, err := l.Approve(ctx, d.RequestID, GrantSpec{}); err != nil {
		t.Fatal(err)
	}
	stmts := []string{"SELECT 1", "DROP TABLE t", "DELETE FROM t WHERE id = 1", "UPDATE t SET a = 2 WHERE id = 3"}
	want := map[string]int{"review": 1} // the first UPDATE
	done := make(chan map[string]int)
	for w := 0; w < 4; w++ {
		go func() {
			seen := map[string]int{}
			for i := 0; i < 200; i++ {
				d := g.Decide(ctx, Request{SQL: stmts[(w+i)%len(stmts)]})
				if d.Allowed() {
					g.Finish(ctx, &d, Result{RowsAffected: 1})
				}
				seen[d.Effect.String()]++
			}
			done <- seen
		}()
	}
	for w := 0; w < 4; w++ {
		for k, v := range <-done {
			want[k] += v
		}
	}
	if err := trail.Close(); err != nil {
		t.Fatal(err)
	}
	files := AuditFiles(path)
	n, err := VerifyAuditFiles(files...)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("expected rotation, got %v", files)
	}
	got := map[string]int{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			r, err := DecodeAuditRecord(line)
			if err != nil {
				t.Fatal(err)
			}
			got[r.Decision]++
		}
	}
	if n != want["allow"]+want["deny"]+want["review"] || got["allow"] != want["allow"] ||
		got["deny"] != want["deny"] || got["review"] != want["review"] {
		t.Fatalf("audited %v (%d records), decided %v", got, n, want)
	}
	if want["allow"] != 400 || want["deny"] != 200 || want["review"] != 201 {
		t.Fatalf("unexpected decisions %v (grant not used?)", want)
	}
}

// TestAuditRecordTimeIsDecisionTime: an allowed call's record, emitted by
// Finish after the call returned, carries the time the call was decided;
// a denial's carries the same.
func TestAuditRecordTimeIsDecisionTime(t *testing.T) {
	p := mustPolicy(t, "version: t\ndialect: postgres\nrules:\n  - {name: reads, effect: allow, when: 'query.read_only'}\n")
	clock := newTestClock()
	aud := &recAuditor{}
	g := mustGate(t, p, WithClock(clock), WithAuditor(aud))
	ctx := WithKey(context.Background(), testKey("app"))
	decided := clock.Now()
	d := g.Decide(ctx, Request{Statement: stmt("SELECT", true, "t")})
	clock.Advance(3 * time.Second) // the call runs
	g.Finish(ctx, &d, Result{RowsAffected: 1})
	g.Decide(ctx, Request{Statement: stmt("DELETE", false, "t")})
	recs := aud.all()
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if !recs[0].Time.Equal(decided) || recs[0].Decision != "allow" {
		t.Errorf("allow record: time %v decision %q, want %v allow", recs[0].Time, recs[0].Decision, decided)
	}
	if want := decided.Add(3 * time.Second); !recs[1].Time.Equal(want) || recs[1].Decision != "deny" {
		t.Errorf("deny record: time %v decision %q, want %v deny", recs[1].Time, recs[1].Decision, want)
	}
}
