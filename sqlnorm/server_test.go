package sqlnorm

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// postgresConn connects to the development/CI PostgreSQL named by
// APPROVEDSQL_TEST_POSTGRES; it skips (or, with
// APPROVEDSQL_REQUIRE_POSTGRES=1, fails) when the variable is unset.
func postgresConn(tb testing.TB) *pgconn.PgConn {
	tb.Helper()
	dsn := os.Getenv("APPROVEDSQL_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("APPROVEDSQL_REQUIRE_POSTGRES") == "1" {
			tb.Fatal("APPROVEDSQL_TEST_POSTGRES is not set and APPROVEDSQL_REQUIRE_POSTGRES=1")
		}
		tb.Skip("APPROVEDSQL_TEST_POSTGRES not set: skipping the comparison with a real PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connecting to APPROVEDSQL_TEST_POSTGRES: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// TestPostgresServerAgrees runs read-only texts through a real PostgreSQL
// with the simple query protocol (which runs every statement in the text)
// and checks that the normaliser never accepts text the server runs as a
// different number of statements, that Split counts as the server does,
// and that decoded literals equal the values the server returns.
func TestPostgresServerAgrees(t *testing.T) {
	conn := postgresConn(t)
	tests := []struct {
		name   string
		nss    bool   // standard_conforming_strings off
		sql    string // only SELECTs: the server runs them
		accept bool   // Normalize must accept (else: must reject)
	}{
		{"plain", false, "SELECT 1", true},
		{"two", false, "SELECT 1; SELECT 2", false},
		{"nested comment", false, "SELECT 1 /* /* */ ; SELECT 2 */", true},
		{"nested comment hides quote", false, "SELECT 'x' /* /* */ ' */ ; SELECT 2 -- '", false},
		{"cr ends line comment", false, "SELECT 1 -- c\r; SELECT 2", false},
		{"operator before comment", false, "SELECT 1 +/* ' */ 1; SELECT 2 -- '", false},
		{"operator before dashes", false, "SELECT 1 +-- '\n1; SELECT 2 -- '", false},
		{"ident then comment", false, "SELECT a/* ' */ FROM (SELECT 1 a) t; SELECT 2 -- '", false},
		{"ident then quoted ident", false, "SELECT a\"'\" FROM (SELECT 1 a) t; SELECT 2 -- '", false},
		{"scs on: backslash is plain", false, `SELECT '\', ' ; SELECT 2 -- '`, true},
		{"scs off: backslash escapes", true, `SELECT '\', ' ; SELECT 2 -- '`, false},
		{"E string escaped quote", false, `SELECT E'\'; SELECT 2; -- '`, true},
		{"continuation", false, "SELECT 'a'\n'; SELECT 2 --'", true},
		{"no continuation without newline", false, "SELECT 'a' '; SELECT 2; --'", true}, // two literals: a syntax error, one statement
		{"dollar tags", false, "SELECT $a$ $b$ ; SELECT 2 $a$", true},
		{"dollar other tag", false, "SELECT $a$ x $a$, $b$ ; $b$", true},
		{"identifier with dollar", false, "SELECT 1 AS a$b; SELECT 2", false},
		{"U& string", false, `SELECT U&'\0041'`, true},
		{"U& string with scs off is refused", true, `SELECT U&'x\' UESCAPE '!'`, false},
		{"formfeed", false, "SELECT\f1", true},
		{"comment closer run", false, "SELECT 1 /* a **/ /*/ */ ; SELECT 2 -- */", false},
		{"nested comment closes twice", false, "SELECT 1 /* /* */ */ ; SELECT 2", false},
		{"star slash star", false, "SELECT 2 */* x */ 3", true},
		{"E string double backslash", false, `SELECT E'\\'; SELECT 2 -- '`, false},
		{"E string continued keeps escapes", false, "SELECT E'a'\n'\\'' ; SELECT 2 -- '", false},
		{"dollar tag with digits", false, "SELECT $a1$ ; $a$ ; $a1$", true},
		{"dollar quote after identifier char", false, "SELECT 1 AS a$$; SELECT 2", false},
		{"param then dollar", false, "PREPARE p AS SELECT $1::int; SELECT 2", false},
		{"operator with trailing minus split", false, "SELECT 1 @- 2, 3 =- 4", true},
		{"double-quoted with doubled quote", false, `SELECT 1 AS "a"";" ; SELECT 2 -- "`, false},
		{"U& identifier", false, `SELECT 1 AS U&"d\0061t"`, true},
		{"trailing semicolon and comment", false, "SELECT 1; -- done", true},
	}
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := pg
			scs := "on"
			if tc.nss {
				opts = pgNSS
				scs = "off"
			}
			if _, err := conn.Exec(ctx, "SET standard_conforming_strings = "+scs).ReadAll(); err != nil {
				t.Fatal(err)
			}
			results, serr := conn.Exec(ctx, tc.sql).ReadAll()
			st, nerr := Normalize(opts, tc.sql)
			if (nerr == nil) != tc.accept {
				t.Fatalf("Normalize accept=%v, want %v (%v)", nerr == nil, tc.accept, nerr)
			}
			if serr != nil {
				t.Logf("server: %v", serr)
				return
			}
			if nerr == nil && len(results) != 1 {
				t.Fatalf("accepted as one statement; the server ran %d", len(results))
			}
			if sts, err := Split(opts, tc.sql); err == nil && len(sts) != len(results) {
				t.Fatalf("Split found %d statements; the server ran %d", len(sts), len(results))
			}
			if nerr == nil && st.Text == "SELECT $0" && len(st.Literals) == 1 && len(results[0].Rows) == 1 {
				got := string(results[0].Rows[0][0])
				if st.Literals[0] != got {
					t.Fatalf("literal decoded as %q; the server returned %q", st.Literals[0], got)
				}
			}
		})
	}
	if _, err := conn.Exec(ctx, "SET standard_conforming_strings = on").ReadAll(); err != nil {
		t.Fatal(err)
	}
}

// TestPostgresLiteralValues compares decoded literals with the values the
// server computes for them.
func TestPostgresLiteralValues(t *testing.T) {
	conn := postgresConn(t)
	for _, lit := range []string{
		`'it''s'`, `E'a\nb\x41\101\u00e9\\'`, `E'\''`, `U&'d\0061t\+01F600'`,
		`U&'d!0061t' UESCAPE '!'`, "'a'\n'b'", "'a' -- c\n 'b'", "E'x'\n'\\n'",
		`$$a'b$$`, `$q$$$q$`, `N'n'`, `'Ünïcode'`, `U&'\D83D\DE00'`,
	} {
		t.Run(lit, func(t *testing.T) {
			sql := "SELECT " + lit
			st := mustNormalize(t, pg, sql)
			results, err := conn.Exec(context.Background(), sql).ReadAll()
			if err != nil {
				t.Fatalf("server: %v", err)
			}
			want := string(results[0].Rows[0][0])
			if len(st.Literals) != 1 || st.Literals[0] != want {
				t.Fatalf("Literals %q, server %q", st.Literals, want)
			}
		})
	}
}
