package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// maxFingerprintInput bounds the SQL read from standard input, so a runaway
// pipe cannot exhaust memory. Larger input is refused, never truncated.
const maxFingerprintInput = 16 << 20

// fingerprintOutput is the JSON object printed for one accepted statement.
// Slices are never nil, so they print as [] rather than null.
type fingerprintOutput struct {
	Dialect     string   `json:"dialect"`
	Normalized  string   `json:"normalized"`
	Fingerprint string   `json:"fingerprint"`
	Command     string   `json:"command"`
	Object      string   `json:"object"`
	ReadOnly    bool     `json:"read_only"`
	Tables      []string `json:"tables"`
	Functions   []string `json:"functions"`
	Literals    []string `json:"literals"`
	HasWhere    bool     `json:"has_where"`
	Params      int      `json:"params"`
}

// settingFlags collects repeated --setting name=value flags in order.
type settingFlags [][2]string

func (s *settingFlags) String() string {
	parts := make([]string, len(*s))
	for i, kv := range *s {
		parts[i] = kv[0] + "=" + kv[1]
	}
	return strings.Join(parts, ",")
}

func (s *settingFlags) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	*s = append(*s, [2]string{name, value})
	return nil
}

// runFingerprint implements "approvalctl fingerprint": it normalises one
// statement and prints what sqlnorm knows of it as one JSON object. A
// rejected statement prints the reason and byte position on stderr and
// exits 1, as do a missing or unknown dialect and a refused setting.
func runFingerprint(e *env) int {
	fs := flag.NewFlagSet("fingerprint", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dialect := fs.String("dialect", "", "SQL dialect: postgres, mysql or sqlite (required)")
	var settings settingFlags
	fs.Var(&settings, "setting", "server `name=value` setting that changes lexing, repeatable\n"+
		"(standard_conforming_strings, sql_mode, lower_case_table_names, client_encoding ...)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: approvalctl fingerprint --dialect postgres|mysql|sqlite [--setting name=value]... [SQL]\n\n"+
			"Prints the canonical text, fingerprint and facts of one statement as JSON.\n"+
			"The SQL is the single argument, or standard input when there is none.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}

	opts := sqlnorm.Options{Dialect: sqlnorm.Dialect(*dialect)}
	switch opts.Dialect {
	case sqlnorm.Postgres, sqlnorm.MySQL, sqlnorm.SQLite:
	case "":
		fmt.Fprintln(e.stderr, "approvalctl fingerprint: --dialect is required (postgres, mysql or sqlite)")
		return 1
	default:
		fmt.Fprintf(e.stderr, "approvalctl fingerprint: unknown dialect %q (want postgres, mysql or sqlite)\n", *dialect)
		return 1
	}
	for _, kv := range settings {
		if err := opts.Set(kv[0], kv[1]); err != nil {
			fmt.Fprintf(e.stderr, "approvalctl fingerprint: setting %s=%s: %v\n", kv[0], kv[1], err)
			return 1
		}
	}

	var sql string
	switch fs.NArg() {
	case 0:
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxFingerprintInput+1))
		if err != nil {
			fmt.Fprintf(e.stderr, "approvalctl fingerprint: reading standard input: %v\n", err)
			return 1
		}
		if len(b) > maxFingerprintInput {
			fmt.Fprintf(e.stderr, "approvalctl fingerprint: standard input exceeds %d bytes\n", maxFingerprintInput)
			return 1
		}
		sql = string(b)
	case 1:
		sql = fs.Arg(0)
	default:
		fmt.Fprintf(e.stderr, "approvalctl fingerprint: want the SQL as one argument (quote it) or on standard input, got %d arguments\n", fs.NArg())
		return 1
	}

	st, err := sqlnorm.Normalize(opts, sql)
	if err != nil {
		printRejection(e.stderr, sql, err)
		return 1
	}
	out := fingerprintOutput{
		Dialect:     string(st.Dialect),
		Normalized:  st.Text,
		Fingerprint: st.Fingerprint,
		Command:     st.Command,
		Object:      st.Object,
		ReadOnly:    st.ReadOnly,
		Tables:      nonNil(st.Tables),
		Functions:   nonNil(st.Functions),
		Literals:    nonNil(st.Literals),
		HasWhere:    st.HasWhere,
		Params:      st.Params,
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(e.stderr, "approvalctl fingerprint: writing output: %v\n", err)
		return 1
	}
	return 0
}

// printRejection reports why sql was refused. For a positioned
// *sqlnorm.Error it names the byte offset, the line and column, and shows
// the offending line with a caret under the position.
func printRejection(w io.Writer, sql string, err error) {
	var se *sqlnorm.Error
	if !errors.As(err, &se) {
		fmt.Fprintf(w, "approvalctl fingerprint: rejected: %v\n", err)
		return
	}
	off := min(max(se.Offset, 0), len(sql))
	lineStart := strings.LastIndexByte(sql[:off], '\n') + 1
	line := 1 + strings.Count(sql[:off], "\n")
	col := 1 + utf8.RuneCountInString(sql[lineStart:off])
	fmt.Fprintf(w, "approvalctl fingerprint: rejected at byte %d (line %d, column %d): %v\n", se.Offset, line, col, err)

	lineEnd := len(sql)
	if i := strings.IndexAny(sql[lineStart:], "\r\n"); i >= 0 {
		lineEnd = lineStart + i
	}
	text := sql[lineStart:lineEnd]
	// Show the line only when it is short and printable: the input may be
	// hostile, and a terminal should not interpret it.
	if len(text) > 200 || strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f || r == '\uFFFD' }) {
		return
	}
	caret := strings.Map(func(r rune) rune {
		if r == '\t' {
			return '\t'
		}
		return ' '
	}, sql[lineStart:off])
	fmt.Fprintf(w, "  %s\n  %s^\n", text, caret)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
