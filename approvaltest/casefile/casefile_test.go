package casefile

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/approvedsql/approvedsql/approval"
)

func loadPolicy(tb testing.TB) *approval.Policy {
	tb.Helper()
	p, err := approval.LoadPolicy("testdata/policy.yaml")
	require.NoError(tb, err)
	return p
}

func TestRunPassingFile(t *testing.T) {
	f, err := Load("testdata/cases.yaml")
	require.NoError(t, err)
	rep, err := Run(context.Background(), loadPolicy(t), f)
	require.NoError(t, err)
	require.Len(t, rep.Results, len(f.Cases))
	for _, r := range rep.Results {
		t.Run(r.Case.Name, func(t *testing.T) {
			assert.True(t, r.Passed(), "%s", r)
			assert.True(t, strings.HasPrefix(r.String(), "ok   "+r.Case.Name), r.String())
		})
	}
	assert.True(t, rep.OK())
	assert.Equal(t, "13 cases, 0 failed", rep.Summary())
}

func TestRunFailingFile(t *testing.T) {
	f, err := Load("testdata/failing.yaml")
	require.NoError(t, err)
	rep, err := Run(context.Background(), loadPolicy(t), f)
	require.NoError(t, err)
	require.False(t, rep.OK())
	require.Len(t, rep.Failed(), 3)

	tests := []struct {
		name string
		want []string // substrings of the report
	}{
		{"wrong effect", []string{
			"FAIL wrong effect (testdata/failing.yaml:2)",
			"expected:  allow\n",
			"got:       deny by rule no-unbounded-writes",
			"why:",
			"statement: DELETE FROM orders",
			"effect: expected allow, got deny",
		}},
		{"wrong rule", []string{
			"expected:  allow by rule some-other-rule",
			"got:       allow by rule readers-select",
			`rule: expected "some-other-rule", got "readers-select"`,
		}},
		{"wrong cause", []string{
			"expected:  allow, cause no-key",
			"cause: expected no-key, got no error",
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rep.Results[i]
			require.Equal(t, tt.name, r.Case.Name)
			require.False(t, r.Passed())
			s := r.String()
			for _, w := range tt.want {
				assert.Contains(t, s, w)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "empty cases file"},
		{"no cases", "cases: []", "no cases"},
		{"unknown field", "cases:\n  - name: a\n    sql: SELECT 1\n    expect: allow\n    rulez: x\n", "field rulez not found"},
		{"unknown top field", "casez: []\n", "field casez not found"},
		{"missing name", "cases:\n  - sql: SELECT 1\n    expect: allow\n", "name is required"},
		{"missing sql", "cases:\n  - name: a\n    expect: allow\n", "sql is required"},
		{"missing expect", "cases:\n  - name: a\n    sql: SELECT 1\n", "expect is required"},
		{"bad expect", "cases:\n  - name: a\n    sql: SELECT 1\n    expect: permit\n", `not "permit"`},
		{"duplicate", "cases:\n  - {name: a, sql: SELECT 1, expect: allow}\n  - {name: a, sql: SELECT 2, expect: allow}\n", "name already used at line 2"},
		{"bad phase", "cases:\n  - {name: a, sql: SELECT 1, expect: allow, phase: later}\n", "unknown phase"},
		{"bad cause", "cases:\n  - {name: a, sql: SELECT 1, expect: deny, cause: nope}\n", "unknown cause"},
		{"anonymous with key", "cases:\n  - {name: a, sql: SELECT 1, expect: deny, anonymous: true, key: {role: x}}\n", "anonymous and have a key"},
		{"list argument", "cases:\n  - {name: a, sql: SELECT 1, expect: deny, args: [[1, 2]]}\n", "args[0]"},
		{"map named argument", "cases:\n  - {name: a, sql: SELECT 1, expect: deny, named_args: {x: {y: 1}}}\n", "named_args[x]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "c.yaml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "c.yaml"), err.Error())
		})
	}
}

func TestArgumentConversion(t *testing.T) {
	f, err := Parse([]byte("cases:\n  - {name: a, sql: SELECT 1, expect: allow, args: [1, 2.5, x, true, null], named_args: {n: 3}}\n"), "c.yaml")
	require.NoError(t, err)
	assert.Equal(t, []any{int64(1), 2.5, "x", true, nil}, f.Cases[0].Args)
	assert.Equal(t, map[string]any{"n": int64(3)}, f.Cases[0].NamedArgs)
}

func TestArgumentsReachRules(t *testing.T) {
	p, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: postgres
rules:
  - name: small-ids
    effect: allow
    when: query.command == "SELECT" && args[0] < 100 && named_args["tenant"] == "acme"
`), "p.yaml")
	require.NoError(t, err)
	f, err := Parse([]byte(`
defaults: {key: {role: x}}
cases:
  - {name: small, sql: "SELECT * FROM t WHERE id = $1 AND tenant = $2", args: [5], named_args: {tenant: acme}, expect: allow, rule: small-ids}
  - {name: big, sql: "SELECT * FROM t WHERE id = $1 AND tenant = $2", args: [500], named_args: {tenant: acme}, expect: deny, rule: default}
  - {name: other tenant, sql: "SELECT * FROM t WHERE id = $1 AND tenant = $2", args: [5], named_args: {tenant: globex}, expect: deny, rule: default}
`), "c.yaml")
	require.NoError(t, err)
	rep, err := Run(context.Background(), p, f)
	require.NoError(t, err)
	for _, r := range rep.Results {
		assert.True(t, r.Passed(), "%s", r)
	}
}

func TestRunWithoutPolicy(t *testing.T) {
	f, err := Parse([]byte("cases:\n  - {name: a, sql: SELECT 1, expect: allow}\n"), "c.yaml")
	require.NoError(t, err)
	_, err = Run(context.Background(), nil, f)
	assert.ErrorIs(t, err, approval.ErrNoPolicy)
}

func TestSourceTxAndPhaseReachRules(t *testing.T) {
	p, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: postgres
rules:
  - name: outside
    effect: deny
    when: source.ip != "" && !cidr("10.0.0.0/8").containsIP(source.ip)
  - name: ro-tx-only
    effect: deny
    when: query.command == "SELECT" && !(tx.active && tx.read_only) && source.route == "/report"
  - name: reads
    effect: allow
    when: query.read_only && source.app == "web"
  - name: arg-rule
    effect: deny
    when: query.command == "UPDATE" && args[0] == "x"
  - name: writes
    effect: allow
    when: query.command == "UPDATE"
`), "p.yaml")
	require.NoError(t, err)
	f, err := Parse([]byte(`
defaults:
  key: {role: r}
  source: {app: web, address: "10.1.2.3:5555"}
cases:
  - {name: inside, sql: "SELECT 1", expect: allow, rule: reads}
  - {name: outside, sql: "SELECT 1", source: {app: web, address: "192.0.2.1:80"}, expect: deny, rule: outside}
  - {name: report outside tx, sql: "SELECT 1", source: {app: web, address: "10.0.0.1", route: /report}, expect: deny, rule: ro-tx-only}
  - {name: report in ro tx, sql: "SELECT 1", source: {app: web, address: "10.0.0.1", route: /report}, tx: {active: true, read_only: true}, expect: allow, rule: reads}
  - {name: prepare ignores unknown args, sql: "UPDATE t SET a = $1", phase: prepare, expect: allow}
  - {name: execute reads args, sql: "UPDATE t SET a = $1", args: [x], expect: deny, rule: arg-rule}
  - {name: execute without args fails the rule, sql: "UPDATE t SET a = $1", expect: deny, rule: arg-rule, cause: evaluation}
`), "c.yaml")
	require.NoError(t, err)
	rep, err := Run(context.Background(), p, f)
	require.NoError(t, err)
	for _, r := range rep.Results {
		assert.True(t, r.Passed(), "%s", r)
	}
}
