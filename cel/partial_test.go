package cel

import (
	"errors"
	"testing"
)

func TestPartial(t *testing.T) {
	env := newTestEnv(t)
	cases := []struct {
		rule           string
		matched, known bool
	}{
		{`key.role == "writer"`, true, true},
		{`key.role == "reader"`, false, true},
		{`args[0] == 100`, false, false},
		{`named_args.id == 7`, false, false},
		{`args.size() > 0`, false, false},
		{`key.role == "writer" && args[0] == 100`, false, false},
		{`key.role == "reader" && args[0] == 100`, false, true}, // false whatever the args
		{`key.role == "writer" || args[0] == 100`, true, true},  // true whatever the args
		{`key.role == "reader" || named_args.id == 7`, false, false},
		{`query.command == "UPDATE" && !query.has_where`, false, true},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			p := mustCompile(t, env, c.rule)
			for _, argsKnown := range []bool{false, true} { // Partial ignores ArgsKnown
				in := testInput()
				in.ArgsKnown = argsKnown
				m, k, err := p.Partial(in)
				if err != nil {
					t.Fatalf("Partial: %v", err)
				}
				if m != c.matched || k != c.known {
					t.Errorf("ArgsKnown=%v: Partial = (%v, %v), want (%v, %v)", argsKnown, m, k, c.matched, c.known)
				}
			}
			// Eval with the args known agrees wherever Partial was sure.
			if c.known {
				if got := mustEval(t, p, testInput()); got != c.matched {
					t.Errorf("Eval = %v, Partial said %v", got, c.matched)
				}
			}
		})
	}
}

func TestPartialError(t *testing.T) {
	env := newTestEnv(t)
	m, k, err := mustCompile(t, env, `key.labels.missing == "x"`).Partial(testInput())
	if m || k || !errors.Is(err, ErrEval) {
		t.Errorf("Partial = %v, %v, %v; want an evaluation error", m, k, err)
	}
}
