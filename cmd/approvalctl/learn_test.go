package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
