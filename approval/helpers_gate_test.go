package approval

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// t0 is the tests' fixed "now".
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: t0} }

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fakeApprovals answers from fields and records what it was asked.
type fakeApprovals struct {
	mu         sync.Mutex
	grant      string
	grantErr   error
	pendingID  string
	pendErr    error
	revoked    map[string]bool
	revErr     error
	grantCalls int
	pending    []string // fingerprints
	learned    []string // fingerprint|role
}

func (f *fakeApprovals) Grant(_ context.Context, c *Call) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.grantCalls++
	return f.grant, f.grantErr
}

func (f *fakeApprovals) Pending(_ context.Context, c *Call) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pendErr != nil {
		return "", f.pendErr
	}
	f.pending = append(f.pending, c.Input.Query.Fingerprint)
	return f.pendingID, nil
}

func (f *fakeApprovals) KeyRevoked(id string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.revoked[id], f.revErr
}

func (f *fakeApprovals) Learn(_ context.Context, c *Call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	role := ""
	if c.Key != nil {
		role = c.Key.Role
	}
	f.learned = append(f.learned, c.Input.Query.Fingerprint+"|"+role)
	return nil
}

// recAuditor keeps records.
type recAuditor struct {
	mu      sync.Mutex
	records []Record
	health  error
}

func (a *recAuditor) Record(r *Record) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = append(a.records, *r)
	return nil
}

func (a *recAuditor) Health() error { return a.health }

func (a *recAuditor) all() []Record {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Record(nil), a.records...)
}

// mustPolicy parses a policy or fails the test.
func mustPolicy(tb testing.TB, src string) *Policy {
	tb.Helper()
	p, err := ParsePolicy([]byte(src), "test.yaml")
	if err != nil {
		tb.Fatalf("policy does not load:\n%v", err)
	}
	return p
}

// mustGate builds a Gate or fails the test.
func mustGate(tb testing.TB, p *Policy, opts ...Option) *Gate {
	tb.Helper()
	g, err := NewGate(p, opts...)
	if err != nil {
		tb.Fatalf("NewGate: %v", err)
	}
	return g
}

// stmt is a normalised statement built by hand, so that gate tests do not
// depend on the lexer.
func stmt(command string, readOnly bool, tables ...string) *sqlnorm.Statement {
	return &sqlnorm.Statement{
		Dialect:     sqlnorm.Postgres,
		Text:        strings.ToLower(command) + " from " + strings.Join(tables, ", "),
		Fingerprint: "test:" + command + ":" + strings.Join(tables, ","),
		Command:     command,
		ReadOnly:    readOnly,
		Tables:      tables,
		HasWhere:    true,
	}
}

// testKey is a valid key at t0.
func testKey(role string) Key {
	return Key{ID: "key-" + role, Subject: "alice", Role: role, Session: "s1",
		IssuedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(time.Hour)}
}

// checkDecision compares the parts of a decision a test cares about.
func checkDecision(tb testing.TB, d Decision, effect Effect, rule string, errs ...error) {
	tb.Helper()
	if d.Effect != effect {
		tb.Errorf("effect = %v (rule %q, reason %q, err %v), want %v", d.Effect, d.Rule, d.Reason, d.Err, effect)
	}
	if rule != "*" && d.Rule != rule {
		tb.Errorf("rule = %q, want %q (reason %q, err %v)", d.Rule, rule, d.Reason, d.Err)
	}
	if effect == Allow {
		if d.Err != nil || !d.Allowed() {
			tb.Errorf("allowed decision with err %v", d.Err)
		}
		return
	}
	var de *DeniedError
	if !errors.As(d.Err, &de) {
		tb.Fatalf("err = %v (%T), want *DeniedError", d.Err, d.Err)
	}
	if d.Allowed() {
		tb.Errorf("Allowed() true for %v", d.Effect)
	}
	for _, e := range errs {
		if !errors.Is(d.Err, e) {
			tb.Errorf("errors.Is(%v, %v) = false", d.Err, e)
		}
	}
}
