package cel

import (
	"strings"
	"testing"
)

// TestEvalAllocations guards the allocation-free evaluation (the timing
// side is left to the benchmarks): with a reused Input, evaluating these
// rules allocates nothing once the pools are warm. Partial does not
// allocate either unless the result depends on the unknown arguments.
func TestEvalAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	env := newTestEnv(t, WithConstants(map[string]any{"admins": []string{"dba"}}))
	in := testInput()
	in.Usage.KeyCalls1m = 100000
	for _, rule := range []string{
		`key.role == "writer" && query.command == "UPDATE"`,
		`key.present && key.id == "k-1" && usage.key_calls_1m > 1000 && now > key.issued_at && source.ip == "10.1.2.3"`,
		`!(key.role in admins) && query.dialect == "postgres" && query.text.startsWith("UPDATE")`,
		`"public.accounts" in query.tables && query.tables.size() == 1 && query.tables[0] != ""`,
		`query.tables.exists(t, t.startsWith("public."))`,
		`key.labels.team == "payments" && "zone" in source.labels`,
		`args[0] == 100 && args[1] == "acct-7" && named_args.id == 7`,
	} {
		t.Run(rule, func(t *testing.T) {
			p := mustCompile(t, env, rule)
			if !mustEval(t, p, in) {
				t.Fatal("false, want true")
			}
			if n := testing.AllocsPerRun(100, func() { _, _ = p.Eval(in) }); n != 0 {
				t.Errorf("Eval: %v allocations per run", n)
			}
			if strings.Contains(rule, "args") {
				return // Partial builds unknown values for them
			}
			if n := testing.AllocsPerRun(100, func() { _, _, _ = p.Partial(in) }); n != 0 {
				t.Errorf("Partial: %v allocations per run", n)
			}
		})
	}
}
