package sqlnorm

// verbHandler parses what follows a statement verb at i and returns the
// index where generic scanning resumes (> i).
func (a *analyzer) verbHandler(i int) int {
	t := a.t
	switch t[i].kw {
	case kwInsert, kwReplace:
		j := i + 1
		if a.kind(j) == tLParen {
			return i // replace(...) is a function
		}
		j = a.skipModifiers(j)
		if a.kw(j) == kwInto {
			j++
		}
		k := a.tableRef(j, true)
		if a.kind(k) == tLParen {
			t[k].flags |= fNoFuncParen
		}
		return k
	case kwUpdate:
		j := a.skipModifiers(i + 1)
		return a.tableList(j, true)
	case kwDelete:
		j := a.skipModifiers(i + 1)
		// MySQL multi-table DELETE t1, t2 FROM ...: names before FROM.
		for k := j; k < len(t) && a.kw(k) != kwFrom && a.kw(k) != kwUsing; k++ {
			if t[k].kind == tWord || t[k].kind == tQIdent {
				t[k].flags |= fCaseKeep
			}
		}
		return j
	case kwTable:
		return a.tableRef(i+1, false)
	case kwCopy:
		j := i + 1
		if a.kind(j) == tLParen {
			return j
		}
		k := a.tableRef(j, false)
		if a.kind(k) == tLParen {
			t[k].flags |= fNoFuncParen
		}
		return k
	case kwTruncate:
		a.st.Object = "TABLE"
		j := i + 1
		if a.kw(j) == kwTable {
			j++
		}
		return a.tableList(j, false)
	case kwLock:
		j := i + 1
		if a.kw(j) == kwTable || a.kw(j) == kwTables {
			j++
		}
		for {
			k := a.tableRef(j, true)
			if k == j {
				return j + 1
			}
			for k < len(t) && t[k].kind != tComma {
				if t[k].kind == tLParen {
					k = int(a.match[k])
				}
				k++
			}
			if k >= len(t) {
				return k
			}
			j = k + 1
		}
	case kwVacuum, kwAnalyze:
		j := i + 1
		if a.kind(j) == tLParen {
			t[j].flags |= fNoFuncParen
			j = int(a.match[j]) + 1
		}
		for a.kind(j) == tWord && t[j].kw != 0 {
			j++
		}
		for {
			k, name, ok := a.qualifiedName(j)
			if !ok {
				return j + 1
			}
			for m := j; m < k; m++ {
				t[m].flags |= fTable
			}
			a.addTable(name, j)
			if a.kind(k) == tLParen {
				t[k].flags |= fNoFuncParen
				k = int(a.match[k]) + 1
			}
			if a.kind(k) != tComma {
				return k
			}
			j = k + 1
		}
	case kwCreate, kwAlter, kwDrop:
		return a.ddl(i)
	case kwExplain:
		j := i + 1
		if a.kind(j) == tLParen {
			t[j].flags |= fNoFuncParen
			j = int(a.match[j]) + 1
		}
		for a.kind(j) == tWord && t[j].kw != 0 && !isVerb(t[j].kw) || a.kw(j) == kwAnalyze && isVerb(a.kw(j+1)) {
			j++
		}
		if a.kind(j) == tWord && isVerb(t[j].kw) {
			a.cmdKw = t[j].kw
			if t[j].kw != kwSelect && t[j].kw != kwValues && t[j].kw != kwWith && t[j].kw != kwTable {
				a.write = true
			}
			if t[j].kw == kwWith {
				return j // the scan parses the WITH list and marks the verb after it
			}
			return a.verbHandler(j)
		}
		return j
	case kwGrant, kwRevoke:
		return a.grant(i)
	case kwPrepare:
		// PREPARE name [(types)] AS statement
		for k := i + 1; k < len(t); k++ {
			if t[k].kind == tLParen {
				k = int(a.match[k])
				continue
			}
			if t[k].kind == tWord && t[k].kw == kwAs {
				if a.kind(k+1) == tWord && isVerb(t[k+1].kw) {
					t[k+1].flags |= fStmtStart
				}
				return k + 1
			}
		}
		return i + 1
	case kwDescribe, kwDesc:
		j := i + 1
		if a.kind(j) == tWord && isVerb(t[j].kw) {
			a.cmdKw = t[j].kw
			return a.verbHandler(j)
		}
		return a.tableRef(j, false)
	}
	if i == a.verb && t[i].kw != 0 {
		if j, ok := a.maintenance(i); ok {
			return j
		}
	}
	return i + 1
}

// maintenance handles REFRESH MATERIALIZED VIEW, COMMENT ON, REINDEX and
// CLUSTER, which name one relation.
func (a *analyzer) maintenance(i int) (int, bool) {
	j := i + 1
	switch lowerWord(a, i) {
	case "refresh":
		if !a.isWordText(j, "materialized") || !a.isWordText(j+1, "view") {
			return 0, false
		}
		a.st.Object = "MATERIALIZED VIEW"
		j += 2
		if a.kw(j) == kwConcurrently {
			j++
		}
	case "comment":
		if a.kw(j) != kwOn {
			return 0, false
		}
		j++
		switch {
		case a.isWordText(j, "materialized") && a.isWordText(j+1, "view"):
			a.st.Object = "MATERIALIZED VIEW"
			j += 2
		case a.kw(j) == kwTable || a.isWordText(j, "view"):
			a.st.Object = a.upper(j)
			j++
		default:
			if a.kind(j) == tWord {
				a.st.Object = a.upper(j)
			}
			return j + 1, true
		}
	case "reindex":
		if a.kind(j) == tLParen {
			t := a.t
			t[j].flags |= fNoFuncParen
			j = int(a.match[j]) + 1
		}
		if a.kw(j) != kwTable {
			return 0, false
		}
		a.st.Object = "TABLE"
		j++
		if a.kw(j) == kwConcurrently {
			j++
		}
	case "cluster":
		if a.isWordText(j, "verbose") {
			j++
		}
	default:
		return 0, false
	}
	return a.tableRef(j, false), true
}

// skipModifiers skips MySQL/SQLite statement modifiers (LOW_PRIORITY,
// IGNORE, OR REPLACE ...).
func (a *analyzer) skipModifiers(j int) int {
	for {
		switch a.kw(j) {
		case kwLowPriority, kwDelayed, kwHighPriority, kwIgnore, kwQuick:
			j++
			continue
		case kwOr:
			if a.kind(j+1) == tWord {
				j += 2
				continue
			}
		}
		return j
	}
}

var twoWordObjects = map[string]map[string]bool{
	"MATERIALIZED": {"VIEW": true},
	"FOREIGN":      {"TABLE": true, "DATA": true},
	"EVENT":        {"TRIGGER": true},
	"TEXT":         {"SEARCH": true},
	"ACCESS":       {"METHOD": true},
	"DEFAULT":      {"PRIVILEGES": true},
	"USER":         {"MAPPING": true},
}

// ddl parses CREATE/ALTER/DROP [modifiers] OBJECT [IF [NOT] EXISTS] name.
func (a *analyzer) ddl(i int) int {
	t := a.t
	j := i + 1
	for j < len(t) {
		w := lowerWord(a, j)
		switch w {
		case "or":
			if a.isWordText(j+1, "replace") {
				j += 2
				continue
			}
		case "temp", "temporary", "unlogged", "global", "local", "unique", "recursive", "trusted",
			"procedural", "online", "offline", "external":
			j++
			continue
		case "definer", "algorithm":
			j++
			if a.kind(j) == tOp {
				j++
			}
			if a.isName(j) || a.kind(j) == tString {
				j++
			}
			if a.kind(j) == tVar {
				j++
			}
			continue
		case "sql":
			if a.isWordText(j+1, "security") {
				j += 3
				continue
			}
		}
		break
	}
	if a.kind(j) != tWord {
		return j
	}
	obj := a.upper(j)
	if next, ok := twoWordObjects[obj]; ok && a.kind(j+1) == tWord && next[a.upper(j+1)] {
		obj += " " + a.upper(j+1)
		j++
	}
	a.st.Object = obj
	j++
	skipIf := func() {
		if a.kw(j) == kwIf {
			j++
			if a.kw(j) == kwNot {
				j++
			}
			if a.kw(j) == kwExists {
				j++
			}
		}
	}
	skipIf()
	if a.kw(j) == kwConcurrently {
		j++
	}
	skipIf()
	switch obj {
	case "TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "SEQUENCE":
		if a.kw(j) == kwOnly {
			j++
		}
		for {
			k, name, ok := a.qualifiedName(j)
			if !ok {
				return j
			}
			for m := j; m < k; m++ {
				t[m].flags |= fTable
			}
			a.addTable(name, j)
			if a.kind(k) == tLParen {
				t[k].flags |= fNoFuncParen
			}
			if t[i].kw == kwAlter && a.isWordText(k, "rename") && a.kw(k+1) == kwTo {
				// ALTER TABLE a RENAME TO b names the new relation too.
				if e, newName, ok := a.qualifiedName(k + 2); ok {
					for m := k + 2; m < e; m++ {
						t[m].flags |= fTable
					}
					a.addTable(newName, k+2)
					return e
				}
			}
			if t[i].kw != kwDrop || a.kind(k) != tComma {
				return k
			}
			j = k + 1
		}
	case "RULE":
		// CREATE RULE r AS ON event TO table [WHERE ...] DO [ALSO|INSTEAD] action
		for k := j; k < len(t); k++ {
			if t[k].kind == tWord && t[k].kw == kwOn && a.kw(k+2) != kwTo {
				return a.tableRef(k+1, false) // DROP RULE r ON t
			}
			if t[k].kind == tWord && t[k].kw == kwOn && a.kw(k+2) == kwTo {
				e := a.tableRef(k+3, false)
				for m := e; m < len(t); m++ {
					if t[m].kind == tLParen {
						m = int(a.match[m])
						continue
					}
					if a.kw(m) == kwDo {
						n := m + 1
						if w := lowerWord(a, n); w == "also" || w == "instead" {
							n++
						}
						if a.kind(n) == tWord && isVerb(t[n].kw) {
							t[n].flags |= fStmtStart
						}
						break
					}
				}
				return e
			}
		}
		return j
	case "INDEX", "TRIGGER", "POLICY":
		for k := j; k < len(t); k++ {
			if t[k].kind == tLParen {
				k = int(a.match[k])
				continue
			}
			if t[k].kind == tWord && t[k].kw == kwOn {
				for m := j; m < k; m++ {
					if t[m].kind == tWord || t[m].kind == tQIdent {
						t[m].flags |= fIdent
					}
				}
				e := a.tableRef(k+1, false)
				if a.kind(e) == tLParen {
					t[e].flags |= fNoFuncParen
				}
				return e
			}
		}
		return j
	case "FUNCTION", "PROCEDURE", "AGGREGATE", "ROUTINE":
		k, _, ok := a.qualifiedName(j)
		if !ok {
			return j
		}
		for m := j; m < k; m++ {
			t[m].flags |= fIdent
		}
		if a.kind(k) == tLParen {
			t[k].flags |= fNoFuncParen
		}
		return k
	}
	return j
}

func lowerWord(a *analyzer, j int) string {
	if a.kind(j) != tWord {
		return ""
	}
	if id := a.t[j].kw; id != 0 {
		return kwNames[id] // no allocation for keywords
	}
	return lowerASCII(tokenText(a.src, &a.t[j]))
}

// grant parses GRANT/REVOKE ... ON [kind] names; without ON it is a role
// membership grant.
func (a *analyzer) grant(i int) int {
	t := a.t
	for k := i + 1; k < len(t); k++ {
		if t[k].kind == tLParen {
			t[k].flags |= fNoFuncParen
			k = int(a.match[k])
			continue
		}
		if t[k].kind != tWord {
			continue
		}
		switch t[k].kw {
		case kwOn:
			j := k + 1
			w := ""
			if a.kind(j) == tWord {
				w = a.upper(j)
			}
			switch w {
			case "ALL":
				a.st.Object = "TABLE"
				return j
			case "TABLE":
				a.st.Object = "TABLE"
				j++
			case "SCHEMA", "DATABASE", "FUNCTION", "PROCEDURE", "ROUTINE", "SEQUENCE", "LANGUAGE",
				"TYPE", "DOMAIN", "TABLESPACE", "FOREIGN", "LARGE", "PARAMETER":
				a.st.Object = w
				return j + 1
			default:
				a.st.Object = "TABLE"
			}
			return a.tableList(j, false)
		case kwTo, kwFrom:
			a.st.Object = "ROLE"
			return i + 1
		}
	}
	a.st.Object = "ROLE"
	return i + 1
}
