// Package pathtest is the path matrix run against a real PostgreSQL through
// each approved PostgreSQL driver (pgx and lib/pq): every way a statement
// can reach the server is shown to be decided by the Gate with the right
// text, arguments and key, and denied statements never run.
package pathtest
