package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runApprovalctl runs the CLI in-process.
func runApprovalctl(tb testing.TB, stdin string, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeTemp writes a file in a fresh temporary directory.
func writeTemp(tb testing.TB, name, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

const checkPolicy = `
version: "cli"
dialect: postgres
constants:
  readers: [analyst]
rules:
  - name: no-secrets
    effect: deny
    when: '"secrets" in query.tables'
  - name: readers
    effect: allow
    when: query.read_only && key.role in readers
  - name: tenant-update
    effect: allow
    when: query.command == "UPDATE" && size(args) == 2 && args[1] == key.labels["tenant"]
  - name: deletes
    effect: review
    when: query.command == "DELETE"
  - name: from-office
    effect: allow
    when: query.command == "INSERT" && source.address.startsWith("10.")
`

func decodeCheck(tb testing.TB, stdout string) checkOutput {
	tb.Helper()
	var out checkOutput
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		tb.Fatalf("output is not the check JSON: %v\n%s", err, stdout)
	}
	return out
}

func TestCheck(t *testing.T) {
	policy := writeTemp(t, "policy.yaml", checkPolicy)
	analyst := `{"id":"k1","role":"analyst"}`
	tests := []struct {
		name     string
		args     []string
		code     int
		decision string
		rule     string
	}{
		{"allow", []string{"--key", analyst, "SELECT * FROM orders WHERE id = $1"}, 0, "allow", "readers"},
		{"flags after SQL", []string{"SELECT * FROM orders", "--key", analyst}, 0, "allow", "readers"},
		{"deny beats allow", []string{"--key", analyst, "SELECT * FROM secrets"}, 3, "deny", "no-secrets"},
		{"default deny", []string{"--key", analyst, "INSERT INTO orders VALUES (1)"}, 3, "deny", "default"},
		{"review", []string{"--key", analyst, "DELETE FROM orders WHERE id = 1"}, 4, "review", "deletes"},
		{"no key", []string{"SELECT 1"}, 3, "deny", ""},
		{"key without id gets one", []string{"--key", `{"role":"analyst"}`, "SELECT 1"}, 0, "allow", "readers"},
		{"expired key", []string{"--key", `{"id":"k1","role":"analyst","expires_at":"2001-01-01T00:00:00Z"}`, "SELECT 1"}, 3, "deny", ""},
		{"args as strings and JSON", []string{"--key", `{"id":"k","role":"w","labels":{"tenant":"acme"}}`,
			"--arg-json", "5", "--arg", "acme", "UPDATE orders SET total = $1 WHERE tenant = $2"}, 0, "allow", "tenant-update"},
		{"arg of the wrong tenant", []string{"--key", `{"id":"k","role":"w","labels":{"tenant":"acme"}}`,
			"--arg-json", "5", "--arg", "globex", "UPDATE orders SET total = $1 WHERE tenant = $2"}, 3, "deny", "default"},
		{"source", []string{"--key", analyst, "--source", `{"address":"10.1.2.3"}`, "INSERT INTO orders VALUES (1)"}, 0, "allow", "from-office"},
		{"prepare: arguments unknown", []string{"--key", `{"id":"k","role":"w","labels":{"tenant":"acme"}}`, "--prepare",
			"UPDATE orders SET total = $1 WHERE tenant = $2"}, 0, "allow", ""},
		{"prepare: nothing can allow", []string{"--key", analyst, "--prepare", "TRUNCATE orders"}, 3, "deny", "default"},
		{"prepare: deny rule known", []string{"--key", analyst, "--prepare", "SELECT * FROM secrets WHERE id = $1"}, 3, "deny", "no-secrets"},
		{"lexer rejection", []string{"--key", analyst, "SELECT 1; DROP TABLE orders"}, 3, "deny", ""},
		{"dialect override", []string{"--key", analyst, "--dialect", "mysql", "SELECT * FROM `orders`"}, 0, "allow", "readers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runApprovalctl(t, "", append([]string{"check", "--policy", policy}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			out := decodeCheck(t, stdout)
			if out.Decision != tc.decision || out.Rule != tc.rule {
				t.Errorf("decision %q by %q, want %q by %q (%+v)", out.Decision, out.Rule, tc.decision, tc.rule, out)
			}
			if out.Decision != "allow" && out.Error == "" {
				t.Errorf("refusal without error text: %+v", out)
			}
			if tc.code == 0 && out.Fingerprint == "" {
				t.Errorf("no fingerprint: %+v", out)
			}
		})
	}
}

func TestCheckErrors(t *testing.T) {
	policy := writeTemp(t, "policy.yaml", checkPolicy)
	broken := writeTemp(t, "broken.yaml", "version: x\n")
	for name, args := range map[string][]string{
		"no policy":             {"check", "SELECT 1"},
		"no SQL":                {"check", "--policy", policy},
		"two SQL":               {"check", "--policy", policy, "SELECT 1", "SELECT 2"},
		"broken policy":         {"check", "--policy", broken, "SELECT 1"},
		"missing policy":        {"check", "--policy", policy + ".none", "SELECT 1"},
		"bad key JSON":          {"check", "--policy", policy, "--key", "{", "SELECT 1"},
		"unknown key field":     {"check", "--policy", policy, "--key", `{"rol":"x"}`, "SELECT 1"},
		"bad source":            {"check", "--policy", policy, "--source", `{"addr":"x"}`, "SELECT 1"},
		"bad arg JSON":          {"check", "--policy", policy, "--arg-json", "{x", "SELECT 1"},
		"object arg":            {"check", "--policy", policy, "--arg-json", `{"a":1}`, "SELECT 1"},
		"key and token":         {"check", "--policy", policy, "--key", "{}", "--token", "t", "--keyring", policy, "SELECT 1"},
		"token without keyring": {"check", "--policy", policy, "--token", "t", "SELECT 1"},
		"bad dialect":           {"check", "--policy", policy, "--dialect", "oracle", "SELECT 1"},
		"unknown flag":          {"check", "--policy", policy, "--nope", "SELECT 1"},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runApprovalctl(t, "", args...)
			if code != 1 {
				t.Errorf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if stderr == "" {
				t.Error("no explanation on stderr")
			}
		})
	}
}
