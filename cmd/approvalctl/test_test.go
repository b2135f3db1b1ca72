package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestTestCommand(t *testing.T) {
	const dir = "testdata/casetest/"
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
		notOut []string
		stderr []string
	}{
		{name: "all pass", args: []string{dir + "policy.yaml", dir + "cases.yaml"}, code: 0,
			stdout: []string{"ok\t" + dir + "cases.yaml: 13 cases, 0 failed"}, notOut: []string{"ok   analyst reads orders"}},
		{name: "verbose", args: []string{"-v", dir + "policy.yaml", dir + "cases.yaml"}, code: 0,
			stdout: []string{"ok   analyst reads orders (allow by rule readers-select)", "ok   drop is denied (deny by rule no-ddl)"}},
		{name: "failures", args: []string{dir + "policy.yaml", dir + "failing.yaml"}, code: 1,
			stdout: []string{
				"FAIL wrong effect (" + dir + "failing.yaml:2)",
				"expected:  allow",
				"got:       deny by rule no-unbounded-writes",
				`why:       matched deny rule "no-unbounded-writes"`,
				"FAIL wrong rule",
				"FAIL wrong cause",
				"FAIL\t" + dir + "failing.yaml: 3 cases, 3 failed",
			}},
		{name: "several files, one failing", args: []string{dir + "policy.yaml", dir + "cases.yaml", dir + "failing.yaml"}, code: 1,
			stdout: []string{"ok\t" + dir + "cases.yaml", "FAIL\t" + dir + "failing.yaml"}},
		{name: "policy that does not load", args: []string{dir + "bad_policy.yaml", dir + "cases.yaml"}, code: 1,
			stderr: []string{"bad_policy.yaml:6", "key.role"}},
		{name: "missing cases file", args: []string{dir + "policy.yaml", dir + "nope.yaml"}, code: 1,
			stderr: []string{"nope.yaml"}},
		{name: "cases file with errors", args: []string{dir + "policy.yaml", dir + "policy.yaml"}, code: 1,
			stderr: []string{"field version not found"}},
		{name: "usage", args: []string{dir + "policy.yaml"}, code: 1, stderr: []string{"usage: approvalctl test"}},
		{name: "help", args: []string{"-h"}, code: 0, stderr: []string{"usage: approvalctl test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runTest(&env{args: tt.args, stdout: &out, stderr: &errOut})
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out.String(), errOut.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.notOut {
				if strings.Contains(out.String(), w) {
					t.Errorf("stdout has %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
		})
	}
}

// The command is in the table: "approvalctl test" reaches runTest.
func TestTestCommandDispatch(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"test", "testdata/casetest/policy.yaml", "testdata/casetest/cases.yaml"}, strings.NewReader(""), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "13 cases, 0 failed") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	out.Reset()
	run([]string{"help"}, strings.NewReader(""), &out, &errOut)
	if !strings.Contains(out.String(), "test ") {
		t.Errorf("help does not list test:\n%s", out.String())
	}
}
