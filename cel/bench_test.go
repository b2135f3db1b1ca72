package cel

import (
	"testing"
	"time"

	celgo "cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// benchInput is a realistic input: a cached statement, a key, a source.
func benchInput() *Input {
	return &Input{
		Query: &sqlnorm.Statement{
			Dialect: sqlnorm.Postgres, Text: "SELECT * FROM accounts WHERE id = $1", Fingerprint: "v1:0123456789abcdef",
			Command: "SELECT", ReadOnly: true, Tables: []string{"public.accounts", "public.users", "audit.log"},
			Params: 1,
		},
		Args: []any{int64(42)}, ArgsKnown: true,
		Key: KeyVars{Present: true, ID: "k-123", Subject: "alice", Role: "reader", Scopes: []string{"read"},
			Labels: map[string]string{"team": "payments"}},
		Source: SourceVars{App: "billing", Address: "10.1.2.3:5432"},
		Now:    time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC),
		Usage:  UsageVars{KeyCalls1m: 1234},
	}
}

func benchProgram(b *testing.B, rule string, opts ...EnvOption) *Program {
	b.Helper()
	env, err := NewEnv(opts...)
	if err != nil {
		b.Fatal(err)
	}
	p, err := env.Compile(rule)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func runEval(b *testing.B, p *Program, in *Input) {
	b.Helper()
	if ok, err := p.Eval(in); err != nil || !ok {
		b.Fatalf("rule %q: %v, %v", p.Source(), ok, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ok, err := p.Eval(in); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

const simpleRule = `key.role == "reader" && query.command == "SELECT"`

func BenchmarkEvalSimple(b *testing.B) {
	runEval(b, benchProgram(b, simpleRule), benchInput())
}

func BenchmarkEvalScalars(b *testing.B) {
	runEval(b, benchProgram(b, `key.present && key.id == "k-123" && usage.key_calls_1m < 5000 && now > timestamp("2026-01-01T00:00:00Z") && query.read_only && source.address.startsWith("10.")`), benchInput())
}

func BenchmarkEvalTables(b *testing.B) {
	runEval(b, benchProgram(b, `"public.accounts" in query.tables`), benchInput())
}

func BenchmarkEvalTablesExists(b *testing.B) {
	runEval(b, benchProgram(b, `query.tables.exists(t, t.startsWith("audit."))`), benchInput())
}

func BenchmarkEvalArgs(b *testing.B) {
	runEval(b, benchProgram(b, `args.size() == 1 && args[0] == 42`), benchInput())
}

// orRule's static bound is 4 and its cost on benchInput is 2 (the
// right-hand side is not evaluated).
const orRule = `key.role == "reader" || query.command == "SELECT"`

func BenchmarkEvalNoRuntimeCost(b *testing.B) {
	p := benchProgram(b, orRule)
	if p.NeedsRuntimeCost() {
		b.Fatal("unexpected runtime cost tracking")
	}
	runEval(b, p, benchInput())
}

// BenchmarkEvalRuntimeCost is orRule under a budget of 3, below its static
// bound, so that it runs with runtime cost tracking.
func BenchmarkEvalRuntimeCost(b *testing.B) {
	p := benchProgram(b, orRule, WithCostBudget(3))
	if !p.NeedsRuntimeCost() {
		b.Fatal("expected runtime cost tracking")
	}
	runEval(b, p, benchInput())
}

func BenchmarkPartialSimple(b *testing.B) {
	p := benchProgram(b, simpleRule)
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		if m, k, err := p.Partial(in); !m || !k || err != nil {
			b.Fatal(m, k, err)
		}
	}
}

func BenchmarkEvalParallel(b *testing.B) {
	p := benchProgram(b, simpleRule)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		in := benchInput()
		for pb.Next() {
			if ok, err := p.Eval(in); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}

// The comparisons: the same rule through cel-go's map activation, once
// with a map built per call and once with a map(string, dyn) variable per
// namespace, reused.
func BenchmarkMapActivationPerCall(b *testing.B) {
	env, err := celgo.NewEnv(celgo.Variable("key.role", celgo.StringType), celgo.Variable("query.command", celgo.StringType))
	if err != nil {
		b.Fatal(err)
	}
	ast, iss := env.Compile(simpleRule)
	if iss.Err() != nil {
		b.Fatal(iss.Err())
	}
	prg, err := env.Program(ast, celgo.EvalOptions(celgo.OptOptimize))
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		vars := map[string]any{"key.role": in.Key.Role, "query.command": in.Query.Command}
		out, _, err := prg.Eval(vars)
		if err != nil || out != types.True {
			b.Fatal(out, err)
		}
	}
}

func BenchmarkMapActivationDynReused(b *testing.B) {
	env, err := celgo.NewEnv(celgo.Variable("key", celgo.MapType(celgo.StringType, celgo.DynType)),
		celgo.Variable("query", celgo.MapType(celgo.StringType, celgo.DynType)))
	if err != nil {
		b.Fatal(err)
	}
	ast, iss := env.Compile(simpleRule)
	if iss.Err() != nil {
		b.Fatal(iss.Err())
	}
	prg, err := env.Program(ast, celgo.EvalOptions(celgo.OptOptimize))
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput()
	vars := map[string]any{
		"key":   map[string]any{"role": in.Key.Role},
		"query": map[string]any{"command": in.Query.Command},
	}
	act, err := celgo.NewActivation(vars)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		out, _, err := prg.Eval(act)
		if err != nil || out != types.True {
			b.Fatal(out, err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	env, err := NewEnv()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.Compile(simpleRule); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLimitsCheck(b *testing.B) {
	l := DefaultLimits()
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Check(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalLabels(b *testing.B) {
	runEval(b, benchProgram(b, `key.labels.team == "payments"`), benchInput())
}

func BenchmarkEvalNamedArgs(b *testing.B) {
	in := benchInput()
	in.NamedArgs = map[string]any{"id": int64(4200), "name": "alice"}
	runEval(b, benchProgram(b, `named_args.id == 4200 && named_args.name == "alice"`), in)
}
