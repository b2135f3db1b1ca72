package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestQuickstart runs the program and checks each step of its story in the
// output: run itself returns an error when a step does not behave as told.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^   order 2  grace   4500$`),
		regexp.MustCompile(`denied: approval: denied by no-unbounded-writes`),
		regexp.MustCompile(`orders still in the table: 3 \(the DELETE never reached SQLite\)`),
		regexp.MustCompile(`needs review by rule refunds-need-review: pending request r-[0-9a-f]+`),
		regexp.MustCompile(`grant g-[0-9a-f]+: scope key:sam, until \d\d:\d\d:\d\d, when args\[0\] == 2`),
		regexp.MustCompile(`allowed by grant g-[0-9a-f]+: 1 row updated`),
		regexp.MustCompile(`with id 3 the grant's condition does not hold: review again`),
		regexp.MustCompile(`refused: .*provisioning key expired`),
		regexp.MustCompile(`Audit trail \(audit.jsonl\): 9 records, hash chain verified`),
	} {
		if !want.MatchString(s) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// One audit line per decision, in order.
	var decisions []string
	for _, line := range strings.Split(s, "\n") {
		if f := strings.Fields(line); len(f) > 2 && regexp.MustCompile(`^\d\d:\d\d:\d\d$`).MatchString(f[0]) {
			decisions = append(decisions, f[1]+" "+f[2])
		}
	}
	want := []string{
		"allow migrations", "allow migrations", "allow readers", "deny no-unbounded-writes",
		"allow readers", "review refunds-need-review", "allow grant:", "review refunds-need-review", "deny (provisioning",
	}
	if len(decisions) != len(want) {
		t.Fatalf("audit lines = %q, want %d lines", decisions, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(decisions[i], want[i]) {
			t.Errorf("audit line %d = %q, want prefix %q", i+1, decisions[i], want[i])
		}
	}
}
