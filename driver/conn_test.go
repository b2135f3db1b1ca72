package driver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// optional lists the connection interfaces the wrapper mirrors, in mask order.
var optional = []struct {
	name string
	typ  reflect.Type
}{
	{"ExecerContext", reflect.TypeFor[sqldriver.ExecerContext]()},
	{"QueryerContext", reflect.TypeFor[sqldriver.QueryerContext]()},
	{"NamedValueChecker", reflect.TypeFor[sqldriver.NamedValueChecker]()},
	{"Pinger", reflect.TypeFor[sqldriver.Pinger]()},
	{"SessionResetter", reflect.TypeFor[sqldriver.SessionResetter]()},
	{"Validator", reflect.TypeFor[sqldriver.Validator]()},
}

func TestConnInterfacesMirrored(t *testing.T) {
	for mask := uint(0); mask < connComboCount; mask++ {
		var names []string
		for i, o := range optional {
			if mask&(1<<i) != 0 {
				names = append(names, o.name)
			}
		}
		t.Run(fmt.Sprintf("%02d[%s]", mask, strings.Join(names, ",")), func(t *testing.T) {
			db := newFakeDB(mask)
			inner, err := fakeDriver{db}.Open("x")
			if err != nil {
				t.Fatal(err)
			}
			w := wrapConn(inner, newConfig(gateRef{d: &recDecider{}}, nil))
			wt := reflect.TypeOf(w)
			for i, o := range optional {
				if got, want := wt.Implements(o.typ), reflect.TypeOf(inner).Implements(o.typ); got != want || want != (mask&(1<<i) != 0) {
					t.Errorf("%s: wrapped implements=%v, inner=%v", o.name, got, want)
				}
			}
			for _, legacy := range []reflect.Type{reflect.TypeFor[sqldriver.Execer](), reflect.TypeFor[sqldriver.Queryer]()} {
				if wt.Implements(legacy) {
					t.Errorf("wrapped conn advertises legacy %v", legacy)
				}
			}
			// Always: the context forms that carry the key.
			if _, ok := w.(sqldriver.ConnPrepareContext); !ok {
				t.Error("no ConnPrepareContext")
			}
			if _, ok := w.(sqldriver.ConnBeginTx); !ok {
				t.Error("no ConnBeginTx")
			}
		})
	}
}

func TestLegacyConnGetsContextForms(t *testing.T) {
	db := newFakeDB(0)
	db.legacy = true
	inner, _ := fakeDriver{db}.Open("x")
	w := wrapConn(inner, newConfig(gateRef{d: &recDecider{}}, nil))
	if _, ok := w.(sqldriver.ExecerContext); !ok {
		t.Error("inner Execer: wrapped conn should advertise ExecerContext")
	}
	if _, ok := w.(sqldriver.QueryerContext); !ok {
		t.Error("inner Queryer: wrapped conn should advertise QueryerContext")
	}
	if _, ok := w.(sqldriver.Pinger); ok {
		t.Error("inner has no Pinger")
	}
}

func TestStmtInterfacesMirrored(t *testing.T) {
	for _, tc := range []struct{ chk, conv bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		t.Run(fmt.Sprintf("checker=%v,converter=%v", tc.chk, tc.conv), func(t *testing.T) {
			db := newFakeDB(connComboCount - 1)
			db.stmtChk, db.stmtConv = tc.chk, tc.conv
			inner, _ := fakeDriver{db}.Open("x")
			w := wrapConn(inner, newConfig(gateRef{d: &recDecider{}}, nil))
			s, err := w.(sqldriver.ConnPrepareContext).PrepareContext(keyCtx(), "SELECT 1")
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.(sqldriver.NamedValueChecker); ok != tc.chk {
				t.Errorf("NamedValueChecker advertised=%v, inner=%v", ok, tc.chk)
			}
			if _, ok := s.(sqldriver.ColumnConverter); ok != tc.conv {
				t.Errorf("ColumnConverter advertised=%v, inner=%v", ok, tc.conv)
			}
			if _, ok := s.(sqldriver.StmtExecContext); !ok {
				t.Error("no StmtExecContext")
			}
			if _, ok := s.(sqldriver.StmtQueryContext); !ok {
				t.Error("no StmtQueryContext")
			}
		})
	}
}

func TestRowsReturnedUnwrapped(t *testing.T) {
	db := newFakeDB(connComboCount - 1)
	inner, _ := fakeDriver{db}.Open("x")
	w := wrapConn(inner, newConfig(gateRef{d: &recDecider{}}, nil))
	rows, err := w.(sqldriver.QueryerContext).QueryContext(keyCtx(), "SELECT 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rows.(*fakeRows); !ok {
		t.Fatalf("rows are %T, want the inner *fakeRows", rows)
	}
	if _, ok := rows.(sqldriver.RowsNextResultSet); !ok {
		t.Error("RowsNextResultSet lost")
	}
}

func TestConnectorAndDriverInterfaces(t *testing.T) {
	db := newFakeDB(0)
	t.Run("connector without Close", func(t *testing.T) {
		c := newConnectorDecider(fakeConnector{fakeDriver{db}}, &recDecider{})
		if _, ok := c.(io.Closer); ok {
			t.Error("connector advertises io.Closer the inner lacks")
		}
	})
	t.Run("connector with Close", func(t *testing.T) {
		closed := false
		c := newConnectorDecider(fakeClosingConnector{fakeConnector{fakeDriver{db}}, &closed}, &recDecider{})
		sqlDB := sql.OpenDB(c)
		if err := sqlDB.Close(); err != nil {
			t.Fatal(err)
		}
		if !closed {
			t.Error("DB.Close did not reach the inner connector's Close")
		}
	})
	t.Run("Driver() is wrapped", func(t *testing.T) {
		c := newConnectorDecider(fakeConnector{fakeDriver{db}}, &recDecider{})
		d := c.Driver()
		if _, ok := d.(*drv); !ok {
			t.Fatalf("Driver() = %T, want the wrapped driver", d)
		}
		ci, err := d.Open("x")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := ci.(interface{ wrapped() *conn }); !ok {
			t.Errorf("Driver().Open returned %T, an unwrapped connection", ci)
		}
	})
	t.Run("DriverContext mirrored", func(t *testing.T) {
		if _, ok := wrapDecider(fakeDriver{db}, &recDecider{}).(sqldriver.DriverContext); ok {
			t.Error("DriverContext advertised though the base lacks it")
		}
		w := wrapDecider(fakeDriverCtx{fakeDriver{db}}, &recDecider{})
		dc, ok := w.(sqldriver.DriverContext)
		if !ok {
			t.Fatal("DriverContext lost")
		}
		c, err := dc.OpenConnector("x")
		if err != nil {
			t.Fatal(err)
		}
		if c.Driver() != w {
			t.Error("connector's Driver() is not the wrapped driver")
		}
	})
}

func TestArgLayout(t *testing.T) {
	// toArgs's zero-copy view needs identical fields.
	at, nt := reflect.TypeFor[approval.Arg](), reflect.TypeFor[sqldriver.NamedValue]()
	if at.NumField() != nt.NumField() {
		t.Fatalf("approval.Arg has %d fields, NamedValue %d", at.NumField(), nt.NumField())
	}
	for i := 0; i < at.NumField(); i++ {
		af, nf := at.Field(i), nt.Field(i)
		if af.Name != nf.Name || af.Offset != nf.Offset || af.Type.Kind() != nf.Type.Kind() || af.Type.Size() != nf.Type.Size() {
			t.Errorf("field %d: %v vs %v", i, af, nf)
		}
	}
	if !sameArgLayout {
		t.Fatal("layouts differ")
	}
	nv := sqldriver.NamedValue{Name: "a", Ordinal: 2, Value: int64(3)}
	a := approval.Arg{Name: "a", Ordinal: 2, Value: int64(3)}
	got := toArgs([]sqldriver.NamedValue{nv})
	if !reflect.DeepEqual(got, []approval.Arg{a}) {
		t.Fatalf("toArgs = %#v", got)
	}
}

// openFake opens a database/sql DB over the fake driver with a recording
// decider.
func openFake(tb testing.TB, mask uint, opts ...Option) (*sql.DB, *fakeDB, *recDecider) {
	tb.Helper()
	db := newFakeDB(mask)
	d := &recDecider{}
	sqlDB := sql.OpenDB(newConnectorDecider(fakeConnector{fakeDriver{db}}, d, opts...))
	tb.Cleanup(func() { sqlDB.Close() })
	return sqlDB, db, d
}

const allConn = connComboCount - 1

func TestPathsAreDecided(t *testing.T) {
	type step func(t *testing.T, db *sql.DB) error
	ctx := keyCtx()
	named := sql.Named("who", "bob")
	cases := []struct {
		name string
		mask uint
		run  step
		want []decided // requests the Gate saw, in order
		ops  []string  // calls the inner driver saw
	}{
		{"Exec ctx no args", allConn, func(t *testing.T, db *sql.DB) error { _, err := db.ExecContext(ctx, "DELETE FROM t"); return err },
			[]decided{{SQL: "DELETE FROM t", KeyID: "k1"}}, []string{"exec DELETE FROM t"}},
		{"Exec ctx positional", allConn, func(t *testing.T, db *sql.DB) error {
			_, err := db.ExecContext(ctx, "UPDATE t SET a = $1 WHERE id = $2", "x", 7)
			return err
		}, []decided{{SQL: "UPDATE t SET a = $1 WHERE id = $2", KeyID: "k1", Args: []approval.Arg{{Ordinal: 1, Value: "x"}, {Ordinal: 2, Value: int64(7)}}}},
			[]string{"exec UPDATE t SET a = $1 WHERE id = $2"}},
		{"Exec ctx named", allConn, func(t *testing.T, db *sql.DB) error {
			_, err := db.ExecContext(ctx, "UPDATE t SET a = @who", named)
			return err
		}, []decided{{SQL: "UPDATE t SET a = @who", KeyID: "k1", Args: []approval.Arg{{Name: "who", Ordinal: 1, Value: "bob"}}}},
			[]string{"exec UPDATE t SET a = @who"}},
		{"Exec converted by inner checker", allConn, func(t *testing.T, db *sql.DB) error {
			_, err := db.ExecContext(ctx, "DELETE FROM t WHERE id = $1", fakeID("9"))
			return err
		}, []decided{{SQL: "DELETE FROM t WHERE id = $1", KeyID: "k1", Args: []approval.Arg{{Ordinal: 1, Value: "id:9"}}}},
			[]string{"exec DELETE FROM t WHERE id = $1"}},
		{"Exec without ctx", allConn, func(t *testing.T, db *sql.DB) error { _, err := db.Exec("DELETE FROM t"); return err },
			[]decided{{SQL: "DELETE FROM t"}}, nil},
		{"Query ctx", allConn, func(t *testing.T, db *sql.DB) error {
			rows, err := db.QueryContext(ctx, "SELECT n FROM t WHERE a = $1", 1)
			if err == nil {
				rows.Close()
			}
			return err
		}, []decided{{SQL: "SELECT n FROM t WHERE a = $1", KeyID: "k1", Args: []approval.Arg{{Ordinal: 1, Value: int64(1)}}}},
			[]string{"query SELECT n FROM t WHERE a = $1"}},
		{"Query without ctx", allConn, func(t *testing.T, db *sql.DB) error { _, err := db.Query("SELECT 1"); return err },
			[]decided{{SQL: "SELECT 1"}}, nil},
		{"QueryRow ctx", allConn, func(t *testing.T, db *sql.DB) error {
			var n int
			return db.QueryRowContext(ctx, "SELECT n FROM t").Scan(&n)
		}, []decided{{SQL: "SELECT n FROM t", KeyID: "k1"}}, []string{"query SELECT n FROM t"}},
		{"QueryRow without ctx", allConn, func(t *testing.T, db *sql.DB) error {
			var n int
			return db.QueryRow("SELECT n FROM t").Scan(&n)
		}, []decided{{SQL: "SELECT n FROM t"}}, nil},
		{"Prepare then Stmt Exec/Query/QueryRow", allConn, func(t *testing.T, db *sql.DB) error {
			st, err := db.PrepareContext(ctx, "SELECT n FROM t WHERE id = $1")
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.ExecContext(ctx, 1); err != nil {
				return err
			}
			rows, err := st.QueryContext(ctx, 2)
			if err != nil {
				return err
			}
			rows.Close()
			var n int
			return st.QueryRowContext(ctx, 3).Scan(&n)
		}, []decided{
			{SQL: "SELECT n FROM t WHERE id = $1", Phase: approval.Prepare, KeyID: "k1"},
			{SQL: "SELECT n FROM t WHERE id = $1", KeyID: "k1", Args: []approval.Arg{{Ordinal: 1, Value: int64(1)}}},
			{SQL: "SELECT n FROM t WHERE id = $1", KeyID: "k1", Args: []approval.Arg{{Ordinal: 1, Value: int64(2)}}},
			{SQL: "SELECT n FROM t WHERE id = $1", KeyID: "k1", Args: []approval.Arg{{Ordinal: 1, Value: int64(3)}}},
		}, []string{"prepare SELECT n FROM t WHERE id = $1", "stmt-exec SELECT n FROM t WHERE id = $1", "stmt-query SELECT n FROM t WHERE id = $1", "stmt-query SELECT n FROM t WHERE id = $1"}},
		{"Stmt Exec without ctx is anonymous", allConn, func(t *testing.T, db *sql.DB) error {
			st, err := db.PrepareContext(ctx, "DELETE FROM t")
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			_, err = st.Exec()
			return err
		}, []decided{{SQL: "DELETE FROM t", Phase: approval.Prepare, KeyID: "k1"}, {SQL: "DELETE FROM t"}},
			[]string{"prepare DELETE FROM t"}},
		{"BeginTx passes options; Tx Exec/Query/Prepare see the tx", allConn, func(t *testing.T, db *sql.DB) error {
			tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable, ReadOnly: true})
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, "DELETE FROM t"); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, "SELECT 1")
			if err != nil {
				return err
			}
			rows.Close()
			st, err := tx.PrepareContext(ctx, "SELECT 2")
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx); err != nil {
				return err
			}
			return tx.Commit()
		}, []decided{
			{SQL: "BEGIN", KeyID: "k1", Tx: approval.TxState{Active: true, ReadOnly: true}},
			{SQL: "DELETE FROM t", KeyID: "k1", Tx: approval.TxState{Active: true, ReadOnly: true}},
			{SQL: "SELECT 1", KeyID: "k1", Tx: approval.TxState{Active: true, ReadOnly: true}},
			{SQL: "SELECT 2", Phase: approval.Prepare, KeyID: "k1", Tx: approval.TxState{Active: true, ReadOnly: true}},
			{SQL: "SELECT 2", KeyID: "k1", Tx: approval.TxState{Active: true, ReadOnly: true}},
		}, []string{"begin ", "exec DELETE FROM t", "query SELECT 1", "prepare SELECT 2", "stmt-exec SELECT 2", "commit "}},
		{"Tx Exec without ctx loses the key", allConn, func(t *testing.T, db *sql.DB) error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			_, err = tx.Exec("DELETE FROM t")
			return err
		}, []decided{{SQL: "BEGIN", KeyID: "k1", Tx: approval.TxState{Active: true}}, {SQL: "DELETE FROM t", Tx: approval.TxState{Active: true}}},
			[]string{"begin ", "rollback "}},
		{"Tx.Stmt of a statement prepared on the same connection", allConn, func(t *testing.T, db *sql.DB) error {
			db.SetMaxOpenConns(1)
			st, err := db.PrepareContext(ctx, "DELETE FROM t WHERE id = $1")
			if err != nil {
				return err
			}
			defer st.Close()
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, 5); err != nil {
				return err
			}
			return tx.Commit()
		}, []decided{
			{SQL: "DELETE FROM t WHERE id = $1", Phase: approval.Prepare, KeyID: "k1"},
			{SQL: "BEGIN", KeyID: "k1", Tx: approval.TxState{Active: true}},
			{SQL: "DELETE FROM t WHERE id = $1", KeyID: "k1", Tx: approval.TxState{Active: true}, Args: []approval.Arg{{Ordinal: 1, Value: int64(5)}}},
		}, []string{"prepare DELETE FROM t WHERE id = $1", "begin ", "stmt-exec DELETE FROM t WHERE id = $1", "commit "}},
		{"sql.Conn Exec/Query/Prepare/BeginTx", allConn, func(t *testing.T, db *sql.DB) error {
			c, err := db.Conn(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			if _, err := c.ExecContext(ctx, "DELETE FROM a"); err != nil {
				return err
			}
			rows, err := c.QueryContext(ctx, "SELECT b")
			if err != nil {
				return err
			}
			rows.Close()
			st, err := c.PrepareContext(ctx, "SELECT c")
			if err != nil {
				return err
			}
			st.Close()
			tx, err := c.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			return tx.Rollback()
		}, []decided{
			{SQL: "DELETE FROM a", KeyID: "k1"}, {SQL: "SELECT b", KeyID: "k1"},
			{SQL: "SELECT c", Phase: approval.Prepare, KeyID: "k1"}, {SQL: "BEGIN", KeyID: "k1", Tx: approval.TxState{Active: true}},
		}, []string{"exec DELETE FROM a", "query SELECT b", "prepare SELECT c", "begin ", "rollback "}},
		{"no ExecerContext: prepare path", 0, func(t *testing.T, db *sql.DB) error {
			_, err := db.ExecContext(ctx, "DELETE FROM t WHERE id = $1", 4)
			return err
		}, []decided{
			{SQL: "DELETE FROM t WHERE id = $1", Phase: approval.Prepare, KeyID: "k1"},
			{SQL: "DELETE FROM t WHERE id = $1", KeyID: "k1", Args: []approval.Arg{{Ordinal: 1, Value: int64(4)}}},
		}, []string{"prepare DELETE FROM t WHERE id = $1", "stmt-exec DELETE FROM t WHERE id = $1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sqlDB, fdb, d := openFake(t, tc.mask)
			err := tc.run(t, sqlDB)
			got := d.Requests()
			wantErr := false
			for _, w := range tc.want {
				if w.KeyID == "" {
					wantErr = true
				}
			}
			if wantErr {
				mustDenied(t, err)
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("decided %d requests, want %d:\n%+v", len(got), len(tc.want), got)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.SQL != w.SQL || g.Phase != w.Phase || g.KeyID != w.KeyID || g.Tx != w.Tx || !reflect.DeepEqual(g.Args, w.Args) {
					t.Errorf("request %d = %+v\nwant        %+v", i, g, w)
				}
			}
			if ops := fdb.ops(); !slices.Equal(ops, tc.ops) {
				t.Errorf("inner driver saw %q, want %q", ops, tc.ops)
			}
		})
	}
}

func TestStmtRePreparedOnSecondConnection(t *testing.T) {
	sqlDB, fdb, d := openFake(t, allConn)
	ctx := keyCtx()
	st, err := sqlDB.PrepareContext(ctx, "SELECT n FROM t WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Hold the only free connection so the statement must run on a new one.
	c, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := st.ExecContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if fdb.opened != 2 {
		t.Fatalf("opened %d connections, want 2", fdb.opened)
	}
	var prepares, execs int
	for _, r := range d.Requests() {
		if r.KeyID != "k1" || r.SQL != "SELECT n FROM t WHERE id = $1" {
			t.Errorf("request %+v", r)
		}
		if r.Phase == approval.Prepare {
			prepares++
		} else {
			execs++
		}
	}
	if prepares != 2 || execs != 1 {
		t.Errorf("prepares=%d execs=%d, want 2 and 1", prepares, execs)
	}
}

func TestRawYieldsWrappedConn(t *testing.T) {
	sqlDB, _, _ := openFake(t, allConn)
	c, err := sqlDB.Conn(keyCtx())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		if _, ok := dc.(*fakeConn); ok {
			return errors.New("Raw handed out the inner connection")
		}
		if _, ok := dc.(interface{ wrapped() *conn }); !ok {
			return fmt.Errorf("Raw handed out %T", dc)
		}
		// The wrapped conn still gates.
		_, err := dc.(sqldriver.ExecerContext).ExecContext(context.Background(), "DELETE FROM t", nil)
		mustDenied(t, err)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDenialLeavesConnectionUsable(t *testing.T) {
	sqlDB, fdb, d := openFake(t, allConn)
	sqlDB.SetMaxOpenConns(1)
	ctx := keyCtx()
	for i := 0; i < 3; i++ {
		_, err := sqlDB.ExecContext(ctx, "DROP TABLE forbidden")
		de := mustDenied(t, err)
		if de.Rule != "no-forbidden" {
			t.Errorf("rule %q", de.Rule)
		}
		if _, err := sqlDB.ExecContext(ctx, "DELETE FROM t"); err != nil {
			t.Fatalf("after a denial: %v", err)
		}
	}
	if fdb.opened != 1 {
		t.Errorf("opened %d connections; a denial must not discard the connection", fdb.opened)
	}
	for _, op := range fdb.ops() {
		if strings.Contains(op, "forbidden") {
			t.Errorf("denied statement reached the driver: %s", op)
		}
	}
	if n := len(d.Finishes()); n != 3 {
		t.Errorf("Finish called %d times, want 3 (allowed calls only)", n)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestErrSkipFallbackDecidesOnce(t *testing.T) {
	for _, op := range []string{"exec", "query"} {
		t.Run(op, func(t *testing.T) {
			sqlDB, fdb, d := openFake(t, allConn)
			fdb.execErr = func(o, q string) error {
				if o == op {
					return sqldriver.ErrSkip
				}
				return nil
			}
			ctx := keyCtx()
			var err error
			if op == "exec" {
				_, err = sqlDB.ExecContext(ctx, "DELETE FROM t WHERE id = $1", 1)
			} else {
				var n int
				err = sqlDB.QueryRowContext(ctx, "SELECT n FROM t WHERE id = $1", 1).Scan(&n)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Requests(); len(got) != 1 || got[0].Phase != approval.Execute {
				t.Fatalf("decided %+v, want exactly one Execute decision", got)
			}
			if got := d.Finishes(); len(got) != 1 || got[0].Err != nil {
				t.Fatalf("finished %+v, want one successful Finish", got)
			}
			want := []string{op + " DELETE FROM t WHERE id = $1", "prepare DELETE FROM t WHERE id = $1", "stmt-exec DELETE FROM t WHERE id = $1"}
			if op == "query" {
				want = []string{"query SELECT n FROM t WHERE id = $1", "prepare SELECT n FROM t WHERE id = $1", "stmt-query SELECT n FROM t WHERE id = $1"}
			}
			if ops := fdb.ops(); !slices.Equal(ops, want) {
				t.Errorf("ops %q, want %q", ops, want)
			}
		})
	}
}

func TestBadConnRetriesAreEachDecided(t *testing.T) {
	sqlDB, fdb, d := openFake(t, allConn)
	failures := 1
	fdb.execErr = func(o, q string) error {
		if o == "exec" && failures > 0 {
			failures--
			return sqldriver.ErrBadConn
		}
		return nil
	}
	if _, err := sqlDB.ExecContext(keyCtx(), "DELETE FROM t"); err != nil {
		t.Fatal(err)
	}
	// database/sql retried on a fresh connection; each attempt was decided
	// before it reached the driver, and each was finished.
	if got := len(d.Requests()); got != 2 {
		t.Errorf("decided %d times, want 2", got)
	}
	fin := d.Finishes()
	if len(fin) != 2 || !errors.Is(fin[0].Err, sqldriver.ErrBadConn) || fin[1].Err != nil {
		t.Errorf("finishes %+v", fin)
	}
}

func TestContextCancelled(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		sqlDB, fdb, d := openFake(t, allConn)
		ctx, cancel := context.WithCancel(keyCtx())
		cancel()
		_, err := sqlDB.ExecContext(ctx, "DELETE FROM t")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if len(fdb.ops()) != 0 {
			t.Errorf("driver saw %q", fdb.ops())
		}
		_ = d
	})
	t.Run("during", func(t *testing.T) {
		sqlDB, _, d := openFake(t, allConn)
		ctx, cancel := context.WithTimeout(keyCtx(), 20*time.Millisecond)
		defer cancel()
		_, err := sqlDB.ExecContext(ctx, "SELECT pg_sleep(10)")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		fin := d.Finishes()
		if len(fin) != 1 || !errors.Is(fin[0].Err, context.DeadlineExceeded) {
			t.Errorf("finishes %+v", fin)
		}
	})
}

func TestLegacyInnerConn(t *testing.T) {
	db := newFakeDB(0)
	db.legacy = true
	d := &recDecider{}
	sqlDB := sql.OpenDB(newConnectorDecider(fakeConnector{fakeDriver{db}}, d))
	defer sqlDB.Close()
	ctx := keyCtx()
	if _, err := sqlDB.ExecContext(ctx, "DELETE FROM t WHERE id = $1", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.ExecContext(ctx, "DELETE FROM t WHERE id = @id", sql.Named("id", 1)); err == nil || !strings.Contains(err.Error(), "Named Parameters") {
		t.Errorf("named args on a legacy driver: %v", err)
	}
	if _, err := sqlDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only tx on a driver without BeginTx: %v", err)
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	for _, r := range d.Requests() {
		if r.KeyID != "k1" {
			t.Errorf("request without the key: %+v", r)
		}
	}
}

func TestDenialNeverRetryable(t *testing.T) {
	for _, cause := range []error{sqldriver.ErrBadConn, sqldriver.ErrSkip, fmt.Errorf("wrapped: %w", sqldriver.ErrBadConn)} {
		dec := approval.Decision{Effect: approval.Deny, Err: &approval.DeniedError{Effect: approval.Deny, Cause: cause}}
		mustDenied(t, deniedError(&dec))
	}
	dec := approval.Decision{Effect: approval.Deny, Err: sqldriver.ErrBadConn}
	mustDenied(t, deniedError(&dec))
	dec = approval.Decision{} // zero value: deny without an error
	mustDenied(t, deniedError(&dec))
}

func TestLegacyInnerConnPrepared(t *testing.T) {
	db := newFakeDB(0)
	db.legacy = true
	d := &recDecider{}
	sqlDB := sql.OpenDB(newConnectorDecider(fakeConnector{fakeDriver{db}}, d))
	defer sqlDB.Close()
	ctx := keyCtx()
	st, err := sqlDB.PrepareContext(ctx, "SELECT n FROM t WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.QueryRowContext(ctx, 1).Scan(&n); err != nil {
		t.Fatal(err)
	}
	got := d.Requests()
	if len(got) != 2 || got[0].Phase != approval.Prepare || got[1].KeyID != "k1" {
		t.Errorf("requests %+v", got)
	}
}

func TestStmtCheckerFallsBackToConn(t *testing.T) {
	for _, tc := range []struct {
		stmtChk bool
		want    string
	}{{true, "stmt:9"}, {false, "id:9"}} {
		t.Run(fmt.Sprintf("stmt checker=%v", tc.stmtChk), func(t *testing.T) {
			sqlDB, fdb, d := openFake(t, allConn)
			fdb.stmtChk = tc.stmtChk
			ctx := keyCtx()
			st, err := sqlDB.PrepareContext(ctx, "DELETE FROM t WHERE id = $1")
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.ExecContext(ctx, fakeID("9")); err != nil {
				t.Fatal(err)
			}
			got := d.Requests()
			if len(got) != 2 || len(got[1].Args) != 1 || got[1].Args[0].Value != tc.want {
				t.Fatalf("requests %+v, want the argument converted to %q", got, tc.want)
			}
		})
	}
}

func TestTxTrackedFromStatementText(t *testing.T) {
	sqlDB, _, d := openFake(t, allConn)
	ctx := keyCtx()
	c, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	steps := []struct {
		sql  string
		want approval.TxState // state the NEXT statement sees
	}{
		{"START TRANSACTION READ ONLY", approval.TxState{Active: true, ReadOnly: true}},
		{"SAVEPOINT a", approval.TxState{Active: true, ReadOnly: true}},
		{"ROLLBACK TO SAVEPOINT a", approval.TxState{Active: true, ReadOnly: true}},
		{"COMMIT", approval.TxState{}},
		{"BEGIN", approval.TxState{Active: true}},
		{"ROLLBACK", approval.TxState{}},
	}
	for _, s := range steps {
		if _, err := c.ExecContext(ctx, s.sql); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExecContext(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		reqs := d.Requests()
		if got := reqs[len(reqs)-1].Tx; got != s.want {
			t.Errorf("after %q: Tx = %+v, want %+v", s.sql, got, s.want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	sqlDB, _, d := openFake(t, allConn)
	sqlDB.SetMaxOpenConns(4)
	ctx := keyCtx()
	const workers, calls = 8, 40
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < calls; i++ {
				if _, err := sqlDB.ExecContext(ctx, "DELETE FROM t WHERE id = $1", i); err != nil {
					errs <- err
					return
				}
				tx, err := sqlDB.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT n FROM t").Scan(&n); err != nil {
					errs <- err
					return
				}
				tx.Rollback()
			}
			errs <- nil
		}()
	}
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got, want := len(d.Requests()), workers*calls*3; got != want {
		t.Errorf("decided %d, want %d", got, want)
	}
}

// A read-only transaction stops being reported as read-only once a
// statement that may change its access mode ran (SET TRANSACTION READ
// WRITE, set_config, a function…): rules trusting tx.read_only must not
// see it for the writes that follow.
func TestTxReadOnlyDroppedWhenAccessModeMayChange(t *testing.T) {
	for _, change := range []string{
		"SET TRANSACTION READ WRITE",
		"SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
		"SET transaction_read_only = off",
		"SELECT set_config('transaction_read_only', 'off', true)",
		"SELECT f()",
	} {
		for _, prepared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prepared=%v", change, prepared), func(t *testing.T) {
				sqlDB, _, d := openFake(t, allConn)
				d.stmt = lexed(t)
				ctx := keyCtx()
				tx, err := sqlDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if prepared {
					st, err := tx.PrepareContext(ctx, change)
					if err != nil {
						t.Fatal(err)
					}
					rows, err := st.QueryContext(ctx)
					if err != nil {
						t.Fatal(err)
					}
					rows.Close()
					st.Close()
				} else if _, err := tx.ExecContext(ctx, change); err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, "DELETE FROM t"); err != nil {
					t.Fatal(err)
				}
				reqs := d.Requests()
				if got := reqs[len(reqs)-1].Tx; got != (approval.TxState{Active: true}) {
					t.Errorf("DELETE after %q decided with Tx %+v, want active and not read-only", change, got)
				}
			})
		}
	}
	t.Run("a plain read keeps read-only", func(t *testing.T) {
		sqlDB, _, d := openFake(t, allConn)
		d.stmt = lexed(t)
		ctx := keyCtx()
		tx, err := sqlDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, q := range []string{"SELECT n FROM t", "SELECT 1"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		reqs := d.Requests()
		if got := reqs[len(reqs)-1].Tx; got != (approval.TxState{Active: true, ReadOnly: true}) {
			t.Errorf("Tx %+v, want read-only", got)
		}
	})
}

// lexed returns statement facts from the real lexer, for the recording
// decider.
func lexed(tb testing.TB) func(string) *sqlnorm.Statement {
	return func(q string) *sqlnorm.Statement {
		st, err := sqlnorm.Normalize(sqlnorm.Options{Dialect: sqlnorm.Postgres}, q)
		if err != nil {
			tb.Errorf("%q: %v", q, err)
			return &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Text: q}
		}
		return st
	}
}
