package postgres

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/driver/internal/pathtest"
	"github.com/approvedsql/approvedsql/internal/testpg"
)

// setup creates a database with the matrix's tables and sets the matrix's
// Gate; it returns the approved DB, the admin DB and the auditor.
func setup(t *testing.T) (*sql.DB, *sql.DB, *pathtest.Auditor, string) {
	return pathtest.Open(t, "driver_pgx", DriverName, SetGate)
}

func TestPathMatrixPgx(t *testing.T) {
	db, admin, aud, dsn := setup(t)
	pathtest.Run(t, pathtest.Env{DB: db, Admin: admin, Audit: aud,
		OpenWithSetting: func(name, value string) (*sql.DB, error) {
			return sql.Open(DriverName, pathtest.WithSetting(dsn, name, value))
		}})
}

func TestPgxArgumentOptions(t *testing.T) {
	db, admin, aud, _ := setup(t)
	ctx := pathtest.Ctx()
	cases := []struct {
		name string
		args []any
		want string // name inserted
		deny bool
	}{
		{"NamedArgs", []any{pgx.NamedArgs{"n": "named"}}, "named", false},
		{"NamedArgs denied by the rewritten argument", []any{pgx.NamedArgs{"n": "forbidden"}}, "", true},
		{"QueryExecMode simple protocol", []any{pgx.QueryExecModeSimpleProtocol, "simple"}, "simple", false},
		{"QueryExecMode then NamedArgs", []any{pgx.QueryExecModeExec, pgx.StrictNamedArgs{"n": "strict"}}, "strict", false},
		{"mode with a forbidden user arg", []any{pgx.QueryExecModeSimpleProtocol, "forbidden"}, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			aud.Reset()
			q := "INSERT INTO items(name) VALUES ($1)"
			if _, ok := tc.args[len(tc.args)-1].(pgx.NamedArgs); ok {
				q = "INSERT INTO items(name) VALUES (@n)"
			}
			if _, ok := tc.args[len(tc.args)-1].(pgx.StrictNamedArgs); ok {
				q = "INSERT INTO items(name) VALUES (@n)"
			}
			_, err := db.ExecContext(ctx, q, tc.args...)
			recs := aud.Records()
			if len(recs) != 1 || recs[0].Text != "INSERT INTO items(name) VALUES ($0)" || len(recs[0].Args) != 1 {
				t.Fatalf("records %+v: the Gate must see one user argument and the rewritten text", recs)
			}
			if tc.deny {
				pathtest.Denied(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := admin.QueryRow("SELECT count(*) FROM items WHERE name = $1", tc.want).Scan(&n); err != nil || n != 1 {
				t.Fatalf("row %q: %d, %v", tc.want, n, err)
			}
		})
	}
	t.Run("other query rewriter refused", func(t *testing.T) {
		_, err := db.ExecContext(ctx, "SELECT 1", otherRewriter{})
		pathtest.Denied(t, err)
		if !errors.Is(err, driver.ErrRewrite) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("option-typed values refused where pgx would read them differently", func(t *testing.T) {
		aud.Reset()
		for _, args := range [][]any{
			{pgx.QueryResultFormats{1}, "x"},                      // Exec: a parameter, not an option
			{pgx.NamedArgs{"n": otherRewriter{}}},                 // would become a leading rewriter
			{pgx.NamedArgs{"n": pgx.QueryExecModeSimpleProtocol}}, // would become a leading option
		} {
			q := "INSERT INTO items(name) VALUES ($1)"
			if _, ok := args[0].(pgx.NamedArgs); ok {
				q = "INSERT INTO items(name) VALUES (@n)"
			}
			_, err := db.ExecContext(ctx, q, args...)
			pathtest.Denied(t, err)
			if !errors.Is(err, driver.ErrRewrite) {
				t.Errorf("%#v: err = %v", args, err)
			}
		}
		if recs := aud.Records(); len(recs) != 0 {
			t.Errorf("refused calls reached the Gate: %+v", recs)
		}
	})
	pathtest.SentinelsAlive(t, admin)
}

func TestSessionSettingsPgx(t *testing.T) {
	db, admin, _, dsn := setup(t)
	ctx := pathtest.Ctx()
	for _, set := range [][2]string{{"standard_conforming_strings", "off"}, {"client_encoding", "LATIN1"}} {
		t.Run("connection with "+set[0]+" "+set[1]+" refused", func(t *testing.T) {
			off, err := sql.Open(DriverName, pathtest.WithSetting(dsn, set[0], set[1]))
			if err != nil {
				t.Fatal(err)
			}
			defer off.Close()
			var se *driver.SessionError
			_, err = off.ExecContext(ctx, "SELECT 1")
			if !errors.As(err, &se) || se.Setting != set[0] {
				t.Fatalf("err = %v, want a SessionError", err)
			}
		})
	}
	t.Run("change behind the lexer's back discards the connection", func(t *testing.T) {
		db.SetMaxOpenConns(1)
		defer db.SetMaxOpenConns(6)
		pid := func() int {
			var p int
			if err := db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		before := pid()
		var v string
		err := db.QueryRowContext(ctx, "SELECT sneaky()").Scan(&v)
		t.Logf("SELECT sneaky(): %q, %v", v, err)
		var scs string
		if err := db.QueryRowContext(ctx, "SELECT current_setting('standard_conforming_strings')").Scan(&scs); err != nil || scs != "on" {
			t.Fatalf("next call: %q, %v (want a fresh connection with on)", scs, err)
		}
		if after := pid(); after == before {
			t.Errorf("still on backend %d: the changed connection was not discarded", before)
		}
		// Through Exec the call itself reports it.
		if _, err := db.ExecContext(ctx, "SELECT sneaky()"); !errors.Is(err, driver.ErrSessionChanged) {
			t.Errorf("Exec: err = %v, want ErrSessionChanged", err)
		}
	})
	pathtest.SentinelsAlive(t, admin)
}

func TestUnwrapCopyFrom(t *testing.T) {
	dsn := testpg.NewDatabase(t, "driver_pgx")
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	pathtest.Setup(t, admin)
	g, aud := pathtest.NewGate(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	unwraps := &pathtest.Auditor{}
	opts := append(Options(), driver.WithUnwrap(unwraps))
	db := sql.OpenDB(driver.NewConnector(stdlib.GetConnector(*cfg), g, opts...))
	defer db.Close()
	ctx := pathtest.Ctx()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		inner, err := driver.Unwrap(ctx, dc)
		if err != nil {
			return err
		}
		pc := inner.(*stdlib.Conn).Conn()
		_, err = pc.CopyFrom(context.Background(), pgx.Identifier{"items"}, []string{"name"}, pgx.CopyFromRows([][]any{{"copied"}}))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if recs := unwraps.Records(); len(recs) != 1 || recs[0].Decision != "unwrap" || recs[0].KeyID != "k-tester" {
		t.Errorf("unwrap records %+v", recs)
	}
	if len(aud.Records()) != 0 {
		t.Errorf("the Gate saw %+v", aud.Records())
	}
	var n int
	if err := admin.QueryRow("SELECT count(*) FROM items WHERE name = 'copied'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("copied rows: %d, %v", n, err)
	}
	_ = approval.ErrDenied
}

func TestNoPolicyPgx(t *testing.T) {
	dsn := testpg.NewDatabase(t, "driver_pgx")
	t.Setenv("APPROVEDSQL_POLICY", "")
	SetGate(nil)
	db, err := sql.Open(DriverName, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(pathtest.Ctx(), "SELECT 1")
	pathtest.Denied(t, err)
	if !errors.Is(err, approval.ErrNoPolicy) {
		t.Fatalf("err = %v, want ErrNoPolicy", err)
	}
}

// pgx's simple protocol puts the arguments into the text itself, finding
// the placeholders with its own lexer. Where that lexer reads a text
// differently from PostgreSQL (an E-string, dollar quote or placeholder
// glued to an identifier), an argument could land outside the literal the
// Gate saw and run as SQL. Such calls are refused before they are decided.
func TestPgxSimpleProtocolMisreadRefused(t *testing.T) {
	db, admin, aud, _ := setup(t)
	ctx := pathtest.Ctx()
	cases := []struct {
		name, query, arg string
	}{
		{"dollar tag after an identifier", `SELECT 1 AS x$a$, $a$ $1 $a$`, "$a$; DELETE FROM driver_sentinel; SELECT $a$"},
		{"E-string after an identifier", `SELECT name'\' || ' $1 --'`, "x; DELETE FROM driver_sentinel; SELECT "},
		{"placeholder after an identifier", `SELECT 1 AS x$1`, "y"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			aud.Reset()
			_, err := db.ExecContext(ctx, tc.query, pgx.QueryExecModeSimpleProtocol, tc.arg)
			pathtest.SentinelsAlive(t, admin)
			pathtest.Denied(t, err)
			if !errors.Is(err, driver.ErrRewrite) {
				t.Errorf("err = %v, want driver.ErrRewrite", err)
			}
		})
	}
	t.Run("ordinary text with arguments still runs", func(t *testing.T) {
		var got string
		if err := db.QueryRowContext(ctx, `SELECT $1::text || 'e''s' || $$ $x$ $$ || E'\'' /* $2 */`, pgx.QueryExecModeSimpleProtocol, "it").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != `ite's $x$ '` {
			t.Errorf("got %q", got)
		}
	})
}
