package sqlnorm

import (
	"strings"
	"testing"
)

// TestTypeName checks that typeName's switch and the typeNames list agree,
// in lower and upper case, on every type name, keyword, function name and
// a few other words.
func TestTypeName(t *testing.T) {
	want := map[string]bool{}
	for _, n := range typeNames {
		if len(n) < 3 || len(n) > 11 {
			t.Fatalf("typeName does not cover %q (length %d)", n, len(n))
		}
		want[n] = true
	}
	words := []string{"", "va", "varchar2", "timestamptzz", "x", "sum", "coalesce", "chars", "in"}
	words = append(words, typeNames[:]...)
	for w := range keywords {
		words = append(words, w)
	}
	for w := range pureFunctions {
		words = append(words, w)
	}
	for _, w := range words {
		for _, v := range []string{w, strings.ToUpper(w)} {
			if got := typeName(v); got != want[w] {
				t.Fatalf("typeName(%q) = %v, want %v", v, got, want[w])
			}
		}
	}
}
