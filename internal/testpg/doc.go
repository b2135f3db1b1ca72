// Package testpg gives tests a PostgreSQL database of their own.
//
// The server is named by APPROVEDSQL_TEST_POSTGRES (a URL DSN). When it is
// unset, tests are skipped with a message saying so — unless
// APPROVEDSQL_REQUIRE_POSTGRES=1, which makes it a failure (CI sets it).
// [NewDatabase] creates a uniquely named database for one test and drops
// it when the test ends, so packages testing against the same server at
// once never share tables.
package testpg
