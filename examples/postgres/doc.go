// Command postgres is an HTTP service whose every query goes through
// approvedsql on PostgreSQL ("approved-postgres", over pgx).
//
// A middleware turns the request's bearer token into a provisioning token in
// the request context (approval.WithToken) together with the request's
// source (approval.WithSource); the handlers pass r.Context() to
// database/sql, and the Gate verifies the token and decides each statement
// before PostgreSQL sees it. A denial becomes 403, a missing, expired or
// forged token 401.
//
//	APPROVEDSQL_EXAMPLE_DSN=postgres://… go run ./examples/postgres
//
// Without APPROVEDSQL_EXAMPLE_DSN it uses APPROVEDSQL_TEST_POSTGRES. The
// verifying keyring is read from APPROVEDSQL_EXAMPLE_KEYRING (public keys,
// as written by `approvalctl keys public`); without it a throwaway keyring
// is made and a token for tenant "acme" is printed, to try with curl:
//
//	curl -H "Authorization: Bearer $TOKEN" -d '{"customer":"ada","total":1999}' 'localhost:8080/orders?tenant=acme'
//	curl -H "Authorization: Bearer $TOKEN" 'localhost:8080/orders?tenant=acme'
//	curl -H "Authorization: Bearer $TOKEN" 'localhost:8080/orders?tenant=globex'   # 403: tenant-scoped
//	curl -X DELETE -H "Authorization: Bearer $TOKEN" 'localhost:8080/orders'       # 403: no-unbounded-writes
//
// The test (main_test.go) runs the service with httptest against the
// PostgreSQL named by APPROVEDSQL_TEST_POSTGRES.
package main
