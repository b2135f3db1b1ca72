package sqlnorm

import "testing"

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
	toks, err := lex(&opts, sql, nil)
	out := make([][6]int, len(toks))
	for i, t := range toks {
		out[i] = [6]int{int(t.start), int(t.end), int(t.kind), int(t.sub), int(t.kw), int(t.pnum)}
	}
	if err != nil {
		return out, err
	}
	return out, nil
}
