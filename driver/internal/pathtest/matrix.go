package pathtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
)

// Env is what the matrix runs against.
type Env struct {
	DB    *sql.DB // the approved driver, Gate from NewGate
	Admin *sql.DB // ungated, for setup and checks
	Audit *Auditor
	// OpenWithSetting opens the approved driver on a session started with
	// the given setting (nil: not tested).
	OpenWithSetting func(name, value string) (*sql.DB, error)
}

const (
	insText   = "INSERT INTO items(name) VALUES ($0)"
	selByName = "SELECT id FROM items WHERE name = $0"
)

func allow(text string, args int) Want {
	return Want{Decision: "allow", Rule: "tester", Text: text, KeyID: "k-tester", Args: args}
}

// Run runs the path matrix. e.DB must have at most a few connections.
func Run(t *testing.T, e Env) {
	ctx := Ctx()
	count := func(t *testing.T, name string) int {
		t.Helper()
		var n int
		if err := e.Admin.QueryRow("SELECT count(*) FROM items WHERE name = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	step := func(name string, f func(t *testing.T) []Want) {
		t.Run(name, func(t *testing.T) {
			e.Audit.Reset()
			want := f(t)
			if want != nil {
				Check(t, e.Audit, want)
			}
			SentinelsAlive(t, e.Admin)
			// The pool stays healthy.
			var one int
			if err := e.DB.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("pool unhealthy after the step: %v", err)
			}
		})
	}

	step("DB Exec ctx no args", func(t *testing.T) []Want {
		if _, err := e.DB.ExecContext(ctx, "INSERT INTO items(name) VALUES ('lit')"); err != nil {
			t.Fatal(err)
		}
		if count(t, "lit") != 1 {
			t.Error("row not inserted")
		}
		return []Want{allow(insText, 0)}
	})
	step("DB Exec ctx positional", func(t *testing.T) []Want {
		if _, err := e.DB.ExecContext(ctx, "INSERT INTO items(name) VALUES ($1)", "pos"); err != nil {
			t.Fatal(err)
		}
		return []Want{allow(insText, 1)}
	})
	step("DB Exec ctx positional denied by argument", func(t *testing.T) []Want {
		_, err := e.DB.ExecContext(ctx, "INSERT INTO items(name) VALUES ($1)", "forbidden")
		if Denied(t, err).Rule != "forbidden-arg" {
			t.Errorf("rule %v", err)
		}
		if count(t, "forbidden") != 0 {
			t.Error("denied row inserted")
		}
		return []Want{{Decision: "deny", Rule: "forbidden-arg", Text: insText, KeyID: "k-tester", Args: 1}}
	})
	step("DB Exec ctx sql.Named", func(t *testing.T) []Want {
		// The rule sees the argument by name whatever the driver then does
		// with names (pgx and lib/pq use positions).
		_, _ = e.DB.ExecContext(ctx, "INSERT INTO items(name) VALUES ($1)", sql.Named("forbidden_name", "forbidden"))
		if count(t, "forbidden") != 0 {
			t.Error("denied row inserted")
		}
		recs := e.Audit.Records()
		if len(recs) != 1 || recs[0].Rule != "forbidden-arg" || len(recs[0].Args) != 1 || !strings.HasPrefix(recs[0].Args[0], "@forbidden_name=") {
			t.Errorf("records %+v", recs)
		}
		return nil
	})
	step("DB Exec without ctx", func(t *testing.T) []Want {
		_, err := e.DB.Exec("INSERT INTO items(name) VALUES ('noctx')")
		Denied(t, err)
		if !errors.Is(err, approval.ErrNoKey) {
			t.Errorf("err = %v, want ErrNoKey", err)
		}
		if count(t, "noctx") != 0 {
			t.Error("row inserted without a key")
		}
		return []Want{{Decision: "deny", Text: insText, Args: AnyArgs}}
	})
	step("DB Query and QueryRow ctx", func(t *testing.T) []Want {
		rows, err := e.DB.QueryContext(ctx, "SELECT id FROM items WHERE name = $1", "pos")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n != 1 {
			t.Errorf("%d rows", n)
		}
		var id int
		if err := e.DB.QueryRowContext(ctx, "SELECT id FROM items WHERE name = $1", "pos").Scan(&id); err != nil {
			t.Fatal(err)
		}
		return []Want{allow(selByName, 1), allow(selByName, 1)}
	})
	step("DB Query and QueryRow without ctx", func(t *testing.T) []Want {
		_, err := e.DB.Query("SELECT id FROM items")
		Denied(t, err)
		var id int
		Denied(t, e.DB.QueryRow("SELECT id FROM items").Scan(&id))
		return []Want{{Decision: "deny", Text: "SELECT id FROM items", Args: AnyArgs}, {Decision: "deny", Text: "SELECT id FROM items", Args: AnyArgs}}
	})
	step("Prepare then Stmt Exec/Query/QueryRow", func(t *testing.T) []Want {
		st, err := e.DB.PrepareContext(ctx, "INSERT INTO items(name) VALUES ($1)")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.ExecContext(ctx, "stmt"); err != nil {
			t.Fatal(err)
		}
		Denied(t, func() error { _, err := st.ExecContext(ctx, "forbidden"); return err }())
		_, err = st.Exec("noctx")
		Denied(t, err)
		q, err := e.DB.PrepareContext(ctx, "SELECT id FROM items WHERE name = $1")
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		rows, err := q.QueryContext(ctx, "stmt")
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		var id int
		if err := q.QueryRowContext(ctx, "stmt").Scan(&id); err != nil {
			t.Fatal(err)
		}
		Denied(t, q.QueryRow("stmt").Scan(&id))
		if count(t, "stmt") != 1 || count(t, "noctx") != 0 {
			t.Error("wrong rows")
		}
		return []Want{
			allow(insText, 1),
			{Decision: "deny", Rule: "forbidden-arg", Text: insText, KeyID: "k-tester", Args: 1},
			{Decision: "deny", Text: insText, Args: AnyArgs}, // no key
			allow(selByName, 1), allow(selByName, 1),
			{Decision: "deny", Text: selByName, Args: AnyArgs},
		}
	})
	step("Prepare denied whatever its arguments never prepares", func(t *testing.T) []Want {
		_, err := e.DB.PrepareContext(ctx, "COPY driver_sentinel FROM STDIN")
		if Denied(t, err).Rule != "protected-tables" {
			t.Errorf("err = %v", err)
		}
		_, err = e.DB.PrepareContext(ctx, "DROP TABLE driver_sentinel")
		Denied(t, err)
		return nil
	})
	step("Stmt re-prepared on a second connection", func(t *testing.T) []Want {
		st, err := e.DB.PrepareContext(ctx, "SELECT id FROM items WHERE name = $1")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var held []*sql.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		// Hold every idle connection, the statement's among them, so that
		// it must be prepared again on a new one.
		for e.DB.Stats().Idle > 0 {
			c, err := e.DB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		before := e.DB.Stats().OpenConnections
		if _, err := st.ExecContext(ctx, "pos"); err != nil {
			t.Fatal(err)
		}
		if after := e.DB.Stats().OpenConnections; after != before+1 {
			t.Errorf("open connections %d -> %d: the statement did not need a new connection", before, after)
		}
		return []Want{allow(selByName, 1)}
	})
	step("BeginTx passes isolation and read-only; tx rules see the transaction", func(t *testing.T) []Want {
		tx, err := e.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var iso, ro string
		if err := tx.QueryRowContext(ctx, "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')").Scan(&iso, &ro); err != nil {
			t.Fatal(err)
		}
		if iso != "serializable" || ro != "on" {
			t.Errorf("isolation %q read-only %q", iso, ro)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO items(name) VALUES ($1)", "rotx")
		if Denied(t, err).Rule != "read-only-tx" {
			t.Errorf("err = %v", err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		return []Want{
			allow("BEGIN", 0),
			allow("SELECT current_setting($0), current_setting($0)", 0),
			{Decision: "deny", Rule: "read-only-tx", Text: insText, KeyID: "k-tester", Args: 1},
		}
	})
	step("Tx Exec/Query/Prepare and Tx.Stmt", func(t *testing.T) []Want {
		st, err := e.DB.PrepareContext(ctx, "INSERT INTO items(name) VALUES ($1)")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		tx, err := e.DB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "INSERT INTO items(name) VALUES ($1)", "tx1"); err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec("INSERT INTO items(name) VALUES ($1)", "tx-noctx")
		Denied(t, err) // the tx's key is not passed to calls without a context
		rows, err := tx.QueryContext(ctx, "SELECT id FROM items WHERE name = $1", "tx1")
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		p, err := tx.PrepareContext(ctx, "SELECT id FROM items WHERE name = $1")
		if err != nil {
			t.Fatal(err)
		}
		var id int
		if err := p.QueryRowContext(ctx, "tx1").Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, "tx2"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if count(t, "tx1") != 1 || count(t, "tx2") != 1 || count(t, "tx-noctx") != 0 {
			t.Error("wrong rows after commit")
		}
		return []Want{
			allow("BEGIN", 0), allow(insText, 1), {Decision: "deny", Text: insText, Args: AnyArgs},
			allow(selByName, 1), allow(selByName, 1), allow(insText, 1),
		}
	})
	step("sql.Conn Exec/Query/Prepare/BeginTx/Raw", func(t *testing.T) []Want {
		c, err := e.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "INSERT INTO items(name) VALUES ($1)", "conn"); err != nil {
			t.Fatal(err)
		}
		rows, err := c.QueryContext(ctx, "SELECT id FROM items WHERE name = $1", "conn")
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		p, err := c.PrepareContext(ctx, "SELECT id FROM items WHERE name = $1")
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		tx, err := c.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		// Raw yields the wrapped connection, which still gates.
		err = c.Raw(func(dc any) error {
			ex, ok := dc.(sqldriver.ExecerContext)
			if !ok {
				t.Fatalf("Raw connection %T cannot exec", dc)
			}
			_, err := ex.ExecContext(ctx, "DELETE FROM driver_sentinel", nil)
			return err
		})
		Denied(t, err)
		return []Want{
			allow(insText, 1), allow(selByName, 1), allow("BEGIN", 0),
			{Decision: "deny", Rule: "protected-tables", Text: "DELETE FROM driver_sentinel", KeyID: "k-tester"},
		}
	})
	step("denied write leaves the database untouched", func(t *testing.T) []Want {
		for _, q := range []string{"DELETE FROM driver_sentinel", "DROP TABLE driver_sentinel", "UPDATE users SET id = 2"} {
			_, err := e.DB.ExecContext(ctx, q)
			Denied(t, err)
		}
		return nil
	})
	step("multi-statement text refused before the driver", func(t *testing.T) []Want {
		for _, q := range []string{
			"INSERT INTO items(name) VALUES ('multi'); DELETE FROM driver_sentinel",
			"SELECT 1; DROP TABLE users",
		} {
			_, err := e.DB.ExecContext(ctx, q)
			Denied(t, err)
			_, err = e.DB.QueryContext(ctx, q)
			Denied(t, err)
		}
		if count(t, "multi") != 0 {
			t.Error("first statement of a multi-statement text ran")
		}
		return nil
	})
	step("desync corpus", func(t *testing.T) []Want {
		for _, c := range DesyncCases(t) {
			_, err := e.DB.ExecContext(ctx, c.Query)
			pg := c.DBMS == "postgresql" || c.DBMS == ""
			switch {
			case c.ServerSetting != "":
				// Dangerous only under a session setting the driver refuses
				// to serve (see OpenWithSetting below).
				t.Logf("%s (needs %s): %v", c.ID, c.ServerSetting, err)
			case pg && c.ServerStatementCount != 1:
				if err == nil {
					t.Errorf("%s: accepted text PostgreSQL runs as %d statements", c.ID, c.ServerStatementCount)
				} else if !errors.Is(err, approval.ErrDenied) {
					t.Logf("%s: failed in the driver, not denied: %v", c.ID, err)
				}
			default:
				// One statement on PostgreSQL (or another dialect's trick):
				// it may run as the one statement the lexer saw.
				t.Logf("%s (%s, %d statement(s) on its server): %v", c.ID, c.DBMS, c.ServerStatementCount, err)
			}
			if c.ServerSetting == "standard_conforming_strings=off" && e.OpenWithSetting != nil {
				db, err := e.OpenWithSetting("standard_conforming_strings", "off")
				if err != nil {
					t.Fatal(err)
				}
				_, err = db.ExecContext(ctx, c.Query)
				db.Close()
				var se *driver.SessionError
				if !errors.As(err, &se) {
					t.Errorf("%s on a session with %s: err = %v, want the connection refused", c.ID, c.ServerSetting, err)
				}
			}
		}
		return nil
	})
	step("session setting changes refused", func(t *testing.T) []Want {
		// One connection, so that a change that got through shows below.
		conn, err := e.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range []string{
			"SET standard_conforming_strings = off",
			"SET client_encoding = 'LATIN1'",
			"SET NAMES 'LATIN1'",
			"RESET ALL",
			"DISCARD ALL",
			"SELECT set_config('standard_conforming_strings', 'off', false)",
			// Names no literal spells out in full.
			"SELECT set_config('standard_conforming' || '_strings', 'off', false)",
			"SELECT set_config(name, 'off', false) FROM pg_settings WHERE name LIKE 'standard_conforming%'",
			"UPDATE pg_settings SET setting = 'off' WHERE name LIKE 'standard_conforming%'",
			"DO $$BEGIN PERFORM set_config('standard_' || 'conforming_strings', 'off', false); END$$",
		} {
			_, err := conn.ExecContext(ctx, q)
			if de := Denied(t, err); de != nil && de.Rule != "driver.session-settings" {
				t.Errorf("%s: denied by %q, want the session-settings guard", q, de.Rule)
			}
		}
		var scs string
		if err := conn.QueryRowContext(ctx, "SELECT current_setting('standard_conforming_strings')").Scan(&scs); err != nil || scs != "on" {
			t.Errorf("standard_conforming_strings = %q, %v", scs, err)
		}
		return nil
	})
	step("bad connections are retried", func(t *testing.T) []Want {
		// Kill every server session of the approved pool. database/sql
		// finds out when it resets a reused connection (pgx pings one idle
		// for over a second; lib/pq notices the closed socket) and retries
		// on a fresh one; each attempt that reaches the Gate is decided.
		var n int
		if err := e.Admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("no session to terminate")
		}
		time.Sleep(1100 * time.Millisecond)
		e.Audit.Reset()
		var err error
		for i := 0; i < 3; i++ { // a dead connection not caught by the reset fails once
			if _, err = e.DB.ExecContext(ctx, "INSERT INTO items(name) VALUES ($1)", "retried"); err == nil {
				break
			}
			if errors.Is(err, approval.ErrDenied) {
				t.Fatalf("a broken connection surfaced as a denial: %v", err)
			}
			t.Logf("attempt %d: %v", i+1, err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if count(t, "retried") != 1 {
			t.Error("row not inserted exactly once")
		}
		for _, r := range e.Audit.Records() {
			if r.Decision != "allow" || r.Text != insText {
				t.Errorf("record %+v", r)
			}
		}
		return nil
	})
	step("context cancelled before", func(t *testing.T) []Want {
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := e.DB.ExecContext(c, "INSERT INTO items(name) VALUES ('cancelled')"); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		if count(t, "cancelled") != 0 {
			t.Error("cancelled insert ran")
		}
		return []Want{}
	})
	step("context cancelled during", func(t *testing.T) []Want {
		c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := e.DB.ExecContext(c, "SELECT pg_sleep(5)")
		if err == nil {
			t.Fatal("pg_sleep(5) finished inside 200ms")
		}
		recs := e.Audit.Records()
		if len(recs) != 1 || recs[0].Decision != "allow" || recs[0].ErrorClass == "" {
			t.Errorf("records %+v, want one allowed call finished with an error", recs)
		}
		return nil
	})
}

// DesyncCase is one case of testdata/desync_cases.json.
type DesyncCase struct {
	ID                   string `json:"id"`
	DBMS                 string `json:"dbms"`
	Query                string `json:"query"`
	ServerStatementCount int    `json:"server_statement_count"`
	ServerSetting        string `json:"server_setting"`
}

// DesyncPath is the desync corpus copied into driver/testdata, relative to
// a driver subpackage's directory (where its tests run).
var DesyncPath = filepath.Join("..", "testdata", "desync_cases.json")

// DesyncCases reads the desync corpus.
func DesyncCases(tb testing.TB) []DesyncCase {
	tb.Helper()
	path := DesyncPath
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var cases []DesyncCase
	if err := json.Unmarshal(data, &cases); err != nil {
		tb.Fatal(err)
	}
	if len(cases) == 0 {
		tb.Fatal("no desync cases")
	}
	return cases
}
