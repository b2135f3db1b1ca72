package sqlnorm

import (
	"encoding/binary"
	"slices"
	"strings"
)

// placeholder returns the dialect's canonical placeholder for literals and
// bind parameters. PostgreSQL uses $0 because ? is an operator there
// (jsonb ?, geometric ?-|), so "x ? y" and "x $1 y" must not meet.
func placeholder(d Dialect) string {
	if d == Postgres {
		return "$0"
	}
	return "?"
}

// render writes dialect, NUL and the canonical text into buf; it fills
// Literals and Params.
//
// The loop renders the most common tokens itself, without calls, keeping
// the output and the spacing state in locals; every other token goes to
// renderToken, the general code. Each fast path is taken only where
// renderToken would write the same bytes and leave the same state
// (TestRenderFastPaths compares the two on the corpora, and the fuzz
// targets on their inputs).
func (a *analyzer) render(buf []byte) []byte {
	t := a.t
	src := a.src
	buf = append(buf, a.opts.Dialect...)
	buf = append(buf, 0)
	// Room for the text in most cases, so the fast paths need not grow
	// the buffer (they leave a token to renderToken when it is full).
	if need := min(len(src), 1<<16) + 64; cap(buf)-len(buf) < need {
		buf = slices.Grow(buf, need)
	}
	c := renderCtx{
		r:            renderer{buf: buf, base: len(buf)},
		ph:           placeholder(a.opts.Dialect),
		mysql:        a.opts.Dialect == MySQL,
		mysqlKeep:    a.opts.Dialect == MySQL && a.opts.LowerCaseTableNames == 0,
		mysqlKeepAll: a.opts.Dialect == MySQL && a.opts.LowerCaseTableNames == 0 && !dmlCommand(a.st.Command),
		keepUntil:    -1,
	}
	a.byDepth = -1
	if a.general {
		// The general code alone, which the tests compare with.
		for i := 0; i < len(t); {
			i = a.renderToken(&c, i)
		}
	} else {
		a.renderFast(&c)
	}
	if a.opts.Dialect == SQLite {
		a.st.Params = a.sqliteMax
	}
	return c.r.buf
}

// renderFast is the render loop. It renders the most common tokens itself,
// without calls, keeping the output and the spacing state in locals, and
// hands every other token to renderToken, the general code. Each fast path
// is taken only where renderToken would write the same bytes and leave the
// same state (TestRenderFastPaths compares the two on the corpora, and the
// fuzz targets on their inputs); a fast path never grows the buffer.
func (a *analyzer) renderFast(c *renderCtx) {
	t := a.t
	src := a.src
	buf, last, glue := c.r.buf, c.r.last, c.r.glue
	// No space goes before the first token: the row of kind 0 (no token
	// yet) in noSpaceFirst is all true, so len(buf) == base need not be
	// tested. Every write sets last to the kind written.
	words := !c.mysql // MySQL words may keep their case and the space before (
	pgParams := a.opts.Dialect == Postgres
	collapse := !a.keepLits // literals become placeholders (after c.keepUntil)
	st := a.st
	for i := 0; i < len(t); {
		tk := &t[i]
		if cap(buf)-len(buf) >= 2 {
			n := len(buf)
			switch tk.kind {
			case tWord:
				// renderToken calls trackBy for BY and the keywords of an
				// ORDER/GROUP BY list, and VALUES may open a row list.
				kw := tk.kw
				if !words || kw == kwValues || (kw != 0 && (kw == kwBy || a.byDepth == a.depth)) {
					break
				}
				start, end := int(tk.start), int(tk.end)
				m := (end - start + 7) &^ 7
				if start+m > len(src) || cap(buf)-n < m+1 || isDigit(src[start]) {
					break // wordAt's fallback, a full buffer, a name starting with a digit
				}
				// The previous token's kind matters only as a dot or a
				// cast, and a dot or a cast is last exactly when the
				// previous token is one: each is written by itself, and
				// nothing else is written as one.
				prev := last
				var next tokKind
				if i+1 < len(t) {
					next = t[i+1].kind
				}
				fl := tk.flags
				upper := kw != 0 && fl&(fTable|fAlias|fFunc|fFuncQual|fIdent|fCaseKeep) == 0 &&
					next != tDot && prev != tDot
				// wordAt, inlined.
				buf = spaceIf(buf, !noSpaceFirst[last&15][tWord])
				n = len(buf)
				out := buf[n : n+m]
				f := foldFor(upper)
				// The first group outside the loop: most words have one.
				binary.LittleEndian.PutUint64(out, f.fold8(load64(src, start)))
				for j := 8; j < m; j += 8 {
					binary.LittleEndian.PutUint64(out[j:], f.fold8(load64(src, start+j)))
				}
				buf = buf[:n+end-start]
				last = tWord
				glue = fl&fFunc != 0 || kw == 0 || prev == tCast
				i++
				if next == tDot && cap(buf)-len(buf) >= 2 {
					// The dot of a qualified name, as its own case
					// writes it (no space between a word and a dot),
					// without a trip round the loop.
					buf = put1(buf, false, '.')
					last, glue = tDot, false
					i++
				}
				continue
			case tComma:
				// No space goes before a comma (noSpace), and raw adds
				// none before a byte other than ':'.
				buf = put1(buf, false, ',')
				last, glue = tComma, false
				i++
				continue
			case tDot:
				buf = put1(buf, !noSpaceFirst[last&15][tDot], '.')
				last, glue = tDot, false
				i++
				continue
			case tRParen:
				if a.byDepth == a.depth {
					a.byDepth = -1
				}
				a.depth--
				buf = put1(buf, false, ')') // noSpace: never a space before )
				last, glue = tRParen, false
				i++
				continue
			case tOp:
				// A one-byte operator other than a sign (litElem: a
				// signed number) and ':' (raw: "::" after ":"); no
				// operator is rewritten (!= and == are two bytes).
				op := src[tk.start]
				switch tk.end - tk.start {
				case 1:
					if op == '+' || op == '-' || op == ':' {
						break
					}
					buf = put1(buf, !noSpaceFirst[last&15][tOp], op)
					last, glue = tOp, false
					i++
					continue
				case 2:
					// A two-byte operator (no sign: litElem reads one
					// byte) other than != and == (rewritten), and not
					// starting with ':' (raw) or '.' (". .." keeps its
					// space).
					op2 := src[tk.start+1]
					if op == ':' || op == '.' || (op2 == '=' && (op == '!' || op == '=')) || cap(buf)-n < 3 {
						break
					}
					buf = put1(buf, !noSpaceFirst[last&15][tOp], op)
					buf = put1(buf, false, op2)
					last, glue = tOp, false
					i++
					continue
				}
			case tParam:
				// PostgreSQL $n: counted, then the placeholder, whether
				// literals collapse (litElem) or not.
				if !pgParams || cap(buf)-n < 3 {
					break
				}
				if int(tk.pnum) > st.Params {
					st.Params = int(tk.pnum)
				}
				buf = append(spaceIf(buf, !noSpaceFirst[last&15][tParam]), '$', '0')
				last, glue = tParam, false
				i++
				continue
			case tNumber:
				// A number where literals collapse and no ORDER/GROUP BY
				// list is open (positional: a column position stays):
				// litElem records it; the placeholder is written.
				if !collapse || i <= c.keepUntil || a.byDepth == a.depth || cap(buf)-n < 3 {
					break
				}
				st.Literals = append(st.Literals, src[tk.start:tk.end])
				buf = append(spaceIf(buf, !noSpaceFirst[last&15][tParam]), c.ph...)
				last, glue = tParam, false
				i++
				continue
			case tString:
				// A PostgreSQL '...' string of one segment holding no
				// quote and no backslash, where literals collapse:
				// litElem records its text (decodeString's value), and
				// the placeholder is written.
				if tk.sub != subPGStd || !collapse || i <= c.keepUntil || cap(buf)-n < 3 || src[tk.start] != '\'' {
					break
				}
				body := src[tk.start+1 : tk.end-1]
				if !plainBody(body) {
					break
				}
				st.Literals = append(st.Literals, body)
				buf = append(spaceIf(buf, !noSpaceFirst[last&15][tParam]), c.ph...)
				last, glue = tParam, false
				i++
				continue
			case tLParen:
				// IN ( may open a list of literals that collapses, and the
				// ( of set_config's arguments (fKeepArgs, set on a ( only)
				// keeps the literals up to its ).
				if tk.flags&fKeepArgs != 0 || !a.keepLits && i > c.keepUntil && i > 0 && t[i-1].kind == tWord && t[i-1].kw == kwIn {
					break
				}
				a.depth++
				buf = put1(buf, !noSpaceFirst[last&15][tLParen] && !glue, '(')
				last, glue = tLParen, false
				i++
				continue
			}
		}
		c.r.buf, c.r.last, c.r.glue = buf, last, glue
		i = a.renderToken(c, i)
		buf, last, glue = c.r.buf, c.r.last, c.r.glue
	}
	c.r.buf, c.r.last, c.r.glue = buf, last, glue
}

// spaceIf appends a space to buf when space is set. The fast paths have
// checked that buf has room, so it never grows buf (inlined).
func spaceIf(buf []byte, space bool) []byte {
	if space {
		n := len(buf)
		buf = buf[:n+1]
		buf[n] = ' '
	}
	return buf
}

// put1 appends b to buf, after a space when space is set; as spaceIf, the
// caller has checked that buf has room for both.
func put1(buf []byte, space bool, b byte) []byte {
	buf = spaceIf(buf, space)
	n := len(buf)
	buf = buf[:n+1]
	buf[n] = b
	return buf
}

// renderCtx is the state of one render that renderToken needs.
type renderCtx struct {
	r            renderer
	ph           string // the placeholder
	mysql        bool
	mysqlKeep    bool // MySQL with case-sensitive names
	mysqlKeepAll bool // ... and a statement whose words all keep their case
	keepUntil    int  // literals up to this token stay (arguments of set_config)
}

// renderToken renders the token at i (with what follows, when literals
// collapse) and returns the index of the next token to render.
func (a *analyzer) renderToken(c *renderCtx, i int) int {
	t := a.t
	st := a.st
	r := &c.r
	ph := c.ph
	mysql, mysqlKeep, mysqlKeepAll := c.mysql, c.mysqlKeep, c.mysqlKeepAll
	tk := &t[i]
	k := tk.kind
	// trackBy, with its bracket half inlined.
	switch k {
	case tLParen, tLBrack, tRParen, tRBrack:
		a.trackBracket(k)
	case tWord:
		// Only BY and the words of an ORDER/GROUP BY list change what
		// trackBy tracks.
		if tk.kw != 0 && (tk.kw == kwBy || a.byDepth == a.depth) {
			a.trackBy(i)
		}
	case tParam:
		a.countParam(i)
	}
	if tk.flags&fKeepArgs != 0 && int(a.match[i]) > c.keepUntil {
		c.keepUntil = int(a.match[i])
	}
	if !a.keepLits && i > c.keepUntil {
		switch k {
		case tLParen, tLBrack:
			// IN (lit, ...) and ARRAY[lit, ...] collapse to one element.
			if (k == tLParen && a.kw(i-1) == kwIn) || (k == tLBrack && a.kw(i-1) == kwArray) {
				if end := a.litList(i); end > 0 {
					close := tRParen
					if k == tLBrack {
						close = tRBrack
					}
					r.sep(k)
					r.raw(tokenText(a.src, tk), k)
					r.sep(tParam)
					r.raw(ph, tParam)
					r.sep(close)
					r.raw(tokenText(a.src, &t[end]), close)
					a.depth-- // the closing token is consumed here
					return end + 1
				}
			}
		case tWord:
			// VALUES (lit, ...), (lit, ...) collapses to one row.
			if tk.kw == kwValues && a.kind(i+1) == tLParen {
				if end, arity := a.litRows(i + 1); end > 0 {
					r.word(tokenText(a.src, tk), 'U', false)
					r.sep(tLParen)
					r.raw("(", tLParen)
					for k := 0; k < arity; k++ {
						if k > 0 {
							r.raw(",", tComma)
						}
						r.sep(tParam)
						r.raw(ph, tParam)
					}
					r.raw(")", tRParen)
					return end + 1
				}
			}
		case tNumber, tString, tParam, tOp:
			if k == tNumber && a.positional(i) {
				// ORDER BY 1 / GROUP BY 2 name output columns: kept.
				r.sep(tNumber)
				r.raw(tokenText(a.src, tk), tNumber)
				return i + 1
			}
			if end := a.litElem(i); end > 0 {
				r.sep(tParam)
				r.raw(ph, tParam)
				return end
			}
		}
	}
	switch k {
	case tParam:
		r.sep(tParam)
		r.raw(ph, tParam)
		return i + 1
	case tString, tNumber:
		v := a.literalValue(i)
		st.Literals = append(st.Literals, v)
		r.sep(k)
		r.raw(a.quoteLiteral(tk, v), k)
	case tWord:
		raw := tokenText(a.src, tk)
		prev := a.kind(i - 1)
		next := a.kind(i + 1)
		identLike := tk.flags&(fTable|fAlias|fFunc|fFuncQual|fIdent|fCaseKeep) != 0 ||
			next == tDot || prev == tDot
		glue := tk.flags&fFunc != 0 || tk.kw == 0 || prev == tCast
		keep := false
		if mysql {
			if i+1 < len(t) && t[i+1].start != tk.end {
				// MySQL: "abs (1)" may call a stored function abs, "abs(1)"
				// the built-in: the space is kept.
				glue = false
			}
			keep = mysqlKeep &&
				(tk.flags&(fTable|fAlias|fCaseKeep|fFuncQual) != 0 ||
					(next == tDot && prev != tDot) ||
					(mysqlKeepAll && (tk.kw == 0 || tk.kw >= kwNamed)))
		}
		switch {
		case keep || isDigit(raw[0]):
			// MySQL names such as 0X0 or 0B1 must keep their case:
			// 0x0 and 0b1 are literals.
			r.word(raw, 0, glue)
		case !identLike && tk.kw != 0:
			r.wordAt(a.src, int(tk.start), int(tk.end), true, glue)
		default:
			r.wordAt(a.src, int(tk.start), int(tk.end), false, glue)
		}
	case tQIdent:
		r.sep(tQIdent)
		r.quoteIdent(a, tk)
		r.glue = true
	case tVar:
		r.word(tokenText(a.src, tk), 'L', false)
		r.last = tVar
	case tOp:
		op := tokenText(a.src, tk)
		switch op {
		case "!=":
			op = "<>"
		case "==":
			op = "="
		}
		r.sep(tOp)
		if r.last == tDot && op[0] == '.' {
			r.buf = append(r.buf, ' ') // ". .." must not become "..."
		}
		r.raw(op, tOp)
	default:
		r.sep(k)
		r.raw(tokenText(a.src, tk), k)
	}
	return i + 1
}

func dmlCommand(cmd string) bool {
	switch cmd {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "EXPLAIN", "DESCRIBE":
		return true
	}
	return false
}

// positional reports whether the number at i is a whole element of an
// ORDER BY or GROUP BY list (a column position, not a value). The render
// loop keeps a.byDepth: the paren depth of the ORDER/GROUP BY list being
// rendered, or -1.
func (a *analyzer) positional(i int) bool {
	if a.byDepth != a.depth || i == 0 {
		return false
	}
	t := a.t
	if p := &t[i-1]; p.kind != tComma && !(p.kind == tWord && p.kw == kwBy) {
		return false
	}
	switch a.kind(i + 1) {
	case tComma, tRParen, 0:
		return true
	case tWord:
		switch lowerWord(a, i+1) {
		case "asc", "desc", "nulls", "limit", "offset", "having", "window", "for", "union",
			"except", "intersect", "fetch", "returning", "order", "with", "lock", "into":
			return true
		}
	}
	return false
}

// trackBracket is trackBy for a bracket of kind k: the depth changes, and
// closing the bracket an ORDER/GROUP BY list opened in ends the list.
func (a *analyzer) trackBracket(k tokKind) {
	if k == tLParen || k == tLBrack {
		a.depth++
		return
	}
	if a.byDepth == a.depth {
		a.byDepth = -1
	}
	a.depth--
}

// trackBy updates a.depth and a.byDepth for the token at i.
func (a *analyzer) trackBy(i int) {
	t := a.t
	switch k := t[i].kind; k {
	case tLParen, tLBrack, tRParen, tRBrack:
		a.trackBracket(k)
	case tWord:
		kw := t[i].kw
		if kw == 0 {
			return
		}
		if kw == kwBy && i > 0 {
			if p := a.kw(i - 1); p == kwOrder || p == kwGroup {
				a.byDepth = a.depth
				return
			}
		}
		if a.byDepth == a.depth {
			switch kw {
			case kwAsc, kwDesc, kwNulls, kwFirst, kwLast:
			default:
				a.byDepth = -1
			}
		}
	}
}

// countParam accounts for the parameter at i.
func (a *analyzer) countParam(i int) {
	tk := &a.t[i]
	st := a.st
	switch a.opts.Dialect {
	case Postgres:
		if int(tk.pnum) > st.Params {
			st.Params = int(tk.pnum)
		}
	case MySQL:
		st.Params++
	case SQLite:
		switch {
		case tk.pnum > 0:
			if int(tk.pnum) > a.sqliteMax {
				a.sqliteMax = int(tk.pnum)
			}
		case tk.sub == 1: // named: same name, same index
			name := tokenText(a.src, tk)
			for _, n := range a.sqliteNames {
				if n == name {
					return
				}
			}
			a.sqliteNames = append(a.sqliteNames, name)
			a.sqliteMax++
		default:
			a.sqliteMax++
		}
	}
}

// unaryContext reports whether a sign at i is a unary sign (not a binary
// operator): it follows an operator, (, [, a comma or a clause keyword.
func (a *analyzer) unaryContext(i int) bool {
	if i == 0 {
		return true
	}
	p := &a.t[i-1]
	switch p.kind {
	case tOp, tLParen, tLBrack, tComma:
		return true
	case tWord:
		switch p.kw {
		case kwSelect, kwWhere, kwAnd, kwOr, kwNot, kwThen, kwElse, kwWhen, kwCase, kwLimit,
			kwOffset, kwBetween, kwHaving, kwReturning, kwOn, kwValues, kwIn:
			return true
		}
	}
	return false
}

// litElem returns the end of a literal element at i ([sign] number, a
// string (MySQL: adjacent strings), a parameter), or 0.
func (a *analyzer) litElem(i int) int {
	t := a.t
	if i >= len(t) {
		return 0
	}
	tk := &t[i]
	switch tk.kind {
	case tParam:
		return i + 1 // counted by the caller
	case tNumber:
		a.st.Literals = append(a.st.Literals, tokenText(a.src, tk))
		return i + 1
	case tString:
		j := i + 1
		if a.opts.Dialect == MySQL {
			for a.kind(j) == tString && t[j].sub == subMyStr && tk.sub == subMyStr {
				j++
			}
		}
		if j == i+1 {
			a.st.Literals = append(a.st.Literals, a.literalValue(i))
		} else {
			var b strings.Builder
			for k := i; k < j; k++ {
				b.WriteString(a.literalValue(k))
			}
			a.st.Literals = append(a.st.Literals, b.String())
		}
		return j
	case tOp:
		if (tk.end-tk.start == 1) && (a.src[tk.start] == '-' || a.src[tk.start] == '+') &&
			a.kind(i+1) == tNumber && a.unaryContext(i) {
			v := tokenText(a.src, &t[i+1])
			if a.src[tk.start] == '-' {
				v = "-" + v
			}
			a.st.Literals = append(a.st.Literals, v)
			return i + 2
		}
	}
	return 0
}

// litList checks that the bracketed list at i holds only literal elements
// and returns the index of its closing token (0 when it does not). The
// literal values are recorded.
func (a *analyzer) litList(i int) int {
	t := a.t
	end := int(a.match[i])
	if end <= i+1 {
		return 0
	}
	// Dry run first: elements must be literals separated by commas.
	k := i + 1
	for k < end {
		e := k + 1 // a number or a parameter: litElemEnd, inlined
		if kd := t[k].kind; kd != tNumber && kd != tParam {
			e = a.litElemEnd(k)
		}
		if e == 0 {
			return 0
		}
		k = e
		if k < end {
			if t[k].kind != tComma {
				return 0
			}
			k++
		}
	}
	st := a.st
	for k = i + 1; k < end; k++ {
		switch t[k].kind {
		case tComma:
			continue
		case tNumber: // litElem, inlined
			st.Literals = append(st.Literals, tokenText(a.src, &t[k]))
			continue
		case tParam: // counted; litElem records nothing
			a.countParam(k)
			continue
		}
		k = a.litElem(k) - 1
	}
	return end
}

// litElemEnd is litElem without side effects.
func (a *analyzer) litElemEnd(i int) int {
	t := a.t
	if i >= len(t) {
		return 0
	}
	switch t[i].kind {
	case tParam, tNumber:
		return i + 1
	case tString:
		j := i + 1
		if a.opts.Dialect == MySQL {
			for a.kind(j) == tString && t[j].sub == subMyStr && t[i].sub == subMyStr {
				j++
			}
		}
		return j
	case tOp:
		if t[i].end-t[i].start == 1 && (a.src[t[i].start] == '-' || a.src[t[i].start] == '+') &&
			a.kind(i+1) == tNumber && a.unaryContext(i) {
			return i + 2
		}
	}
	return 0
}

// litRows checks VALUES rows starting at the ( at i: every row made only of
// literal elements, all of the same arity. It returns the index of the last
// row's ) and the arity, or 0.
func (a *analyzer) litRows(i int) (int, int) {
	t := a.t
	arity := -1
	last := 0
	k := i
	for {
		if a.kind(k) != tLParen {
			return 0, 0
		}
		end := int(a.match[k])
		n := 0
		m := k + 1
		for m < end {
			e := a.litElemEnd(m)
			if e == 0 {
				return 0, 0
			}
			n++
			m = e
			if m < end {
				if t[m].kind != tComma {
					return 0, 0
				}
				m++
			}
		}
		if n == 0 || (arity >= 0 && n != arity) {
			return 0, 0
		}
		arity = n
		last = end
		if a.kind(end+1) == tComma && a.kind(end+2) == tLParen {
			k = end + 2
			continue
		}
		break
	}
	// Record literals and parameters in order.
	for k = i; k <= last; k++ {
		switch t[k].kind {
		case tLParen, tRParen, tComma:
			continue
		case tParam:
			a.countParam(k)
		}
		k = a.litElem(k) - 1
	}
	return last, arity
}

// literalValue decodes the literal at i.
func (a *analyzer) literalValue(i int) string {
	tk := &a.t[i]
	if tk.kind == tNumber {
		return tokenText(a.src, tk)
	}
	v, ok := decodeString(a.src, tk, &a.opts)
	if !ok {
		return tokenText(a.src, tk)
	}
	return v
}

// quoteLiteral renders a kept literal canonically.
func (a *analyzer) quoteLiteral(tk *token, v string) string {
	if tk.kind == tNumber || tk.sub == subBits {
		if tk.sub == subBits {
			return v // B'...' / X'...' with segments joined
		}
		return tokenText(a.src, tk)
	}
	switch a.opts.Dialect {
	case Postgres:
		if strings.IndexByte(v, '\\') >= 0 {
			return "E'" + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), "'", "''") + "'"
		}
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case MySQL:
		if !a.opts.NoBackslashEscapes {
			v = strings.ReplaceAll(v, `\`, `\\`)
			v = strings.ReplaceAll(v, "\x00", `\0`)
		}
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// wordAt appends the word src[start:end] as word does, upper-cased or
// lower-cased. When src holds whole groups of eight bytes from start, the
// groups are read straight from src, folded and stored (the bytes past end
// land beyond the buffer's length).
func (r *renderer) wordAt(src string, start, end int, upper, glue bool) {
	m := (end - start + 7) &^ 7
	if start+m > len(src) {
		fold := byte('L')
		if upper {
			fold = 'U'
		}
		r.word(src[start:end], fold, glue)
		return
	}
	r.sep(tWord)
	buf := r.buf
	n := len(buf)
	if cap(buf)-n < m {
		buf = slices.Grow(buf, m)
	}
	out := buf[n : n+m]
	f := foldFor(upper)
	for i := 0; i < m; i += 8 {
		binary.LittleEndian.PutUint64(out[i:], f.fold8(load64(src, start+i)))
	}
	r.buf = buf[:n+end-start]
	r.last = tWord
	r.glue = glue
}

// load64 reads the eight bytes of s at i as a little-endian number (the
// compiler makes this one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendFolded appends s to buf with its ASCII letters upper-cased (or
// lower-cased), eight bytes at a time: the buffer gets room for a whole
// last group, whose bytes past s are folded too but lie beyond the
// returned length.
func appendFolded(buf []byte, s string, upper bool) []byte {
	n := len(buf)
	if cap(buf)-n < len(s)+8 {
		buf = slices.Grow(buf, len(s)+8)
	}
	buf = append(buf, s...)
	b := buf[n : n+(len(s)+7)&^7 : cap(buf)]
	f := foldFor(upper)
	for i := 0; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		binary.LittleEndian.PutUint64(b[i:], f.fold8(x))
	}
	return buf
}

// caseFold holds the two sums fold8 tests each byte's range with, for
// upper-casing (the range a-z) or lower-casing (A-Z): made once per word
// (foldFor), not once per group of eight bytes.
type caseFold struct{ ge, gt uint64 }

const ones8, high8 = 0x0101010101010101, 0x8080808080808080

// foldFor returns the caseFold that upper-cases (or lower-cases).
func foldFor(upper bool) caseFold {
	if upper {
		return caseFold{ones8 * (0x80 - 'a'), ones8 * (0x7f - 'z')}
	}
	return caseFold{ones8 * (0x80 - 'A'), ones8 * (0x7f - 'Z')}
}

// fold8 folds the ASCII letters of its range among the eight bytes of x;
// other bytes, including any >= 0x80, are unchanged.
func (f caseFold) fold8(x uint64) uint64 {
	h := x &^ high8 // each byte's low seven bits: adding below cannot carry
	ge := h + f.ge  // high bit set where the byte >= the range's first letter
	gt := h + f.gt  // high bit set where the byte > its last letter
	m := ge &^ gt &^ x & high8
	return x ^ m>>2 // 0x80 >> 2 is the case bit 0x20
}

// renderer appends tokens with canonical spacing.
type renderer struct {
	buf  []byte
	base int
	last tokKind
	glue bool // a following ( belongs to the previous name
}

// sep writes the separator before a token of kind k.
func (r *renderer) sep(k tokKind) {
	if len(r.buf) == r.base || noSpace[r.last][k] || (k == tLParen && r.glue) {
		return
	}
	r.buf = append(r.buf, ' ')
}

// noSpace[last][k] reports that no space goes between a token of kind
// last and one of kind k (a ( after a function name is decided apart).
var noSpace = func() (t [tCast + 1][tCast + 1]bool) {
	for last := range t {
		for k := range t[last] {
			t[last][k] = noSpaceBetween(tokKind(last), tokKind(k))
		}
	}
	return t
}()

// noSpaceFirst is noSpace with the row of kind 0 (no token written yet)
// all true: no space goes before the first token.
var noSpaceFirst = func() (t [16][16]bool) {
	for last := range noSpace {
		for k := range noSpace[last] {
			t[last][k] = last == 0 || noSpace[last][k]
		}
	}
	return t
}()

func noSpaceBetween(last, k tokKind) bool {
	switch last {
	case tLParen, tLBrack, tCast:
		return true
	case tDot:
		if k != tNumber && k != tDot {
			return true // but ". ." must not become ".."
		}
	}
	switch k {
	case tRParen, tRBrack, tComma, tCast, tSemi:
		return true
	case tDot:
		// A MySQL variable takes the dots that follow it (@a.b is one
		// name), so "@a .b" keeps its space.
		if last != tNumber && last != tDot && last != tVar {
			return true
		}
	case tLBrack:
		switch last {
		case tWord, tQIdent, tRParen, tRBrack, tParam:
			return true
		}
	}
	return false
}

func (r *renderer) raw(s string, k tokKind) {
	if n := len(r.buf); n > r.base && r.buf[n-1] == ':' && s != "" && s[0] == ':' {
		// ":" then "::" (or "::" then ":") must not become ":::", which
		// lexes as "::" then ":".
		r.buf = append(r.buf, ' ')
	}
	if len(s) == 1 {
		r.buf = append(r.buf, s[0]) // punctuation: no copy call
	} else {
		r.buf = append(r.buf, s...)
	}
	r.last = k
	r.glue = false
}

// word appends s as is (fold 0), upper-cased ('U') or lower-cased ('L', ASCII only).
func (r *renderer) word(s string, fold byte, glue bool) {
	r.sep(tWord)
	if fold == 0 {
		r.buf = append(r.buf, s...)
	} else {
		r.buf = appendFolded(r.buf, s, fold == 'U')
	}
	r.last = tWord
	r.glue = glue
}

// quoteIdent writes a quoted identifier in the dialect's canonical quoting.
func (r *renderer) quoteIdent(a *analyzer, tk *token) {
	raw := tokenText(a.src, tk)
	q := byte('"')
	if a.opts.Dialect == MySQL {
		q = '`'
	}
	if (q == '"' && tk.sub == subDQ) || (q == '`' && tk.sub == subBacktick) {
		r.buf = append(r.buf, raw...)
		r.last = tQIdent
		return
	}
	v, _ := decodeIdent(a.src, tk)
	r.buf = append(r.buf, q)
	for i := 0; i < len(v); i++ {
		if v[i] == q {
			r.buf = append(r.buf, q)
		}
		r.buf = append(r.buf, v[i])
	}
	r.buf = append(r.buf, q)
	r.last = tQIdent
}
