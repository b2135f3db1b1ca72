package loadtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// auditFault is a sink that fails or stalls on demand and counts what it
// wrote by call id.
type auditFault struct {
	failing atomic.Bool
	stall   atomic.Bool
	mu      sync.Mutex
	byCall  map[string]int
	written int
}

func (s *auditFault) Write(ctx context.Context, batch []approval.Record) error {
	for s.stall.Load() {
		time.Sleep(time.Millisecond)
	}
	if s.failing.Load() {
		return errors.New("disk full")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range batch {
		s.byCall[batch[i].Source.Labels["call"]]++
		s.written++
	}
	return nil
}

// auditRefusal reports whether a denial came from the audit trail rather
// than from the policy.
func auditRefusal(err error) bool {
	return errors.Is(err, approval.ErrAuditOverflow) || errors.Is(err, approval.ErrAuditSink) || errors.Is(err, approval.ErrAuditClosed)
}

// TestAuditSinkFaults: 16 goroutines decide and finish calls through a
// Gate whose audit trail (256-record buffer: its last eighth, kept for
// the records of calls under way, covers the 16 goroutines) writes to a sink that fails,
// or stalls, for a while and then recovers. Whatever the overflow policy
// (block, fail-closed), no call the policy denies is allowed, a call is
// refused only by the policy or by the audit trail (never silently let
// through unrecorded), nothing is dropped silently — records written plus
// records refused (counted, reported to the error handler) equal the
// calls — and service resumes once the sink does. Under block every
// allowed call's record is written; under fail-closed see the known gap
// noted below.
func TestAuditSinkFaults(t *testing.T) {
	p := mustPolicy(t, memPolicy)
	cases := []struct {
		name     string
		overflow approval.Overflow
		fault    func(s *auditFault, on bool)
	}{
		{"fail-closed/sink-failing", approval.OverflowFailClosed, func(s *auditFault, on bool) { s.failing.Store(on) }},
		{"block/sink-failing", approval.OverflowBlock, func(s *auditFault, on bool) { s.failing.Store(on) }},
		{"fail-closed/sink-stalled", approval.OverflowFailClosed, func(s *auditFault, on bool) { s.stall.Store(on) }},
		{"block/sink-stalled", approval.OverflowBlock, func(s *auditFault, on bool) { s.stall.Store(on) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &auditFault{byCall: map[string]int{}}
			var handled atomic.Int64
			trail, err := approval.NewAuditTrail(sink, approval.WithOverflow(tc.overflow), approval.WithAuditBuffer(256),
				approval.WithAuditBatch(16), approval.WithAuditRetry(2*time.Millisecond, 10*time.Millisecond),
				approval.WithAuditErrorHandler(func(error) { handled.Add(1) }))
			if err != nil {
				t.Fatal(err)
			}
			g := mustGate(t, p, approval.WithAuditor(trail))
			key := approval.Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)}
			reqs := []struct {
				sql   string
				allow bool
			}{
				{"SELECT id FROM orders WHERE id = $1", true},
				{"SELECT * FROM secrets", false},
				{"INSERT INTO log (a) VALUES ($1)", true},
				{"DELETE FROM orders", false},
			}
			const workers, perPhase = 16, 60
			var calls, allowed, policyDenied, auditDenied, wrong atomic.Int64
			var allowedIDs sync.Map
			phase := func(name string) {
				var wg sync.WaitGroup
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range perPhase {
							r := reqs[(w+i)%len(reqs)]
							id := fmt.Sprintf("%s-%d-%d", name, w, i)
							ctx := callCtx(context.Background(), key, id)
							d := g.Decide(ctx, approval.Request{SQL: r.sql, Args: []approval.Arg{{Ordinal: 1, Value: int64(i)}}})
							calls.Add(1)
							switch {
							case d.Allowed() && !r.allow:
								wrong.Add(1)
								t.Errorf("%s: %q allowed", id, r.sql)
							case d.Allowed():
								allowed.Add(1)
								allowedIDs.Store(id, true)
								g.Finish(ctx, &d, approval.Result{RowsAffected: 1})
							case auditRefusal(d.Err):
								auditDenied.Add(1)
							case r.allow:
								wrong.Add(1)
								t.Errorf("%s: %q refused: %v", id, r.sql, d.Err)
							default:
								policyDenied.Add(1)
							}
						}
					}()
				}
				wg.Wait()
			}
			phase("before")
			tc.fault(sink, true)
			faultDone := make(chan struct{})
			go func() {
				defer close(faultDone)
				time.Sleep(300 * time.Millisecond)
				tc.fault(sink, false)
			}()
			phase("during")
			<-faultDone
			// The trail notices recovery on its next retry and drains its
			// buffer; then calls pass again, without restarting anything.
			deadline := time.Now().Add(10 * time.Second)
			for ok := 0; ok < 5 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if trail.Health() == nil {
					ok++
				} else {
					ok = 0
				}
			}
			ctx := callCtx(context.Background(), key, "resumed")
			if d := g.Decide(ctx, approval.Request{SQL: reqs[0].sql, Args: []approval.Arg{{Ordinal: 1, Value: int64(1)}}}); !d.Allowed() {
				t.Errorf("after the sink recovered: %v", d.Err)
			} else {
				calls.Add(1)
				allowed.Add(1)
				allowedIDs.Store("resumed", true)
				g.Finish(ctx, &d, approval.Result{RowsAffected: 1})
			}
			if err := trail.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}

			sink.mu.Lock()
			defer sink.mu.Unlock()
			refused := trail.Refused()
			if got := uint64(sink.written) + refused; got != uint64(calls.Load()) {
				t.Errorf("%d records written + %d refused = %d, for %d calls", sink.written, refused, got, calls.Load())
			}
			if uint64(sink.written) != trail.Written() {
				t.Errorf("sink saw %d records, trail says %d written", sink.written, trail.Written())
			}
			for id, n := range sink.byCall {
				if n != 1 {
					t.Errorf("call %s: %d records", id, n)
				}
			}
			missing := 0
			allowedIDs.Range(func(id, _ any) bool {
				if sink.byCall[id.(string)] != 1 {
					missing++
				}
				return true
			})
			// Under fail-closed the last eighth of the buffer (32 records
			// here, more than the goroutines) is kept for the records of
			// calls already under way: a refused call's own record never
			// takes it, so every allowed call has its record.
			if missing > 0 {
				t.Errorf("%d allowed calls have no audit record (%d refusals reported)", missing, refused)
			}
			if tc.overflow == approval.OverflowBlock && refused != 0 {
				t.Errorf("block: %d records refused", refused)
			}
			if refused > 0 && handled.Load() == 0 {
				t.Errorf("%d records refused and the error handler never called", refused)
			}
			t.Logf("%d calls: %d allowed, %d denied by policy, %d refused by the audit trail, %d wrong; %d records written, %d refused (reported %d times)",
				calls.Load(), allowed.Load(), policyDenied.Load(), auditDenied.Load(), wrong.Load(), sink.written, refused, handled.Load())
		})
	}
}
