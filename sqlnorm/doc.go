// Package sqlnorm is the strict SQL normaliser: it lexes one statement
// exactly as the server named by [Options.Dialect] would, and returns a
// [Statement] — canonical text, fingerprint and facts (command, object,
// tables, functions, literals, read-only, WHERE, parameter count) — or a
// typed [*Error] with the byte offset and reason of the rejection.
//
// Every approval decision keys on this result, so the package fails closed:
// text it cannot lex exactly as the server does is refused, never guessed.
//
// # Dialects and settings
//
// The supported dialects are [Postgres], [MySQL] (MySQL and MariaDB) and
// [SQLite]. There is no default dialect: the zero [Options] is refused.
// Session settings that change lexing are explicit inputs, defaulting to the
// server's own defaults, and can be applied by name with [Options.Set]:
// PostgreSQL standard_conforming_strings; MySQL sql_mode (NO_BACKSLASH_ESCAPES,
// ANSI_QUOTES, ANSI) and lower_case_table_names; the client character set
// (client_encoding, character_set_client, names), which must be UTF-8 —
// in GBK, SJIS or Big5 a 0x5C byte inside a multibyte character can end a
// string early, so such a setting is an error.
//
// # What is rejected
//
// NUL bytes; invalid UTF-8; unterminated strings, quoted identifiers, block
// comments and dollar quotes; MySQL executable comments and optimizer hints
// (/*!, /*!50000, /*M!, /*+), whose content the server executes; more than
// one statement (a single trailing ; followed only by whitespace and
// comments is fine — use [Split] to judge several statements one by one);
// characters the server would not accept, such as a number or parameter
// directly followed by identifier characters (123abc, 0x, 1e, 100_, $1abc:
// errors since PostgreSQL 15; PostgreSQL 14 and older, out of support, read
// 123abc as 123 AS abc and are not supported); invalid Unicode escapes; U&'...' strings while standard_conforming_strings is
// off (the server refuses them too); and
// unbalanced parentheses. Function bodies written with BEGIN ATOMIC, rule
// actions in parentheses and other statements holding a ; are refused as
// multiple statements.
//
// # Lexical rules
//
// PostgreSQL: block comments nest; -- ends at \n or \r; an operator stops
// before /* and --, and a multi-character operator drops trailing + and -
// unless it contains ~ ! @ # ^ & | ` ? %; identifiers may contain $ after
// the first character and every byte >= 0x80; $tag$ quotes close only at the
// same tag ($1 is a parameter); E'...' strings take backslash escapes, plain
// strings only when standard_conforming_strings is off; U&'...' and U&"..."
// decode Unicode escapes with an optional UESCAPE; strings separated by
// whitespace holding a newline are one literal; numbers follow PostgreSQL
// 16 (0x1F, 0o17, 0b101, 1_000 — trailing junk in PostgreSQL 15, where they
// fail instead).
//
// MySQL: -- starts a comment only before whitespace or a control
// character; # comments; backslash escapes in '...' and "..." unless
// NO_BACKSLASH_ESCAPES; "..." is an identifier under ANSI_QUOTES; backticks
// with doubled backticks; adjacent strings concatenate; @var and @@var are
// variables, not parameters.
//
// SQLite: no backslash escapes; [x], `x` and "x" identifiers; -- to end of
// line; parameters ?, ?NNN, :name, @name, $name.
//
// # Canonical text
//
// Comments are removed and whitespace collapsed to the canonical spacing;
// keywords are upper case; unquoted identifiers are folded as the server
// folds them (PostgreSQL and SQLite: lower case; MySQL: column and function
// names lower case, database and table names and table aliases kept as
// written unless lower_case_table_names is 1 or 2); quoted identifiers stay
// quoted in the dialect's canonical quoting ("x" or `x`).
//
// Every literal and every bind parameter becomes one placeholder: ? in
// MySQL and SQLite, $0 in PostgreSQL (where ? is an operator, as in jsonb
// ?, so "a ? b" and a placeholder must never meet). A unary minus or plus
// before a number is part of the literal. Lists made only of literals and
// parameters collapse to one element: IN (...), multi-row VALUES and
// ARRAY[...]. Numbers that are whole elements of ORDER BY and GROUP BY
// lists are column positions, not values, and stay. In MySQL a space
// between a function name and its ( is kept (abs (1) may call a stored
// function, abs(1) the built-in).
//
// Statements whose literals carry their meaning keep them in the canonical
// text: SET, RESET, SHOW, DO, COPY, LOAD, PREPARE, PRAGMA and all DDL and
// access control (CREATE, ALTER, DROP, COMMENT, GRANT, REVOKE ...).
// Literals are reported in [Statement.Literals] in every case.
//
// # Fingerprint
//
// The fingerprint is [FingerprintVersion], a colon, and the hex SHA-256 of
// the dialect name, a NUL byte and the canonical text. It is stable across
// releases as long as the version tag is unchanged; any change to the
// canonical form comes with a new tag. Two statements share a fingerprint
// only when they differ in whitespace, comments, keyword case, unquoted
// identifier case, literal values versus bind parameters, or the length of
// collapsed lists.
//
// # Facts
//
// Command is the verb in upper case, as the server's command tag names it
// (TABLE and VALUES are SELECT, END is COMMIT, START is BEGIN); a WITH query
// takes the verb of its main statement; EXPLAIN is reported as EXPLAIN with
// the tables of the explained statement. Object is the DDL object kind
// (TABLE, INDEX, ROLE, MATERIALIZED VIEW ...), also set for TRUNCATE (TABLE)
// and GRANT/REVOKE (the kind after ON, or ROLE for membership grants).
//
// ReadOnly is true only for SELECT, SHOW, EXPLAIN and DESCRIBE statements in
// which nothing can write or lock: no data-modifying CTE, SELECT INTO,
// FOR UPDATE/SHARE, LOCK IN SHARE MODE, and no call of a function outside a
// built-in list of side-effect-free functions (nextval, set_config, user
// functions ... make a SELECT not read-only). EXPLAIN is judged by the
// statement it explains, with or without ANALYZE. Unknown commands,
// transaction control, SET and every DDL are not read-only.
//
// Tables are the relations named in FROM, JOIN, INTO, UPDATE, USING (DELETE,
// MERGE), TABLE, COPY, TRUNCATE, LOCK, VACUUM/ANALYZE, REFERENCES, GRANT ON
// and DDL targets, resolved as the server resolves names (folded or
// decoded, schema-qualified when qualified, PostgreSQL names cut to 63
// bytes; a part holding . or " is double-quoted), in order of first
// appearance without duplicates. An unqualified name that refers to a WITH
// query in scope is not a table; scope follows the server (a CTE is visible
// after its own body, in all bodies with RECURSIVE, and a nested WITH only
// inside its parentheses), so an earlier CTE body or an outer query that
// reads a real table of the same name still reports it.
// Functions are the names called, folded, schema-qualified when qualified.
//
// # Cache
//
// [Cache] memoises Normalize by options and raw text, rejections included,
// within a bound on entries and bytes (CLOCK eviction in independent
// shards): a repeated statement costs one hash, one map lookup and one
// string comparison, without allocating.
//
// # Concurrency
//
// [Normalize] and [Split] are safe for concurrent use. A [Cache] is safe for
// concurrent use; its Statements are shared and must not be modified.
package sqlnorm
