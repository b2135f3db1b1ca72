package sqlnorm

import (
	"fmt"
	"testing"
)

// NormalizeGeneral is Normalize with the renderer's fast paths turned off:
// the general code renders every token.
func NormalizeGeneral(opts Options, sql string) (*Statement, error) {
	st, err := normalizeWith(&opts, sql, true)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// The tests run with matchParens's poisoned entries (see poisonMatch);
// the benchmarks turn them off with Unpoisoned, to measure what runs in
// production.
func init() { poisonMatch = true }

// Unpoisoned turns poisonMatch off for the rest of b.
func Unpoisoned(b *testing.B) {
	poisonMatch = false
	b.Cleanup(func() { poisonMatch = true })
}

// LexTokens lexes sql and returns its tokens (start, end, kind, sub,
// keyword id, parameter number), for tests that compare two texts'
// tokens.
func LexTokens(opts Options, sql string) ([][6]int, error) {
	toks, _, err := lex(&opts, sql, nil, nil, nil)
	out := make([][6]int, len(toks))
	for i, t := range toks {
		out[i] = [6]int{int(t.start), int(t.end), int(t.kind), int(t.sub), int(t.kw), int(t.pnum)}
	}
	if err != nil {
		return out, err
	}
	return out, nil
}

// PairingProblem compares the lexer's bracket pairing for sql with
// matchParens's on the same tokens; it describes the first difference,
// or returns "".
func PairingProblem(opts Options, sql string) string {
	toks, br, err := lex(&opts, sql, nil, nil, nil)
	if err != nil {
		return ""
	}
	match, end, bad := matchParens(toks, nil)
	wantBad := -1
	if bad != nil {
		wantBad = int(bad.start)
		for i := range toks {
			if &toks[i] == bad {
				wantBad = i
			}
		}
	}
	if br.end != end || br.bad != wantBad {
		return fmt.Sprintf("lexer: end %d, bad %d; matchParens: end %d, bad %d", br.end, br.bad, end, wantBad)
	}
	if wantBad >= 0 {
		return ""
	}
	for i := 0; i < end; i++ {
		if k := toks[i].kind; k >= tLParen && k <= tRBrack && br.match[i] != match[i] {
			return fmt.Sprintf("token %d: lexer pairs it with %d, matchParens with %d", i, br.match[i], match[i])
		}
	}
	return ""
}

// IsWordKind reports whether a kind from LexTokens is an unquoted word.
func IsWordKind(k int) bool { return tokKind(k) == tWord }
