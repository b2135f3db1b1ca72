package approval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

const semanticsPolicy = `
version: "t1"
dialect: postgres
constants:
  readers: [analyst, support]
  secret_tables: [secrets, "public.secrets"]
rules:
  - name: no-secrets
    effect: deny
    when: query.tables.exists(t, t in secret_tables)
    description: secrets are never read through the app
  - name: readers-select
    effect: allow
    when: query.read_only && key.role in readers
  - name: writers
    effect: allow
    when: query.command == "INSERT" && key.role == "writer"
  - name: big-delete
    effect: review
    when: query.command == "DELETE"
  - name: arg-check
    effect: deny
    when: query.command == "UPDATE" && args[0] == "forbidden"
  - name: dyn-result
    effect: allow
    when: query.command == "MERGE" && args[0]
`

func TestDecideSemantics(t *testing.T) {
	p := mustPolicy(t, semanticsPolicy)
	tests := []struct {
		name   string
		key    *Key
		stmt   *sqlnorm.Statement
		args   []Arg
		apr    *fakeApprovals
		effect Effect
		rule   string
		errs   []error
	}{
		{name: "allow rule", key: ptr(testKey("analyst")), stmt: stmt("SELECT", true, "orders"),
			effect: Allow, rule: "readers-select"},
		{name: "deny beats allow", key: ptr(testKey("analyst")), stmt: stmt("SELECT", true, "orders", "secrets"),
			effect: Deny, rule: "no-secrets", errs: []error{ErrDenied}},
		{name: "deny beats grant", key: ptr(testKey("dev")), stmt: stmt("SELECT", true, "secrets"),
			apr: &fakeApprovals{grant: "g1"}, effect: Deny, rule: "no-secrets", errs: []error{ErrDenied}},
		{name: "default deny", key: ptr(testKey("analyst")), stmt: stmt("INSERT", false, "orders"),
			effect: Deny, rule: "default", errs: []error{ErrDenied}},
		{name: "grant allows", key: ptr(testKey("dev")), stmt: stmt("INSERT", false, "orders"),
			apr: &fakeApprovals{grant: "g1"}, effect: Allow, rule: "grant:g1"},
		{name: "grant store down denies", key: ptr(testKey("dev")), stmt: stmt("INSERT", false, "orders"),
			apr: &fakeApprovals{grantErr: errors.New("connection refused")}, effect: Deny, rule: "*", errs: []error{ErrDenied, ErrStoreDown}},
		{name: "review with approvals", key: ptr(testKey("dev")), stmt: stmt("DELETE", false, "orders"),
			apr: &fakeApprovals{pendingID: "req-1"}, effect: Review, rule: "big-delete", errs: []error{ErrReviewRequired}},
		{name: "review without approvals denies", key: ptr(testKey("dev")), stmt: stmt("DELETE", false, "orders"),
			effect: Deny, rule: "big-delete", errs: []error{ErrDenied, ErrReviewRequired}},
		{name: "pending store down denies", key: ptr(testKey("dev")), stmt: stmt("DELETE", false, "orders"),
			apr: &fakeApprovals{pendErr: errors.New("disk full")}, effect: Deny, rule: "big-delete", errs: []error{ErrDenied, ErrStoreDown}},
		{name: "allow rule wins over grant lookup", key: ptr(testKey("writer")), stmt: stmt("INSERT", false, "orders"),
			apr: &fakeApprovals{grant: "g1"}, effect: Allow, rule: "writers"},
		{name: "deny rule on args", key: ptr(testKey("writer")), stmt: stmt("UPDATE", false, "orders"),
			args: []Arg{{Ordinal: 1, Value: "forbidden"}}, effect: Deny, rule: "arg-check", errs: []error{ErrDenied}},
		{name: "evaluation error denies naming the rule", key: ptr(testKey("writer")), stmt: stmt("UPDATE", false, "orders"),
			effect: Deny, rule: "arg-check", errs: []error{ErrDenied, ErrEvaluation}},
		{name: "only literal true matches: string", key: ptr(testKey("writer")), stmt: stmt("MERGE", false, "orders"),
			args: []Arg{{Ordinal: 1, Value: "true"}}, effect: Deny, rule: "dyn-result", errs: []error{ErrEvaluation}},
		{name: "only literal true matches: true", key: ptr(testKey("writer")), stmt: stmt("MERGE", false, "orders"),
			args: []Arg{{Ordinal: 1, Value: true}}, effect: Allow, rule: "dyn-result"},
		{name: "no key", stmt: stmt("SELECT", true, "orders"), effect: Deny, rule: "", errs: []error{ErrDenied, ErrNoKey}},
		{name: "wrong dialect statement", key: ptr(testKey("analyst")),
			stmt:   &sqlnorm.Statement{Dialect: sqlnorm.MySQL, Command: "SELECT", ReadOnly: true, Fingerprint: "x"},
			effect: Deny, rule: "", errs: []error{ErrDenied}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.apr != nil {
				opts = append(opts, WithApprovals(tc.apr))
			}
			g := mustGate(t, p, append(opts, WithClock(newTestClock()))...)
			ctx := context.Background()
			if tc.key != nil {
				ctx = WithKey(ctx, *tc.key)
			}
			d := g.Decide(ctx, Request{Statement: tc.stmt, Args: tc.args})
			checkDecision(t, d, tc.effect, tc.rule, tc.errs...)
			if d.PolicyVersion != p.Version() {
				t.Errorf("policy version %q, want %q", d.PolicyVersion, p.Version())
			}
			if tc.effect == Review {
				var de *DeniedError
				errors.As(d.Err, &de)
				if d.RequestID != "req-1" || de.RequestID != "req-1" || !strings.Contains(de.Hint, "req-1") {
					t.Errorf("review: request %q/%q hint %q", d.RequestID, de.RequestID, de.Hint)
				}
				if errors.Is(d.Err, ErrDenied) {
					t.Errorf("a review matches ErrDenied")
				}
			}
			if tc.key != nil && tc.stmt.Dialect == sqlnorm.Postgres && d.KeyID != tc.key.ID {
				t.Errorf("key id %q, want %q", d.KeyID, tc.key.ID)
			}
			if tc.stmt.Dialect == sqlnorm.Postgres && d.Fingerprint != tc.stmt.Fingerprint {
				t.Errorf("fingerprint %q, want %q", d.Fingerprint, tc.stmt.Fingerprint)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecideAnonymous(t *testing.T) {
	const src = `
version: a
dialect: postgres
anonymous: true
rules:
  - name: public-read
    effect: allow
    when: '!key.present && query.tables == ["public_pages"]'
  - name: keyed
    effect: allow
    when: key.present && key.role == "app"
`
	g := mustGate(t, mustPolicy(t, src), WithClock(newTestClock()))
	ctx := context.Background()
	checkDecision(t, g.Decide(ctx, Request{Statement: stmt("SELECT", true, "public_pages")}), Allow, "public-read")
	checkDecision(t, g.Decide(ctx, Request{Statement: stmt("SELECT", true, "users")}), Deny, "default", ErrDenied)
	checkDecision(t, g.Decide(WithKey(ctx, testKey("app")), Request{Statement: stmt("SELECT", true, "users")}), Allow, "keyed")
	// A token that fails is never anonymous.
	d := g.Decide(WithToken(ctx, "garbage"), Request{Statement: stmt("SELECT", true, "public_pages")})
	checkDecision(t, d, Deny, "", ErrDenied)
}

func TestDecideCaps(t *testing.T) {
	const src = `
version: c
dialect: postgres
limits:
  max_sql_bytes: 64
  max_args: 2
  max_arg_length: 8
  max_list_length: 3
rules:
  - name: all
    effect: allow
    when: "true"
`
	g := mustGate(t, mustPolicy(t, src), WithClock(newTestClock()))
	ctx := WithKey(context.Background(), testKey("app"))
	tests := []struct {
		name string
		req  Request
		cap  string
	}{
		{"sql", Request{SQL: "SELECT " + strings.Repeat("1,", 40) + "1"}, "max_sql_bytes"},
		{"args", Request{Statement: stmt("SELECT", true, "t"), Args: []Arg{{Value: int64(1)}, {Value: int64(2)}, {Value: int64(3)}}}, "max_args"},
		{"arg length", Request{Statement: stmt("SELECT", true, "t"), Args: []Arg{{Value: "123456789"}}}, "max_arg_length"},
		{"bytes length", Request{Statement: stmt("SELECT", true, "t"), Args: []Arg{{Value: []byte("123456789")}}}, "max_arg_length"},
		{"tables", Request{Statement: stmt("SELECT", true, "a", "b", "c", "d")}, "max_list_length"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := g.Decide(ctx, tc.req)
			checkDecision(t, d, Deny, "", ErrDenied, ErrInputTooLarge)
			if !strings.Contains(d.Err.Error(), tc.cap) {
				t.Errorf("error %q does not name the cap %s", d.Err, tc.cap)
			}
		})
	}
	checkDecision(t, g.Decide(ctx, Request{Statement: stmt("SELECT", true, "a", "b", "c"), Args: []Arg{{Value: "12345678"}}}), Allow, "all")

	// A statement that passed the caps is measured again under another
	// policy, and its arguments on every call.
	three := stmt("SELECT", true, "a", "b", "c")
	for range 3 {
		checkDecision(t, g.Decide(ctx, Request{Statement: three, Args: []Arg{{Value: "1234"}}}), Allow, "all")
	}
	checkDecision(t, g.Decide(ctx, Request{Statement: three, Args: []Arg{{Value: "123456789"}}}), Deny, "", ErrDenied, ErrInputTooLarge)
	checkDecision(t, g.Decide(ctx, Request{Statement: three, Args: []Arg{{Value: "1"}, {Value: "2"}, {Value: "3"}}}), Deny, "", ErrDenied, ErrInputTooLarge)
	g.SetPolicy(mustPolicy(t, strings.Replace(src, "max_list_length: 3", "max_list_length: 2", 1)))
	d := g.Decide(ctx, Request{Statement: three, Args: []Arg{{Value: "1234"}}})
	checkDecision(t, d, Deny, "", ErrDenied, ErrInputTooLarge)
	if !strings.Contains(d.Err.Error(), "max_list_length") {
		t.Errorf("under the tighter policy: %v, want the max_list_length cap", d.Err)
	}
}

// The same text decided again under a policy whose settings lex it
// differently is lexed again: a backslash ends nothing in a standard
// string, and escapes the quote when standard_conforming_strings is off.
func TestDecideRelexesUnderOtherSettings(t *testing.T) {
	policy := func(scs string) *Policy {
		return mustPolicy(t, "version: s\ndialect: postgres\nsettings:\n  standard_conforming_strings: \""+scs+
			"\"\nrules:\n  - {name: all, effect: allow, when: 'true'}\n")
	}
	g := mustGate(t, policy("on"), WithClock(newTestClock()))
	ctx := WithKey(context.Background(), testKey("app"))
	const q = `SELECT 'a\', 1`
	for range 3 {
		checkDecision(t, g.Decide(ctx, Request{SQL: q}), Allow, "all")
	}
	g.SetPolicy(policy("off"))
	for range 2 {
		checkDecision(t, g.Decide(ctx, Request{SQL: q}), Deny, "", ErrDenied, sqlnorm.ErrRejected)
	}
	g.SetPolicy(policy("on"))
	d := g.Decide(ctx, Request{SQL: q})
	checkDecision(t, d, Allow, "all")
	if d.Statement == nil || len(d.Statement.Literals) != 2 {
		t.Errorf("statement %+v, want the two literals of the standard reading", d.Statement)
	}
}

func TestDecideLexerRejection(t *testing.T) {
	p := mustPolicy(t, "version: x\ndialect: postgres\nrules:\n  - {name: all, effect: allow, when: 'true'}\n")
	g := mustGate(t, p, WithClock(newTestClock()))
	d := g.Decide(WithKey(context.Background(), testKey("app")), Request{SQL: "SELECT 'unterminated"})
	checkDecision(t, d, Deny, "", ErrDenied, sqlnorm.ErrRejected)
	var se *sqlnorm.Error
	if !errors.As(d.Err, &se) {
		t.Errorf("cause is not a *sqlnorm.Error: %v", d.Err)
	}
}

func TestDecideSkipsRulesOfOtherCommands(t *testing.T) {
	// The rule would fail if evaluated (args[9] with no args); for a SELECT
	// it is skipped by the command index and cannot deny.
	const src = `
version: s
dialect: postgres
rules:
  - name: delete-check
    effect: deny
    when: query.command == "DELETE" && args[9] == 1
  - name: reads
    effect: allow
    when: query.read_only
`
	p := mustPolicy(t, src)
	g := mustGate(t, p, WithClock(newTestClock()))
	ctx := WithKey(context.Background(), testKey("app"))
	checkDecision(t, g.Decide(ctx, Request{Statement: stmt("SELECT", true, "t")}), Allow, "reads")
	checkDecision(t, g.Decide(ctx, Request{Statement: stmt("DELETE", false, "t")}), Deny, "delete-check", ErrEvaluation)
	if rs := p.rulesFor("SELECT"); len(rs.deny) != 0 || len(rs.allow) != 1 {
		t.Errorf("SELECT rule set: %d deny, %d allow", len(rs.deny), len(rs.allow))
	}
}

func TestDecideModes(t *testing.T) {
	const base = `
version: m
dialect: postgres
rules:
  - name: no-drop
    effect: deny
    when: query.command == "DROP"
  - name: reads
    effect: allow
    when: query.read_only
`
	ctx := WithKey(context.Background(), testKey("dev"))
	for _, mode := range []string{"dry-run", "learn"} {
		t.Run(mode, func(t *testing.T) {
			apr := &fakeApprovals{}
			aud := &recAuditor{}
			g := mustGate(t, mustPolicy(t, "mode: "+mode+base), WithClock(newTestClock()), WithApprovals(apr), WithAuditor(aud))

			d := g.Decide(ctx, Request{Statement: stmt("INSERT", false, "t")})
			checkDecision(t, d, Allow, "default")
			if !d.DryRun || !strings.HasPrefix(d.Reason, "would deny") {
				t.Errorf("dry-run decision: DryRun %v reason %q", d.DryRun, d.Reason)
			}
			g.Finish(ctx, &d, Result{RowsAffected: 1})

			d = g.Decide(ctx, Request{Statement: stmt("DROP", false, "t")})
			checkDecision(t, d, Allow, "no-drop")
			g.Finish(ctx, &d, Result{RowsAffected: 0})

			d = g.Decide(ctx, Request{Statement: stmt("SELECT", true, "t")})
			checkDecision(t, d, Allow, "reads")
			if d.DryRun {
				t.Errorf("an allowed call is marked dry-run")
			}
			g.Finish(ctx, &d, Result{RowsAffected: 3})

			recs := aud.all()
			want := []string{"dry-run-deny", "dry-run-deny", "allow"}
			if mode == "learn" {
				want[0] = "learn"
			}
			if len(recs) != len(want) {
				t.Fatalf("%d records, want %d: %+v", len(recs), len(want), recs)
			}
			for i, w := range want {
				if recs[i].Decision != w {
					t.Errorf("record %d: decision %q, want %q", i, recs[i].Decision, w)
				}
			}
			if mode == "learn" {
				if len(apr.learned) != 1 || apr.learned[0] != "test:INSERT:t|dev" {
					t.Errorf("learned %v, want the INSERT only", apr.learned)
				}
			} else if len(apr.learned) != 0 {
				t.Errorf("dry-run learned %v", apr.learned)
			}
			// Key failures still deny in these modes.
			checkDecision(t, g.Decide(context.Background(), Request{Statement: stmt("SELECT", true, "t")}), Deny, "", ErrNoKey)
		})
	}
}

func TestDecideRuleDryRun(t *testing.T) {
	const src = `
version: r
dialect: postgres
rules:
  - name: reads
    effect: allow
    when: query.read_only
  - name: try-no-wide-joins
    effect: deny
    mode: dry-run
    when: size(query.tables) > 2
`
	aud := &recAuditor{}
	g := mustGate(t, mustPolicy(t, src), WithClock(newTestClock()), WithAuditor(aud))
	ctx := WithKey(context.Background(), testKey("dev"))
	d := g.Decide(ctx, Request{Statement: stmt("SELECT", true, "a", "b", "c")})
	checkDecision(t, d, Allow, "reads")
	g.Finish(ctx, &d, Result{RowsAffected: 1})
	d = g.Decide(ctx, Request{Statement: stmt("SELECT", true, "a")})
	checkDecision(t, d, Allow, "reads")
	recs := aud.all()
	if len(recs) != 2 || recs[0].Decision != "dry-run-deny" || recs[0].Rule != "try-no-wide-joins" || recs[1].Decision != "allow" {
		t.Fatalf("records: %+v", recs)
	}
}

func TestDecidePrepare(t *testing.T) {
	const src = `
version: p
dialect: postgres
rules:
  - name: no-drop
    effect: deny
    when: query.command == "DROP"
  - name: tenant
    effect: deny
    when: query.command == "UPDATE" && args[0] != key.labels["tenant"]
  - name: reads
    effect: allow
    when: query.read_only
  - name: updates
    effect: allow
    when: query.command == "UPDATE" && args[1] == 1
`
	p := mustPolicy(t, src)
	ctx := WithKey(context.Background(), testKey("dev"))
	tests := []struct {
		name   string
		stmt   *sqlnorm.Statement
		apr    bool
		effect Effect
	}{
		{"deny rule known true", stmt("DROP", false, "t"), false, Deny},
		{"deny rule known true with approvals", stmt("DROP", false, "t"), true, Deny},
		{"deny rule depends on args", stmt("UPDATE", false, "t"), false, Allow},
		{"allow rule known true", stmt("SELECT", true, "t"), false, Allow},
		{"no allow rule can match, no approvals", stmt("INSERT", false, "t"), false, Deny},
		{"no allow rule can match, a grant might", stmt("INSERT", false, "t"), true, Allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []Option{WithClock(newTestClock())}
			if tc.apr {
				opts = append(opts, WithApprovals(&fakeApprovals{}))
			}
			g := mustGate(t, p, opts...)
			d := g.Decide(ctx, Request{Statement: tc.stmt, Phase: Prepare})
			checkDecision(t, d, tc.effect, "*")
			if d.Phase != Prepare {
				t.Errorf("phase %v", d.Phase)
			}
		})
	}
}

func TestDecideAudit(t *testing.T) {
	p := mustPolicy(t, semanticsPolicy)
	aud := &recAuditor{}
	g := mustGate(t, p, WithClock(newTestClock()), WithAuditor(aud))
	ctx := WithSource(WithKey(context.Background(), testKey("analyst")), Source{App: "billing"})
	args := []Arg{{Ordinal: 1, Value: "secret-value"}}

	d := g.Decide(ctx, Request{Statement: stmt("SELECT", true, "secrets"), Args: args})
	checkDecision(t, d, Deny, "no-secrets")
	d2 := g.Decide(ctx, Request{Statement: stmt("SELECT", true, "orders"), Args: args})
	checkDecision(t, d2, Allow, "readers-select")
	if n := len(aud.all()); n != 1 {
		t.Fatalf("%d records before Finish, want 1 (the denial)", n)
	}
	g.Finish(ctx, &d2, Result{RowsAffected: 7})
	g.Finish(ctx, &d, Result{}) // a denial: already audited, ignored
	recs := aud.all()
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	deny, allow := recs[0], recs[1]
	if deny.Decision != "deny" || deny.Rule != "no-secrets" || deny.KeyID != "key-analyst" || deny.Role != "analyst" ||
		deny.Source.App != "billing" || deny.PolicyVersion != p.Version() || deny.Time != t0 {
		t.Errorf("deny record: %+v", deny)
	}
	if allow.Decision != "allow" || allow.RowsAffected != 7 || allow.ErrorClass != "" || allow.Text == "" {
		t.Errorf("allow record: %+v", allow)
	}
	for _, r := range recs {
		for _, a := range r.Args {
			if strings.Contains(a, "secret-value") {
				t.Errorf("argument value in audit record: %v", r.Args)
			}
		}
	}
	g.Finish(ctx, &d2, Result{RowsAffected: -1, Err: context.DeadlineExceeded})
	if r := aud.all()[2]; r.ErrorClass != "timeout" {
		t.Errorf("error class %q", r.ErrorClass)
	}

	// An unhealthy auditor stops every call.
	aud.health = ErrAuditOverflow
	checkDecision(t, g.Decide(ctx, Request{Statement: stmt("SELECT", true, "orders")}), Deny, "", ErrAuditOverflow)
}

func TestNewGateOptions(t *testing.T) {
	p := mustPolicy(t, semanticsPolicy)
	bad := map[string]Option{
		"nil option":     nil,
		"nil clock":      WithClock(nil),
		"nil approvals":  WithApprovals(nil),
		"nil usage":      WithUsage(nil),
		"nil auditor":    WithAuditor(nil),
		"nil verifier":   WithVerifier(nil),
		"nil keyring":    WithKeyring(nil),
		"negative skew":  WithSkew(-1),
		"huge skew":      WithSkew(1 << 62),
		"nil cache":      WithStatementCache(nil),
		"negative cache": WithTokenCacheSize(-1),
		"nil hint":       WithReviewHint(nil),
		"nil learner":    WithLearner(nil),
		"zero cache":     WithStatementCacheSize(0, 1),
	}
	for name, o := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := NewGate(p, o); err == nil {
				t.Errorf("NewGate accepted %s", name)
			}
		})
	}
	if _, err := NewGate(nil); !errors.Is(err, ErrNoPolicy) {
		t.Errorf("NewGate(nil) = %v, want ErrNoPolicy", err)
	}
}

func TestDecideUsageAndTime(t *testing.T) {
	const src = `
version: u
dialect: postgres
rules:
  - name: rate
    effect: deny
    when: usage.key_calls_1m > 3
  - name: hot-query
    effect: deny
    when: usage.fingerprint_calls_1m > 5
  - name: office-hours
    effect: allow
    when: now.getHours("UTC") >= 9 && now.getHours("UTC") < 17 && key.expires_at > now
`
	clock := newTestClock() // 12:00 UTC
	g := mustGate(t, mustPolicy(t, src), WithClock(clock))
	ctx := WithKey(context.Background(), Key{ID: "k", Role: "app", ExpiresAt: t0.Add(24 * time.Hour)})
	req := Request{Statement: stmt("SELECT", true, "t")}

	// Prepare decisions are not counted.
	for range 10 {
		checkDecision(t, g.Decide(ctx, Request{Statement: req.Statement, Phase: Prepare}), Allow, "*")
	}
	for i := 1; i <= 3; i++ {
		checkDecision(t, g.Decide(ctx, req), Allow, "office-hours")
	}
	checkDecision(t, g.Decide(ctx, req), Deny, "rate", ErrDenied)
	// A minute later the window has moved on.
	clock.Advance(61 * time.Second)
	checkDecision(t, g.Decide(ctx, req), Allow, "office-hours")
	// Other keys share the fingerprint's window: 5 calls of it so far
	// in this minute are allowed, the 6th is denied.
	for i := range 4 {
		k := Key{ID: fmt.Sprint("other", i), ExpiresAt: t0.Add(24 * time.Hour)}
		checkDecision(t, g.Decide(WithKey(context.Background(), k), req), Allow, "office-hours")
	}
	checkDecision(t, g.Decide(WithKey(context.Background(), Key{ID: "x", ExpiresAt: t0.Add(24 * time.Hour)}), req),
		Deny, "hot-query", ErrDenied)
	// Out of office hours: the default.
	clock.Advance(8 * time.Hour)
	checkDecision(t, g.Decide(ctx, req), Deny, "default", ErrDenied)
}

// countingUsage counts Observe calls and reports that count as every
// window.
type countingUsage struct{ n atomic.Int64 }

func (u *countingUsage) Observe(string, string, time.Time) cel.UsageVars {
	n := u.n.Add(1)
	return cel.UsageVars{KeyCalls1m: n, KeyCalls1h: n, FingerprintCalls1m: n}
}

// Calls are counted only while something can read the counts: a rule of
// the policy in force (dry-run rules included) or, with Approvals, a grant
// condition.
func TestDecideCountsUsageOnlyWhenRead(t *testing.T) {
	const plain = "version: p\ndialect: postgres\nrules:\n  - {name: reads, effect: allow, when: query.read_only}\n"
	const limited = "version: l\ndialect: postgres\nrules:\n  - {name: rate, effect: deny, when: usage.key_calls_1m > 2}\n  - {name: reads, effect: allow, when: query.read_only}\n"
	const shadow = "version: s\ndialect: postgres\nrules:\n  - {name: rate, effect: deny, mode: dry-run, when: usage.key_calls_1h > 100}\n  - {name: reads, effect: allow, when: query.read_only}\n"
	ctx := WithKey(context.Background(), testKey("app"))
	req := Request{Statement: stmt("SELECT", true, "t")}
	for _, tc := range []struct {
		name   string
		policy string
		opts   []Option
		want   int64
	}{
		{"no rule reads usage", plain, nil, 0},
		{"an enforced rule reads usage", limited, nil, 2},
		{"a dry-run rule reads usage", shadow, nil, 2},
		{"approvals may read usage", plain, []Option{WithApprovals(&fakeApprovals{})}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &countingUsage{}
			g := mustGate(t, mustPolicy(t, tc.policy), append(tc.opts, WithClock(newTestClock()), WithUsage(u))...)
			for range 2 {
				checkDecision(t, g.Decide(ctx, req), Allow, "reads")
			}
			if got := u.n.Load(); got != tc.want {
				t.Errorf("Observe called %d times, want %d", got, tc.want)
			}
		})
	}

	// A reload to a policy that reads usage starts the counting.
	u := &countingUsage{}
	g := mustGate(t, mustPolicy(t, plain), WithClock(newTestClock()), WithUsage(u))
	checkDecision(t, g.Decide(ctx, req), Allow, "reads")
	g.SetPolicy(mustPolicy(t, limited))
	checkDecision(t, g.Decide(ctx, req), Allow, "reads")
	checkDecision(t, g.Decide(ctx, req), Allow, "reads")
	checkDecision(t, g.Decide(ctx, req), Deny, "rate", ErrDenied)
	if got := u.n.Load(); got != 3 {
		t.Errorf("after the reload Observe was called %d times, want 3", got)
	}
}

func TestDecideWithLearner(t *testing.T) {
	l := &fakeApprovals{}
	const src = "version: l\ndialect: postgres\nmode: learn\nrules:\n  - {name: reads, effect: allow, when: query.read_only}\n"
	g := mustGate(t, mustPolicy(t, src), WithClock(newTestClock()), WithLearner(l))
	ctx := WithKey(context.Background(), testKey("etl"))
	checkDecision(t, g.Decide(ctx, Request{Statement: stmt("SELECT", true, "t")}), Allow, "reads")
	d := g.Decide(ctx, Request{Statement: stmt("UPDATE", false, "t")})
	checkDecision(t, d, Allow, "default")
	if !d.DryRun || len(l.learned) != 1 || l.learned[0] != "test:UPDATE:t|etl" {
		t.Errorf("learned %v (dry-run %v)", l.learned, d.DryRun)
	}
}

func TestDecideDetails(t *testing.T) {
	p := mustPolicy(t, semanticsPolicy)
	ctx := WithKey(context.Background(), testKey("writer"))

	// An evaluation error names the rule; CEL's message is in the cause
	// only (it may quote argument values; the reason is audited).
	g := mustGate(t, p, WithClock(newTestClock()))
	d := g.Decide(ctx, Request{Statement: stmt("UPDATE", false, "orders")})
	checkDecision(t, d, Deny, "arg-check", ErrEvaluation)
	var ce *DeniedError
	if !errors.As(d.Err, &ce) || d.Reason != "evaluation failed" || !strings.Contains(ce.Cause.Error(), `rule "arg-check": cel:`) {
		t.Errorf("reason %q, cause %v", d.Reason, ce.Cause)
	}

	// A custom review hint.
	g = mustGate(t, p, WithClock(newTestClock()), WithApprovals(&fakeApprovals{pendingID: "r9"}),
		WithReviewHint(func(id string) string { return "ask #dba to approve " + id }))
	d = g.Decide(ctx, Request{Statement: stmt("DELETE", false, "orders")})
	var de *DeniedError
	if !errors.As(d.Err, &de) || de.Hint != "ask #dba to approve r9" || !strings.Contains(d.Err.Error(), "ask #dba") {
		t.Errorf("hint: %v", d.Err)
	}

	// Skew: a key expired 10 s ago passes with the default 30 s skew, not
	// with none.
	k := testKey("analyst")
	k.ExpiresAt = t0.Add(-10 * time.Second)
	kctx := WithKey(context.Background(), k)
	req := Request{Statement: stmt("SELECT", true, "orders")}
	checkDecision(t, mustGate(t, p, WithClock(newTestClock())).Decide(kctx, req), Allow, "readers-select")
	checkDecision(t, mustGate(t, p, WithClock(newTestClock()), WithSkew(0)).Decide(kctx, req), Deny, "", ErrKeyExpired)

	// Modes print as in the policy file.
	for m, want := range map[Mode]string{Enforce: "enforce", DryRun: "dry-run", Learn: "learn"} {
		if m.String() != want {
			t.Errorf("%d.String() = %q", m, m.String())
		}
	}
}

// logArgsPolicy shows argument values in the records of the lookups and
// no-updates rules only.
const logArgsPolicy = `
version: "t1"
dialect: postgres
rules:
  - name: lookups
    effect: allow
    when: query.command == "SELECT" && "products" in query.tables
    log_args: true
  - name: orders
    effect: allow
    when: query.command == "SELECT"
  - name: no-updates
    effect: deny
    when: query.command == "UPDATE"
    log_args: true
`

func TestDecideAuditLogArgs(t *testing.T) {
	p := mustPolicy(t, logArgsPolicy)
	aud := &recAuditor{}
	g := mustGate(t, p, WithClock(newTestClock()), WithAuditor(aud))
	ctx := WithKey(context.Background(), testKey("analyst"))
	args := []Arg{{Ordinal: 1, Value: "sku-42"}}

	for _, tc := range []struct {
		stmt *sqlnorm.Statement
		rule string
		want string
	}{
		{stmt("SELECT", true, "products"), "lookups", `$1="sku-42"`},
		{stmt("SELECT", true, "orders"), "orders", "$1=<string len=6>"},
		{stmt("UPDATE", false, "orders"), "no-updates", `$1="sku-42"`},
	} {
		d := g.Decide(ctx, Request{Statement: tc.stmt, Args: args})
		if d.Rule != tc.rule {
			t.Fatalf("decided by %q, want %q", d.Rule, tc.rule)
		}
		g.Finish(ctx, &d, Result{RowsAffected: 1})
		recs := aud.all()
		got := recs[len(recs)-1]
		if got.Rule != tc.rule || len(got.Args) != 1 || got.Args[0] != tc.want {
			t.Errorf("rule %s: audit args %q, want [%s]", tc.rule, got.Args, tc.want)
		}
	}

	if _, err := ParsePolicy([]byte("version: x\ndialect: postgres\nrules:\n  - name: a\n    effect: allow\n    when: \"true\"\n    log_args: yes-please\n"), "bad.yaml"); err == nil || !strings.Contains(err.Error(), "log_args must be true or false") {
		t.Errorf("bad log_args: %v", err)
	}
}

func TestDeniedMessageSaysApprovalOnce(t *testing.T) {
	g := mustGate(t, mustPolicy(t, semanticsPolicy), WithClock(newTestClock()))
	d := g.Decide(context.Background(), Request{Statement: stmt("SELECT", true, "orders")})
	if !errors.Is(d.Err, ErrNoKey) {
		t.Fatalf("err = %v, want ErrNoKey", d.Err)
	}
	if msg := d.Err.Error(); strings.Count(msg, "approval:") != 1 {
		t.Errorf("message %q repeats the package prefix", msg)
	}
}

// A clock that reads the zero time (unset, broken) must not make every
// key look valid: the Gate denies instead of judging time against it.
func TestDecideZeroClockDenies(t *testing.T) {
	const src = `
version: a
dialect: postgres
anonymous: true
rules:
  - name: app
    effect: allow
    when: key.present && key.role == "app"
  - name: public
    effect: allow
    when: '!key.present'
`
	g := mustGate(t, mustPolicy(t, src), WithClock(ClockFunc(func() time.Time { return time.Time{} })))
	expired := testKey("app")
	expired.IssuedAt, expired.ExpiresAt = t0.Add(-48*time.Hour), t0.Add(-24*time.Hour)
	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{
		{"expired key", WithKey(context.Background(), expired)},
		{"anonymous", context.Background()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := g.Decide(tc.ctx, Request{Statement: stmt("SELECT", true, "users")})
			checkDecision(t, d, Deny, "", ErrDenied, ErrClock)
		})
	}
}
