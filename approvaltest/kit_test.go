package approvaltest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// fakeTB records what a helper reports, so tests can check that an
// assertion fails when it must.
type fakeTB struct {
	testing.TB // nil: any method not overridden panics
	mu         sync.Mutex
	errors     []string
	fatal      bool
	cleanups   []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.fatal = true
}
func (f *fakeTB) Fatal(args ...any)        { f.Fatalf("%s", fmt.Sprint(args...)) }
func (f *fakeTB) Cleanup(fn func())        { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Failed() bool             { return len(f.errors) > 0 }
func (f *fakeTB) Name() string             { return "fake" }
func (f *fakeTB) Logf(string, ...any)      {}
func (f *fakeTB) Context() context.Context { return context.Background() }
func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}
func (f *fakeTB) text() string { return strings.Join(f.errors, "\n") }

func TestKitAllowedReachesTheMock(t *testing.T) {
	k := Open(t, "testdata/policy.yaml")
	k.Mock.ExpectQuery("SELECT id, total FROM orders WHERE id = $1").WithArgs(42).
		WillReturnRows(sqlmock.NewRows([]string{"id", "total"}).AddRow(42, 1999))
	var id, total int
	err := k.DB.QueryRowContext(Ctx(Key("analyst")), "SELECT id, total FROM orders WHERE id = $1", 42).Scan(&id, &total)
	AssertAllowed(t, err)
	assert.Equal(t, 42, id)
	assert.Equal(t, 1999, total)
	assert.Equal(t, []string{"allow"}, k.Audit.Decisions())
}

func TestKitDeniedNeverReachesTheMock(t *testing.T) {
	tests := []struct {
		name, sql string
		key       approval.Key
		rule      string
	}{
		{"ddl", "DROP TABLE orders", Key("support"), "no-ddl"},
		{"unbounded delete", "DELETE FROM orders", Key("analyst"), "no-unbounded-writes"},
		{"default", "INSERT INTO orders (id) VALUES (1)", Key("nobody"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No expectation: had the statement reached sqlmock, the call
			// would have failed with sqlmock's error, not a denial.
			k := Open(t, "testdata/policy.yaml")
			_, err := k.DB.ExecContext(Ctx(tt.key), tt.sql)
			if tt.rule == "" {
				AssertReview(t, err)
				return
			}
			AssertDenied(t, err, tt.rule)
			assert.Equal(t, []string{"deny"}, k.Audit.Decisions())
		})
	}
}

func TestKitDetectsAStatementThatReachedTheMock(t *testing.T) {
	// An allowed statement with no expectation reaches sqlmock, which
	// refuses it: AssertDenied must then fail, naming sqlmock's error.
	ft := &fakeTB{}
	k := Open(t, "testdata/policy.yaml")
	_, err := k.DB.QueryContext(Ctx(Key("analyst")), "SELECT 1")
	require.Error(t, err)
	AssertDenied(ft, err, "")
	assert.Contains(t, ft.text(), "want denied by the gate")
}

func TestKitUnmetExpectationFailsTheTest(t *testing.T) {
	ft := &fakeTB{}
	k := Open(ft, "testdata/policy.yaml")
	k.Mock.ExpectExec("DROP TABLE orders").WillReturnResult(sqlmock.NewResult(0, 0))
	_, err := k.DB.ExecContext(Ctx(Key("support")), "DROP TABLE orders")
	AssertDenied(t, err, "no-ddl")
	ft.runCleanups()
	assert.Contains(t, ft.text(), "sqlmock expectations not met")
}

func TestKitReviewApproveAndPass(t *testing.T) {
	k := Open(t, "testdata/policy.yaml")
	ctx := Ctx(k.Key("support"))
	const upd = "UPDATE orders SET note = $1 WHERE id = $2"
	k.Clock.Set(time.Date(2026, 1, 5, 22, 0, 0, 0, time.UTC)) // outside office hours
	ctx = Ctx(k.Key("support"))
	_, err := k.DB.ExecContext(ctx, upd, "late", 7)
	de := AssertReview(t, err)
	require.NotNil(t, de)
	require.NotEmpty(t, de.RequestID)
	assert.Equal(t, "other-writes", de.Rule)

	g, err := k.Ledger.Approve(context.Background(), de.RequestID, approval.GrantSpec{For: time.Hour, By: "lead", Reason: "test"})
	require.NoError(t, err)
	k.Mock.ExpectExec(upd).WithArgs("late", 7).WillReturnResult(sqlmock.NewResult(0, 1))
	_, err = k.DB.ExecContext(ctx, upd, "late", 7)
	AssertAllowed(t, err)

	// The grant ends with its window.
	k.Clock.Advance(2 * time.Hour)
	ctx = Ctx(k.Key("support"))
	_, err = k.DB.ExecContext(ctx, upd, "late", 7)
	AssertReview(t, err)
	assert.Equal(t, []string{"review", "allow", "review"}, k.Audit.Decisions())
	assert.Equal(t, "grant:"+g.ID, k.Audit.Records()[1].Rule)
}

func TestKitKeys(t *testing.T) {
	k := Open(t, "testdata/policy.yaml")
	tests := []struct {
		name  string
		ctx   context.Context
		cause error // nil: allowed
	}{
		{"key", Ctx(Key("analyst")), nil},
		{"kit key", Ctx(k.Key("analyst")), nil},
		{"token", approval.WithToken(context.Background(), k.Token(t, "analyst")), nil},
		{"expired key", Ctx(ExpiredKey("analyst")), approval.ErrKeyExpired},
		{"kit expired key", Ctx(k.ExpiredKey("analyst")), approval.ErrKeyExpired},
		{"no key", context.Background(), approval.ErrNoKey},
		{"foreign token", approval.WithToken(context.Background(), Token(t, NewKeyring(t, nil), "analyst", time.Hour)), approval.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cause == nil {
				k.Mock.ExpectQuery("SELECT 1").WillReturnRows(sqlmock.NewRows([]string{"x"}).AddRow(1))
			}
			rows, err := k.DB.QueryContext(tt.ctx, "SELECT 1")
			if rows != nil {
				rows.Close()
			}
			if tt.cause == nil {
				AssertAllowed(t, err)
			} else {
				AssertCause(t, err, tt.cause)
			}
		})
	}
}

func TestKitTokenExpiresWithTheClock(t *testing.T) {
	k := Open(t, "testdata/policy.yaml")
	ctx := approval.WithToken(context.Background(), k.Token(t, "analyst"))
	k.Clock.Advance(2 * time.Hour)
	_, err := k.DB.ExecContext(ctx, "SELECT 1")
	AssertCause(t, err, approval.ErrKeyExpired)
}

func TestOpenWithGateAndPolicy(t *testing.T) {
	p, err := approval.LoadPolicy("testdata/policy.yaml")
	require.NoError(t, err)
	g, err := approval.NewGate(p, approval.WithClock(NewClock(Epoch)))
	require.NoError(t, err)

	db, mock := New(t, g)
	_, err = db.ExecContext(Ctx(Key("support")), "TRUNCATE orders")
	AssertDenied(t, err, "no-ddl")
	_, err = db.ExecContext(Ctx(Key("x")), "INSERT INTO t VALUES (1)")
	// No Approvals on this Gate: the review outcome is a denial that
	// still matches ErrReviewRequired.
	AssertReview(t, err)
	AssertDenied(t, err, "other-writes")
	_, err = db.ExecContext(Ctx(Key("x")), "SELECT 1; SELECT 2")
	AssertCause(t, err, sqlnorm.ErrRejected)
	mock.ExpectExec("SELECT 1").WillReturnResult(sqlmock.NewResult(0, 0))
	_, err = db.ExecContext(Ctx(Key("analyst")), "SELECT 1")
	AssertAllowed(t, err)

	k := Open(t, p)
	assert.NotNil(t, k.Ledger)
	assert.NotNil(t, k.Clock)
	assert.Equal(t, Epoch, k.Clock.Now())
}

func TestOpenRejectsOtherArguments(t *testing.T) {
	tests := []struct {
		name string
		arg  any
		want string
	}{
		{"int", 3, "not int"},
		{"nil gate", (*approval.Gate)(nil), "nil *approval.Gate"},
		{"nil policy", (*approval.Policy)(nil), "nil *approval.Policy"},
		{"missing file", "testdata/nope.yaml", "loading policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := &fakeTB{}
			func() {
				defer func() { recover() }() // a fake Fatal does not stop the goroutine
				Open(ft, tt.arg)
			}()
			assert.True(t, ft.fatal)
			assert.Contains(t, ft.text(), tt.want)
			ft.runCleanups()
		})
	}
}

func TestAssertionsFail(t *testing.T) {
	denied := &approval.DeniedError{Effect: approval.Deny, Rule: "r1", Reason: "matched"}
	review := &approval.DeniedError{Effect: approval.Review, Rule: "r2", RequestID: "req"}
	other := sql.ErrConnDone
	tests := []struct {
		name  string
		check func(tb testing.TB)
		fails string // "" when the assertion must pass
	}{
		{"allowed ok", func(tb testing.TB) { AssertAllowed(tb, nil) }, ""},
		{"allowed denied", func(tb testing.TB) { AssertAllowed(tb, denied) }, `deny by rule "r1"`},
		{"allowed other", func(tb testing.TB) { AssertAllowed(tb, other) }, "allowed by the gate but failed"},
		{"denied ok", func(tb testing.TB) { AssertDenied(tb, denied, "r1") }, ""},
		{"denied any rule", func(tb testing.TB) { AssertDenied(tb, denied, "") }, ""},
		{"denied wrong rule", func(tb testing.TB) { AssertDenied(tb, denied, "r9") }, `want rule "r9"`},
		{"denied nil", func(tb testing.TB) { AssertDenied(tb, nil, "r1") }, "statement allowed, want denied"},
		{"denied review", func(tb testing.TB) { AssertDenied(tb, review, "r2") }, "want denied"},
		{"denied other", func(tb testing.TB) { AssertDenied(tb, other, "") }, "want denied by the gate"},
		{"review ok", func(tb testing.TB) { AssertReview(tb, review) }, ""},
		{"review denied", func(tb testing.TB) { AssertReview(tb, denied) }, "want review"},
		{"review nil", func(tb testing.TB) { AssertReview(tb, nil) }, "want sent to review"},
		{"cause ok", func(tb testing.TB) {
			AssertCause(tb, &approval.DeniedError{Cause: approval.ErrNoKey}, approval.ErrNoKey)
		}, ""},
		{"cause wrong", func(tb testing.TB) { AssertCause(tb, denied, approval.ErrNoKey) }, "want cause"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := &fakeTB{}
			tt.check(ft)
			if tt.fails == "" {
				assert.Empty(t, ft.errors)
			} else {
				assert.Contains(t, ft.text(), tt.fails)
			}
		})
	}
}

func TestKitPreparedStatements(t *testing.T) {
	k := Open(t, "testdata/policy.yaml")
	key := Key("analyst")
	key.Labels = map[string]string{"tenant": "acme"}
	ctx := Ctx(key)
	// Denied whatever its arguments: refused before sqlmock's Prepare.
	_, err := k.DB.PrepareContext(ctx, "TRUNCATE orders")
	AssertDenied(t, err, "no-ddl")

	// Prepared, then each execution decided with its arguments.
	const q = "SELECT name FROM customers WHERE tenant = $1"
	k.Mock.ExpectPrepare(q).ExpectQuery().WithArgs("acme").
		WillReturnRows(sqlmock.NewRows([]string{"name"}).AddRow("Ada"))
	stmt, err := k.DB.PrepareContext(ctx, q)
	require.NoError(t, err)
	defer stmt.Close()
	var name string
	AssertAllowed(t, stmt.QueryRowContext(ctx, "acme").Scan(&name))
	assert.Equal(t, "Ada", name)
	_, err = stmt.QueryContext(ctx, "globex")
	AssertDenied(t, err, "tenant-only")
}

func TestKeyAtWallClock(t *testing.T) {
	p, err := approval.LoadPolicy("testdata/policy.yaml")
	require.NoError(t, err)
	g, err := approval.NewGate(p) // wall clock
	require.NoError(t, err)
	db, mock := New(t, g)
	mock.ExpectExec("SELECT 1").WillReturnResult(sqlmock.NewResult(0, 0))
	_, err = db.ExecContext(Ctx(KeyAt("analyst", time.Now())), "SELECT 1")
	AssertAllowed(t, err)
	_, err = db.ExecContext(Ctx(KeyAt("analyst", time.Now().Add(-48*time.Hour))), "SELECT 1")
	AssertCause(t, err, approval.ErrKeyExpired)
}

func TestClock(t *testing.T) {
	c := NewClock(Epoch)
	assert.Equal(t, Epoch.Add(time.Minute), c.Advance(time.Minute))
	c.Set(Epoch)
	assert.Equal(t, Epoch, c.Now())
}

func TestRunFile(t *testing.T) {
	RunFile(t, "testdata/policy.yaml", "testdata/cases.yaml")
}
