package sqlnorm

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

type desyncCase struct {
	ID                   string `json:"id"`
	DBMS                 string `json:"dbms"`
	Query                string `json:"query"`
	ServerStatementCount int    `json:"server_statement_count"`
	ServerSetting        string `json:"server_setting"`
	Note                 string `json:"note"`
}

// desyncOptions returns the options a case describes; the setting is
// applied with Options.Set, whose refusal counts as a rejection.
func desyncOptions(tb testing.TB, c desyncCase) (Options, error) {
	tb.Helper()
	opts := Options{Dialect: Postgres}
	if c.DBMS == "mysql" {
		opts.Dialect = MySQL
	}
	switch s := c.ServerSetting; {
	case s == "":
		return opts, nil
	case strings.HasPrefix(s, "standard_conforming_strings="):
		return opts, opts.Set("standard_conforming_strings", strings.TrimPrefix(s, "standard_conforming_strings="))
	case strings.HasPrefix(s, "sql_mode+="):
		return opts, opts.Set("sql_mode", strings.TrimPrefix(s, "sql_mode+="))
	case strings.HasPrefix(s, "connection charset "):
		return opts, opts.Set("character_set_client", strings.TrimPrefix(s, "connection charset "))
	}
	tb.Fatalf("case %s: unknown server_setting %q", c.ID, c.ServerSetting)
	return opts, nil
}

// TestDesyncCases checks every known desynchronisation case: a statement
// the server runs as something other than one statement is rejected (by
// the lexer or, for a non-UTF-8 connection, by the setting itself). The one
// case the server runs as a single statement (DELETE\fFROM) must be
// recognised for what it is.
func TestDesyncCases(t *testing.T) {
	data, err := os.ReadFile("testdata/desync_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []desyncCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 15 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			opts, serr := desyncOptions(t, c)
			if serr != nil {
				if !errors.Is(serr, ErrRejected) {
					t.Fatalf("setting refused with an untyped error: %v", serr)
				}
				// The refused setting is the defence; the raw non-UTF-8
				// payload is refused by the lexer as well.
				raw := strings.ReplaceAll(c.Query, "\u00bf", "\xbf")
				mustReject(t, opts, raw, KindEncoding, -1)
				return
			}
			st, err := Normalize(opts, c.Query)
			if c.ID == "pg-formfeed-keyword" {
				// \f is whitespace: one DELETE, which go-sqllexer failed to see.
				if err != nil {
					t.Fatalf("single statement rejected: %v", err)
				}
				if st.Command != "DELETE" || !st.HasWhere || len(st.Tables) != 1 || st.Tables[0] != "orders" {
					t.Fatalf("misread single statement: %+v", st)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %q as %q (%s)", c.Query, st.Text, c.Note)
			}
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("untyped error %v", err)
			}
		})
	}
}

// TestDesyncCasesDefaultSettings checks that the settings matter: without
// them the scs-off and NO_BACKSLASH_ESCAPES payloads are one statement.
func TestDesyncCasesDefaultSettings(t *testing.T) {
	if st, err := Normalize(pg, `SELECT '\', ' ; DROP TABLE users; -- '`); err != nil || st.Text != "SELECT $0, $0" {
		t.Fatalf("with standard_conforming_strings on the text is one statement: %v", err)
	}
	if _, err := Normalize(pgNSS, `SELECT '\', ' ; DROP TABLE users; -- '`); err == nil {
		t.Fatal("with standard_conforming_strings off it is two statements")
	}
	if _, err := Normalize(my, `SELECT 'a\'; DROP TABLE users; -- '`); err != nil {
		t.Fatalf("with backslash escapes it is one string: %v", err)
	}
	if _, err := Normalize(myNBE, `SELECT 'a\'; DROP TABLE users; -- '`); err == nil {
		t.Fatal("with NO_BACKSLASH_ESCAPES it is two statements")
	}
}
