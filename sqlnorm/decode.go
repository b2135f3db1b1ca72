package sqlnorm

import (
	"strings"
	"unicode/utf8"
)

// tokenText is the raw text of t.
func tokenText(src string, t *token) string { return src[t.start:t.end] }

// pgSegments returns the content of the quoted segments of a PostgreSQL
// string token (continuations joined), with ” undoubled. Backslash escapes
// are left in place (decoded by the caller for E” strings).
func pgSegments(raw string, esc bool) (string, bool) {
	q := strings.IndexByte(raw, '\'')
	if q < 0 {
		return "", false
	}
	// Fast path: one segment without doubled quotes or backslashes.
	end := len(raw) - 1
	if raw[end] == '\'' {
		if body := raw[q+1 : end]; plainBody(body) {
			return body, true
		}
	}
	var b strings.Builder
	i := q + 1
	for {
		for i < len(raw) {
			c := raw[i]
			if c == '\\' && esc && i+1 < len(raw) {
				b.WriteByte(c)
				b.WriteByte(raw[i+1])
				i += 2
				continue
			}
			if c == '\'' {
				if i+1 < len(raw) && raw[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				i++
				break
			}
			b.WriteByte(c)
			i++
		}
		k := pgQuoteContinue(raw, i)
		if k < 0 {
			return b.String(), true
		}
		i = k + 1
	}
}

// decodePGEscapes decodes the backslash escapes of an E” string body.
func decodePGEscapes(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		c = s[i]
		switch c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(s) && isHex(s[i+1]) {
				v = v*16 + hexVal(s[i+1])
				i++
				n++
			}
			if n == 0 {
				b.WriteByte('x')
			} else {
				b.WriteByte(byte(v))
			}
		case 'u', 'U':
			want := 4
			if c == 'U' {
				want = 8
			}
			v := 0
			for k := 0; k < want; k++ {
				if i+1 >= len(s) || !isHex(s[i+1]) {
					return "", false
				}
				v = v*16 + hexVal(s[i+1])
				i++
			}
			if !utf8.ValidRune(rune(v)) || v == 0 {
				return "", false
			}
			b.WriteRune(rune(v))
		default:
			if c >= '0' && c <= '7' {
				v, n := int(c-'0'), 1
				for n < 3 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
					v = v*8 + int(s[i+1]-'0')
					i++
					n++
				}
				b.WriteByte(byte(v))
			} else {
				b.WriteByte(c)
			}
		}
	}
	out := b.String()
	if !utf8.ValidString(out) || strings.IndexByte(out, 0) >= 0 {
		return "", false
	}
	return out, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

// decodePGUnicode decodes a U&'...' or U&"..." token (raw text without
// the UESCAPE clause) with escape character esc (0: backslash).
func decodePGUnicode(raw string, esc byte) (string, bool) {
	if esc == 0 {
		esc = '\\'
	}
	var body string
	if len(raw) > 2 && raw[2] == '"' {
		if len(raw) < 5 || raw[len(raw)-1] != '"' {
			return "", false
		}
		body = undouble(raw[3:len(raw)-1], '"')
	} else {
		var ok bool
		body, ok = pgSegments(raw[2:], false)
		if !ok {
			return "", false
		}
	}
	if strings.IndexByte(body, esc) < 0 {
		return body, true
	}
	var b strings.Builder
	var hi rune
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != esc {
			if hi != 0 {
				return "", false
			}
			b.WriteByte(c)
			continue
		}
		if i+1 < len(body) && body[i+1] == esc {
			if hi != 0 {
				return "", false
			}
			b.WriteByte(esc)
			i++
			continue
		}
		n := 4
		j := i + 1
		if j < len(body) && body[j] == '+' {
			n = 6
			j++
		}
		if j+n > len(body) {
			return "", false
		}
		v := 0
		for k := 0; k < n; k++ {
			if !isHex(body[j+k]) {
				return "", false
			}
			v = v*16 + hexVal(body[j+k])
		}
		i = j + n - 1
		r := rune(v)
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if hi != 0 {
				return "", false
			}
			hi = r
			continue
		case r >= 0xDC00 && r <= 0xDFFF:
			if hi == 0 {
				return "", false
			}
			r = (hi-0xD800)<<10 + (r - 0xDC00) + 0x10000
			hi = 0
		default:
			if hi != 0 {
				return "", false
			}
		}
		if r == 0 || !utf8.ValidRune(r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if hi != 0 {
		return "", false
	}
	return b.String(), true
}

// decodeString returns the value of a string literal token.
func decodeString(src string, t *token, opts *Options) (string, bool) {
	raw := tokenText(src, t)
	switch t.sub {
	case subPGStd:
		return pgSegments(raw, false)
	case subPGEsc:
		s, ok := pgSegments(raw, true)
		if !ok {
			return "", false
		}
		return decodePGEscapes(s)
	case subPGUni:
		return decodePGUnicode(uniPart(raw, t), t.esc)
	case subBits:
		// As written, prefix upper-cased, continuation segments joined:
		// B'01' '10' on two lines is B'0110'.
		body, ok := pgSegments(raw[1:], false)
		if !ok {
			return "", false
		}
		return string(raw[0]&^0x20) + "'" + body + "'", true
	case subDollar:
		k := strings.IndexByte(raw[1:], '$') + 2
		return raw[k : len(raw)-k], true
	case subMyStr:
		return decodeMyString(raw, !opts.NoBackslashEscapes), true
	case subSQLite:
		return undouble(raw[1:len(raw)-1], '\''), true
	}
	return raw, true
}

func undouble(s string, q byte) string {
	d := string([]byte{q, q})
	if !strings.Contains(s, d) {
		return s
	}
	return strings.ReplaceAll(s, d, d[:1])
}

// decodeMyString decodes a MySQL '...' or "..." literal (with N prefix).
func decodeMyString(raw string, bs bool) string {
	if raw[0] == 'n' || raw[0] == 'N' {
		raw = raw[1:]
	}
	q := raw[0]
	body := raw[1 : len(raw)-1]
	if !strings.ContainsRune(body, rune(q)) && (!bs || strings.IndexByte(body, '\\') < 0) {
		return body
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' && bs && i+1 < len(body) {
			i++
			switch body[i] {
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'Z':
				b.WriteByte(0x1a)
			case '%', '_':
				b.WriteByte('\\')
				b.WriteByte(body[i])
			default:
				b.WriteByte(body[i])
			}
			continue
		}
		if c == q && i+1 < len(body) && body[i+1] == q {
			i++
		}
		b.WriteByte(c)
	}
	return b.String()
}

// decodeIdent returns the name of a quoted identifier token.
func decodeIdent(src string, t *token) (string, bool) {
	raw := tokenText(src, t)
	switch t.sub {
	case subDQ:
		return undouble(raw[1:len(raw)-1], '"'), true
	case subBacktick:
		return undouble(raw[1:len(raw)-1], '`'), true
	case subBracket:
		return raw[1 : len(raw)-1], true
	case subPGUni:
		return decodePGUnicode(uniPart(raw, t), t.esc)
	}
	return raw, true
}

// uniPart strips a UESCAPE clause from the raw text of a U& token.
func uniPart(raw string, t *token) string {
	if t.pnum > 0 {
		return raw[:t.pnum]
	}
	return raw
}

// plainBody reports whether the text between a string's quotes holds no
// quote and no backslash: its value is the text itself. (Not inlined: in
// the render loop its loop would crowd the registers of every path.)
//
//go:noinline
func plainBody(body string) bool {
	for i := 0; i < len(body); i++ {
		if body[i] == '\'' || body[i] == '\\' {
			return false
		}
	}
	return true
}
