package approval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/cel"
)

// indexedPolicy writes a policy of n generated rules of every effect,
// many pinned to a role or an app, some that fail on evaluation.
func indexedPolicy(r *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString("version: ix\ndialect: postgres\ndefault: review\nanonymous: true\nconstants:\n  batch_roles: [batch, etl]\nrules:\n")
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	for i := 0; i < n; i++ {
		var conj []string
		if r.IntN(3) > 0 {
			conj = append(conj, pick(`query.command == "SELECT"`, `query.command in ["INSERT", "UPDATE"]`, `query.command != "DELETE"`))
		}
		switch r.IntN(5) {
		case 0, 1:
			conj = append(conj, fmt.Sprintf("key.role == %q", pick("app", "ops", "batch", "r1", "r2", "r3", "")))
		case 2:
			conj = append(conj, pick(`key.role in batch_roles`, `(key.role == "app" || key.role == "ops")`))
		case 3:
			conj = append(conj, fmt.Sprintf("source.app == %q", pick("billing", "api", "cron")))
		}
		conj = append(conj, pick(`true`, `key.expires_at > now`, `"orders" in query.tables`, `args.size() > 0`,
			`args[1] == 2`, `query.tables.exists(t, t.startsWith("secret"))`, `!query.read_only`))
		effect := pick("allow", "allow", "deny", "review")
		fmt.Fprintf(&b, "  - name: r%d\n    effect: %s\n    when: '%s'\n", i, effect, strings.Join(conj, " && "))
	}
	return b.String()
}

// stripIndex removes the second-level indexes of p, so that every rule of
// a command group is evaluated.
func stripIndex(p *Policy) *Policy {
	c := *p
	c.byCommand = map[string]*ruleSet{}
	strip := func(rs *ruleSet) *ruleSet {
		s := *rs
		s.denyIx, s.allowIx, s.reviewIx = nil, nil, nil
		return &s
	}
	for k, rs := range p.byCommand {
		c.byCommand[k] = strip(rs)
	}
	c.anyCmd = strip(p.anyCmd)
	return &c
}

// TestRuleIndexChangesNoDecision: generated policies decide every
// generated call the same with and without their indexes.
func TestRuleIndexChangesNoDecision(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	now := time.Now()
	indexed := 0
	for round := 0; round < 30; round++ {
		src := indexedPolicy(r, 10+r.IntN(60))
		p := mustPolicy(t, src)
		for _, rs := range append([]*ruleSet{p.anyCmd}, p.byCommand["SELECT"], p.byCommand["INSERT"]) {
			if rs != nil && (rs.denyIx != nil || rs.allowIx != nil || rs.reviewIx != nil) {
				indexed++
			}
		}
		withIx, without := mustGate(t, p), mustGate(t, stripIndex(p))
		for i := 0; i < 300; i++ {
			ctx := context.Background()
			if r.IntN(6) > 0 {
				role := []string{"app", "ops", "batch", "etl", "r2", "other", ""}[r.IntN(7)]
				ctx = WithKey(ctx, Key{ID: "k", Role: role, ExpiresAt: now.Add(time.Duration(r.IntN(3)-1) * time.Hour)})
			}
			if r.IntN(2) == 0 {
				ctx = WithSource(ctx, Source{App: []string{"billing", "api", "cron", "x"}[r.IntN(4)]})
			}
			cmd := []string{"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE"}[r.IntN(5)]
			tables := [][]string{{"orders"}, {"secret_keys"}, {"a", "b"}}[r.IntN(3)]
			req := Request{Statement: stmt(cmd, cmd == "SELECT", tables...), Phase: Phase(r.IntN(2))}
			if req.Phase == Execute && r.IntN(2) == 0 {
				req.Args = []Arg{{Ordinal: 1, Value: int64(1)}, {Ordinal: 2, Value: int64(r.IntN(3))}}
			}
			a, b := withIx.Decide(ctx, req), without.Decide(ctx, req)
			if a.Effect != b.Effect || a.Rule != b.Rule || a.Reason != b.Reason {
				t.Fatalf("policy:\n%s\ncall %s %v: indexed %s %q (%s); unindexed %s %q (%s)", src, cmd, req.Phase,
					a.Effect, a.Rule, a.Reason, b.Effect, b.Rule, b.Reason)
			}
		}
	}
	if indexed == 0 {
		t.Fatal("no generated policy was indexed: the test proves nothing")
	}
}

// TestRuleIndexNarrowsTheBenchmarkPolicy: with 100 rules, a SELECT by
// role app evaluates only the rules that can match it.
func TestRuleIndexNarrowsTheBenchmarkPolicy(t *testing.T) {
	p := benchPolicy(t, 100)
	rs := p.rulesFor("SELECT")
	if rs.allowIx == nil || rs.allowIx.variable != "key.role" {
		t.Fatalf("SELECT allow rules: index %+v, want one on key.role", rs.allowIx)
	}
	in := &cel.Input{Key: cel.KeyVars{Role: "app"}}
	if got := rs.allowIx.pick(rs.allow, in); len(got) != 1 || got[0].Name != "r96" {
		t.Errorf("role app: %d rules picked, want r96 alone", len(got))
	}
	in.Key.Role = "nobody"
	if got := rs.allowIx.pick(rs.allow, in); len(got) != 0 {
		t.Errorf("role nobody: %d rules picked, want none", len(got))
	}
	if len(rs.allow) != 24 {
		t.Errorf("SELECT allow rules: %d, want 24", len(rs.allow))
	}
}
