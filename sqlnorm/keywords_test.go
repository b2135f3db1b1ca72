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

// TestLookupKeywordProbes compares lookupKeyword (bucket from four bytes
// with the case bit set, lengths kept in the slots) with a plain map lookup
// of the ASCII-lower-cased word: every keyword in three spellings, with
// every byte changed to each of a set of probe bytes, one byte shorter and
// one longer. The PostgreSQL lexer's inlined probe is compared too.
func TestLookupKeywordProbes(t *testing.T) {
	ref := func(w string) uint16 {
		if len(w) < 2 || len(w) > maxKeywordLen {
			return 0
		}
		b := []byte(w)
		for i, c := range b {
			b[i] = lowerTab[c]
		}
		return keywords[string(b)]
	}
	probes := []byte{'a', 'Z', '_', '$', '0', 0x7f, '@', '`', '[', '{', 0x80, 0xc3, 0xff, 'A' ^ 0x80}
	check := func(w string) {
		want := ref(w)
		if got := lookupKeyword(w); got != want {
			t.Fatalf("lookupKeyword(%q) = %d, want %d", w, got, want)
		}
		// The PostgreSQL lexer's own probe, where w lexes as one word.
		toks, _, err := lex(&Options{Dialect: Postgres}, w, nil, nil, nil)
		if err == nil && len(toks) == 1 && toks[0].kind == tWord && int(toks[0].end) == len(w) && toks[0].kw != want {
			t.Fatalf("the lexer gives %q keyword id %d, want %d", w, toks[0].kw, want)
		}
	}
	for w := range keywords {
		alt := []byte(w)
		for i := 0; i < len(alt); i += 2 {
			alt[i] = strings.ToUpper(string(alt[i]))[0]
		}
		for _, v := range []string{w, strings.ToUpper(w), string(alt)} {
			check(v)
			for i := 0; i < len(v); i++ {
				for _, c := range probes {
					b := []byte(v)
					b[i] = c
					check(string(b))
				}
			}
			check(v[:len(v)-1])
			check(v + "s")
		}
	}
}

// TestScanKeyword checks the keywords scan may not pass over: SELECT, WITH,
// every verb, every writing word and each keyword of scan's switch; and
// that keywords without a role there (AND, AS, ORDER) and names are not
// among them.
func TestScanKeyword(t *testing.T) {
	for _, kw := range []uint16{kwSelect, kwWith, kwFrom, kwJoin, kwInto, kwUsing, kwOf, kwTable, kwReferences, kwWhere} {
		if !scanKeyword(kw) {
			t.Errorf("scanKeyword(%q) = false", kwNames[kw])
		}
	}
	for kw := uint16(0); int(kw) < len(kwNames); kw++ {
		if (isVerb(kw) || writeWord(kw)) && !scanKeyword(kw) {
			t.Errorf("verb or writing word %q is not a scanKeyword", kwNames[kw])
		}
	}
	for _, kw := range []uint16{0, kwAnd, kwAs, kwOrder, kwBy, uint16(len(kwNames) - 1)} {
		if scanKeyword(kw) {
			t.Errorf("scanKeyword(%d %q) = true", kw, kwNames[kw])
		}
	}
}
