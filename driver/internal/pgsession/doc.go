// Package pgsession checks that a PostgreSQL session's settings are those
// the lexer assumes: standard_conforming_strings as the policy's lexer
// options say (on unless NonStandardStrings) and client_encoding UTF8.
package pgsession
