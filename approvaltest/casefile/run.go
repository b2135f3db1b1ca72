package casefile

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/cel"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Causes names the errors a case's `cause` may require the decision's
// error to match (errors.Is).
var Causes = map[string]error{
	"no-key":            approval.ErrNoKey,
	"key-expired":       approval.ErrKeyExpired,
	"key-not-yet-valid": approval.ErrKeyNotYetValid,
	"key-revoked":       approval.ErrKeyRevoked,
	"input-too-large":   approval.ErrInputTooLarge,
	"evaluation":        approval.ErrEvaluation,
	"store-down":        approval.ErrStoreDown,
	"no-policy":         approval.ErrNoPolicy,
	"rejected":          sqlnorm.ErrRejected,
}

// Result is the outcome of one case.
type Result struct {
	Case     *Case
	File     string            // the cases file's name
	Decision approval.Decision // what the Gate decided
	// Problems lists each way the decision differs from the case's
	// expectation; empty when the case passed.
	Problems []string
}

// Passed reports whether the decision met every expectation.
func (r *Result) Passed() bool { return len(r.Problems) == 0 }

// Got describes the decision: "deny by rule no-ddl".
func (r *Result) Got() string { return describe(r.Decision.Effect, r.Decision.Rule) }

// Expected describes the expectation: "deny by rule no-ddl", "allow".
func (r *Result) Expected() string {
	e, _ := parseEffect(r.Case.Expect)
	return describe(e, r.Case.Rule)
}

func describe(e approval.Effect, rule string) string {
	if rule == "" {
		return e.String()
	}
	return e.String() + " by rule " + rule
}

// String is a one-line summary for passing cases and a multi-line report
// (expected, got, reason, error, canonical statement) for failing ones.
func (r *Result) String() string {
	var b strings.Builder
	if r.Passed() {
		fmt.Fprintf(&b, "ok   %s (%s)", r.Case.Name, r.Got())
		return b.String()
	}
	fmt.Fprintf(&b, "FAIL %s (%s:%d)\n", r.Case.Name, r.File, r.Case.Line)
	fmt.Fprintf(&b, "    expected:  %s", r.Expected())
	if r.Case.Cause != "" {
		fmt.Fprintf(&b, ", cause %s", r.Case.Cause)
	}
	fmt.Fprintf(&b, "\n    got:       %s\n", r.Got())
	if r.Decision.Reason != "" {
		fmt.Fprintf(&b, "    why:       %s\n", r.Decision.Reason)
	}
	if r.Decision.Err != nil {
		fmt.Fprintf(&b, "    error:     %v\n", r.Decision.Err)
	}
	if s := r.Decision.Statement; s != nil {
		fmt.Fprintf(&b, "    statement: %s\n", s.Text)
	} else {
		fmt.Fprintf(&b, "    statement: %s\n", r.Case.SQL)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "    - %s\n", p)
	}
	return strings.TrimRight(b.String(), "\n")
}

// Report is the outcome of a cases file.
type Report struct {
	Results []*Result
}

// Failed returns the results of the cases that did not pass.
func (rep *Report) Failed() []*Result {
	var out []*Result
	for _, r := range rep.Results {
		if !r.Passed() {
			out = append(out, r)
		}
	}
	return out
}

// OK reports whether every case passed.
func (rep *Report) OK() bool { return len(rep.Failed()) == 0 }

// Summary is "N cases, M failed".
func (rep *Report) Summary() string {
	return fmt.Sprintf("%d cases, %d failed", len(rep.Results), len(rep.Failed()))
}

// Run decides every case of f with policy and compares each decision
// with its expectation. gateOpts are added to the Gate's options (after the
// runner's own clock, usage and approvals, which they may override: a
// WithKeyring, say).
func Run(ctx context.Context, policy *approval.Policy, f *File, gateOpts ...approval.Option) (*Report, error) {
	if policy == nil {
		return nil, approval.ErrNoPolicy
	}
	rep := &Report{}
	for _, c := range f.Cases {
		r, err := RunCase(ctx, policy, f, c, gateOpts...)
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, r)
	}
	return rep, nil
}

// RunCase decides one case of f (see Run).
func RunCase(ctx context.Context, policy *approval.Policy, f *File, c *Case, gateOpts ...approval.Option) (*Result, error) {
	now := DefaultTime
	if f.Defaults.Time != nil {
		now = *f.Defaults.Time
	}
	if c.Time != nil {
		now = *c.Time
	}
	apr := &standIn{}
	opts := []approval.Option{
		approval.WithClock(approval.ClockFunc(func() time.Time { return now })),
		approval.WithUsage(fixedUsage(c.Usage)),
		approval.WithApprovals(apr),
		approval.WithReviewHint(func(id string) string { return "policy test: nothing is approved" }),
	}
	opts = append(opts, gateOpts...)
	g, err := approval.NewGate(policy, opts...)
	if err != nil {
		return nil, fmt.Errorf("case %q: %w", c.Name, err)
	}

	key := c.Key
	if key == nil && !c.Anonymous {
		key = f.Defaults.Key
	}
	if key != nil {
		ctx = approval.WithKey(ctx, key.toKey(now))
		if key.Revoked {
			apr.revoked = key.toKey(now).ID
		}
	}
	src := c.Source
	if src == nil {
		src = f.Defaults.Source
	}
	if src != nil {
		ctx = approval.WithSource(ctx, approval.Source{App: src.App, Service: src.Service,
			Address: src.Address, Route: src.Route, Labels: src.Labels})
	}

	req := approval.Request{SQL: c.SQL, Tx: approval.TxState{Active: c.Tx.Active, ReadOnly: c.Tx.ReadOnly}}
	if c.Phase == "prepare" {
		req.Phase = approval.Prepare
	}
	for i, a := range c.Args {
		req.Args = append(req.Args, approval.Arg{Ordinal: i + 1, Value: a})
	}
	names := make([]string, 0, len(c.NamedArgs))
	for n := range c.NamedArgs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		req.Args = append(req.Args, approval.Arg{Name: n, Ordinal: len(req.Args) + 1, Value: c.NamedArgs[n]})
	}

	d := g.Decide(ctx, req)
	if d.Allowed() {
		g.Finish(ctx, &d, approval.Result{RowsAffected: -1})
	}
	return judge(f.Name, c, d), nil
}

// judge compares a decision with a case's expectation.
func judge(file string, c *Case, d approval.Decision) *Result {
	r := &Result{Case: c, File: file, Decision: d}
	want, _ := parseEffect(c.Expect)
	if d.Effect != want {
		r.Problems = append(r.Problems, fmt.Sprintf("effect: expected %s, got %s", want, d.Effect))
	}
	if c.Rule != "" && d.Rule != c.Rule {
		r.Problems = append(r.Problems, fmt.Sprintf("rule: expected %q, got %q", c.Rule, d.Rule))
	}
	if c.Cause != "" && !errors.Is(d.Err, Causes[c.Cause]) {
		got := "no error"
		if d.Err != nil {
			got = d.Err.Error()
		}
		r.Problems = append(r.Problems, fmt.Sprintf("cause: expected %s, got %s", c.Cause, got))
	}
	return r
}

func (k *Key) toKey(now time.Time) approval.Key {
	out := approval.Key{
		ID: k.ID, Subject: k.Subject, Role: k.Role, Scopes: k.Scopes, Labels: k.Labels, Session: k.Session,
		IssuedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour),
	}
	if out.ID == "" {
		out.ID = "case-" + k.Role
	}
	if k.IssuedAt != nil {
		out.IssuedAt = *k.IssuedAt
	}
	if k.NotBefore != nil {
		out.NotBefore = *k.NotBefore
	}
	if k.ExpiresAt != nil {
		out.ExpiresAt = *k.ExpiresAt
	}
	return out
}

// standIn is the runner's Approvals: no grant, every review request
// accepted (so that a review rule yields Review), one revoked key id at most.
type standIn struct{ revoked string }

func (s *standIn) Grant(context.Context, *approval.Call) (string, error) { return "", nil }

func (s *standIn) Pending(_ context.Context, c *approval.Call) (string, error) {
	return "case-request", nil
}

func (s *standIn) KeyRevoked(id string) (bool, error) {
	return s.revoked != "" && id == s.revoked, nil
}

// fixedUsage answers usage.* with a case's counts.
func fixedUsage(u *Usage) approval.Usage {
	v := cel.UsageVars{KeyCalls1m: 1, KeyCalls1h: 1, FingerprintCalls1m: 1}
	if u != nil {
		if u.KeyCalls1m != nil {
			v.KeyCalls1m = *u.KeyCalls1m
		}
		if u.KeyCalls1h != nil {
			v.KeyCalls1h = *u.KeyCalls1h
		}
		if u.FingerprintCalls1m != nil {
			v.FingerprintCalls1m = *u.FingerprintCalls1m
		}
	}
	return usageFunc(func(string, string, time.Time) cel.UsageVars { return v })
}

type usageFunc func(keyID, fingerprint string, now time.Time) cel.UsageVars

func (f usageFunc) Observe(keyID, fingerprint string, now time.Time) cel.UsageVars {
	return f(keyID, fingerprint, now)
}
