package testpg

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

func TestNewDatabase(t *testing.T) {
	var name string
	t.Run("create", func(t *testing.T) {
		dsn := NewDatabase(t, "testpg")
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRowContext(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "testpg_") {
			t.Fatalf("database %q", name)
		}
	})
	// After the subtest's cleanup the database is gone.
	admin, err := sql.Open("pgx", DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists", name)
	}
}

func TestQuote(t *testing.T) {
	if got := Quote(`a"b`); got != `"a""b"` {
		t.Errorf("Quote = %s", got)
	}
	if got := String("postgres://u:secret@h:1/db?sslmode=disable"); strings.Contains(got, "secret") {
		t.Errorf("String leaks the password: %s", got)
	}
}
