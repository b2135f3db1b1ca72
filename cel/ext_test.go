package cel

import (
	"errors"
	"testing"
)

// TestExtensions checks the extension libraries a policy can use.
func TestExtensions(t *testing.T) {
	env := newTestEnv(t)
	cases := []struct {
		group, rule string
		want        bool
	}{
		{"cidr", `cidr("10.0.0.0/8").containsIP(source.ip)`, true},
		{"cidr", `cidr("192.168.0.0/16").containsIP(source.ip)`, false},
		{"cidr", `cidr("10.1.2.0/24").containsIP(ip(source.ip))`, true},
		{"cidr", `["192.168.0.0/16", "10.0.0.0/8"].exists(c, cidr(c).containsIP(source.ip))`, true},
		{"cidr", `isIP(source.ip) && !isIP(source.address)`, true},
		{"cidr", `ip(source.ip).family() == 4 && !ip(source.ip).isLoopback()`, true},
		{"cidr", `cidr("2001:db8::/32").containsIP("2001:db8::1")`, true},
		{"regex", `query.text.matches("^UPDATE accounts ")`, true},
		{"regex", `query.tables.exists(t, t.matches("^pg_catalog\\."))`, false},
		{"regex", `matches(key.subject, "@example\\.com$")`, true},
		{"strings", `key.subject.lowerAscii().split("@")[1] == "example.com"`, true},
		{"strings", `query.text.upperAscii().contains("WHERE")`, true},
		{"strings", `query.tables.join(",") == "public.accounts"`, true},
		{"strings", `"  x ".trim() == "x" && key.role.substring(0, 2) == "wr"`, true},
		{"strings", `query.text.indexOf("SET") == 16`, true},
		{"sets", `sets.contains(["read", "write", "admin"], key.scopes)`, true},
		{"sets", `sets.intersects(key.scopes, ["admin"])`, false},
		{"sets", `sets.equivalent(key.scopes, ["write", "read"])`, true},
		{"lists", `key.scopes.sort() == ["read", "write"] && [1, 2, 2].distinct() == [1, 2]`, true},
		{"lists", `[[1], [2]].flatten().size() == 2 && lists.range(3) == [0, 1, 2]`, true},
		{"lists", `key.scopes.slice(0, 1) == ["read"]`, true},
		{"time", `now.getDayOfWeek() == 6`, true}, // 2026-11-28 is a Saturday
		{"time", `now.getHours("Europe/Paris") == 13`, true},
		{"time", `now - key.issued_at > duration("1h30m")`, true},
		{"time", `key.expires_at < now + duration("5h")`, false},
		{"time", `now < timestamp("2027-01-01T00:00:00Z")`, true},
		{"optional", `key.labels[?"team"].orValue("") == "payments"`, true},
		{"optional", `key.labels[?"missing"].orValue("none") == "none"`, true},
		{"macros", `has(key.labels.team) && !has(key.labels.owner)`, true},
	}
	for _, c := range cases {
		t.Run(c.group+"/"+c.rule, func(t *testing.T) {
			if got := mustEval(t, mustCompile(t, env, c.rule), testInput()); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestExtensionRuntimeErrors: malformed data makes the rule fail (the
// caller denies), never match silently.
func TestExtensionRuntimeErrors(t *testing.T) {
	env := newTestEnv(t)
	in := testInput()
	in.Source.Address = "not-an-ip"
	for _, rule := range []string{
		`cidr("10.0.0.0/8").containsIP(source.ip)`,
		`!cidr("10.0.0.0/8").containsIP(ip(source.ip))`,
		`key.labels.owner == "x"`,
		`args[99] == 1`,
		`now.getHours("Not/AZone") == 1`,
	} {
		t.Run(rule, func(t *testing.T) {
			ok, err := mustCompile(t, env, rule).Eval(in)
			if err == nil || ok {
				t.Fatalf("Eval = %v, %v; want an error", ok, err)
			}
			var ee *EvalError
			if !errors.Is(err, ErrEval) || !errors.As(err, &ee) || ee.CostLimit || errors.Is(err, ErrCostLimit) {
				t.Errorf("error %#v is not a plain *EvalError", err)
			}
		})
	}
}
