package sqlmw

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	sqldriver "database/sql/driver"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/jackc/pgx/v5"
	"github.com/ngrok/sqlmw"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

type seen struct {
	SQL   string
	Args  []approval.Arg
	Phase approval.Phase
	Tx    approval.TxState
	KeyID string
}

// recDecider allows calls with a key whose text lacks "forbidden".
type recDecider struct {
	mu       sync.Mutex
	reqs     []seen
	finished int
}

func (d *recDecider) Decide(ctx context.Context, req approval.Request) approval.Decision {
	k, ok := approval.KeyFromContext(ctx)
	d.mu.Lock()
	d.reqs = append(d.reqs, seen{req.SQL, append([]approval.Arg(nil), req.Args...), req.Phase, req.Tx, k.ID})
	d.mu.Unlock()
	cmd := strings.ToUpper(strings.Fields(req.SQL)[0])
	st := &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Text: req.SQL, Command: cmd}
	if !ok || strings.Contains(req.SQL, "forbidden") {
		return approval.Decision{Effect: approval.Deny, Rule: "test", Statement: st,
			Err: &approval.DeniedError{Effect: approval.Deny, Rule: "test", Reason: "denied in test"}}
	}
	return approval.Decision{Effect: approval.Allow, Rule: "test", Statement: st}
}

func (d *recDecider) Finish(ctx context.Context, dec *approval.Decision, res approval.Result) {
	d.mu.Lock()
	d.finished++
	d.mu.Unlock()
}

var dsnSeq int

// open returns a DB over sqlmock wrapped by sqlmw with the interceptor.
func open(t *testing.T) (*sql.DB, sqlmock.Sqlmock, *recDecider) {
	t.Helper()
	dsnSeq++
	dsn := fmt.Sprintf("approvedsql-sqlmw-%s-%d", t.Name(), dsnSeq)
	mockDB, mock, err := sqlmock.NewWithDSN(dsn, sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mockDB.Close() })
	d := &recDecider{}
	intr, err := newInterceptor(d)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(dsnConnector{sqlmw.Driver(mockDB.Driver(), intr), dsn})
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db, mock, d
}

type dsnConnector struct {
	d   sqldriver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (sqldriver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() sqldriver.Driver                        { return c.d }

func keyCtx() context.Context {
	return approval.WithKey(context.Background(), approval.Key{ID: "k1"})
}

func TestEveryHookDecides(t *testing.T) {
	ctx := keyCtx()
	cases := []struct {
		name   string
		expect func(m sqlmock.Sqlmock)
		run    func(db *sql.DB) error
		want   []seen
	}{
		{"ConnExecContext", func(m sqlmock.Sqlmock) {
			m.ExpectExec("DELETE FROM t WHERE id = $1").WithArgs(1).WillReturnResult(sqlmock.NewResult(0, 1))
		}, func(db *sql.DB) error {
			_, err := db.ExecContext(ctx, "DELETE FROM t WHERE id = $1", 1)
			return err
		}, []seen{{SQL: "DELETE FROM t WHERE id = $1", Args: []approval.Arg{{Ordinal: 1, Value: int64(1)}}, KeyID: "k1"}}},
		{"ConnQueryContext", func(m sqlmock.Sqlmock) {
			m.ExpectQuery("SELECT n FROM t").WillReturnRows(sqlmock.NewRows([]string{"n"}).AddRow(1))
		}, func(db *sql.DB) error {
			var n int
			return db.QueryRowContext(ctx, "SELECT n FROM t").Scan(&n)
		}, []seen{{SQL: "SELECT n FROM t", KeyID: "k1"}}},
		{"ConnPrepareContext, StmtExecContext, StmtQueryContext", func(m sqlmock.Sqlmock) {
			p := m.ExpectPrepare("SELECT n FROM t WHERE id = $1")
			p.ExpectExec().WithArgs(2).WillReturnResult(sqlmock.NewResult(0, 0))
			p.ExpectQuery().WithArgs(3).WillReturnRows(sqlmock.NewRows([]string{"n"}).AddRow(1))
		}, func(db *sql.DB) error {
			st, err := db.PrepareContext(ctx, "SELECT n FROM t WHERE id = $1")
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, 2); err != nil {
				return err
			}
			var n int
			return st.QueryRowContext(ctx, 3).Scan(&n)
		}, []seen{
			{SQL: "SELECT n FROM t WHERE id = $1", Phase: approval.Prepare, KeyID: "k1"},
			{SQL: "SELECT n FROM t WHERE id = $1", Args: []approval.Arg{{Ordinal: 1, Value: int64(2)}}, KeyID: "k1"},
			{SQL: "SELECT n FROM t WHERE id = $1", Args: []approval.Arg{{Ordinal: 1, Value: int64(3)}}, KeyID: "k1"},
		}},
		{"ConnBeginTx", func(m sqlmock.Sqlmock) {
			m.ExpectBegin()
			m.ExpectCommit()
		}, func(db *sql.DB) error {
			tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				return err
			}
			return tx.Commit()
		}, []seen{{SQL: "BEGIN", Tx: approval.TxState{Active: true, ReadOnly: true}, KeyID: "k1"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, mock, d := open(t)
			tc.expect(mock)
			if err := tc.run(db); err != nil {
				t.Fatal(err)
			}
			if err := mock.ExpectationsWereMet(); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(d.reqs) != fmt.Sprint(tc.want) {
				t.Errorf("decided %+v\nwant    %+v", d.reqs, tc.want)
			}
			if d.finished != len(tc.want) {
				t.Errorf("finished %d, want %d", d.finished, len(tc.want))
			}
		})
	}
}

func TestEveryHookDenies(t *testing.T) {
	cases := []struct {
		name string
		run  func(db *sql.DB) error
	}{
		{"ConnExecContext", func(db *sql.DB) error { _, err := db.ExecContext(keyCtx(), "DELETE FROM forbidden"); return err }},
		{"Exec without context", func(db *sql.DB) error { _, err := db.Exec("DELETE FROM t"); return err }},
		{"ConnQueryContext", func(db *sql.DB) error { _, err := db.QueryContext(keyCtx(), "SELECT * FROM forbidden"); return err }},
		{"ConnPrepareContext", func(db *sql.DB) error { _, err := db.PrepareContext(keyCtx(), "COPY forbidden FROM STDIN"); return err }},
		{"StmtExecContext without key", func(db *sql.DB) error {
			st, err := db.PrepareContext(keyCtx(), "DELETE FROM t")
			if err != nil {
				return fmt.Errorf("prepare: %v", err)
			}
			_, err = st.ExecContext(context.Background())
			return err
		}},
		{"StmtQueryContext without key", func(db *sql.DB) error {
			st, err := db.PrepareContext(keyCtx(), "SELECT 1")
			if err != nil {
				return fmt.Errorf("prepare: %v", err)
			}
			_, err = st.QueryContext(context.Background())
			return err
		}},
		{"ConnBeginTx without key", func(db *sql.DB) error { _, err := db.BeginTx(context.Background(), nil); return err }},
		{"session setting", func(db *sql.DB) error {
			_, err := db.ExecContext(keyCtx(), "SET client_encoding = 'LATIN1'")
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, mock, _ := open(t)
			mock.MatchExpectationsInOrder(false)
			mock.ExpectPrepare("DELETE FROM t")
			mock.ExpectPrepare("SELECT 1")
			err := tc.run(db)
			if !errors.Is(err, approval.ErrDenied) || errors.Is(err, sqldriver.ErrBadConn) {
				t.Fatalf("err = %v, want a denial", err)
			}
			if tc.name == "session setting" && !errors.Is(err, driver.ErrSessionSetting) {
				t.Errorf("err = %v, want ErrSessionSetting", err)
			}
			// Nothing else reached sqlmock: it would have failed the call
			// with an unexpected-call error instead of our denial.
		})
	}
}

func TestNew(t *testing.T) {
	if _, err := New(nil); !errors.Is(err, approval.ErrNoPolicy) {
		t.Fatalf("New(nil) = %v", err)
	}
	if _, err := newInterceptor(&recDecider{}, nil); err == nil {
		t.Fatal("nil option accepted")
	}
}

// execRec is an inner connection that records what reaches it.
type execRec struct{ calls int }

func (e *execRec) ExecContext(context.Context, string, []sqldriver.NamedValue) (sqldriver.Result, error) {
	e.calls++
	return sqldriver.RowsAffected(0), nil
}

func (e *execRec) QueryContext(context.Context, string, []sqldriver.NamedValue) (sqldriver.Rows, error) {
	e.calls++
	return nil, errors.New("no rows in test")
}

type dropRewriter struct{}

func (dropRewriter) RewriteQuery(context.Context, *pgx.Conn, string, []any) (string, []any, error) {
	return "DROP TABLE users", nil, nil
}

// pgx reads a leading argument of an option type as an option, which can
// replace the decided text (a QueryRewriter, NamedArgs) or shift the
// arguments the Gate saw: sqlmw hands arguments to the inner driver as they
// are, so such calls are refused.
func TestPgxOptionArgumentsRefused(t *testing.T) {
	d := &recDecider{}
	intr, err := newInterceptor(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{dropRewriter{}, pgx.NamedArgs{"a": 1}, pgx.StrictNamedArgs{"a": 1},
		pgx.QueryExecModeSimpleProtocol, pgx.QueryResultFormats{1}, pgx.QueryResultFormatsByOID{25: 1}} {
		t.Run(fmt.Sprintf("%T", v), func(t *testing.T) {
			inner := &execRec{}
			args := []sqldriver.NamedValue{{Ordinal: 1, Value: v}, {Ordinal: 2, Value: "x"}}
			_, err := intr.ConnExecContext(keyCtx(), inner, "SELECT $1", args)
			if !errors.Is(err, approval.ErrDenied) || !errors.Is(err, driver.ErrRewrite) {
				t.Errorf("exec: err = %v, want a denial caused by driver.ErrRewrite", err)
			}
			_, _, err = intr.ConnQueryContext(keyCtx(), inner, "SELECT $1", args)
			if !errors.Is(err, approval.ErrDenied) || !errors.Is(err, driver.ErrRewrite) {
				t.Errorf("query: err = %v, want a denial caused by driver.ErrRewrite", err)
			}
			if inner.calls != 0 {
				t.Errorf("%d calls reached the inner connection", inner.calls)
			}
		})
	}
	t.Run("option type later is a plain value", func(t *testing.T) {
		inner := &execRec{}
		args := []sqldriver.NamedValue{{Ordinal: 1, Value: "x"}, {Ordinal: 2, Value: pgx.QueryExecModeExec}}
		if _, err := intr.ConnExecContext(keyCtx(), inner, "SELECT $1, $2", args); err != nil || inner.calls != 1 {
			t.Errorf("err = %v, %d calls", err, inner.calls)
		}
	})
}

// A PostgreSQL text pgx's simple protocol would tokenise differently from
// the server is refused when it has arguments.
func TestPgxMisreadRefused(t *testing.T) {
	d := &recDecider{}
	intr, err := newInterceptor(d)
	if err != nil {
		t.Fatal(err)
	}
	inner := &execRec{}
	args := []sqldriver.NamedValue{{Ordinal: 1, Value: "$a$; DELETE FROM users; SELECT $a$"}}
	_, err = intr.ConnExecContext(keyCtx(), inner, "SELECT 1 AS x$a$, $a$ $1 $a$", args)
	if !errors.Is(err, approval.ErrDenied) || !errors.Is(err, driver.ErrRewrite) {
		t.Errorf("err = %v, want a denial caused by driver.ErrRewrite", err)
	}
	if _, err := intr.ConnExecContext(keyCtx(), inner, "SELECT 1 AS x$a$", nil); err != nil {
		t.Errorf("without arguments: %v", err)
	}
	if inner.calls != 1 {
		t.Errorf("%d calls reached the inner connection, want 1", inner.calls)
	}
}
