package cel

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestCommands(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{
		"writes": []any{"INSERT", "UPDATE", "DELETE"},
		"ddl":    "CREATE",
		"mixed":  []any{"INSERT", 1},
	}))
	cases := []struct {
		rule string
		want []string // nil: any command
	}{
		{`query.command == "SELECT" && key.role == "reader"`, []string{"SELECT"}},
		{`"SELECT" == query.command`, []string{"SELECT"}},
		{`query.command in ["INSERT", "UPDATE"]`, []string{"INSERT", "UPDATE"}},
		{`query.command in writes && !query.has_where`, []string{"DELETE", "INSERT", "UPDATE"}},
		{`query.command == ddl`, []string{"CREATE"}},
		{`key.role == "x" && (query.command == "INSERT" || query.command == "UPDATE")`, []string{"INSERT", "UPDATE"}},
		{`query.command in ["INSERT", "UPDATE"] && query.command == "UPDATE"`, []string{"UPDATE"}},
		{`query.command == "INSERT" && query.command == "UPDATE"`, []string{}}, // never true
		{`key.role == "reader"`, nil},
		{`query.command != "SELECT"`, nil},
		{`!(query.command == "SELECT")`, nil},
		{`query.command == "SELECT" || key.role == "admin"`, nil},
		{`query.command.startsWith("SEL")`, nil},
		{`query.command in mixed`, nil},
		{`query.command in key.scopes`, nil},
		{`key.role == "x" ? query.command == "SELECT" : true`, nil},
		{`["x"].exists(c, c == query.command)`, nil},
		{`[{"command": "SELECT"}].exists(query, query.command == "SELECT")`, nil}, // a local named query
		{`query.command == key.role`, nil},
		{`query.text == "SELECT"`, nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got := mustCompile(t, env, c.rule).Commands()
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Commands() = %#v, want %#v", got, c.want)
			}
		})
	}
}

// TestCommandsSound: for every rule with a narrowed set, evaluating it
// with a command outside the set is never true.
func TestCommandsSound(t *testing.T) {
	env := newTestEnv(t)
	rules := []string{
		`query.command == "SELECT" && key.role == "writer"`,
		`query.command in ["INSERT", "UPDATE"]`,
		`key.role == "writer" && (query.command == "UPDATE" || query.command == "DELETE")`,
	}
	for _, r := range rules {
		p := mustCompile(t, env, r)
		allowed := map[string]bool{}
		for _, c := range p.Commands() {
			allowed[c] = true
		}
		for _, cmd := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "CREATE"} {
			in := testInput()
			q := *in.Query
			q.Command = cmd
			in.Query = &q
			if mustEval(t, p, in) && !allowed[cmd] {
				t.Errorf("%s is true for %s, outside Commands() %v", r, cmd, p.Commands())
			}
		}
	}
}

func TestCommandsIsACopy(t *testing.T) {
	p := mustCompile(t, newTestEnv(t), `query.command == "SELECT"`)
	p.Commands()[0] = "DROP"
	if got := p.Commands(); got[0] != "SELECT" {
		t.Errorf("Commands() changed to %v", got)
	}
}

func TestProgramVariables(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{"admins": []string{"dba"}}))
	cases := []struct {
		rule string
		want []string
	}{
		{`true`, []string{}},
		{`key.role in admins`, []string{"key.role"}},
		{`query.command == "SELECT" && usage.key_calls_1m < 10 && key.role == "r" && key.role != "x"`, []string{"key.role", "query.command", "usage.key_calls_1m"}},
		{`query.tables.exists(t, t.startsWith(key.labels.team))`, []string{"key.labels", "query.tables"}},
		{`[{"role": "x"}].exists(key, key.role == "x")`, []string{}},
		{`args[0] == 1 || named_args.id == 2`, []string{"args", "named_args"}},
		{`.now > timestamp("2020-01-01T00:00:00Z")`, []string{"now"}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got := mustCompile(t, env, c.rule).Variables()
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Variables() = %q, want %q", got, c.want)
			}
		})
	}
}

func TestValues(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{"roles": []string{"app", "batch"}}))
	cases := []struct {
		rule, variable string
		want           []string
	}{
		{`query.command == "SELECT" && key.role == "reader"`, "key.role", []string{"reader"}},
		{`query.command == "SELECT" && key.role == "reader"`, "query.command", []string{"SELECT"}},
		{`key.role in roles || key.role == "ops"`, "key.role", []string{"app", "batch", "ops"}},
		{`source.app == "billing" && key.role != "x"`, "source.app", []string{"billing"}},
		{`source.app == "billing" && key.role != "x"`, "key.role", nil},
		{`key.role == "a" || source.app == "b"`, "key.role", nil},
		{`query.fingerprint == "v1:ab"`, "query.fingerprint", []string{"v1:ab"}},
		{`query.text == "SELECT 1"`, "query.text", nil}, // not an index variable
	}
	for _, c := range cases {
		t.Run(c.variable+": "+c.rule, func(t *testing.T) {
			got := mustCompile(t, env, c.rule).Values(c.variable)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Values(%q) = %#v, want %#v", c.variable, got, c.want)
			}
		})
	}
	if StringReader("key.role")(testInput()) != "writer" || StringReader("args") != nil || StringReader("nope") != nil {
		t.Error("StringReader: wrong reader")
	}
}

// TestValuesSound: on generated rules and inputs, a rule is never
// evaluated to anything but false, without error, when an index
// variable's value is outside the rule's narrowed set (the engine skips
// it then).
func TestValuesSound(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{
		"writes": []string{"INSERT", "UPDATE", "DELETE"}, "roles": []string{"app", "batch"},
		"role_app": "app", "secret_tables": []string{"secrets", "keys"}, "flag_on": true,
	}))
	r := rand.New(rand.NewPCG(3, 4))
	var skipped int
	for i := 0; i < 2000; i++ {
		src := fastRule(r, 3)
		p := mustCompile(t, env, src)
		slow := *p // cel-go alone
		slow.fast = nil
		for j := 0; j < 20; j++ {
			in := fastInput(r)
			for _, name := range indexVariables {
				vs := p.Values(name)
				if vs == nil || contains(vs, StringReader(name)(in)) {
					continue
				}
				skipped++
				if ok, err := slow.Eval(in); ok || err != nil {
					t.Fatalf("rule %s: %s=%q is outside %v, yet Eval = %v, %v", src, name, StringReader(name)(in), vs, ok, err)
				}
			}
		}
	}
	if skipped == 0 {
		t.Fatal("no generated case was outside a narrowed set: the test proves nothing")
	}
	t.Logf("%d evaluations outside a narrowed set", skipped)
}
