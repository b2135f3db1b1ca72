package pq

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	sqldriver "database/sql/driver"
	_ "github.com/jackc/pgx/v5/stdlib" // admin connections

	libpq "github.com/lib/pq"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/driver/internal/pathtest"
)

func setup(t *testing.T) (*sql.DB, *sql.DB, *pathtest.Auditor, string) {
	return pathtest.Open(t, "driver_pq", DriverName, SetGate)
}

func TestPathMatrixPq(t *testing.T) {
	db, admin, aud, dsn := setup(t)
	pathtest.Run(t, pathtest.Env{DB: db, Admin: admin, Audit: aud,
		OpenWithSetting: func(name, value string) (*sql.DB, error) {
			return sql.Open(DriverName, pathtest.WithSetting(dsn, name, value))
		}})
}

func TestSessionSettingsPq(t *testing.T) {
	_, admin, _, dsn := setup(t)
	ctx := pathtest.Ctx()
	off, err := sql.Open(DriverName, pathtest.WithSetting(dsn, "standard_conforming_strings", "off"))
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	var se *driver.SessionError
	_, err = off.ExecContext(ctx, "SELECT 1")
	if !errors.As(err, &se) || se.Setting != "standard_conforming_strings" {
		t.Fatalf("err = %v, want a SessionError", err)
	}
	pathtest.SentinelsAlive(t, admin)
}

func TestCopyPreparedOnlyWhenAllowed(t *testing.T) {
	// lib/pq starts COPY ... FROM STDIN at prepare time: a COPY the policy
	// denies must never reach Prepare.
	db, admin, _, _ := setup(t)
	_, err := db.PrepareContext(pathtest.Ctx(), "COPY driver_sentinel FROM STDIN")
	pathtest.Denied(t, err)
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM driver_sentinel").Scan(&n); err != nil || n != 1 {
		t.Fatalf("sentinel rows %d, %v", n, err)
	}
}

func TestCopyInThroughTheGate(t *testing.T) {
	db, admin, aud, _ := setup(t)
	ctx := pathtest.Ctx()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, libpq.CopyIn("items", "name"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"c1", "c2"} {
		if _, err := st.ExecContext(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	// A row the policy denies is refused before lib/pq buffers it.
	_, err = st.ExecContext(ctx, "forbidden")
	pathtest.Denied(t, err)
	if _, err := st.ExecContext(ctx); err != nil { // flush
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM items WHERE name IN ('c1', 'c2', 'forbidden')").Scan(&n); err != nil || n != 2 {
		t.Fatalf("copied rows %d, %v", n, err)
	}
	for _, r := range aud.Records() {
		if !strings.HasPrefix(r.Text, "COPY") && r.Text != "BEGIN" {
			t.Errorf("record %+v", r)
		}
	}
}

func TestSessionChangeBehindTheLexerPq(t *testing.T) {
	db, admin, _, _ := setup(t)
	ctx := pathtest.Ctx()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var v string
	// Allowed by the policy; the function flips standard_conforming_strings.
	if err := c.QueryRowContext(ctx, "SELECT sneaky()").Scan(&v); err != nil {
		t.Fatalf("SELECT sneaky(): %v", err)
	}
	// Before the next statement reaches the server, the session is read
	// again and the connection discarded: nothing runs on it.
	_, err = c.ExecContext(ctx, "INSERT INTO orders(id, name) VALUES (7, 'after-sneaky')")
	if !errors.Is(err, sqldriver.ErrBadConn) {
		t.Fatalf("next call on the changed session: err = %v, want driver.ErrBadConn", err)
	}
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM orders WHERE id = 7").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the statement ran on the changed session: %d rows, %v", n, err)
	}
	// The pool goes on with fresh, standard sessions.
	var scs string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('standard_conforming_strings')").Scan(&scs); err != nil || scs != "on" {
		t.Fatalf("next pooled call: %q, %v (want a fresh connection with on)", scs, err)
	}
	pathtest.SentinelsAlive(t, admin)
}

// TestPolicyChangeRechecksSessionPq: a policy whose lexer assumes other
// session settings is not served by a connection checked under the old
// one: lib/pq does not report settings, so the session is read again.
func TestPolicyChangeRechecksSessionPq(t *testing.T) {
	db, admin, _, _ := setup(t)
	ctx := pathtest.Ctx()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(pathtest.Policy, "dialect: postgres", "dialect: postgres\nsettings:\n  standard_conforming_strings: \"off\"", 1)
	p, err := approval.ParsePolicy([]byte(src), "off.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := approval.NewGate(p)
	if err != nil {
		t.Fatal(err)
	}
	SetGate(g) // setup's cleanup puts the default back
	_, err = db.ExecContext(ctx, "SELECT 1")
	var se *driver.SessionError
	if !errors.As(err, &se) || se.Setting != "standard_conforming_strings" {
		t.Fatalf("first call under a policy assuming off on an on session: err = %v, want a SessionError", err)
	}
	pathtest.SentinelsAlive(t, admin)
}
