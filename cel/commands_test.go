package cel

import (
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
