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
