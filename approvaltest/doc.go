// Package approvaltest helps unit-test code and policies that run through
// approvedsql, without a database.
//
// [New] returns a *sql.DB that goes through the approvedsql driver wrapper
// (package driver) onto a go-sqlmock connection, and the sqlmock.Sqlmock that
// says what may reach the database. A statement the policy denies never
// reaches sqlmock; a statement that reaches it unexpectedly fails the call;
// and every expectation set must be met by the end of the test (checked in
// t.Cleanup):
//
//	db, mock := approvaltest.New(t, "policy.yaml")
//	mock.ExpectQuery("SELECT id FROM orders WHERE id = $1").WithArgs(7).
//		WillReturnRows(sqlmock.NewRows([]string{"id"}).AddRow(7))
//	ctx := approvaltest.Ctx(approvaltest.Key("analyst"))
//	_, err := db.QueryContext(ctx, "SELECT id FROM orders WHERE id = $1", 7)
//	approvaltest.AssertAllowed(t, err)
//	_, err = db.ExecContext(ctx, "DROP TABLE orders")
//	approvaltest.AssertDenied(t, err, "no-ddl") // and sqlmock saw nothing
//
// Queries are matched exactly (sqlmock.QueryMatcherEqual) unless
// [WithQueryMatcher] says otherwise.
//
// [Open] returns the whole [Kit]: besides the DB and the mock, a Gate on a
// fake [Clock] (starting at [Epoch]), a throwaway Keyring for signed tokens,
// a Ledger over a memory store for reviews and grants, and a [Recorder] of
// audit records. Keys: [Key], [ExpiredKey], [Kit.Key], [Kit.Token].
// Assertions: [AssertAllowed], [AssertDenied], [AssertReview],
// [AssertCause].
//
// # Policy test files
//
// [RunFile] runs a YAML file of cases next to a policy — statement,
// arguments, key, source, time → expected effect and rule — each case as
// a subtest; `approvalctl test POLICY CASES` runs the same files from the
// shell. The format and the runner are in package
// [github.com/approvedsql/approvedsql/approvaltest/casefile].
//
// Everything here is meant for tests: helpers take a testing.TB, call
// Helper, and fail the test rather than return errors.
package approvaltest
