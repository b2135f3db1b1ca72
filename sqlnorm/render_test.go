package sqlnorm

import (
	"bytes"
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
