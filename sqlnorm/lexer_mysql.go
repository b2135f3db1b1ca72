package sqlnorm

// ---------------------------------------------------------------- MySQL / MariaDB

func mySpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func myIdentChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '_' || c == '$' || c >= 0x80 }

// myCommentAfterDashes reports whether the byte after "--" makes it a
// comment: whitespace or a control character (or the end of the input).
func myCommentAfterDashes(s string, k int) bool {
	if k >= len(s) {
		return true
	}
	c := s[k]
	return c <= ' ' || c == 0x7f
}

func (l *lexer) lexMySQL() *Error {
	s := l.src
	n := len(s)
	for i := 0; i < n; {
		c := s[i]
		var next byte
		if i+1 < n {
			next = s[i+1]
		}
		switch {
		case mySpace(c):
			i++
		case c == '#':
			i = skipLine(s, i, false)
		case c == '-' && next == '-' && myCommentAfterDashes(s, i+2):
			i = skipLine(s, i, false)
		case c == '/' && next == '*':
			if i+2 < n && (s[i+2] == '!' || s[i+2] == '+') {
				return reject(i, KindExecutable, "MySQL executable comment or optimizer hint")
			}
			if i+3 < n && (s[i+2] == 'M' || s[i+2] == 'm') && s[i+3] == '!' {
				return reject(i, KindExecutable, "MariaDB executable comment")
			}
			j := indexFrom(s, i+2, "*/")
			if j < 0 {
				return reject(i, KindUnterminated, "unterminated block comment")
			}
			i = j + 2
		case (c == 'x' || c == 'X' || c == 'b' || c == 'B') && next == '\'':
			j := indexByteFrom(s, i+2, '\'')
			if j < 0 {
				return reject(i, KindUnterminated, "unterminated string literal")
			}
			t := l.emit(tString, i, j+1)
			t.sub = subBits
			i = j + 1
		case (c == 'n' || c == 'N') && next == '\'':
			j, err := l.myString(i, i+1)
			if err != nil {
				return err
			}
			i = j
		case c == '\'' || (c == '"' && !l.opts.ANSIQuotes):
			j, err := l.myString(i, i)
			if err != nil {
				return err
			}
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
		case isDigit(c) || (c == '.' && isDigit(next) && !l.myAfterIdent(i)):
			i = l.myNumberOrIdent(i)
		case myIdentChar(c):
			j := i + 1
			for j < n && myIdentChar(s[j]) {
				j++
			}
			l.word(i, j)
			i = j
		case c == '?':
			l.emit(tParam, i, i+1)
			i++
		case c == '@':
			j, err := l.myVariable(i)
			if err != nil {
				return err
			}
			i = j
		case c == '.':
			l.emit(tDot, i, i+1)
			i++
			if i < n && isDigit(s[i]) {
				// After "ident." MySQL reads a name even if it starts with a digit.
				j := i
				for j < n && myIdentChar(s[j]) {
					j++
				}
				l.word(i, j)
				i = j
			}
		case l.punct(c, i):
			i++
		default:
			j := myOperator(s, i)
			if j == i {
				return reject(i, KindToken, "unexpected character "+strconvQuote(string(rune(c))))
			}
			l.emit(tOp, i, j)
			i = j
		}
	}
	return nil
}

// myAfterIdent reports whether the '.' at i directly follows a name.
func (l *lexer) myAfterIdent(i int) bool {
	if len(l.toks) == 0 {
		return false
	}
	t := l.toks[len(l.toks)-1]
	return int(t.end) == i && (t.kind == tWord || t.kind == tQIdent)
}

// myString lexes a MySQL '...' or "..." string; q is the opening quote.
func (l *lexer) myString(start, q int) (int, *Error) {
	s := l.src
	quote := s[q]
	for j := q + 1; j < len(s); j++ {
		c := s[j]
		if c == '\\' && !l.opts.NoBackslashEscapes {
			j++
			continue
		}
		if c == quote {
			if j+1 < len(s) && s[j+1] == quote {
				j++
				continue
			}
			t := l.emit(tString, start, j+1)
			t.sub = subMyStr
			return j + 1, nil
		}
	}
	return 0, reject(start, KindUnterminated, "unterminated string literal")
}

// myVariable lexes @name, @'name', @"name", @`name` and @@[scope.]name.
func (l *lexer) myVariable(i int) (int, *Error) {
	s := l.src
	n := len(s)
	j := i + 1
	if j < n && s[j] == '@' {
		j++
		k := j
		for k < n && (myIdentChar(s[k]) || (s[k] == '.' && k > j && k+1 < n && myIdentChar(s[k+1]))) {
			k++
		}
		if k == j {
			return 0, reject(i, KindToken, "@@ without a variable name")
		}
		l.emit(tVar, i, k)
		return k, nil
	}
	if j < n && (s[j] == '\'' || s[j] == '"' || s[j] == '`') {
		q := s[j]
		for k := j + 1; k < n; k++ {
			// '...' is a string (backslash escapes); "..." too unless
			// ANSI_QUOTES makes it an identifier; `...` never.
			if s[k] == '\\' && (q == '\'' || (q == '"' && !l.opts.ANSIQuotes)) && !l.opts.NoBackslashEscapes {
				k++
				continue
			}
			if s[k] == q {
				if k+1 < n && s[k+1] == q {
					k++
					continue
				}
				l.emit(tVar, i, k+1)
				return k + 1, nil
			}
		}
		return 0, reject(i, KindUnterminated, "unterminated quoted variable name")
	}
	k := j
	for k < n && (myIdentChar(s[k]) || s[k] == '.') {
		k++
	}
	if k == j {
		return 0, reject(i, KindToken, "@ without a variable name")
	}
	l.emit(tVar, i, k)
	return k, nil
}

// myNumberOrIdent lexes a token starting with a digit (or .digit): a
// number (integer, decimal, exponent, 0x.., 0b..) or, when letters follow,
// an identifier such as 1abc (MySQL allows names to start with digits).
func (l *lexer) myNumberOrIdent(i int) int {
	s := l.src
	n := len(s)
	if s[i] == '0' && i+1 < n && (s[i+1] == 'x' || s[i+1] == 'b') {
		j := i + 2
		for j < n && ((s[i+1] == 'x' && isHex(s[j])) || (s[i+1] == 'b' && (s[j] == '0' || s[j] == '1'))) {
			j++
		}
		if j > i+2 && (j >= n || !myIdentChar(s[j])) {
			l.emit(tNumber, i, j)
			return j
		}
	}
	j := i
	for j < n && isDigit(s[j]) {
		j++
	}
	if j < n && myIdentChar(s[j]) && !(s[j] == 'e' || s[j] == 'E') && s[i] != '.' {
		// a name that starts with digits
		for j < n && myIdentChar(s[j]) {
			j++
		}
		l.word(i, j)
		return j
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
		if k < n && isDigit(s[k]) {
			for k < n && isDigit(s[k]) {
				k++
			}
			j = k
		} else if s[i] != '.' && !containsByte(s[i:j], '.') {
			// 1e, 1ea: a name
			for j < n && myIdentChar(s[j]) {
				j++
			}
			l.word(i, j)
			return j
		}
	}
	if j < n && myIdentChar(s[j]) && !containsByte(s[i:j], '.') {
		for j < n && myIdentChar(s[j]) {
			j++
		}
		l.word(i, j)
		return j
	}
	l.emit(tNumber, i, j)
	return j
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// myOperator returns the end of the MySQL operator at i (i when none).
func myOperator(s string, i int) int {
	three := []string{"<=>", "->>"}
	for _, op := range three {
		if hasPrefixAt(s, i, op) {
			return i + 3
		}
	}
	two := []string{"<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>", "->"}
	for _, op := range two {
		if hasPrefixAt(s, i, op) {
			return i + 2
		}
	}
	switch s[i] {
	case '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '&', '|', '^', ':':
		return i + 1
	}
	return i
}

func hasPrefixAt(s string, i int, p string) bool {
	return len(s)-i >= len(p) && s[i:i+len(p)] == p
}

func indexFrom(s string, i int, sub string) int {
	for j := i; j+len(sub) <= len(s); j++ {
		if s[j] == sub[0] && s[j:j+len(sub)] == sub {
			return j
		}
	}
	return -1
}

func indexByteFrom(s string, i int, c byte) int {
	for j := i; j < len(s); j++ {
		if s[j] == c {
			return j
		}
	}
	return -1
}
