package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeysLifecycle(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".json", ".pem"} {
		t.Run(ext, func(t *testing.T) {
			ring := filepath.Join(dir, "ring"+ext)
			pub := filepath.Join(dir, "public"+ext)
			code, stdout, stderr := runApprovalctl(t, "", "keys", "new-signing-key", "--keyring", ring, "--id", "2026-11", "--public", pub)
			if code != 0 {
				t.Fatalf("new-signing-key: exit %d: %s", code, stderr)
			}
			var created struct {
				Kid    string   `json:"kid"`
				Signer string   `json:"signer"`
				Keys   []string `json:"keys"`
			}
			if err := json.Unmarshal([]byte(stdout), &created); err != nil || created.Kid != "2026-11" || created.Signer != "2026-11" {
				t.Fatalf("output %s (%v)", stdout, err)
			}
			if fi, err := os.Stat(ring); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("keyring mode: %v %v", fi.Mode(), err)
			}
			if data, _ := os.ReadFile(pub); strings.Contains(string(data), "PRIVATE") || strings.Contains(string(data), `"private"`) {
				t.Errorf("public keyring holds a private key:\n%s", data)
			}

			// Rotation: a second key becomes the signer; the first stays.
			code, stdout, stderr = runApprovalctl(t, "", "keys", "new-signing-key", "--keyring", ring, "--id", "2026-12")
			if code != 0 || !strings.Contains(stdout, `"signer": "2026-12"`) || !strings.Contains(stdout, `"2026-11"`) {
				t.Fatalf("rotation: exit %d %s %s", code, stdout, stderr)
			}

			code, stdout, stderr = runApprovalctl(t, "", "keys", "issue", "--keyring", ring, "--role", "analyst",
				"--scope", "read", "--label", "tenant=acme", "--session", "s1", "--subject", "alice", "--id", "key-9", "--ttl", "1h")
			if code != 0 {
				t.Fatalf("issue: exit %d: %s", code, stderr)
			}
			tok := strings.TrimSpace(stdout)

			// Inspect with the public keyring (written before the
			// rotation: the token is signed by the new key, unknown to it).
			code, stdout, _ = runApprovalctl(t, "", "keys", "inspect", "--keyring", pub, tok)
			if code != 1 || !strings.Contains(stdout, `"status": "invalid"`) || !strings.Contains(stdout, "unknown key id") {
				t.Errorf("inspect with the old public keyring: exit %d\n%s", code, stdout)
			}
			code, stdout, _ = runApprovalctl(t, "", "keys", "public", "--keyring", ring)
			if code != 0 || strings.Contains(stdout, "private") {
				t.Fatalf("public: exit %d\n%s", code, stdout)
			}
			newPub := filepath.Join(dir, "public2.json")
			if err := os.WriteFile(newPub, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, _ = runApprovalctl(t, tok+"\n", "keys", "inspect", "--keyring", newPub, "-")
			var out inspectOutput
			if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 {
				t.Fatalf("inspect: exit %d %v\n%s", code, err, stdout)
			}
			if !out.Verified || out.Status != "valid" || out.Claims["role"] != "analyst" || out.Claims["jti"] != "key-9" ||
				out.Header["kid"] != "2026-12" || out.Header["alg"] != "EdDSA" {
				t.Errorf("inspect: %+v", out)
			}
			if strings.Contains(stdout, tok) {
				t.Error("inspect printed the token")
			}

			// The token drives check.
			policy := writeTemp(t, "p.yaml", checkPolicy)
			code, stdout, stderr = runApprovalctl(t, "", "check", "--policy", policy, "--token", tok, "--keyring", newPub, "SELECT * FROM orders")
			if code != 0 || decodeCheck(t, stdout).KeyID != "key-9" {
				t.Errorf("check with token: exit %d\n%s%s", code, stdout, stderr)
			}
			code, stdout, _ = runApprovalctl(t, "", "check", "--policy", policy, "--token", tok+"x", "--keyring", newPub, "SELECT * FROM orders")
			if code != 3 || strings.Contains(stdout, tok) {
				t.Errorf("check with a bad token: exit %d\n%s", code, stdout)
			}
		})
	}
}

func TestKeysErrors(t *testing.T) {
	ring := filepath.Join(t.TempDir(), "ring.json")
	if code, _, stderr := runApprovalctl(t, "", "keys", "new-signing-key", "--keyring", ring); code != 0 {
		t.Fatal(stderr)
	}
	for name, args := range map[string][]string{
		"no subcommand":     {"keys"},
		"unknown":           {"keys", "nope"},
		"no keyring":        {"keys", "new-signing-key"},
		"bad format":        {"keys", "new-signing-key", "--keyring", ring + "2", "--format", "der"},
		"issue no keyring":  {"keys", "issue", "--role", "x"},
		"issue zero ttl":    {"keys", "issue", "--keyring", ring, "--ttl", "0s"},
		"issue bad label":   {"keys", "issue", "--keyring", ring, "--label", "novalue"},
		"issue bad nbf":     {"keys", "issue", "--keyring", ring, "--not-before", "tomorrow"},
		"inspect garbage":   {"keys", "inspect", "garbage"},
		"inspect two":       {"keys", "inspect", "a", "b"},
		"public no keyring": {"keys", "public"},
		"missing keyring":   {"keys", "issue", "--keyring", ring + ".missing"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, stdout, stderr := runApprovalctl(t, "", args...); code != 1 {
				t.Errorf("exit %d, want 1\n%s%s", code, stdout, stderr)
			}
		})
	}
	// A token is decoded without a keyring, and reported unverified.
	code, tok, _ := runApprovalctl(t, "", "keys", "issue", "--keyring", ring, "--ttl", "1m")
	if code != 0 {
		t.Fatal("issue failed")
	}
	code, stdout, _ := runApprovalctl(t, "", "keys", "inspect", strings.TrimSpace(tok))
	if code != 0 || !strings.Contains(stdout, `"verified": false`) || !strings.Contains(stdout, `"status": "decoded"`) {
		t.Errorf("inspect without keyring: exit %d\n%s", code, stdout)
	}
}
