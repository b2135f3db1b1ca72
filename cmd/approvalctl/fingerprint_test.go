package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/approvedsql/approvedsql/sqlnorm"
)

// runCLI runs approvalctl in-process and returns its exit code and streams.
func runCLI(tb testing.TB, stdin string, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// decodeFingerprint parses the one JSON object the command prints, failing
// on unknown keys, missing keys or trailing output.
func decodeFingerprint(tb testing.TB, stdout string) fingerprintOutput {
	tb.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		tb.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	want := []string{"command", "dialect", "fingerprint", "functions", "has_where", "literals",
		"normalized", "object", "params", "read_only", "tables"}
	got := make([]string, 0, len(raw))
	for k := range raw {
		got = append(got, k)
	}
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("JSON keys = %v, want %v", got, want)
	}
	for _, k := range []string{"tables", "functions", "literals"} {
		if string(raw[k]) == "null" {
			tb.Errorf("%s is null, want an array", k)
		}
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var o fingerprintOutput
	if err := dec.Decode(&o); err != nil {
		tb.Fatalf("decoding output: %v", err)
	}
	if dec.More() {
		tb.Fatalf("more than one JSON value on stdout:\n%s", stdout)
	}
	return o
}

// libraryView is what the library itself says of sql, in the CLI's shape:
// the command must report exactly that and nothing of its own making.
func libraryView(tb testing.TB, opts sqlnorm.Options, sql string) fingerprintOutput {
	tb.Helper()
	st, err := sqlnorm.Normalize(opts, sql)
	if err != nil {
		tb.Fatalf("sqlnorm.Normalize(%q): %v", sql, err)
	}
	return fingerprintOutput{
		Dialect: string(st.Dialect), Normalized: st.Text, Fingerprint: st.Fingerprint,
		Command: st.Command, Object: st.Object, ReadOnly: st.ReadOnly,
		Tables: nonNil(st.Tables), Functions: nonNil(st.Functions), Literals: nonNil(st.Literals),
		HasWhere: st.HasWhere, Params: st.Params,
	}
}

func TestFingerprintAccepts(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		opts  sqlnorm.Options // what the flags amount to
		sql   string          // what the command should normalise
		check func(t *testing.T, o fingerprintOutput)
	}{
		{
			name: "postgres argument",
			args: []string{"--dialect", "postgres", "SELECT name FROM Users WHERE id = 42"},
			opts: sqlnorm.Options{Dialect: sqlnorm.Postgres},
			sql:  "SELECT name FROM Users WHERE id = 42",
			check: func(t *testing.T, o fingerprintOutput) {
				if o.Dialect != "postgres" || o.Command != "SELECT" || !o.ReadOnly {
					t.Errorf("dialect/command/read_only = %q/%q/%v", o.Dialect, o.Command, o.ReadOnly)
				}
				if !reflect.DeepEqual(o.Tables, []string{"users"}) {
					t.Errorf("tables = %q, want [users]", o.Tables)
				}
				if len(o.Literals) != 1 || !strings.Contains(o.Literals[0], "42") {
					t.Errorf("literals = %q, want the one literal 42", o.Literals)
				}
			},
		},
		{
			name:  "postgres stdin with trailing newline",
			args:  []string{"--dialect=postgres"},
			stdin: "SELECT name FROM Users WHERE id = 42;\n",
			opts:  sqlnorm.Options{Dialect: sqlnorm.Postgres},
			sql:   "SELECT name FROM Users WHERE id = 42;\n",
		},
		{
			name: "no tables, functions or literals print as empty arrays",
			args: []string{"--dialect", "sqlite", "SELECT ?"},
			opts: sqlnorm.Options{Dialect: sqlnorm.SQLite},
			sql:  "SELECT ?",
			check: func(t *testing.T, o fingerprintOutput) {
				if o.Params != 1 {
					t.Errorf("params = %d, want 1", o.Params)
				}
			},
		},
		{
			name: "delete with where",
			args: []string{"--dialect", "mysql", "DELETE FROM orders WHERE id = ?"},
			opts: sqlnorm.Options{Dialect: sqlnorm.MySQL},
			sql:  "DELETE FROM orders WHERE id = ?",
			check: func(t *testing.T, o fingerprintOutput) {
				if o.Command != "DELETE" || o.ReadOnly || !o.HasWhere {
					t.Errorf("command/read_only/has_where = %q/%v/%v", o.Command, o.ReadOnly, o.HasWhere)
				}
			},
		},
		{
			// With standard_conforming_strings off the backslash escapes
			// the quote, so this is one statement holding one string.
			name: "postgres setting changes lexing",
			args: []string{"--dialect", "postgres", "--setting", "standard_conforming_strings=off", `SELECT 'a\'; DROP TABLE t; --'`},
			opts: sqlnorm.Options{Dialect: sqlnorm.Postgres, NonStandardStrings: true},
			sql:  `SELECT 'a\'; DROP TABLE t; --'`,
			check: func(t *testing.T, o fingerprintOutput) {
				if len(o.Tables) != 0 || o.Command != "SELECT" {
					t.Errorf("command/tables = %q/%q, want SELECT and none", o.Command, o.Tables)
				}
			},
		},
		{
			name: "mysql settings repeat",
			args: []string{"--dialect", "mysql", "--setting", "sql_mode=ANSI_QUOTES,NO_BACKSLASH_ESCAPES",
				"--setting", "lower_case_table_names=1", `SELECT "Name" FROM Users WHERE a = 'x\'`},
			opts: sqlnorm.Options{Dialect: sqlnorm.MySQL, ANSIQuotes: true, NoBackslashEscapes: true, LowerCaseTableNames: 1},
			sql:  `SELECT "Name" FROM Users WHERE a = 'x\'`,
			check: func(t *testing.T, o fingerprintOutput) {
				if !reflect.DeepEqual(o.Tables, []string{"users"}) {
					t.Errorf("tables = %q, want [users] (lower_case_table_names=1)", o.Tables)
				}
				if !reflect.DeepEqual(o.Literals, []string{`x\`}) {
					t.Errorf("literals = %q, want [x\\] (no backslash escapes)", o.Literals)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.stdin, append([]string{"fingerprint"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("unexpected stderr: %s", stderr)
			}
			got := decodeFingerprint(t, stdout)
			if want := libraryView(t, tt.opts, tt.sql); !reflect.DeepEqual(got, want) {
				t.Errorf("output differs from the library's view\n got: %+v\nwant: %+v", got, want)
			}
			if !strings.HasSuffix(stdout, "}\n") || strings.Count(stdout, "\n") != 1 {
				t.Errorf("want exactly one line of JSON, got %q", stdout)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestFingerprintArgumentAndStdinAgree(t *testing.T) {
	const sql = "select * from t where a in (1, 2, 3)"
	_, fromArg, _ := runCLI(t, "", "fingerprint", "--dialect", "postgres", sql)
	_, fromStdin, _ := runCLI(t, sql, "fingerprint", "--dialect", "postgres")
	a, b := decodeFingerprint(t, fromArg), decodeFingerprint(t, fromStdin)
	if a.Fingerprint == "" || a.Fingerprint != b.Fingerprint {
		t.Errorf("fingerprints differ or are empty: argument %q, stdin %q", a.Fingerprint, b.Fingerprint)
	}
}

func TestFingerprintRejects(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantStderr []string // substrings
	}{
		{"missing dialect", []string{"SELECT 1"}, "", []string{"--dialect is required"}},
		{"empty dialect", []string{"--dialect", "", "SELECT 1"}, "", []string{"--dialect is required"}},
		{"unknown dialect", []string{"--dialect", "oracle", "SELECT 1"}, "", []string{`unknown dialect "oracle"`}},
		{"dialect is case-sensitive", []string{"--dialect", "Postgres", "SELECT 1"}, "", []string{"unknown dialect"}},
		{"unknown flag", []string{"--dialect", "postgres", "--verbose", "SELECT 1"}, "", []string{"flag provided but not defined"}},
		{"setting without value", []string{"--dialect", "postgres", "--setting", "standard_conforming_strings", "SELECT 1"}, "", []string{"want name=value"}},
		{"unknown setting", []string{"--dialect", "postgres", "--setting", "no_such_setting=1", "SELECT 1"}, "", []string{"no_such_setting=1"}},
		{"non-UTF-8 client encoding", []string{"--dialect", "postgres", "--setting", "client_encoding=SJIS", "SELECT 1"}, "", []string{"client_encoding=SJIS"}},
		{"mysql GBK connection", []string{"--dialect", "mysql", "--setting", "character_set_client=gbk", "SELECT 1"}, "", []string{"character_set_client=gbk"}},
		{"two arguments", []string{"--dialect", "postgres", "SELECT", "1"}, "", []string{"got 2 arguments"}},
		{"flags after the SQL", []string{"SELECT 1", "--dialect", "postgres"}, "", []string{"--dialect is required"}},
		{"unterminated string", []string{"--dialect", "postgres", "SELECT 'abc"}, "", []string{"rejected at byte 7 ", "line 1, column 8", "SELECT 'abc\n         ^"}},
		{"two statements", []string{"--dialect", "postgres"}, "SELECT 1;\nDROP TABLE users", []string{"rejected at byte", "line 2"}},
		{"NUL byte", []string{"--dialect", "sqlite", "SELECT 1\x00"}, "", []string{"rejected at byte 8 "}},
		{"mysql executable comment", []string{"--dialect", "mysql", "SELECT /*!50000 1; DROP TABLE t */"}, "", []string{"rejected at byte 7 "}},
		{"empty input", []string{"--dialect", "postgres"}, "", []string{"rejected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.stdin, append([]string{"fingerprint"}, tt.args...)...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if stdout != "" {
				t.Errorf("stdout should be empty on rejection, got %q", stdout)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestFingerprintHelp(t *testing.T) {
	code, _, stderr := runCLI(t, "", "fingerprint", "-h")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	for _, w := range []string{"--dialect postgres|mysql|sqlite", "-setting name=value"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("help lacks %q:\n%s", w, stderr)
		}
	}
	code, stdout, _ := runCLI(t, "", "help")
	if code != 0 || !strings.Contains(stdout, "fingerprint") {
		t.Errorf("approvalctl help does not list fingerprint (exit %d):\n%s", code, stdout)
	}
}

func TestPrintRejectionHidesControlCharacters(t *testing.T) {
	var buf bytes.Buffer
	sql := "SELECT '\x1b[2Jboom"
	printRejection(&buf, sql, &sqlnorm.Error{Offset: 7, Reason: "unterminated string"})
	out := buf.String()
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("escape byte echoed to the terminal: %q", out)
	}
	if !strings.Contains(out, "rejected at byte 7 (line 1, column 8)") {
		t.Errorf("position missing: %q", out)
	}
}

// The fingerprint command prints what sqlnorm knows of one statement; the
// fingerprint is what approval rules and grants pin.
func Example_fingerprint() {
	run([]string{"fingerprint", "--dialect", "postgres", "SELECT name FROM Users WHERE id = 42"},
		strings.NewReader(""), os.Stdout, os.Stdout)
	// Output:
	// {"dialect":"postgres","normalized":"SELECT name FROM users WHERE id = $0","fingerprint":"v1:fe422dabf5faf82340bc9ffffdea8cb83a980b5538f43b2b91b1cf05a1e00c11","command":"SELECT","object":"","read_only":true,"tables":["users"],"functions":[],"literals":["42"],"has_where":false,"params":0}
}

// A rejected statement is reported on stderr with its position; the exit
// code is 1.
func Example_fingerprintRejected() {
	code := run([]string{"fingerprint", "--dialect", "postgres", "SELECT 1; DROP TABLE users"},
		strings.NewReader(""), os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// approvalctl fingerprint: rejected at byte 10 (line 1, column 11): sqlnorm: more than one statement (only one trailing ; is allowed) (multiple-statements at byte 10)
	//   SELECT 1; DROP TABLE users
	//             ^
	// exit 1
}
