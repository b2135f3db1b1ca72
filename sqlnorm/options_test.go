package sqlnorm

import (
	"errors"
	"testing"
)

func TestOptionsSet(t *testing.T) {
	tests := []struct {
		name, setting, value string
		start                Options
		want                 Options
		wantErr              bool
	}{
		{"scs off", "standard_conforming_strings", "off", pg, pgNSS, false},
		{"scs on", "STANDARD_CONFORMING_STRINGS", "on", pgNSS, pg, false},
		{"scs bad", "standard_conforming_strings", "maybe", pg, pg, true},
		{"client_encoding utf8", "client_encoding", "UTF8", pg, pg, false},
		{"client_encoding quoted utf-8", "client_encoding", "'utf-8'", pg, pg, false},
		{"client_encoding gbk", "client_encoding", "GBK", pg, pg, true},
		{"client_encoding sjis", "client_encoding", "SJIS", pg, pg, true},
		{"client_encoding big5", "client_encoding", "BIG5", pg, pg, true},
		{"client_encoding latin1", "client_encoding", "LATIN1", pg, pg, true},
		{"character_set_client utf8mb4", "character_set_client", "utf8mb4", my, my, false},
		{"names gbk", "names", "gbk", my, my, true},
		{"charset binary", "charset", "binary", my, my, true},
		{"sql_mode nbe", "sql_mode", "STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES", my, myNBE, false},
		{"sql_mode ansi", "sql_mode", "ansi", my, myANSI, false},
		{"sql_mode ansi_quotes", "sql_mode", "ANSI_QUOTES", my, myANSI, false},
		{"sql_mode replaces flags", "sql_mode", "TRADITIONAL", Options{Dialect: MySQL, ANSIQuotes: true, NoBackslashEscapes: true}, my, false},
		{"sql_mode empty", "sql_mode", "", myNBE, my, false},
		{"sql_mode oracle", "sql_mode", "ORACLE", my, my, true},
		{"sql_mode unknown", "sql_mode", "NO_SUCH_MODE", my, my, true},
		{"ansi_quotes", "ansi_quotes", "on", my, myANSI, false},
		{"no_backslash_escapes", "no_backslash_escapes", "1", my, myNBE, false},
		{"lcn 1", "lower_case_table_names", "1", my, Options{Dialect: MySQL, LowerCaseTableNames: 1}, false},
		{"lcn 2", "lower_case_table_names", "2", my, Options{Dialect: MySQL, LowerCaseTableNames: 2}, false},
		{"lcn 3", "lower_case_table_names", "3", my, my, true},
		{"unknown", "search_path", "public", pg, pg, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.start
			err := o.Set(tc.setting, tc.value)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Set(%q, %q) error %v, wantErr %v", tc.setting, tc.value, err, tc.wantErr)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Kind != KindSetting || !errors.Is(err, ErrRejected) {
					t.Fatalf("error %#v is not a KindSetting *Error", err)
				}
			}
			if o != tc.want {
				t.Fatalf("options %+v, want %+v", o, tc.want)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	mustReject(t, Options{Dialect: MySQL, LowerCaseTableNames: 5}, "SELECT 1", KindSetting, 0)
	if _, err := Split(Options{}, "SELECT 1"); !errors.Is(err, ErrRejected) {
		t.Fatalf("Split without dialect: %v", err)
	}
}

func TestErrorFormat(t *testing.T) {
	e := mustReject(t, pg, "SELECT 'x", KindUnterminated, 7)
	if got := e.Error(); got != "sqlnorm: unterminated string literal (unterminated at byte 7)" {
		t.Fatalf("Error() = %q", got)
	}
	if !errors.Is(e, ErrRejected) || errors.Unwrap(e) != ErrRejected {
		t.Fatal("Unwrap")
	}
	if KindExecutable.String() != "executable-comment" || Kind(99).String() != "kind(99)" {
		t.Fatal("Kind.String")
	}
}
