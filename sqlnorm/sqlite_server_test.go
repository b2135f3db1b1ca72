package sqlnorm

import (
	"database/sql"
	"testing"

	_ "modernc.org/sqlite" // the real SQLite (pure Go), test-only
)

// TestSQLiteAgrees runs texts through a real SQLite (modernc.org/sqlite
// runs every statement of a multi-statement text) and checks that the
// normaliser never accepts as one statement what SQLite runs as more.
// Each statement inserts a row, so the row count is the statement count.
func TestSQLiteAgrees(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE log (x)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sql    string
		accept bool
	}{
		{"one", "INSERT INTO log VALUES (1)", true},
		{"two", "INSERT INTO log VALUES (1); INSERT INTO log VALUES (2)", false},
		{"backslash is plain", `INSERT INTO log VALUES ('\'); INSERT INTO log VALUES (2) -- ')`, false},
		{"dashdash to newline only", "INSERT INTO log VALUES (1) -- c\r; INSERT INTO log VALUES (2)", true},
		{"block comments do not nest", "INSERT INTO log VALUES (1) /* /* */ ; INSERT INTO log VALUES (2) -- */", false},
		{"bracket identifier", "INSERT INTO log ([x]) VALUES ('[;]')", true},
		{"backtick identifier", "INSERT INTO log (`x`) VALUES (1)", true},
		{"double-quoted", `INSERT INTO log ("x") VALUES ("a;b")`, true},
		{"doubled quote", "INSERT INTO log VALUES ('a'';'); INSERT INTO log VALUES (2)", false},
		{"named parameter text", "INSERT INTO log VALUES (':a;')", true},
		{"trailing semicolon", "INSERT INTO log VALUES (1); -- done", true},
		{"hash is not a comment", "INSERT INTO log VALUES (1) # ; INSERT INTO log VALUES (2)", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.Exec("DELETE FROM log"); err != nil {
				t.Fatal(err)
			}
			_, serr := db.Exec(tc.sql)
			var n int
			if err := db.QueryRow("SELECT count(*) FROM log").Scan(&n); err != nil {
				t.Fatal(err)
			}
			_, nerr := Normalize(lite, tc.sql)
			if (nerr == nil) != tc.accept {
				t.Fatalf("Normalize accept=%v, want %v (%v)", nerr == nil, tc.accept, nerr)
			}
			if serr != nil {
				t.Logf("sqlite: %v (%d statements ran)", serr, n)
			}
			if nerr == nil && n > 1 {
				t.Fatalf("accepted as one statement; SQLite ran %d", n)
			}
			if sts, err := Split(lite, tc.sql); err == nil && serr == nil && len(sts) != n {
				t.Fatalf("Split found %d statements; SQLite ran %d", len(sts), n)
			}
		})
	}
}
