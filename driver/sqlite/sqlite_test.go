package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/approvedsql/approvedsql/approval"
)

func TestNoPolicyDeniesEverything(t *testing.T) {
	t.Setenv("APPROVEDSQL_POLICY", "")
	SetGate(nil)
	db, err := sql.Open(DriverName, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k"})
	_, err = db.ExecContext(ctx, "CREATE TABLE t (a int)")
	if !errors.Is(err, approval.ErrNoPolicy) || !errors.Is(err, approval.ErrDenied) {
		t.Fatalf("err = %v, want a denial saying no policy is configured", err)
	}
}

const sqlitePolicy = `
version: "sqlite-test"
dialect: sqlite
rules:
  - name: no-drop
    effect: deny
    when: query.command == "DROP"
  - name: app
    effect: allow
    when: key.role == "app"
`

func TestRealSQLite(t *testing.T) {
	p, err := approval.ParsePolicy([]byte(sqlitePolicy), "sqlite.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := approval.NewGate(p)
	if err != nil {
		t.Fatal(err)
	}
	SetGate(g)
	defer SetGate(nil)
	db, err := sql.Open(DriverName, "file:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k", Role: "app", ExpiresAt: time.Now().Add(time.Hour)})
	for _, q := range []string{"CREATE TABLE sentinel (v text)", "INSERT INTO sentinel VALUES ('alive')"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cases := []struct {
		name string
		q    string
	}{
		{"drop denied by rule", "DROP TABLE sentinel"},
		// modernc.org/sqlite runs every statement of a multi-statement
		// Exec: the normaliser must refuse the text first.
		{"multi-statement", "INSERT INTO sentinel VALUES ('x'); DROP TABLE sentinel"},
		{"hidden in a comment trick", "SELECT 1 /* ; */; DELETE FROM sentinel"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.ExecContext(ctx, tc.q)
			if !errors.Is(err, approval.ErrDenied) {
				t.Fatalf("err = %v, want a denial", err)
			}
			var v string
			var n int
			if err := db.QueryRowContext(ctx, "SELECT v, (SELECT count(*) FROM sentinel) FROM sentinel").Scan(&v, &n); err != nil || v != "alive" || n != 1 {
				t.Fatalf("sentinel: %q %d %v", v, n, err)
			}
		})
	}
}
