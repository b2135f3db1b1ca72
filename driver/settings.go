package driver

import (
	"strings"
	"time"
	"unicode/utf8"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// Session settings the lexer depends on, per dialect (lower case).
var (
	pgGuarded    = []string{"standard_conforming_strings", "client_encoding", "names"}
	mysqlGuarded = []string{"sql_mode", "names", "charset", "character", "character_set_client", "character_set_connection", "ansi_quotes", "no_backslash_escapes"}
)

// checkStatement applies the wrapper's own checks to a statement the Gate
// allowed: dialect and session settings. It returns a denial or nil.
func (c *config) checkStatement(d *approval.Decision, args []sqldriver.NamedValue) error {
	st := d.Statement
	if c.dialect != "" {
		if st == nil {
			return refusal("driver.dialect", "the Gate returned no statement facts to check the dialect against", ErrDialectMismatch)
		}
		if st.Dialect != c.dialect {
			return refusal("driver.dialect", "statement normalised as "+string(st.Dialect)+", driver speaks "+string(c.dialect), ErrDialectMismatch)
		}
	}
	if c.allowSettingChanges {
		return nil
	}
	if st == nil {
		return refusal("driver.session-settings", "the Gate returned no statement facts to check for session setting changes", ErrSessionSetting)
	}
	if name := changesSetting(st, args); name != "" {
		return refusal("driver.session-settings", "statement may change session setting "+name+" (see AllowSessionSettingChanges)", ErrSessionSetting)
	}
	return nil
}

// changesSetting returns the guarded setting st may change, or "".
func changesSetting(st *sqlnorm.Statement, args []sqldriver.NamedValue) string {
	guarded := pgGuarded
	if st.Dialect == sqlnorm.MySQL {
		guarded = mysqlGuarded
	}
	if st.Dialect == sqlnorm.SQLite {
		return "" // no session setting changes how SQLite lexes
	}
	cmd := upperCommand(st.Command)
	switch cmd {
	case "SET", "RESET", "DISCARD":
		var found string
		eachWord(st.Text, func(w string) bool {
			if (cmd == "RESET" || cmd == "DISCARD") && strings.EqualFold(w, "all") {
				found = "ALL"
				return false
			}
			for _, g := range guarded {
				if strings.EqualFold(w, g) {
					found = g
					return false
				}
			}
			return true
		})
		if found == "" && cmd == "RESET" {
			// RESET with no recognisable name: fail closed.
			hasName := false
			eachWord(st.Text, func(w string) bool {
				if !strings.EqualFold(w, "reset") {
					hasName = true
				}
				return !hasName
			})
			if !hasName {
				return "ALL"
			}
		}
		return found
	}
	if st.Dialect != sqlnorm.Postgres {
		return ""
	}
	if cmd == "DO" {
		// A DO block can change any setting by dynamic SQL built at run
		// time (EXECUTE 'SE' || 'T …'): nothing in its text says.
		return "unknown"
	}
	pgSettings, setConfig := writesPgSettings(st), callsSetConfig(st)
	if !pgSettings && !setConfig {
		return ""
	}
	for _, lit := range st.Literals {
		if g := mentions(lit, guarded); g != "" {
			return g
		}
	}
	for _, a := range args {
		var s string
		switch v := a.Value.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, time.Time:
			continue
		default:
			// A type whose text the driver derives (a named string type,
			// a Valuer, a Stringer): what it sends is unknown.
			return "unknown"
		}
		if g := mentions(s, guarded); g != "" {
			return g
		}
	}
	if pgSettings {
		// UPDATE pg_settings … WHERE name LIKE 'standard%' names no
		// setting in full.
		return "unknown"
	}
	if !setConfigNamesPlain(st.Text) {
		// The setting's name is computed ('standard_' || …, lower(…), a
		// column): it cannot be checked.
		return "unknown"
	}
	return ""
}

// setConfigNamesPlain reports whether every set_config call in the
// canonical text takes its setting name as a lone string literal or bind
// parameter, so that the literals and arguments hold the name in full.
// Occurrences inside string literals are skipped.
func setConfigNamesPlain(text string) bool {
	const fn = "set_config"
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\'':
			i = skipQuoted(text, i)
			continue
		case !strings.EqualFold(text[i:min(i+len(fn), len(text))], fn):
			continue
		case i > 0 && isWordByte(text[i-1]):
			continue
		}
		j := i + len(fn)
		if j < len(text) && isWordByte(text[j]) {
			continue // set_config_x
		}
		if j < len(text) && text[j] == '"' {
			j++
		}
		j = skipSpace(text, j)
		if j >= len(text) || text[j] != '(' {
			continue // not a call (a column or alias named set_config)
		}
		j = skipSpace(text, j+1)
		switch {
		case j < len(text) && text[j] == '\'':
			j = skipQuoted(text, j) + 1
		case j < len(text) && text[j] == '?':
			j++
		case j < len(text) && text[j] == '$':
			j++
			for j < len(text) && text[j] >= '0' && text[j] <= '9' {
				j++
			}
		default:
			return false
		}
		j = skipSpace(text, j)
		if j >= len(text) || text[j] != ',' {
			return false
		}
		i = j
	}
	return true
}

// skipQuoted returns the index of the quote closing the '…' literal that
// starts at i (” is an escaped quote), or len(s)-1.
func skipQuoted(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == '\'' {
			if j+1 < len(s) && s[j+1] == '\'' {
				j++
				continue
			}
			return j
		}
	}
	return len(s) - 1
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// argsFreeOfSettings reports whether changesSetting's answer for st does
// not depend on the arguments: it reads them only for a PostgreSQL
// statement that writes pg_settings or calls set_config.
func argsFreeOfSettings(st *sqlnorm.Statement) bool {
	if st.Dialect != sqlnorm.Postgres {
		return true
	}
	switch upperCommand(st.Command) {
	case "SET", "RESET", "DISCARD", "DO":
		return true // decided by the text alone
	}
	return !writesPgSettings(st) && !callsSetConfig(st)
}

func callsSetConfig(st *sqlnorm.Statement) bool {
	for _, f := range st.Functions {
		if strings.EqualFold(f, "set_config") || strings.EqualFold(f, "pg_catalog.set_config") {
			return true
		}
	}
	return false
}

func writesPgSettings(st *sqlnorm.Statement) bool {
	if st.ReadOnly {
		return false
	}
	for _, t := range st.Tables {
		if strings.EqualFold(t, "pg_settings") || strings.EqualFold(t, "pg_catalog.pg_settings") {
			return true
		}
	}
	return false
}

func mentions(s string, guarded []string) string {
	ls := strings.ToLower(s)
	for _, g := range guarded {
		if g == "names" || g == "charset" || g == "character" {
			continue // SET syntax words, not setting names
		}
		if strings.Contains(ls, g) {
			return g
		}
	}
	return ""
}

// upperCommand returns a statement's command in upper case: as it is when
// it has no lower-case or non-ASCII letter (as sqlnorm writes it), which
// is what strings.ToUpper returns then too, without its call.
func upperCommand(cmd string) string {
	for i := 0; i < len(cmd); i++ {
		if c := cmd[i]; c >= 'a' && c <= 'z' || c >= utf8.RuneSelf {
			return strings.ToUpper(cmd)
		}
	}
	return cmd
}

// eachWord calls f for each run of identifier characters in s until f
// returns false.
func eachWord(s string, f func(string) bool) {
	start := -1
	for i := 0; i <= len(s); i++ {
		isWord := i < len(s) && (s[i] == '_' || s[i] == '$' || s[i] >= '0' && s[i] <= '9' ||
			s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 0x80)
		switch {
		case isWord && start < 0:
			start = i
		case !isWord && start >= 0:
			if !f(s[start:i]) {
				return
			}
			start = -1
		}
	}
}

// SettingChange returns the name of the session setting the lexer depends
// on that st (with args) may change, "ALL" for RESET ALL or DISCARD ALL,
// "unknown" when it cannot be shown harmless (a PostgreSQL DO block, a
// write to pg_settings, set_config with a computed setting name or an
// argument of a type whose text the driver derives), or "" when it changes
// none. It is the check the wrapper applies to every
// allowed statement unless [AllowSessionSettingChanges] is given; adapters
// such as driver/sqlmw use it too. A nil st returns "unknown".
func SettingChange(st *sqlnorm.Statement, args []sqldriver.NamedValue) string {
	if st == nil {
		return "unknown"
	}
	return changesSetting(st, args)
}
