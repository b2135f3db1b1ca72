package sqlnorm

// Dialect names the SQL dialect whose lexical rules apply. There is no
// default dialect: the zero value is invalid and is refused.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql" // MySQL and MariaDB
	SQLite   Dialect = "sqlite"
)

// Options are the inputs that change how text is lexed. The zero value of
// every field but Dialect is the server's own default.
type Options struct {
	// Dialect is required.
	Dialect Dialect

	// NonStandardStrings reports that PostgreSQL's
	// standard_conforming_strings is off, so backslash escapes apply in
	// plain '' strings. Server default: false (standard_conforming_strings on).
	NonStandardStrings bool

	// NoBackslashEscapes is MySQL's NO_BACKSLASH_ESCAPES sql_mode flag.
	NoBackslashEscapes bool
	// ANSIQuotes is MySQL's ANSI_QUOTES sql_mode flag: "x" is an identifier.
	ANSIQuotes bool
	// LowerCaseTableNames is MySQL's lower_case_table_names (0, 1 or 2).
	// Default 0: database and table names are case-sensitive.
	LowerCaseTableNames int
}

// Statement is what the normaliser knows about one accepted statement.
// A Statement returned by this package is shared (for example through a
// Cache) and must not be modified. See the package documentation for the
// exact rules behind each field.
type Statement struct {
	Dialect     Dialect
	Text        string   // canonical text
	Fingerprint string   // FingerprintVersion + ":" + hex SHA-256 of dialect, NUL, Text
	Command     string   // SELECT, INSERT, ... (upper case; WITH takes its main verb)
	Object      string   // for DDL: TABLE, INDEX, ROLE, ...; else ""
	ReadOnly    bool     // false when any part can write or lock
	Tables      []string // as the server resolves the names, first appearance order
	Functions   []string // functions called (folded names)
	Literals    []string // literal values (decoded), in order
	HasWhere    bool     // UPDATE/DELETE with a top-level WHERE clause
	Params      int      // bind parameters: highest $n (PostgreSQL), number of ? (MySQL), highest index (SQLite)
}
