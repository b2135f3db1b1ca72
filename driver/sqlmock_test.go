package driver

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	sqldriver "database/sql/driver"

	"github.com/DATA-DOG/go-sqlmock"
)

type sqlmockConnector struct {
	d   sqldriver.Driver
	dsn string
}

func (c sqlmockConnector) Connect(context.Context) (sqldriver.Conn, error) { return c.d.Open(c.dsn) }
func (c sqlmockConnector) Driver() sqldriver.Driver                        { return c.d }

// TestPathsOnSqlmock runs the main paths over go-sqlmock: what the Gate
// allowed is exactly what sqlmock expected, and a denied statement never
// reaches it (sqlmock would fail the call as unexpected).
func TestPathsOnSqlmock(t *testing.T) {
	mockDB, mock, err := sqlmock.NewWithDSN("approvedsql-driver-paths", sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		t.Fatal(err)
	}
	defer mockDB.Close()
	d := &recDecider{}
	db := sql.OpenDB(sqlmockConnector{wrapDecider(mockDB.Driver(), d), "approvedsql-driver-paths"})
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := keyCtx()

	mock.ExpectExec("UPDATE t SET a = $1").WithArgs("x").WillReturnResult(sqlmock.NewResult(0, 3))
	mock.ExpectQuery("SELECT a FROM t WHERE id = $1").WithArgs(1).WillReturnRows(sqlmock.NewRows([]string{"a"}).AddRow("x"))
	p := mock.ExpectPrepare("DELETE FROM t WHERE id = $1")
	p.ExpectExec().WithArgs(2).WillReturnResult(sqlmock.NewResult(0, 1))
	mock.ExpectBegin()
	mock.ExpectExec("INSERT INTO t VALUES ($1)").WithArgs(5).WillReturnResult(sqlmock.NewResult(5, 1))
	mock.ExpectCommit()

	if _, err := db.ExecContext(ctx, "UPDATE t SET a = $1", "x"); err != nil {
		t.Fatal(err)
	}
	mustDenied(t, func() error { _, err := db.ExecContext(ctx, "DROP TABLE forbidden"); return err }())
	mustDenied(t, func() error { _, err := db.Exec("UPDATE t SET a = 1"); return err }())
	var a string
	if err := db.QueryRowContext(ctx, "SELECT a FROM t WHERE id = $1", 1).Scan(&a); err != nil || a != "x" {
		t.Fatalf("%q %v", a, err)
	}
	st, err := db.PrepareContext(ctx, "DELETE FROM t WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ExecContext(ctx, 2); err != nil {
		t.Fatal(err)
	}
	mustDenied(t, func() error { _, err := st.Exec(3); return err }())
	st.Close()
	mustDenied(t, func() error { _, err := db.PrepareContext(ctx, "COPY forbidden FROM STDIN"); return err }())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES ($1)", 5); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := mock.ExpectationsWereMet(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0 UPDATE t SET a = $1 k1 [x]",
		"0 DROP TABLE forbidden k1 []",
		"0 UPDATE t SET a = 1  []",
		"0 SELECT a FROM t WHERE id = $1 k1 [1]",
		"1 DELETE FROM t WHERE id = $1 k1 []",
		"0 DELETE FROM t WHERE id = $1 k1 [2]",
		"0 DELETE FROM t WHERE id = $1  [3]",
		"1 COPY forbidden FROM STDIN k1 []",
		"0 BEGIN k1 []",
		"0 INSERT INTO t VALUES ($1) k1 [5]",
	}
	got := d.Requests()
	if len(got) != len(want) {
		t.Fatalf("decided %d requests, want %d: %+v", len(got), len(want), got)
	}
	for i, r := range got {
		var vals []any
		for _, a := range r.Args {
			vals = append(vals, a.Value)
		}
		if s := fmt.Sprintf("%d %s %s %v", r.Phase, r.SQL, r.KeyID, vals); s != want[i] {
			t.Errorf("request %d = %q, want %q", i, s, want[i])
		}
	}
	if fin := d.Finishes(); len(fin) != 6 || fin[0].RowsAffected != 3 {
		t.Errorf("finishes %+v", fin)
	}
}
