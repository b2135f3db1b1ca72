package driver

import (
	"context"
	"errors"
	"strings"

	sqldriver "database/sql/driver"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

//go:generate go run ./internal/combogen -o conn_combos.go -fakes fake_combos_test.go

// conn wraps one inner connection. database/sql uses a driver connection
// from one goroutine at a time, so the per-connection state (transaction,
// ErrSkip fallback, poisoning) needs no lock.
//
// conn itself implements only driver.Conn, ConnPrepareContext and
// ConnBeginTx; the optional interfaces are added by the combination types
// in conn_combos.go, exactly as the inner connection has them.
type conn struct {
	inner sqldriver.Conn
	cfg   *config

	execer        sqldriver.ExecerContext
	legacyExecer  sqldriver.Execer
	queryer       sqldriver.QueryerContext
	legacyQueryer sqldriver.Queryer
	preparer      sqldriver.ConnPrepareContext
	beginner      sqldriver.ConnBeginTx
	checker       sqldriver.NamedValueChecker
	pinger        sqldriver.Pinger
	resetter      sqldriver.SessionResetter
	validator     sqldriver.Validator

	tx      approval.TxState
	recheck bool             // a call that may have changed session settings ran: check before the next
	checked *approval.Policy // WithRecheckAfterWrites: the policy in force when the session was last checked
	skip    *skipped         // the call whose ErrSkip fallback is in progress
	// settingsSafe is the last statement that passed checkStatement and
	// passes it whatever its arguments (see argsFreeOfSettings): the same
	// statement again skips the check.
	settingsSafe *sqlnorm.Statement
	poisoned     error // set by the call check; later calls get ErrBadConn
}

// skipped remembers a call decided by ExecContext/QueryContext that the
// inner driver answered with ErrSkip: database/sql then prepares the same
// text and runs the statement with the same arguments, which must not be
// decided (and counted) a second time.
type skipped struct {
	query string
	args  []sqldriver.NamedValue
	call  Call
	dec   approval.Decision
}

// wrapConn wraps inner, advertising exactly its optional interfaces.
func wrapConn(inner sqldriver.Conn, cfg *config) sqldriver.Conn {
	c := &conn{inner: inner, cfg: cfg}
	c.execer, _ = inner.(sqldriver.ExecerContext)
	c.legacyExecer, _ = inner.(sqldriver.Execer)
	c.queryer, _ = inner.(sqldriver.QueryerContext)
	c.legacyQueryer, _ = inner.(sqldriver.Queryer)
	c.preparer, _ = inner.(sqldriver.ConnPrepareContext)
	c.beginner, _ = inner.(sqldriver.ConnBeginTx)
	c.checker, _ = inner.(sqldriver.NamedValueChecker)
	c.pinger, _ = inner.(sqldriver.Pinger)
	c.resetter, _ = inner.(sqldriver.SessionResetter)
	c.validator, _ = inner.(sqldriver.Validator)
	var mask uint
	if c.execer != nil || c.legacyExecer != nil {
		mask |= hasExec
	}
	if c.queryer != nil || c.legacyQueryer != nil {
		mask |= hasQuery
	}
	if c.checker != nil {
		mask |= hasChecker
	}
	if c.pinger != nil {
		mask |= hasPinger
	}
	if c.resetter != nil {
		mask |= hasResetter
	}
	if c.validator != nil {
		mask |= hasValidator
	}
	return combine(c, mask)
}

// Bits of the optional interfaces a wrapped connection advertises.
const (
	hasExec        = 1 << iota // driver.ExecerContext (inner has ExecerContext or Execer)
	hasQuery                   // driver.QueryerContext (inner has QueryerContext or Queryer)
	hasChecker                 // driver.NamedValueChecker
	hasPinger                  // driver.Pinger
	hasResetter                // driver.SessionResetter
	hasValidator               // driver.Validator
	connComboCount = 1 << iota
)

func (c *conn) wrapped() *conn { return c }

// Prepare prepares with context.Background(): no key, so it is denied
// unless the policy allows anonymous calls. database/sql always calls
// PrepareContext.
func (c *conn) Prepare(query string) (sqldriver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext decides the text (Phase Prepare) before the inner driver
// sees it. It is advertised whatever the inner connection has, since
// database/sql would otherwise call Prepare without the context (and
// without the key); without ConnPrepareContext on the inner connection it
// behaves as database/sql would.
func (c *conn) PrepareContext(ctx context.Context, query string) (sqldriver.Stmt, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	if s := c.skip; s != nil {
		c.skip = nil
		if s.query == query {
			si, err := c.prepareInner(ctx, s.call.Query)
			if err != nil {
				c.cfg.gate.finish(ctx, &s.dec, approval.Result{RowsAffected: -1, Err: err})
				return nil, err
			}
			st := wrapStmt(c, si, query)
			st.skip = s
			return st.asDriverStmt(), nil
		}
		// Not the fallback of the skipped call: that call never ran.
		c.cfg.gate.finish(ctx, &s.dec, approval.Result{RowsAffected: -1, Err: sqldriver.ErrSkip})
	}
	var call Call
	if err := c.cfg.rewrite(ctx, query, nil, &call); err != nil {
		return nil, err
	}
	if call.Query != query || len(call.Options) > 0 {
		return nil, refusal("driver.rewrite", "a prepared statement's text cannot be rewritten", ErrRewrite)
	}
	var dec approval.Decision
	c.cfg.gate.decide(ctx, approval.Request{SQL: query, Phase: approval.Prepare, Tx: c.tx}, &dec)
	if !dec.Allowed() {
		return nil, deniedError(&dec)
	}
	if err := c.cfg.checkStatement(&dec, nil); err != nil {
		c.cfg.gate.finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
		return nil, err
	}
	si, err := c.prepareInner(ctx, query)
	c.cfg.gate.finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	if err != nil {
		return nil, err
	}
	if err := c.afterCall(); err != nil {
		si.Close()
		return nil, err
	}
	return wrapStmt(c, si, query).asDriverStmt(), nil
}

func (c *conn) prepareInner(ctx context.Context, query string) (sqldriver.Stmt, error) {
	if c.preparer != nil {
		return c.preparer.PrepareContext(ctx, query)
	}
	si, err := c.inner.Prepare(query)
	if err == nil {
		select {
		default:
		case <-ctx.Done():
			si.Close()
			return nil, ctx.Err()
		}
	}
	return si, err
}

// Close closes the inner connection.
func (c *conn) Close() error {
	c.skip = nil
	return c.inner.Close()
}

// Begin begins with context.Background(): no key.
//
// Deprecated: database/sql calls BeginTx.
func (c *conn) Begin() (sqldriver.Tx, error) {
	return c.BeginTx(context.Background(), sqldriver.TxOptions{})
}

// BeginTx asks the Gate about the configured begin text (default "BEGIN")
// with Tx describing the transaction to begin, then begins it with the
// isolation level and read-only flag passed on. Like PrepareContext it is
// advertised whatever the inner connection has; without ConnBeginTx on the
// inner connection it behaves as database/sql would.
func (c *conn) BeginTx(ctx context.Context, opts sqldriver.TxOptions) (sqldriver.Tx, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	c.dropSkip(ctx)
	state := approval.TxState{Active: true, ReadOnly: opts.ReadOnly}
	var dec approval.Decision
	c.cfg.gate.decide(ctx, approval.Request{SQL: c.cfg.beginSQL, Phase: approval.Execute, Tx: state}, &dec)
	if !dec.Allowed() {
		return nil, deniedError(&dec)
	}
	var (
		ti  sqldriver.Tx
		err error
	)
	if c.beginner != nil {
		ti, err = c.beginner.BeginTx(ctx, opts)
	} else {
		ti, err = c.beginLegacy(ctx, opts)
	}
	c.cfg.gate.finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	if err != nil {
		return nil, err
	}
	c.tx = state
	return &tx{c: c, inner: ti}, nil
}

func (c *conn) beginLegacy(ctx context.Context, opts sqldriver.TxOptions) (sqldriver.Tx, error) {
	if opts.Isolation != 0 {
		return nil, errors.New("sql: driver does not support non-default isolation level")
	}
	if opts.ReadOnly {
		return nil, errors.New("sql: driver does not support read-only transactions")
	}
	//nolint:staticcheck // the inner driver has no BeginTx
	ti, err := c.inner.Begin()
	if err == nil {
		select {
		default:
		case <-ctx.Done():
			ti.Rollback()
			return nil, ctx.Err()
		}
	}
	return ti, err
}

// dropSkip forgets a skipped call whose fallback did not follow.
func (c *conn) dropSkip(ctx context.Context) {
	if s := c.skip; s != nil {
		c.skip = nil
		c.cfg.gate.finish(ctx, &s.dec, approval.Result{RowsAffected: -1, Err: sqldriver.ErrSkip})
	}
}

// usable reports driver.ErrBadConn for a poisoned connection, or one whose
// call check fails now (a setting changed while rows of the previous query
// were read): database/sql then discards it and, before anything ran,
// retries on another connection.
func (c *conn) usable() error {
	if c.poisoned != nil {
		return sqldriver.ErrBadConn
	}
	if c.cfg.callCheck != nil {
		if err := c.cfg.callCheck(c.inner); err != nil {
			c.poisoned = err
			return sqldriver.ErrBadConn
		}
	}
	return nil
}

// ready is usable plus, after a call that may have changed a session
// setting (WithRecheckAfterWrites), the connect check again. It runs before
// anything of the next call reaches the inner connection.
func (c *conn) ready(ctx context.Context) error {
	if err := c.usable(); err != nil {
		return err
	}
	var p *approval.Policy
	if c.cfg.recheckAfterWrites && c.cfg.connectCheck != nil {
		// A new policy may lex with other settings than those the
		// session was checked against.
		if p = c.cfg.gate.policy(); p != c.checked {
			c.recheck = true
		}
	}
	if c.recheck {
		if err := c.cfg.connectCheck(ctx, c.inner); err != nil {
			c.poisoned = err
			return sqldriver.ErrBadConn
		}
		c.recheck, c.checked = false, p
	}
	return nil
}

// noteCall records that st ran on the connection: a statement not known to
// be read-only makes ready check the session again.
func (c *conn) noteCall(st *sqlnorm.Statement) {
	if c.cfg.recheckAfterWrites && c.cfg.connectCheck != nil && (st == nil || !st.ReadOnly) {
		c.recheck = true
	}
}

// afterCall runs the call check; a failure poisons the connection.
func (c *conn) afterCall() error {
	if c.cfg.callCheck == nil {
		return nil
	}
	if err := c.cfg.callCheck(c.inner); err != nil {
		c.poisoned = err
		return err
	}
	return nil
}

// decideCall rewrites and decides one execution into call and dec (the
// caller's, so that neither is copied on the way back). It returns nil or
// the denial.
func (c *conn) decideCall(ctx context.Context, query string, args []sqldriver.NamedValue, call *Call, dec *approval.Decision) error {
	if err := c.cfg.rewrite(ctx, query, args, call); err != nil {
		return err
	}
	c.cfg.gate.decide(ctx, approval.Request{
		SQL:   call.Query,
		Args:  userArgs(call),
		Phase: approval.Execute,
		Tx:    c.tx,
	}, dec)
	if !dec.Allowed() {
		return deniedError(dec)
	}
	if err := c.checkStatement(dec, call.Args); err != nil {
		c.cfg.gate.finish(ctx, dec, approval.Result{RowsAffected: -1, Err: err})
		return err
	}
	return nil
}

// checkStatement is config.checkStatement, skipped for the statement
// that last passed it whatever its arguments. Statements are immutable
// and shared by the Gate's cache, so the same pointer is the same facts.
func (c *conn) checkStatement(dec *approval.Decision, args []sqldriver.NamedValue) error {
	st := dec.Statement
	if st != nil && st == c.settingsSafe {
		return nil
	}
	if err := c.cfg.checkStatement(dec, args); err != nil {
		return err
	}
	if st != nil && argsFreeOfSettings(st) {
		c.settingsSafe = st
	}
	return nil
}

// userArgs returns the call's user arguments for the Gate, numbered from 1
// when driver options came first.
func userArgs(call *Call) []approval.Arg {
	if len(call.Options) == 0 {
		return toArgs(call.Args)
	}
	out := make([]approval.Arg, len(call.Args))
	for i, a := range call.Args {
		out[i] = approval.Arg{Name: a.Name, Ordinal: i + 1, Value: a.Value}
	}
	return out
}

// execContext is ExecerContext.ExecContext of the combination types.
func (c *conn) execContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	c.dropSkip(ctx)
	var (
		call Call
		dec  approval.Decision
		res  sqldriver.Result
	)
	err := c.decideCall(ctx, query, args, &call, &dec)
	if err != nil {
		return nil, err
	}
	dargs := call.driverArgs()
	if c.execer != nil {
		res, err = c.execer.ExecContext(ctx, call.Query, dargs)
	} else {
		res, err = legacyExec(ctx, c.legacyExecer, call.Query, dargs)
	}
	if err == sqldriver.ErrSkip {
		c.skip = &skipped{query: query, args: args, call: call, dec: dec}
		return nil, err
	}
	c.cfg.gate.finish(ctx, &dec, approval.Result{RowsAffected: rowsAffected(res, err), Err: err})
	c.noteCall(dec.Statement)
	if err == nil {
		c.trackTx(dec.Statement)
	}
	if cerr := c.afterCall(); cerr != nil && err == nil {
		return nil, cerr
	}
	return res, err
}

// trackTx follows transactions begun and ended by statement text (BEGIN,
// START TRANSACTION, COMMIT, ROLLBACK…), so that later decisions on the
// connection carry the right Tx state.
func (c *conn) trackTx(st *sqlnorm.Statement) {
	if st == nil {
		return
	}
	switch st.Command {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
		// Most calls: neither a transaction verb nor a SET, DO or
		// CALL, so they change nothing unless a read-only transaction
		// must look at their functions.
		if !c.tx.ReadOnly {
			return
		}
	}
	switch upperCommand(st.Command) {
	case "BEGIN", "START":
		if !c.tx.Active {
			c.tx = approval.TxState{Active: true, ReadOnly: hasWords(st.Text, "READ", "ONLY")}
		}
	case "COMMIT", "END", "ABORT":
		c.tx = approval.TxState{}
	case "ROLLBACK":
		if !hasWords(st.Text, "TO") { // ROLLBACK TO SAVEPOINT keeps the transaction
			c.tx = approval.TxState{}
		}
	default:
		if c.tx.ReadOnly && mayChangeAccessMode(st) {
			// SET TRANSACTION READ WRITE, set_config('transaction_read_only',
			// …), a function doing either: the transaction may no longer
			// be read-only, so later decisions must not say it is.
			c.tx.ReadOnly = false
		}
	}
}

// mayChangeAccessMode reports whether st may switch the transaction to read
// write: a SET, RESET, DO or CALL, or a statement calling a function that
// is not known to be read-only.
func mayChangeAccessMode(st *sqlnorm.Statement) bool {
	switch upperCommand(st.Command) {
	case "SET", "RESET", "DO", "CALL":
		return true
	}
	return !st.ReadOnly && len(st.Functions) > 0
}

// hasWords reports whether text contains the words in sequence
// (case-insensitively, adjacent).
func hasWords(text string, words ...string) bool {
	i, found := 0, false
	eachWord(text, func(w string) bool {
		if strings.EqualFold(w, words[i]) {
			i++
			if i == len(words) {
				found = true
				return false
			}
		} else {
			i = 0
			if strings.EqualFold(w, words[0]) {
				i = 1
			}
		}
		return true
	})
	return found
}

// queryContext is QueryerContext.QueryContext of the combination types.
// Rows are returned unwrapped, so every optional Rows interface of the
// inner driver is kept.
func (c *conn) queryContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	c.dropSkip(ctx)
	var (
		call Call
		dec  approval.Decision
		rows sqldriver.Rows
	)
	err := c.decideCall(ctx, query, args, &call, &dec)
	if err != nil {
		return nil, err
	}
	dargs := call.driverArgs()
	if c.queryer != nil {
		rows, err = c.queryer.QueryContext(ctx, call.Query, dargs)
	} else {
		rows, err = legacyQuery(ctx, c.legacyQueryer, call.Query, dargs)
	}
	if err == sqldriver.ErrSkip {
		c.skip = &skipped{query: query, args: args, call: call, dec: dec}
		return nil, err
	}
	c.cfg.gate.finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	c.noteCall(dec.Statement)
	if err == nil {
		c.trackTx(dec.Statement)
	}
	if cerr := c.afterCall(); cerr != nil && err == nil {
		rows.Close()
		return nil, cerr
	}
	return rows, err
}

func rowsAffected(res sqldriver.Result, err error) int64 {
	if err != nil || res == nil {
		return -1
	}
	n, rerr := res.RowsAffected()
	if rerr != nil {
		return -1
	}
	return n
}

var errNamedParams = errors.New("sql: driver does not support the use of Named Parameters")

func namedValueToValue(named []sqldriver.NamedValue) ([]sqldriver.Value, error) {
	out := make([]sqldriver.Value, len(named))
	for i, nv := range named {
		if nv.Name != "" {
			return nil, errNamedParams
		}
		out[i] = nv.Value
	}
	return out, nil
}

func legacyExec(ctx context.Context, e sqldriver.Execer, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.Exec(query, dargs)
}

func legacyQuery(ctx context.Context, q sqldriver.Queryer, query string, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	dargs, err := namedValueToValue(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return q.Query(query, dargs)
}

// The pass-through methods of the optional interfaces.

func (c *conn) checkNamedValue(nv *sqldriver.NamedValue) error { return c.checker.CheckNamedValue(nv) }

func (c *conn) ping(ctx context.Context) error {
	if err := c.ready(ctx); err != nil {
		return err
	}
	return c.pinger.Ping(ctx)
}

func (c *conn) resetSession(ctx context.Context) error {
	c.dropSkip(ctx)
	if err := c.usable(); err != nil {
		return err
	}
	return c.resetter.ResetSession(ctx)
}

func (c *conn) isValid() bool {
	return c.usable() == nil && c.validator.IsValid()
}
