package sqlnorm

import (
	"errors"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		sql   string
		texts []string
	}{
		{"one", pg, "SELECT 1", []string{"SELECT $0"}},
		{"two", pg, "SELECT 1; DELETE FROM t", []string{"SELECT $0", "DELETE FROM t"}},
		{"empty statements skipped", pg, ";SELECT 1;; ;SELECT 2;", []string{"SELECT $0", "SELECT $0"}},
		{"semicolon in string", pg, "SELECT ';'; SELECT 2", []string{"SELECT $0", "SELECT $0"}},
		{"semicolon in nested comment", pg, "SELECT 1 /* /* ; */ ; */; SELECT 2", []string{"SELECT $0", "SELECT $0"}},
		{"pg desync payload seen as two", pg, "SELECT * FROM orders WHERE id = 1 -- c\r; DROP TABLE users", []string{"SELECT * FROM orders WHERE id = $0", "DROP TABLE users"}},
		{"mysql dashdash", my, "SELECT 1--1; DROP TABLE users", []string{"SELECT ? - ?", "DROP TABLE users"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sts, err := Split(tc.opts, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if len(sts) != len(tc.texts) {
				t.Fatalf("got %d statements, want %d", len(sts), len(tc.texts))
			}
			for i, st := range sts {
				if st.Text != tc.texts[i] {
					t.Errorf("statement %d: %q, want %q", i, st.Text, tc.texts[i])
				}
				single := mustNormalize(t, tc.opts, st.Text)
				if single.Fingerprint != st.Fingerprint {
					t.Errorf("statement %d: fingerprint differs from Normalize", i)
				}
			}
		})
	}
	for _, bad := range []string{"", ";;", "SELECT 1; SELECT 'x"} {
		if _, err := Split(pg, bad); !errors.Is(err, ErrRejected) {
			t.Errorf("Split(%q): %v", bad, err)
		}
	}
	// Compound bodies: their semicolons belong to the body.
	for _, tc := range []struct {
		opts Options
		sql  string
	}{
		{pg, "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; DELETE FROM secrets; END"},
		{my, "CREATE PROCEDURE p() BEGIN SELECT 1; DELETE FROM secrets; END"},
		{Options{Dialect: SQLite}, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM secrets; END"},
	} {
		var e *Error
		if _, err := Split(tc.opts, tc.sql); !errors.As(err, &e) || e.Kind != KindMultiple {
			t.Errorf("Split(%q) = %v, want a refused compound body", tc.sql, err)
		}
	}
	sts, err := Split(pg, "SELECT 1; DELETE FROM t WHERE a = 1")
	if err != nil || sts[0].Command != "SELECT" || sts[1].Command != "DELETE" || !sts[1].HasWhere || sts[0].HasWhere {
		t.Fatalf("facts per statement: %v %+v", err, sts)
	}
}
