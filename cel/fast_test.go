package cel

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// fastAtoms are the leaves of the generated rules: some inside the fast
// path's subset, some outside it, some that fail in CEL for some inputs.
var fastAtoms = []string{
	// inside
	`query.command == "SELECT"`, `"DELETE" == query.command`, `query.command != "UPDATE"`,
	`query.command in ["INSERT", "UPDATE"]`, `query.command in writes`,
	`key.role == "app"`, `key.role in roles`, `key.role == role_app`, `key.id != ""`,
	`key.present`, `!key.present`, `query.read_only`, `query.has_where == true`, `tx.active`, `tx.read_only != false`,
	`query.params > 1`, `query.params <= 2`, `usage.key_calls_1m < 100`, `usage.fingerprint_calls_1m >= 5`,
	`key.expires_at > now`, `now < key.expires_at`, `key.issued_at <= now`, `key.expires_at == key.issued_at`, `now >= key.issued_at`,
	`"secrets" in query.tables`, `"write" in key.scopes`, `key.role in key.scopes`, `"pg_catalog.now" in query.functions`,
	`query.tables.exists(t, t in secret_tables)`, `query.tables.all(t, t.startsWith("public."))`,
	`query.tables.exists(t, t == "orders" || t.endsWith(".orders"))`, `key.scopes.all(s, s != "admin")`,
	`query.functions.exists(f, !(f in ["pg_catalog.now"]))`, `query.literals.exists(l, l.contains("'"))`,
	`query.text.startsWith("SELECT")`, `query.fingerprint.endsWith("ace")`, `source.app.contains("ill")`,
	`source.route == "/pay"`, `query.dialect == "postgres"`, `key.session == ""`, `query.object == "TABLE"`,
	`query.tables == ["orders"]`, `query.tables != ["public.a", "public.b"]`, `["secrets", "public.x"] == query.tables`,
	`query.tables == []`, `key.scopes == ["write", "app"]`, `query.functions == query.tables`, `query.tables == secret_tables`,
	`true`, `false`, `flag_on`,
	// outside, some failing in CEL
	`size(query.tables) == 1`, `args.size() > 0`, `args[0] == 42`, `named_args["id"] == 7`,
	`key.labels["team"] == "payments"`, `source.labels.zone == "eu-1"`, `source.ip == "10.1.2.3"`,
	`query.tables.exists(t, t.matches("^pub"))`, `query.params / 0 == 1`, `query.tables[3] == "x"`,
	`query.text.matches("UPDATE")`, `(key.present ? key.role : "none") == "none"`, `now - duration("1h") < key.issued_at`,
	`query.tables.exists(t, query.tables.exists(u, u == t))`, `query.tables.exists_one(t, t == "orders")`,
}

// fastInputs returns varied inputs: each field from a small set.
func fastInput(r *rand.Rand) *Input {
	in := testInput()
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	q := *in.Query
	in.Query = &q
	q.Command = pick("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE")
	q.Text = pick("SELECT 1", "UPDATE t SET a = $1", "")
	q.Object = pick("", "TABLE")
	q.ReadOnly, q.HasWhere = r.IntN(2) == 0, r.IntN(2) == 0
	q.Params = r.IntN(4)
	tables := [][]string{nil, {"orders"}, {"public.orders"}, {"secrets", "public.x"}, {"public.a", "public.b"}, {"keys"}}
	q.Tables = tables[r.IntN(len(tables))]
	q.Functions = [][]string{nil, {"pg_catalog.now"}, {"pg_catalog.now", "lower"}}[r.IntN(3)]
	q.Literals = [][]string{nil, {"'x'"}, {"42"}}[r.IntN(3)]
	if r.IntN(4) == 0 {
		in.Key = KeyVars{}
	} else {
		in.Key.Role = pick("app", "writer", "admin", "")
		in.Key.ID = pick("k-1", "")
		in.Key.Scopes = [][]string{nil, {"read"}, {"write", "app"}, {"admin"}}[r.IntN(4)]
		in.Key.ExpiresAt = testNow.Add(time.Duration(r.IntN(3)-1) * time.Hour)
		in.Key.IssuedAt = []time.Time{testNow.Add(-time.Hour), testNow, in.Key.ExpiresAt}[r.IntN(3)]
	}
	if r.IntN(5) == 0 {
		in.Now = time.Time{}
	}
	in.Tx = TxVars{Active: r.IntN(2) == 0, ReadOnly: r.IntN(2) == 0}
	in.Usage = UsageVars{KeyCalls1m: int64(r.IntN(200)), FingerprintCalls1m: int64(r.IntN(10))}
	in.ArgsKnown = r.IntN(3) != 0
	if r.IntN(3) == 0 {
		in.Args = nil
	}
	in.Source.App = pick("billing", "", "api")
	return in
}

// fastRule joins up to depth levels of atoms with !, && and ||.
func fastRule(r *rand.Rand, depth int) string {
	if depth == 0 || r.IntN(3) == 0 {
		return fastAtoms[r.IntN(len(fastAtoms))]
	}
	switch r.IntN(5) {
	case 0:
		return "!(" + fastRule(r, depth-1) + ")"
	case 1, 2:
		return "(" + fastRule(r, depth-1) + ") && (" + fastRule(r, depth-1) + ")"
	default:
		return "(" + fastRule(r, depth-1) + ") || (" + fastRule(r, depth-1) + ")"
	}
}

// TestFastPathAgreesWithCEL evaluates generated rules on generated inputs
// with and without the fast path: results, errors and partial results
// must be the same, and the fast path must decide a good share of them.
func TestFastPathAgreesWithCEL(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{
		"writes": []string{"INSERT", "UPDATE", "DELETE"}, "roles": []string{"app", "batch"},
		"role_app": "app", "secret_tables": []string{"secrets", "keys"}, "flag_on": true,
	}))
	r := rand.New(rand.NewPCG(1, 2))
	rules, inputs := 3000, 40
	if testing.Short() {
		rules = 500
	}
	var decided, total int
	for i := 0; i < rules; i++ {
		src := fastRule(r, 3)
		p, err := env.Compile(src)
		if err != nil {
			t.Fatalf("Compile(%s): %v", src, err)
		}
		slow := *p
		slow.fast = nil
		for j := 0; j < inputs; j++ {
			in := fastInput(r)
			total++
			if p.fast != nil && p.fast(in) != unknown {
				decided++
			}
			got, gotErr := p.Eval(in)
			want, wantErr := slow.Eval(in)
			if got != want || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("rule %s\ninput %+v key %+v now %v\nfast path: %v, %v; cel-go: %v, %v", src, *in.Query, in.Key, in.Now, got, gotErr, want, wantErr)
			}
			gm, gk, gErr := p.Partial(in)
			wm, wk, wErr := slow.Partial(in)
			if gm != wm || gk != wk || (gErr == nil) != (wErr == nil) {
				t.Fatalf("rule %s\ninput %+v key %+v now %v\nPartial: fast path %v %v %v; cel-go %v %v %v", src, *in.Query, in.Key, in.Now, gm, gk, gErr, wm, wk, wErr)
			}
		}
	}
	// A fast path that never decides would pass the loop above vacuously.
	if decided < total/4 {
		t.Fatalf("the fast path decided %d of %d evaluations; expected at least a quarter", decided, total)
	}
	t.Logf("fast path decided %d of %d evaluations", decided, total)
}

// TestFastPathCoverage pins which rule shapes are decided without cel-go.
func TestFastPathCoverage(t *testing.T) {
	env := newTestEnv(t, WithConstants(map[string]any{"secret_tables": []string{"secrets"}}))
	in := testInput() // an UPDATE by role writer
	for _, tc := range []struct {
		rule string
		want tri
	}{
		{`query.command == "UPDATE" && key.role == "writer" && key.expires_at > now`, yes},
		{`query.command == "SELECT" && args[0] == 1`, no},
		{`query.command == "UPDATE" && args[0] == 1`, unknown},
		{`query.tables.exists(t, t in secret_tables)`, no},
		{`"public.accounts" in query.tables || key.labels["x"] == "y"`, yes},
		{`!(key.role in ["reader"])`, yes},
		{`query.tables == ["public.accounts"]`, yes},
		{`query.tables != ["public.accounts"] && query.command == "UPDATE"`, no},
		{`size(query.tables) == 1`, unknown},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p := mustCompile(t, env, tc.rule)
			got := unknown
			if p.fast != nil {
				got = p.fast(in)
			}
			if got != tc.want {
				t.Fatalf("fast path = %d, want %d", got, tc.want)
			}
		})
	}
	p := mustCompile(t, env, `key.expires_at > now`)
	noNow := testInput()
	noNow.Now = time.Time{}
	if got := p.fast(noNow); got != unknown {
		t.Fatalf("now unset: fast path = %d, want unknown (CEL fails)", got)
	}
	if _, err := p.Eval(noNow); err == nil || !strings.Contains(err.Error(), "now is not set") {
		t.Fatalf("now unset: Eval error = %v", err)
	}
}

func BenchmarkFastPath(b *testing.B) {
	env := newTestEnv(b, WithConstants(map[string]any{"secret_tables": []string{"secrets", "keys"}}))
	for _, rule := range []string{
		`query.command == "UPDATE" && key.role == "writer" && key.expires_at > now`,
		`query.tables.exists(t, t in secret_tables)`,
		`query.command == "UPDATE" && query.tables == ["public.accounts"] && key.role == "writer"`,
	} {
		p := mustCompile(b, env, rule)
		slow := *p
		slow.fast = nil
		in := testInput()
		for _, c := range []struct {
			name string
			p    *Program
		}{{"fast", p}, {"cel-go", &slow}} {
			b.Run(fmt.Sprintf("%s/%s", c.name, rule), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.p.Eval(in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
