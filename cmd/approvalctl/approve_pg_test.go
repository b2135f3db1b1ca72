package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/internal/testpg"
	"github.com/approvedsql/approvedsql/store/postgres"
)

// pgTestDSN creates a database of its own for the test and drops it after.
func pgTestDSN(tb testing.TB) string {
	tb.Helper()
	return testpg.NewDatabase(tb, "approvalctl")
}

const e2ePolicy = `
version: "e2e-1"
dialect: postgres
default: review
rules:
  - name: no-drop
    effect: deny
    when: query.command == "DROP"
  - name: health
    effect: allow
    when: query.text == "SELECT $0"
`

// instance is one application instance: its own store connection,
// ledger, audit file and gate.
type instance struct {
	ledger *approval.Ledger
	trail  *approval.AuditTrail
	gate   *approval.Gate
	audit  string
	n      int // decisions audited
}

func newInstance(tb testing.TB, dsn string) *instance {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	l, err := approval.NewLedger(ctx, st, approval.WithResyncInterval(time.Hour)) // only NOTIFY can deliver within 1 s
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	path := filepath.Join(tb.TempDir(), "audit.jsonl")
	sink, err := approval.NewFileSink(path)
	if err != nil {
		tb.Fatal(err)
	}
	trail, err := approval.NewAuditTrail(sink, approval.WithOverflow(approval.OverflowBlock))
	if err != nil {
		tb.Fatal(err)
	}
	policy, err := approval.ParsePolicy([]byte(e2ePolicy), "policy.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	g, err := approval.NewGate(policy, approval.WithApprovals(l), approval.WithAuditor(trail))
	if err != nil {
		tb.Fatal(err)
	}
	return &instance{ledger: l, trail: trail, gate: g, audit: path}
}

// call decides a statement as the driver would, finishing allowed calls.
func (in *instance) call(ctx context.Context, sql string, args ...any) approval.Decision {
	req := approval.Request{SQL: sql}
	for i, a := range args {
		req.Args = append(req.Args, approval.Arg{Ordinal: i + 1, Value: a})
	}
	d := in.gate.Decide(ctx, req)
	if d.Allowed() {
		in.gate.Finish(ctx, &d, approval.Result{RowsAffected: 1})
	}
	in.n++
	return d
}

func withinSecond(tb testing.TB, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > time.Second {
			tb.Fatalf("%s: not within 1s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(start)
}

// Two application instances share a PostgreSQL store. A statement meets
// review on one; an approver approves it with approvalctl; the call passes
// on the other within a second. Revocations travel the same way, a deny
// rule beats a grant, and each instance's audit file holds every decision
// exactly once, with an intact hash chain.
func TestEndToEndTwoGatesPostgres(t *testing.T) {
	dsn := pgTestDSN(t)
	a, b := newInstance(t, dsn), newInstance(t, dsn)
	exp := time.Now().Add(time.Hour)
	alice := approval.WithKey(context.Background(), approval.Key{ID: "k-alice", Role: "app", Session: "s1", ExpiresAt: exp})
	bob := approval.WithKey(context.Background(), approval.Key{ID: "k-bob", Role: "app", Session: "s2", ExpiresAt: exp})
	const q = "SELECT * FROM accounts WHERE id = $1"

	if d := a.call(alice, "SELECT 1"); !d.Allowed() {
		t.Fatalf("allow rule: %v", d.Err)
	}
	d := a.call(alice, q, int64(7))
	var de *approval.DeniedError
	if !errors.Is(d.Err, approval.ErrReviewRequired) || !errors.As(d.Err, &de) || de.RequestID == "" {
		t.Fatalf("first call: %v, want review with a request id", d.Err)
	}
	withinSecond(t, "pending request written", func() bool { return a.ledger.Queued() == 0 })
	if d := b.call(alice, q, int64(7)); d.Allowed() {
		t.Fatal("passes on the other instance before approval")
	}

	code, out, errs := runCmd(t, "approve", de.RequestID, "--store", dsn, "--scope", "role", "--for", "1h", "--reason", "e2e")
	if code != 0 {
		t.Fatalf("approvalctl approve: %d %s %s", code, out, errs)
	}
	var passed approval.Decision
	took := withinSecond(t, "approved call passing on the other instance", func() bool {
		passed = b.call(bob, q, int64(8))
		return passed.Allowed()
	})
	t.Logf("approval in force on the other instance after %v", took)
	if !strings.HasPrefix(passed.Rule, "grant:g-") {
		t.Fatalf("allowed by %q, want a grant", passed.Rule)
	}

	// a deny rule beats a grant
	if _, err := b.ledger.AddGrant(context.Background(), mustFingerprint(t, "DROP TABLE accounts"), "", approval.GrantScope{Kind: approval.ScopeRole, Value: "app"}, approval.GrantSpec{}); err != nil {
		t.Fatal(err)
	}
	if d := b.call(alice, "DROP TABLE accounts"); !errors.Is(d.Err, approval.ErrDenied) || d.Rule != "no-drop" {
		t.Fatalf("granted DROP: %v (rule %q), want denied by no-drop", d.Err, d.Rule)
	}

	// grant revocation through the CLI
	grantID := strings.TrimPrefix(passed.Rule, "grant:")
	if code, _, errs := runCmd(t, "revoke", grantID, "--store", dsn); code != 0 {
		t.Fatalf("approvalctl revoke: %s", errs)
	}
	took = withinSecond(t, "grant revocation on the other instance", func() bool {
		d := a.call(bob, q, int64(9))
		return !d.Allowed()
	})
	t.Logf("grant revocation in force after %v", took)

	// key revocation through the CLI (keys revoke)
	var o, e bytes.Buffer
	if code := runKeysRevoke(&env{args: []string{"k-alice", "--store", dsn}, stdout: &o, stderr: &e}); code != 0 {
		t.Fatalf("keys revoke: %s", e.String())
	}
	took = withinSecond(t, "key revocation on both instances", func() bool {
		da, db := a.call(alice, "SELECT 1"), b.call(alice, "SELECT 1")
		return errors.Is(da.Err, approval.ErrKeyRevoked) && errors.Is(db.Err, approval.ErrKeyRevoked)
	})
	t.Logf("key revocation in force after %v", took)
	if d := b.call(bob, "SELECT 1"); !d.Allowed() {
		t.Fatalf("another key denied after a revocation: %v", d.Err)
	}

	for name, in := range map[string]*instance{"a": a, "b": b} {
		if err := in.trail.Close(); err != nil {
			t.Fatal(err)
		}
		n, err := approval.VerifyAuditFiles(in.audit)
		if err != nil {
			t.Fatalf("instance %s audit: %v", name, err)
		}
		if n != in.n {
			t.Fatalf("instance %s: %d audit records for %d decisions", name, n, in.n)
		}
		if code, out, _ := runCmd(t, "audit", "verify", in.audit); code != 0 {
			t.Fatalf("approvalctl audit verify: %s", out)
		}
	}
	if _, out, _ := runCmd(t, "audit", "tail", "-n", "100", a.audit); !strings.Contains(out, "review") || !strings.Contains(out, "allow") {
		t.Fatalf("audit tail:\n%s", out)
	}
}

func mustFingerprint(tb testing.TB, sql string) string {
	tb.Helper()
	return callFor(tb, sql, nil).Input.Query.Fingerprint
}

func TestAuditTailPostgres(t *testing.T) {
	dsn := pgTestDSN(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	trail, err := approval.NewAuditTrail(postgres.NewAuditSink(st, "i1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"allow", "deny", "review"} {
		trail.Record(&approval.Record{Time: time.Now(), Decision: d, Text: "SELECT " + d, RowsAffected: -1})
	}
	if err := trail.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "audit", "tail", "--store", dsn, "-n", "2")
	if code != 0 || strings.Contains(out, "SELECT allow") || !strings.Contains(out, "SELECT deny") || !strings.Contains(out, "SELECT review") {
		t.Fatalf("audit tail --store: %d\n%s%s", code, out, errs)
	}
	_, out, _ = runCmd(t, "audit", "tail", "--store", dsn, "--json")
	if err := approval.VerifyAuditLog(strings.NewReader(out)); err != nil {
		t.Fatalf("the table's records do not verify as a chain: %v\n%s", err, out)
	}
}

func TestAuditVerifyPostgres(t *testing.T) {
	dsn := pgTestDSN(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, inst := range []string{"i1", "i2"} {
		trail, err := approval.NewAuditTrail(postgres.NewAuditSink(st, inst), approval.WithOverflow(approval.OverflowBlock))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			trail.Record(&approval.Record{Time: time.Now(), Decision: "allow", Reason: inst, RowsAffected: int64(i)})
		}
		if err := trail.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errs := runCmd(t, "audit", "verify", "--store", dsn); code != 0 || strings.Count(out, "5 record(s), hash chain intact") != 2 {
		t.Fatalf("intact table: %d\n%s%s", code, out, errs)
	}
	exec := func(sql string) {
		t.Helper()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE approvedsql_audit SET decision = 'deny' WHERE instance = 'i1' AND rows_affected = 2`)
	exec(`DELETE FROM approvedsql_audit WHERE instance = 'i2' AND rows_affected = 3`)
	code, out, _ := runCmd(t, "audit", "verify", "--store", dsn)
	if code != auditTampered || !strings.Contains(out, "instance i1: line 3: record altered") ||
		!strings.Contains(out, "instance i2: line 4") || !strings.Contains(out, "deleted") {
		t.Fatalf("tampered table: exit %d\n%s", code, out)
	}
	if code, out, _ := runCmd(t, "audit", "verify", "--store", dsn, "--instance", "i2"); code != auditTampered || strings.Contains(out, "i1") {
		t.Fatalf("--instance: exit %d\n%s", code, out)
	}
}
