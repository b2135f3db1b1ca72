package cel

import (
	"errors"
	"strings"
	"testing"
)

func TestCostEstimates(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{"admins": []string{"a", "b", "c"}}))
	cases := []struct {
		rule     string
		maxAtMst uint64 // the bound must be at most this
		minAtLst uint64 // and at least this
		tracked  bool
	}{
		{`key.role == "reader" && query.command == "SELECT"`, 10, 1, false},
		{`key.role in admins`, 10, 1, false},
		{`query.text.contains("DROP")`, DefaultCostBudget, uint64(DefaultMaxTextLength) / 100, false},
		{`query.text.matches("^SELECT")`, 1 << 40, DefaultCostBudget + 1, true},
		{`query.tables.exists(t, t.matches("^pg_"))`, 1 << 40, DefaultCostBudget + 1, true},
		{`args.exists(a, a == "x")`, 1 << 40, uint64(DefaultMaxArgs), false},
		{`key.labels.exists(k, key.labels[k] == "x")`, DefaultCostBudget, uint64(DefaultMaxMapSize), false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p := mustCompile(t, env, c.rule)
			lo, hi := p.Cost()
			if lo > hi || hi > c.maxAtMst || hi < c.minAtLst {
				t.Errorf("cost %d..%d, want max in [%d, %d]", lo, hi, c.minAtLst, c.maxAtMst)
			}
			if p.NeedsRuntimeCost() != c.tracked {
				t.Errorf("NeedsRuntimeCost = %v with max %d and budget %d", p.NeedsRuntimeCost(), hi, env.CostBudget())
			}
			if p.NeedsRuntimeCost() != (hi > env.CostBudget()) {
				t.Error("tracking does not follow the budget")
			}
		})
	}
}

// TestCostFollowsLimits: smaller caps give smaller bounds, so a rule can
// move under the budget.
func TestCostFollowsLimits(t *testing.T) {
	rule := `query.text.matches("^SELECT")`
	big := mustCompile(t, newTestEnv(t), rule)
	l := DefaultLimits()
	l.MaxTextLength = 1000
	small := mustCompile(t, newTestEnv(t, WithLimits(l)), rule)
	_, bh := big.Cost()
	_, sh := small.Cost()
	if sh >= bh {
		t.Errorf("bound with a 1000-byte text cap %d, not below %d", sh, bh)
	}
	if !big.NeedsRuntimeCost() || small.NeedsRuntimeCost() {
		t.Errorf("tracking: default caps %v, small caps %v", big.NeedsRuntimeCost(), small.NeedsRuntimeCost())
	}
}

// TestRuntimeCostLimit: a tracked rule that really runs over the budget
// fails with ErrCostLimit; within it, it evaluates normally.
func TestRuntimeCostLimit(t *testing.T) {
	env := newTestEnv(t, WithCostBudget(50))
	p := mustCompile(t, env, `query.tables.exists(t, t == "nope")`)
	if !p.NeedsRuntimeCost() {
		t.Fatal("rule not tracked")
	}
	in := testInput()
	if mustEval(t, p, in) {
		t.Fatal("matched")
	}
	in.Query.Tables = make([]string, 200)
	for i := range in.Query.Tables {
		in.Query.Tables[i] = strings.Repeat("t", 10)
	}
	ok, err := p.Eval(in)
	if ok || !errors.Is(err, ErrCostLimit) || !errors.Is(err, ErrEval) {
		t.Fatalf("Eval = %v, %v; want ErrCostLimit", ok, err)
	}
	var ee *EvalError
	if !errors.As(err, &ee) || !ee.CostLimit {
		t.Errorf("error %#v", err)
	}
	if _, _, err := p.Partial(in); !errors.Is(err, ErrCostLimit) {
		t.Errorf("Partial: %v, want ErrCostLimit", err)
	}
	// The same rule under the default budget is not tracked and completes.
	if ok, err := mustCompile(t, newTestEnv(t), p.Source()).Eval(in); ok || err != nil {
		t.Errorf("untracked Eval = %v, %v", ok, err)
	}
}
