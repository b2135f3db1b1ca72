//go:build pgquery

package loadtest

// Differential test at scale against PostgreSQL's own parser, through
// github.com/pganalyze/pg_query_go/v6 (cgo, test-only, build tag pgquery):
//
//	go test -tags pgquery -run PgQuery ./loadtest/
//	APPROVEDSQL_LONG=1 go test -tags pgquery -run PgQuery -timeout 60m ./loadtest/

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// diffAtoms are the pieces generated statements are made of: the lexical
// corners where a lexer and the server can disagree about where a
// statement ends — quotes and their escapes, E” and U&” strings,
// comments (nested, unterminated, -- ending at \r), dollar quotes and
// their tags, parameters, semicolons, operators running into comments.
var diffAtoms = []string{
	"SELECT ", "SELECT 1", "FROM t", " WHERE ", "a", "x1", "1", "0", "1.5", "1e3", "0x1F", "$1", "$2", "$1a",
	" ", "  ", "\n", "\r", "\t", "\r\n",
	"'", "''", "'a'", "'a''b'", "'\\'", "'\\''", "' --'", "';'", "'/*'", "'\n'",
	"E'", "E'\\''", "E'\\\\'", "e'a\\'b'", "E'\\x27'", "E';'", "E'\\", "E''''",
	"U&'", "U&'\\0041'", "U&'d\\0061t\\+000061'", "U&\"a\"", " UESCAPE '!'", "U&'!0041' UESCAPE '!'",
	"\"", "\"\"", "\"a\"", "\"a\"\"b\"", "\";\"", "\"--\"",
	"--", "-- c\n", "-- c\r", "-- ;\n", "/*", "*/", "/* c */", "/* a /* b */ c */", "/* ; */", "/*/", "/**/",
	"$$", "$$;$$", "$a$", "$a$x$a$", "$a$;$a$", "$b$", "$_$", "$a1$", "$1$", "$$ $a$ $$",
	";", ";", "; ", ";\n", "; SELECT 2", ";DROP TABLE t",
	"\\", "\\\\", "-", "+", "*", "/", "<>", "||", "::", "::text", "-/*", "*/-", "--/*", "+-", "@", "#", "~",
	"(", ")", ",", ".", "[", "]", "=", "<", ">",
	"B'01'", "X'1F'", "N'a'",
}

// diffExprs are well-formed but tricky expressions: each is one value to
// PostgreSQL, and each hides a ; , a quote or a comment marker.
var diffExprs = []string{
	"1", "'a'", "'a''b'", "'it''s;'", "E'\\''", "E'a\\\\'", "e'\\x41;'", "E'\\';'",
	"U&'\\0041'", "U&'!0041;' UESCAPE '!'", "$$a;b$$", "$t$x$$;y$t$", "$_$';$_$", "$a$ $b$ ; $b$ $a$",
	"\"col;x\"", "\"a\"\"b\"", "U&\"\\0061\"", "$1", "x'1F'", "b'01'", "1.5e3", "ARRAY[1, 2]", "'a'::text",
	"1 /* c ; */ + 2", "/* a /* ; */ b */ 3", "-- c ;\n 4", "5 -- x ;\r", "'a' -- '\n", "'a'\n'b'", "'a' 'b'",
	"1-/* ; */2", "2*/**/3", "'--'", "'/*'", "'$$'", "E'\\$$'", "$q$'$q$", "(SELECT 'x;')",
}

// genStatement builds a statement (or a script of up to three) out of
// diffExprs, and then, as often as not, corrupts it with atoms from
// diffAtoms inserted at random places; a quarter of the inputs are atoms
// alone.
func genStatement(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		var b strings.Builder
		if r.IntN(2) == 0 {
			b.WriteString("SELECT ")
		}
		for range 1 + r.IntN(14) {
			b.WriteString(diffAtoms[r.IntN(len(diffAtoms))])
			if r.IntN(3) == 0 {
				b.WriteByte(' ')
			}
		}
		return b.String()
	}
	var b strings.Builder
	for s := range 1 + r.IntN(3) {
		if s > 0 {
			b.WriteString([]string{";", "; ", ";\n", " ;/* x */ ", ";-- c\n"}[r.IntN(5)])
		}
		b.WriteString("SELECT ")
		for e := range 1 + r.IntN(4) {
			if e > 0 {
				b.WriteString([]string{", ", " || ", " + ", "-", " AS a, "}[r.IntN(5)])
			}
			b.WriteString(diffExprs[r.IntN(len(diffExprs))])
		}
		if r.IntN(3) == 0 {
			b.WriteString(" FROM t WHERE a = ")
			b.WriteString(diffExprs[r.IntN(len(diffExprs))])
		}
	}
	if r.IntN(3) == 0 {
		b.WriteString([]string{";", "; ", ";\n-- end", "; /* end */"}[r.IntN(4)])
	}
	text := b.String()
	for range r.IntN(3) {
		at := r.IntN(len(text) + 1)
		text = text[:at] + diffAtoms[r.IntN(len(diffAtoms))] + text[at:]
	}
	return text
}

// TestPgQueryGeneratedAtScale: generated inputs (seeded; 100,000 by
// default, 1,000,000 with APPROVEDSQL_LONG=1, or APPROVEDSQL_DIFF_COUNT)
// through sqlnorm and PostgreSQL's parser. Whenever PostgreSQL sees two or
// more statements, Normalize must reject; whenever both PostgreSQL and
// Split accept, they must find the same number of statements.
func TestPgQueryGeneratedAtScale(t *testing.T) {
	n := size(100_000, 1_000_000)
	if s := os.Getenv("APPROVEDSQL_DIFF_COUNT"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			t.Fatalf("APPROVEDSQL_DIFF_COUNT=%q: want a positive count", s)
		}
		n = v
	}
	seed := uint64(20261128)
	if s := os.Getenv("APPROVEDSQL_DIFF_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("APPROVEDSQL_DIFF_SEED=%q: %v", s, err)
		}
		seed = v
	}
	opts := sqlnorm.Options{Dialect: sqlnorm.Postgres}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var pgOK, pgMulti, oursAccepted, bothAccepted, splitCompared, failures int
	for i := range n {
		sql := genStatement(r)
		tree, perr := pg_query.Parse(sql)
		st, nerr := sqlnorm.Normalize(opts, sql)
		if nerr == nil {
			oursAccepted++
		}
		if perr != nil {
			continue
		}
		pgOK++
		count := len(tree.GetStmts())
		if count >= 2 {
			pgMulti++
			if nerr == nil {
				failures++
				t.Errorf("#%d: PostgreSQL sees %d statements, Normalize accepted one (%q)\n%q", i, count, st.Text, sql)
			}
		}
		if nerr == nil {
			bothAccepted++
		}
		if parts, err := sqlnorm.Split(opts, sql); err == nil {
			splitCompared++
			if len(parts) != count {
				failures++
				t.Errorf("#%d: Split found %d statements, PostgreSQL %d\n%q", i, len(parts), count, sql)
			}
		}
		if failures > 20 {
			t.Fatalf("stopping after %d failures", failures)
		}
	}
	t.Logf("seed %d: %d generated inputs; PostgreSQL parsed %d (%d with two or more statements, all rejected by Normalize: %v); Normalize accepted %d (%d also parsed by PostgreSQL); statement counts compared with Split on %d; %d failures",
		seed, n, pgOK, pgMulti, failures == 0, oursAccepted, bothAccepted, splitCompared, failures)
}
