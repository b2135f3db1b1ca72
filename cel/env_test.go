package cel

import (
	"errors"
	"strings"
	"testing"
)

func TestConstants(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{
		"admins":     []string{"dba", "writer"},
		"roles_any":  []any{"writer", "reader"},
		"mixed":      []any{"a", int64(1), true},
		"max_calls":  int64(5),
		"max_int":    10,
		"ratio":      0.5,
		"prod":       true,
		"team":       "payments",
		"owners":     map[string]string{"accounts": "payments"},
		"nested":     map[string]any{"tables": []any{"public.accounts"}, "limit": 3},
		"empty_list": []any{},
	}), WithConstants(map[string]any{"second": "ok"}))
	cases := []struct {
		rule string
		want bool
	}{
		{`key.role in admins`, true},
		{`key.role in roles_any`, true},
		{`"a" in mixed && 1 in mixed && true in mixed`, true},
		{`usage.key_calls_1m < max_calls && query.params < max_int`, true},
		{`ratio * 2.0 == 1.0`, true},
		{`prod && key.labels.team == team`, true},
		{`owners["accounts"] == key.labels.team`, true},
		{`query.tables.all(t, t in nested.tables)`, true},
		{`nested.limit == 3`, true},
		{`empty_list.size() == 0`, true},
		{`second == "ok"`, true},
		{`key.role in ["dba"]`, false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := mustEval(t, mustCompile(t, env, c.rule), testInput()); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	if got := strings.Join(env.Constants(), ","); got != "admins,empty_list,max_calls,max_int,mixed,nested,owners,prod,ratio,roles_any,second,team" {
		t.Errorf("Constants() = %s", got)
	}
}

// TestConstantTypes: a homogeneous list is typed, so a misuse is a
// compile error; a mixed list is list(dyn).
func TestConstantTypes(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{"names": []any{"a", "b"}, "mixed": []any{"a", 1}}))
	if _, err := env.Compile(`names[0] + 1 == 2`); err == nil {
		t.Error("string + int on list(string) compiled")
	}
	mustCompile(t, env, `mixed[1] == 1`)
}

func TestNewEnvErrors(t *testing.T) {
	cases := []struct {
		name string
		opts []EnvOption
		want string
	}{
		{"vocabulary root", []EnvOption{WithConstants(map[string]any{"key": "x"})}, "clashes"},
		{"other root", []EnvOption{WithConstants(map[string]any{"usage": 1})}, "clashes"},
		{"extension namespace", []EnvOption{WithConstants(map[string]any{"sets": 1})}, "clashes"},
		{"network function", []EnvOption{WithConstants(map[string]any{"cidr": "10.0.0.0/8"})}, "clashes"},
		{"keyword", []EnvOption{WithConstants(map[string]any{"in": 1})}, "keyword"},
		{"dotted", []EnvOption{WithConstants(map[string]any{"a.b": 1})}, "not an identifier"},
		{"leading digit", []EnvOption{WithConstants(map[string]any{"1a": 1})}, "not an identifier"},
		{"empty name", []EnvOption{WithConstants(map[string]any{"": 1})}, "empty"},
		{"unicode", []EnvOption{WithConstants(map[string]any{"rôle": 1})}, "not an identifier"},
		{"unsupported type", []EnvOption{WithConstants(map[string]any{"x": struct{}{}})}, "unsupported type"},
		{"nil value", []EnvOption{WithConstants(map[string]any{"x": nil})}, "null"},
		{"unsupported element", []EnvOption{WithConstants(map[string]any{"x": []any{"a", []int{1}}})}, "element 1"},
		{"unsupported map value", []EnvOption{WithConstants(map[string]any{"x": map[string]any{"k": uint8(1)}})}, `key "k"`},
		{"duplicate", []EnvOption{WithConstants(map[string]any{"x": 1}), WithConstants(map[string]any{"x": 2})}, "twice"},
		{"zero budget", []EnvOption{WithCostBudget(0)}, "budget"},
		{"zero limit", []EnvOption{WithLimits(Limits{MaxArgs: 1})}, "must be positive"},
		{"nil option", []EnvOption{nil}, "nil EnvOption"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, err := NewEnv(c.opts...)
			if err == nil {
				t.Fatalf("NewEnv succeeded: %v", env)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestDeepConstant(t *testing.T) {
	var v any = "leaf"
	for i := 0; i < 10; i++ {
		v = []any{v}
	}
	if _, err := NewEnv(WithConstants(map[string]any{"deep": v})); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("NewEnv: %v, want a nesting error", err)
	}
}

func TestEnvAccessors(t *testing.T) {
	l := DefaultLimits()
	l.MaxArgs = 3
	env := newTestEnv(t, WithCostBudget(77), WithLimits(l))
	if env.CostBudget() != 77 {
		t.Errorf("CostBudget() = %d", env.CostBudget())
	}
	if env.Limits() != l {
		t.Errorf("Limits() = %+v", env.Limits())
	}
	var le *LimitError
	if err := env.Check(testInput()); !errors.As(err, &le) || le.Cap != CapArgs {
		t.Errorf("Check: %v, want the max_args cap", err)
	}
	if d := newTestEnv(t); d.CostBudget() != DefaultCostBudget || d.Limits() != DefaultLimits() {
		t.Error("defaults not applied")
	}
}
