// Package pgxscan tells whether pgx's client-side placeholder substitution
// (its simple protocol) would tokenise a PostgreSQL text differently from
// the server, so that an argument could land outside the literal the Gate
// saw. It is shared by driver/postgres and driver/sqlmw.
package pgxscan
