package sqlnorm

import "strings"

// validate checks the options before lexing.
func (o *Options) validate() *Error {
	switch o.Dialect {
	case Postgres, MySQL, SQLite:
	case "":
		return reject(0, KindDialect, "no dialect given (there is no default dialect)")
	default:
		return reject(0, KindDialect, "unknown dialect "+strconvQuote(string(o.Dialect)))
	}
	if o.LowerCaseTableNames < 0 || o.LowerCaseTableNames > 2 {
		return reject(0, KindSetting, "lower_case_table_names must be 0, 1 or 2")
	}
	return nil
}

// Set applies one server setting by name (case-insensitive) to o:
//
//   - standard_conforming_strings: on/off (PostgreSQL; sets NonStandardStrings)
//   - client_encoding, character_set_client, character_set_connection,
//     names, charset: only UTF-8 is accepted (UTF8, UTF-8, UNICODE, utf8mb4,
//     utf8mb3); any other encoding (GBK, SJIS, BIG5, LATIN1 ...) is an error
//     because it changes where strings end
//   - sql_mode: MySQL's comma-separated mode list; replaces NoBackslashEscapes
//     and ANSIQuotes (ANSI and ANSI_QUOTES set ANSIQuotes); combination modes
//     that change more than modelled (ORACLE, MSSQL, DB2, MAXDB, POSTGRESQL)
//     and unknown mode names are errors
//   - ansi_quotes, no_backslash_escapes: on/off shortcuts for the two flags
//   - lower_case_table_names: 0, 1 or 2
//
// An unknown name or an invalid value is an *Error of KindSetting and leaves
// o unchanged.
func (o *Options) Set(name, value string) error {
	n := strings.ToLower(strings.TrimSpace(name))
	v := strings.TrimSpace(value)
	v = strings.Trim(v, "'\"`")
	switch n {
	case "standard_conforming_strings":
		b, ok := parseBool(v)
		if !ok {
			return settingErr(name, value, "expects on or off")
		}
		o.NonStandardStrings = !b
	case "client_encoding", "character_set_client", "character_set_connection", "names", "charset":
		if !isUTF8Name(v) {
			return settingErr(name, value, "only UTF-8 client encodings are accepted: other encodings change where strings end")
		}
	case "sql_mode":
		nbe, ansi, err := parseSQLMode(v)
		if err != nil {
			return settingErr(name, value, err.Error())
		}
		o.NoBackslashEscapes, o.ANSIQuotes = nbe, ansi
	case "ansi_quotes":
		b, ok := parseBool(v)
		if !ok {
			return settingErr(name, value, "expects on or off")
		}
		o.ANSIQuotes = b
	case "no_backslash_escapes":
		b, ok := parseBool(v)
		if !ok {
			return settingErr(name, value, "expects on or off")
		}
		o.NoBackslashEscapes = b
	case "lower_case_table_names":
		switch v {
		case "0":
			o.LowerCaseTableNames = 0
		case "1":
			o.LowerCaseTableNames = 1
		case "2":
			o.LowerCaseTableNames = 2
		default:
			return settingErr(name, value, "expects 0, 1 or 2")
		}
	default:
		return settingErr(name, value, "unknown setting name")
	}
	return nil
}

func settingErr(name, value, why string) *Error {
	return reject(0, KindSetting, "setting "+strconvQuote(name)+"="+strconvQuote(value)+": "+why)
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1", "t", "y":
		return true, true
	case "off", "false", "no", "0", "f", "n":
		return false, true
	}
	return false, false
}

func isUTF8Name(v string) bool {
	switch strings.ToLower(v) {
	case "utf8", "utf-8", "unicode", "utf8mb4", "utf8mb3":
		return true
	}
	return false
}

type modeErr string

func (e modeErr) Error() string { return string(e) }

// parseSQLMode returns the lexing flags of a MySQL sql_mode value.
func parseSQLMode(v string) (nbe, ansi bool, err error) {
	for _, m := range strings.Split(v, ",") {
		m = strings.ToUpper(strings.TrimSpace(m))
		switch m {
		case "":
		case "NO_BACKSLASH_ESCAPES":
			nbe = true
		case "ANSI_QUOTES", "ANSI":
			ansi = true
		case "ORACLE", "MSSQL", "DB2", "MAXDB", "POSTGRESQL", "MYSQL323", "MYSQL40":
			return false, false, modeErr("sql_mode " + m + " changes more of the grammar than is modelled")
		case "ALLOW_INVALID_DATES", "ERROR_FOR_DIVISION_BY_ZERO", "HIGH_NOT_PRECEDENCE",
			"IGNORE_SPACE", "NO_AUTO_CREATE_USER", "NO_AUTO_VALUE_ON_ZERO", "NO_DIR_IN_CREATE",
			"NO_ENGINE_SUBSTITUTION", "NO_FIELD_OPTIONS", "NO_KEY_OPTIONS", "NO_TABLE_OPTIONS",
			"NO_UNSIGNED_SUBTRACTION", "NO_ZERO_DATE", "NO_ZERO_IN_DATE", "ONLY_FULL_GROUP_BY",
			"PAD_CHAR_TO_FULL_LENGTH", "PIPES_AS_CONCAT", "REAL_AS_FLOAT", "STRICT_ALL_TABLES",
			"STRICT_TRANS_TABLES", "TIME_TRUNCATE_FRACTIONAL", "TRADITIONAL", "EMPTY_STRING_IS_NULL",
			"SIMULTANEOUS_ASSIGNMENT", "TIME_ROUND_FRACTIONAL":
		default:
			return false, false, modeErr("unknown sql_mode " + m)
		}
	}
	return nbe, ansi, nil
}

func strconvQuote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return "\"" + strings.ReplaceAll(s, "\"", "\\\"") + "\""
}
