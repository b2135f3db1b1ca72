package sqlnorm_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// fastPathProblem compares Normalize's answer (st, err) for sql with the
// answer of the general code alone (no renderer fast paths): the fast
// paths are an optimisation and must never change an output.
func fastPathProblem(o sqlnorm.Options, sql string, st *sqlnorm.Statement, err error) string {
	gst, gerr := sqlnorm.NormalizeGeneral(o, sql)
	if (err == nil) != (gerr == nil) || (err != nil && err.Error() != gerr.Error()) {
		return fmt.Sprintf("fast paths: error %v, general code: error %v (%s) for %q", err, gerr, modeName(o), sql)
	}
	if !reflect.DeepEqual(st, gst) {
		return fmt.Sprintf("fast paths: %+v\ngeneral code: %+v\n(%s) for %q", st, gst, modeName(o), sql)
	}
	return ""
}

// TestRenderFastPaths checks that the renderer's fast paths answer
// exactly as the general code does for every corpus input in every mode.
func TestRenderFastPaths(t *testing.T) {
	n := 0
	for _, inputs := range digestGroups(t) {
		for _, o := range fuzzModes {
			for _, sql := range inputs {
				st, err := sqlnorm.Normalize(o, sql)
				if p := fastPathProblem(o, sql, st, err); p != "" {
					t.Fatal(p)
				}
				n++
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d inputs compared", n)
	}
}

// FuzzRenderFastPaths mutates statements that exercise the renderer's
// fast paths (names, keywords, punctuation, one-byte operators, numbers,
// parameters) and the places where they must give way to the general code
// (ORDER/GROUP BY lists, IN and VALUES lists, set_config, casts, MySQL
// names), and checks that both answer alike. Its seeds are few, so that a
// short run reaches mutation.
func FuzzRenderFastPaths(f *testing.F) {
	addInEveryMode(f,
		"SELECT u.id, u.name FROM users AS u JOIN orders o ON o.user_id = u.id WHERE u.status = 'a' AND o.total > 100.50 AND o.created_at >= $1 ORDER BY o.created_at DESC LIMIT 20",
		"SELECT a, b FROM t GROUP BY 1, 2 ORDER BY 2 DESC NULLS LAST, a ASC",
		"SELECT * FROM t WHERE x IN (1, -2, +3, $1) AND y = ANY(ARRAY[1, 2]) AND z NOT IN ('a', 'b')",
		"INSERT INTO t (a, b) VALUES (1, 'x'), ($1, $2) RETURNING a",
		"SELECT set_config('role', 'admin', false), pg_catalog.set_config('a', 'b', true)",
		"SELECT x::varchar(10), CAST(y AS numeric(10, 2)), z::int[] FROM s.t WHERE a.b.c = 1",
		"SELECT count(*), sum(o.total) FILTER (WHERE o.x = 1) OVER (PARTITION BY u.id ORDER BY 1) FROM t",
		"SELECT 1 FROM t WHERE a . b = 1 AND c:=2 AND d !=3 AND e == 4 AND f .. g",
		"UPDATE t SET a = a * 2 / 3 % 4 WHERE id = 5 AND b <> 6",
		"SELECT a >= 1, b <= -2, c <> $1, d -> 'k', e ->> 'k', f #> g, h @> i, j <@ k, l && m, n || o, p:: int, q !=- 1, r =- 2, s ~* t, u !~ v FROM w WHERE x .. y",
		"WITH r AS (SELECT 1 AS n) SELECT n FROM r WHERE n > 0",
		"SELECT 'a', E'b\\c', N'd', 'it''s', 'e'\n'f', U&'g', $$h$$, B'1', '\\' FROM t WHERE a -> 'k' || b <=> c",
	)
	f.Fuzz(func(t *testing.T, mode byte, sql string) {
		o := fuzzMode(mode)
		st, err := sqlnorm.Normalize(o, sql)
		if p := fastPathProblem(o, sql, st, err); p != "" {
			t.Fatal(p)
		}
	})
}
