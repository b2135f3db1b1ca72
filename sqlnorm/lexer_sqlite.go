package sqlnorm

// ---------------------------------------------------------------- SQLite

func sqliteSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func sqliteIdentStart(c byte) bool { return isAlpha(c) || c == '_' || c >= 0x80 }
func sqliteIdentCont(c byte) bool  { return sqliteIdentStart(c) || isDigit(c) || c == '$' }

func (l *lexer) lexSQLite() *Error {
	s := l.src
	n := len(s)
	for i := 0; i < n; {
		c := s[i]
		var next byte
		if i+1 < n {
			next = s[i+1]
		}
		switch {
		case sqliteSpace(c):
			i++
		case c == '-' && next == '-':
			i = skipLine(s, i, false)
		case c == '/' && next == '*':
			j := indexFrom(s, i+2, "*/")
			if j < 0 {
				return reject(i, KindUnterminated, "unterminated block comment")
			}
			i = j + 2
		case (c == 'x' || c == 'X') && next == '\'':
			j := indexByteFrom(s, i+2, '\'')
			if j < 0 {
				return reject(i, KindUnterminated, "unterminated blob literal")
			}
			t := l.emit(tString, i, j+1)
			t.sub = subBits
			i = j + 1
		case sqliteIdentStart(c):
			j := i + 1
			for j < n && sqliteIdentCont(s[j]) {
				j++
			}
			l.word(i, j)
			i = j
		case c == '\'':
			j := i + 1
			closed := false
			for j < n {
				if s[j] == '\'' {
					if j+1 < n && s[j+1] == '\'' {
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
				return reject(i, KindUnterminated, "unterminated string literal")
			}
			t := l.emit(tString, i, j)
			t.sub = subSQLite
			i = j
		case c == '"':
			j, err := l.doubledQuote(i, '"', subDQ, "quoted identifier")
			if err != nil {
				return err
			}
			i = j
		case c == '`':
			j, err := l.doubledQuote(i, '`', subBacktick, "quoted identifier")
			if err != nil {
				return err
			}
			i = j
		case c == '[':
			j := indexByteFrom(s, i+1, ']')
			if j < 0 {
				return reject(i, KindUnterminated, "unterminated [identifier]")
			}
			if j == i+1 {
				return reject(i, KindToken, "zero-length [identifier]")
			}
			t := l.emit(tQIdent, i, j+1)
			t.sub = subBracket
			i = j + 1
		case isDigit(c) || (c == '.' && isDigit(next)):
			j, err := l.sqliteNumber(i)
			if err != nil {
				return err
			}
			i = j
		case c == '?':
			j := i + 1
			num := 0
			for j < n && isDigit(s[j]) {
				if num < 1<<20 {
					num = num*10 + int(s[j]-'0')
				}
				j++
			}
			t := l.emit(tParam, i, j)
			if j > i+1 {
				if num < 1 {
					return reject(i, KindToken, "parameter index must be at least 1")
				}
				t.pnum = int32(num)
			}
			i = j
		case c == ':' || c == '@' || c == '$' || c == '#':
			j := i + 1
			for j < n && sqliteIdentCont(s[j]) {
				j++
			}
			if j == i+1 {
				return reject(i, KindToken, "unexpected character "+strconvQuote(string(rune(c))))
			}
			if j < n && (s[j] == '(' || s[j] == ':') {
				return reject(j, KindToken, "unsupported Tcl-style parameter syntax")
			}
			t := l.emit(tParam, i, j)
			t.sub = 1 // named
			i = j
		case c == '.':
			l.emit(tDot, i, i+1)
			i++
		case l.punct(c, i):
			i++
		default:
			j := sqliteOperator(s, i)
			if j == i {
				return reject(i, KindToken, "unexpected character "+strconvQuote(string(rune(c))))
			}
			l.emit(tOp, i, j)
			i = j
		}
	}
	return nil
}

// sqliteNumber lexes a numeric literal; a number followed directly by an
// identifier character is illegal in SQLite (and 1_000 is accepted only by
// newer versions), so both are rejected.
func (l *lexer) sqliteNumber(i int) (int, *Error) {
	s := l.src
	n := len(s)
	j := i
	if s[i] == '0' && i+1 < n && (s[i+1] == 'x' || s[i+1] == 'X') {
		j = i + 2
		for j < n && isHex(s[j]) {
			j++
		}
		if j == i+2 {
			return 0, reject(i, KindToken, "malformed hexadecimal literal")
		}
	} else {
		for j < n && isDigit(s[j]) {
			j++
		}
		if j < n && s[j] == '.' {
			j++
			for j < n && isDigit(s[j]) {
				j++
			}
		}
		if j < n && (s[j] == 'e' || s[j] == 'E') {
			k := j + 1
			if k < n && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k >= n || !isDigit(s[k]) {
				return 0, reject(i, KindToken, "malformed exponent in numeric literal")
			}
			for k < n && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	if j < n && sqliteIdentCont(s[j]) {
		return 0, reject(i, KindToken, "trailing characters after numeric literal")
	}
	l.emit(tNumber, i, j)
	return j, nil
}

func sqliteOperator(s string, i int) int {
	if hasPrefixAt(s, i, "->>") {
		return i + 3
	}
	for _, op := range [...]string{"||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "->"} {
		if hasPrefixAt(s, i, op) {
			return i + 2
		}
	}
	switch s[i] {
	case '=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '~':
		return i + 1
	}
	return i
}
