package driver

import (
	"bytes"
	"context"
	"reflect"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// stmt wraps a prepared statement of a wrapped connection. Each execution
// is decided again with its actual arguments (Phase Execute).
//
// stmt implements driver.Stmt, StmtExecContext and StmtQueryContext (so
// that the context, which carries the key, reaches the decision); the
// combination types below add NamedValueChecker and ColumnConverter exactly
// when the inner statement has them. Without a statement-level checker
// database/sql falls back to the connection's, which the wrapped
// connection forwards.
type stmt struct {
	c       *conn
	inner   sqldriver.Stmt
	query   string
	execer  sqldriver.StmtExecContext
	queryer sqldriver.StmtQueryContext
	checker sqldriver.NamedValueChecker
	conv    sqldriver.ColumnConverter
	skip    *skipped // decided by the connection's ExecContext/QueryContext before ErrSkip
	copying bool     // a COPY ran through it: its rows are data until Close
}

func wrapStmt(c *conn, inner sqldriver.Stmt, query string) *stmt {
	s := &stmt{c: c, inner: inner, query: query}
	s.execer, _ = inner.(sqldriver.StmtExecContext)
	s.queryer, _ = inner.(sqldriver.StmtQueryContext)
	s.checker, _ = inner.(sqldriver.NamedValueChecker)
	//nolint:staticcheck // ColumnConverter is deprecated but database/sql still honours it
	s.conv, _ = inner.(sqldriver.ColumnConverter)
	return s
}

// asDriverStmt returns s as the type advertising the inner statement's
// optional interfaces.
func (s *stmt) asDriverStmt() sqldriver.Stmt {
	switch {
	case s.checker != nil && s.conv != nil:
		return stmtCheckConv{s}
	case s.checker != nil:
		return stmtCheck{s}
	case s.conv != nil:
		return stmtConv{s}
	}
	return s
}

func (s *stmt) wrappedStmt() *stmt { return s }

// Close closes the inner statement.
func (s *stmt) Close() error {
	if sk := s.skip; sk != nil {
		s.skip = nil
		s.c.cfg.gate.finish(context.Background(), &sk.dec, approval.Result{RowsAffected: -1, Err: sqldriver.ErrSkip})
	}
	err := s.inner.Close()
	if s.copying {
		s.c.noteCall(nil) // triggers may have run for the copied rows
	}
	return err
}

// noteCall is conn.noteCall, except that the executions of a COPY are its
// rows (lib/pq's CopyIn): nothing may run on the connection between them,
// so the session is checked once the statement is closed.
func (s *stmt) noteCall(st *sqlnorm.Statement) {
	if st != nil && st.Command == "COPY" {
		s.copying = true
		return
	}
	s.c.noteCall(st)
}

// NumInput is the inner statement's.
func (s *stmt) NumInput() int { return s.inner.NumInput() }

// Exec runs with context.Background(): no key.
//
// Deprecated: database/sql calls ExecContext.
func (s *stmt) Exec(args []sqldriver.Value) (sqldriver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

// Query runs with context.Background(): no key.
//
// Deprecated: database/sql calls QueryContext.
func (s *stmt) Query(args []sqldriver.Value) (sqldriver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

// decide decides one execution of the statement into call and dec, or
// takes over the decision of the call whose ErrSkip fallback this is.
func (s *stmt) decide(ctx context.Context, args []sqldriver.NamedValue, call *Call, dec *approval.Decision) error {
	if sk := s.skip; sk != nil {
		s.skip = nil
		if sameArgs(sk.args, args) {
			*call, *dec = sk.call, sk.dec
			return nil
		}
		s.c.cfg.gate.finish(ctx, &sk.dec, approval.Result{RowsAffected: -1, Err: sqldriver.ErrSkip})
	}
	err := s.c.decideCall(ctx, s.query, args, call, dec)
	if err == nil && call.Query != s.query {
		err = refusal("driver.rewrite", "a prepared statement's text cannot be rewritten", ErrRewrite)
		s.c.cfg.gate.finish(ctx, dec, approval.Result{RowsAffected: -1, Err: err})
	}
	return err
}

// ExecContext decides with the actual arguments, then runs the statement.
func (s *stmt) ExecContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	if err := s.c.ready(ctx); err != nil {
		return nil, err
	}
	var (
		call Call
		dec  approval.Decision
		res  sqldriver.Result
	)
	err := s.decide(ctx, args, &call, &dec)
	if err != nil {
		return nil, err
	}
	dargs := call.driverArgs()
	if s.execer != nil {
		res, err = s.execer.ExecContext(ctx, dargs)
	} else {
		res, err = legacyStmtExec(ctx, s.inner, dargs)
	}
	s.c.cfg.gate.finish(ctx, &dec, approval.Result{RowsAffected: rowsAffected(res, err), Err: err})
	s.noteCall(dec.Statement)
	if err == nil {
		s.c.trackTx(dec.Statement)
	}
	if cerr := s.c.afterCall(); cerr != nil && err == nil {
		return nil, cerr
	}
	return res, err
}

// QueryContext decides with the actual arguments, then runs the query.
// Rows are returned unwrapped.
func (s *stmt) QueryContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	if err := s.c.ready(ctx); err != nil {
		return nil, err
	}
	var (
		call Call
		dec  approval.Decision
		rows sqldriver.Rows
	)
	err := s.decide(ctx, args, &call, &dec)
	if err != nil {
		return nil, err
	}
	dargs := call.driverArgs()
	if s.queryer != nil {
		rows, err = s.queryer.QueryContext(ctx, dargs)
	} else {
		rows, err = legacyStmtQuery(ctx, s.inner, dargs)
	}
	s.c.cfg.gate.finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	s.noteCall(dec.Statement)
	if err == nil {
		s.c.trackTx(dec.Statement)
	}
	if cerr := s.c.afterCall(); cerr != nil && err == nil {
		rows.Close()
		return nil, cerr
	}
	return rows, err
}

func legacyStmtExec(ctx context.Context, si sqldriver.Stmt, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	//nolint:staticcheck // the inner statement has no ExecContext
	return si.Exec(dargs)
}

func legacyStmtQuery(ctx context.Context, si sqldriver.Stmt, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	//nolint:staticcheck // the inner statement has no QueryContext
	return si.Query(dargs)
}

func valuesToNamed(args []sqldriver.Value) []sqldriver.NamedValue {
	out := make([]sqldriver.NamedValue, len(args))
	for i, v := range args {
		out[i] = sqldriver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// sameArgs reports whether two argument lists are certainly equal.
func sameArgs(a, b []sqldriver.NamedValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Ordinal != b[i].Ordinal || !sameValue(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func sameValue(x, y any) bool {
	if bx, ok := x.([]byte); ok {
		by, ok := y.([]byte)
		return ok && (bx == nil) == (by == nil) && bytes.Equal(bx, by)
	}
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	tx, ty := reflect.TypeOf(x), reflect.TypeOf(y)
	if tx != ty || !tx.Comparable() {
		return false
	}
	defer func() { _ = recover() }() // comparable type holding an incomparable value
	return x == y
}

func (s *stmt) checkNamedValue(nv *sqldriver.NamedValue) error { return s.checker.CheckNamedValue(nv) }

type (
	stmtCheck     struct{ *stmt }
	stmtConv      struct{ *stmt }
	stmtCheckConv struct{ *stmt }
)

var (
	_ sqldriver.StmtExecContext   = (*stmt)(nil)
	_ sqldriver.StmtQueryContext  = (*stmt)(nil)
	_ sqldriver.NamedValueChecker = stmtCheck{}
	_ sqldriver.ColumnConverter   = stmtConv{}
	_ sqldriver.NamedValueChecker = stmtCheckConv{}
	_ sqldriver.ColumnConverter   = stmtCheckConv{}
)

// CheckNamedValue is the inner statement's.
func (s stmtCheck) CheckNamedValue(nv *sqldriver.NamedValue) error { return s.checkNamedValue(nv) }

// ColumnConverter is the inner statement's.
func (s stmtConv) ColumnConverter(idx int) sqldriver.ValueConverter {
	return s.conv.ColumnConverter(idx)
}

// CheckNamedValue is the inner statement's.
func (s stmtCheckConv) CheckNamedValue(nv *sqldriver.NamedValue) error { return s.checkNamedValue(nv) }

// ColumnConverter is the inner statement's.
func (s stmtCheckConv) ColumnConverter(idx int) sqldriver.ValueConverter {
	return s.conv.ColumnConverter(idx)
}
