package sqlnorm_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// This file holds the fuzz targets and the reference splitter they and the
// corpus tests use.
//
// The reference splitter is written independently of the lexer and on
// purpose differently: it walks bytes and only tracks what can hide a
// semicolon (quotes, comments, dollar quotes, string continuation,
// parentheses). It is conservative in one direction only: whenever it is
// not sure how the server lexes something it says so (sure == false), it
// never splits inside parentheses, and it gives up on text that may hold a
// compound body (BEGIN ATOMIC, trigger and procedure bodies). So when it is
// sure and sees two statements, the server sees at least two, and
// Normalize must refuse. It is itself checked against the desync cases and
// real servers in corpus_test.go.

// refMode is the part of sqlnorm.Options the reference splitter models.
type refMode struct {
	dialect       sqlnorm.Dialect
	pgBackslash   bool // PostgreSQL standard_conforming_strings off
	myBackslash   bool // MySQL backslash escapes (no NO_BACKSLASH_ESCAPES)
	myANSIQuotes  bool // MySQL ANSI_QUOTES
	psqlMetaLines bool // psql script: a backslash outside quotes starts a meta-command
	// verbatim, if set, receives each byte range the server takes
	// verbatim: quoted strings and identifiers, comments, variables.
	verbatim func(start, end int)
}

func (m refMode) mark(start, end int) {
	if m.verbatim != nil {
		m.verbatim(start, end)
	}
}

func refModeOf(o sqlnorm.Options) refMode {
	return refMode{
		dialect:      o.Dialect,
		pgBackslash:  o.NonStandardStrings,
		myBackslash:  !o.NoBackslashEscapes,
		myANSIQuotes: o.ANSIQuotes,
	}
}

// refPiece is one statement found by the reference splitter.
type refPiece struct {
	start, end int  // byte range in the input, end after any ';'
	content    bool // holds something other than whitespace and comments
	meta       bool // ended by a psql meta-command at end
	semi       bool // ended by a semicolon
}

func refIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9'
}

func refIdentStart(c byte) bool {
	return c == '_' || c >= 0x80 || 'a' <= c|0x20 && c|0x20 <= 'z'
}

func refSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// refStatement scans one statement of sql from i. It returns the piece and
// ok == false when it met something it does not model or that is
// unterminated; then the rest of the input is unknown.
func refStatement(m refMode, sql string, i int) (p refPiece, ok bool) {
	p.start = i
	depth := 0
	n := len(sql)
	for i < n {
		c := sql[i]
		switch {
		case c == 0:
			return p, false
		case refSpace(c) || c < 0x20 || c == 0x7f:
			// Whitespace; other control bytes are no statement content
			// either (a conservative choice: they never make a split).
			i++
		case c == ';':
			if depth == 0 {
				p.end, p.semi = i+1, true
				return p, true
			}
			i++
		case c == '\\' && m.psqlMetaLines:
			p.end, p.meta = i, true
			return p, true
		case c == '-' && i+1 < n && sql[i+1] == '-' && refDashComment(m, sql, i):
			start := i
			for i < n && sql[i] != '\n' && !(m.dialect == sqlnorm.Postgres && sql[i] == '\r') {
				i++
			}
			m.mark(start, i)
		case c == '#' && m.dialect == sqlnorm.MySQL:
			start := i
			for i < n && sql[i] != '\n' {
				i++
			}
			m.mark(start, i)
		case c == '/' && i+1 < n && sql[i+1] == '*':
			if m.dialect == sqlnorm.MySQL && i+2 < n && (sql[i+2] == '!' || sql[i+2] == '+' ||
				sql[i+2] == 'M' && i+3 < n && sql[i+3] == '!') {
				return p, false // executable comment or optimizer hint
			}
			end, ok := refBlockComment(m, sql, i)
			if !ok {
				return p, false
			}
			m.mark(i, end)
			i = end
		default:
			p.content = true
			switch {
			case c == '(':
				depth++
				i++
			case c == ')':
				if depth > 0 {
					depth--
				}
				i++
			case c == '\'':
				end, ok := refStringRun(m, sql, i, m.dialect == sqlnorm.Postgres && m.pgBackslash ||
					m.dialect == sqlnorm.MySQL && m.myBackslash)
				if !ok {
					return p, false
				}
				m.mark(i, end)
				i = end
			case c == '"':
				var end int
				var ok bool
				if m.dialect == sqlnorm.MySQL && !m.myANSIQuotes {
					end, ok = refQuoted(sql, i, '"', m.myBackslash)
				} else {
					end, ok = refQuoted(sql, i, '"', false)
				}
				if !ok {
					return p, false
				}
				m.mark(i, end)
				i = end
			case c == '`' && m.dialect != sqlnorm.Postgres:
				end, ok := refQuoted(sql, i, '`', false)
				if !ok {
					return p, false
				}
				m.mark(i, end)
				i = end
			case c == '[' && m.dialect == sqlnorm.SQLite:
				j := strings.IndexByte(sql[i+1:], ']')
				if j < 0 {
					return p, false
				}
				m.mark(i, i+j+2)
				i += j + 2
			case c == '$' && m.dialect == sqlnorm.Postgres:
				end, ok := refDollar(sql, i)
				if !ok {
					return p, false
				}
				m.mark(i, end)
				i = end
			case m.dialect == sqlnorm.SQLite && (c == '$' || c == '@' || c == ':' || c == '#'):
				end, ok := refSQLiteVariable(sql, i)
				if !ok {
					return p, false
				}
				m.mark(i, end)
				i = end
			case '0' <= c && c <= '9' && m.dialect == sqlnorm.Postgres:
				for i < n && '0' <= sql[i] && sql[i] <= '9' {
					i++
				}
			case refIdentStart(c) || '0' <= c && c <= '9':
				j := i
				for j < n && refIdentByte(sql[j]) {
					j++
				}
				word := sql[i:j]
				i = j
				if refCompoundWord(m.dialect, word) {
					// A compound body (BEGIN ATOMIC ... END, a trigger or
					// procedure body) holds semicolons inside one statement.
					return p, false
				}
				if i >= n || m.dialect != sqlnorm.Postgres {
					break
				}
				// PostgreSQL string prefixes change how the string lexes.
				switch {
				case sql[i] == '\'' && (word == "E" || word == "e"):
					end, ok := refStringRun(m, sql, i, true)
					if !ok {
						return p, false
					}
					m.mark(i, end)
					i = end
				case sql[i] == '\'' && (strings.EqualFold(word, "B") || strings.EqualFold(word, "X")):
					end, ok := refStringRun(m, sql, i, false)
					if !ok {
						return p, false
					}
					m.mark(i, end)
					i = end
				case sql[i] == '&' && strings.EqualFold(word, "U") && i+1 < n && (sql[i+1] == '\'' || sql[i+1] == '"'):
					if sql[i+1] == '\'' && m.pgBackslash && !m.psqlMetaLines {
						// The server refuses U&'' here; psql, splitting a
						// script, lexes it without backslash escapes.
						return p, false
					}
					var end int
					var ok bool
					if sql[i+1] == '\'' {
						end, ok = refStringRun(m, sql, i+1, false)
					} else {
						end, ok = refQuoted(sql, i+1, '"', false)
					}
					if !ok {
						return p, false
					}
					m.mark(i, end)
					i = end
				}
			default:
				i++
			}
		}
	}
	p.end = n
	return p, true
}

// refCompoundWord reports whether word may open a compound statement body
// in which the server does not end the statement at a semicolon.
func refCompoundWord(d sqlnorm.Dialect, word string) bool {
	switch d {
	case sqlnorm.Postgres:
		return strings.EqualFold(word, "ATOMIC")
	case sqlnorm.SQLite:
		return strings.EqualFold(word, "TRIGGER")
	case sqlnorm.MySQL:
		return strings.EqualFold(word, "BEGIN")
	}
	return false
}

// refDashComment reports whether the "--" at i starts a comment.
func refDashComment(m refMode, sql string, i int) bool {
	if m.dialect != sqlnorm.MySQL {
		return true
	}
	if i+2 >= len(sql) {
		return true
	}
	c := sql[i+2]
	return c <= ' ' || c == 0x7f
}

// refBlockComment returns the index after the block comment at i.
func refBlockComment(m refMode, sql string, i int) (int, bool) {
	depth := 0
	for i < len(sql) {
		switch {
		case strings.HasPrefix(sql[i:], "/*") && (depth == 0 || m.dialect == sqlnorm.Postgres):
			depth++
			i += 2
		case strings.HasPrefix(sql[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i, true
			}
		default:
			i++
		}
	}
	return 0, false
}

// refQuoted returns the index after the quoted run at i closed by q, where
// a doubled q stands for itself and, if backslash, "\x" for x.
func refQuoted(sql string, i int, q byte, backslash bool) (int, bool) {
	for j := i + 1; j < len(sql); j++ {
		switch sql[j] {
		case '\\':
			if backslash {
				j++
			}
		case q:
			if j+1 < len(sql) && sql[j+1] == q {
				j++
				continue
			}
			return j + 1, true
		}
	}
	return 0, false
}

// refStringRun scans a string literal at i and, for PostgreSQL, the
// segments that continue it: a quote after whitespace holding a newline
// continues the same string, in the same escape mode.
func refStringRun(m refMode, sql string, i int, backslash bool) (int, bool) {
	for {
		end, ok := refQuoted(sql, i, '\'', backslash)
		if !ok || m.dialect != sqlnorm.Postgres {
			return end, ok
		}
		next, cont := refContinuation(sql, end)
		if !cont {
			return end, true
		}
		i = next
	}
}

// refContinuation reports whether a quote at i continues the string that
// just ended, returning the index of the continuing quote. PostgreSQL
// allows spaces and -- comments before a newline, then any whitespace and
// -- comments, but no block comment.
func refContinuation(sql string, i int) (int, bool) {
	newline := false
	for i < len(sql) {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\f' || c == '\v':
			i++
		case c == '\n' || c == '\r':
			newline = true
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' && sql[i] != '\r' {
				i++
			}
			if i >= len(sql) {
				return 0, false
			}
		case c == '\'':
			return i, newline
		default:
			return 0, false
		}
	}
	return 0, false
}

// refDollar handles "$" in PostgreSQL: a parameter, a dollar-quoted
// string, or an operator-ish lone "$".
func refDollar(sql string, i int) (int, bool) {
	j := i + 1
	if j < len(sql) && '0' <= sql[j] && sql[j] <= '9' {
		for j < len(sql) && '0' <= sql[j] && sql[j] <= '9' {
			j++
		}
		return j, true
	}
	if j < len(sql) && refIdentStart(sql[j]) {
		for j < len(sql) && sql[j] != '$' && refIdentByte(sql[j]) {
			j++
		}
	}
	if j >= len(sql) || sql[j] != '$' {
		return i + 1, true
	}
	delim := sql[i : j+1]
	k := strings.Index(sql[j+1:], delim)
	if k < 0 {
		return 0, false
	}
	return j + 1 + k + len(delim), true
}

// refSQLiteVariable scans a SQLite variable ($x, @x, :x, #x). With TCL
// variable syntax, the default build, "$x(...)" runs to the first space or
// ")" and may hold anything else, quotes and semicolons included.
func refSQLiteVariable(sql string, i int) (int, bool) {
	n := 0
	j := i + 1
	for j < len(sql) {
		c := sql[j]
		switch {
		case refIdentByte(c):
			n++
			j++
		case c == '(' && n > 0:
			j++
			for j < len(sql) && !refSpace(sql[j]) && sql[j] != ')' {
				j++
			}
			if j < len(sql) && sql[j] == ')' {
				return j + 1, true
			}
			return 0, false // illegal token
		case c == ':' && j+1 < len(sql) && sql[j+1] == ':':
			j += 2
		default:
			return j, true
		}
	}
	return j, true
}

// refStatements splits sql into the statements the server would see,
// keeping only those with content. sure is false when the splitter met
// something it does not model; the statements found are then a prefix.
func refStatements(o sqlnorm.Options, sql string) (stmts []string, sure bool) {
	if !utf8.ValidString(sql) {
		return nil, false
	}
	m := refModeOf(o)
	for i := 0; i < len(sql); {
		p, ok := refStatement(m, sql, i)
		if !ok {
			return stmts, false
		}
		if p.content {
			stmts = append(stmts, sql[p.start:p.end])
		}
		i = p.end
	}
	return stmts, true
}

// fuzzModes are the option sets the fuzz targets select with their first
// argument.
var fuzzModes = []sqlnorm.Options{
	{Dialect: sqlnorm.Postgres},
	{Dialect: sqlnorm.Postgres, NonStandardStrings: true},
	{Dialect: sqlnorm.MySQL},
	{Dialect: sqlnorm.MySQL, NoBackslashEscapes: true},
	{Dialect: sqlnorm.MySQL, ANSIQuotes: true},
	{Dialect: sqlnorm.MySQL, ANSIQuotes: true, NoBackslashEscapes: true, LowerCaseTableNames: 1},
	{Dialect: sqlnorm.SQLite},
}

func fuzzMode(b byte) sqlnorm.Options { return fuzzModes[int(b)%len(fuzzModes)] }

// addInEveryMode seeds f with each of seeds in every fuzz mode.
func addInEveryMode(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		for mode := range fuzzModes {
			f.Add(byte(mode), s)
		}
	}
}

func modeIndex(tb testing.TB, o sqlnorm.Options) byte {
	tb.Helper()
	for i, m := range fuzzModes {
		if m == o {
			return byte(i)
		}
	}
	tb.Fatalf("options %+v are not a fuzz mode", o)
	return 0
}

// rejectionProblems describes what is wrong with err as a rejection of
// sql: it must be a positioned *sqlnorm.Error within the input.
func rejectionProblems(sql string, err error) []string {
	var se *sqlnorm.Error
	if !errors.As(err, &se) {
		return []string{fmt.Sprintf("rejection is %T (%v), want *sqlnorm.Error", err, err)}
	}
	var ps []string
	if !errors.Is(err, sqlnorm.ErrRejected) {
		ps = append(ps, fmt.Sprintf("errors.Is(%v, ErrRejected) is false", err))
	}
	if se.Offset < 0 || se.Offset > len(sql) {
		ps = append(ps, fmt.Sprintf("error offset %d outside the input (%d bytes): %v", se.Offset, len(sql), err))
	}
	if se.Reason == "" {
		ps = append(ps, fmt.Sprintf("error without a reason at offset %d", se.Offset))
	}
	return ps
}

// renormalizeProblems describes how the canonical text of st, normalised
// again, fails to give the same canonical text, fingerprint and facts.
func renormalizeProblems(o sqlnorm.Options, sql string, st *sqlnorm.Statement) []string {
	again, err := sqlnorm.Normalize(o, st.Text)
	if err != nil {
		return []string{fmt.Sprintf("canonical text rejected: %v\ninput:     %q\ncanonical: %q", err, sql, st.Text)}
	}
	if again.Fingerprint != st.Fingerprint || again.Text != st.Text {
		return []string{fmt.Sprintf("canonical text re-normalises differently\ninput: %q\nfirst: %q %s\nagain: %q %s",
			sql, st.Text, st.Fingerprint, again.Text, again.Fingerprint)}
	}
	if again.Command != st.Command || again.Object != st.Object || again.ReadOnly != st.ReadOnly ||
		again.HasWhere != st.HasWhere || !reflect.DeepEqual(again.Tables, st.Tables) ||
		!reflect.DeepEqual(again.Functions, st.Functions) {
		return []string{fmt.Sprintf("facts change on re-normalising\ninput: %q\nfirst: %+v\nagain: %+v", sql, st, again)}
	}
	return nil
}

// statementProblems runs every property the fuzz targets and corpus tests
// assert on one input and describes each violation.
func statementProblems(o sqlnorm.Options, sql string) []string {
	var ps []string
	st, err := sqlnorm.Normalize(o, sql)
	if p := fastPathProblem(o, sql, st, err); p != "" {
		ps = append(ps, p)
	}
	ref, sure := refStatements(o, sql)
	if err != nil {
		if st != nil {
			ps = append(ps, "Normalize returned both a statement and an error")
		}
		ps = append(ps, rejectionProblems(sql, err)...)
	} else {
		if st == nil {
			return append(ps, "Normalize returned neither statement nor error")
		}
		if sure && len(ref) >= 2 {
			ps = append(ps, fmt.Sprintf("accepted text the reference splitter sees as %d statements (%s):\n%q\nstatements: %q",
				len(ref), modeName(o), sql, ref))
		}
		if st.Dialect != o.Dialect {
			ps = append(ps, fmt.Sprintf("dialect %q, want %q", st.Dialect, o.Dialect))
		}
		if st.Command == "" {
			ps = append(ps, "accepted statement without a command")
		}
		ps = append(ps, renormalizeProblems(o, sql, st)...)
	}

	stmts, err := sqlnorm.Split(o, sql)
	if err != nil {
		return append(ps, rejectionProblems(sql, err)...)
	}
	if sure && len(stmts) < len(ref) {
		ps = append(ps, fmt.Sprintf("Split found %d statements where the reference splitter is sure of %d (%s):\n%q\nreference: %q",
			len(stmts), len(ref), modeName(o), sql, ref))
	}
	for _, s := range stmts {
		if s == nil {
			return append(ps, "Split returned a nil statement")
		}
		ps = append(ps, renormalizeProblems(o, sql, s)...)
	}
	return ps
}

// checkStatement fails tb with every problem statementProblems finds.
func checkStatement(tb testing.TB, o sqlnorm.Options, sql string) {
	tb.Helper()
	for _, p := range statementProblems(o, sql) {
		tb.Error(p)
	}
}

// checkRejection fails tb unless err is a positioned *sqlnorm.Error.
func checkRejection(tb testing.TB, sql string, err error) {
	tb.Helper()
	for _, p := range rejectionProblems(sql, err) {
		tb.Error(p)
	}
}

// checkRenormalizes fails tb unless st's canonical text is a fixed point.
func checkRenormalizes(tb testing.TB, o sqlnorm.Options, sql string, st *sqlnorm.Statement) {
	tb.Helper()
	for _, p := range renormalizeProblems(o, sql, st) {
		tb.Error(p)
	}
}

// fuzzSeeds returns seed inputs from the corpora, at most perSource from
// each source so the seed run stays short.
func fuzzSeeds(tb testing.TB, perSource int) []corpusQuery {
	tb.Helper()
	var seeds []corpusQuery
	take := func(qs []corpusQuery) {
		step := max(1, len(qs)/perSource)
		for i := 0; i < len(qs); i += step {
			seeds = append(seeds, qs[i])
		}
	}
	take(loadGoSQLLexer(tb, "postgresql", sqlnorm.Options{Dialect: sqlnorm.Postgres}))
	take(loadGoSQLLexer(tb, "mysql", sqlnorm.Options{Dialect: sqlnorm.MySQL}))
	take(loadPGRegress(tb))
	for _, o := range []sqlnorm.Options{{Dialect: sqlnorm.Postgres}, {Dialect: sqlnorm.MySQL}, {Dialect: sqlnorm.SQLite}} {
		var qs []corpusQuery
		for _, p := range loadLibinjection(tb) {
			qs = append(qs, corpusQuery{name: p.name, opts: o, sql: libinjectionTemplate(p.payload)})
		}
		take(qs)
	}
	seeds = append(seeds, loadDesyncCases(tb)...)
	return seeds
}

// FuzzNormalize checks, for every dialect and setting combination chosen by
// mode: no panic; a rejection is a positioned *Error; accepted canonical
// text re-normalises to the same fingerprint; text the reference splitter
// sees as two statements is never accepted; Split finds at least the
// statements the reference splitter is sure of.
func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds(f, 40) {
		f.Add(modeIndex(f, s.opts), s.sql)
	}
	// Hand-written seeds for the lexical traps named in the design.
	for _, s := range []struct {
		mode byte
		sql  string
	}{
		{0, "SELECT E'a'\n'\\' , '; DROP TABLE t; --'"},
		{0, "SELECT 'a'\n'\\'; DROP TABLE t; --'"},
		{0, "SELECT $a$ ; $b$ ; $a$; DROP TABLE t"},
		{0, "SELECT U&'\\0061' UESCAPE '!'; SELECT 1"},
		{0, "SELECT 1 -- c\r; DROP TABLE t"},
		{0, "SELECT 1 /* /* */ ; */ ; DROP TABLE t"},
		{0, "SELECT a$b$c; DROP TABLE t"},
		{1, "SELECT 'a\\'; DROP TABLE t; --'"},
		{2, "SELECT 1 --x; DROP TABLE t"},
		{2, "SELECT 1 #'\n; DROP TABLE t"},
		{2, "SELECT 'a\\'; DROP TABLE t; --'"},
		{3, "SELECT 'a\\'; DROP TABLE t; --'"},
		{4, `SELECT "a\"; DROP TABLE t; --"`},
		{2, "SELECT 1 --\v; DROP TABLE t"},
		{2, "SELECT 1 --\r; DROP TABLE t"},
		{2, "SELECT 1 --\u00a0; DROP TABLE t"},
		{2, "SELECT 1 # c\r; DROP TABLE t"},
		{2, "SELECT 1 /* /* */ ; DROP TABLE t"},
		{2, "SELECT N'a\\'; DROP TABLE t; -- '"},
		{2, "SELECT _binary'a\\'; DROP TABLE t; -- '"},
		{2, "SELECT `a\\`; DROP TABLE t; -- `"},
		{4, `SELECT 'a\'; DROP TABLE t; --'`},
		{0, "SELECT 1 AS é$a$; DROP TABLE t; -- $a$"},
		{0, "SELECT U&'\\0027'; DROP TABLE t; --'"},
		{0, "SELECT $1$a$; DROP TABLE t; $a$"},
		{0, "SELECT B'1\\'; DROP TABLE t; --'"},
		{1, "SELECT B'1\\'; DROP TABLE t; --'"},
		{6, "SELECT $x(';) FROM t; DROP TABLE t; --'"},
		{6, "SELECT :x::y(;) FROM t; DROP TABLE t"},
		{6, "SELECT 1 /* unterminated"},
		{6, "SELECT [a;b]; DROP TABLE t"},
		{6, "SELECT `a``;`; DROP TABLE t"},
	} {
		f.Add(s.mode, s.sql)
	}
	f.Fuzz(func(t *testing.T, mode byte, sql string) {
		checkStatement(t, fuzzMode(mode), sql)
	})
}

// FuzzInjection splices a payload into SELECT * FROM t WHERE c = '<payload>'
// as string-concatenating code would, under the dialect and settings mode
// picks, and checks what TestCorpusLibinjection checks for the
// libinjection payloads: an instance of the template keeps the approved
// fingerprint; a payload that breaks out of the literal is rejected or
// fingerprints differently; nothing the reference splitter sees as two
// statements is accepted.
func FuzzInjection(f *testing.F) {
	ps := loadLibinjection(f)
	step := max(1, len(ps)/200)
	for i := 0; i < len(ps); i += step {
		f.Add(byte(i%len(fuzzModes)), ps[i].payload)
	}
	addInEveryMode(f,
		"x'\n'\\' , '; DROP TABLE t; --",
		"x'--",
		"x'; -- ",
		"\\'; DROP TABLE t; --",
		"x' /* ",
		"x'#",
		"$$",
		"x''",
	)
	f.Fuzz(func(t *testing.T, mode byte, payload string) {
		_, problems := injectionProblems(fuzzMode(mode), payload)
		for _, p := range problems {
			t.Error(p)
		}
	})
}

// FuzzCacheAgrees checks that a Cache answers exactly as Normalize does,
// on the first call (miss) and the second (hit), for accepted and rejected
// text alike.
func FuzzCacheAgrees(f *testing.F) {
	for _, s := range fuzzSeeds(f, 10) {
		f.Add(modeIndex(f, s.opts), s.sql)
	}
	c := sqlnorm.NewCache(64, 1<<20)
	f.Fuzz(func(t *testing.T, mode byte, sql string) {
		o := fuzzMode(mode)
		want, wantErr := sqlnorm.Normalize(o, sql)
		for round := range 2 {
			got, err := c.Normalize(o, sql)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("round %d: cache error %v, Normalize error %v for %q", round, err, wantErr, sql)
			}
			if err != nil {
				checkRejection(t, sql, err)
				if err.Error() != wantErr.Error() {
					t.Fatalf("round %d: cache error %q, Normalize error %q", round, err, wantErr)
				}
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: cache %+v, Normalize %+v for %q", round, got, want, sql)
			}
		}
	})
}

// readTestdata reads a file under testdata/corpora.
func readTestdata(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpora", filepath.FromSlash(rel)))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
