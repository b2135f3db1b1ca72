package approvaltest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/approvaltest"
)

// In a real test, t is the test's *testing.T. The example stands one in,
// to show what the assertions report.
type exampleT struct{ testing.TB }

func (exampleT) Helper()                           {}
func (exampleT) Cleanup(func())                    {}
func (exampleT) Errorf(format string, args ...any) { fmt.Printf("test failure: "+format+"\n", args...) }
func (exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func Example() {
	t := exampleT{}
	policy, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: postgres
rules:
  - name: no-ddl
    effect: deny
    when: query.command in ["DROP", "TRUNCATE", "ALTER"]
  - name: analysts-read
    effect: allow
    when: query.read_only && key.role == "analyst"
`), "policy.yaml")
	if err != nil {
		panic(err)
	}
	db, mock := approvaltest.New(t, policy)
	ctx := approvaltest.Ctx(approvaltest.Key("analyst"))

	// What may reach the database: this query, once.
	mock.ExpectQuery("SELECT name FROM customers WHERE id = $1").WithArgs(7).
		WillReturnRows(sqlmock.NewRows([]string{"name"}).AddRow("Ada"))
	var name string
	err = db.QueryRowContext(ctx, "SELECT name FROM customers WHERE id = $1", 7).Scan(&name)
	approvaltest.AssertAllowed(t, err)
	fmt.Println("name:", name)

	// Denied: sqlmock never sees it.
	_, err = db.ExecContext(ctx, "DROP TABLE customers")
	if de := approvaltest.AssertDenied(t, err, "no-ddl"); de != nil {
		fmt.Println("denied by", de.Rule)
	}

	// No key in the context.
	_, err = db.ExecContext(context.Background(), "SELECT 1")
	approvaltest.AssertCause(t, err, approval.ErrNoKey)

	// A wrong expectation is reported.
	_, err = db.ExecContext(ctx, "DROP TABLE customers")
	approvaltest.AssertDenied(t, err, "analysts-read")

	fmt.Println("expectations met:", mock.ExpectationsWereMet() == nil)
	// Output:
	// name: Ada
	// denied by no-ddl
	// test failure: statement denied by rule "no-ddl", want rule "analysts-read" (reason: matched deny rule "no-ddl")
	// expectations met: true
}

// The whole kit: review, approval through the Kit's ledger, the grant's end on
// the fake clock, and what was audited.
func ExampleOpen() {
	t := exampleT{}
	policy, err := approval.ParsePolicy([]byte(`
version: "1"
dialect: postgres
rules:
  - name: refunds
    effect: review
    when: query.command == "UPDATE" && key.role == "support"
`), "policy.yaml")
	if err != nil {
		panic(err)
	}
	k := approvaltest.Open(t, policy)
	const refund = "UPDATE orders SET status = 'refunded' WHERE id = $1"
	ctx := approvaltest.Ctx(k.Key("support"))

	_, err = k.DB.ExecContext(ctx, refund, 7)
	de := approvaltest.AssertReview(t, err)
	fmt.Println("review by", de.Rule)

	_, err = k.Ledger.Approve(context.Background(), de.RequestID, approval.GrantSpec{For: time.Hour, By: "lead"})
	if err != nil {
		panic(err)
	}
	k.Mock.ExpectExec(refund).WithArgs(7).WillReturnResult(sqlmock.NewResult(0, 1))
	_, err = k.DB.ExecContext(ctx, refund, 7)
	fmt.Println("after approval:", err)

	k.Clock.Advance(90 * time.Minute) // past the grant, and past the key's hour
	_, err = k.DB.ExecContext(ctx, refund, 7)
	approvaltest.AssertCause(t, err, approval.ErrKeyExpired)
	_, err = k.DB.ExecContext(approvaltest.Ctx(k.Key("support")), refund, 7)
	approvaltest.AssertReview(t, err)

	fmt.Println("audited:", k.Audit.Decisions())
	fmt.Println("expectations met:", k.Mock.ExpectationsWereMet() == nil)
	// Output:
	// review by refunds
	// after approval: <nil>
	// audited: [review allow deny review]
	// expectations met: true
}
