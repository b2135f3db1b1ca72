package sqlnorm

import "testing"

// TestPGOneByteOperatorFastPath checks the PostgreSQL lexer's fast path
// for an operator character that no other follows against pgOperator, the
// general code: every operator character, followed by every byte value.
func TestPGOneByteOperatorFastPath(t *testing.T) {
	for c := 0; c < 256; c++ {
		if !pgOpChar(byte(c)) {
			continue
		}
		for b := 0; b < 256; b++ {
			for _, src := range []string{"a" + string(rune(c)), "a" + string([]byte{byte(c), byte(b)}) + "b"} {
				toks, _, err := lex(&Options{Dialect: Postgres}, src, nil, nil, nil)
				if err != nil {
					continue // a NUL or invalid UTF-8: refused before lexing
				}
				// Where the general code puts the operator that starts at 1
				// (unless a comment starts there).
				if src[1:min(3, len(src))] == "--" || src[1:min(3, len(src))] == "/*" {
					continue
				}
				l := lexer{src: src, opts: Options{Dialect: Postgres}}
				end := l.pgOperator(1)
				if len(toks) < 2 || toks[1].kind != tOp || toks[1].start != 1 || int(toks[1].end) != end {
					t.Fatalf("%q: tokens %v, pgOperator ends the operator at %d", src, toks, end)
				}
			}
		}
	}
}
