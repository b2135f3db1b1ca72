package main

import (
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	good := writeTemp(t, "good.yaml", checkPolicy)
	never := writeTemp(t, "never.yaml", "version: n\ndialect: postgres\nrules:\n  - name: impossible\n    effect: allow\n    when: query.command == \"SELECT\" && query.command == \"DELETE\"\n")
	bad := writeTemp(t, "bad.yaml", "version: b\ndialect: postgres\nrules:\n  - name: typo\n    effect: allow\n    when: key.rol == \"x\"\n  - name: typo\n    effect: alow\n    when: \"true\"\n")

	code, stdout, stderr := runApprovalctl(t, "", "lint", good)
	if code != 0 || !strings.Contains(stdout, good+": ok: 5 rules") {
		t.Errorf("good policy: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, _ = runApprovalctl(t, "", "lint", never)
	if code != 0 || !strings.Contains(stdout, never+":4:5: warning: rule \"impossible\" can never match") {
		t.Errorf("never-matching rule: exit %d\n%s", code, stdout)
	}

	code, stdout, _ = runApprovalctl(t, "", "lint", good, bad)
	want := []string{
		bad + ":7:11: rule name \"typo\" used twice",
		bad + ":8:13: rule \"typo\": effect must be allow, deny or review, not \"alow\"",
	}
	if code != 1 {
		t.Errorf("bad policy: exit %d, want 1\n%s", code, stdout)
	}
	for _, w := range want {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	if !strings.Contains(stdout, good+": ok") {
		t.Errorf("the good file is not reported alongside:\n%s", stdout)
	}

	// A CEL error is reported at its position in the file.
	cel := writeTemp(t, "cel.yaml", "version: c\ndialect: postgres\nrules:\n  - name: typo\n    effect: allow\n    when: key.rol == \"x\"\n")
	code, stdout, _ = runApprovalctl(t, "", "lint", cel)
	if code != 1 || !strings.Contains(stdout, cel+":6:14: rule \"typo\": undeclared reference to 'key.rol' (did you mean 'key.role'?)") {
		t.Errorf("CEL error: exit %d\n%s", code, stdout)
	}

	if code, _, _ := runApprovalctl(t, "", "lint"); code != 1 {
		t.Errorf("lint without files: exit %d", code)
	}
	if code, stdout, _ := runApprovalctl(t, "", "lint", good+".missing"); code != 1 || stdout == "" {
		t.Errorf("missing file: exit %d %q", code, stdout)
	}
}
