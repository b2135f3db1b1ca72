package cel_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

func Example() {
	env, err := cel.NewEnv(cel.WithConstants(map[string]any{
		"admins": []any{"dba", "oncall"},
	}))
	if err != nil {
		panic(err)
	}
	rule, err := env.Compile(`key.role in admins || (query.read_only && key.role == "reader")`)
	if err != nil {
		panic(err)
	}
	in := &cel.Input{
		Query: &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT", ReadOnly: true,
			Text: "SELECT * FROM accounts WHERE id = $1", Tables: []string{"public.accounts"}, Params: 1},
		Args:      []any{int64(7)},
		ArgsKnown: true,
		Key:       cel.KeyVars{Present: true, ID: "k-1", Role: "reader"},
		Now:       time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC),
	}
	if err := env.Check(in); err != nil { // inputs over a cap are denied
		panic(err)
	}
	ok, err := rule.Eval(in)
	fmt.Println(ok, err)

	in.Key.Role = "writer"
	ok, err = rule.Eval(in)
	fmt.Println(ok, err)
	// Output:
	// true <nil>
	// false <nil>
}

func ExampleEnv_Compile_error() {
	env, _ := cel.NewEnv()
	_, err := env.Compile("query.command == \"DELETE\" &&\n  key.rol == \"admin\"")
	var ce *cel.CompileError
	if errors.As(err, &ce) {
		fmt.Println(ce.Line, ce.Column)
		fmt.Println(ce.Msg)
	}
	_, err = env.Compile(`query.params`)
	fmt.Println(err)
	_, err = env.Compile(`query.text.matches("(")`)
	fmt.Println(err)
	// Output:
	// 2 6
	// undeclared reference to 'key.rol' (did you mean 'key.role'?)
	// 1:1: a rule must be a bool expression, this one is int
	// 1:20: invalid regular expression in matches(): error parsing regexp: missing closing ): `(`
}

func ExampleProgram_Commands() {
	env, _ := cel.NewEnv()
	for _, rule := range []string{
		`query.command == "DELETE" && !query.has_where`,
		`query.command in ["INSERT", "UPDATE"] && key.role != "writer"`,
		`key.role == "auditor"`,
	} {
		p, _ := env.Compile(rule)
		if cmds := p.Commands(); cmds != nil {
			fmt.Printf("%q\n", cmds)
		} else {
			fmt.Println("any command")
		}
	}
	// Output:
	// ["DELETE"]
	// ["INSERT" "UPDATE"]
	// any command
}

func ExampleProgram_Partial() {
	env, _ := cel.NewEnv()
	p, _ := env.Compile(`key.role == "support" && args[0] == "ticket"`)
	in := &cel.Input{
		Query: &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT"},
		Key:   cel.KeyVars{Present: true, Role: "support"},
	}
	// At prepare time the arguments are unknown.
	matched, known, err := p.Partial(in)
	fmt.Println(matched, known, err)

	in.Key.Role = "guest" // false whatever the arguments
	matched, known, err = p.Partial(in)
	fmt.Println(matched, known, err)
	// Output:
	// false false <nil>
	// false true <nil>
}

func ExampleProgram_NeedsRuntimeCost() {
	env, _ := cel.NewEnv()
	for _, rule := range []string{
		`key.role == "reader"`,
		`query.tables.exists(t, t.matches("^pg_catalog\\."))`,
	} {
		p, _ := env.Compile(rule)
		_, max := p.Cost()
		fmt.Println(max <= env.CostBudget(), p.NeedsRuntimeCost())
	}
	// Output:
	// true false
	// false true
}

func ExampleLimits_Check() {
	in := &cel.Input{
		Query: &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "INSERT"},
		Args:  make([]any, 2000),
	}
	err := cel.DefaultLimits().Check(in)
	var le *cel.LimitError
	if errors.As(err, &le) {
		fmt.Println(le.Cap, le.Limit, le.Got)
	}
	fmt.Println(err)
	// Output:
	// max_args 1024 2000
	// cel: args is over the max_args cap: 2000 > 1024
}
