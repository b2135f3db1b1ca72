package driver

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

func TestChangesSetting(t *testing.T) {
	pg := func(cmd, text string) *sqlnorm.Statement {
		return &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: cmd, Text: text}
	}
	cases := []struct {
		name string
		st   *sqlnorm.Statement
		args []sqldriver.NamedValue
		want string
	}{
		{"SET scs", pg("SET", "SET standard_conforming_strings = off"), nil, "standard_conforming_strings"},
		{"SET SESSION scs", pg("SET", "SET SESSION STANDARD_CONFORMING_STRINGS TO ?"), nil, "standard_conforming_strings"},
		{"SET LOCAL quoted", pg("SET", `SET LOCAL "standard_conforming_strings" = ?`), nil, "standard_conforming_strings"},
		{"SET client_encoding", pg("SET", "SET client_encoding = ?"), nil, "client_encoding"},
		{"SET NAMES", pg("SET", "SET NAMES ?"), nil, "names"},
		{"RESET ALL", pg("RESET", "RESET ALL"), nil, "ALL"},
		{"RESET scs", pg("RESET", "RESET standard_conforming_strings"), nil, "standard_conforming_strings"},
		{"DISCARD ALL", pg("DISCARD", "DISCARD ALL"), nil, "ALL"},
		{"RESET nothing recognisable", pg("RESET", "RESET"), nil, "ALL"},
		{"set_config literal", &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT", Text: "SELECT set_config(?, ?, ?)",
			Functions: []string{"set_config"}, Literals: []string{"'standard_conforming_strings'", "'off'", "false"}}, nil, "standard_conforming_strings"},
		{"pg_catalog.set_config arg", &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT", Text: "SELECT pg_catalog.set_config($1, $2, ?)",
			Functions: []string{"pg_catalog.set_config"}}, []sqldriver.NamedValue{{Ordinal: 1, Value: "Client_Encoding"}}, "client_encoding"},
		{"set_config of an app setting", &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT", Text: "SELECT set_config(?, $1, ?)",
			Functions: []string{"set_config"}, Literals: []string{"'app.tenant'", "true"}}, []sqldriver.NamedValue{{Ordinal: 1, Value: "42"}}, ""},
		{"UPDATE pg_settings", &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "UPDATE", Text: "UPDATE pg_settings SET setting = ? WHERE name = ?",
			Tables: []string{"pg_settings"}, Literals: []string{"'off'", "'standard_conforming_strings'"}}, nil, "standard_conforming_strings"},
		{"SET search_path", pg("SET", "SET search_path = app"), nil, ""},
		{"SELECT mentioning the name", pg("SELECT", "SELECT current_setting(?)"), nil, ""},
		{"MySQL sql_mode", &sqlnorm.Statement{Dialect: sqlnorm.MySQL, Command: "SET", Text: "SET @@SESSION.sql_mode = ?"}, nil, "sql_mode"},
		{"MySQL SET NAMES", &sqlnorm.Statement{Dialect: sqlnorm.MySQL, Command: "SET", Text: "SET NAMES ?"}, nil, "names"},
		{"MySQL CHARACTER SET", &sqlnorm.Statement{Dialect: sqlnorm.MySQL, Command: "SET", Text: "SET CHARACTER SET ?"}, nil, "character"},
		{"SQLite pragma", &sqlnorm.Statement{Dialect: sqlnorm.SQLite, Command: "PRAGMA", Text: "PRAGMA encoding = ?"}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := changesSetting(tc.st, tc.args); got != tc.want {
				t.Errorf("changesSetting = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckStatement(t *testing.T) {
	set := &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SET", Text: "SET client_encoding = ?"}
	sel := &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SELECT", Text: "SELECT ?"}
	cases := []struct {
		name  string
		opts  []Option
		st    *sqlnorm.Statement
		cause error // nil: allowed
	}{
		{"plain select", nil, sel, nil},
		{"setting change refused", nil, set, ErrSessionSetting},
		{"setting change allowed by option", []Option{AllowSessionSettingChanges()}, set, nil},
		{"no statement facts", nil, nil, ErrSessionSetting},
		{"dialect matches", []Option{WithDialect(sqlnorm.Postgres)}, sel, nil},
		{"dialect mismatch", []Option{WithDialect(sqlnorm.SQLite)}, sel, ErrDialectMismatch},
		{"dialect without facts", []Option{WithDialect(sqlnorm.Postgres), AllowSessionSettingChanges()}, nil, ErrDialectMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newConfig(gateRef{}, tc.opts)
			if cfg.err != nil {
				t.Fatal(cfg.err)
			}
			err := cfg.checkStatement(&approval.Decision{Effect: approval.Allow, Statement: tc.st}, nil)
			if tc.cause == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			mustDenied(t, err)
			if !errors.Is(err, tc.cause) {
				t.Errorf("err %v does not match %v", err, tc.cause)
			}
		})
	}
}

func TestSettingChangeRefusedThroughDB(t *testing.T) {
	sqlDB, fdb, d := openFake(t, allConn)
	d.stmt = func(sql string) *sqlnorm.Statement {
		return &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Command: "SET", Text: sql}
	}
	_, err := sqlDB.ExecContext(keyCtx(), "SET standard_conforming_strings = off")
	mustDenied(t, err)
	if !errors.Is(err, ErrSessionSetting) {
		t.Fatalf("err = %v", err)
	}
	if ops := fdb.ops(); len(ops) != 0 {
		t.Errorf("driver saw %q", ops)
	}
	if fin := d.Finishes(); len(fin) != 1 || !errors.Is(fin[0].Err, ErrSessionSetting) {
		t.Errorf("finishes %+v: the refusal of an allowed call is reported to Finish", fin)
	}
}

func TestCallCheckPoisons(t *testing.T) {
	bad := errors.New("standard_conforming_strings is off")
	// The check fails on a connection whose last statement was "sneaky".
	check := func(inner sqldriver.Conn) error {
		if inner.(interface{ fake() *fakeConn }).fake().lastQuery == "SELECT sneaky()" {
			return bad
		}
		return nil
	}
	t.Run("exec: the call reports it", func(t *testing.T) {
		sqlDB, fdb, _ := openFake(t, allConn, WithCallCheck(check))
		sqlDB.SetMaxOpenConns(1)
		ctx := keyCtx()
		if _, err := sqlDB.ExecContext(ctx, "SELECT sneaky()"); !errors.Is(err, bad) {
			t.Fatalf("err = %v, want the call check's error", err)
		}
		// The poisoned connection is discarded; the next call runs on a new one.
		if _, err := sqlDB.ExecContext(ctx, "SELECT 2"); err != nil {
			t.Fatal(err)
		}
		if fdb.opened != 2 {
			t.Errorf("opened %d connections, want 2", fdb.opened)
		}
	})
	t.Run("query: noticed before the next call", func(t *testing.T) {
		sqlDB, fdb, d := openFake(t, allConn, WithCallCheck(check))
		sqlDB.SetMaxOpenConns(1)
		ctx := keyCtx()
		var n int
		// The fake, like pgx, reports the change only once the query ran.
		fdb.execErr = nil
		_ = sqlDB.QueryRowContext(ctx, "SELECT sneaky()").Scan(&n)
		d.reset()
		if _, err := sqlDB.ExecContext(ctx, "DELETE FROM t"); err != nil {
			t.Fatal(err)
		}
		if fdb.opened != 2 {
			t.Errorf("opened %d connections, want 2", fdb.opened)
		}
		if got := d.Requests(); len(got) != 1 {
			t.Errorf("decided %d times, want once (on the fresh connection)", len(got))
		}
	})
}

func TestConnectCheck(t *testing.T) {
	refuse := errors.New("client_encoding is LATIN1")
	sqlDB, fdb, d := openFake(t, allConn, WithConnectCheck(func(ctx context.Context, inner sqldriver.Conn) error { return refuse }))
	_, err := sqlDB.ExecContext(keyCtx(), "SELECT 1")
	if !errors.Is(err, refuse) {
		t.Fatalf("err = %v", err)
	}
	if len(d.Requests()) != 0 || len(fdb.ops()) != 0 {
		t.Error("a refused connection was used")
	}
	closed := 0
	for _, c := range fdb.Calls() {
		if c.Op == "close" {
			closed++
		}
	}
	if closed == 0 {
		t.Error("refused connection not closed")
	}
}

// The setting guard on statements as the real lexer normalises them:
// set_config whose setting name is not a lone literal or parameter, writes
// to pg_settings and DO blocks cannot be shown harmless and are refused.
func TestChangesSettingLexed(t *testing.T) {
	cases := []struct {
		sql  string
		args []sqldriver.NamedValue
		want string // "" allowed, "*" any refusal
	}{
		{"SELECT set_config('standard_conforming_strings', 'off', false)", nil, "standard_conforming_strings"},
		{"SELECT set_config('standard_conforming' || '_strings', 'off', false)", nil, "*"},
		{"SELECT set_config(lower('X'), 'off', false)", nil, "*"},
		{"SELECT pg_catalog.set_config(name, 'off', false) FROM pg_settings WHERE name LIKE 'standard%'", nil, "*"},
		{`SELECT "set_config"(v, 'off', false) FROM t`, nil, "*"},
		{"SELECT set_config($1 || $2, 'off', false)", []sqldriver.NamedValue{{Ordinal: 1, Value: "standard_conforming"}, {Ordinal: 2, Value: "_strings"}}, "*"},
		{"SELECT set_config($1, $2, false)", []sqldriver.NamedValue{{Ordinal: 1, Value: "client_encoding"}, {Ordinal: 2, Value: "LATIN1"}}, "client_encoding"},
		{"SELECT set_config($1, $2, false)", []sqldriver.NamedValue{{Ordinal: 1, Value: settingName("client_encoding")}, {Ordinal: 2, Value: "LATIN1"}}, "*"},
		{"UPDATE pg_settings SET setting = 'off' WHERE name LIKE 'standard%'", nil, "*"},
		{"DO $$BEGIN PERFORM set_config('standard_' || 'conforming_strings', 'off', false); END$$", nil, "*"},
		{"DO 'BEGIN EXECUTE ''SET standard_conforming_strings = off''; END'", nil, "*"},
		// Still allowed.
		{"SELECT set_config('app.tenant', $1, true)", []sqldriver.NamedValue{{Ordinal: 1, Value: "42"}}, ""},
		{"SELECT set_config($1, $2, true)", []sqldriver.NamedValue{{Ordinal: 1, Value: "app.tenant"}, {Ordinal: 2, Value: "42"}}, ""},
		{"SELECT current_setting('standard_conforming_strings')", nil, ""},
		{"SELECT name, setting FROM pg_settings WHERE name LIKE 'standard%'", nil, ""},
		{"UPDATE items SET name = 'set_config(x' WHERE id = 1", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			st, err := sqlnorm.Normalize(sqlnorm.Options{Dialect: sqlnorm.Postgres}, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			got := changesSetting(st, tc.args)
			switch {
			case tc.want == "*" && got == "":
				t.Errorf("allowed (text %q)", st.Text)
			case tc.want != "*" && got != tc.want:
				t.Errorf("changesSetting = %q, want %q (text %q)", got, tc.want, st.Text)
			}
		})
	}
}

// settingName is a string type the setting guard cannot read as a string
// with a type switch.
type settingName string

func TestUpperCommand(t *testing.T) {
	for _, cmd := range []string{"", "SELECT", "select", "Begin", "START", "rollBACK", "ÉTAT", "état", "SET\xff", "DO_1", "a", "Z"} {
		if got, want := upperCommand(cmd), strings.ToUpper(cmd); got != want {
			t.Errorf("upperCommand(%q) = %q, want %q", cmd, got, want)
		}
	}
}

// TestRecheckAfterPolicyChange: with WithRecheckAfterWrites, a connection
// checked under one policy is checked again before its first call under
// another (the new policy may lex with other settings), and not again
// while the policy stays.
func TestRecheckAfterPolicyChange(t *testing.T) {
	load := func(scs string) *approval.Policy {
		p, err := approval.ParsePolicy([]byte("version: r\ndialect: postgres\nsettings:\n  standard_conforming_strings: \""+scs+
			"\"\nrules:\n  - {name: all, effect: allow, when: 'true'}\n"), "r.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	g, err := approval.NewGate(load("on"))
	if err != nil {
		t.Fatal(err)
	}
	var checks atomic.Int32
	session := "on" // what the fake server says
	check := func(ctx context.Context, inner sqldriver.Conn) error {
		checks.Add(1)
		want := "on"
		if g.Policy().Options().NonStandardStrings {
			want = "off"
		}
		if session != want {
			return &SessionError{Setting: "standard_conforming_strings", Value: session, Want: want}
		}
		return nil
	}
	fdb := newFakeDB(allConn)
	db := sql.OpenDB(NewConnector(fakeConnector{fakeDriver{fdb}}, g, WithConnectCheck(check), WithRecheckAfterWrites()))
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k1", ExpiresAt: time.Now().Add(time.Hour)})
	for range 3 {
		if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := checks.Load(); n != 1 {
		t.Fatalf("%d checks for 3 read-only calls under one policy, want 1 (at connect)", n)
	}
	before := len(fdb.ops())
	g.SetPolicy(load("off")) // the lexer now assumes off; the session is on
	_, err = db.ExecContext(ctx, "SELECT 1")
	var se *SessionError
	if !errors.As(err, &se) {
		t.Fatalf("first call under the new policy: err = %v, want a SessionError", err)
	}
	if len(fdb.ops()) != before {
		t.Fatalf("a statement reached a session checked under the old policy: %v", fdb.ops()[before:])
	}
	session = "off" // a server whose sessions now match
	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Fatalf("a matching session: %v", err)
	}
	if len(fdb.ops()) != before+1 {
		t.Fatalf("inner calls %d → %d, want one more", before, len(fdb.ops()))
	}
}

// argsFreeOfSettings is what lets a connection skip the setting guard for
// a statement seen before: when it holds, no argument changes the answer.
func TestArgsFreeOfSettings(t *testing.T) {
	hostile := [][]sqldriver.NamedValue{
		nil,
		{{Ordinal: 1, Value: "standard_conforming_strings"}, {Ordinal: 2, Value: "off"}},
		{{Ordinal: 1, Value: []byte("client_encoding")}, {Ordinal: 2, Value: "SJIS"}},
		{{Ordinal: 1, Value: settingName("client_encoding")}},
	}
	cases := []struct {
		sql  string
		free bool
	}{
		{"SELECT id FROM items WHERE id = $1", true},
		{"UPDATE items SET name = $1 WHERE id = $2", true},
		{"SET search_path = app", true},
		{"SET standard_conforming_strings = off", true},
		{"RESET ALL", true},
		{"DO $$BEGIN END$$", true},
		{"SELECT set_config($1, $2, false)", false},
		{"SELECT pg_catalog.set_config('app.x', $1, true)", false},
		{"UPDATE pg_settings SET setting = $1 WHERE name = $2", false},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			st, err := sqlnorm.Normalize(sqlnorm.Options{Dialect: sqlnorm.Postgres}, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if got := argsFreeOfSettings(st); got != tc.free {
				t.Fatalf("argsFreeOfSettings = %v, want %v", got, tc.free)
			}
			answers := map[string]bool{}
			for _, args := range hostile {
				answers[changesSetting(st, args)] = true
			}
			if tc.free && len(answers) != 1 {
				t.Errorf("arguments change the answer: %v", answers)
			}
			if !tc.free && len(answers) == 1 {
				t.Errorf("the hostile arguments were not told apart: %v", answers)
			}
		})
	}
	for _, d := range []sqlnorm.Dialect{sqlnorm.MySQL, sqlnorm.SQLite} {
		st, err := sqlnorm.Normalize(sqlnorm.Options{Dialect: d}, "SELECT set_config(?, ?, false)")
		if err != nil {
			t.Fatal(err)
		}
		if !argsFreeOfSettings(st) {
			t.Errorf("%s: the guard reads no arguments there, but argsFreeOfSettings is false", d)
		}
	}
}

// A connection that has run a statement skips the setting guard for it
// again only when no argument can change the answer: set_config with a
// harmless setting, then the same text with a guarded one, is refused.
func TestSettingGuardAfterRepeat(t *testing.T) {
	p, err := approval.ParsePolicy([]byte("version: s\ndialect: postgres\nrules:\n  - {name: all, effect: allow, when: 'true'}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := approval.NewGate(p)
	if err != nil {
		t.Fatal(err)
	}
	fdb := newFakeDB(allConn)
	db := sql.OpenDB(NewConnector(fakeConnector{fakeDriver{fdb}}, g))
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := approval.WithKey(context.Background(), approval.Key{ID: "k1", ExpiresAt: time.Now().Add(time.Hour)})
	const q = "SELECT set_config($1, $2, false)"
	for range 2 {
		if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, q, "app.tenant", "42"); err != nil {
			t.Fatalf("a harmless setting: %v", err)
		}
	}
	before := len(fdb.ops())
	if _, err := db.ExecContext(ctx, q, "standard_conforming_strings", "off"); !errors.Is(err, ErrSessionSetting) {
		t.Fatalf("the same text with a guarded setting: err = %v, want ErrSessionSetting", err)
	}
	if len(fdb.ops()) != before {
		t.Fatalf("the refused call reached the driver: %v", fdb.ops()[before:])
	}
	if _, err := db.ExecContext(ctx, "SET client_encoding = 'SJIS'"); !errors.Is(err, ErrSessionSetting) {
		t.Fatalf("SET client_encoding: err = %v, want ErrSessionSetting", err)
	}
}
