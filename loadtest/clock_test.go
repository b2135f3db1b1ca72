package loadtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

// TestClockJumps drives a Gate and a Ledger from one injected clock that
// jumps forward and back at random (seeded), often onto the exact edges of
// a key's validity and of two grants' windows, and decides three
// statements at each reading:
//
//   - one allowed by a rule: allowed exactly while the key is valid;
//   - one allowed only by a grant for [t0, t0+1h): never allowed outside
//     that window or with the key invalid;
//   - one allowed only by a grant for the same window limited to 3 uses:
//     never more than 3 uses in all, whatever the clock does.
//
// A grant may be refused inside its window (that is safe and counted); it
// is never honoured outside it. 20,000 readings; 200,000 with
// APPROVEDSQL_LONG=1.
func TestClockJumps(t *testing.T) {
	steps := size(20_000, 200_000)
	if raceEnabled && !long() {
		steps = 5_000
	}
	clk := &jumpClock{t: t0}
	ctx := context.Background()
	ledger, err := approval.NewLedger(ctx, approval.NewMemStore(), approval.WithLedgerClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer ledger.Close()
	p := mustPolicy(t, `version: "clock"
dialect: postgres
default: review
rules:
  - name: items
    effect: allow
    when: query.command == "SELECT" && query.tables == ["lt_items"]
`)
	g := mustGate(t, p, approval.WithApprovals(ledger), approval.WithClock(clk), approval.WithSkew(0))
	from, until := t0, t0.Add(time.Hour)
	scope := approval.GrantScope{Kind: approval.ScopeKey, Value: "k"}
	if _, err := ledger.AddGrant(ctx, fingerprint(t, p, sqlGranted), sqlGranted, scope, approval.GrantSpec{From: from, Until: until}); err != nil {
		t.Fatal(err)
	}
	const maxUses = 3
	if _, err := ledger.AddGrant(ctx, fingerprint(t, p, sqlLimited), sqlLimited, scope, approval.GrantSpec{From: from, Until: until, MaxUses: maxUses}); err != nil {
		t.Fatal(err)
	}
	key := approval.Key{ID: "k", Role: "app", NotBefore: t0.Add(-2 * time.Hour), ExpiresAt: t0.Add(2 * time.Hour)}
	kctx := approval.WithKey(ctx, key)

	edges := []time.Time{from, until, key.NotBefore, key.ExpiresAt}
	r := rand.New(rand.NewPCG(7, 11))
	var itemsOK, grantOK, grantRefusedInside, limitedUses, wrong int
	for i := range steps {
		var now time.Time
		switch r.IntN(3) {
		case 0: // an edge, or a nanosecond either side
			now = edges[r.IntN(len(edges))].Add(time.Duration(r.IntN(3)-1) * time.Nanosecond)
		case 1: // a small jump forward or back
			now = clk.Now().Add(time.Duration(r.Int64N(int64(20*time.Minute))) - 10*time.Minute)
		default: // anywhere from 3 h before to 4 h after t0
			now = t0.Add(time.Duration(r.Int64N(int64(7*time.Hour))) - 3*time.Hour)
		}
		clk.Set(now)
		keyValid := !now.Before(key.NotBefore) && now.Before(key.ExpiresAt)
		inWindow := !now.Before(from) && now.Before(until)

		d := g.Decide(kctx, approval.Request{SQL: sqlItems, Args: []approval.Arg{{Ordinal: 1, Value: int64(i)}}})
		if d.Allowed() != keyValid {
			wrong++
			t.Errorf("%v: rule-allowed statement allowed=%v, key valid=%v (%v)", now, d.Allowed(), keyValid, d.Err)
		} else if keyValid {
			itemsOK++
		}
		if !keyValid && !d.Allowed() && !errors.Is(d.Err, approval.ErrKeyExpired) && !errors.Is(d.Err, approval.ErrKeyNotYetValid) {
			t.Errorf("%v: invalid key refused with %v", now, d.Err)
		}

		d = g.Decide(kctx, approval.Request{SQL: sqlGranted, Args: []approval.Arg{{Ordinal: 1, Value: int64(i)}}})
		switch {
		case d.Allowed() && (!inWindow || !keyValid):
			wrong++
			t.Errorf("%v: grant honoured outside [%v, %v) or with an invalid key (%v)", now, from, until, keyValid)
		case d.Allowed():
			grantOK++
		case inWindow && keyValid:
			grantRefusedInside++
		}

		d = g.Decide(kctx, approval.Request{SQL: sqlLimited, Args: []approval.Arg{{Ordinal: 1, Value: int64(i)}}})
		if d.Allowed() {
			limitedUses++
			if !inWindow || !keyValid {
				wrong++
				t.Errorf("%v: limited grant honoured outside its window", now)
			}
			if limitedUses > maxUses {
				wrong++
				t.Errorf("%v: limited grant used %d times, max %d", now, limitedUses, maxUses)
			}
		}
	}
	if itemsOK == 0 || grantOK == 0 || limitedUses != maxUses {
		t.Errorf("too little exercised: %d rule allows, %d grant allows, %d limited uses", itemsOK, grantOK, limitedUses)
	}
	t.Logf("%d clock readings: %d wrong; rule allowed %d times, window grant honoured %d times (refused %d times inside its window), limited grant used %d of %d",
		steps, wrong, itemsOK, grantOK, grantRefusedInside, limitedUses, maxUses)
}
