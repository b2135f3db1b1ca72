package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest"
)

// The cases file, each case a subtest.
func TestPolicyCases(t *testing.T) {
	approvaltest.RunFile(t, "policy.yaml", "policy_cases.yaml")
}

// billingKey is the key the billing service runs with.
func billingKey(tenant string) approval.Key {
	k := approvaltest.Key("billing")
	k.Labels = map[string]string{"tenant": tenant}
	return k
}

// The policy with the application's real queries: what is allowed reaches
// the database with its arguments; what is denied never does.
func TestBillingQueries(t *testing.T) {
	db, mock := approvaltest.New(t, "policy.yaml")
	ctx := approvaltest.Ctx(billingKey("acme"))

	const byID = "SELECT id, total FROM invoices WHERE tenant = $1 AND id = $2"
	mock.ExpectQuery(byID).WithArgs("acme", 1001).
		WillReturnRows(sqlmock.NewRows([]string{"id", "total"}).AddRow(1001, 4500))
	var id, total int
	err := db.QueryRowContext(ctx, byID, "acme", 1001).Scan(&id, &total)
	approvaltest.AssertAllowed(t, err)
	assert.Equal(t, 4500, total)

	// Another tenant: denied, and sqlmock (which expects nothing more) is
	// never asked.
	_, err = db.QueryContext(ctx, byID, "globex", 1001)
	approvaltest.AssertDenied(t, err, "tenant-argument")

	// Inside a transaction, each statement is decided with the call's ctx.
	mock.ExpectBegin()
	mock.ExpectExec("INSERT INTO invoices (tenant, customer_id, total) VALUES ($1, $2, $3)").
		WithArgs("acme", 7, 4500).WillReturnResult(sqlmock.NewResult(1002, 1))
	mock.ExpectRollback()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "INSERT INTO invoices (tenant, customer_id, total) VALUES ($1, $2, $3)", "acme", 7, 4500)
	approvaltest.AssertAllowed(t, err)
	_, err = tx.ExecContext(ctx, "DELETE FROM invoices WHERE tenant = $1 AND id = $2", "acme", 1002)
	approvaltest.AssertDenied(t, err, "default")
	require.NoError(t, tx.Rollback())
}

// The review workflow, with the kit's ledger and fake clock.
func TestRefundReview(t *testing.T) {
	k := approvaltest.Open(t, "policy.yaml")
	ctx := approvaltest.Ctx(k.Key("support"))
	const refund = "UPDATE invoices SET status = 'refunded' WHERE id = $1"

	_, err := k.DB.ExecContext(ctx, refund, 1001)
	de := approvaltest.AssertReview(t, err)
	require.NotNil(t, de)

	_, err = k.Ledger.Approve(context.Background(), de.RequestID, approval.GrantSpec{
		For: 30 * time.Minute, MaxUses: 1, By: "lead", Reason: "ticket 1234",
	})
	require.NoError(t, err)
	k.Mock.ExpectExec(refund).WithArgs(1001).WillReturnResult(sqlmock.NewResult(0, 1))
	_, err = k.DB.ExecContext(ctx, refund, 1001)
	approvaltest.AssertAllowed(t, err)

	// One use only: the next one goes back to review.
	_, err = k.DB.ExecContext(ctx, refund, 1001)
	approvaltest.AssertReview(t, err)
	assert.Equal(t, []string{"review", "allow", "review"}, k.Audit.Decisions())
}

// The program prints one line per case and a summary, and reports a failing
// case with expected and got.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	ok, err := run(&out, "policy.yaml", "policy_cases.yaml")
	require.NoError(t, err)
	assert.True(t, ok, out.String())
	assert.Contains(t, out.String(), "ok   a refund needs review (review by rule refunds)")
	assert.Contains(t, out.String(), "policy_cases.yaml: 14 cases, 0 failed")

	bad := filepath.Join(t.TempDir(), "bad_cases.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`
cases:
  - name: deletes are fine (they are not)
    sql: DELETE FROM invoices WHERE tenant = $1 AND id = $2
    args: [acme, 1]
    key: {role: billing, labels: {tenant: acme}}
    expect: allow
`), 0o600))
	out.Reset()
	ok, err = run(&out, "policy.yaml", bad)
	require.NoError(t, err)
	assert.False(t, ok)
	for _, want := range []string{"FAIL deletes are fine (they are not)", "expected:  allow", "got:       deny by rule default", "1 cases, 1 failed"} {
		assert.True(t, strings.Contains(out.String(), want), "output lacks %q:\n%s", want, out.String())
	}
}
