package sqlmw

import (
	"context"
	"errors"
	"fmt"

	sqldriver "database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/ngrok/sqlmw"

	"github.com/approvedsql/approvedsql/approval"
	"github.com/approvedsql/approvedsql/driver"
	"github.com/approvedsql/approvedsql/driver/internal/pgxscan"
	"github.com/approvedsql/approvedsql/sqlnorm"
)

// decider is what the interceptor needs from a Gate.
type decider interface {
	Decide(ctx context.Context, req approval.Request) approval.Decision
	Finish(ctx context.Context, d *approval.Decision, res approval.Result)
}

var _ decider = (*approval.Gate)(nil)

// Interceptor is an sqlmw.Interceptor that asks a Gate before every
// execution hook: ConnBeginTx, ConnPrepareContext, ConnExecContext,
// ConnQueryContext, StmtExecContext and StmtQueryContext. The other hooks
// (ping, results, rows, close, commit, rollback) pass through. Safe for
// concurrent use.
type Interceptor struct {
	sqlmw.NullInterceptor
	d                   decider
	allowSettingChanges bool
}

var _ sqlmw.Interceptor = (*Interceptor)(nil)

// Option configures an Interceptor.
type Option func(*Interceptor) error

// AllowSessionSettingChanges lets statements through that change session
// settings the lexer depends on, once the policy allowed them (see
// driver.AllowSessionSettingChanges). Default: refused.
func AllowSessionSettingChanges() Option {
	return func(i *Interceptor) error { i.allowSettingChanges = true; return nil }
}

// New returns an Interceptor backed by gate. A nil gate is an error.
func New(gate *approval.Gate, opts ...Option) (*Interceptor, error) {
	if gate == nil {
		return nil, approval.ErrNoPolicy
	}
	return newInterceptor(gate, opts...)
}

func newInterceptor(d decider, opts ...Option) (*Interceptor, error) {
	i := &Interceptor{d: d}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("sqlmw: nil option")
		}
		if err := o(i); err != nil {
			return nil, err
		}
	}
	return i, nil
}

// decide asks the Gate and applies the session-setting check. It returns
// the decision to finish, or a denial.
func (i *Interceptor) decide(ctx context.Context, sql string, args []sqldriver.NamedValue, phase approval.Phase, tx approval.TxState) (approval.Decision, error) {
	if len(args) > 0 {
		switch v := args[0].Value.(type) {
		case pgx.QueryExecMode, pgx.QueryRewriter, pgx.QueryResultFormats, pgx.QueryResultFormatsByOID:
			return approval.Decision{}, &approval.DeniedError{Effect: approval.Deny, Rule: "driver.rewrite",
				Reason: fmt.Sprintf("a leading %T argument is a pgx option that would change what runs; sqlmw passes arguments on as they are", v),
				Cause:  driver.ErrRewrite}
		}
	}
	req := approval.Request{SQL: sql, Phase: phase, Tx: tx}
	if len(args) > 0 {
		req.Args = make([]approval.Arg, len(args))
		for k, a := range args {
			req.Args[k] = approval.Arg{Name: a.Name, Ordinal: a.Ordinal, Value: a.Value}
		}
	}
	dec := i.d.Decide(ctx, req)
	if !dec.Allowed() {
		return dec, denial(&dec)
	}
	if len(args) > 0 && dec.Statement != nil && dec.Statement.Dialect == sqlnorm.Postgres && pgxscan.Misreads(sql) {
		// pgx's simple protocol would put an argument elsewhere than the
		// Gate saw its placeholder.
		err := &approval.DeniedError{Effect: approval.Deny, Rule: "driver.rewrite",
			Reason: "pgx's simple protocol would read this text differently from PostgreSQL", Cause: driver.ErrRewrite}
		i.d.Finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
		return dec, err
	}
	if !i.allowSettingChanges {
		if name := driver.SettingChange(dec.Statement, args); name != "" {
			err := &approval.DeniedError{Effect: approval.Deny, Rule: "driver.session-settings",
				Reason: "statement may change session setting " + name, Cause: driver.ErrSessionSetting}
			i.d.Finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
			return dec, err
		}
	}
	return dec, nil
}

// denial returns a *approval.DeniedError that database/sql neither retries
// nor treats as ErrSkip.
func denial(d *approval.Decision) error {
	var de *approval.DeniedError
	if errors.As(d.Err, &de) && de != nil && !retryable(de.Cause) && de.Effect != approval.Allow {
		return d.Err
	}
	out := &approval.DeniedError{Effect: approval.Deny, Rule: d.Rule, Reason: d.Reason, Fingerprint: d.Fingerprint, KeyID: d.KeyID}
	if d.Effect == approval.Review {
		out.Effect = approval.Review
	}
	if d.Err != nil && !retryable(d.Err) {
		out.Cause = d.Err
	}
	if out.Reason == "" {
		out.Reason = "not allowed"
	}
	return out
}

func retryable(err error) bool {
	return err != nil && (errors.Is(err, sqldriver.ErrBadConn) || errors.Is(err, sqldriver.ErrSkip))
}

func affected(res sqldriver.Result, err error) int64 {
	if err != nil || res == nil {
		return -1
	}
	n, rerr := res.RowsAffected()
	if rerr != nil {
		return -1
	}
	return n
}

// ConnBeginTx decides "BEGIN" with Tx describing the new transaction.
func (i *Interceptor) ConnBeginTx(ctx context.Context, conn sqldriver.ConnBeginTx, opts sqldriver.TxOptions) (context.Context, sqldriver.Tx, error) {
	dec, err := i.decide(ctx, "BEGIN", nil, approval.Execute, approval.TxState{Active: true, ReadOnly: opts.ReadOnly})
	if err != nil {
		return ctx, nil, err
	}
	tx, err := conn.BeginTx(ctx, opts)
	i.d.Finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	return ctx, tx, err
}

// ConnPrepareContext decides the text (Phase Prepare) before preparing.
func (i *Interceptor) ConnPrepareContext(ctx context.Context, conn sqldriver.ConnPrepareContext, query string) (context.Context, sqldriver.Stmt, error) {
	dec, err := i.decide(ctx, query, nil, approval.Prepare, approval.TxState{})
	if err != nil {
		return ctx, nil, err
	}
	st, err := conn.PrepareContext(ctx, query)
	i.d.Finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	return ctx, st, err
}

// ConnExecContext decides, then executes.
func (i *Interceptor) ConnExecContext(ctx context.Context, conn sqldriver.ExecerContext, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	dec, err := i.decide(ctx, query, args, approval.Execute, approval.TxState{})
	if err != nil {
		return nil, err
	}
	res, err := conn.ExecContext(ctx, query, args)
	i.d.Finish(ctx, &dec, approval.Result{RowsAffected: affected(res, err), Err: err})
	return res, err
}

// ConnQueryContext decides, then queries.
func (i *Interceptor) ConnQueryContext(ctx context.Context, conn sqldriver.QueryerContext, query string, args []sqldriver.NamedValue) (context.Context, sqldriver.Rows, error) {
	dec, err := i.decide(ctx, query, args, approval.Execute, approval.TxState{})
	if err != nil {
		return ctx, nil, err
	}
	rows, err := conn.QueryContext(ctx, query, args)
	i.d.Finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	return ctx, rows, err
}

// StmtExecContext decides with the actual arguments, then executes.
func (i *Interceptor) StmtExecContext(ctx context.Context, stmt sqldriver.StmtExecContext, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	dec, err := i.decide(ctx, query, args, approval.Execute, approval.TxState{})
	if err != nil {
		return nil, err
	}
	res, err := stmt.ExecContext(ctx, args)
	i.d.Finish(ctx, &dec, approval.Result{RowsAffected: affected(res, err), Err: err})
	return res, err
}

// StmtQueryContext decides with the actual arguments, then queries.
func (i *Interceptor) StmtQueryContext(ctx context.Context, stmt sqldriver.StmtQueryContext, query string, args []sqldriver.NamedValue) (context.Context, sqldriver.Rows, error) {
	dec, err := i.decide(ctx, query, args, approval.Execute, approval.TxState{})
	if err != nil {
		return ctx, nil, err
	}
	rows, err := stmt.QueryContext(ctx, args)
	i.d.Finish(ctx, &dec, approval.Result{RowsAffected: -1, Err: err})
	return ctx, rows, err
}
