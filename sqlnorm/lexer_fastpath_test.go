package sqlnorm_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// TestLexSpaceFastPath checks the PostgreSQL lexer's skip of one space
// after a word or punctuation against the main loop: every corpus input
// is lexed as written and with each space turned into a tab (the same
// offsets; a tab is never skipped early), and both must give the same
// tokens and the same error.
func TestLexSpaceFastPath(t *testing.T) {
	n := 0
	for _, inputs := range digestGroups(t) {
		for _, o := range fuzzModes[:2] { // the PostgreSQL modes
			for _, sql := range inputs {
				checkLexSpace(t, o, sql)
				n++
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d inputs compared", n)
	}
}

func checkLexSpace(t *testing.T, o sqlnorm.Options, sql string) {
	t.Helper()
	tabs := strings.ReplaceAll(sql, " ", "\t")
	a, aerr := sqlnorm.LexTokens(o, sql)
	b, berr := sqlnorm.LexTokens(o, tabs)
	if (aerr == nil) != (berr == nil) || (aerr != nil && aerr.Error() != berr.Error()) || !reflect.DeepEqual(a, b) {
		t.Fatalf("spaces and tabs lex differently for %q:\n%v %v\n%v %v", sql, a, aerr, b, berr)
	}
}

// FuzzLexSpaceFastPath is TestLexSpaceFastPath on mutated statements.
func FuzzLexSpaceFastPath(f *testing.F) {
	for _, s := range []string{
		"SELECT a, b FROM t WHERE x = 1 AND (y , z) ; ",
		"SELECT U&'x' UESCAPE '!', E'a\\ b', 'a' \n 'b', $$ $$, x::int [1] FROM s . t",
		"select f( a ) , g (b) -- c \n /* d */ from t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		checkLexSpace(t, sqlnorm.Options{Dialect: sqlnorm.Postgres}, sql)
	})
}

// TestLexerPairing checks the bracket pairing the lexer does for
// Normalize against matchParens, for every corpus input in every mode.
func TestLexerPairing(t *testing.T) {
	extra := []string{"(", ")", "[", "]", "(]", "[)", "(;", ");", "();(", "a[1](2)", "((a)[b]);", "); (", "(( ;))", "[[[[]]]];]"}
	for _, inputs := range append(mapValues(digestGroups(t)), extra) {
		for _, o := range fuzzModes {
			for _, sql := range inputs {
				if p := sqlnorm.PairingProblem(o, sql); p != "" {
					t.Fatalf("%s for %q (%s)", p, sql, modeName(o))
				}
			}
		}
	}
}

func mapValues(m map[string][]string) [][]string {
	var out [][]string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestWordsHoldNoDotOrQuote checks what qualifiedName relies on: no
// lexer puts . or " in an unquoted word, for every corpus input in every
// mode (FuzzLexerPairing checks mutations).
func TestWordsHoldNoDotOrQuote(t *testing.T) {
	for _, inputs := range digestGroups(t) {
		for _, o := range fuzzModes {
			for _, sql := range inputs {
				if p := wordProblem(o, sql); p != "" {
					t.Fatal(p)
				}
			}
		}
	}
}

func wordProblem(o sqlnorm.Options, sql string) string {
	toks, err := sqlnorm.LexTokens(o, sql)
	if err != nil {
		return ""
	}
	for _, tk := range toks {
		if w := sql[tk[0]:tk[1]]; sqlnorm.IsWordKind(tk[2]) && strings.ContainsAny(w, `."`) {
			return fmt.Sprintf("word %q in %q (%s)", w, sql, modeName(o))
		}
	}
	return ""
}

// FuzzLexerPairing is TestLexerPairing on mutated statements.
func FuzzLexerPairing(f *testing.F) {
	addInEveryMode(f, "SELECT a[1], (b) FROM t WHERE x IN (1, (2)) ; ", "SELECT (1; SELECT ]", "SELECT f(a[(1)]) )")
	f.Fuzz(func(t *testing.T, mode byte, sql string) {
		o := fuzzMode(mode)
		if p := sqlnorm.PairingProblem(o, sql); p != "" {
			t.Fatalf("%s for %q (%s)", p, sql, modeName(o))
		}
		if p := wordProblem(o, sql); p != "" {
			t.Fatal(p)
		}
	})
}
