package cel

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestVariables reads every variable of the vocabulary, each with a rule
// that is true for testInput and one that is false.
func TestVariables(t *testing.T) {
	env := newTestEnv(t)
	cases := []struct{ name, rule string }{
		{"query.text", `query.text == "UPDATE accounts SET balance = $1 WHERE id = $2"`},
		{"query.fingerprint", `query.fingerprint == "v1:feedface"`},
		{"query.command", `query.command == "UPDATE"`},
		{"query.object", `query.object == ""`},
		{"query.read_only", `query.read_only == false`},
		{"query.tables", `query.tables == ["public.accounts"]`},
		{"query.functions", `"pg_catalog.now" in query.functions`},
		{"query.literals", `query.literals.size() == 2 && query.literals[1] == "42"`},
		{"query.has_where", `query.has_where`},
		{"query.params", `query.params == 2`},
		{"query.dialect", `query.dialect == "postgres"`},
		{"args", `args.size() == 7 && args[0] == 100 && args[1] == "acct-7" && args[2] == b"raw" && args[3] == 2.5 && args[4] == true && args[5] == null && args[6] == timestamp("2026-11-28T12:00:00Z")`},
		{"named_args", `named_args.id == 7 && named_args["name"] == "bob" && !("other" in named_args)`},
		{"key.present", `key.present`},
		{"key.id", `key.id == "k-1"`},
		{"key.subject", `key.subject.endsWith("@example.com")`},
		{"key.role", `key.role == "writer"`},
		{"key.scopes", `"write" in key.scopes && key.scopes.size() == 2`},
		{"key.labels", `key.labels.team == "payments"`},
		{"key.session", `key.session == "s-9"`},
		{"key.issued_at", `now - key.issued_at == duration("2h")`},
		{"key.expires_at", `key.expires_at - now < duration("8h") && key.expires_at > now`},
		{"source.app", `source.app == "billing"`},
		{"source.service", `source.service == "api"`},
		{"source.address", `source.address == "10.1.2.3:5432"`},
		{"source.ip", `source.ip == "10.1.2.3"`},
		{"source.route", `source.route == "/pay"`},
		{"source.labels", `source.labels == {"zone": "eu-1"}`},
		{"tx.active", `tx.active`},
		{"tx.read_only", `!tx.read_only`},
		{"now", `now == timestamp("2026-11-28T12:00:00Z") && now.getHours() == 12`},
		{"usage.key_calls_1m", `usage.key_calls_1m == 3`},
		{"usage.key_calls_1h", `usage.key_calls_1h == 1000`},
		{"usage.fingerprint_calls_1m", `usage.fingerprint_calls_1m > 65536`},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen[c.name] = true
			p := mustCompile(t, env, c.rule)
			if !mustEval(t, p, testInput()) {
				t.Errorf("%s: false, want true", c.rule)
			}
			neg := mustCompile(t, env, "!("+c.rule+")")
			if mustEval(t, neg, testInput()) {
				t.Errorf("!(%s): true, want false", c.rule)
			}
		})
	}
	for _, v := range vocabulary() {
		if !seen[v.name] {
			t.Errorf("variable %s has no test case", v.name)
		}
	}
}

// TestZeroValues: an anonymous call with nothing set reads zero values,
// not errors.
func TestZeroValues(t *testing.T) {
	env := newTestEnv(t)
	in := &Input{Query: testInput().Query, ArgsKnown: true}
	for _, rule := range []string{
		`!key.present && key.id == "" && key.role == "" && key.scopes == [] && key.labels == {}`,
		`key.issued_at == timestamp("0001-01-01T00:00:00Z")`,
		`source.address == "" && source.ip == "" && source.labels.size() == 0`,
		`args == [] && named_args == {}`,
		`usage.key_calls_1m == 0 && !tx.active`,
	} {
		t.Run(rule, func(t *testing.T) {
			if !mustEval(t, mustCompile(t, env, rule), in) {
				t.Errorf("false, want true")
			}
		})
	}
}

// TestSourceIP covers the forms of source.address.
func TestSourceIP(t *testing.T) {
	cases := []struct{ addr, ip string }{
		{"10.1.2.3", "10.1.2.3"},
		{"10.1.2.3:5432", "10.1.2.3"},
		{"[2001:db8::1]:5432", "2001:db8::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"::1", "::1"},
		{"", ""},
		{"/var/run/postgresql/.s.PGSQL.5432", "/var/run/postgresql/.s.PGSQL.5432"},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			env := newTestEnv(t, WithConstants(map[string]any{"want": c.ip}))
			in := testInput()
			in.Source.Address = c.addr
			if !mustEval(t, mustCompile(t, env, `source.ip == want`), in) {
				t.Errorf("source.ip of %q is not %q", c.addr, c.ip)
			}
		})
	}
}

// TestLargeScalars exercises the aliasing of values that cannot be boxed
// without allocation: long strings, ints of 256 and more, timestamps with
// a location.
func TestLargeScalars(t *testing.T) {
	env := newTestEnv(t)
	in := testInput()
	in.Key.Role = strings.Repeat("r", 300)
	in.Usage.KeyCalls1m = 1 << 40
	in.Usage.KeyCalls1h = -5
	loc := time.FixedZone("X", 3600)
	in.Now = testNow.In(loc)
	p := mustCompile(t, env, `key.role.size() == 300 && key.role.startsWith("rrr") && usage.key_calls_1m == 1099511627776 && usage.key_calls_1h == -5 && now == timestamp("2026-11-28T12:00:00Z") && now.getHours("+01:00") == 13`)
	for i := 0; i < 3; i++ { // the pooled activation is reused
		if !mustEval(t, p, in) {
			t.Fatal("false, want true")
		}
	}
	in.Key.Role = "other"
	if mustEval(t, p, in) {
		t.Fatal("true after the input changed")
	}
}

func TestArgsUnknownInEval(t *testing.T) {
	env := newTestEnv(t)
	in := testInput()
	in.ArgsKnown = false
	for _, rule := range []string{`args.size() == 0`, `named_args.size() == 0`, `key.role == "x" || args.size() == 0`} {
		t.Run(rule, func(t *testing.T) {
			ok, err := mustCompile(t, env, rule).Eval(in)
			if err == nil || ok {
				t.Fatalf("Eval = %v, %v; want an error", ok, err)
			}
			if !strings.Contains(err.Error(), "ArgsKnown") {
				t.Errorf("error %q does not explain", err)
			}
		})
	}
	// A rule that does not read the arguments is unaffected.
	if !mustEval(t, mustCompile(t, env, `key.role == "writer"`), in) {
		t.Error("rule without args failed")
	}
}

func TestNowUnset(t *testing.T) {
	in := testInput()
	in.Now = time.Time{}
	ok, err := mustCompile(t, newTestEnv(t), `now < key.expires_at`).Eval(in)
	if ok || err == nil || !strings.Contains(err.Error(), "Input.Now") {
		t.Errorf("Eval = %v, %v; want an error naming Input.Now", ok, err)
	}
}

func TestNoStatement(t *testing.T) {
	p := mustCompile(t, newTestEnv(t), `true`)
	if _, err := p.Eval(&Input{}); err != ErrNoStatement {
		t.Errorf("Eval: %v, want ErrNoStatement", err)
	}
	if _, _, err := p.Partial(nil); err != ErrNoStatement {
		t.Errorf("Partial: %v, want ErrNoStatement", err)
	}
	var nilProgram *Program
	if ok, err := nilProgram.Eval(testInput()); ok || !errors.Is(err, ErrEval) {
		t.Errorf("nil Program Eval = %v, %v", ok, err)
	}
	if m, k, err := new(Program).Partial(testInput()); m || k || !errors.Is(err, ErrEval) {
		t.Errorf("zero Program Partial = %v, %v, %v", m, k, err)
	}
}

// TestVocabularyConsistent: every declared name resolves to its own id,
// and the package documentation's table lists every variable.
func TestVocabularyConsistent(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	vs := vocabulary()
	if len(vs) != int(numVars) {
		t.Fatalf("%d variables declared, %d ids", len(vs), numVars)
	}
	for i, v := range vs {
		if int(v.id) != i {
			t.Errorf("%s: id %d at position %d", v.name, v.id, i)
		}
		if id, ok := lookupVar(v.name); !ok || id != v.id {
			t.Errorf("lookupVar(%s) = %d, %v", v.name, id, ok)
		}
		row := "//\t| " + v.name + " "
		if !strings.Contains(string(doc), row) {
			t.Errorf("doc.go table has no row for %s", v.name)
		}
		if root, _, _ := strings.Cut(v.name, "."); !reservedRoots[root] {
			t.Errorf("root %q of %s is not reserved", root, v.name)
		}
	}
	if _, ok := lookupVar("query"); ok {
		t.Error("lookupVar(query) resolved")
	}
}
