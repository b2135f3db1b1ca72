package sqlnorm

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestAppendFolded compares the eight-bytes-at-a-time case folding with
// bytes.ToUpper/ToLower restricted to ASCII, for every byte value in every
// position of words of every length up to 17.
func TestAppendFolded(t *testing.T) {
	ref := func(s string, upper bool) string {
		b := []byte(s)
		for i, c := range b {
			if upper && c >= 'a' && c <= 'z' {
				b[i] = c - 32
			} else if !upper && c >= 'A' && c <= 'Z' {
				b[i] = c + 32
			}
		}
		return string(b)
	}
	for n := 1; n <= 17; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				w := bytes.Repeat([]byte{'m'}, n)
				w[pos] = byte(c)
				for _, upper := range []bool{true, false} {
					prefix := []byte("x ")
					got := appendFolded(prefix, string(w), upper)
					want := "x " + ref(string(w), upper)
					if string(got) != want {
						t.Fatalf("appendFolded(%q, upper=%v) = %q, want %q", w, upper, got, want)
					}
				}
			}
		}
	}
}

// TestWordAt checks the direct eight-byte path of wordAt (word well inside
// the text) and its fallback (word near the end) against word.
func TestWordAt(t *testing.T) {
	src := "SeLeCt Ab_$9 x \xc3\x89tat ThisIsALongerIdentifier_0123 é END"
	for start := 0; start < len(src); start++ {
		for end := start + 1; end <= len(src) && end <= start+40; end++ {
			for _, upper := range []bool{true, false} {
				fold := byte('L')
				if upper {
					fold = 'U'
				}
				want := renderer{buf: []byte("p "), base: 2, last: tWord}
				want.word(src[start:end], fold, true)
				got := renderer{buf: []byte("p "), base: 2, last: tWord}
				got.wordAt(src, start, end, upper, true)
				if string(got.buf) != string(want.buf) || got.last != want.last || got.glue != want.glue {
					t.Fatalf("wordAt(%q, upper=%v) = %q, word gives %q", src[start:end], upper, got.buf, want.buf)
				}
			}
		}
	}
}

// TestAppendHex compares appendHex with encoding/hex on digests of
// every byte value.
func TestAppendHex(t *testing.T) {
	for c := 0; c < 256; c++ {
		var sum [32]byte
		for i := range sum {
			sum[i] = byte(c + i*7)
		}
		got := appendHex([]byte("v1:"), &sum)
		if want := "v1:" + hex.EncodeToString(sum[:]); string(got) != want {
			t.Fatalf("appendHex = %q, want %q", got, want)
		}
	}
}

// TestBracketKinds checks the order matchParens relies on: the four
// bracket kinds are consecutive, and no other kind lies between them.
func TestBracketKinds(t *testing.T) {
	if tRParen != tLParen+1 || tLBrack != tLParen+2 || tRBrack != tLParen+3 {
		t.Fatalf("bracket kinds %d %d %d %d are not consecutive", tLParen, tRParen, tLBrack, tRBrack)
	}
}
