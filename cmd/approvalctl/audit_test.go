package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

func writeTrail(tb testing.TB, decisions ...string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "audit.jsonl")
	sink, err := approval.NewFileSink(path)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := approval.NewAuditTrail(sink, approval.WithOverflow(approval.OverflowBlock))
	if err != nil {
		tb.Fatal(err)
	}
	for i, d := range decisions {
		a.Record(&approval.Record{Time: time.Unix(int64(i), 0), Decision: d, Rule: "r", Text: "SELECT " + d, KeyID: "k1", RowsAffected: -1})
	}
	if err := a.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestAuditVerifyCLI(t *testing.T) {
	path := writeTrail(t, "allow", "deny", "review", "allow")
	if code, out, errs := runCmd(t, "audit", "verify", path); code != 0 || !strings.Contains(out, "4 record(s)") {
		t.Fatalf("intact: %d %s %s", code, out, errs)
	}
	b, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(b), "\n")
	tampered := filepath.Join(t.TempDir(), "t.jsonl")
	tests := []struct {
		name, content, want string
	}{
		{"edited", strings.Replace(string(b), `"decision":"deny"`, `"decision":"allow"`, 1), "line 2: record altered"},
		{"deleted", lines[0] + lines[1] + lines[3], "line 3"},
		{"reordered", lines[0] + lines[2] + lines[1] + lines[3], "line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(tampered, []byte(tc.content), 0o600)
			code, out, _ := runCmd(t, "audit", "verify", tampered)
			if code != auditTampered || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d: %s", code, out)
			}
		})
	}
	if code, _, _ := runCmd(t, "audit", "verify", filepath.Join(t.TempDir(), "none")); code != 1 {
		t.Fatalf("missing file: exit %d", code)
	}
}

func TestAuditTailCLI(t *testing.T) {
	path := writeTrail(t, "allow", "deny", "review")
	code, out, errs := runCmd(t, "audit", "tail", "-n", "2", path)
	if code != 0 || strings.Contains(out, "SELECT allow") || !strings.Contains(out, "SELECT deny") || !strings.Contains(out, "review") {
		t.Fatalf("tail: %d\n%s%s", code, out, errs)
	}
	_, out, _ = runCmd(t, "audit", "tail", "--json", "--file", path)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("tail --json: %q", out)
	}
	if err := approval.VerifyAuditLog(bytes.NewReader([]byte(out))); err != nil {
		t.Fatalf("tail --json output does not verify: %v", err)
	}
}
