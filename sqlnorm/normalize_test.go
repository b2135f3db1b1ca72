package sqlnorm

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var (
	pg     = Options{Dialect: Postgres}
	my     = Options{Dialect: MySQL}
	lite   = Options{Dialect: SQLite}
	pgNSS  = Options{Dialect: Postgres, NonStandardStrings: true}
	myNBE  = Options{Dialect: MySQL, NoBackslashEscapes: true}
	myANSI = Options{Dialect: MySQL, ANSIQuotes: true}
)

// mustNormalize normalises sql or fails the test.
func mustNormalize(tb testing.TB, opts Options, sql string) *Statement {
	tb.Helper()
	st, err := Normalize(opts, sql)
	if err != nil {
		tb.Fatalf("Normalize(%s, %q): %v", opts.Dialect, sql, err)
	}
	return st
}

// mustReject checks that sql is rejected with kind at offset (-1: any offset).
func mustReject(tb testing.TB, opts Options, sql string, kind Kind, offset int) *Error {
	tb.Helper()
	st, err := Normalize(opts, sql)
	if err == nil {
		tb.Fatalf("Normalize(%s, %q) accepted: %q", opts.Dialect, sql, st.Text)
	}
	if !errors.Is(err, ErrRejected) {
		tb.Fatalf("error %v does not match ErrRejected", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %T is not *Error", err)
	}
	if e.Kind != kind {
		tb.Fatalf("Normalize(%q): kind %v, want %v (%v)", sql, e.Kind, kind, err)
	}
	if offset >= 0 && e.Offset != offset {
		tb.Fatalf("Normalize(%q): offset %d, want %d (%v)", sql, e.Offset, offset, err)
	}
	return e
}

func TestCanonicalText(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		sql  string
		want string
	}{
		{"pg keywords upper, idents lower", pg, "select ID, Name from Users where ID = 1", "SELECT id, name FROM users WHERE id = $0"},
		{"pg comments and whitespace", pg, "SELECT /* c /* nested */ */ a\n\t-- tail\r, b FROM t", "SELECT a, b FROM t"},
		{"pg quoted kept", pg, `SELECT "Col" FROM "Users"`, `SELECT "Col" FROM "Users"`},
		{"pg doubled quote ident", pg, `SELECT "a""b" FROM t`, `SELECT "a""b" FROM t`},
		{"pg U& ident decoded and requoted", pg, `SELECT U&"d\0061t" FROM t`, `SELECT "dat" FROM t`},
		{"pg U& ident UESCAPE", pg, `SELECT U&"d!0061t" UESCAPE '!' FROM t`, `SELECT "dat" FROM t`},
		{"pg params", pg, "SELECT * FROM t WHERE a = $1 AND b = $2", "SELECT * FROM t WHERE a = $0 AND b = $0"},
		{"my variable before dot stays apart", my, "SELECT @a .b, @. .c", "SELECT @a .b, @. .c"},
		{"pg colon before cast stays apart", pg, "SELECT a:  ::int", "SELECT a : ::INT"},
		{"pg cast before colon stays apart", pg, "SELECT a:: :int", "SELECT a:: : INT"},
		{"pg strings", pg, `SELECT 'x', E'a\'b', $$y$$, $tag$z$tag$, U&'d\0061t', B'0101', X'1F', N'n'`, "SELECT $0, $0, $0, $0, $0, $0, $0, $0"},
		{"pg continuation is one literal", pg, "SELECT 'a'\n'b'", "SELECT $0"},
		{"pg continuation with comment", pg, "SELECT 'a' -- c\n 'b'", "SELECT $0"},
		{"pg numbers", pg, "SELECT 1, 1.5, .5, 1e5, 1.5E-3, 1., 1..2", "SELECT $0, $0, $0, $0, $0, $0, $0 .. $0"},
		{"pg 16 numbers", pg, "SELECT 0x1F, 0X_1f, 0o17, 0b101, 1_000, 1_000.000_5, .0_1, 1e1_0, $1_0", "SELECT $0, $0, $0, $0, $0, $0, $0, $0, $0"},
		{"pg unary minus folds into literal", pg, "SELECT -1, a - 1, a-1 FROM t WHERE b = -2", "SELECT $0, a - $0, a - $0 FROM t WHERE b = $0"},
		{"pg cast", pg, "SELECT a :: int, b::VARCHAR(10) FROM t", "SELECT a::INT, b::VARCHAR($0) FROM t"},
		{"pg IN list collapses", pg, "SELECT * FROM t WHERE a IN (1, 2, 3) AND b IN ($1,$2)", "SELECT * FROM t WHERE a IN ($0) AND b IN ($0)"},
		{"pg IN subquery kept", pg, "SELECT * FROM t WHERE a IN (SELECT b FROM u)", "SELECT * FROM t WHERE a IN (SELECT b FROM u)"},
		{"pg IN mixed not collapsed", pg, "SELECT * FROM t WHERE a IN (1, b)", "SELECT * FROM t WHERE a IN ($0, b)"},
		{"pg ARRAY collapses", pg, "SELECT ARRAY[1,2,3]", "SELECT ARRAY[$0]"},
		{"pg VALUES rows collapse", pg, "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), ($1, $2)", "INSERT INTO t(a, b) VALUES ($0, $0)"},
		{"pg VALUES with expression kept", pg, "INSERT INTO t (a) VALUES (now()), (1)", "INSERT INTO t(a) VALUES (now()), ($0)"},
		{"pg operator stops before comment", pg, "SELECT 1 +/* c */ 2", "SELECT $0 + $0"},
		{"pg trailing minus split", pg, "SELECT a=-1 FROM t", "SELECT a = $0 FROM t"},
		{"pg jsonb operator kept", pg, "SELECT d ? 'k', d ?| array['a'] FROM t", "SELECT d ? $0, d ?| ARRAY[$0] FROM t"},
		{"pg != is <>", pg, "SELECT * FROM t WHERE a != 1", "SELECT * FROM t WHERE a <> $0"},
		{"pg trailing semicolon", pg, "SELECT 1; -- done\n", "SELECT $0"},
		{"pg SET keeps literal", pg, "set role 'Admin'", "SET ROLE 'Admin'"},
		{"pg SET identifier", pg, "SET ROLE Reader", "SET ROLE reader"},
		{"pg DO keeps body", pg, "DO $$BEGIN PERFORM 1; END$$", "DO 'BEGIN PERFORM 1; END'"},
		{"pg DDL keeps literals", pg, "CREATE TABLE t (a text DEFAULT 'x')", "CREATE TABLE t(a TEXT DEFAULT 'x')"},
		{"pg kept bit string joined", pg, "SET x = B'01' -- c\n'10'", "SET x = B'0110'"},
		{"pg kept literal with backslash", pg, `SET x = E'a\\b'`, `SET x = E'a\\b'`},
		{"pg nss off: backslash escapes", pgNSS, `SELECT 'a\'b'`, "SELECT $0"},
		{"pg formfeed is whitespace", pg, "DELETE\fFROM t WHERE a = 1", "DELETE FROM t WHERE a = $0"},
		{"pg vertical tab is whitespace", pg, "SELECT\v1", "SELECT $0"},
		{"pg non-ascii identifier bytes", pg, "SELECT Ünïcode FROM t", "SELECT Ünïcode FROM t"},
		{"pg dollar inside identifier", pg, "SELECT a$b FROM t", "SELECT a$b FROM t"},
		{"pg function call", pg, "SELECT Count(*), PG_CATALOG.Lower(x) FROM t", "SELECT count(*), pg_catalog.lower(x) FROM t"},
		{"pg separate dots stay apart", pg, "SELECT a . . b", "SELECT a. .b"},
		{"pg dot then dot-dot stay apart", pg, "SELECT a . .. b", "SELECT a. .. b"},
		{"pg qualified names, dots", pg, "SELECT s . t . c FROM s /* x */ . t", "SELECT s.t.c FROM s.t"},

		{"order by position kept", pg, "SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT 5", "SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT $0"},
		{"group by position kept", pg, "SELECT a, count(*) FROM t GROUP BY 1 HAVING count(*) > 1", "SELECT a, count(*) FROM t GROUP BY 1 HAVING count(*) > $0"},
		{"order by expression literal replaced", pg, "SELECT a FROM t ORDER BY a + 1", "SELECT a FROM t ORDER BY a + $0"},
		{"my function space kept", my, "SELECT abs (1), abs(2)", "SELECT abs (?), abs(?)"},
		{"my backticks", my, "SELECT `a``b` FROM `T`", "SELECT `a``b` FROM `T`"},
		{"my table case kept", my, "SELECT ID FROM Users WHERE Users.Id = 1", "SELECT id FROM Users WHERE Users.id = ?"},
		{"my lcn=1 folds tables", Options{Dialect: MySQL, LowerCaseTableNames: 1}, "SELECT ID FROM Users", "SELECT id FROM users"},
		{"my double-quoted string", my, `SELECT "x" FROM t`, "SELECT ? FROM t"},
		{"my ansi quotes ident", myANSI, `SELECT "x" FROM t`, "SELECT `x` FROM t"},
		{"my hash comment", my, "SELECT 1 # c\n FROM t", "SELECT ? FROM t"},
		{"my dashdash comment", my, "SELECT 1 -- c\n FROM t", "SELECT ? FROM t"},
		{"my dashdash no space is minus minus", my, "SELECT 1--1", "SELECT ? - ?"},
		{"my dashdash tab comment", my, "SELECT 1 --\tc\n FROM t", "SELECT ? FROM t"},
		{"my dashdash control char comment", my, "SELECT 1 --\x01c\n FROM t", "SELECT ? FROM t"},
		{"my dashdash at end", my, "SELECT 1 --", "SELECT ?"},
		{"my dashdash then letter", my, "SELECT 1 --a", "SELECT ? - - a"},
		{"my hash comment ends at newline only", my, "SELECT 1 # c\r; DROP TABLE t\n FROM t", "SELECT ? FROM t"},
		{"my block comment does not nest", my, "SELECT 1 /* /* */ FROM t", "SELECT ? FROM t"},
		{"my quoted variable", my, "SELECT @`My Var`, @'x'", "SELECT @`my var`, @'x'"},
		{"my qualified name starting with digit", my, "SELECT t.1a FROM t", "SELECT t.1a FROM t"},
		{"my backslash escape", my, `SELECT 'a\'b' FROM t`, "SELECT ? FROM t"},
		{"my NBE", myNBE, `SELECT 'a\' FROM t`, "SELECT ? FROM t"},
		{"my adjacent strings concatenate", my, "SELECT 'a' 'b' FROM t", "SELECT ? FROM t"},
		{"my params", my, "SELECT * FROM t WHERE a = ? AND b IN (?, ?)", "SELECT * FROM t WHERE a = ? AND b IN (?)"},
		{"my user variables kept", my, "SELECT @A, @@SESSION.sql_mode", "SELECT @a, @@session.sql_mode"},
		{"my hex and bit", my, "SELECT 0x1F, X'1F', b'01', 0b01", "SELECT ?, ?, ?, ?"},
		{"my name starting with digits", my, "SELECT 1abc FROM t", "SELECT 1abc FROM t"},

		{"sqlite dashdash ends at newline only", lite, "SELECT 1 -- c\r; DROP TABLE t\n FROM t", "SELECT ? FROM t"},
		{"sqlite hex", lite, "SELECT 0x1F, 1e5, .5", "SELECT ?, ?, ?"},
		{"sqlite brackets", lite, "SELECT [a b] FROM [T]", `SELECT "a b" FROM "T"`},
		{"sqlite backticks", lite, "SELECT `a` FROM t", `SELECT "a" FROM t`},
		{"sqlite params", lite, "SELECT * FROM t WHERE a = ? AND b = ?2 AND c = :c AND d = @d AND e = $e", "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ?"},
		{"sqlite no backslash escapes", lite, `SELECT 'a\' FROM t`, "SELECT ? FROM t"},
		{"sqlite folds", lite, "SELECT A FROM T", "SELECT a FROM t"},
		{"sqlite == is =", lite, "SELECT * FROM t WHERE a == 1", "SELECT * FROM t WHERE a = ?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := mustNormalize(t, tc.opts, tc.sql)
			if st.Text != tc.want {
				t.Errorf("Text\n got %q\nwant %q", st.Text, tc.want)
			}
			if st.Dialect != tc.opts.Dialect {
				t.Errorf("Dialect %q", st.Dialect)
			}
			// The canonical text is a fixpoint.
			again := mustNormalize(t, tc.opts, st.Text)
			if again.Fingerprint != st.Fingerprint {
				t.Errorf("canonical text re-normalises to %q", again.Text)
			}
		})
	}
}

func TestFacts(t *testing.T) {
	type facts struct {
		Command, Object string
		ReadOnly        bool
		Tables, Funcs   []string
		HasWhere        bool
		Params          int
	}
	tests := []struct {
		name string
		opts Options
		sql  string
		want facts
	}{
		{"select", pg, "SELECT a FROM s.t JOIN u ON true", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"s.t", "u"}}},
		{"select for update", pg, "SELECT a FROM t FOR UPDATE", facts{Command: "SELECT", Tables: []string{"t"}}},
		{"select into", pg, "SELECT * INTO new_t FROM t", facts{Command: "SELECT", Tables: []string{"new_t", "t"}}},
		{"select impure function", pg, "SELECT nextval('s')", facts{Command: "SELECT", Funcs: []string{"nextval"}}},
		{"select pure functions", pg, "SELECT count(*), lower(x) FROM t", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}, Funcs: []string{"count", "lower"}}},
		{"pg_catalog pure", pg, "SELECT pg_catalog.lower(x) FROM t", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}, Funcs: []string{"pg_catalog.lower"}}},
		{"table function in FROM", pg, "SELECT * FROM generate_series(1, 3) g", facts{Command: "SELECT", ReadOnly: true, Funcs: []string{"generate_series"}}},
		{"extract FROM is not a table", pg, "SELECT extract(year FROM d) FROM t", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}, Funcs: []string{"extract"}}},
		{"exists subquery", pg, "SELECT exists(SELECT * FROM t)", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}}},
		{"select inside function arguments", pg, "SELECT f(SELECT * FROM secrets)", facts{Command: "SELECT", Tables: []string{"secrets"}, Funcs: []string{"f"}}},
		{"union table", pg, "VALUES (1) UNION ALL TABLE t", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}}},
		{"prepare as", pg, "PREPARE q (int) AS UPDATE t SET a = $1", facts{Command: "PREPARE", Tables: []string{"t"}, Params: 1}},
		{"create rule", pg, "CREATE RULE r AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (new.a)", facts{Command: "CREATE", Object: "RULE", Tables: []string{"v", "t"}}},
		{"drop rule", pg, "DROP RULE IF EXISTS r ON t", facts{Command: "DROP", Object: "RULE", Tables: []string{"t"}}},
		{"explain with", pg, "EXPLAIN WITH x AS (SELECT 1) DELETE FROM t USING x", facts{Command: "EXPLAIN", Tables: []string{"t"}}},
		{"nested with main verb", pg, "SELECT * FROM (WITH x AS (SELECT 1) UPDATE t SET a = 1 RETURNING *) s", facts{Command: "SELECT", Tables: []string{"t"}}},
		{"is distinct from", pg, "SELECT * FROM t WHERE a IS DISTINCT FROM b", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}}},
		{"subquery tables", pg, "SELECT * FROM (SELECT * FROM a) x, b WHERE c IN (SELECT d FROM e)", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"a", "b", "e"}}},
		{"quoted and U& tables", pg, `SELECT * FROM "My"."Tab", U&"d\0061t" /**/ . x`, facts{Command: "SELECT", ReadOnly: true, Tables: []string{"My.Tab", "dat.x"}}},
		{"table with dot in name quoted", pg, `SELECT * FROM "a.b"`, facts{Command: "SELECT", ReadOnly: true, Tables: []string{`"a.b"`}}},
		{"dedupe", pg, "SELECT * FROM t JOIN t ON true", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}}},
		{"cte not a table", pg, "WITH x AS (SELECT * FROM t) SELECT * FROM x", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}}},
		{"data-modifying cte", pg, "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", facts{Command: "SELECT", Tables: []string{"t"}}},
		{"with main delete", pg, "WITH x AS (SELECT 1) DELETE FROM t WHERE a IN (SELECT * FROM x)", facts{Command: "DELETE", Tables: []string{"t"}, HasWhere: true}},
		{"insert", pg, "INSERT INTO s.t (a) VALUES ($1) RETURNING id", facts{Command: "INSERT", Tables: []string{"s.t"}, Params: 1}},
		{"insert select", pg, "INSERT INTO t SELECT * FROM u", facts{Command: "INSERT", Tables: []string{"t", "u"}}},
		{"update", pg, "UPDATE t SET a = $2 WHERE id = $1", facts{Command: "UPDATE", Tables: []string{"t"}, HasWhere: true, Params: 2}},
		{"update from", pg, "UPDATE t SET a = u.a FROM u WHERE t.id = u.id", facts{Command: "UPDATE", Tables: []string{"t", "u"}, HasWhere: true}},
		{"update without where", pg, "UPDATE t SET a = 1", facts{Command: "UPDATE", Tables: []string{"t"}}},
		{"delete subquery where only", pg, "DELETE FROM t USING (SELECT * FROM u WHERE x) s", facts{Command: "DELETE", Tables: []string{"t", "u"}}},
		{"delete using", pg, "DELETE FROM t USING u WHERE t.a = u.a", facts{Command: "DELETE", Tables: []string{"t", "u"}, HasWhere: true}},
		{"merge", pg, "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", facts{Command: "MERGE", Tables: []string{"t", "s"}}},
		{"copy", pg, "COPY t (a, b) FROM STDIN", facts{Command: "COPY", Tables: []string{"t"}}},
		{"copy query", pg, "COPY (SELECT * FROM t) TO STDOUT", facts{Command: "COPY", Tables: []string{"t"}}},
		{"truncate", pg, "TRUNCATE TABLE a, ONLY b", facts{Command: "TRUNCATE", Object: "TABLE", Tables: []string{"a", "b"}}},
		{"create table", pg, "CREATE TABLE IF NOT EXISTS s.t (id int REFERENCES u(id))", facts{Command: "CREATE", Object: "TABLE", Tables: []string{"s.t", "u"}}},
		{"create index", pg, "CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY t (a)", facts{Command: "CREATE", Object: "INDEX", Tables: []string{"t"}}},
		{"create matview", pg, "CREATE MATERIALIZED VIEW v AS SELECT * FROM t", facts{Command: "CREATE", Object: "MATERIALIZED VIEW", Tables: []string{"v", "t"}}},
		{"drop tables", pg, "DROP TABLE IF EXISTS a, b CASCADE", facts{Command: "DROP", Object: "TABLE", Tables: []string{"a", "b"}}},
		{"create role", pg, "CREATE ROLE admin", facts{Command: "CREATE", Object: "ROLE"}},
		{"create function", pg, "CREATE OR REPLACE FUNCTION f(a int) RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql", facts{Command: "CREATE", Object: "FUNCTION"}},
		{"alter table", pg, "ALTER TABLE ONLY t ADD COLUMN c int", facts{Command: "ALTER", Object: "TABLE", Tables: []string{"t"}}},
		{"alter table rename", pg, "ALTER TABLE IF EXISTS t RENAME TO u", facts{Command: "ALTER", Object: "TABLE", Tables: []string{"t", "u"}}},
		{"create extension", pg, "CREATE EXTENSION IF NOT EXISTS pgcrypto", facts{Command: "CREATE", Object: "EXTENSION"}},
		{"grant on table", pg, "GRANT SELECT, UPDATE (a) ON TABLE a, b TO r", facts{Command: "GRANT", Object: "TABLE", Tables: []string{"a", "b"}}},
		{"grant role", pg, "GRANT admin TO bob", facts{Command: "GRANT", Object: "ROLE"}},
		{"set", pg, "SET search_path TO public", facts{Command: "SET"}},
		{"lock", pg, "LOCK TABLE a, b IN ACCESS EXCLUSIVE MODE", facts{Command: "LOCK", Tables: []string{"a", "b"}}},
		{"vacuum", pg, "VACUUM (VERBOSE) a, b (c)", facts{Command: "VACUUM", Tables: []string{"a", "b"}}},
		{"call", pg, "CALL p(1)", facts{Command: "CALL", Funcs: []string{"p"}}},
		{"do", pg, "DO $$ BEGIN END $$", facts{Command: "DO"}},
		{"explain select", pg, "EXPLAIN SELECT * FROM t", facts{Command: "EXPLAIN", ReadOnly: true, Tables: []string{"t"}}},
		{"explain analyze delete", pg, "EXPLAIN ANALYZE DELETE FROM t", facts{Command: "EXPLAIN", Tables: []string{"t"}}},
		{"table command", pg, "TABLE t", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}}},
		{"values command", pg, "VALUES (1), (2)", facts{Command: "SELECT", ReadOnly: true}},
		{"parenthesised select", pg, "(SELECT 1) UNION (SELECT 2)", facts{Command: "SELECT", ReadOnly: true}},
		{"begin", pg, "BEGIN", facts{Command: "BEGIN"}},
		{"show", pg, "SHOW search_path", facts{Command: "SHOW", ReadOnly: true}},
		{"refresh matview", pg, "REFRESH MATERIALIZED VIEW CONCURRENTLY s.v", facts{Command: "REFRESH", Object: "MATERIALIZED VIEW", Tables: []string{"s.v"}}},
		{"comment on table", pg, "COMMENT ON TABLE t IS 'x'", facts{Command: "COMMENT", Object: "TABLE", Tables: []string{"t"}}},
		{"comment on column", pg, "COMMENT ON COLUMN t.c IS 'x'", facts{Command: "COMMENT", Object: "COLUMN"}},
		{"reindex table", pg, "REINDEX (VERBOSE) TABLE CONCURRENTLY t", facts{Command: "REINDEX", Object: "TABLE", Tables: []string{"t"}}},
		{"cluster", pg, "CLUSTER VERBOSE t USING i", facts{Command: "CLUSTER", Tables: []string{"t"}}},
		{"unknown command", pg, "CHECKPOINT", facts{Command: "CHECKPOINT"}},
		{"highest pg param", pg, "SELECT $3, $1", facts{Command: "SELECT", ReadOnly: true, Params: 3}},
		{"name truncated to 63 bytes", pg, "SELECT * FROM " + strings.Repeat("a", 70), facts{Command: "SELECT", ReadOnly: true, Tables: []string{strings.Repeat("a", 63)}}},

		{"my tables case", my, "SELECT * FROM Db.Users u JOIN `Orders` o", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"Db.Users", "Orders"}}},
		{"my lcn=2 folds", Options{Dialect: MySQL, LowerCaseTableNames: 2}, "SELECT * FROM Db.Users", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"db.users"}}},
		{"my insert no into", my, "INSERT IGNORE t (a) VALUES (?)", facts{Command: "INSERT", Tables: []string{"t"}, Params: 1}},
		{"my replace", my, "REPLACE INTO t VALUES (1)", facts{Command: "REPLACE", Tables: []string{"t"}}},
		{"my replace function", my, "SELECT replace(a, 'x', 'y') FROM t", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}, Funcs: []string{"replace"}}},
		{"my multi update", my, "UPDATE a, b SET a.x = b.x WHERE a.id = b.id", facts{Command: "UPDATE", Tables: []string{"a", "b"}, HasWhere: true}},
		{"my lock in share mode", my, "SELECT * FROM t LOCK IN SHARE MODE", facts{Command: "SELECT", Tables: []string{"t"}}},
		{"my into outfile", my, "SELECT * FROM t INTO OUTFILE '/tmp/x'", facts{Command: "SELECT", Tables: []string{"t"}}},
		{"my on duplicate values()", my, "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)", facts{Command: "INSERT", Tables: []string{"t"}, Funcs: []string{"values"}}},
		{"my describe", my, "DESCRIBE Users", facts{Command: "DESCRIBE", ReadOnly: true, Tables: []string{"Users"}}},
		{"my params", my, "SELECT ? FROM t WHERE a IN (?, ?)", facts{Command: "SELECT", ReadOnly: true, Tables: []string{"t"}, Params: 3}},

		{"sqlite tables fold", lite, `SELECT * FROM "Users" JOIN [Orders]`, facts{Command: "SELECT", ReadOnly: true, Tables: []string{"users", "orders"}}},
		{"sqlite params numbering", lite, "SELECT ?, ?5, :a, :a, ?", facts{Command: "SELECT", ReadOnly: true, Params: 7}},
		{"sqlite insert or replace", lite, "INSERT OR REPLACE INTO t (a) VALUES (1)", facts{Command: "INSERT", Tables: []string{"t"}}},
		{"sqlite pragma", lite, "PRAGMA journal_mode = WAL", facts{Command: "PRAGMA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := mustNormalize(t, tc.opts, tc.sql)
			got := facts{st.Command, st.Object, st.ReadOnly, st.Tables, st.Functions, st.HasWhere, st.Params}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("facts of %q\n got %+v\nwant %+v\ntext %q", tc.sql, got, tc.want, st.Text)
			}
		})
	}
}

func TestLiterals(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		sql  string
		want []string
	}{
		{"pg decoded in order", pg, `SELECT 'it''s', E'a\nb\x41\101\u00e9', U&'d\0061t', $q$raw\$q$, -5, 1.5e3 FROM t WHERE a IN (1, 2)`, []string{"it's", "a\nbAAé", "dat", `raw\`, "-5", "1.5e3", "1", "2"}},
		{"pg nss off", pgNSS, `SELECT 'a\tb'`, []string{"a\tb"}},
		{"pg nss on keeps backslash", pg, `SELECT 'a\tb'`, []string{`a\tb`}},
		{"pg continuation", pg, "SELECT 'a'\n'b'", []string{"ab"}},
		{"pg U& UESCAPE", pg, `SELECT U&'!+01F600x' UESCAPE '!'`, []string{"\U0001F600x"}},
		{"pg surrogate pair", pg, `SELECT U&'\D83D\DE00'`, []string{"\U0001F600"}},
		{"pg bit string as written", pg, "SELECT b'01'", []string{"B'01'"}},
		{"pg bit string continued", pg, "SELECT X'0F' -- c\n 'F0'", []string{"X'0FF0'"}},
		{"my escapes", my, `SELECT 'a\'b\\c\n', "d""e"`, []string{"a'b\\c\n", `d"e`}},
		{"my NBE", myNBE, `SELECT 'a\'`, []string{`a\`}},
		{"my adjacent", my, "SELECT 'a' 'b'", []string{"ab"}},
		{"sqlite", lite, "SELECT 'a''b', X'FF'", []string{"a'b", "X'FF'"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := mustNormalize(t, tc.opts, tc.sql)
			if !reflect.DeepEqual(st.Literals, tc.want) {
				t.Errorf("Literals %q, want %q", st.Literals, tc.want)
			}
		})
	}
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		sql    string
		kind   Kind
		offset int
	}{
		{"no dialect", Options{}, "SELECT 1", KindDialect, 0},
		{"unknown dialect", Options{Dialect: "oracle"}, "SELECT 1", KindDialect, 0},
		{"empty", pg, "  -- nothing\n", KindEmpty, 0},
		{"only semicolon", pg, " ;", KindEmpty, 1},
		{"NUL", pg, "SELECT 1\x00", KindNUL, 8},
		{"NUL in mysql string", my, "SELECT 'a\x00'", KindNUL, 9},
		{"invalid utf8", pg, "SELECT '\xbf\\'", KindEncoding, 8},
		{"two statements", pg, "SELECT 1; SELECT 2", KindMultiple, 10},
		{"two semicolons", pg, "SELECT 1;;", KindMultiple, 9},
		{"pg unterminated string", pg, "SELECT 'abc", KindUnterminated, 7},
		{"pg unterminated E string", pg, `SELECT E'ab\'`, KindUnterminated, 7},
		{"pg unterminated ident", pg, `SELECT "ab`, KindUnterminated, 7},
		{"pg unterminated nested comment", pg, "SELECT 1 /* /* */ ", KindUnterminated, 9},
		{"pg unterminated dollar", pg, "SELECT $a$ x $b$", KindUnterminated, 7},
		{"pg dollar other tag does not close", pg, "SELECT $a$ x $ab$; DROP TABLE t; $b$", KindUnterminated, 7},
		{"pg zero-length ident", pg, `SELECT ""`, KindToken, 7},
		{"pg param junk", pg, "SELECT $1abc", KindToken, 7},
		{"pg number junk", pg, "SELECT 123abc", KindToken, 7},
		{"pg hex junk", pg, "SELECT 0x1G", KindToken, 7},
		{"pg empty hex", pg, "SELECT 0x", KindToken, 7},
		{"pg trailing underscore", pg, "SELECT 100_", KindToken, 7},
		{"pg double underscore", pg, "SELECT 100__000", KindToken, 7},
		{"pg underscore after point", pg, "SELECT 1_000._5", KindToken, 7},
		{"pg real fail", pg, "SELECT 1e", KindToken, 7},
		{"pg real fail sign", pg, "SELECT 1e+", KindToken, 7},
		{"pg lone dollar", pg, "SELECT $", KindToken, 7},
		{"pg backslash", pg, `SELECT \x`, KindToken, 7},
		{"pg bad U& escape", pg, `SELECT U&'\00zz'`, KindToken, 7},
		{"pg bad UESCAPE char", pg, `SELECT U&'x' UESCAPE 'a'`, KindToken, 21},
		{"pg U& string with scs off", pgNSS, `SELECT U&'\0041'`, KindToken, 7},
		{"pg unbalanced parens", pg, "SELECT (1", KindSyntax, 7},
		{"unclosed paren before trailing semicolon", pg, "SELECT (1;", KindSyntax, 7},
		{"unclosed bracket before trailing semicolon", pg, "SELECT a[1;", KindSyntax, 8},
		{"stray close before trailing semicolon", pg, "SELECT 1);", KindSyntax, 8},
		{"mismatched close before trailing semicolon", pg, "SELECT a[1);", KindSyntax, 10},
		{"stray close then second statement", pg, "SELECT 1); SELECT 2", KindMultiple, 11},
		{"unclosed paren then second statement", pg, "SELECT (1; SELECT 2", KindMultiple, 11},
		{"brackets after semicolon", pg, "SELECT 1; )", KindMultiple, 10},
		{"balanced then semicolon", pg, "SELECT (1) ; (", KindMultiple, 13},
		{"pg not a keyword start", pg, "1 + 1", KindSyntax, 0},
		{"my executable comment", my, "SELECT 1 /*! UNION SELECT 2 */", KindExecutable, 9},
		{"my versioned executable comment", my, "SELECT 1 /*!50000 UNION */", KindExecutable, 9},
		{"mariadb executable comment", my, "SELECT 1 /*M! UNION */", KindExecutable, 9},
		{"my ansi quoted variable has no escapes", myANSI, `SELECT @"a\"; DROP TABLE t; -- "`, KindMultiple, 14},
		{"my hint", my, "SELECT /*+ BKA(t) */ 1", KindExecutable, 7},
		{"my unterminated comment", my, "SELECT 1 /* x", KindUnterminated, 9},
		{"my unterminated string", my, `SELECT 'a\'`, KindUnterminated, 7},
		{"my unterminated backtick", my, "SELECT `a", KindUnterminated, 7},
		{"my dashdash no space", my, "SELECT 1--1; DROP TABLE t", KindMultiple, 13},
		{"sqlite unterminated bracket", lite, "SELECT [a", KindUnterminated, 7},
		{"sqlite unterminated comment", lite, "SELECT 1 /* x", KindUnterminated, 9},
		{"sqlite number junk", lite, "SELECT 1abc", KindToken, 7},
		{"sqlite tcl param", lite, "SELECT $a::b", KindToken, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustReject(t, tc.opts, tc.sql, tc.kind, tc.offset)
		})
	}
}

func TestFingerprintPairs(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		a, b string
		same bool
	}{
		{"whitespace", pg, "SELECT a FROM t", "SELECT  a\n\tFROM   t", true},
		{"comments", pg, "SELECT a FROM t", "SELECT /* x */ a -- y\nFROM t", true},
		{"keyword case", pg, "SELECT a FROM t", "select a from t", true},
		{"identifier case", pg, "SELECT a FROM t", "SELECT A FROM T", true},
		{"literal vs param", pg, "SELECT * FROM t WHERE a = 5", "SELECT * FROM t WHERE a = $1", true},
		{"string vs param", pg, "SELECT * FROM t WHERE a = 'x'", "SELECT * FROM t WHERE a = $7", true},
		{"negative literal vs param", pg, "SELECT * FROM t WHERE a = -5", "SELECT * FROM t WHERE a = $1", true},
		{"IN list length", pg, "SELECT * FROM t WHERE a IN (1)", "SELECT * FROM t WHERE a IN (1, 2, $3)", true},
		{"VALUES rows", pg, "INSERT INTO t VALUES (1, 2)", "INSERT INTO t VALUES (3, 4), (5, 6)", true},
		{"ARRAY length", pg, "SELECT ARRAY[1]", "SELECT ARRAY[1, 2]", true},
		{"trailing semicolon", pg, "SELECT 1", "SELECT 1;", true},
		{"users vs users99", pg, "SELECT * FROM users", "SELECT * FROM users99", false},
		{"quoted case", pg, `SELECT * FROM "Users"`, "SELECT * FROM users", false},
		{"alias", pg, "SELECT a FROM t x", "SELECT a FROM t y", false},
		{"column alias", pg, "SELECT a AS x FROM t", "SELECT a AS y FROM t", false},
		{"column order", pg, "SELECT a, b FROM t", "SELECT b, a FROM t", false},
		{"argument order", pg, "SELECT f(a, b)", "SELECT f(b, a)", false},
		{"table twice", pg, "SELECT * FROM t", "SELECT * FROM t, t", false},
		{"limit 1 vs all", pg, "SELECT * FROM t LIMIT 1", "SELECT * FROM t LIMIT ALL", false},
		{"added predicate", pg, "SELECT * FROM t WHERE a = 1", "SELECT * FROM t WHERE a = 1 AND b = 2", false},
		{"delete where", pg, "DELETE FROM t", "DELETE FROM t WHERE a = 1", false},
		{"order by position", pg, "SELECT a, b FROM t ORDER BY 1", "SELECT a, b FROM t ORDER BY 2", false},
		{"my builtin vs stored function", my, "SELECT abs(1)", "SELECT abs (1)", false},
		{"set role", pg, "SET ROLE reader", "SET ROLE admin", false},
		{"set role literal", pg, "SET ROLE 'reader'", "SET ROLE 'admin'", false},
		{"set_config setting", pg, "SELECT set_config('application_name', 'x', false)", "SELECT set_config('role', 'admin', false)", false},
		{"set_config value", pg, "SELECT set_config('role', 'reader', false)", "SELECT set_config('role', 'admin', false)", false},
		{"set_config qualified value", pg, "SELECT pg_catalog.set_config('role', 'reader', false)", "SELECT pg_catalog.set_config('role', 'admin', false)", false},
		{"set_config keeps only its own literals", pg, "SELECT set_config('role', 'r', false) FROM t WHERE a = 1", "SELECT set_config('role', 'r', false) FROM t WHERE a = 2", true},
		{"do body", pg, "DO $$ SELECT 1 $$", "DO $$ DROP TABLE t $$", false},
		{"param vs jsonb ?", pg, "SELECT a ? b FROM t", "SELECT a $1 b FROM t", false},
		{"binary minus vs literal", pg, "SELECT a - 1 FROM t", "SELECT a 1 FROM t", false},
		{"IN list vs two lists", pg, "SELECT * FROM t WHERE a IN (1, 2)", "SELECT * FROM t WHERE a IN (1)", true},
		{"IN list vs subquery", pg, "SELECT * FROM t WHERE a IN (1)", "SELECT * FROM t WHERE a IN (SELECT 1)", false},
		{"dialects differ", pg, "SELECT 1", "SELECT 1", true},
		{"my table case", my, "SELECT * FROM Users", "SELECT * FROM users", false},
		{"my column case", my, "SELECT ID FROM t", "SELECT id FROM t", true},
		{"my alias case", my, "SELECT x.a FROM t X", "SELECT x.a FROM t x", false},
		{"my keyword-named table case", my, "SELECT * FROM Status", "SELECT * FROM status", false},
		{"my lcn=1 table case", Options{Dialect: MySQL, LowerCaseTableNames: 1}, "SELECT * FROM Users", "SELECT * FROM users", true},
		{"my backtick vs ansi quotes", myANSI, "SELECT `a` FROM t", `SELECT "a" FROM t`, true},
		{"sqlite case", lite, "SELECT A FROM T", "select a from t", true},
		{"sqlite named vs positional", lite, "SELECT * FROM t WHERE a = :a", "SELECT * FROM t WHERE a = ?", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNormalize(t, tc.opts, tc.a)
			b := mustNormalize(t, tc.opts, tc.b)
			if (a.Fingerprint == b.Fingerprint) != tc.same {
				t.Errorf("same=%v, want %v\n a %q\n b %q", a.Fingerprint == b.Fingerprint, tc.same, a.Text, b.Text)
			}
		})
	}
}

func TestFingerprintFormat(t *testing.T) {
	a := mustNormalize(t, pg, "SELECT 1")
	if !strings.HasPrefix(a.Fingerprint, FingerprintVersion+":") || len(a.Fingerprint) != len(FingerprintVersion)+1+64 {
		t.Fatalf("fingerprint %q", a.Fingerprint)
	}
	// The dialect is part of the hashed input.
	b := mustNormalize(t, lite, "SELECT 1")
	if a.Text != "SELECT $0" || b.Text != "SELECT ?" {
		t.Fatalf("texts %q %q", a.Text, b.Text)
	}
	c := mustNormalize(t, my, "SELECT 1")
	if b.Text != c.Text || b.Fingerprint == c.Fingerprint {
		t.Fatalf("same text in two dialects must not share a fingerprint: %q %q", b.Fingerprint, c.Fingerprint)
	}
	// Stable across releases: a golden value for v1.
	const golden = "v1:"
	if !strings.HasPrefix(mustNormalize(t, pg, "select * from users where id = 1").Fingerprint, golden) {
		t.Fatal("version tag")
	}
}

func TestMySQLCaseSensitiveNames(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"parenthesised join", "SELECT * FROM (Users JOIN o ON true)", "SELECT * FROM (users JOIN o ON true)"},
		{"straight_join", "SELECT * FROM a STRAIGHT_JOIN Users", "SELECT * FROM a STRAIGHT_JOIN users"},
		{"for update of", "SELECT * FROM t AS Users FOR UPDATE OF Users", "SELECT * FROM t AS Users FOR UPDATE OF users"},
		{"cte name", "WITH Cte AS (SELECT 1) SELECT * FROM Cte", "WITH cte AS (SELECT 1) SELECT * FROM Cte"},
		{"ddl keyword-named table", "RENAME TABLE Text TO x", "RENAME TABLE text TO x"},
		{"multi-table delete", "DELETE T1 FROM t1 AS T1", "DELETE t1 FROM t1 AS T1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNormalize(t, my, tc.a)
			b := mustNormalize(t, my, tc.b)
			if a.Fingerprint == b.Fingerprint {
				t.Fatalf("case-sensitive names merged: %q", a.Text)
			}
		})
	}
	st := mustNormalize(t, my, "SELECT * FROM (Users JOIN Orders ON true)")
	if !reflect.DeepEqual(st.Tables, []string{"Users", "Orders"}) {
		t.Fatalf("tables %q", st.Tables)
	}
}

func TestKeywordTable(t *testing.T) {
	if len(keywords)*2 > kwTableSize {
		t.Fatalf("%d keywords overfill the table", len(keywords))
	}
	for w, id := range keywords {
		if len(w) > maxKeywordLen {
			t.Fatalf("keyword %q longer than maxKeywordLen", w)
		}
		if got := lookupKeyword(strings.ToUpper(w)); got != id {
			t.Fatalf("lookupKeyword(%q) = %d, want %d", w, got, id)
		}
	}
	for _, w := range []string{"users", "selectx", "x", "", "sélect", strings.Repeat("a", 40)} {
		if lookupKeyword(w) != 0 {
			t.Fatalf("%q is not a keyword", w)
		}
	}
}

func TestMySQLFunctionQualifier(t *testing.T) {
	a := mustNormalize(t, my, "SELECT Db.F(1)")
	b := mustNormalize(t, my, "SELECT db.f(1)")
	if a.Fingerprint == b.Fingerprint {
		t.Fatalf("databases Db and db merged: %q", a.Text)
	}
	if a.Text != "SELECT Db.f(?)" || !reflect.DeepEqual(a.Functions, []string{"Db.f"}) {
		t.Fatalf("text %q functions %q", a.Text, a.Functions)
	}
	c := mustNormalize(t, my, "SELECT UPPER(x), upper(y) FROM t")
	if !reflect.DeepEqual(c.Functions, []string{"upper"}) {
		t.Fatalf("functions %q", c.Functions)
	}
}

func TestOrderByPositionAfterCollapsedList(t *testing.T) {
	st := mustNormalize(t, pg, "SELECT a FROM t WHERE b IN (1, 2) ORDER BY 1")
	if st.Text != "SELECT a FROM t WHERE b IN ($0) ORDER BY 1" {
		t.Fatalf("text %q", st.Text)
	}
	st = mustNormalize(t, pg, "SELECT a FROM (SELECT a FROM t ORDER BY 1) s WHERE a = 2")
	if st.Text != "SELECT a FROM (SELECT a FROM t ORDER BY 1) s WHERE a = $0" {
		t.Fatalf("text %q", st.Text)
	}
}

func TestCTEScopes(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"main statement sees the CTE", "WITH x AS (SELECT * FROM t) SELECT * FROM x", []string{"t"}},
		{"earlier body does not see a later CTE", "WITH a AS (SELECT * FROM secrets), secrets AS (SELECT 1) SELECT * FROM a", []string{"secrets"}},
		{"later body sees an earlier CTE", "WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b", nil},
		{"recursive sees itself", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r", nil},
		{"nested WITH is local", "SELECT * FROM secrets, (WITH secrets AS (SELECT 1) SELECT * FROM secrets) s", []string{"secrets"}},
		{"nested WITH inside", "SELECT * FROM (WITH x AS (SELECT * FROM t) SELECT * FROM x) s", []string{"t"}},
		{"qualified name is a table", "WITH x AS (SELECT 1) SELECT * FROM public.x", []string{"public.x"}},
		{"search clause", "WITH RECURSIVE g(id) AS (SELECT id FROM graph UNION ALL SELECT 1 FROM g) SEARCH DEPTH FIRST BY id SET ord SELECT * FROM g", []string{"graph"}},
		{"cycle clause then another CTE", "WITH RECURSIVE g(id) AS (SELECT id FROM graph) CYCLE id, x SET c USING p, h AS (SELECT * FROM g) SELECT * FROM h", []string{"graph"}},
		{"view body", "CREATE VIEW v AS WITH x AS (SELECT * FROM t) SELECT * FROM x", []string{"v", "t"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := mustNormalize(t, pg, tc.sql)
			if !reflect.DeepEqual(st.Tables, tc.want) {
				t.Fatalf("tables %q, want %q", st.Tables, tc.want)
			}
			if tc.name == "search clause" && st.Command != "SELECT" {
				t.Fatalf("command %q", st.Command)
			}
		})
	}
}

// TestNormalizeAllocations checks that a statement costs two allocations,
// its text and a Statement holding its lists, up to 132 list entries, and
// that each list keeps its own entries.
func TestNormalizeAllocations(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 15, 22, 23, 50, 82, 98, 130} {
		var b strings.Builder
		b.WriteString("SELECT ")
		for i := 0; i < n; i++ {
			b.WriteString("'x', ")
		}
		b.WriteString("f(a) FROM t") // one function and one table
		sql := b.String()
		st := mustNormalize(t, pg, sql)
		if len(st.Literals) != n || len(st.Functions) != 1 || len(st.Tables) != 1 ||
			cap(st.Functions) != 1 || cap(st.Tables) != 1 || st.Functions[0] != "f" || st.Tables[0] != "t" {
			t.Fatalf("%d literals: %d literals, functions %q, tables %q", n, len(st.Literals), st.Functions, st.Tables)
		}
		if n > 0 && cap(st.Literals) != n {
			t.Fatalf("%d literals: capacity %d", n, cap(st.Literals))
		}
		if raceEnabled {
			continue
		}
		allocs := testing.AllocsPerRun(50, func() { _, _ = Normalize(pg, sql) })
		if allocs > 2 {
			t.Errorf("%d list entries: %.1f allocations, want 2", n+2, allocs)
		}
	}
}
