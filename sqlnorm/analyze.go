package sqlnorm

import "strings"

// analyzer derives the statement facts from the tokens of one statement
// and marks tokens with the roles the renderer needs.
type analyzer struct {
	src   string
	opts  Options
	t     []token
	match []int32
	st    *Statement

	verb        int        // index of the main statement's verb
	cmdKw       uint16     // keyword id of the main verb
	ctes        []cteScope // names defined by WITH and where they apply
	uses        []tableUse // table references in order
	write       bool       // some part can write
	impure      bool       // a function not known to be side-effect-free is called
	keepLits    bool       // literals stay in the canonical text
	funcParens  []uint8    // stack per open (: 1 = a function's arguments, 2 = ... holding a SELECT
	skipFuncDet bool       // GRANT/REVOKE: names followed by ( are not calls

	sqliteMax   int      // SQLite: highest parameter index so far
	depth       int      // render: current paren depth
	byDepth     int      // render: depth of the ORDER/GROUP BY list, or -1
	sqliteNames []string // SQLite: named parameters seen

	general bool // render: no fast paths (tests compare the two)
}

// kw returns the keyword id of token i, 0 if it is not a keyword or i is
// out of range (one unsigned compare tests both ends).
func (a *analyzer) kw(i int) uint16 {
	if uint(i) < uint(len(a.t)) && a.t[i].kind == tWord {
		return a.t[i].kw
	}
	return 0
}

// kind returns the kind of token i, 0 if i is out of range.
func (a *analyzer) kind(i int) tokKind {
	if uint(i) < uint(len(a.t)) {
		return a.t[i].kind
	}
	return 0
}

// isWordText reports whether token i is the unquoted word w (any case).
func (a *analyzer) isWordText(i int, w string) bool {
	return a.kind(i) == tWord && strings.EqualFold(tokenText(a.src, &a.t[i]), w)
}

func (a *analyzer) upper(i int) string {
	tk := &a.t[i]
	raw := tokenText(a.src, tk)
	if tk.kind == tWord && tk.kw != 0 && int(tk.kw) < len(kwUpper) && len(kwUpper[tk.kw]) == len(raw) {
		// The word is this keyword in some ASCII case (STRAIGHT_JOIN,
		// which shares JOIN's id, differs in length).
		return kwUpper[tk.kw]
	}
	return strings.ToUpper(raw)
}

func (a *analyzer) isName(i int) bool {
	k := a.kind(i)
	return k == tWord || k == tQIdent
}

// commands whose canonical text keeps literal values, because the values
// carry the meaning (SET ROLE 'admin', DO $$...$$, COPY ... PROGRAM '...').
func keepsLiterals(cmd string) bool {
	switch cmd {
	case "SET", "RESET", "SHOW", "DO", "COPY", "LOAD", "PREPARE", "PRAGMA", "CREATE", "ALTER",
		"DROP", "COMMENT", "GRANT", "REVOKE", "SECURITY", "IMPORT", "CLUSTER", "REINDEX",
		"VACUUM", "ANALYZE", "LISTEN", "NOTIFY", "DECLARE", "EXECUTE", "HANDLER", "INSTALL",
		"RENAME", "FLUSH", "KILL", "PURGE", "CHANGE", "ATTACH", "DETACH":
		return true
	}
	return false
}

// commandAlias returns the command a verb stands for (TABLE and VALUES
// are queries, END commits ...), or cmd itself.
func commandAlias(cmd string) string {
	switch cmd {
	case "TABLE", "VALUES":
		return "SELECT"
	case "END":
		return "COMMIT"
	case "ABORT":
		return "ROLLBACK"
	case "START":
		return "BEGIN"
	case "DESC":
		return "DESCRIBE"
	}
	return cmd
}

func (a *analyzer) run() *Error {
	t := a.t
	i := 0
	for i < len(t) && t[i].kind == tLParen {
		i++
	}
	if i >= len(t) || t[i].kind != tWord {
		return reject(int(t[0].start), KindSyntax, "statement does not start with a keyword")
	}
	if t[i].kw == kwWith {
		j, err := a.parseWith(i, len(t))
		if err != nil {
			return err
		}
		i = j
		for i < len(t) && t[i].kind == tLParen {
			i++
		}
		if i >= len(t) || t[i].kind != tWord {
			return reject(int(t[0].start), KindSyntax, "WITH is not followed by a statement")
		}
	}
	a.verb = i
	a.cmdKw = t[i].kw
	cmd := a.upper(i)
	cmd = commandAlias(cmd)
	a.st.Command = cmd
	a.keepLits = keepsLiterals(cmd)
	switch cmd {
	case "GRANT", "REVOKE":
		a.skipFuncDet = true
	}

	a.scan()

	st := a.st
	switch cmd {
	case "SELECT", "SHOW", "EXPLAIN", "DESCRIBE":
		st.ReadOnly = !a.write && !a.impure
	}
	a.finishTables()
	return nil
}

// cteScope is where a WITH name hides a table of the same name: token
// indexes [from, to).
type cteScope struct {
	name     string
	from, to int
}

// tableUse is one table reference: its resolved name and token index.
type tableUse struct {
	name string
	at   int
}

// parseWith parses WITH [RECURSIVE] name [(cols)] AS [NOT] [MATERIALIZED]
// ( ... ) [SEARCH ... | CYCLE ...], ... at i, records each name's scope
// (up to scopeEnd) and returns the index after the last CTE. It does not
// mark the bodies: the generic scan reads them.
func (a *analyzer) parseWith(i, scopeEnd int) (int, *Error) {
	t := a.t
	bad := func(k int) *Error {
		off := int(t[len(t)-1].end)
		if k < len(t) {
			off = int(t[k].start)
		}
		return reject(off, KindSyntax, "cannot parse the WITH clause")
	}
	with := i
	i++
	recursive := false
	if a.kw(i) == kwRecursive {
		recursive = true
		i++
	}
	first := len(a.ctes)
	for {
		if !a.isName(i) {
			return 0, bad(i)
		}
		name, _ := a.nameOf(i)
		nameAt := i
		i++
		if a.kind(i) == tLParen {
			t[i].flags |= fNoFuncParen
			i = int(a.match[i]) + 1
		}
		if a.kw(i) != kwAs {
			return 0, bad(i)
		}
		i++
		if a.kw(i) == kwNot {
			i++
		}
		if a.kw(i) == kwMaterialized {
			i++
		}
		if a.kind(i) != tLParen {
			return 0, bad(i)
		}
		t[nameAt].flags |= fIdent | fCaseKeep
		t[i].flags |= fNoFuncParen
		bodyEnd := int(a.match[i])
		from := bodyEnd + 1
		if recursive {
			from = with
		}
		a.ctes = append(a.ctes, cteScope{name: name, from: from, to: scopeEnd})
		i = bodyEnd + 1
		// SEARCH/CYCLE clauses of a recursive CTE run up to the next CTE
		// or the main statement.
		if w := lowerWord(a, i); w == "search" || w == "cycle" {
			for i < scopeEnd && !a.cteStart(i) && !a.mainStart(i) {
				if t[i].kind == tLParen {
					i = int(a.match[i])
				}
				i++
			}
			if a.cteStart(i) {
				i++
				continue
			}
			break
		}
		if a.kind(i) != tComma {
			break
		}
		i++
	}
	if recursive {
		for k := first; k < len(a.ctes); k++ {
			a.ctes[k].from = with
		}
	}
	return i, nil
}

// cteStart reports whether the comma at i starts another CTE (name
// [(cols)] AS).
func (a *analyzer) cteStart(i int) bool {
	if a.kind(i) != tComma || !a.isName(i+1) {
		return false
	}
	j := i + 2
	if a.kind(j) == tLParen {
		j = int(a.match[j]) + 1
	}
	return a.kw(j) == kwAs
}

// mainStart reports whether i starts the statement after a WITH list.
func (a *analyzer) mainStart(i int) bool {
	switch a.kw(i) {
	case kwSelect, kwInsert, kwUpdate, kwDelete, kwMerge, kwValues, kwTable:
		return true
	}
	return a.kind(i) == tLParen
}

// enclosingEnd returns the index of the ) closing the parenthesis around
// i, or len(t) at the top level.
func (a *analyzer) enclosingEnd(i int) int {
	depth := 0
	for k := i - 1; k >= 0; k-- {
		switch a.t[k].kind {
		case tRParen, tRBrack:
			depth++
		case tLParen, tLBrack:
			if depth == 0 {
				return int(a.match[k])
			}
			depth--
		}
	}
	return len(a.t)
}

// addTable records a table reference at token index at.
func (a *analyzer) addTable(name string, at int) {
	a.uses = append(a.uses, tableUse{name: name, at: at})
}

// finishTables fills Statement.Tables from the recorded references: in
// order of first appearance, without duplicates, leaving out unqualified
// names that refer to a WITH query in scope.
func (a *analyzer) finishTables() {
	st := a.st
	for _, u := range a.uses {
		cte := false
		for _, c := range a.ctes {
			if c.name == u.name && u.at >= c.from && u.at < c.to {
				cte = true
				break
			}
		}
		if !cte {
			st.Tables = appendUnique(st.Tables, u.name)
		}
	}
}

// nameOf returns the name of one identifier token as the server resolves
// it: unquoted names folded, quoted names decoded.
func (a *analyzer) nameOf(i int) (string, bool) {
	tk := &a.t[i]
	raw := tokenText(a.src, tk)
	var s string
	switch tk.kind {
	case tWord:
		if a.opts.Dialect == MySQL && a.opts.LowerCaseTableNames == 0 {
			s = raw
		} else {
			s = lowerASCII(raw)
		}
	case tQIdent:
		v, ok := decodeIdent(a.src, tk)
		if !ok {
			return "", false
		}
		s = v
		if a.opts.Dialect == SQLite || (a.opts.Dialect == MySQL && a.opts.LowerCaseTableNames != 0) {
			s = lowerASCII(s)
		}
	default:
		return "", false
	}
	if a.opts.Dialect == Postgres {
		s = pgTruncate(s)
	}
	return s, true
}

// pgTruncate cuts a name to PostgreSQL's NAMEDATALEN-1 (63) bytes at a
// character boundary, as the server does.
func pgTruncate(s string) string {
	if len(s) <= 63 {
		return s
	}
	n := 63
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// nameEnd returns the index after name(.name)* at i.
func (a *analyzer) nameEnd(i int) int {
	for a.kind(i+1) == tDot && a.isName(i+2) {
		i += 2
	}
	return i + 1
}

// qualifiedName parses name(.name)* at i; it returns the index after it and
// the dotted name (a part holding . or " is double-quoted).
func (a *analyzer) qualifiedName(i int) (int, string, bool) {
	if !a.isName(i) {
		return i, "", false
	}
	if a.t[i].kind == tWord && !(a.kind(i+1) == tDot && a.isName(i+2)) {
		// One unquoted word: its name as the server resolves it, which
		// holds neither . nor " (no lexer puts one in a word; see
		// TestWordsHoldNoDotOrQuote), so needs no quotes.
		name, _ := a.nameOf(i)
		return i + 1, name, true
	}
	var parts [4]string
	n := 0
	j := i
	for {
		p, ok := a.nameOf(j)
		if !ok {
			return i, "", false
		}
		if hasDotOrQuote(p) {
			p = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
		}
		if n < len(parts) {
			parts[n] = p
		}
		n++
		if a.kind(j+1) == tDot && a.isName(j+2) {
			j += 2
			continue
		}
		break
	}
	if n > len(parts) {
		return i, "", false
	}
	name := parts[0]
	if n > 1 {
		if a.verbatimName(i, j, parts[:n]) {
			// The text as written is the joined name: no copy.
			name = a.src[a.t[i].start:a.t[j].end]
		} else {
			name = strings.Join(parts[:n], ".")
		}
	}
	return j + 1, name, true
}

// verbatimName reports whether the dotted name at tokens i..j (parts,
// dots between) is written exactly as parts joined with dots: unquoted
// words kept as written, nothing between the words and the dots.
func (a *analyzer) verbatimName(i, j int, parts []string) bool {
	t := a.t
	for k, m := i, 0; k <= j; k, m = k+2, m+1 {
		if t[k].kind != tWord || parts[m] != tokenText(a.src, &t[k]) {
			return false
		}
		if k < j && (t[k].end != t[k+1].start || t[k+1].end != t[k+2].start) {
			return false
		}
	}
	return true
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// tableRef parses one table reference at i: [ONLY|LATERAL] name [*]
// [[AS] alias [(cols)]]. A name followed by ( is a table function. It
// returns the index after the reference (i itself for a subquery).
func (a *analyzer) tableRef(i int, alias bool) int { return a.tableRefF(i, alias, false) }

// tableRefF is tableRef; fnOK allows a table function (FROM f(x)).
func (a *analyzer) tableRefF(i int, alias, fnOK bool) int {
	t := a.t
	for a.kw(i) == kwOnly || a.kw(i) == kwLateral {
		i++
	}
	if a.kind(i) == tLParen && alias {
		// A subquery or parenthesised join: scanned generically; the list
		// resumes after its closing parenthesis. The first table of a
		// parenthesised join is marked here (the JOIN rule finds the rest).
		t[a.match[i]].flags |= fFromClose
		if k := a.kw(i + 1); a.kind(i+1) == tLParen || (a.isName(i+1) && !isVerb(k)) {
			a.tableListF(i+1, true, fnOK)
		}
		return i
	}
	if !a.isName(i) {
		return i
	}
	if a.kind(i) == tWord && t[i].kw != 0 && reservedAfterFrom(t[i].kw) {
		return i
	}
	j, name, ok := a.qualifiedName(i)
	if !ok {
		return i
	}
	if fnOK && a.kind(j) == tLParen {
		a.markFunc(i, j, name)
		return j
	}
	for k := i; k < j; k++ {
		t[k].flags |= fTable
	}
	a.addTable(name, i)
	if a.kind(j) == tOp && tokenText(a.src, &t[j]) == "*" {
		j++
	}
	if !alias {
		return j
	}
	return a.alias(j)
}

// alias parses [AS] alias [(cols)] at j.
func (a *analyzer) alias(j int) int {
	t := a.t
	if a.kw(j) == kwAs {
		j++
		if a.isName(j) {
			t[j].flags |= fAlias
			j++
		}
	} else if a.kind(j) == tQIdent || (a.kind(j) == tWord && t[j].kw == 0) {
		t[j].flags |= fAlias
		j++
	}
	if a.kind(j) == tLParen && t[j-1].flags&fAlias != 0 {
		t[j].flags |= fNoFuncParen
		j = int(a.match[j]) + 1
	}
	return j
}

// tableList parses comma-separated table references.
func (a *analyzer) tableList(i int, alias bool) int { return a.tableListF(i, alias, false) }

func (a *analyzer) tableListF(i int, alias, fnOK bool) int {
	for {
		j := a.tableRefF(i, alias, fnOK)
		if j == i || a.kind(j) != tComma {
			return j
		}
		i = j + 1
	}
}

func reservedAfterFrom(kw uint16) bool {
	return int(kw) < len(reservedAfterFromTab) && reservedAfterFromTab[kw]
}

var reservedAfterFromTab = kwIDSet(kwSelect, kwWhere, kwValues, kwWith, kwSet, kwOn, kwUsing, kwJoin, kwDefault, kwFrom,
	kwInto, kwLimit, kwOffset, kwReturning, kwHaving, kwFor, kwNot, kwAnd, kwOr, kwIn,
	kwTable, kwUpdate, kwDelete, kwInsert, kwAll)

// markFunc records the function called with name parts i..j-1 (j is its ().
func (a *analyzer) markFunc(i, j int, name string) {
	t := a.t
	for k := i; k < j-1; k++ {
		t[k].flags |= fFuncQual
	}
	t[j-1].flags |= fFunc
	if a.skipFuncDet {
		return
	}
	switch a.opts.Dialect {
	case SQLite:
		name = lowerASCII(name)
	case MySQL:
		// Function names are case-insensitive; a database qualifier is not
		// (unless lower_case_table_names says so).
		k := strings.LastIndexByte(name, '.') + 1
		if k == 0 {
			name = lowerASCII(name)
		} else if strings.IndexByte(name[k:], '"') < 0 {
			name = name[:k] + lowerASCII(name[k:])
		}
	}
	before := len(a.st.Functions)
	a.st.Functions = appendUnique(a.st.Functions, name)
	isNew := len(a.st.Functions) > before
	base := name
	if a.opts.Dialect == Postgres && strings.HasPrefix(name, "pg_catalog.") {
		base = name[len("pg_catalog."):]
	}
	if base == "set_config" && j < len(t) { // the one setting function
		// set_config('role', 'admin', false) and set_config('application_name',
		// 'x', false) must not share a fingerprint: the literals say which
		// setting changes and to what.
		t[j].flags |= fKeepArgs
	}
	// A name recorded before was tested then (same name, same base).
	if isNew && !pureFunctions[base] {
		a.impure = true
	}
}

// writeWords are keywords whose presence anywhere means the statement can
// write or lock (INSERT in a CTE, SELECT INTO, FOR UPDATE/SHARE, LOCK IN
// SHARE MODE ...).
func writeWord(kw uint16) bool { return int(kw) < len(writeWordTab) && writeWordTab[kw] }

var writeWordTab = kwIDSet(kwInsert, kwUpdate, kwDelete, kwMerge, kwReplace, kwInto, kwCopy, kwTruncate,
	kwCreate, kwDrop, kwAlter, kwGrant, kwRevoke, kwCall, kwShare, kwLock, kwSet, kwDo)

// scan walks all tokens once, recording tables, functions, writes and
// WHERE, and dispatching statement-specific parsing at statement starts.
func (a *analyzer) scan() {
	t := a.t
	a.funcParens = a.funcParens[:0]
	depth := 0
	for i := 0; i < len(t); {
		tk := &t[i]
		switch tk.kind {
		case tLParen:
			var fn uint8
			if i > 0 && t[i-1].flags&fFunc != 0 && tk.flags&fNoFuncParen == 0 {
				fn = 1
			}
			a.funcParens = append(a.funcParens, fn)
			depth++
			i++
			continue
		case tRParen:
			if len(a.funcParens) > 0 {
				a.funcParens = a.funcParens[:len(a.funcParens)-1]
			}
			depth--
			i++
			if tk.flags&fFromClose != 0 {
				i = a.alias(i)
				if a.kind(i) == tComma {
					i = a.tableListF(i+1, true, true)
				}
			}
			continue
		case tWord, tQIdent:
		default:
			i++
			continue
		}
		// A quoted name, and a word that is not the main verb, starts no
		// statement and is none of the keywords scanKeyword lists, has no
		// role before the call test below.
		if tk.kind == tWord && (i == a.verb || tk.flags&fStmtStart != 0 || scanKeyword(tk.kw)) {
			// Inside a function's arguments FROM is syntax (extract(year FROM d)),
			// unless a SELECT opened a query there.
			inFunc := len(a.funcParens) > 0 && a.funcParens[len(a.funcParens)-1] == 1
			if tk.kw == kwSelect && tk.kind == tWord && len(a.funcParens) > 0 && a.funcParens[len(a.funcParens)-1] == 1 {
				a.funcParens[len(a.funcParens)-1] = 2
			}
			if tk.kind == tWord && tk.kw == kwWith && i > 0 {
				// A WITH inside a subquery, view or INSERT: its names hide
				// tables only inside the enclosing parentheses.
				if j, err := a.parseWith(i, a.enclosingEnd(i)); err == nil {
					if a.kind(j) == tWord && isVerb(t[j].kw) {
						t[j].flags |= fStmtStart
					}
					i++
					continue
				}
			}
			// statement starts: the main verb, and a verb right after (.
			if tk.kind == tWord && (i == a.verb || tk.flags&fStmtStart != 0 || (i > 0 && t[i-1].kind == tLParen && isVerb(tk.kw))) {
				if isVerb(tk.kw) && tk.kw != kwSelect && tk.kw != kwValues && tk.kw != kwWith {
					a.write = a.write || (tk.kw != kwTable && tk.kw != kwShow && tk.kw != kwExplain && tk.kw != kwDescribe && tk.kw != kwDesc)
				}
				j := a.verbHandler(i)
				if j > i {
					i = j
					continue
				}
			}
			if tk.kind == tWord && tk.flags&(fTable|fAlias|fFunc|fFuncQual|fIdent) == 0 {
				if writeWord(tk.kw) && !(a.kind(i+1) == tLParen) {
					a.write = true
				}
				switch tk.kw {
				case kwFrom:
					if !inFunc && a.kw(i-1) != kwDistinct && !(depth == 0 && (a.st.Command == "COPY" || a.skipFuncDet)) {
						i = a.tableListF(i+1, true, true)
						continue
					}
				case kwJoin:
					i = a.tableRefF(i+1, true, true)
					continue
				case kwInto:
					j := i + 1
					for a.kw(j) == kwTemp || a.kw(j) == kwTemporary || a.kw(j) == kwUnlogged || a.kw(j) == kwTable {
						j++
					}
					if a.kw(j) != kwOutfile && a.kw(j) != kwDumpfile && a.isName(j) {
						i = a.tableRef(j, true)
						if a.kind(i) == tLParen {
							t[i].flags |= fNoFuncParen
						}
						continue
					}
				case kwUsing:
					if depth == 0 && (a.cmdKw == kwDelete || a.cmdKw == kwMerge) {
						i = a.tableList(i+1, true)
						continue
					}
				case kwOf:
					// FOR UPDATE OF t, u: table names (case-sensitive in MySQL).
					if p := a.kw(i - 1); p == kwUpdate || p == kwShare {
						j := i + 1
						for a.isName(j) {
							j = a.nameEnd(j)
							for m := i + 1; m < j; m++ {
								t[m].flags |= fCaseKeep
							}
							if a.kind(j) != tComma {
								break
							}
							j++
						}
						i = j
						continue
					}
				case kwTable:
					// ... UNION [ALL] TABLE t
					switch lowerWord(a, i-1) {
					case "union", "intersect", "except", "all", "distinct":
						i = a.tableRef(i+1, false)
						continue
					}
				case kwReferences:
					j := a.tableRef(i+1, false)
					if a.kind(j) == tLParen {
						t[j].flags |= fNoFuncParen
					}
					i = j
					continue
				case kwWhere:
					if depth == 0 && i > a.verb && (a.cmdKw == kwUpdate || a.cmdKw == kwDelete) {
						a.st.HasWhere = true
					}
				}
			}
		}
		// function calls: name(.name)* followed by (
		if !a.skipFuncDet && tk.flags&(fTable|fAlias|fIdent) == 0 {
			j := a.nameEnd(i)
			if a.kind(j) == tLParen && t[j].flags&fNoFuncParen == 0 && a.callable(i, j) {
				if _, name, ok := a.qualifiedName(i); ok {
					a.markFunc(i, j, name)
					i = j
					continue
				}
			}
			i = j
			continue
		}
		i++
	}
}

// scanKeyword reports whether a keyword has a role in scan's handling of
// words: SELECT and WITH, the verbs (a statement may start there), the
// words that write, and the keywords of scan's switch (FROM, JOIN, INTO,
// USING, OF, TABLE, REFERENCES, WHERE). A keyword added to that switch
// must be added here.
func scanKeyword(kw uint16) bool { return int(kw) < len(scanKeywordTab) && scanKeywordTab[kw] }

var scanKeywordTab = func() *[kwNamed]bool {
	t := kwIDSet(kwSelect, kwWith, kwFrom, kwJoin, kwInto, kwUsing, kwOf, kwTable, kwReferences, kwWhere)
	for id := range t {
		t[id] = t[id] || isVerbTab[id] || writeWordTab[id]
	}
	return t
}()

// callable reports whether the name at i..j-1 followed by ( is a call.
func (a *analyzer) callable(i, j int) bool {
	t := a.t
	if i > 0 && (t[i-1].kind == tCast || a.kw(i-1) == kwAs) {
		return false // a type modifier: x::varchar(10), CAST(x AS varchar(10))
	}
	if j-1 == i && t[i].kind == tWord {
		if t[i].kw == kwValues {
			return i > 0 && t[i-1].kind == tOp // MySQL VALUES(col) in ON DUPLICATE KEY UPDATE
		}
		if t[i].kw != 0 && !kwFuncLikeID[t[i].kw] {
			return false
		}
		if typeName(tokenText(a.src, &t[i])) {
			return false
		}
	}
	return true
}

// typeNames are types whose modifiers look like calls: varchar(10).
var typeNames = [...]string{"varchar", "char", "character", "nchar", "numeric", "decimal", "bit",
	"varbit", "timestamp", "timestamptz", "time", "timetz", "interval", "float", "int", "integer",
	"bigint", "smallint", "tinyint", "mediumint", "datetime", "enum", "binary", "varbinary",
	"double", "real", "dec", "year", "btree", "hash", "gist", "gin", "brin", "spgist"}

// typeName reports whether w (any case) is one of typeNames. The switch
// (by length, then a few comparisons) spells typeNames out; TestTypeName
// checks that the two agree.
func typeName(w string) bool {
	if len(w) < 3 || len(w) > 11 { // the lengths in typeNames
		return false
	}
	var buf [11]byte
	for i := 0; i < len(w); i++ {
		buf[i] = lowerTab[w[i]]
	}
	switch string(buf[:len(w)]) {
	case "varchar", "char", "character", "nchar", "numeric", "decimal", "bit",
		"varbit", "timestamp", "timestamptz", "time", "timetz", "interval", "float", "int", "integer",
		"bigint", "smallint", "tinyint", "mediumint", "datetime", "enum", "binary", "varbinary",
		"double", "real", "dec", "year", "btree", "hash", "gist", "gin", "brin", "spgist":
		return true
	}
	return false
}

// hasDotOrQuote reports whether s holds . or ".
func hasDotOrQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' || s[i] == '"' {
			return true
		}
	}
	return false
}

// kwFuncLikeID is kwFuncLike by keyword id.
var kwFuncLikeID = func() []bool {
	b := make([]bool, len(kwNames))
	for id, w := range kwNames {
		b[id] = w != "" && kwFuncLike[w]
	}
	return b
}()

func isVerb(kw uint16) bool { return int(kw) < len(isVerbTab) && isVerbTab[kw] }

var isVerbTab = kwIDSet(kwSelect, kwInsert, kwUpdate, kwDelete, kwMerge, kwReplace, kwValues, kwTable, kwWith,
	kwCreate, kwAlter, kwDrop, kwTruncate, kwCopy, kwExplain, kwAnalyze, kwVacuum, kwLock,
	kwGrant, kwRevoke, kwSet, kwReset, kwShow, kwCall, kwDo, kwDescribe, kwDesc, kwPragma)

// kwIDSet returns a table, indexed by keyword id, true for the ids given
// (all below kwNamed).
func kwIDSet(ids ...uint16) *[kwNamed]bool {
	var t [kwNamed]bool
	for _, id := range ids {
		t[id] = true
	}
	return &t
}
