package sqlnorm

import (
	"strings"
	"unicode/utf8"
)

// lex splits src into tokens following the rules of opts.Dialect, appending
// to toks. Comments and whitespace produce no tokens. Any text the server
// would lex differently, or that the supported server versions lex
// differently from each other, is an *Error.
//
// While lexing it pairs the brackets before the first ; as matchParens
// does (see brackets), in match and stack (buffers to reuse).
func lex(opts *Options, src string, toks []token, match, stack []int32) ([]token, brackets, *Error) {
	if i := strings.IndexByte(src, 0); i >= 0 {
		return toks, brackets{}, reject(i, KindNUL, "NUL byte in statement text")
	}
	if !utf8.ValidString(src) {
		return toks, brackets{}, reject(firstInvalidUTF8(src), KindEncoding, "statement text is not valid UTF-8")
	}
	if len(src) > maxInput {
		return toks, brackets{}, reject(maxInput, KindSyntax, "statement text longer than the supported maximum")
	}
	if poisonMatch {
		poison(nil, match[:cap(match)])
	}
	l := lexer{src: src, opts: *opts, toks: toks, match: match[:0], stack: stack[:0], semi: -1, bad: -1}
	var err *Error
	switch opts.Dialect {
	case Postgres:
		err = l.lexPG()
	case MySQL:
		err = l.lexMySQL()
	case SQLite:
		err = l.lexSQLite()
	default:
		err = reject(0, KindDialect, "unknown dialect")
	}
	b := brackets{match: l.match, end: len(l.toks), bad: l.bad}
	if l.semi >= 0 {
		b.end = l.semi
	} else if !l.paired && len(l.stack) > 0 {
		b.bad = int(l.stack[len(l.stack)-1]) // the innermost bracket left open
	}
	if len(b.match) < b.end {
		// Entries past the last bracket are not read (see matchParens).
		b.match = growMatch(b.match, b.end)
	}
	b.stack = l.stack
	return l.toks, b, err
}

// brackets is matchParens's answer for the tokens before the first ;,
// found by the lexer: match pairs the brackets before end (the index of
// the first ; token, or the number of tokens), and bad is the index of
// the token that breaks the pairing there, or -1. stack is the lexer's
// stack buffer, to reuse.
type brackets struct {
	match, stack []int32
	end, bad     int
}

// open records the bracket the lexer has just emitted, ( or [.
func (l *lexer) open() {
	if !l.paired {
		l.stack = append(l.stack, int32(len(l.toks)-1))
	}
}

// close pairs the bracket the lexer has just emitted, ) or ], of kind k
// with the innermost open one, or records it as the one that breaks the
// pairing (which then stops).
func (l *lexer) close(k tokKind) {
	if l.paired {
		return
	}
	i := len(l.toks) - 1
	n := len(l.stack)
	want := tLParen
	if k == tRBrack {
		want = tLBrack
	}
	if n == 0 || l.toks[l.stack[n-1]].kind != want {
		l.bad, l.paired = i, true
		return
	}
	o := int(l.stack[n-1])
	l.stack = l.stack[:n-1]
	if i >= len(l.match) {
		l.match = growMatch(l.match, i+1)
	}
	l.match[o], l.match[i] = int32(i), int32(o)
}

// semicolon records the ; the lexer has just emitted: the first ends the
// pairing, with the innermost bracket left open, if any, breaking it.
func (l *lexer) semicolon() {
	if l.semi >= 0 {
		return
	}
	l.semi = len(l.toks) - 1
	if !l.paired {
		if n := len(l.stack); n > 0 {
			l.bad = int(l.stack[n-1])
		}
		l.paired = true
	}
}

// growMatch returns match with length n (at least). The entries it adds
// are left as they are, or filled with poison in the tests.
func growMatch(match []int32, n int) []int32 {
	if n <= cap(match) {
		return match[:n]
	}
	old := len(match)
	match = append(match[:cap(match)], make([]int32, n-cap(match)+cap(match)/2)...)
	if poisonMatch {
		poison(nil, match[old:])
	}
	return match[:n]
}

// maxInput bounds the statement size (token offsets are int32).
const maxInput = 1 << 30

func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(s)
}

type lexer struct {
	src  string
	opts Options
	toks []token

	// The pairing of brackets before the first ; (see brackets).
	match  []int32
	stack  []int32 // indexes of the open brackets
	semi   int     // index of the first ; token, or -1
	bad    int     // index of the token that breaks the pairing, or -1
	paired bool    // pairing is over: at the first ; or a breaking token
}

func (l *lexer) emit(kind tokKind, start, end int) *token {
	n := len(l.toks)
	if n == cap(l.toks) {
		l.toks = append(l.toks, token{})
	} else {
		l.toks = l.toks[:n+1]
	}
	// Field by field: a whole-struct store reads back partly written
	// bytes (a store-forwarding stall on every token).
	t := &l.toks[n]
	t.start, t.end = int32(start), int32(end)
	t.kind, t.sub, t.esc = kind, 0, 0
	t.kw, t.flags, t.pnum = 0, 0, 0
	return t
}

func (l *lexer) word(start, end int) {
	t := l.emit(tWord, start, end)
	// lookupKeyword, with its first probe here: most names that are not
	// keywords find an empty bucket and cost no call (kw stays 0).
	if w := l.src[start:end]; len(w) >= 2 && len(w) <= maxKeywordLen {
		if j := kwBucket(w); kwSlots[j] != 0 {
			t.kw = lookupKeywordFrom(w, j)
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// punct emits single-character punctuation shared by the dialects.
func (l *lexer) punct(c byte, i int) bool {
	var k tokKind
	switch c {
	case '(':
		k = tLParen
	case ')':
		k = tRParen
	case ',':
		k = tComma
	case ';':
		k = tSemi
	default:
		return false
	}
	l.emit(k, i, i+1)
	l.pairPunct(k)
	return true
}

// pairPunct records the punctuation token of kind k just emitted for the
// bracket pairing (open, close, semicolon).
func (l *lexer) pairPunct(k tokKind) {
	switch k {
	case tLParen:
		l.open()
	case tRParen:
		l.close(tRParen)
	case tSemi:
		l.semicolon()
	}
}

// ---------------------------------------------------------------- PostgreSQL

func pgSpace(c byte) bool      { return pgClass[c]&pcSpace != 0 }
func pgIdentStart(c byte) bool { return pgClass[c]&pcIdentStart != 0 }
func pgIdentCont(c byte) bool  { return pgClass[c]&pcIdentCont != 0 }

// PostgreSQL byte classes (pgClass).
const (
	pcSpace      uint8 = 1 << iota // ' ' \t \n \r \f \v
	pcIdentStart                   // letter, _, byte >= 0x80
	pcIdentCont                    // pcIdentStart, digit, $
	pcPrefix                       // a letter that may start a prefixed string: e b x n u
	pcDigit                        // 0-9
	pcPunct                        // ( ) , ;
	pcOp                           // an operator character (pgOpChar)
)

// punctKind is the token kind of the bytes of class pcPunct.
var punctKind = [256]tokKind{'(': tLParen, ')': tRParen, ',': tComma, ';': tSemi}

var pgClass = func() (t [256]uint8) {
	for i := range t {
		c := byte(i)
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			t[i] |= pcSpace
		}
		if isAlpha(c) || c == '_' || c >= 0x80 {
			t[i] |= pcIdentStart | pcIdentCont
		}
		if isDigit(c) {
			t[i] |= pcIdentCont | pcDigit
		}
		if c == '$' {
			t[i] |= pcIdentCont
		}
		if punctKind[c] != 0 {
			t[i] |= pcPunct
		}
		if pgOpChar(c) {
			t[i] |= pcOp
		}
		switch c | 0x20 {
		case 'e', 'b', 'x', 'n', 'u':
			if isAlpha(c) {
				t[i] |= pcPrefix
			}
		}
	}
	return t
}()

func pgOpChar(c byte) bool {
	switch c {
	case '~', '!', '@', '#', '^', '&', '|', '`', '?', '+', '-', '*', '/', '%', '<', '>', '=':
		return true
	}
	return false
}

func (l *lexer) lexPG() *Error {
	s := l.src
	n := len(s)
	for i := 0; i < n; {
		c := s[i]
		// Fast paths for the common bytes; each is taken only where the
		// switch below would take the same case.
		// An operator character followed by none (so neither a comment
		// start nor a longer operator) is a one-byte operator, as
		// pgOperator finds.
		if cl := pgClass[c]; cl&(pcSpace|pcIdentStart|pcDigit|pcPunct) != 0 ||
			cl&pcOp != 0 && (i+1 >= n || pgClass[s[i+1]]&pcOp == 0) {
			if cl&pcOp != 0 {
				l.emit(tOp, i, i+1)
				i++
				if i < n && s[i] == ' ' {
					i++
				}
				continue
			}
			if cl&pcPunct != 0 {
				k := punctKind[c]
				l.emit(k, i, i+1)
				if k != tComma {
					l.pairPunct(k)
				}
				i++
				// One space after a token is common: skipped here, as
				// the loop would.
				if i < n && s[i] == ' ' {
					i++
				}
				continue
			}
			if cl&pcSpace != 0 {
				i++
				for i < n && pgClass[s[i]]&pcSpace != 0 {
					i++
				}
				continue
			}
			if cl&pcDigit != 0 {
				// pgNumber's fast path, inlined: decimal digits followed
				// by a byte that cannot continue a number.
				j := i + 1
				for j < n && isDigit(s[j]) {
					j++
				}
				if j == n || (s[j] != '.' && pgClass[s[j]]&pcIdentStart == 0) {
					l.emit(tNumber, i, j)
					i = j
					if i < n && s[i] == ' ' {
						i++
					}
					continue
				}
				j, err := l.pgNumber(i)
				if err != nil {
					return err
				}
				i = j
				continue
			}
			if cl&pcPrefix == 0 || i+1 >= n || (s[i+1] != '\'' && s[i+1] != '&') {
				j := i + 1
				for j < n && pgClass[s[j]]&pcIdentCont != 0 {
					j++
				}
				// word, inlined.
				t := l.emit(tWord, i, j)
				if w := s[i:j]; len(w) >= 2 && len(w) <= maxKeywordLen {
					if b := kwBucket(w); kwSlots[b] != 0 {
						// lookupKeywordFrom's first probe, inlined: most
						// keywords are found there.
						k := kwSlots[b]
						if e := &kwEntries[k&(1<<kwIndexBits-1)-1]; int(k>>kwIndexBits) == len(w) && equalLower(w, e.word) {
							t.kw = e.id
						} else {
							t.kw = lookupKeywordFrom(w, b)
						}
					}
				}
				i = j
				if i < n && s[i] == ' ' {
					i++
				}
				continue
			}
		}
		var next byte
		if i+1 < n {
			next = s[i+1]
		}
		switch {
		case pgSpace(c):
			i++
		case c == '-' && next == '-':
			i = skipLine(s, i, true)
		case c == '/' && next == '*':
			j, err := l.pgBlockComment(i)
			if err != nil {
				return err
			}
			i = j
		case (c == 'e' || c == 'E') && next == '\'':
			j, err := l.pgQuoted(i, i+1, subPGEsc)
			if err != nil {
				return err
			}
			i = j
		case (c == 'b' || c == 'B' || c == 'x' || c == 'X') && next == '\'':
			j, err := l.pgQuoted(i, i+1, subBits)
			if err != nil {
				return err
			}
			i = j
		case (c == 'n' || c == 'N') && next == '\'':
			sub := subPGStd
			if l.opts.NonStandardStrings {
				sub = subPGEsc
			}
			j, err := l.pgQuoted(i, i+1, sub)
			if err != nil {
				return err
			}
			i = j
		case (c == 'u' || c == 'U') && next == '&' && i+2 < n && (s[i+2] == '\'' || s[i+2] == '"'):
			if s[i+2] == '\'' && l.opts.NonStandardStrings {
				// The server refuses these too ("unsafe use of string
				// constant with Unicode escapes").
				return reject(i, KindToken, "U&'...' strings are refused when standard_conforming_strings is off")
			}
			j, err := l.pgUnicode(i)
			if err != nil {
				return err
			}
			i = j
		case pgIdentStart(c):
			j := i + 1
			for j < n && pgIdentCont(s[j]) {
				j++
			}
			l.word(i, j)
			i = j
		case c == '"':
			j, err := l.doubledQuote(i, '"', subDQ, "quoted identifier")
			if err != nil {
				return err
			}
			i = j
		case c == '\'':
			sub := subPGStd
			if l.opts.NonStandardStrings {
				sub = subPGEsc
			}
			j, err := l.pgQuoted(i, i, sub)
			if err != nil {
				return err
			}
			i = j
		case c == '$':
			j, err := l.pgDollar(i)
			if err != nil {
				return err
			}
			i = j
		case isDigit(c) || (c == '.' && isDigit(next)):
			j, err := l.pgNumber(i)
			if err != nil {
				return err
			}
			i = j
		case c == ':':
			if next == ':' {
				l.emit(tCast, i, i+2)
				i += 2
			} else if next == '=' {
				l.emit(tOp, i, i+2)
				i += 2
			} else {
				l.emit(tOp, i, i+1)
				i++
			}
		case c == '.':
			if next == '.' {
				l.emit(tOp, i, i+2)
				i += 2
			} else {
				l.emit(tDot, i, i+1)
				i++
			}
		case c == '[':
			l.emit(tLBrack, i, i+1)
			l.open()
			i++
		case c == ']':
			l.emit(tRBrack, i, i+1)
			l.close(tRBrack)
			i++
		case l.punct(c, i):
			i++
		case pgOpChar(c):
			i = l.pgOperator(i)
		default:
			return reject(i, KindToken, "unexpected character "+strconvQuote(string(rune(c)))+" (PostgreSQL would not accept it)")
		}
	}
	return nil
}

// skipLine skips a -- comment starting at i. PostgreSQL ends it at \n or
// \r (crEnds); MySQL and SQLite at \n only.
func skipLine(s string, i int, crEnds bool) int {
	for i < len(s) && s[i] != '\n' && !(crEnds && s[i] == '\r') {
		i++
	}
	return i
}

// pgBlockComment skips a nested /* */ comment starting at i.
func (l *lexer) pgBlockComment(i int) (int, *Error) {
	s := l.src
	depth := 0
	for j := i; j < len(s); {
		if s[j] == '/' && j+1 < len(s) && s[j+1] == '*' {
			depth++
			j += 2
			continue
		}
		if s[j] == '*' && j+1 < len(s) && s[j+1] == '/' {
			depth--
			j += 2
			if depth == 0 {
				return j, nil
			}
			continue
		}
		j++
	}
	return 0, reject(i, KindUnterminated, "unterminated block comment")
}

// pgOperator lexes an operator the way PostgreSQL's scanner does: the run
// of operator characters stops before /* or --, and a multi-character
// operator cannot end in + or - unless it contains one of ~ ! @ # ^ & | ` ? %.
func (l *lexer) pgOperator(i int) int {
	s := l.src
	j := i
	for j < len(s) && pgOpChar(s[j]) {
		if j > i && ((s[j] == '*' && s[j-1] == '/') || (s[j] == '-' && s[j-1] == '-')) {
			j--
			break
		}
		j++
	}
	nchars := j - i
	if nchars > 1 && (s[i+nchars-1] == '+' || s[i+nchars-1] == '-') {
		special := false
		for k := i; k < i+nchars-1; k++ {
			switch s[k] {
			case '~', '!', '@', '#', '^', '&', '|', '`', '?', '%':
				special = true
			}
		}
		if !special {
			for nchars > 1 && (s[i+nchars-1] == '+' || s[i+nchars-1] == '-') {
				nchars--
			}
		}
	}
	l.emit(tOp, i, i+nchars)
	return i + nchars
}

// pgQuoteContinue reports where a string continues after its closing quote
// at j-1: PostgreSQL joins 'a' and 'b' when only whitespace holding at
// least one newline (and -- comments) separates them. It returns the index
// of the next opening quote, or -1.
func pgQuoteContinue(s string, j int) int {
	n := len(s)
	i := j
	for i < n {
		if s[i] == ' ' || s[i] == '\t' || s[i] == '\f' {
			i++
		} else if s[i] == '-' && i+1 < n && s[i+1] == '-' {
			i = skipLine(s, i, true)
		} else {
			break
		}
	}
	if i >= n || (s[i] != '\n' && s[i] != '\r') {
		return -1
	}
	i++
	for i < n {
		if pgSpace(s[i]) {
			i++
			continue
		}
		if s[i] == '-' && i+1 < n && s[i+1] == '-' {
			k := skipLine(s, i, true)
			if k >= n {
				return -1
			}
			i = k + 1
			continue
		}
		break
	}
	if i < n && s[i] == '\'' {
		return i
	}
	return -1
}

// pgQuoted lexes a string literal whose opening quote is at q (start is
// the start of any prefix), including continuation segments.
func (l *lexer) pgQuoted(start, q int, sub uint8) (int, *Error) {
	s := l.src
	n := len(s)
	j := q + 1
	for {
		closed := false
		for j < n {
			c := s[j]
			if c == '\\' && sub == subPGEsc {
				j += 2
				continue
			}
			if c == '\'' {
				if j+1 < n && s[j+1] == '\'' && sub != subBits {
					j += 2
					continue
				}
				j++
				closed = true
				break
			}
			j++
		}
		if !closed {
			return 0, reject(start, KindUnterminated, "unterminated string literal")
		}
		k := pgQuoteContinue(s, j)
		if k < 0 {
			break
		}
		j = k + 1
	}
	t := l.emit(tString, start, j)
	t.sub = sub
	return j, nil
}

// pgUnicode lexes U&'...' or U&"..." and an optional UESCAPE clause.
func (l *lexer) pgUnicode(i int) (int, *Error) {
	s := l.src
	var j int
	var err *Error
	kind := tString
	if s[i+2] == '\'' {
		j, err = l.pgQuoted(i, i+2, subPGUni)
		if err != nil {
			return 0, err
		}
		l.toks = l.toks[:len(l.toks)-1]
	} else {
		j, err = l.doubledQuote(i+2, '"', subPGUni, "quoted identifier")
		if err != nil {
			return 0, err
		}
		l.toks = l.toks[:len(l.toks)-1]
		kind = tQIdent
	}
	end := j
	var esc byte
	// Look for UESCAPE 'c' after whitespace and comments.
	k, err := l.pgSkipSpace(j)
	if err != nil {
		return 0, err
	}
	if k+7 <= len(s) && strings.EqualFold(s[k:k+7], "uescape") && (k+7 == len(s) || !pgIdentCont(s[k+7])) {
		m, err := l.pgSkipSpace(k + 7)
		if err != nil {
			return 0, err
		}
		if m+2 < len(s) && s[m] == '\'' && s[m+2] == '\'' && (m+3 >= len(s) || s[m+3] != '\'') {
			c := s[m+1]
			if c >= 0x80 || isHex(c) || c == '+' || c == '\'' || c == '"' || pgSpace(c) {
				return 0, reject(m, KindToken, "invalid Unicode escape character")
			}
			esc = c
			end = m + 3
		} else {
			return 0, reject(k, KindToken, "UESCAPE must be followed by a simple one-character string literal")
		}
	}
	t := l.emit(kind, i, end)
	t.sub = subPGUni
	t.esc = esc
	if end != j {
		t.pnum = int32(j - i)
	}
	if _, ok := decodePGUnicode(s[i:j], esc); !ok {
		return 0, reject(i, KindToken, "invalid Unicode escape in U& literal or identifier")
	}
	return end, nil
}

func isHex(c byte) bool { return isDigit(c) || ((c|0x20) >= 'a' && (c|0x20) <= 'f') }

// pgSkipSpace skips whitespace and comments.
func (l *lexer) pgSkipSpace(i int) (int, *Error) {
	s := l.src
	for i < len(s) {
		switch {
		case pgSpace(s[i]):
			i++
		case s[i] == '-' && i+1 < len(s) && s[i+1] == '-':
			i = skipLine(s, i, true)
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '*':
			j, err := l.pgBlockComment(i)
			if err != nil {
				return 0, err
			}
			i = j
		default:
			return i, nil
		}
	}
	return i, nil
}

// doubledQuote lexes an identifier (or string) closed by q, where qq is an
// escaped q. Zero-length identifiers are rejected.
func (l *lexer) doubledQuote(i int, q byte, sub uint8, what string) (int, *Error) {
	s := l.src
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			if j == i+1 {
				return 0, reject(i, KindToken, "zero-length "+what)
			}
			t := l.emit(tQIdent, i, j+1)
			t.sub = sub
			return j + 1, nil
		}
	}
	return 0, reject(i, KindUnterminated, "unterminated "+what)
}

// pgDollar lexes $n parameters and $tag$ dollar quotes.
func (l *lexer) pgDollar(i int) (int, *Error) {
	s := l.src
	n := len(s)
	j := i + 1
	if j < n && isDigit(s[j]) {
		num := 0
		for j < n && (isDigit(s[j]) || (s[j] == '_' && j+1 < n && isDigit(s[j+1]))) {
			if s[j] != '_' && num < 1<<20 {
				num = num*10 + int(s[j]-'0')
			}
			j++
		}
		if j < n && pgIdentStart(s[j]) {
			return 0, reject(i, KindToken, "trailing junk after parameter")
		}
		t := l.emit(tParam, i, j)
		t.pnum = int32(num)
		return j, nil
	}
	if j < n && s[j] != '$' {
		if !pgIdentStart(s[j]) {
			return 0, reject(i, KindToken, "unexpected $")
		}
		for j < n && pgIdentStart(s[j]) || j < n && isDigit(s[j]) {
			j++
		}
		if j >= n || s[j] != '$' {
			return 0, reject(i, KindToken, "unexpected $ (not a parameter or dollar quote)")
		}
	}
	if j >= n {
		return 0, reject(i, KindToken, "unexpected $")
	}
	delim := s[i : j+1]
	k := strings.Index(s[j+1:], delim)
	if k < 0 {
		return 0, reject(i, KindUnterminated, "unterminated dollar-quoted string")
	}
	end := j + 1 + k + len(delim)
	t := l.emit(tString, i, end)
	t.sub = subDollar
	return end, nil
}

// pgNumber lexes a numeric literal as PostgreSQL 16 does: decimal, 0x, 0o
// and 0b integers, underscores between digits, fractions and exponents. A
// literal directly followed by an identifier character (123abc, 0x, 1e,
// 100_) is an error in PostgreSQL 15 and later and is rejected. PostgreSQL
// 15 also rejects 0x1F and 1_000 (trailing junk) while 16 reads them as
// numbers, so accepting them as literals is safe on every supported
// version. (PostgreSQL 14 and older, out of support, read 123abc as
// 123 AS abc: they are not supported.)
func (l *lexer) pgNumber(i int) (int, *Error) {
	s := l.src
	n := len(s)
	// Fast path: decimal digits followed by a byte that cannot continue a
	// number (not . _ a letter or >= 0x80) are the whole literal.
	if isDigit(s[i]) {
		j := i + 1
		for j < n && isDigit(s[j]) {
			j++
		}
		if j == n || (s[j] != '.' && pgClass[s[j]]&pcIdentStart == 0) {
			l.emit(tNumber, i, j)
			return j, nil
		}
	}
	junk := func() (int, *Error) {
		return 0, reject(i, KindToken, "trailing junk after numeric literal")
	}
	// digits scans (_?digit)* after a first digit at j; ok reports a
	// digit at j.
	digits := func(j int, isD func(byte) bool) (int, bool) {
		if j >= n || !isD(s[j]) {
			return j, false
		}
		j++
		for j < n {
			if isD(s[j]) {
				j++
			} else if s[j] == '_' && j+1 < n && isD(s[j+1]) {
				j += 2
			} else {
				break
			}
		}
		return j, true
	}
	j := i
	if s[i] == '0' && i+1 < n {
		var isD func(byte) bool
		switch s[i+1] | 0x20 {
		case 'x':
			isD = isHex
		case 'o':
			isD = func(c byte) bool { return c >= '0' && c <= '7' }
		case 'b':
			isD = func(c byte) bool { return c == '0' || c == '1' }
		}
		if isD != nil {
			k := i + 2
			if k < n && s[k] == '_' {
				k++
			}
			e, ok := digits(k, isD)
			if !ok || (e < n && pgIdentStart(s[e])) {
				return junk()
			}
			l.emit(tNumber, i, e)
			return e, nil
		}
	}
	if isDigit(s[j]) {
		j, _ = digits(j, isDigit)
	}
	if j < n && s[j] == '.' && !(j+1 < n && s[j+1] == '.') {
		j++
		if e, ok := digits(j, isDigit); ok {
			j = e
		}
	}
	if j < n && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < n && (s[k] == '+' || s[k] == '-') {
			k++
		}
		e, ok := digits(k, isDigit)
		if !ok {
			return junk()
		}
		j = e
	}
	if j < n && pgIdentStart(s[j]) {
		return junk()
	}
	l.emit(tNumber, i, j)
	return j, nil
}
