package cel

import (
	"errors"
	"testing"
)

// FuzzCompile: any text either fails to compile with a *CompileError at a
// position inside the text, or gives a Program whose evaluation returns a
// bool or an *EvalError, never a panic.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`key.role == "reader" && query.command == "SELECT"`,
		`query.tables.exists(t, t.matches("^pg_"))`,
		`cidr("10.0.0.0/8").containsIP(source.ip)`,
		`args[0] == 1 || named_args.x == "y"`,
		`key.labels.exists(k, v, k == v)`,
		`now - key.issued_at < duration("1h")`,
		"key.rol ==\n 1",
		`"é" == kez`,
		`[1, 2, 3].map(x, x * 2).size() == 3`,
	} {
		f.Add(s)
	}
	env := newTestEnv(f, WithConstants(map[string]any{"admins": []string{"dba"}}))
	in := testInput()
	f.Fuzz(func(t *testing.T, rule string) {
		p, err := env.Compile(rule)
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%q): %T %v", rule, err, err)
			}
			lines := 1
			for _, c := range rule {
				if c == '\n' {
					lines++
				}
			}
			if ce.Line < 1 || ce.Line > lines || ce.Column < 1 {
				t.Fatalf("Compile(%q): position %d:%d outside the text", rule, ce.Line, ce.Column)
			}
			return
		}
		if _, err := p.Eval(in); err != nil && !errors.Is(err, ErrEval) {
			t.Fatalf("Eval(%q): %T %v", rule, err, err)
		}
		if _, _, err := p.Partial(in); err != nil && !errors.Is(err, ErrEval) {
			t.Fatalf("Partial(%q): %T %v", rule, err, err)
		}
	})
}
