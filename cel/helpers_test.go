package cel

import (
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// testInput is a full input; tests change what they need.
func testInput() *Input {
	return &Input{
		Query: &sqlnorm.Statement{
			Dialect:     sqlnorm.Postgres,
			Text:        "UPDATE accounts SET balance = $1 WHERE id = $2",
			Fingerprint: "v1:feedface",
			Command:     "UPDATE",
			Object:      "",
			ReadOnly:    false,
			Tables:      []string{"public.accounts"},
			Functions:   []string{"pg_catalog.now"},
			Literals:    []string{"'x'", "42"},
			HasWhere:    true,
			Params:      2,
		},
		Args:      []any{int64(100), "acct-7", []byte("raw"), 2.5, true, nil, testNow},
		NamedArgs: map[string]any{"id": int64(7), "name": "bob"},
		ArgsKnown: true,
		Key: KeyVars{
			Present: true, ID: "k-1", Subject: "alice@example.com", Role: "writer",
			Scopes: []string{"read", "write"}, Labels: map[string]string{"team": "payments"},
			Session: "s-9", IssuedAt: testNow.Add(-2 * time.Hour), ExpiresAt: testNow.Add(6 * time.Hour),
		},
		Source: SourceVars{
			App: "billing", Service: "api", Address: "10.1.2.3:5432", Route: "/pay",
			Labels: map[string]string{"zone": "eu-1"},
		},
		Tx:    TxVars{Active: true, ReadOnly: false},
		Now:   testNow,
		Usage: UsageVars{KeyCalls1m: 3, KeyCalls1h: 1000, FingerprintCalls1m: 70000},
	}
}

func newTestEnv(tb testing.TB, opts ...EnvOption) *Env {
	tb.Helper()
	env, err := NewEnv(opts...)
	if err != nil {
		tb.Fatalf("NewEnv: %v", err)
	}
	return env
}

func mustCompile(tb testing.TB, env *Env, rule string) *Program {
	tb.Helper()
	p, err := env.Compile(rule)
	if err != nil {
		tb.Fatalf("Compile(%q): %v", rule, err)
	}
	return p
}

func mustEval(tb testing.TB, p *Program, in *Input) bool {
	tb.Helper()
	ok, err := p.Eval(in)
	if err != nil {
		tb.Fatalf("Eval(%q): %v", p.Source(), err)
	}
	return ok
}
