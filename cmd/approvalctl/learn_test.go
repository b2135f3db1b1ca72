package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

func TestLearnExport(t *testing.T) {
	carolKey := &approval.Key{ID: "k-carol", Role: "app"}
	path, _ := seedStore(t, []*approval.Call{callFor(t, "UPDATE t SET a = 1 WHERE id = $1", keyAlice)}, []*approval.Call{
		callFor(t, "SELECT * FROM accounts WHERE id = $1", keyAlice),
		callFor(t, "SELECT * FROM accounts WHERE id = $1", carolKey), // same role: one proposal
		callFor(t, "SELECT * FROM accounts WHERE id = $1", keyBob),
		callFor(t, "SELECT name FROM users\nWHERE id = 7", keyBob),
	})
	out := filepath.Join(t.TempDir(), "learned.yaml")
	code, _, errs := runCmd(t, "learn", "export", "--store", path, "--out", out, "--version", "learned-1", "--dialect", "postgres")
	if code != 0 {
		t.Fatalf("learn export: %s", errs)
	}
	b, _ := os.ReadFile(out)
	text := string(b)
	if n := strings.Count(text, "- name: learned-"); n != 2 {
		t.Fatalf("%d rules, want 2 (one per fingerprint):\n%s", n, text)
	}
	for _, want := range []string{
		"  # SELECT * FROM accounts WHERE id = ",
		`key.role in ["app", "report"]`,
		`key.role in ["report"]`,
		"learned: 3 call(s)",
		"effect: allow",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "UPDATE") {
		t.Errorf("a review request was exported as learned:\n%s", text)
	}
	// the export is a policy the engine loads
	if _, err := approval.ParsePolicy(b, "learned.yaml"); err != nil {
		t.Fatalf("exported policy does not load: %v\n%s", err, text)
	}
	// and the learned proposals are also listed
	if _, o, _ := runCmd(t, "pending", "--learned", "--store", path); strings.Count(o, "l-") != 3 {
		t.Fatalf("pending --learned:\n%s", o)
	}
}

// A Gate in learn mode records each new (fingerprint, role) pair through
// the Ledger; approvalctl learn export turns them into rules that, loaded
// in enforce mode, allow exactly what was learned.
func TestLearnModeThroughGate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "approvals.json")
	st, err := approval.OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := approval.NewLedger(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	learnPolicy, err := approval.ParsePolicy([]byte("version: \"1\"\ndialect: postgres\nmode: learn\ndefault: deny\nrules: []\n"), "learn.yaml")
	if err != nil {
		t.Fatal(err)
	}
	gate, err := approval.NewGate(learnPolicy, approval.WithApprovals(l))
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	app := approval.WithKey(ctx, approval.Key{ID: "k1", Role: "app", ExpiresAt: exp})
	report := approval.WithKey(ctx, approval.Key{ID: "k2", Role: "report", ExpiresAt: exp})
	calls := []struct {
		ctx context.Context
		sql string
	}{
		{app, "SELECT * FROM orders WHERE id = 1"},
		{app, "SELECT * FROM orders WHERE id = 2"}, // same fingerprint
		{report, "SELECT * FROM orders WHERE id = 3"},
		{app, "UPDATE orders SET state = 'paid' WHERE id = 4"},
	}
	for _, c := range calls {
		if d := gate.Decide(c.ctx, approval.Request{SQL: c.sql}); !d.Allowed() || !d.DryRun {
			t.Fatalf("learn mode refused %q: %v", c.sql, d.Err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errs := runCmd(t, "learn", "export", "--store", path, "--version", "learned", "--dialect", "postgres")
	if code != 0 {
		t.Fatalf("learn export: %s", errs)
	}
	if n := strings.Count(out, "- name:"); n != 2 {
		t.Fatalf("%d rules, want 2:\n%s", n, out)
	}
	enforced, err := approval.ParsePolicy([]byte(out), "learned.yaml")
	if err != nil {
		t.Fatalf("exported policy: %v\n%s", err, out)
	}
	g2, err := approval.NewGate(enforced)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ctx   context.Context
		sql   string
		allow bool
	}{
		{app, "SELECT * FROM orders WHERE id = 99", true},
		{report, "SELECT * FROM orders WHERE id = 99", true},
		{report, "UPDATE orders SET state = 'paid' WHERE id = 4", false}, // learned for app only
		{app, "UPDATE orders SET state = 'void' WHERE id = 4", true},
		{app, "DELETE FROM orders WHERE id = 4", false},
	}
	for _, tc := range tests {
		d := g2.Decide(tc.ctx, approval.Request{SQL: tc.sql})
		if d.Allowed() != tc.allow {
			t.Errorf("%q: allowed=%v, want %v (%v)", tc.sql, d.Allowed(), tc.allow, d.Err)
		}
	}
}
