package pgxscan

import "strings"

// Misreads reports whether pgx's client-side placeholder
// substitution (QueryExecModeSimpleProtocol, also when it is the
// connection's default) would tokenise query differently from PostgreSQL.
// It follows pgx's scanner (strings, E-strings, quoted identifiers, dollar
// quotes, comments) and stops at the first place the two part ways: an e'
// or E' whose e continues an identifier (PostgreSQL: a standard string
// after the identifier; pgx: an escape string), and a $n placeholder or
// $tag$ quote whose $ continues an identifier (PostgreSQL: part of the
// identifier; pgx: a placeholder or a quote). Up to that place both read
// the same tokens, so no argument can be placed elsewhere than where the
// Gate saw its placeholder.
func Misreads(q string) bool {
	identByte := func(i int) bool {
		if i < 0 {
			return false
		}
		c := q[i]
		return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
	}
	// endQuoted returns the index after the literal opened at i by quote q[i].
	endQuoted := func(i int, backslash bool) int {
		quote := q[i]
		for j := i + 1; j < len(q); j++ {
			switch {
			case backslash && q[j] == '\\':
				j++
			case q[j] == quote:
				if j+1 < len(q) && q[j+1] == quote {
					j++
					continue
				}
				return j + 1
			}
		}
		return len(q)
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case (c == 'e' || c == 'E') && i+1 < len(q) && q[i+1] == '\'':
			if identByte(i - 1) {
				return true
			}
			i = endQuoted(i+1, true)
		case c == '\'' || c == '"':
			i = endQuoted(i, false)
		case c == '$':
			next := i + 1
			if next < len(q) && q[next] >= '0' && q[next] <= '9' {
				if identByte(i - 1) {
					return true
				}
				for next < len(q) && q[next] >= '0' && q[next] <= '9' {
					next++
				}
				i = next
				continue
			}
			tag, ok := dollarTag(q[next:])
			if !ok {
				i++
				continue
			}
			if identByte(i - 1) {
				return true
			}
			closer := "$" + tag + "$"
			body := next + len(tag) + 1
			end := strings.Index(q[body:], closer)
			if end < 0 {
				return false // unterminated: pgx copies the rest as is
			}
			i = body + end + len(closer)
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end := strings.IndexAny(q[i:], "\r\n")
			if end < 0 {
				return false
			}
			i += end + 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			depth := 0
			j := i + 2
			for ; j < len(q); j++ {
				if q[j] == '/' && j+1 < len(q) && q[j+1] == '*' {
					depth++
					j++
				} else if q[j] == '*' && j+1 < len(q) && q[j+1] == '/' {
					j++
					if depth == 0 {
						break
					}
					depth--
				}
			}
			i = j + 1
		default:
			i++
		}
	}
	return false
}

// dollarTag reads the tag of a $tag$ quote from s (just after the first
// $): letters, _, bytes ≥ 0x80, then digits too, up to the closing $.
func dollarTag(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$':
			return s[:i], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		case i > 0 && c >= '0' && c <= '9':
		default:
			return "", false
		}
	}
	return "", false
}
