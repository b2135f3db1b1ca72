package driver

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// fakeCall is one call that reached the fake inner driver.
type fakeCall struct {
	Op    string // open, exec, query, prepare, stmt-exec, stmt-query, begin, commit, rollback, ping, reset, close
	Query string
	Args  []sqldriver.NamedValue
	Opts  sqldriver.TxOptions
}

// fakeDB is the shared state of a fake driver: the calls its connections
// received and knobs that shape their behaviour.
type fakeDB struct {
	mu    sync.Mutex
	calls []fakeCall

	connMask uint // optional interfaces of the connections (conn_combos bits)
	stmtChk  bool // statements implement NamedValueChecker
	stmtConv bool // statements implement ColumnConverter
	legacy   bool // connections have only Execer/Queryer/Prepare/Begin

	// execErr returns an error for an inner Exec/Query of query (ErrSkip,
	// ErrBadConn...), or nil.
	execErr func(op, query string) error
	opened  int
	valid   bool
}

func newFakeDB(mask uint) *fakeDB { return &fakeDB{connMask: mask, valid: true} }

func (db *fakeDB) record(c fakeCall) {
	db.mu.Lock()
	defer db.mu.Unlock()
	c.Args = append([]sqldriver.NamedValue(nil), c.Args...)
	db.calls = append(db.calls, c)
}

func (db *fakeDB) Calls() []fakeCall {
	db.mu.Lock()
	defer db.mu.Unlock()
	return append([]fakeCall(nil), db.calls...)
}

// ops returns the ops of the recorded calls, skipping opens/resets/pings.
func (db *fakeDB) ops() []string {
	var out []string
	for _, c := range db.Calls() {
		switch c.Op {
		case "open", "reset", "ping", "close":
			continue
		}
		out = append(out, c.Op+" "+c.Query)
	}
	return out
}

func (db *fakeDB) errFor(op, query string) error {
	if db.execErr == nil {
		return nil
	}
	return db.execErr(op, query)
}

// fakeDriver opens fake connections.
type fakeDriver struct{ db *fakeDB }

func (d fakeDriver) Open(name string) (sqldriver.Conn, error) {
	d.db.mu.Lock()
	d.db.opened++
	d.db.mu.Unlock()
	d.db.record(fakeCall{Op: "open", Query: name})
	c := &fakeConn{db: d.db}
	if d.db.legacy {
		return legacyConn{c: c}, nil
	}
	return fakeCombine(c, d.db.connMask), nil
}

// fakeConnector is a connector over fakeDriver; fakeClosingConnector adds io.Closer.
type fakeConnector struct{ d fakeDriver }

func (c fakeConnector) Connect(ctx context.Context) (sqldriver.Conn, error) {
	return c.d.Open("connector")
}
func (c fakeConnector) Driver() sqldriver.Driver { return c.d }

type fakeClosingConnector struct {
	fakeConnector
	closed *bool
}

func (c fakeClosingConnector) Close() error { *c.closed = true; return nil }

// fakeDriverCtx adds DriverContext.
type fakeDriverCtx struct{ fakeDriver }

func (d fakeDriverCtx) OpenConnector(name string) (sqldriver.Connector, error) {
	return fakeConnector{d.fakeDriver}, nil
}

// fakeID is a type the default converter refuses; the fake connection's
// NamedValueChecker turns it into a string.
type fakeID string

type fakeConn struct {
	db        *fakeDB
	closed    bool
	lastQuery string
}

func (c *fakeConn) fake() *fakeConn { return c }

func (c *fakeConn) Prepare(query string) (sqldriver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *fakeConn) PrepareContext(ctx context.Context, query string) (sqldriver.Stmt, error) {
	c.db.record(fakeCall{Op: "prepare", Query: query})
	if err := c.db.errFor("prepare", query); err != nil {
		return nil, err
	}
	s := &fakeStmt{c: c, query: query}
	switch {
	case c.db.stmtChk && c.db.stmtConv:
		return fakeStmtChkConv{s}, nil
	case c.db.stmtChk:
		return fakeStmtChk{s}, nil
	case c.db.stmtConv:
		return fakeStmtConv{s}, nil
	}
	return s, nil
}

func (c *fakeConn) Close() error {
	c.closed = true
	c.db.record(fakeCall{Op: "close"})
	return nil
}

func (c *fakeConn) Begin() (sqldriver.Tx, error) {
	return c.BeginTx(context.Background(), sqldriver.TxOptions{})
}

func (c *fakeConn) BeginTx(ctx context.Context, opts sqldriver.TxOptions) (sqldriver.Tx, error) {
	c.db.record(fakeCall{Op: "begin", Opts: opts})
	return &fakeTx{c: c}, nil
}

func (c *fakeConn) run(ctx context.Context, op, query string, args []sqldriver.NamedValue) error {
	c.lastQuery = query
	c.db.record(fakeCall{Op: op, Query: query, Args: args})
	if strings.Contains(query, "pg_sleep") {
		<-ctx.Done()
		return ctx.Err()
	}
	return c.db.errFor(op, query)
}

func (c *fakeConn) execContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	if err := c.run(ctx, "exec", query, args); err != nil {
		return nil, err
	}
	return sqldriver.RowsAffected(1), nil
}

func (c *fakeConn) queryContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	if err := c.run(ctx, "query", query, args); err != nil {
		return nil, err
	}
	return &fakeRows{}, nil
}

func (c *fakeConn) checkNamedValue(nv *sqldriver.NamedValue) error {
	if id, ok := nv.Value.(fakeID); ok {
		nv.Value = "id:" + string(id)
		return nil
	}
	if _, ok := nv.Value.(map[string]any); ok { // like pgx's NamedArgs
		return nil
	}
	return sqldriver.ErrSkip
}

func (c *fakeConn) ping(ctx context.Context) error {
	c.db.record(fakeCall{Op: "ping"})
	return nil
}

func (c *fakeConn) resetSession(ctx context.Context) error {
	c.db.record(fakeCall{Op: "reset"})
	return nil
}

func (c *fakeConn) isValid() bool { return c.db.valid }

// legacyConn has only the legacy, context-free interfaces.
type legacyConn struct{ c *fakeConn }

func (c legacyConn) Prepare(query string) (sqldriver.Stmt, error) {
	c.c.db.record(fakeCall{Op: "prepare", Query: query})
	return legacyStmt{&fakeStmt{c: c.c, query: query, legacy: true}}, nil
}

func (c legacyConn) Close() error { return c.c.Close() }

func (c legacyConn) Begin() (sqldriver.Tx, error) {
	c.c.db.record(fakeCall{Op: "begin"})
	return &fakeTx{c: c.c}, nil
}

// legacyStmt has only Exec and Query.
type legacyStmt struct{ s *fakeStmt }

func (s legacyStmt) Close() error  { return nil }
func (s legacyStmt) NumInput() int { return -1 }
func (s legacyStmt) Exec(args []sqldriver.Value) (sqldriver.Result, error) {
	return s.s.Exec(args)
}
func (s legacyStmt) Query(args []sqldriver.Value) (sqldriver.Rows, error) {
	return s.s.Query(args)
}

func (c legacyConn) Exec(query string, args []sqldriver.Value) (sqldriver.Result, error) {
	if err := c.c.run(context.Background(), "exec", query, valuesToNamed(args)); err != nil {
		return nil, err
	}
	return sqldriver.RowsAffected(1), nil
}

func (c legacyConn) Query(query string, args []sqldriver.Value) (sqldriver.Rows, error) {
	if err := c.c.run(context.Background(), "query", query, valuesToNamed(args)); err != nil {
		return nil, err
	}
	return &fakeRows{}, nil
}

// BeginTx and PrepareContext are hidden: a legacyConn value has no such methods.
var (
	_ sqldriver.Execer  = legacyConn{}
	_ sqldriver.Queryer = legacyConn{}
	_ sqldriver.Conn    = legacyConn{}
)

type fakeStmt struct {
	c      *fakeConn
	query  string
	legacy bool
}

func (s *fakeStmt) Close() error  { return nil }
func (s *fakeStmt) NumInput() int { return -1 }

func (s *fakeStmt) Exec(args []sqldriver.Value) (sqldriver.Result, error) {
	return s.exec(context.Background(), valuesToNamed(args))
}

func (s *fakeStmt) Query(args []sqldriver.Value) (sqldriver.Rows, error) {
	return s.query2(context.Background(), valuesToNamed(args))
}

func (s *fakeStmt) exec(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	if err := s.c.run(ctx, "stmt-exec", s.query, args); err != nil {
		return nil, err
	}
	return sqldriver.RowsAffected(1), nil
}

func (s *fakeStmt) query2(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	if err := s.c.run(ctx, "stmt-query", s.query, args); err != nil {
		return nil, err
	}
	return &fakeRows{}, nil
}

func (s *fakeStmt) ExecContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	return s.exec(ctx, args)
}

func (s *fakeStmt) QueryContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	return s.query2(ctx, args)
}

type (
	fakeStmtChk     struct{ *fakeStmt }
	fakeStmtConv    struct{ *fakeStmt }
	fakeStmtChkConv struct{ *fakeStmt }
)

// The statement-level checker turns fakeID into "stmt:"+id.
func fakeStmtCheck(nv *sqldriver.NamedValue) error {
	if id, ok := nv.Value.(fakeID); ok {
		nv.Value = "stmt:" + string(id)
		return nil
	}
	return sqldriver.ErrSkip
}

func (s fakeStmtChk) CheckNamedValue(nv *sqldriver.NamedValue) error     { return fakeStmtCheck(nv) }
func (s fakeStmtChkConv) CheckNamedValue(nv *sqldriver.NamedValue) error { return fakeStmtCheck(nv) }
func (s fakeStmtConv) ColumnConverter(int) sqldriver.ValueConverter {
	return sqldriver.DefaultParameterConverter
}
func (s fakeStmtChkConv) ColumnConverter(int) sqldriver.ValueConverter {
	return sqldriver.DefaultParameterConverter
}

type fakeTx struct{ c *fakeConn }

func (t *fakeTx) Commit() error   { t.c.db.record(fakeCall{Op: "commit"}); return nil }
func (t *fakeTx) Rollback() error { t.c.db.record(fakeCall{Op: "rollback"}); return nil }

// fakeRows yields one row with one column n = 1, and has NextResultSet and
// ColumnTypeDatabaseTypeName so tests can see they are kept.
type fakeRows struct{ done bool }

func (r *fakeRows) Columns() []string { return []string{"n"} }
func (r *fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []sqldriver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = int64(1)
	return nil
}
func (r *fakeRows) HasNextResultSet() bool                  { return false }
func (r *fakeRows) NextResultSet() error                    { return io.EOF }
func (r *fakeRows) ColumnTypeDatabaseTypeName(i int) string { return "INT8" }

// decided is one request the recording decider saw.
type decided struct {
	SQL    string
	Args   []approval.Arg
	Phase  approval.Phase
	Tx     approval.TxState
	KeyID  string // "" when the context had no key
	Result *approval.Result
}

// recDecider records every Decide and Finish. It allows a call when the
// context has a key and the text does not contain "forbidden"; statements
// are faked as PostgreSQL with the raw text as canonical text.
type recDecider struct {
	mu       sync.Mutex
	reqs     []decided
	finishes []approval.Result
	// stmt, when set, supplies the Statement for a text.
	stmt func(sql string) *sqlnorm.Statement
	// anonymous allows calls without a key.
	anonymous bool
}

func (d *recDecider) Decide(ctx context.Context, req approval.Request) approval.Decision {
	k, hasKey := approval.KeyFromContext(ctx)
	d.mu.Lock()
	d.reqs = append(d.reqs, decided{SQL: req.SQL, Args: append([]approval.Arg(nil), req.Args...), Phase: req.Phase, Tx: req.Tx, KeyID: k.ID})
	d.mu.Unlock()
	st := &sqlnorm.Statement{Dialect: sqlnorm.Postgres, Text: req.SQL, Command: strings.ToUpper(strings.Fields(req.SQL + " x")[0])}
	if d.stmt != nil {
		st = d.stmt(req.SQL)
	}
	switch {
	case !hasKey && !d.anonymous:
		return approval.Decision{Effect: approval.Deny, Rule: "default", Reason: "no key", Statement: st,
			Err: &approval.DeniedError{Effect: approval.Deny, Rule: "default", Reason: "no key", Cause: approval.ErrNoKey}}
	case strings.Contains(req.SQL, "forbidden"):
		return approval.Decision{Effect: approval.Deny, Rule: "no-forbidden", Reason: "forbidden", Statement: st, KeyID: k.ID,
			Err: &approval.DeniedError{Effect: approval.Deny, Rule: "no-forbidden", Reason: "forbidden", KeyID: k.ID}}
	}
	return approval.Decision{Effect: approval.Allow, Rule: "allow-all", Statement: st, KeyID: k.ID}
}

func (d *recDecider) Finish(ctx context.Context, dec *approval.Decision, res approval.Result) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.finishes = append(d.finishes, res)
}

func (d *recDecider) Requests() []decided {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]decided(nil), d.reqs...)
}

func (d *recDecider) Finishes() []approval.Result {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]approval.Result(nil), d.finishes...)
}

func (d *recDecider) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reqs, d.finishes = nil, nil
}

var testKey = approval.Key{ID: "k1", Subject: "alice", Role: "reader"}

func keyCtx() context.Context { return approval.WithKey(context.Background(), testKey) }

// mustDenied fails unless err is a *approval.DeniedError that is not
// retried or skipped by database/sql.
func mustDenied(tb testing.TB, err error) *approval.DeniedError {
	tb.Helper()
	var de *approval.DeniedError
	if !errors.As(err, &de) {
		tb.Fatalf("error %v (%T) is not a *approval.DeniedError", err, err)
	}
	if !errors.Is(err, approval.ErrDenied) {
		tb.Fatalf("errors.Is(%v, ErrDenied) is false", err)
	}
	if errors.Is(err, sqldriver.ErrBadConn) || errors.Is(err, sqldriver.ErrSkip) {
		tb.Fatalf("denial %v matches ErrBadConn or ErrSkip", err)
	}
	return de
}
